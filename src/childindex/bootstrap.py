"""The only wiring point: settings -> adapters -> what the services need."""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from childindex.auth.passwords import Argon2PasswordHasher
from childindex.config import Settings, get_settings
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.exact import ExactIdentifierEngine
from childindex.matching.ports import MatchEngine
from childindex.services.ports import PasswordHasher, UnitOfWorkFactory
from childindex.storage.cipher import FieldCipher
from childindex.storage.database import make_engine
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Container:
    """Everything the adapters hand to services."""

    settings: Settings
    uow_factory: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Callable[[], datetime] = field(default=utc_now)
    engine: MatchEngine = field(default_factory=ExactIdentifierEngine)


def match_engine(model_path: Path) -> MatchEngine:
    """The trained engine when a model file exists at ``model_path``, else exact identifiers."""
    if not model_path.is_file():
        return ExactIdentifierEngine()
    return ModelMatchEngine(json.loads(model_path.read_text(encoding="utf-8")))


# Engines wired by ``build``, so that a command can close them when it ends (``close_all``);
# weakly held, so that an engine nobody uses any more is still collected.
_BUILT: weakref.WeakSet[Engine] = weakref.WeakSet()


def build(settings: Settings | None = None) -> Container:
    """Wire the adapters for ``settings`` (default: from the environment)."""
    chosen = settings or get_settings()
    engine = make_engine(chosen.database_url)
    _BUILT.add(engine)
    cipher = FieldCipher(chosen.data_key_bytes(), retired=chosen.retired_data_keys())
    matcher = match_engine(chosen.model_path)
    # The shield screen asks the trained model too, on every write path (ADR 0019).
    weigher = matcher if isinstance(matcher, ModelMatchEngine) else None
    return Container(
        settings=chosen,
        uow_factory=SqlUnitOfWorkFactory(engine, cipher=cipher, weigher=weigher),
        hasher=Argon2PasswordHasher(),
        engine=matcher,
    )


def close_all() -> None:
    """Close the database connections of every container built so far (a command's end)."""
    for engine in list(_BUILT):
        engine.dispose()
        _BUILT.discard(engine)
