"""``childindex keys rotate``: re-seal every sealed value with the current data key."""

from __future__ import annotations

import typer

from childindex.audit.tags import AuditTag
from childindex.cli.output import JsonOpt, emit, fail, out
from childindex.cli.store import audit, data_cipher, own_engine
from childindex.config import get_settings
from childindex.storage.cipher import CipherError
from childindex.storage.rekey import rotate

keys_app = typer.Typer(help="Data encryption keys.", no_args_is_help=True)


@keys_app.command("rotate")
def keys_rotate(as_json: JsonOpt = False) -> None:
    """Re-seal everything with CHILDINDEX_DATA_KEY (the old key must be in
    CHILDINDEX_RETIRED_DATA_KEYS) and recompute keyed digests; audited."""
    settings = get_settings()
    cipher = data_cipher(settings)
    with own_engine(settings) as engine:
        try:
            counts = rotate(
                engine, cipher, on_progress=lambda step: out.print(step) if not as_json else None
            )
        except CipherError as exc:
            fail(f"{exc}: put the old key in CHILDINDEX_RETIRED_DATA_KEYS")
    audit(settings, AuditTag.KEYS_ROTATED, {"key_id": cipher.current_id, **counts})
    emit(
        {"key_id": cipher.current_id, **counts},
        as_json=as_json,
        human=lambda: out.print(f"every sealed value now uses key {cipher.current_id}: {counts}"),
    )
