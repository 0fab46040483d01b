"""Matching never runs against blocking keys made by other rules (fail closed).

Online matching finds a record's candidates by the keys stored for the held records
(``matching/blocking.py``). Keys made by older rules are never asked for again: every later
record of a child they alone would find becomes a new child, the duplicate this index
exists to prevent. So the store records the version of the rules its keys were made by
(``SystemStateStore.keys_version``), ``childindex matching reindex`` and ``keys rotate``
record it as they recompute every key, and whatever matches against the store (a feed
batch, a rescore) first calls :func:`ensure_keys_current`: while the versions differ it
refuses with :class:`StaleKeys`, naming the command that fixes it. A store holding no keys
yet simply takes this version's.

::

    with factory() as uow:
        ensure_keys_current(uow)  # raises StaleKeys after an upgrade that changed the rules
"""

from __future__ import annotations

from childindex.domain.errors import StaleKeys
from childindex.matching.blocking import keys_version
from childindex.services.ports import UnitOfWork


def stale_message(stored: str | None, current: str) -> str:
    """The one line a refusal gives."""
    made_by = f"rules {stored}" if stored else "rules older than the recorded versions"
    return (
        f"the stored blocking keys were made by {made_by}, and this version matches with "
        f"{current}: matching would miss children already held, so it is refused until "
        "an operator runs `childindex matching reindex`"
    )


def ensure_keys_current(uow: UnitOfWork) -> None:
    """Refuse (``StaleKeys``) to match against keys of another version; on a store holding
    no keys, record this version's. Call in the unit of work that matches, after the screen
    lock (so two first loads do not both record it)."""
    current = keys_version()
    stored = uow.system.keys_version()
    if stored == current:
        return
    if not uow.system.any_keyed():
        uow.system.set_keys_version(current)
        return
    raise StaleKeys(stale_message(stored, current))
