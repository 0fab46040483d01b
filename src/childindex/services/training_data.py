"""The records held, as training data for the matching model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from childindex.services.ports import UnitOfWorkFactory


def held_records(*, uow_factory: UnitOfWorkFactory) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(source, record_id, fields)`` for the current version of every held source record,
    streamed (a national index holds tens of millions)."""
    with uow_factory() as uow:
        for source, record_id, payload in uow.records.all_current():
            yield source.value, record_id, payload
