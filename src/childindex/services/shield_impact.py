"""The dry-run shield-impact report: what a feed would do to shielded children, before
anything is written. The whole feed runs through the real write path (raw storage,
versions, linking, the shield screen) in one unit of work that is then rolled back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from childindex.domain.child import Child
from childindex.domain.shield import ShieldRule
from childindex.domain.source_record import ParsedLine, Source, VersionOutcome
from childindex.matching.exact import ExactIdentifierEngine
from childindex.matching.ports import MatchEngine, MatchKind
from childindex.services.ingest import LoadReport
from childindex.services.key_rules import ensure_keys_current
from childindex.services.linking import link_record
from childindex.services.ports import UnitOfWorkFactory
from childindex.services.shield_screen import DEFAULT_RULE


@dataclass(slots=True)
class ShieldImpact:
    """How many shielded children the feed would touch, and how (distinct children)."""

    load: LoadReport = field(default_factory=LoadReport)
    near_twin: set[str] = field(default_factory=set)
    new_record: set[str] = field(default_factory=set)
    visible_field_changed: set[str] = field(default_factory=set)
    newly_shielded: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        """The counts for the CLI (child IDs never leave: counts only)."""
        return {
            **self.load.counts(),
            "shielded_gaining_near_twin": len(self.near_twin),
            "shielded_gaining_record": len(self.new_record),
            "shielded_visible_field_changed": len(self.visible_field_changed),
            "children_newly_shielded": len(self.newly_shielded),
        }


def _public(child: Child) -> tuple[str, str, str, object]:
    return (child.given_name, child.family_name, child.sex.value, child.birth_date)


def dry_run(
    *,
    uow_factory: UnitOfWorkFactory,
    source: Source,
    filename: str,
    lines: Iterable[ParsedLine],
    engine: MatchEngine | None = None,
    rule: ShieldRule = DEFAULT_RULE,
) -> ShieldImpact:
    """Run the feed through the write path and report its shield impact; write nothing."""
    impact = ShieldImpact()
    report = impact.load
    chosen = engine or ExactIdentifierEngine()
    with uow_factory() as uow:
        ensure_keys_current(uow)
        load_id = uow.feeds.start_load(source=source, filename=filename, content_sha256="0" * 64)
        for parsed in lines:
            raw_id = uow.feeds.store_raw(load_id=load_id, line_no=parsed.line, text=parsed.text)
            report.read += 1
            record = parsed.record
            if record is None:
                report.rejected += 1
                continue
            report.accepted += 1
            before_id = uow.records.linked_child(source=record.source, record_id=record.record_id)
            before = uow.children.get(before_id) if before_id is not None else None
            outcome = uow.records.put_version(record=record, raw_id=raw_id)
            if outcome in (VersionOutcome.UNCHANGED, VersionOutcome.STALE):
                continue
            linked = link_record(uow=uow, record=record, engine=chosen, actor="dry-run", rule=rule)
            after = uow.children.get(linked.child_id)
            report.linked += linked.kind is MatchKind.LINK
            report.new += linked.kind is MatchKind.NEW
            report.shielded += linked.shielded
            report.cautioned += bool(linked.cautions)
            if before is None or not before.shielded:
                # A shielded child's own record meeting another shielded child is no twin
                # gained: only a record that was visible might have exposed one.
                impact.near_twin.update(linked.cautioned)
            if after is None or not after.shielded:
                continue
            if before is None and linked.kind is MatchKind.LINK:
                impact.new_record.add(linked.child_id.value)
            if before is not None and before.shielded and _public(before) != _public(after):
                impact.visible_field_changed.add(linked.child_id.value)
            if before is None or not before.shielded:
                impact.newly_shielded.add(linked.child_id.value)
        uow.rollback()
    return impact
