"""Which sources know each child, and what each of them writes about it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from childindex.synth import corrupt
from childindex.synth.involvements import Involvements, Practitioner
from childindex.synth.numbers import OpaqueIds, Upns, restyle_phone
from childindex.synth.places import REFERENCE_DATE
from childindex.synth.profiles import BENEFIT, HEALTH, HEALTH_DUPLICATE, LA, SCHOOL, Profile
from childindex.synth.records import Renderer, iso, school_age_ok
from childindex.synth.writer import Raw, raw_json

if TYPE_CHECKING:
    from childindex.synth.people import Carer, Child, Household, People
    from childindex.synth.places import Organisation
    from childindex.synth.writer import FeedWriter

    Enrolment = tuple[Organisation, date, str]

_LAST: Final = REFERENCE_DATE.toordinal()
HEALTH_COVERAGE: Final = 0.99
DUPLICATE_REGISTRATION: Final = 0.005
DUPLICATE_REGISTRATION_SHIELDED: Final = 0.08


class Sources:
    """Writes every source record about a household's children, straight away."""

    def __init__(
        self, people: People, writer: FeedWriter, *, seed: int, ids: tuple[int, int]
    ) -> None:
        rng = people.rng
        geography = people.geography
        self._rng = rng
        self._geo = geography
        self._people = people
        self._writer = writer
        self._render = Renderer(rng)
        self._services = Involvements(rng, geography, self._render)
        self._upns = Upns()
        self._health_ids = OpaqueIds("H", 9, f"H:{seed}", ids)
        self._school_ids = OpaqueIds("S", 10, f"S:{seed}", ids)
        self._benefit_ids = OpaqueIds("CB", 9, f"CB:{seed}", ids)
        self._la_ids = OpaqueIds("LA", 8, f"LA:{seed}", ids)
        self.duplicates = 0
        self._carers_json = Raw("[]")

    def emit(self, home: Household) -> None:
        """All records about this household's children, and its shielded children."""
        rng = self._rng
        claims = rng.random() < 0.87
        schooled = rng.random() < 0.965
        known = rng.random() < 0.03
        worker = self._services.practitioner() if known else None
        self._carers_json = raw_json([self._carer(carer) for carer in home.carers])
        for child in home.children:
            if child.shield_health or rng.random() < HEALTH_COVERAGE:
                self._health(child, home)
            if schooled and rng.random() < 0.985:
                self._school(child, home)
            baby = child.birth.toordinal() > _LAST - 90
            if claims and rng.random() < (0.5 if baby else 0.98):
                self._benefit(child, home)
            if child.shield_la or (known and rng.random() < 0.85) or rng.random() < 0.008:
                self._la(child, home, worker)
            if child.shielded:
                self._writer.shielded(child.key)

    def _health(self, child: Child, home: Household) -> None:
        rng = self._rng
        self._health_record(child, home, HEALTH, child.nhs_number, sensitive=child.shield_health)
        rate = DUPLICATE_REGISTRATION_SHIELDED if child.shielded else DUPLICATE_REGISTRATION
        if rng.random() < rate:
            # A second registration, often under a new NHS number and rarely flagged.
            nhs = child.nhs_number if rng.random() < 0.35 else self._people.issue_nhs_number()
            sensitive = child.shield_health and rng.random() < 0.3
            self._health_record(child, home, HEALTH_DUPLICATE, nhs, sensitive=sensitive)
            self.duplicates += 1

    def _health_record(
        self, child: Child, home: Household, profile: Profile, nhs: str, *, sensitive: bool
    ) -> None:
        values, address, _ = self._render.common(child, home, profile)
        values[0] = self._health_ids.issue()
        practice = self._geo.practice(address.district, home.slot)
        record: dict[str, object] = {
            "nhs_number": nhs,
            "gp_practice_code": practice.code,
            "gp_practice_name": practice.name,
            "carers": self._carers_json,
            "sensitive": sensitive,
        }
        if child.deceased is not None and profile is HEALTH:
            record["deceased_date"] = iso(child.deceased)
        self._writer.health(values, record, child.key)

    def _carer(self, carer: Carer) -> dict[str, object]:
        out: dict[str, object] = {
            "given_name": carer.given,
            "family_name": carer.family,
            "relationship": carer.relationship,
            "parental_responsibility": carer.responsibility,
        }
        if carer.phone and self._rng.random() < 0.95:
            out["phone"] = carer.phone
        if carer.email:
            out["email"] = carer.email
        return out

    def _school(self, child: Child, home: Household) -> None:
        rng = self._rng
        birth = child.birth
        reception = birth.year + (5 if birth.month >= 9 else 4)
        year_group = REFERENCE_DATE.year - reception
        if not 0 <= year_group <= 13:
            return
        district = home.address.district
        child.upn = self._upns.issue(self._geo.la_code(district), reception)
        start = date(reception + (7 if year_group >= 7 else 0), 9, 1)
        school = self._geo.school(district, secondary=year_group >= 7, slot=home.slot)
        moved_on = home.moved_on
        then = (moved_on.year if moved_on.month >= 9 else moved_on.year - 1) - reception
        if home.old_address is not None and then >= 0 and moved_on > start:
            # Moved mid-phase: joined a new school, and the old one may still list the child.
            start = moved_on + timedelta(days=rng.randrange(3, 30))
            if rng.random() < 0.6:
                old = self._geo.school(
                    home.old_address.district, secondary=then >= 7, slot=rng.randrange(2)
                )
                joined = date(reception + (7 if then >= 7 else 0), 9, 1)
                left = max(joined, moved_on - timedelta(days=rng.randrange(1, 20)))
                self._school_row(child, home, (old, joined, iso(left)), stale=True)
        elif rng.random() < 0.004 and start.toordinal() < _LAST - 120:
            # Changed school without moving home.
            old = self._geo.school(district, secondary=year_group >= 7, slot=1 - home.slot)
            left = self._render.day_between(start.toordinal() + 30, _LAST - 60)
            self._school_row(child, home, (old, start, iso(left)), stale=False)
            start = left + timedelta(days=rng.randrange(2, 40))
        self._school_row(child, home, (school, start, ""), stale=None)

    def _school_row(
        self, child: Child, home: Household, enrolment: Enrolment, *, stale: bool | None
    ) -> None:
        values, _, _ = self._render.common(child, home, SCHOOL, stale=stale)
        values[0] = self._school_ids.issue()
        written, birth = values[5], iso(child.birth)
        if written != birth and not school_age_ok(written):
            values[5] = birth
        school, start, leave = enrolment
        values += [child.upn, school.code, school.name, school.phone, iso(start), leave]
        self._writer.school(values, child.key)

    def _benefit(self, child: Child, home: Household) -> None:
        rng = self._rng
        values, _, _ = self._render.common(child, home, BENEFIT)
        values[0] = self._benefit_ids.issue()
        claimant = home.carers[0]
        given, family = claimant.given, claimant.family
        if rng.random() < BENEFIT.strip_accents:
            given, family = corrupt.strip_accents(given), corrupt.strip_accents(family)
        if values[3].isupper():
            family = family.upper()
        phone = restyle_phone(claimant.phone, 1 if rng.random() < 0.6 else 0)
        values += [given, family, phone]
        self._writer.benefit(values, child.key)

    def _la(self, child: Child, home: Household, worker: Practitioner | None) -> None:
        self._la_record(child, home, worker, stale=None, closed_by=None)
        old = home.old_address
        if (
            old is not None
            and child.birth < home.moved_on
            and self._geo.la_code(old.district) != self._geo.la_code(home.address.district)
            and self._rng.random() < 0.4
        ):
            # The former authority's record: closed, and never shielded.
            self._la_record(child, home, None, stale=True, closed_by=home.moved_on.toordinal())

    def _la_record(
        self,
        child: Child,
        home: Household,
        worker: Practitioner | None,
        *,
        stale: bool | None,
        closed_by: int | None,
    ) -> None:
        rng = self._rng
        values, address, _ = self._render.common(child, home, LA, stale=stale)
        values[0] = self._la_ids.issue()
        record: dict[str, object] = {"la_code": self._geo.la_code(address.district)}
        if rng.random() < 0.75:
            record["nhs_number"] = child.nhs_number
        if child.upn and rng.random() < 0.6:
            record["upn"] = child.upn
        record["involvements"] = self._services.for_child(
            child, address.district, worker, closed_by
        )
        if child.shield_la and closed_by is None:
            record["shield"] = {"reason": self._services.shield_reason()}
        self._writer.la(values, record, child.key)
