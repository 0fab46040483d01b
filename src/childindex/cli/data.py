"""Data commands: ``db upgrade``, ``synth``, ``feeds load``."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from childindex import bootstrap
from childindex.cli.collector import collected_at_boundaries
from childindex.cli.output import JsonOpt, emit, err, fail, out, progress, reported_errors
from childindex.config import get_settings
from childindex.domain.halt import FeedKind
from childindex.domain.source_record import RecordError, Source
from childindex.feeds.formats import FORMATS
from childindex.matching.engine import ModelMatchEngine
from childindex.services import feed_intake, first_load, ingest, shield_impact
from childindex.storage.migrate import upgrade
from childindex.synth import generate

db_app = typer.Typer(help="The database.", no_args_is_help=True)
feeds_app = typer.Typer(help="Feeds from the source systems.", no_args_is_help=True)

_SCAN_CHUNK = 1 << 20


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema at CHILDINDEX_DATABASE_URL."""
    upgrade(get_settings().database_url)
    out.print("database is up to date")


def synth(
    children: Annotated[int, typer.Option(min=1, help="How many children.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same country.")] = 1,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory to write the feeds into.")
    ] = Path("var/synth"),
    shielded_rate: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.005,
    as_json: JsonOpt = False,
) -> None:
    """Write a synthetic country's feeds plus truth.csv and shielded.csv."""
    with progress(children, "children") as update:
        summary = generate(
            children, seed, out_dir, shielded_rate=shielded_rate, progress=lambda n: update(n, "")
        )
    result = {"children": children, "seed": seed, "out": str(out_dir), **summary.counts()}
    emit(result, as_json=as_json, human=lambda: out.print(result))


