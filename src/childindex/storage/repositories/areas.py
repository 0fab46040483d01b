"""``AreaStore`` on ``postcode_areas``: postcode district -> local authority."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from childindex.storage.models import PostcodeAreaRow
from childindex.storage.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from childindex.storage.clock import Clock

A = PostcodeAreaRow


class SqlAreaStore:
    """The postcode-district mapping (reference data, loaded by ``admin areas load``)."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def put(self, areas: Mapping[str, str]) -> None:
        """Record (or replace) each district's local authority."""
        connection = self._session.connection()
        now = self._clock()
        for district, la_code in areas.items():
            row = {"postcode_district": district, "la_code": la_code, "loaded_at": now}
            upsert(connection, A, row, key=("postcode_district",))

    def authority_for(self, district: str) -> str | None:
        """The local authority of a postcode district, or None if it is not mapped."""
        value = self._session.connection().scalar(
            select(A.la_code).where(A.postcode_district == district)
        )
        return str(value) if value is not None else None

    def count(self) -> int:
        """How many districts are mapped."""
        return int(self._session.connection().scalar(select(func.count()).select_from(A)) or 0)
