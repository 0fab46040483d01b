"""The nightly shield monitor: re-score visible children against every shielded child.

It changes nothing (the write paths shield; this finds anything they missed, for
example after a threshold or rule change) and reports pairs at or above caution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.ids import ChildId
from childindex.domain.shield import ShieldRule, blocking_keys
from childindex.services.ports import UnitOfWork
from childindex.services.shield_screen import DEFAULT_RULE, model_weight


@dataclass(frozen=True, slots=True)
class MonitorReport:
    """How many shielded children were checked, against how many visible candidates, and
    every (visible child, shielded child, score) at or above caution."""

    shielded: int
    compared: int
    hits: tuple[tuple[str, str, float], ...]


def monitor(
    *, uow: UnitOfWork, actor: str, now: datetime, rule: ShieldRule = DEFAULT_RULE
) -> MonitorReport:
    """Re-score visible children against shielded ones; audited (IDs and counts only)."""
    hits: list[tuple[str, str, float]] = []
    shielded = compared = 0
    with uow:
        found: dict[tuple[str, str], float] = {}
        weight = model_weight(uow)
        for child in list(uow.shields.shielded_profiles()):
            shielded += 1
            cleared = uow.shields.cleared_pairs(child.child_id)
            # The identity it shows and every other its records carry (ADR 0012).
            for profile in [child, *uow.shields.identities(child.child_id)]:
                for visible in uow.shields.candidates(blocking_keys(profile), shielded=False):
                    compared += 1
                    if visible.child_id in cleared:
                        continue
                    for c in rule.cautions(visible, [profile], weight=weight):
                        pair = (visible.child_id, child.child_id)
                        found[pair] = max(found.get(pair, 0.0), c.score)
        hits = sorted(
            ((v, s, score) for (v, s), score in found.items()), key=lambda h: (-h[2], h[0], h[1])
        )
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.SHIELD_MONITORED,
                actor=actor,
                at=now,
                child_ids=tuple(sorted({str(ChildId(c)) for v, s, _ in hits for c in (v, s)})),
                detail={"shielded": shielded, "compared": compared, "hits": len(hits)},
            )
        )
        uow.commit()
    return MonitorReport(shielded=shielded, compared=compared, hits=tuple(hits))
