"""Matching commands: ``matching train``, ``rescore``, ``reindex``, ``export links``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from childindex import bootstrap
from childindex.audit.tags import AuditTag
from childindex.cli.output import JsonOpt, emit, fail, out, reported_errors
from childindex.cli.store import audit, data_cipher, own_engine
from childindex.config import get_settings
from childindex.linkage.feed_files import read_country
from childindex.matching.blocking import keys_version
from childindex.services import export, rescore
from childindex.services.training_data import held_records
from childindex.storage.rekey import reindex

matching_app = typer.Typer(help="The matching model.", no_args_is_help=True)


@matching_app.command("train")
def train_model(
    from_dir: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Train on the feed files in this directory instead of the records held.",
        ),
    ] = None,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the model (default: CHILDINDEX_MODEL_PATH)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for u sampling: same seed, same model.")] = 1,
    memory_gb: Annotated[
        float | None,
        typer.Option(
            "--memory-gb",
            min=0.5,
            help="Memory DuckDB may keep while training (default: half the machine's); "
            "the rest spills to a temporary directory (TMPDIR).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """(Re)train the linkage model and write it as a versioned JSON model file."""
    # Imported here: Splink takes most of a second to import, and only training needs it.
    from childindex.linkage.training import (  # noqa: PLC0415
        TrainingTable,
        stream_feature_rows,
        train_table,
        write_model,
    )

    target = out_path or get_settings().model_path
    started = time.perf_counter()
    records: Any
    if from_dir is not None:
        if not from_dir.is_dir():
            fail(f"{from_dir}: not a directory")
        records = read_country(from_dir)
    else:
        records = held_records(uow_factory=bootstrap.build().uow_factory)
    with TrainingTable(stream_feature_rows(records), memory_gb=memory_gb) as table:
        if table.count < 100:
            fail(f"only {table.count} records to train on: at least 100 are needed")
        model = train_table(table, seed=seed)
    write_model(model, target)
    result = {
        "model_version": model["model_version"],
        "records": model["records"],
        "out": str(target),
        "seconds": round(time.perf_counter() - started, 1),
    }
    emit(result, as_json=as_json, human=lambda: out.print(result))


export_app = typer.Typer(help="Exports for reconciliation and measurement.", no_args_is_help=True)


@export_app.command("links")
def export_links(
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    as_json: JsonOpt = False,
) -> None:
    """Write source,record_id,child_id,decided_by for every current link (audited)."""
    container = bootstrap.build()
    try:
        with out_file.open("w", encoding="utf-8", newline="") as handle:
            count = export.export_links(
                uow=container.uow_factory(), out=handle, actor="cli", now=container.clock()
            )
    except OSError as error:
        fail(f"{out_file}: {error.strerror}")
    result = {"links": count, "out": str(out_file)}
    emit(result, as_json=as_json, human=lambda: out.print(result))


@matching_app.command("rescore")
def rescore_records(
    as_json: JsonOpt = False,
) -> None:
    """Re-run matching over held records; queue doubtful pairs for officers' review.

    Officers' decisions are never undone."""
    container = bootstrap.build()
    with reported_errors():
        report = rescore.rescore(
            uow_factory=container.uow_factory,
            engine=container.engine,
            actor="rescore",
            now=container.clock(),
        )
    result = {"model": container.settings.model_path.name, **report.counts()}
    emit(result, as_json=as_json, human=lambda: out.print(result))


@matching_app.command("reindex")
def reindex_records(
    as_json: JsonOpt = False,
) -> None:
    """Recompute every held record's blocking keys with today's rules; audited.

    Run once after an upgrade that changes the blocking rules or the nickname table: keys
    made under the old ones are never found again, so until it runs feed loads and rescore
    are refused."""
    settings = get_settings()
    cipher = data_cipher(settings)
    with own_engine(settings) as engine:
        records = reindex(engine, cipher)
    result: dict[str, str | int] = {"records": records, "keys_version": keys_version()}
    audit(settings, AuditTag.REINDEXED, result)
    emit(
        result,
        as_json=as_json,
        human=lambda: out.print(
            f"blocking keys recomputed for {records:,} records (rules {result['keys_version']})"
        ),
    )
