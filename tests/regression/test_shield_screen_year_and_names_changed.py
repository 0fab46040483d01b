"""The shield screen's blind spot (ADR 0004, closed in ADR 0008), a regression test forever.

A shielded child's update arrives as a new record with a new address, a nickname for the
given name, a typo in the family name that changes its sound, and the birth *year* keyed
wrongly. Neither name shares its sound or initial with the shielded child's, the year
differs, no identifier or postcode is shared: the screen's old blocking keys never put
the two side by side, although the pair resembles well above caution. The day and month
of birth (with sex) is now a key, so the screen compares them and shields the new child.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from childindex.domain.shield import ScreenProfile, resemblance
from childindex.domain.similarity import sound_key
from childindex.matching.thresholds import CAUTION
from shield_fixtures import la_record, load_la, practitioner_sweep

SHIELDED = {"given_name": "Katherine", "family_name": "Quennell", "birth_date": "2016-07-21"}
# Nickname (Kath), family-name typo that changes its sound (Quenbell), year keyed 2015.
ESCAPED = {"given_name": "Kath", "family_name": "Quenbell", "birth_date": "2015-07-21"}
NEW_ADDRESS = ("3 Lantern Mews", "Sheltonbury", "ZZ3 3LM")


def _profile(fields: dict[str, str], *, shielded: bool) -> ScreenProfile:
    return ScreenProfile(
        child_id="S" if shielded else "V",
        given_name=fields["given_name"],
        family_name=fields["family_name"],
        birth_date=date.fromisoformat(fields["birth_date"]),
        shielded=shielded,
    )


def test_the_escaping_record_shares_no_old_key_yet_resembles_above_caution() -> None:
    """The scenario really is the old blind spot, and really is a near twin."""
    a, b = _profile(SHIELDED, shielded=True), _profile(ESCAPED, shielded=False)
    assert sound_key(a.given_name) != sound_key(b.given_name)
    assert sound_key(a.family_name) != sound_key(b.family_name)
    assert a.birth_date is not None
    assert b.birth_date is not None
    # Name sounds and initials are keys only within the birth year: a new year loses them.
    assert a.birth_date.year != b.birth_date.year
    assert resemblance(b, a) >= CAUTION


def _searches() -> list[dict[str, str]]:
    return [
        {"family_name": "Quenbell"},
        {"given_name": "Kath", "family_name": "Quenbell"},
        {"given_name": "Kath", "family_name": "Quenbell", "birth_date": "2015-07-21"},
        {"family_name": "Quenbell", "postcode": NEW_ADDRESS[2]},
        {"family_name": "Quennell", "postcode": NEW_ADDRESS[2]},
    ]


def _clean(text: str) -> None:
    for value in (*NEW_ADDRESS, "Lantern", "ZZ3"):
        assert value not in text, f"the new address leaked: {value!r}"


def test_update_with_wrong_year_nickname_and_misspelt_surname_is_shielded(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    shielded = health_record(
        record_id="H-300", nhs_number="9990000026", postcode="ZZ9 9ZZ", sensitive=True, **SHIELDED
    )
    assert load_health([shielded]).shielded == 1
    update = {
        **ESCAPED,
        "address_line1": NEW_ADDRESS[0],
        "town": NEW_ADDRESS[1],
        "postcode": NEW_ADDRESS[2],
    }
    report = load_la(container, [la_record(record_id="L-300", la_code="902", **update)])
    assert report.new == 1, "the engine must see a new child: the screen alone protects it"
    assert report.shielded == 1, "the screen missed a near twin of a shielded child"
    assert report.cautioned == 1
    for role, la in ((Role.PRACTITIONER, None), (Role.LA_OFFICER, "903")):
        user = make_user(role, la_code=la)
        _clean(practitioner_sweep(client, user.headers, _searches()))
    for record in caplog.records:
        if not record.name.startswith("httpx"):
            _clean(record.getMessage())


def test_the_shielded_child_arriving_after_its_visible_near_twin_shields_the_twin(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    """The other direction: the visible record was there first, then the child is shielded."""
    visible = la_record(
        record_id="L-301",
        la_code="902",
        address_line1=NEW_ADDRESS[0],
        town=NEW_ADDRESS[1],
        postcode=NEW_ADDRESS[2],
        **ESCAPED,
    )
    assert load_la(container, [visible]).shielded == 0
    user = make_user(Role.PRACTITIONER)
    before = practitioner_sweep(client, user.headers, _searches())
    assert NEW_ADDRESS[2] in before, "the sweep must be able to see a visible child's postcode"
    shielded = health_record(
        record_id="H-301", nhs_number="9990000026", postcode="ZZ9 9ZZ", sensitive=True, **SHIELDED
    )
    assert load_health([shielded]).shielded == 1
    _clean(practitioner_sweep(client, user.headers, _searches()))
