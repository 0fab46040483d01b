"""Blocking keys: which stored records an incoming record is compared with online.

The same rules as the batch model's prediction blocks (``linkage/settings.py``): a record
is a candidate when it shares a date of birth with the sound of the surname, the forename
or the postcode district; forename and surname with the month of birth; surname and
postcode; forename and postcode; or a verified identifier. A day/month-swapped date also
finds it, and so do forename and surname entered the wrong way round (with the month). (A
date of birth alone is never a key: nationally about 1,700 children share each one.)

Forename and surname alone were a key once, for a wrong date of birth away from home. But
namesakes grow with the country: at 1,000,000 children that key brought 44 of a record's
53 candidates, and at 11 million a common name's key holds more records than are ever
compared (``CANDIDATE_LIMIT``), so it found nothing. A wrong date of birth mostly keeps its
month (a year off, a day mistyped), and the month divides the namesakes by twelve. A record
with no date of birth stands for every month.

The keys are stored, so a change to them (or to a standard form they read, such as the
nickname table) leaves the held records under keys the new rules never ask for: matching
would miss held children and make duplicates of them. :func:`keys_version` names the rules;
the store records the version its keys were made by, and matching refuses to run against
keys of another version until ``childindex matching reindex`` has recomputed them
(``services/key_rules.py``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from functools import cache

from childindex.domain.nicknames import NICKNAMES
from childindex.matching.features import Features

MONTHS = tuple(f"{month:02d}" for month in range(1, 13))
# The keys of a verified identifier: a record sharing one is compared before any other.
IDENTIFIER_KEYS = ("nhs:", "upn:")

# Change this whenever a change to the keys below, or to how a standard form they read is
# made, changes any record's keys (the nickname table is digested on its own).
KEY_RULES = "2026-12-03.fsm-month"  # (what is *looked up* may change without it)


@cache
def keys_version() -> str:
    """The version of the keys this code makes: ``KEY_RULES`` and a digest of the nickname
    table, which decides every record's ``forename_canon``."""
    table = json.dumps(sorted(NICKNAMES.items()), separators=(",", ":")).encode()
    return f"{KEY_RULES}+nicknames.{hashlib.sha256(table).hexdigest()[:12]}"


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
        if dob is not None:
            keys.append(f"fsm:{canon}|{surname}|{dob[5:7]}")
        else:
            keys.extend(f"fsm:{canon}|{surname}|{month}" for month in MONTHS)
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
    """Keys an incoming record looks up: its own; with day and month swapped; and its
    forename, surname and month key read with the names the other way round (ADR 0021)."""
    swapped = replace(features, dob=features.dob_swap) if features.dob_swap else None
    extra = index_keys(swapped) if swapped is not None else frozenset()
    keys = index_keys(features) | {k for k in extra if k.startswith(("ds:", "df:", "dd:"))}
    if features.surname_canon is None or features.forename is None:
        return keys
    crossed = replace(features, forename_canon=features.surname_canon, surname=features.forename)
    return keys | {k for k in index_keys(crossed) if k.startswith("fsm:")}
