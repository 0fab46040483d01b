"""Blocking keys: which stored records an incoming record is compared with online.

The same rules as the batch model's prediction blocks (``linkage/settings.py``): a record
is a candidate when it shares a date of birth, forename and surname, surname and postcode,
forename and postcode, or a verified identifier; a day/month-swapped date also finds it.
"""

from __future__ import annotations

from childindex.matching.features import Features


def _key(kind: str, *parts: str | None) -> str | None:
    if any(part is None for part in parts):
        return None
    return f"{kind}:{'|'.join(p for p in parts if p is not None)}"


def index_keys(features: Features) -> frozenset[str]:
    """Keys stored for a linked record."""
    keys = (
        _key("dob", features.dob),
        _key("fs", features.forename_canon, features.surname),
        _key("sp", features.surname, features.postcode),
        _key("fp", features.forename_canon, features.postcode),
        _key("nhs", features.nhs_number),
        _key("upn", features.upn),
    )
    return frozenset(k for k in keys if k is not None)


def query_keys(features: Features) -> frozenset[str]:
    """Keys an incoming record looks up: its own, and its date with day and month swapped."""
    swapped = _key("dob", features.dob_swap)
    return index_keys(features) | ({swapped} if swapped else set())
