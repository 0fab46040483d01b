"""Properties of the shield screen's model gate (ADR 0019, ``domain/shield.py``).

The gate can only take a caution away, only where the model puts the pair below
``SCREEN_GATE_BITS``, and never from a pair sharing an identifier or born the same day at the
same postcode. Without the model's word (no model, or a child it cannot weigh) resemblance
alone decides, as before.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from childindex.domain.shield import (
    PairWeight,
    ScreenProfile,
    ShieldRule,
    beyond_gate,
    resemblance,
)
from childindex.domain.similarity import swapped
from childindex.matching.thresholds import CAUTION, SCREEN_GATE_BITS

GATED = ShieldRule(caution=CAUTION, gate_bits=SCREEN_GATE_BITS)


def says(bits: float) -> PairWeight:
    """A model that gives every pair the same weight."""
    return lambda *_: bits


UNGATED = ShieldRule(caution=CAUTION)

NAMES = st.sampled_from(["Amara", "Amarah", "Amira", "Bram", "Okafor", "Okafur", "Ola"])
DAYS = st.sampled_from([date(2015, 3, 4), date(2015, 4, 3), date(2015, 3, 5), date(2014, 3, 4)])
# What the model may say of a pair: nothing, or any weight either side of the gate.
SAID = st.none() | st.floats(min_value=-60.0, max_value=30.0) | st.just(SCREEN_GATE_BITS)


@st.composite
def kin(draw: st.DrawFn, child_id: str, *, shielded: bool) -> ScreenProfile:
    """Children from small pools of names, dates, postcodes and identifiers, so that many
    pairs resemble (and some share an identifier or a birthday and a home)."""
    return ScreenProfile(
        child_id=child_id,
        given_name=draw(NAMES),
        family_name=draw(NAMES),
        birth_date=draw(st.none() | DAYS),
        nhs_number=draw(st.none() | st.sampled_from(["9990000018", "9990000026"])),
        postcode=draw(st.none() | st.sampled_from(["p1", "p2"])),
        shielded=shielded,
    )


@given(
    kin("V", shielded=False),
    st.lists(st.integers(0, 99), min_size=1, max_size=6, unique=True).flatmap(
        lambda ns: st.tuples(*(kin(f"S{n}", shielded=True) for n in ns))
    ),
    st.data(),
)
def test_the_gate_takes_away_exactly_the_cautions_the_model_rules_out(
    visible: ScreenProfile, shielded: tuple[ScreenProfile, ...], data: st.DataObject
) -> None:
    said = {s.child_id: data.draw(SAID, label=s.child_id) for s in shielded}
    asked: list[tuple[str, str]] = []

    def weight(a: str, b: str) -> float | None:
        asked.append((a, b))
        return said[b]

    before = {c.shielded_child_id: c for c in UNGATED.cautions(visible, shielded)}
    after = {c.shielded_child_id: c for c in GATED.cautions(visible, shielded, weight=weight)}
    by_id = {s.child_id: s for s in shielded}
    for child_id, caution in before.items():
        other = by_id[child_id]
        w = said[child_id]
        lifted = w is not None and w < SCREEN_GATE_BITS and not beyond_gate(visible, other)
        if lifted:
            assert child_id not in after, (visible, other, w)
        else:
            assert after.get(child_id) == caution, (visible, other, w)
    assert set(after) <= set(before)  # it never adds one
    # The model is asked only about pairs already at or above caution, from the visible side.
    assert {b for _, b in asked} <= set(before)
    assert all(a == visible.child_id for a, _ in asked)
    # Without the model's word nothing changes.
    assert GATED.cautions(visible, shielded) == UNGATED.cautions(visible, shielded)


@given(kin("V", shielded=False), kin("S", shielded=True), st.booleans())
def test_a_shared_identifier_or_the_same_birthday_at_home_is_never_lifted(
    visible: ScreenProfile, shielded: ScreenProfile, by_identifier: bool
) -> None:
    if by_identifier:
        visible = replace(visible, nhs_number=shielded.nhs_number or "9990000018")
        shielded = replace(shielded, nhs_number=visible.nhs_number)
    else:
        born = shielded.birth_date or date(2015, 3, 4)
        day = swapped(born) or born
        shielded = replace(shielded, birth_date=born, postcode="p1")
        visible = replace(visible, birth_date=day, postcode="p1")
    assert beyond_gate(visible, shielded)
    hopeless = GATED.cautions(visible, [shielded], weight=says(-1000.0))
    assert hopeless == UNGATED.cautions(visible, [shielded])
    if by_identifier:
        assert resemblance(visible, shielded) == 1.0
        assert len(hopeless) == 1


def test_a_girl_born_the_same_day_with_a_name_like_a_shielded_boys_is_lifted_by_the_model() -> None:
    """The case ADR 0019 is for: in a country of millions, children born the same day with
    a similar forename are many; resemblance cautions them, the model (which knows how
    common the names are) rules them out."""
    shielded = ScreenProfile("S", "Oliver", "Quennell", date(2016, 7, 21), shielded=True)
    other = ScreenProfile("V", "Olivia", "Smith", date(2016, 7, 21), postcode="p9")
    assert UNGATED.cautions(other, [shielded])
    assert not GATED.cautions(other, [shielded], weight=says(SCREEN_GATE_BITS - 0.5))
    assert GATED.cautions(other, [shielded], weight=says(SCREEN_GATE_BITS))
