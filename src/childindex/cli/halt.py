"""The halt switch: ``halt on --reason``, ``halt off [--reason]``, ``halt status``."""

from __future__ import annotations

from typing import Annotated

import typer

from childindex import bootstrap
from childindex.cli.output import JsonOpt, emit, out, reported_errors
from childindex.domain.halt import QueuedFeed
from childindex.feeds.formats import read_queued
from childindex.services import feed_intake, ingest, operations

halt_app = typer.Typer(
    help="Pause all updates (feeds are queued, edits refused) and resume them.",
    no_args_is_help=True,
)

ACTOR = "cli"


def _describe(status: operations.HaltStatus) -> str:
    if status.halt is None:
        return f"updates are running; {status.waiting:,} feeds queued"
    halt = status.halt
    return (
        f"updates halted since {halt.since.isoformat(timespec='seconds')} by {halt.set_by}: "
        f"{halt.reason}; {status.waiting:,} feeds queued"
    )


@halt_app.command("on")
def halt_on(
    reason: Annotated[str, typer.Option("--reason", help="Why updates are halted (audited).")],
    as_json: JsonOpt = False,
) -> None:
    """Halt all updates: feeds are queued (not lost), edits are refused, reads go on."""
    container = bootstrap.build()
    with reported_errors():
        status = operations.halt_on(
            uow=container.uow_factory(), actor=ACTOR, reason=reason, now=container.clock()
        )
    emit(
        status.as_dict(),
        as_json=as_json,
        human=lambda: out.print(
            f"updates halted: {status.halt.reason if status.halt else ''} "
            "(feeds will be queued, edits refused)",
            markup=False,
            highlight=False,
        ),
    )


@halt_app.command("off")
def halt_off(
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why updates resume (audited).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load every queued feed in arrival order, then lift the halt. If it stops part way,
    run it again: it carries on where it stopped."""
    container = bootstrap.build()

    def on_item(item: QueuedFeed, report: ingest.LoadReport) -> None:
        if not as_json:
            out.print(
                f"loaded queued feed {item.item_id} ({item.source.value}, {item.filename}): "
                f"{report.accepted:,} accepted, {report.rejected:,} rejected, "
                f"{report.linked:,} linked, {report.review:,} review, {report.new:,} new, "
                f"{report.shielded:,} shielded",
                markup=False,
                highlight=False,
            )

    with reported_errors():
        drained = feed_intake.halt_off(
            uow_factory=container.uow_factory,
            actor=ACTOR,
            reason=reason,
            now=container.clock(),
            read=read_queued,
            engine=container.engine,
            on_item=on_item,
        )
    emit(
        {"halted": False, "loaded": drained.items()},
        as_json=as_json,
        human=lambda: out.print(f"halt lifted: {len(drained.loaded):,} queued feeds loaded"),
    )


@halt_app.command("status")
def halt_status(as_json: JsonOpt = False) -> None:
    """Say whether updates are halted (since when, by whom, why) and how many feeds wait."""
    container = bootstrap.build()
    with reported_errors():
        status = operations.halt_status(
            uow=container.uow_factory(), actor=ACTOR, now=container.clock()
        )
    emit(
        status.as_dict(),
        as_json=as_json,
        human=lambda: out.print(_describe(status), markup=False, highlight=False),
    )
