"""Re-running matching over the records held, after a model or rule change.

Never undoes an officer's decision: records linked by an officer are left where they are,
and a remembered not-a-match is never proposed. A record alone on its child (it started a
new child, or was linked by score and is still alone) that now matches another child is
moved there, carrying any shield with it (invariant 2); nothing is split automatically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from childindex.domain.source_record import Source, SourceRecord
from childindex.matching.ports import MatchEngine, MatchKind
from childindex.services.linking import without_rejected
from childindex.services.merging import relink_record
from childindex.services.operations import ensure_not_halted
from childindex.services.ports import UnitOfWorkFactory

BATCH = 500


@dataclass(slots=True)
class RescoreReport:
    """What a rescore did."""

    examined: int = 0
    officer_kept: int = 0
    relinked: int = 0
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        """The counts as a plain mapping."""
        return asdict(self)


def rescore(
    *,
    uow_factory: UnitOfWorkFactory,
    engine: MatchEngine,
    actor: str,
    on_progress: Callable[[RescoreReport], None] = lambda _r: None,
) -> RescoreReport:
    """Re-decide every held record that no officer decided; see the module docstring.

    Refused while updates are halted; a halt set part way stops it between batches (each
    batch is whole: committed, or not at all).
    """
    report = RescoreReport()
    with uow_factory() as uow:
        ensure_not_halted(uow)
        payloads = {(s, rid): p for s, rid, p in uow.records.all_current()}
        links = list(uow.records.current_links())
    for start in range(0, len(links), BATCH):
        with uow_factory() as uow:
            ensure_not_halted(uow)
            for source, record_id, child_id, decided_by in links[start : start + BATCH]:
                report.examined += 1
                if decided_by == "officer":
                    report.officer_kept += 1
                    continue
                if len(uow.records.current_records(child_id)) != 1:
                    report.unchanged += 1
                    continue
                record = SourceRecord(
                    Source(source), record_id, payloads[(source, record_id)], None
                )
                decision = engine.decide(record, uow.children)
                kind = without_rejected(uow, record, decision)
                target = decision.child_id
                if kind is MatchKind.LINK and target is not None and target != child_id:
                    relink_record(
                        uow=uow,
                        source=record.source,
                        record_id=record_id,
                        into=target,
                        actor=actor,
                        decided_by=decision.decided_by,
                    )
                    report.relinked += 1
                else:
                    report.unchanged += 1
            uow.commit()
        on_progress(report)
    return report
