"""Reference data: which local authority each postcode district belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from childindex.storage.models.base import Base, Code


class PostcodeAreaRow(Base):
    """One postcode district (``LS14``) and its local authority. Public reference data,
    never a child's postcode: a child keeps only the ``la_code`` its district gives it."""

    __tablename__ = "postcode_areas"

    postcode_district: Mapped[str] = mapped_column(String(4), primary_key=True)
    la_code: Mapped[Code]
    loaded_at: Mapped[datetime]
