"""Mediated contact requests; messages and outcomes sealed at rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from childindex.domain.shield_records import ContactRequest
from childindex.storage.models import ContactRequestRow

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from childindex.storage.cipher import FieldCipher

C = ContactRequestRow


class SqlContactRequests:
    """``ContactRequestStore`` on ``contact_requests``."""

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _domain(self, row: ContactRequestRow) -> ContactRequest:
        return ContactRequest(
            request_id=row.id,
            child_id=row.child_id,
            la_code=row.la_code,
            requested_by=row.requested_by,
            message=self._cipher.open_text(row.message),
            status=row.status,
            created_at=row.created_at,
            closed_at=row.closed_at,
            outcome=self._cipher.open_text(row.outcome) if row.outcome else None,
        )

    def add(
        self, *, child_id: str, la_code: str | None, requested_by: str, message: str, at: datetime
    ) -> int:
        """Store a new open request; return its id."""
        values = {
            "child_id": child_id,
            "la_code": la_code,
            "requested_by": requested_by,
            "message": self._cipher.seal_text(message),
            "status": "open",
            "created_at": at,
        }
        key: int = self._session.execute(insert(C).returning(C.id), values).scalar_one()
        return key

    def get(self, request_id: int) -> ContactRequest | None:
        """One request, or None."""
        row = self._session.get(C, request_id)
        return self._domain(row) if row is not None else None

    def routed_to(self, la_codes: frozenset[str] | None) -> list[ContactRequest]:
        """Open requests for these teams (``None``: every team), oldest first."""
        statement = select(C).where(C.status == "open").order_by(C.id)
        if la_codes is not None:
            statement = statement.where(C.la_code.in_(sorted(la_codes)))
        return [self._domain(row) for row in self._session.scalars(statement)]

    def close(self, *, request_id: int, closed_by: str, outcome: str, at: datetime) -> None:
        """Mark the request closed with what was done."""
        self._session.execute(
            update(C)
            .where(C.id == request_id)
            .values(
                status="closed",
                closed_by=closed_by,
                closed_at=at,
                outcome=self._cipher.seal_text(outcome),
            )
        )
