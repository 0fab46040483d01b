"""Shield commands: ``shield reminders`` and ``shield monitor`` (for a nightly job)."""

from __future__ import annotations

import typer

from childindex import bootstrap
from childindex.cli.output import JsonOpt, emit, fail, out, reported_errors
from childindex.domain.ids import ChildId
from childindex.services import shield_monitor, shielding

shield_app = typer.Typer(help="Shields on children.", no_args_is_help=True)


@shield_app.command("reminders")
def shield_reminders(as_json: JsonOpt = False) -> None:
    """List shields due for review (review date passed, or never set): IDs and dates only."""
    container = bootstrap.build()
    with reported_errors():
        due = shielding.reminders(uow=container.uow_factory(), actor="cli", now=container.clock())
    rows = [
        {
            "child_id": str(ChildId(s.child_id)),
            "origin": s.origin.value,
            "set_at": s.set_at.isoformat(),
            "review_date": s.review_date.isoformat() if s.review_date else None,
        }
        for s in due
    ]

    def human() -> None:
        out.print(f"{len(rows):,} shields due for review")
        for s in due:
            review = s.review_date.isoformat() if s.review_date else "not set"
            out.print(
                f"{ChildId(s.child_id)}  {s.origin.value:<8} set {s.set_at.date()}  review {review}"
            )

    emit({"due": rows, "count": len(rows)}, as_json=as_json, human=human)


@shield_app.command("monitor")
def shield_monitor_command(as_json: JsonOpt = False) -> None:
    """Re-score visible children against shielded ones; exit non-zero if any is at or above
    the caution threshold (for a nightly job). Nothing is changed."""
    container = bootstrap.build()
    with reported_errors():
        report = shield_monitor.monitor(
            uow=container.uow_factory(), actor="cli", now=container.clock()
        )
    rows = [
        {"child_id": str(ChildId(v)), "shielded_child_id": str(ChildId(s)), "score": score}
        for v, s, score in report.hits
    ]

    def human() -> None:
        out.print(
            f"{report.shielded:,} shielded children checked against {report.compared:,} "
            f"visible candidates: {len(rows):,} at or above caution"
        )
        for row in rows:
            out.print(f"{row['child_id']} might be {row['shielded_child_id']} ({row['score']:.2f})")

    emit(
        {"shielded": report.shielded, "compared": report.compared, "hits": rows},
        as_json=as_json,
        human=human,
    )
    if rows:
        fail(f"{len(rows)} visible children might be shielded children: review them now")