def scan(path: Path) -> tuple[str, int]:
    """The file's SHA-256 (what a resumed load is recognised by) and its number of lines
    (the progress bar's measure: CSV rows may span lines), in one pass of constant memory."""
    digest = hashlib.sha256()
    lines = 0
    last = b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            digest.update(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return digest.hexdigest(), lines + (0 if last == b"\n" else 1)


def error_writer(errors_file: TextIO) -> Callable[[RecordError, str], None]:
    """Write each error or warning as a line of ``PATH.errors.jsonl``."""

    def note(error: RecordError, severity: str) -> None:
        row = {
            "file": error.file,
            "line": error.line,
            "field": error.field,
            "message": error.message,
            "severity": severity,
        }
        errors_file.write(json.dumps(row, ensure_ascii=False) + "\n")

    return note


def load_file(
    source: Source,
    path: Path,
    *,
    as_json: bool,
    container: bootstrap.Container,
    batch_size: int = ingest.BATCH_SIZE,
) -> None:
    """Load one feed file, writing rejected records to PATH.errors.jsonl."""
    reader = FORMATS[source].read_file
    try:
        content_sha256, total_lines = scan(path)
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    with reported_errors():
        queued = feed_intake.queue_if_halted(
            uow_factory=container.uow_factory,
            source=source,
            kind=FeedKind.FILE,
            filename=path.name,
            data=path.read_bytes,
            actor="cli",
            now=container.clock(),
        )
    if queued is not None:
        emit(
            {
                "source": source.value,
                "file": str(path),
                "queued": True,
                "item": queued.item_id,
                "position": queued.position,
                "reason": queued.reason,
            },
            as_json=as_json,
            human=lambda: out.print(
                f"{path.name}: {queued.message()}, position {queued.position:,} in the queue",
                markup=False,
                highlight=False,
            ),
        )
        return
    try:
        stream = path.open("rb")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    errors_path = path.with_name(path.name + ".errors.jsonl")
    started = time.monotonic()
    with (
        stream,
        errors_path.open("w", encoding="utf-8") as errors_file,
        progress(total_lines, source.value) as update,
    ):
        note = error_writer(errors_file)

        def on_progress(report: ingest.LoadReport) -> None:
            rate = report.read / max(time.monotonic() - started, 1e-6)
            update(report.last_line, f"{rate:,.0f} records/s, {report.rejected:,} rejected")

        with reported_errors():
            report = ingest.load_feed(
                uow_factory=container.uow_factory,
                source=source,
                filename=path.name,
                content_sha256=content_sha256,
                lines=reader(stream, file=path.name, now=container.clock()),
                actor="cli",
                now=container.clock(),
                on_error=lambda error: note(error, "error"),
                on_warning=lambda warning: note(warning, "warning"),
                on_progress=on_progress,
                engine=container.engine,
                batch_size=batch_size,
            )
    model_version: str | None = getattr(container.engine, "model_version", None)
    result = {
        "source": source.value,
        "file": str(path),
        "errors_file": str(errors_path),
        "model": model_version,
        **report.counts(),
    }

    def human() -> None:
        out.print(
            f"{path.name}: {report.accepted:,} accepted, {report.rejected:,} rejected, "
            f"{report.linked:,} linked, {report.review:,} review, {report.new:,} new, "
            f"{report.shielded:,} shielded ({report.unchanged:,} unchanged, "
            f"{report.stale:,} stale, {report.warnings:,} warnings)"
            + (f"; {report.joined:,} children joined to another" if report.joined else "")
        )
        if report.rejected or report.warnings:
            out.print(f"rejected records, warnings and why: {errors_path}")
        if model_version is None and report.accepted:
            err.print(
                f"no trained matching model ({container.settings.model_path}): records were "
                "linked by verified identifiers only; run `childindex matching train`, then "
                "`childindex matching rescore`",
                markup=False,
                highlight=False,
            )

    emit(result, as_json=as_json, human=human)


def dry_run_file(
    source: Source, path: Path, *, as_json: bool, container: bootstrap.Container
) -> None:
    """Report what loading the file would do to shielded children; write nothing."""
    reader = FORMATS[source].read_file
    try:
        stream = path.open("rb")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    with stream, reported_errors():
        impact = shield_impact.dry_run(
            uow_factory=container.uow_factory,
            source=source,
            filename=path.name,
            lines=reader(stream, file=path.name, now=container.clock()),
        )
    counts = impact.counts()
    result = {"source": source.value, "file": str(path), "dry_run": True, **counts}

    def human() -> None:
        out.print(
            f"{path.name} (dry run, nothing written): {counts['accepted']:,} accepted, "
            f"{counts['rejected']:,} rejected; shielded children gaining a near twin: "
            f"{counts['shielded_gaining_near_twin']:,}, a new record: "
            f"{counts['shielded_gaining_record']:,}, a changed visible field: "
            f"{counts['shielded_visible_field_changed']:,}; children newly shielded: "
            f"{counts['children_newly_shielded']:,}"
        )

    emit(result, as_json=as_json, human=human)


@feeds_app.command("load")
def feeds_load(
    source: Annotated[Source, typer.Argument(help="health, school, benefit or la")],
    path: Annotated[Path, typer.Argument(help="The feed file.")],
    as_json: JsonOpt = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Report the shield impact only; write nothing."),
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Records per committed batch (each one a checkpoint).")
    ] = ingest.BATCH_SIZE,
) -> None:
    """Load a feed file; rejected records go to PATH.errors.jsonl.

    Re-running the same command after a crash resumes the unfinished load of that content.
    """
    if path.is_dir():
        fail(f"{path} is a directory: name one feed file in it")
    if not path.is_file():
        fail(f"no such file: {path}")
    if dry_run:
        dry_run_file(source, path, as_json=as_json, container=bootstrap.build())
        return
    load_file(source, path, as_json=as_json, container=bootstrap.build(), batch_size=batch_size)


def _feed_option(source: Source) -> Any:
    return typer.Option(f"--{source.value}", help=f"The {source.value} feed file.")


