"""Routing children with no la record: the postcode-district map, loaded by the CLI, written
by ``synth``, applied as children are projected (only the la_code is stored)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from app_fixtures import FIXED_NOW, TEST_KEY, make_health_record
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source, SourceRecord
from childindex.feeds.areas import AreasFileUnreadable, read_areas
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.ports import MatchKind
from childindex.matching.standardise import postcode_levels
from childindex.services import areas
from childindex.services.linking import link_record
from childindex.services.ports import UnitOfWorkFactory
from childindex.storage.database import make_engine
from childindex.storage.models import ChildRow, PostcodeAreaRow, SearchKeyRow
from childindex.synth import generate
from matching_model import hand_model

ENGINE = ModelMatchEngine(hand_model())


def test_a_mapping_file_is_read_with_each_wrong_line_named() -> None:
    data = (
        b"postcode_district,la_code\n"
        b"ls14,901\n"
        b"ZZ1 ,902\n"
        b"not a district,903\n"
        b"ZZ2,\n"
        b"LS14,904\n"
        b"LS14,901\n"
        b"\n"
    )
    parsed = read_areas(data, filename="areas.csv")
    assert parsed.areas == {"LS14": "901", "ZZ1": "902"}
    assert [(e.file, e.line, e.field) for e in parsed.errors] == [
        ("areas.csv", 4, "postcode_district"),
        ("areas.csv", 5, "la_code"),
        ("areas.csv", 6, "la_code"),
    ]
    assert "already mapped to 901 on line 2" in parsed.errors[2].message


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"district,la\nLS14,901\n", "header lacks postcode_district, la_code"),
        (b"postcode_district,la_code\n\xff\xfe\n", "not UTF-8"),
    ],
)
def test_a_file_that_is_no_mapping_at_all_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(AreasFileUnreadable, match=reason):
        read_areas(data, filename="areas.csv")


def test_a_child_with_no_la_record_gets_its_districts_authority_and_its_items_go_there(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
    engine: Engine,
) -> None:
    areas.load_areas(uow=container.uow_factory(), areas={"ZZ1": "905"}, actor="test", now=FIXED_NOW)
    first = health_record(record_id="H1", postcode="ZZ1 1AA")
    load_health([first])
    # A doubtful pair (same NHS number, another birth date), through the trained-model engine.
    doubtful = SourceRecord(Source.HEALTH, "H2", dict(first, birth_date="2009-11-30"), None)
    with container.uow_factory() as uow:
        load_id = uow.feeds.start_load(source=Source.HEALTH, filename="t", content_sha256="0" * 64)
        raw_id = uow.feeds.store_raw(load_id=load_id, line_no=1, text="H2")
        uow.records.put_version(record=doubtful, raw_id=raw_id)
        outcome = link_record(uow=uow, record=doubtful, engine=ENGINE, actor="test")
        uow.commit()
    assert outcome.kind is MatchKind.REVIEW
    unmapped = health_record(
        record_id="H3", given_name="Tobias", nhs_number="9990000034", postcode="ZZ3 3AB"
    )
    load_health([unmapped])
    with container.uow_factory() as uow:
        child = uow.records.linked_child(source=Source.HEALTH, record_id="H1")
        other = uow.records.linked_child(source=Source.HEALTH, record_id="H3")
        assert child is not None
        assert other is not None
        routed = uow.children.get(child)
        lost = uow.children.get(other)
    assert routed is not None
    assert routed.la_code == "905"
    assert lost is not None
    assert lost.la_code is None  # an unmapped district: no authority, the national queue
    items = client.get(
        "/api/v1/review", headers=make_user(Role.LA_OFFICER, la_code="905").headers
    ).json()["items"]
    assert [i["authority"] for i in items] == ["905"]
    assert client.get("/api/v1/review", headers=make_user(Role.ADMIN).headers).json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "per_page": 50,
        "pages": 1,
    }
    # Only the la_code is stored with the child; the district is reference data only.
    with engine.connect() as connection:
        assert (
            connection.scalar(select(ChildRow.la_code).where(ChildRow.child_id == child.value))
            == "905"
        )
        assert set(connection.scalars(select(PostcodeAreaRow.postcode_district))) == {"ZZ1"}


def test_synth_writes_a_mapping_covering_every_postcode_it_uses(tmp_path: Path) -> None:
    generate(300, 5, tmp_path)
    parsed = read_areas((tmp_path / "areas.csv").read_bytes(), filename="areas.csv")
    assert parsed.errors == []
    lines = (tmp_path / "health.jsonl").read_text(encoding="utf-8").splitlines()
    districts = {postcode_levels(json.loads(line).get("postcode")).district for line in lines} - {
        ""
    }
    assert districts
    assert districts <= set(parsed.areas)
    la_codes = {
        json.loads(line)["la_code"]
        for line in (tmp_path / "la.jsonl").read_text(encoding="utf-8").splitlines()
    }
    assert la_codes <= set(parsed.areas.values())


def _cli(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHILDINDEX_")}
    env["CHILDINDEX_DATABASE_URL"] = database_url
    env["CHILDINDEX_DATA_KEY"] = TEST_KEY  # the key the test's own units of work use
    return subprocess.run(
        [sys.executable, "-m", "childindex", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def test_the_cli_loads_a_good_file_and_refuses_a_bad_one_whole(
    database_url: str, uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("postcode_district,la_code\nLS14,901\nLS1 4X,902\n", encoding="utf-8")
    refused = _cli(database_url, tmp_path, "admin", "areas", "load", str(bad))
    assert refused.returncode != 0
    assert "bad.csv:3: postcode_district:" in refused.stderr
    assert "nothing was loaded" in refused.stderr
    with uow_factory() as uow:
        assert uow.areas.count() == 0
    # A child already held, with no la record, before the map exists.
    health = tmp_path / "health.jsonl"
    record = make_health_record(record_id="H1", postcode="LS15 2AB")
    health.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert _cli(database_url, tmp_path, "feeds", "load", "health", str(health)).returncode == 0
    good = tmp_path / "good.csv"
    good.write_text("postcode_district,la_code\nLS14,901\nLS15,902\n", encoding="utf-8")
    loaded = _cli(database_url, tmp_path, "admin", "areas", "load", str(good), "--json")
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout) == {"districts": 2, "mapped": 2, "children_routed": 1}
    with uow_factory() as uow:
        assert uow.areas.authority_for("LS15") == "902"
        child = uow.records.linked_child(source=Source.HEALTH, record_id="H1")
        assert child is not None
        held = uow.children.get(child)
        assert held is not None
        assert held.la_code == "902"
        routed = [e.event for e in uow.audit.entries() if e.event.tag is AuditTag.CHILDREN_ROUTED]
        assert [e.child_ids for e in routed] == [(str(child),)]
    keyed = make_engine(database_url)  # search narrows by authority on the search keys
    with keyed.connect() as connection:
        la_code = select(SearchKeyRow.la_code).where(SearchKeyRow.child_id == child.value)
        assert connection.scalar(la_code) == "902"
    keyed.dispose()
    missing = _cli(database_url, tmp_path, "admin", "areas", "load", str(tmp_path / "nope.csv"))
    assert missing.returncode != 0
    assert "cannot read" in missing.stderr
