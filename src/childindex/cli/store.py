"""What the commands that rework the whole store (``keys rotate``, ``matching reindex``)
share: the data cipher and an engine of their own, and the audit entry they leave."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from childindex import bootstrap
from childindex.audit.chain import AuditEvent, Detail
from childindex.audit.tags import AuditTag
from childindex.cli.output import fail
from childindex.config import Settings
from childindex.storage.cipher import CipherError, FieldCipher
from childindex.storage.database import make_engine


def data_cipher(settings: Settings) -> FieldCipher:
    """The cipher of the configured data keys; a one-line failure if they are unusable."""
    try:
        return FieldCipher(settings.data_key_bytes(), retired=settings.retired_data_keys())
    except CipherError as exc:
        fail(str(exc))


@contextmanager
def own_engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the configured database, disposed when the work ends."""
    engine = make_engine(settings.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def audit(settings: Settings, tag: AuditTag, detail: Detail) -> None:
    """Record that the command ran, by ``cli``, with ``detail``."""
    container = bootstrap.build(settings)
    with container.uow_factory() as uow:
        uow.audit.record(AuditEvent(tag=tag, actor="cli", at=container.clock(), detail=detail))
        uow.commit()