@feeds_app.command("first-load")
def feeds_first_load(
    health: Annotated[Path | None, _feed_option(Source.HEALTH)] = None,
    school: Annotated[Path | None, _feed_option(Source.SCHOOL)] = None,
    benefit: Annotated[Path | None, _feed_option(Source.BENEFIT)] = None,
    la: Annotated[Path | None, _feed_option(Source.LA)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a country's feeds into an EMPTY index at once (a go-live), clustered together
    with the trained model; rejected records go to PATH.errors.jsonl for each file.

    One transaction: if it is stopped, nothing is stored; run it again. Later feeds go
    through `feeds load` or `feeds bulk-load` (docs/adr/0026).
    """
    _at_once((health, school, benefit, la), as_json=as_json, onto_held=False)


@feeds_app.command("bulk-load")
def feeds_bulk_load(
    health: Annotated[Path | None, _feed_option(Source.HEALTH)] = None,
    school: Annotated[Path | None, _feed_option(Source.SCHOOL)] = None,
    benefit: Annotated[Path | None, _feed_option(Source.BENEFIT)] = None,
    la: Annotated[Path | None, _feed_option(Source.LA)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load large feeds onto the index at once, clustered with the trained model around the
    records it holds; rejected records go to PATH.errors.jsonl for each file.

    Held children are given records but never joined to each other (a pair that would
    join two goes to review); records already held are updates, loaded one by one. One
    transaction: if it is stopped, nothing is stored; run it again (docs/adr/0027).
    """
    _at_once((health, school, benefit, la), as_json=as_json, onto_held=True)


def _at_once(
    paths: tuple[Path | None, ...],
    *,
    as_json: bool,
    onto_held: bool,
) -> None:
    """A first load or a bulk load of the named files, reported as ``feeds load`` reports."""
    named = [(s, p) for s, p in zip(Source, paths, strict=True) if p]
    if not named:
        fail("name at least one feed file: --health, --school, --benefit or --la")
    for _, path in named:
        if not path.is_file():
            fail(f"no such file: {path}")
    container = bootstrap.build()
    model_path = container.settings.model_path
    if not isinstance(container.engine, ModelMatchEngine):
        fail(
            f"this load clusters with the trained model, and there is none at {model_path}: "
            "run `childindex matching train --from DIR` on the feeds first"
        )
    from childindex.linkage.batch import cluster_features  # noqa: PLC0415 - loads Splink: only here

    model = json.loads(model_path.read_text(encoding="utf-8"))
    started = time.monotonic()
    with ExitStack() as stack:
        boundary = stack.enter_context(collected_at_boundaries())
        files: list[first_load.FeedFile] = []
        errors_paths: list[Path] = []
        notes: dict[str, Callable[[RecordError, str], None]] = {}
        for source, path in named:
            try:
                content_sha256, _ = scan(path)
                stream = stack.enter_context(path.open("rb"))
            except OSError as exc:
                fail(f"cannot read {path}: {exc.strerror}")
            errors_path = path.with_name(path.name + ".errors.jsonl")
            errors_paths.append(errors_path)
            notes[path.name] = error_writer(
                stack.enter_context(errors_path.open("w", encoding="utf-8"))
            )
            reader = FORMATS[source].read_file(stream, file=path.name, now=container.clock())
            files.append(first_load.FeedFile(source, path.name, content_sha256, reader))

        def phase(text: str) -> None:
            boundary()
            if not as_json:
                err.print(f"{time.monotonic() - started:7.1f} s  {text}", markup=False)

        with reported_errors():
            report = first_load.load_at_once(
                uow_factory=container.uow_factory,
                files=files,
                cluster=lambda features, placed: cluster_features(features, model, placed),
                engine=container.engine,
                actor="cli",
                now=container.clock(),
                on_error=lambda e: notes[e.file](e, "error"),
                on_warning=lambda w: notes[w.file](w, "warning"),
                on_phase=phase,
                onto_held=onto_held,
            )
    result = {
        "files": [
            {"source": f.source.value, "file": f.filename, **r.counts()} for f, r in report.files
        ],
        "errors_files": [str(p) for p in errors_paths],
        "model": container.engine.model_version,
        "seconds": round(time.monotonic() - started, 1),
        **report.counts(),
    }

    def human() -> None:
        for feed, counts in report.files:
            unchanged = f", {counts.unchanged:,} unchanged" if counts.unchanged else ""
            out.print(
                f"{feed.filename}: {counts.accepted:,} accepted, {counts.rejected:,} rejected, "
                f"{counts.linked:,} linked, {counts.review:,} review, {counts.new:,} new, "
                f"{counts.shielded:,} shielded{unchanged} ({counts.warnings:,} warnings)",
                markup=False,
                highlight=False,
            )
        grown = (
            f" ({report.grown_children:,} held children given records)"
            if report.grown_children
            else ""
        )
        out.print(
            f"{report.children:,} children{grown}, {report.shielded_children:,} shielded by a "
            f"source, {report.screened_children:,} shielded by the screen (they might be a "
            f"shielded child), {report.review_items:,} pairs for review; "
            f"{result['seconds']} s",
            markup=False,
            highlight=False,
        )

    emit(result, as_json=as_json, human=human)
