"""``childindex admin areas load FILE.csv``: the postcode-district -> local-authority map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from childindex import bootstrap
from childindex.cli.output import JsonOpt, emit, err, fail, out, progress
from childindex.feeds.areas import AreasFileUnreadable, read_areas
from childindex.services import areas

areas_app = typer.Typer(
    help="Postcode districts and their local authorities (routing).", no_args_is_help=True
)


@areas_app.command("load")
def load(
    path: Annotated[Path, typer.Argument(help="CSV with columns postcode_district,la_code.")],
    reroute: Annotated[
        bool,
        typer.Option(
            "--reroute/--no-reroute",
            help="Then route the children already held that have no authority.",
        ),
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Load the mapping; all or nothing: any wrong line is reported and nothing is stored.
    Then give each child held with no authority its postcode district's (--no-reroute: at
    their next update instead)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    try:
        parsed = read_areas(data, filename=path.name)
    except AreasFileUnreadable as exc:
        fail(str(exc))
    if parsed.errors:
        for e in parsed.errors:
            err.print(f"{e.file}:{e.line}: {e.field}: {e.message}", markup=False, highlight=False)
        fail(f"{len(parsed.errors)} wrong lines in {path.name}: nothing was loaded")
    container = bootstrap.build()
    mapped = areas.load_areas(
        uow=container.uow_factory(), areas=parsed.areas, actor="cli", now=container.clock()
    )
    routed = 0
    if reroute:
        with progress(None, "children") as update:
            routed = areas.reroute_children(
                uow_factory=container.uow_factory,
                actor="cli",
                now=container.clock(),
                progress=lambda n: update(n, ""),
            )
    result = {"districts": len(parsed.areas), "mapped": mapped, "children_routed": routed}
    emit(
        result,
        as_json=as_json,
        human=lambda: out.print(
            f"{len(parsed.areas):,} districts loaded; {mapped:,} mapped; {routed:,} children routed"
        ),
    )
