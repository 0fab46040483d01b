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


def index_keys(features: Features) -> frozenset[str]:
    """Keys stored for a linked record."""
    # Spelt out rather than through ``_key``: a bulk load makes these for every record.
    dob, canon, surname, postcode = (
        features.dob,
        features.forename_canon,
        features.surname,
        features.postcode,
    )
    keys: list[str] = []
    if dob is not None:
        if features.surname_sdx is not None:
            keys.append(f"ds:{dob}|{features.surname_sdx}")
        if canon is not None:
            keys.append(f"df:{dob}|{canon}")
        if features.pc_district is not None:
            keys.append(f"dd:{dob}|{features.pc_district}")
    if canon is not None and surname is not None:
        keys.append(f"fs:{canon}|{surname}")
    if postcode is not None:
        if surname is not None:
            keys.append(f"sp:{surname}|{postcode}")
        if canon is not None:
            keys.append(f"fp:{canon}|{postcode}")
    if features.nhs_number is not None:
        keys.append(f"nhs:{features.nhs_number}")
    if features.upn is not None:
        keys.append(f"upn:{features.upn}")
    return frozenset(keys)


def query_keys(features: Features) -> frozenset[str]:
    """Keys an incoming record looks up: its own, and with day and month swapped."""
    swapped = replace(features, dob=features.dob_swap) if features.dob_swap else None
    extra = index_keys(swapped) if swapped is not None else frozenset()
    return index_keys(features) | {k for k in extra if k.startswith(("ds:", "df:", "dd:"))}
