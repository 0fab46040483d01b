"""Local-authority children's services: who is involved with a child, and shield reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from childindex.synth.corrupt import ascii_fold
from childindex.synth.names import pick_community, surname_for
from childindex.synth.numbers import landline, mobile
from childindex.synth.people import age_on
from childindex.synth.places import REFERENCE_DATE

if TYPE_CHECKING:
    from random import Random

    from childindex.synth.people import Child
    from childindex.synth.places import Geography
    from childindex.synth.records import Renderer

# service type, weight, youngest age, oldest age, sensitive, provider
_SERVICES: Final = (
    ("Children's Social Care", 30, 0, 17, False, "council"),
    ("Early Help", 25, 0, 17, False, "council"),
    ("Family Support", 10, 0, 17, False, "council"),
    ("Youth Justice", 6, 10, 17, False, "youth justice"),
    ("Child and Adolescent Mental Health Services", 10, 4, 17, True, "nhs"),
    ("Sexual Health", 3, 13, 17, True, "nhs"),
    ("Substance Misuse", 3, 12, 17, True, "council"),
    ("Special Educational Needs", 10, 2, 17, False, "council"),
    ("Educational Psychology", 5, 4, 17, False, "council"),
    ("Health Visiting", 8, 0, 4, False, "nhs"),
    ("School Nursing", 5, 5, 17, False, "nhs"),
    ("Young Carers", 3, 8, 17, False, "council"),
    ("Virtual School", 4, 4, 17, False, "council"),
    ("Youth Service", 4, 11, 17, False, "council"),
)
_TOTAL_WEIGHT: Final = sum(service[1] for service in _SERVICES)
SHIELD_REASONS: Final = (
    "Risk of significant harm if whereabouts are disclosed",
    "Family in a domestic abuse refuge",
    "Witness protection arrangements",
    "Adoption placement in progress",
    "Court order restricting disclosure",
    "Forced marriage protection order",
    "Child protection: risk from a named adult",
)
_LAST: Final = REFERENCE_DATE.toordinal()


@dataclass(frozen=True, slots=True)
class Practitioner:
    """A named worker with a work phone and e-mail address."""

    name: str
    phone: str
    email: str


class Involvements:
    """Draws practitioners and involvements for children known to a local authority."""

    def __init__(self, rng: Random, geography: Geography, renderer: Renderer) -> None:
        self._rng = rng
        self._geo = geography
        self._renderer = renderer

    def practitioner(self) -> Practitioner:
        """A new practitioner."""
        rng = self._rng
        community = pick_community(rng)
        sex = "F" if rng.random() < 0.75 else "M"
        given = (community.women if sex == "F" else community.men).pick(rng)
        family = surname_for(community.surnames.pick(rng), sex)
        phone = (
            landline(rng.randrange(16_000)) if rng.random() < 0.7 else mobile(rng.randrange(1000))
        )
        email = f"{ascii_fold(given)}.{ascii_fold(family)}@example.org"
        return Practitioner(f"{given} {family}", phone, email)

    def shield_reason(self) -> str:
        """Why an authority shields a child."""
        return SHIELD_REASONS[self._rng.randrange(len(SHIELD_REASONS))]

    def for_child(
        self, child: Child, district: int, worker: Practitioner | None, closed_by: int | None
    ) -> list[dict[str, object]]:
        """One to three involvements; ``worker`` is the family's social worker, if any.

        With ``closed_by`` (a day ordinal) every involvement ended by that day.
        """
        rng = self._rng
        age = age_on(child.birth)
        r = rng.random()
        wanted = 1 if r < 0.55 else 2 if r < 0.85 else 3
        chosen: list[tuple[str, int, int, int, bool, str]] = []
        if worker is not None:
            chosen.append(_SERVICES[0])
        for _ in range(12):
            if len(chosen) >= wanted:
                break
            service = self._draw_service()
            if service[2] <= age <= service[3] and service not in chosen:
                chosen.append(service)
        if not chosen:
            chosen.append(_SERVICES[1])
        lead = rng.random() < 0.7
        last = (closed_by or _LAST) - 1
        first = max(child.birth.toordinal(), last - 1825)
        out: list[dict[str, object]] = []
        for index, (kind, _, _, _, sensitive, provider) in enumerate(chosen):
            person = worker if worker is not None and index == 0 else self.practitioner()
            start = self._renderer.day_between(first, last)
            end = None
            if closed_by is not None or rng.random() < 0.25:
                end = self._renderer.day_between(start.toordinal(), last).isoformat()
            out.append(
                {
                    "service_type": kind,
                    "organisation": self._organisation(provider, district),
                    "practitioner_name": person.name,
                    "phone": person.phone,
                    "email": person.email,
                    "lead_professional": lead and index == 0,
                    "assessment_in_place": rng.random() < 0.45,
                    "sensitive": sensitive,
                    "start_date": start.isoformat(),
                    "end_date": end,
                }
            )
        return out

    def _draw_service(self) -> tuple[str, int, int, int, bool, str]:
        target = self._rng.random() * _TOTAL_WEIGHT
        for service in _SERVICES:
            target -= service[1]
            if target < 0:
                return service
        return _SERVICES[-1]

    def _organisation(self, provider: str, district: int) -> str:
        if provider == "nhs":
            return f"{self._geo.town_name(district // 3)} Community Health NHS Trust"
        council = self._geo.la_name(district)
        if provider == "youth justice":
            return f"{council} Youth Justice Service"
        return council
