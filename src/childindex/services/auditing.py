"""Reading the audit log back: integrity checks."""

from __future__ import annotations

from collections.abc import Iterator

from childindex.audit.chain import ChainedEntry, first_broken
from childindex.services.ports import UnitOfWork


def verify_chain(*, uow: UnitOfWork) -> tuple[int, int | None]:
    """How many entries were checked, and the sequence number of the first broken one."""
    counted = 0

    def counting(entries: Iterator[ChainedEntry]) -> Iterator[ChainedEntry]:
        nonlocal counted
        for entry in entries:
            counted += 1
            yield entry

    with uow:
        broken = first_broken(counting(uow.audit.entries()))
    return counted, broken
