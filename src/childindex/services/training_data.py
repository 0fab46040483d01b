"""The records held, as training data for the matching model."""

from __future__ import annotations

from typing import Any

from childindex.services.ports import UnitOfWorkFactory


def held_records(*, uow_factory: UnitOfWorkFactory) -> list[tuple[str, str, dict[str, Any]]]:
    """``(source, record_id, fields)`` for the current version of every held source record."""
    with uow_factory() as uow:
        return [
            (source.value, record_id, payload)
            for source, record_id, payload in uow.records.all_current()
        ]
