"""Applying the fail-closed shield rule (``domain/shield.py``) inside a write's unit of work.

Every write path calls :func:`screen_child` for each child it touched, before committing:

* the child is compared with every shielded child it might be; a caution shields it and
  queues a review item for a cleared officer of the shielded child's authority;
* a shielded child (newly shielded, or whose records or identity fields changed) is
  compared with every visible child that might be it; each such child is shielded and
  queued too. Records count as well as identities: the model's gate (ADR 0019) answers
  from the two children's records.

So when the unit commits, no visible child touched by the write scores at or above the
caution threshold against a shielded one.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from childindex.domain.child import Child
from childindex.domain.errors import Conflict
from childindex.domain.ids import ChildId
from childindex.domain.shield import (
    APART_CEILING,
    CEILING_ROUNDING,
    BlockingKeys,
    Caution,
    PairWeight,
    ScreenProfile,
    ShieldRule,
    blocking_keys,
    strongest_first,
)
from childindex.domain.shield_records import ShieldOrigin
from childindex.domain.source_record import SourceRecord
from childindex.matching import thresholds
from childindex.matching.features import Features, features_of
from childindex.services.ports import PairWeigher, UnitOfWork
from childindex.services.screen_index import ShieldedIndex

DEFAULT_RULE = ShieldRule(caution=thresholds.CAUTION, gate_bits=thresholds.SCREEN_GATE_BITS)
SCREEN_ACTOR = "shield-screen"
# Past this many near twins shielded by one write, the write rolls back (fails closed).
MAX_CASCADE = 500

# Steps of a walk worked out ahead (``services/screen_ahead.py``): for each identity it
# starts from, and for some identities of the children those reach (at the strength they
# would be reached at), each other child at caution against it, with the strongest such
# caution; the children the walk may skip (by strength, an officer's word) are left for the
# walk to skip.
StepsAhead = Mapping[ScreenProfile, Mapping[str, Caution]]


@dataclass(frozen=True, slots=True)
class ScreenOutcome:
    """What the screen did for one child."""

    shielded: bool
    cautions: tuple[Caution, ...] = ()
    # Visible children the screen shielded because they might be this (shielded) child.
    also_shielded: tuple[str, ...] = ()
    # Every other child whose shield the screen wrote: those above, and children it had
    # shielded before that it now holds more strongly (ADR 0011, order).
    rewritten: tuple[str, ...] = ()


@dataclass(slots=True)
class LoadMemory:
    """What a load holds in memory for the many screens it runs (``services/first_load.py``),
    asked instead of the store: the visible and the shielded children, by their screen keys,
    as the store holds them (kept so by :meth:`after`); and the model's word on pairs, from
    the features of each child's records, handed in by the load or else read once (nothing
    moves a record while a load screens)."""

    visible: ShieldedIndex
    shielded: ShieldedIndex
    weight: PairWeight | None
    # ``ShieldStore.cleared_pairs`` of every child, read once: an officer's decision is an
    # edit, which waits for the screen lock the load holds (ADR 0013).
    cleared: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def read(
        cls, uow: UnitOfWork, features: Mapping[str, Sequence[Features]] | None = None
    ) -> LoadMemory:
        """Every active child as ``uow`` holds it now, and the gate on its records.
        ``features``: the features of the records each child holds now, where the load
        holds them already (the gate reads the others' records from the store)."""
        return cls(
            ShieldedIndex(uow.shields.visible_entries()),
            ShieldedIndex(uow.shields.shielded_entries()),
            model_weight(uow, known=features),
            uow.shields.every_cleared_pair(),
        )

    def profiles_of(self, child_id: str) -> list[ScreenProfile]:
        """The identities held for ``child_id``, visible or shielded: the one it shows first."""
        return self.visible.profiles_of(child_id) or self.shielded.profiles_of(child_id)

    def after(self, uow: UnitOfWork, child_id: str, outcome: ScreenOutcome) -> list[str]:
        """Hold what the store holds after ``child_id`` was screened with ``outcome``; return
        the children that screen newly shielded (the child itself first, if it was visible)."""
        written = [child_id, *outcome.rewritten] if outcome.shielded else []
        newly = list(outcome.also_shielded)
        if outcome.shielded and self.visible.holds(child_id):  # it was visible until now
            newly.insert(0, child_id)
        self.visible.replace(newly, ())
        self.shielded.replace(written, uow.shields.shielded_entries(written))
        return newly


def _candidates(
    uow: UnitOfWork,
    memory: LoadMemory | None,
    keys: BlockingKeys,
    *,
    shielded: bool,
    dates_alone: bool = False,
) -> list[ScreenProfile]:
    """``ShieldStore.candidates``, of the load's ``memory`` where there is one."""
    if memory is None:
        return uow.shields.candidates(keys, shielded=shielded, dates_alone=dates_alone)
    index = memory.shielded if shielded else memory.visible
    return index.candidates(keys, dates_alone=dates_alone)


def _cleared(uow: UnitOfWork, memory: LoadMemory | None, child_id: str) -> frozenset[str]:
    """``ShieldStore.cleared_pairs``, of the load's ``memory`` where there is one."""
    if memory is None:
        return uow.shields.cleared_pairs(child_id)
    return memory.cleared.get(child_id, frozenset())


def shield_child(
    uow: UnitOfWork,
    child: Child,
    *,
    origin: ShieldOrigin,
    reason: str,
    set_by: str,
    strength: float = 1.0,
) -> Child:
    """Shield ``child`` (and so every source record linked to it) and record why."""
    shielded = replace(child, shielded=True)
    uow.children.set_shielded(shielded)
    uow.shields.add_shield(
        child_id=child.child_id.value,
        origin=origin,
        reason=reason,
        set_by=set_by,
        review_date=None,
        strength=strength,
    )
    return shielded


def model_weight(
    uow: UnitOfWork,
    pending: Mapping[str, Sequence[SourceRecord]] | None = None,
    known: Mapping[str, Sequence[Features]] | None = None,
) -> PairWeight | None:
    """What the rule's gate asks in this unit of work (ADR 0019): the trained model's best
    match weight between two children's current records, or None where it cannot say (a
    child with no records); None altogether without a model. ``pending``: the records of
    children not stored yet (a batch's gathered ones). ``known``: the features of the
    current records of children that a load holds in memory. Records are read and
    standardised once per child."""
    weigher = uow.weigher
    if weigher is None:
        return None
    held: dict[str, Sequence[Features]] = {}

    def features(child_id: str) -> Sequence[Features]:
        if known is not None and child_id in known:
            return known[child_id]
        if child_id not in held:
            records = (pending or {}).get(child_id)
            if records is None:
                records = uow.records.current_records(ChildId(child_id))
            held[child_id] = [features_of(r.payload) for r in records]
        return held[child_id]

    return weight_of_features(weigher, features)


def any_caution(
    *,
    index: ShieldedIndex,
    rule: ShieldRule,
    profiles: Iterable[ScreenProfile],
    weight: PairWeight | None,
) -> bool:
    """Whether any of ``profiles`` (one visible child's) is at caution against a shielded
    child of ``index``, the model's gate asked by ``weight`` (None: resemblance alone, which
    cautions at least wherever the gate would)."""
    # A child's records often show one identity: each distinct one is compared once.
    seen: set[ScreenProfile] = set()
    for profile in profiles:
        if profile in seen:
            continue
        seen.add(profile)
        found = index.candidates(blocking_keys(profile))
        if found and rule.cautions(profile, found, weight=weight):
            return True
    return False


def weight_of_features(
    weigher: PairWeigher, features: Callable[[str], Sequence[Features]]
) -> PairWeight:
    """The gate's question (:func:`model_weight`) over each child's ``features``: the best
    weight between any record of one and any of the other; None if either has none."""

    def weight(a: str, b: str) -> float | None:
        mine, theirs = features(a), features(b)
        if not mine or not theirs:
            return None
        return max(weigher.weight_of(x, y) for x in mine for y in theirs)

    return weight


def _caution_reason(caution: Caution) -> str:
    return f"might be shielded child {caution.shielded_child_id} (score {caution.score:.2f})"


def _ties(caution: Caution, other: Caution) -> bool:
    """As strong as ``other`` and alike in every identity field (``Caution.rank``)."""
    return caution.score == other.score and caution.rank == other.rank


def _named(uow: UnitOfWork, cautions: Sequence[Caution]) -> Caution:
    """The caution a shield's reason names, of ``cautions`` (strongest first): the first,
    unless shielded children alike in every identity field tie with it; then the one holding
    the first source record, so that which one is named never depends on random child IDs
    (ADR 0011, order). Ties are rare, so their records are read only then."""
    tied = [c for c in cautions if _ties(c, cautions[0])]
    if len(tied) == 1:
        return tied[0]

    def first_record(caution: Caution) -> tuple[str, str]:
        records = uow.records.current_records(ChildId(caution.shielded_child_id))
        keys = [(r.source.value, r.record_id) for r in records]
        return min(keys, default=("\uffff", caution.shielded_child_id))

    return min(tied, key=first_record)


class _Walk:
    """The walk outwards from a child just shielded (or whose identity changed), strongest
    chain first (ADR 0011, order): a best-first search over "might be", in which a child's
    strength is the strongest product of scores along any chain from the start, whatever
    order the candidate queries return children in.

    Every child is expanded once, at its final strength (scores only fall along a chain, so
    a child taken from the queue can be reached no more strongly); every (child, shielded
    child) pair at or above caution, stronger than the child was before this write, gets
    its item; shields are written at the end, each naming the strongest (then first by
    identity fields) shielded child it might be."""

    def __init__(
        self,
        uow: UnitOfWork,
        rule: ShieldRule,
        start: str,
        weight: PairWeight | None,
        memory: LoadMemory | None = None,
    ) -> None:
        self.uow, self.rule, self.start, self.weight = uow, rule, start, weight
        # The children a load holds in memory, else asked of the store.
        self.memory = memory
        self.before: dict[str, float] = {}  # strength when first met (0: visible)
        self.best: dict[str, Caution] = {}  # the strongest caution each child reached
        # Cautions as strong as a child's best, naming other shielded children alike in
        # every identity field: the shield's reason names one of them by ``_named``.
        self.tied: dict[str, list[Caution]] = {}
        self.queue: list[tuple[float, str]] = []
        self.walked: set[str] = {start}
        self.newly: list[str] = []

    def expand(
        self, parent: str, profiles: list[ScreenProfile], ahead: StepsAhead | None = None
    ) -> None:
        """Score every child near any identity of ``parent`` (shielded, at the strength in
        ``profiles``) and queue each that this makes stronger than it was. ``ahead``: the
        cautions against some of ``profiles``, worked out ahead (``StepsAhead``)."""
        # Neither the child walked from, nor the start, nor one an officer has cleared.
        skip = {parent, self.start, *_cleared(self.uow, self.memory, parent)}
        found: dict[str, Caution] = {}
        for profile in profiles:
            known = None if ahead is None else ahead.get(profile)
            if known is not None:
                for child_id, caution in known.items():
                    if child_id not in skip:
                        self._found(found, profile, child_id, caution)
                continue
            keys = blocking_keys(profile)
            dates_alone = walk_dates_alone(self.rule, profile)
            for shielded in (False, True):
                for other in _candidates(
                    self.uow, self.memory, keys, shielded=shielded, dates_alone=dates_alone
                ):
                    if other.child_id in skip:
                        continue
                    # A visible child's strength is 0; the store's, not this walk's (the
                    # walk writes its shields at the end).
                    before = self.before.setdefault(other.child_id, other.strength)
                    if profile.strength + CEILING_ROUNDING <= before:
                        continue  # a score is at most the strength walked from
                    hit = self.rule.caution_of(other, profile, weight=self.weight)
                    if hit is not None:
                        _keep(found, other.child_id, hit, before)
        self._queue(found)

    def _found(
        self, found: dict[str, Caution], profile: ScreenProfile, child_id: str, hit: Caution
    ) -> None:
        """``expand``'s step for a caution worked out ahead against ``profile``: the child's
        strength is the memory's (as the candidate query's), read when the walk first meets
        it; a child stronger than this identity, or as strong as the caution, is left."""
        before = self.before.get(child_id)
        if before is None:
            before = self.before[child_id] = _strength(self.memory, child_id)
        if profile.strength + CEILING_ROUNDING > before:
            _keep(found, child_id, hit, before)

    def _queue(self, found: dict[str, Caution]) -> None:
        """Queue an item for each caution ``expand`` found, and each child it made stronger
        for expanding in turn."""
        for child_id, caution in found.items():
            self.uow.shields.queue_caution(child_id=child_id, caution=caution)
            held = self.best.get(child_id)
            if held is None or caution.beats(held):
                self.best[child_id] = caution
                if held is not None and _ties(caution, held):
                    self.tied.setdefault(child_id, []).append(held)
                else:
                    self.tied.pop(child_id, None)
                if held is None or caution.score > held.score:
                    heapq.heappush(self.queue, (-caution.score, child_id))
            elif _ties(caution, held):
                self.tied.setdefault(child_id, []).append(caution)

    def run(
        self, starts: list[ScreenProfile], ahead: StepsAhead | None = None
    ) -> tuple[list[str], list[str]]:
        """Walk from ``starts`` (identities of the start child); return the children newly
        shielded, and every child whose shield was written (newly or more strongly), each in
        child ID order. ``ahead``: steps of it worked out ahead (``StepsAhead``), used from
        each identity they were worked out from, exactly (its strength included)."""
        self.expand(self.start, starts, ahead)
        while self.queue:
            _, child_id = heapq.heappop(self.queue)
            if child_id in self.walked:
                continue
            self.walked.add(child_id)
            if self.before[child_id] == 0.0:
                if len(self.newly) >= MAX_CASCADE:
                    msg = (
                        f"shielding {self.start} would shield more than {MAX_CASCADE} near "
                        "twins: the write is refused for an officer to look at"
                    )
                    raise Conflict(msg)
                self.newly.append(child_id)
            strength = self.best[child_id].score
            self.expand(
                child_id,
                [replace(p, shielded=True, strength=strength) for p in self._identities(child_id)],
                ahead,
            )
        self._write()
        return sorted(self.newly), sorted(self.walked - {self.start})

    def _identities(self, child_id: str) -> list[ScreenProfile]:
        """The identity ``child_id`` shows, then its others (ADR 0012): of the load's memory
        where it holds them (the store's until the walk writes, at its end)."""
        if self.memory is not None:
            held = self.memory.profiles_of(child_id)
            if held:
                return held
        shown = self.uow.shields.profile(child_id)
        return ([shown] if shown is not None else []) + self.uow.shields.identities(child_id)

    def _write(self) -> None:
        """Shield each child walked to (a visible one), or record its stronger chain (one
        the screen had shielded less strongly: ADR 0011, order)."""
        for child_id in sorted(self.walked - {self.start}):
            caution = _named(self.uow, [self.best[child_id], *self.tied.get(child_id, ())])
            child = self.uow.children.get(ChildId(child_id))
            if child is None:
                continue
            if not child.shielded:
                shield_child(
                    self.uow,
                    child,
                    origin=ShieldOrigin.CAUTION,
                    reason=_caution_reason(caution),
                    set_by=SCREEN_ACTOR,
                    strength=caution.score,
                )
            else:
                _strengthen(self.uow, child_id, caution)


def _strengthen(uow: UnitOfWork, child_id: str, caution: Caution) -> None:
    """Record that a child the screen shielded might be a shielded child more strongly than
    it was shielded for: a new screen shield at the higher strength (the store reads the
    strongest), the weaker one kept as history."""
    uow.shields.add_shield(
        child_id=child_id,
        origin=ShieldOrigin.CAUTION,
        reason=_caution_reason(caution),
        set_by=SCREEN_ACTOR,
        review_date=None,
        strength=caution.score,
    )


def walk_dates_alone(rule: ShieldRule, profile: ScreenProfile) -> bool:
    """Whether a walk from ``profile`` asks only for children sharing a birth date or an
    identifier with it: from a weak link, only those can reach caution (``APART_CEILING``)."""
    return APART_CEILING * profile.strength < (rule.caution or 0.0) - CEILING_ROUNDING


def walk_starts(shown: ScreenProfile, others: Sequence[ScreenProfile]) -> list[ScreenProfile]:
    """The identities a walk from a shielded child starts from: the one it shows, then every
    other its records carry (ADR 0012), each at the strength it is shielded at. Shielded
    children are few, so the others are walked from on each write that touches one."""
    now = replace(shown, shielded=True)
    return [now, *(replace(i, shielded=True, strength=now.strength) for i in others)]


def _keep(found: dict[str, Caution], child_id: str, hit: Caution, before: float) -> None:
    """Keep ``hit`` as the caution a walk's step found against ``child_id`` if it makes the
    child stronger than ``before`` and is the strongest found so far."""
    held = found.get(child_id)
    if hit.score > before and (held is None or hit.beats(held)):
        found[child_id] = hit


def _strength(memory: LoadMemory | None, child_id: str) -> float:
    """A child's strength as the load's memory holds it (0: visible)."""
    held = [] if memory is None else memory.profiles_of(child_id)
    if not held:
        msg = f"a caution worked out ahead names {child_id}, which the load does not hold"
        raise LookupError(msg)
    return held[0].strength


def _guard(
    uow: UnitOfWork,
    starts: list[ScreenProfile],
    rule: ShieldRule,
    weight: PairWeight | None,
    *,
    memory: LoadMemory | None = None,
    ahead: StepsAhead | None = None,
) -> tuple[list[str], list[str]]:
    """Shield every visible child scoring at or above caution against any of ``starts``
    (identities of one shielded child), and so on from each child shielded or strengthened
    here (a near twin of a near twin is shielded too), so that no visible child is left at
    or above caution against any child this write shielded; strengths are the strongest
    chain's (ADR 0011). Returns the children newly shielded, and all whose shield it wrote."""
    if not starts:
        return [], []
    return _Walk(uow, rule, starts[0].child_id, weight, memory).run(starts, ahead)


def _best(found: Iterable[list[Caution]]) -> list[Caution]:
    """One caution per shielded child, the strongest, strongest first (ties by identity
    fields, never by random child ID)."""
    best: dict[str, Caution] = {}
    for cautions in found:
        for c in cautions:
            held = best.get(c.shielded_child_id)
            if held is None or c.beats(held):
                best[c.shielded_child_id] = c
    return strongest_first(best.values())


def screen_child(
    uow: UnitOfWork,
    child_id: ChildId,
    *,
    rule: ShieldRule = DEFAULT_RULE,
    before: ScreenProfile | None = None,
    memory: LoadMemory | None = None,
    ahead: StepsAhead | None = None,
) -> ScreenOutcome:
    """Apply the fail-closed rule to ``child_id`` just written.

    ``before``: its screen profile before the write; None if it is new or was visible, and
    None if the write changed its records, as the gate's answers may then change (ADR 0019).
    ``memory``: what a load holds in memory, to ask instead of the store, kept as the store
    is by :meth:`LoadMemory.after` each screen. ``ahead``: steps of its walk as worked
    out ahead from ``memory`` (``services/screen_ahead.py``): used for each identity the
    walk steps from exactly as it was worked out from (its strength included)."""
    child = uow.children.get(child_id)
    profile = uow.shields.profile(child_id.value)
    if child is None or profile is None:
        return ScreenOutcome(shielded=False)
    # The identity it shows and every other its records carry (ADR 0012).
    identities = uow.shields.identities(child_id.value)
    shielded = [
        c
        for p in (profile, *identities)
        for c in _candidates(uow, memory, blocking_keys(p), shielded=True)
    ]
    weight = model_weight(uow) if memory is None else memory.weight
    cautions = _best(rule.cautions(p, shielded, weight=weight) for p in (profile, *identities))
    if cautions:  # only then is it worth asking which pairs an officer has cleared
        cleared = _cleared(uow, memory, profile.child_id)
        cautions = [c for c in cautions if c.shielded_child_id not in cleared]
    if cautions and not child.shielded:
        child = shield_child(
            uow,
            child,
            origin=ShieldOrigin.CAUTION,
            reason=_caution_reason(_named(uow, cautions)),
            set_by=SCREEN_ACTOR,
            strength=cautions[0].score,
        )
        profile = replace(profile, strength=cautions[0].score)
    elif cautions and cautions[0].score > profile.strength:
        # Shielded by the screen before, more weakly than it now might be a shielded child.
        _strengthen(uow, profile.child_id, _named(uow, cautions))
        profile = replace(profile, strength=cautions[0].score)
    for caution in cautions:
        uow.shields.queue_caution(child_id=profile.child_id, caution=caution)
    also: list[str] = []
    rewritten: list[str] = []
    if child.shielded and rule.caution is not None:
        starts = walk_starts(profile, identities)
        if before is not None and replace(before, shielded=True) == starts[0]:
            starts = starts[1:]
        also, rewritten = _guard(uow, starts, rule, weight, memory=memory, ahead=ahead)
    return ScreenOutcome(
        shielded=child.shielded,
        cautions=tuple(cautions),
        also_shielded=tuple(also),
        rewritten=tuple(rewritten),
    )
