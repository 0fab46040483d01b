"""The comparable form of a source record: what the model and blocking keys look at.

One function turns a record's payload (the contract's field names) into :class:`Features`,
so the batch model (``linkage/``) and the online engine compare identical values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from operator import attrgetter
from typing import Any

from childindex.matching.standardise import (
    canonical_forename,
    carer_keys,
    date_candidates,
    forename_forms,
    name_tokens,
    postcode_levels,
    soundex,
    standard_address,
    standard_name,
)


@dataclass(frozen=True, slots=True)
class Features:
    """Standardised fields of one record; ``None`` where the record says nothing."""

    forename: str | None  # first token of the given name
    forename_canon: str | None  # the formal name a nickname stands for
    forenames: str | None  # every given and other name token, space separated
    surname: str | None
    surname_sdx: str | None
    dob: str | None  # ISO date as written
    dob_swap: str | None  # day and month exchanged, when a real different date
    sex: str | None  # F or M; U is unknown
    postcode: str | None
    pc_sector: str | None
    pc_district: str | None
    address: str | None
    nhs_number: str | None
    upn: str | None
    # The forename and every formal name it may stand for, sorted, space separated
    # (``"harrison harry henry"``): the batch model's SQL reads nicknames from it.
    forename_forms: str | None = None
    # Every given name but the forename, sorted, space separated: middle names tell
    # namesakes and twins apart where a source records them.
    middle_names: str | None = None
    # The surname read as a forename (``forename_canon`` of it): a record whose names were
    # entered the wrong way round is looked up under it (``matching/blocking.py``).
    surname_canon: str | None = None
    # The carers' phones, e-mails and names (``standardise.carer_keys``): health records'
    # carers, a benefit claim's claimant. Only ever evidence *against* a match (ADR 0025).
    carers: str | None = None

    def as_row(self) -> dict[str, Any]:
        """The features as a plain dict (a table row for Splink). Not ``asdict``, which
        deep-copies each value: it took 21 µs a record here, more than standardising it."""
        return {name: getattr(self, name) for name in _FIELDS}

    def as_values(self) -> tuple[str | None, ...]:
        """The features in field order (``Features(*f.as_values()) == f``): what another
        process sends of them, which this one reads back faster than the object."""
        values: tuple[str | None, ...] = _VALUES(self)
        return values


_FIELDS = tuple(f.name for f in fields(Features))
_VALUES = attrgetter(*_FIELDS)


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def features_of(payload: Mapping[str, Any]) -> Features:
    """Standardise a payload in the contract's field names.

    >>> features_of({"given_name": "Ollie", "family_name": "O'Neil"}).forename_canon
    'oliver'
    """
    given = standard_name(_text(payload.get("given_name"))).split()
    tokens = name_tokens(_text(payload.get("given_name")), _text(payload.get("other_given_names")))
    surname = standard_name(_text(payload.get("family_name")))
    dates = date_candidates(_text(payload.get("birth_date")))
    postcode = postcode_levels(_text(payload.get("postcode")))
    address = standard_address(
        _text(payload.get("address_line1")), _text(payload.get("address_line2"))
    )
    sex = _text(payload.get("sex"))
    return Features(
        forename=given[0] if given else None,
        forename_canon=canonical_forename(given[0]) if given else None,
        forenames=" ".join(tokens) or None,
        surname=surname or None,
        surname_sdx=soundex(surname) or None,
        dob=dates[0].isoformat() if dates else None,
        dob_swap=dates[1].isoformat() if len(dates) > 1 else None,
        sex=sex if sex in {"F", "M"} else None,
        postcode=postcode.full or None,
        pc_sector=postcode.sector or None,
        pc_district=postcode.district or None,
        address=address or None,
        nhs_number=_text(payload.get("nhs_number")),
        upn=_text(payload.get("upn")),
        forename_forms=forename_forms(given[0]) if given else None,
        middle_names=" ".join(sorted(set(tokens) - set(given[:1]))) or None,
        surname_canon=canonical_forename(surname) or None,
        carers=carer_keys(_carers(payload)) or None,
    )


def _carers(payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A health record's carers, or a benefit claim's claimant, as carers."""
    listed = payload.get("carers")
    carers = [c for c in listed if isinstance(c, Mapping)] if isinstance(listed, list) else []
    claimant = {
        "given_name": payload.get("claimant_given_name"),
        "family_name": payload.get("claimant_family_name"),
        "phone": payload.get("claimant_phone"),
    }
    return [*carers, claimant] if any(claimant.values()) else carers


def crossed(features: Features, family: str) -> Features:
    """The record read with its names the wrong way round: ``family``, the first of its given
    names (one word or more: "al khatib"), as the surname; its surname as the forename; its
    other given names as middle names."""
    forename = features.surname
    taken = set(family.split()) | {forename}
    middle = [n for n in (features.forenames or "").split() if n not in taken]
    return replace(
        features,
        forename=forename,
        forename_canon=features.surname_canon,
        forenames=" ".join(n for n in (forename, *middle) if n) or None,
        surname=family,
        surname_sdx=soundex(family) or None,
        forename_forms=forename_forms(forename) if forename else None,
        middle_names=" ".join(sorted(middle)) or None,
        surname_canon=canonical_forename(family) or None,
    )
