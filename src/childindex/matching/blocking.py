"""Blocking keys: which stored records an incoming record is compared with online.

The same rules as the batch model's prediction blocks (``linkage/settings.py``): a record
is a candidate when it shares a date of birth with the sound of the surname, the forename
or the postcode district; forename and surname; surname and postcode; forename and
postcode; or a verified identifier. A day/month-swapped date also finds it. (A date of
birth alone is never a key: nationally about 1,700 children share each one.)
"""

from __future__ import annotations

from dataclasses import replace

from childindex.matching.features import Features


def _key(kind: str, *parts: str | None) -> str | None:
    if any(part is None for part in parts):
        return None
    return f"{kind}:{'|'.join(p for p in parts if p is not None)}"


def index_keys(features: Features) -> frozenset[str]:
    """Keys stored for a linked record."""
    keys = (
        _key("ds", features.dob, features.surname_sdx),
        _key("df", features.dob, features.forename_canon),
        _key("dd", features.dob, features.pc_district),
        _key("fs", features.forename_canon, features.surname),
        _key("sp", features.surname, features.postcode),
        _key("fp", features.forename_canon, features.postcode),
        _key("nhs", features.nhs_number),
        _key("upn", features.upn),
    )
    return frozenset(k for k in keys if k is not None)


def query_keys(features: Features) -> frozenset[str]:
    """Keys an incoming record looks up: its own, and with day and month swapped."""
    swapped = replace(features, dob=features.dob_swap) if features.dob_swap else None
    extra = index_keys(swapped) if swapped is not None else frozenset()
    return index_keys(features) | {k for k in extra if k.startswith(("ds:", "df:", "dd:"))}
