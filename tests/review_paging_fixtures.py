"""A review queue long enough for two pages, for the paging tests (HTTP and browser)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app_fixtures import FIXED_NOW
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.shield_records import ShieldOrigin
from childindex.domain.source_record import Source, SourceRecord
from childindex.domain.survivorship import project

OURS = 55  # open items of authority 901: two pages at the default 50


def _child(container: Container, record_id: str, la_code: str, *, shielded: bool) -> ChildId:
    child_id = ChildId.new()
    payload = {"given_name": "Ada", "family_name": "Paging", "birth_date": "2015-01-02"}
    record = SourceRecord(Source.LA, record_id, payload, None)
    with container.uow_factory() as uow:
        load_id = uow.feeds.start_load(
            source=Source.LA, filename=record_id, content_sha256="0" * 64
        )
        raw_id = uow.feeds.store_raw(load_id=load_id, line_no=1, text=record_id)
        uow.records.put_version(record=record, raw_id=raw_id)
        child = project(child_id, [record], shielded=shielded)
        uow.children.save(replace(child, la_code=la_code))
        uow.records.link(
            source=Source.LA, record_id=record_id, child_id=child_id, decided_by="new", actor="t"
        )
        if shielded:
            uow.shields.add_shield(
                child_id=child_id.value,
                origin=ShieldOrigin.OFFICER,
                reason="test",
                set_by="test",
                review_date=None,
            )
        uow.commit()
    return child_id


def _queue(container: Container, record_id: str, pair: tuple[ChildId, ChildId], la: str) -> int:
    with container.uow_factory() as uow:
        number = uow.reviews.add(
            source=Source.LA,
            record_id=record_id,
            record_child_id=pair[0],
            candidate_child_id=pair[1],
            probability=0.5,
            weights={"forename": 1.0},
            la_code=la,
            now=FIXED_NOW,
        )
        uow.commit()
    return number


def seed_queue(container: Container) -> dict[str, Any]:
    """55 items of 901 visible to its officer, one of 901 whose candidate is a shielded child
    of 902 (hidden from that officer), queued between them, and 3 items of 902."""
    first = _child(container, "P1", "901", shielded=False)
    second = _child(container, "P2", "901", shielded=False)
    hidden = _child(container, "P3", "902", shielded=True)
    other = _child(container, "P4", "902", shielded=False)
    ours = [_queue(container, "P1", (first, second), "901") for _ in range(30)]
    secret = _queue(container, "P1", (first, hidden), "901")
    ours += [_queue(container, "P1", (first, second), "901") for _ in range(OURS - 30)]
    for _ in range(3):
        _queue(container, "P4", (other, hidden), "902")
    return {"ours": [str(n) for n in ours], "secret": str(secret), "hidden": str(hidden)}
