"""``childindex keys rotate``: re-seal every sealed value with the current data key."""

from __future__ import annotations

from typing import Annotated

import typer

from childindex import bootstrap
from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.cli.output import emit, fail, out
from childindex.config import get_settings
from childindex.storage.cipher import CipherError, FieldCipher
from childindex.storage.database import make_engine
from childindex.storage.rekey import rotate

keys_app = typer.Typer(help="Data encryption keys.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable result.")]


@keys_app.command("rotate")
def keys_rotate(as_json: JsonOpt = False) -> None:
    """Re-seal everything with CHILDINDEX_DATA_KEY (the old key must be in
    CHILDINDEX_RETIRED_DATA_KEYS) and recompute keyed digests; audited."""
    settings = get_settings()
    try:
        cipher = FieldCipher(settings.data_key_bytes(), retired=settings.retired_data_keys())
    except CipherError as exc:
        fail(str(exc))
    engine = make_engine(settings.database_url)
    try:
        counts = rotate(
            engine, cipher, on_progress=lambda step: out.print(step) if not as_json else None
        )
    except CipherError as exc:
        fail(f"{exc}: put the old key in CHILDINDEX_RETIRED_DATA_KEYS")
    finally:
        engine.dispose()
    container = bootstrap.build(settings)
    with container.uow_factory() as uow:
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.KEYS_ROTATED,
                actor="cli",
                at=container.clock(),
                detail={"key_id": cipher.current_id, **counts},
            )
        )
        uow.commit()
    emit(
        {"key_id": cipher.current_id, **counts},
        as_json=as_json,
        human=lambda: out.print(f"every sealed value now uses key {cipher.current_id}: {counts}"),
    )
