"""Search criteria, and the rule for which of them may match a shielded child.

Invariant 3: a criterion on a field hidden from the viewer never matches a shielded child.
The one exception, for mediated contact: the *exact* full name and *exact* date of birth,
and nothing else, may find the shielded summary.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from childindex.domain.errors import InvalidCriteria
from childindex.domain.identifiers import normalise_nhs_number, normalise_postcode, normalise_upn
from childindex.domain.names import name_key

MAX_RESULTS = 50


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    """Validated, normalised search criteria; names are ``name_key`` forms."""

    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None
    postcode: str | None = None
    nhs_number: str | None = None
    upn: str | None = None
    school_urn: str | None = None

    @classmethod
    def build(
        cls,
        *,
        given_name: str | None = None,
        family_name: str | None = None,
        birth_date: date | None = None,
        postcode: str | None = None,
        nhs_number: str | None = None,
        upn: str | None = None,
        school_urn: str | None = None,
    ) -> SearchCriteria:
        """Validate and normalise raw criteria; raise ``InvalidInput`` naming the field."""

        def clean(value: str | None) -> str | None:
            if value is None or not value.strip():
                return None
            return value.strip()

        given, family = clean(given_name), clean(family_name)
        pc, nhs, upn_, urn = clean(postcode), clean(nhs_number), clean(upn), clean(school_urn)
        criteria = cls(
            given_name=name_key(given) if given else None,
            family_name=name_key(family) if family else None,
            birth_date=birth_date,
            postcode=normalise_postcode(pc) if pc else None,
            nhs_number=normalise_nhs_number(nhs) if nhs else None,
            upn=normalise_upn(upn_) if upn_ else None,
            school_urn=urn,
        )
        if not (
            criteria.given_name
            or criteria.family_name
            or criteria.nhs_number
            or criteria.upn
            or criteria.school_urn
        ):
            raise InvalidCriteria(
                "give at least a name or an identifier (NHS number, UPN or school URN)",
                field="family_name",
            )
        return criteria

    def used(self) -> list[str]:
        """Names of the criteria given (for the audit trail; never the values)."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


@dataclass(frozen=True, slots=True)
class ShieldedMatch:
    """The exact name and date of birth that may find a shielded child's summary."""

    given_name: str
    family_name: str
    birth_date: date


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """What storage must run: ``criteria`` against every child the viewer may see in full
    (unshielded, or shielded in ``cleared_las``); shielded children elsewhere match only
    ``shielded_match`` (``None``: never)."""

    criteria: SearchCriteria
    cleared_las: frozenset[str]
    shielded_match: ShieldedMatch | None


def plan_search(criteria: SearchCriteria, *, cleared_las: frozenset[str]) -> SearchPlan:
    """Apply invariant 3 to ``criteria`` for a viewer cleared for ``cleared_las``."""
    exact: ShieldedMatch | None = None
    given, family, born = criteria.given_name, criteria.family_name, criteria.birth_date
    if (
        set(criteria.used()) == {"given_name", "family_name", "birth_date"}
        and given
        and family
        and born
    ):
        exact = ShieldedMatch(given, family, born)
    return SearchPlan(criteria=criteria, cleared_las=cleared_las, shielded_match=exact)
