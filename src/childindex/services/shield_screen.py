"""Applying the fail-closed shield rule (``domain/shield.py``) inside a write's unit of work.

Every write path calls :func:`screen_child` for each child it touched, before committing:

* the child is compared with every shielded child it might be; a caution shields it and
  queues a review item for a cleared officer of the shielded child's authority;
* a shielded child (newly shielded, or whose identity fields changed) is compared with
  every visible child that might be it; each such child is shielded and queued too.

So when the unit commits, no visible child touched by the write scores at or above the
caution threshold against a shielded one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from childindex.domain.child import Child
from childindex.domain.errors import Conflict
from childindex.domain.ids import ChildId
from childindex.domain.shield import Caution, ScreenProfile, ShieldRule, blocking_keys
from childindex.domain.shield_records import ShieldOrigin
from childindex.matching import thresholds
from childindex.services.ports import UnitOfWork

DEFAULT_RULE = ShieldRule(caution=thresholds.CAUTION)
SCREEN_ACTOR = "shield-screen"
# Past this many near twins shielded by one write, the write rolls back (fails closed).
MAX_CASCADE = 500


@dataclass(frozen=True, slots=True)
class ScreenOutcome:
    """What the screen did for one child."""

    shielded: bool
    cautions: tuple[Caution, ...] = ()
    # Visible children the screen shielded because they might be this (shielded) child.
    also_shielded: tuple[str, ...] = ()


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
    uow.children.save(shielded)
    uow.shields.add_shield(
        child_id=child.child_id.value,
        origin=origin,
        reason=reason,
        set_by=set_by,
        review_date=None,
        strength=strength,
    )
    return shielded


def _caution_reason(caution: Caution) -> str:
    return f"might be shielded child {caution.shielded_child_id} (score {caution.score:.2f})"


def _guard(uow: UnitOfWork, start: ScreenProfile, rule: ShieldRule) -> list[str]:
    """Shield every visible child scoring at or above caution against ``start``, and so on
    from each child shielded here (a near twin of a near twin is shielded too), so that no
    visible child is left at or above caution against any child this write shielded."""
    shielded: list[str] = []
    pending = [start]
    while pending:
        profile = pending.pop()
        cleared = uow.shields.cleared_pairs(profile.child_id)
        for visible in uow.shields.candidates(blocking_keys(profile), shielded=False):
            if visible.child_id in cleared:
                continue
            hits = rule.cautions(visible, [profile])
            child = uow.children.get(ChildId(visible.child_id)) if hits else None
            if child is None or child.shielded:
                continue
            if len(shielded) >= MAX_CASCADE:
                msg = (
                    f"shielding {start.child_id} would shield more than {MAX_CASCADE} near "
                    "twins: the write is refused for an officer to look at"
                )
                raise Conflict(msg)
            shield_child(
                uow,
                child,
                origin=ShieldOrigin.CAUTION,
                reason=_caution_reason(hits[0]),
                set_by=SCREEN_ACTOR,
                strength=hits[0].score,
            )
            uow.shields.queue_caution(child_id=visible.child_id, caution=hits[0])
            shielded.append(visible.child_id)
            pending.append(replace(visible, shielded=True, strength=hits[0].score))
    return shielded


def _best(found: Iterable[list[Caution]]) -> list[Caution]:
    """One caution per shielded child, the strongest, strongest first."""
    best: dict[str, Caution] = {}
    for cautions in found:
        for c in cautions:
            if c.shielded_child_id not in best or c.score > best[c.shielded_child_id].score:
                best[c.shielded_child_id] = c
    return sorted(best.values(), key=lambda c: (-c.score, c.shielded_child_id))


def screen_child(
    uow: UnitOfWork,
    child_id: ChildId,
    *,
    rule: ShieldRule = DEFAULT_RULE,
    before: ScreenProfile | None = None,
) -> ScreenOutcome:
    """Apply the fail-closed rule to ``child_id`` just written (``before``: its screen
    profile before the write, None if it is new or was visible)."""
    child = uow.children.get(child_id)
    profile = uow.shields.profile(child_id.value)
    if child is None or profile is None:
        return ScreenOutcome(shielded=False)
    # The identity it shows and every other its records carry (ADR 0012).
    identities = uow.shields.identities(child_id.value)
    shielded = [
        c
        for p in (profile, *identities)
        for c in uow.shields.candidates(blocking_keys(p), shielded=True)
    ]
    cautions = _best(rule.cautions(p, shielded) for p in (profile, *identities))
    if cautions:  # only then is it worth asking which pairs an officer has cleared
        cleared = uow.shields.cleared_pairs(profile.child_id)
        cautions = [c for c in cautions if c.shielded_child_id not in cleared]
    if cautions and not child.shielded:
        child = shield_child(
            uow,
            child,
            origin=ShieldOrigin.CAUTION,
            reason=_caution_reason(cautions[0]),
            set_by=SCREEN_ACTOR,
            strength=cautions[0].score,
        )
        profile = replace(profile, strength=cautions[0].score)
    for caution in cautions:
        uow.shields.queue_caution(child_id=profile.child_id, caution=caution)
    also: list[str] = []
    if child.shielded and rule.caution is not None:
        now_profile = replace(profile, shielded=True)
        if before is None or replace(before, shielded=True) != now_profile:
            also = _guard(uow, now_profile, rule)
        # Every other identity its records carry (ADR 0012): shielded children are few, so
        # these are checked on each write that touches one.
        for identity in identities:
            also += _guard(
                uow, replace(identity, shielded=True, strength=now_profile.strength), rule
            )
    return ScreenOutcome(
        shielded=child.shielded, cautions=tuple(cautions), also_shielded=tuple(also)
    )
