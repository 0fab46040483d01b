"""Key rotation: afterwards the database holds only values sealed with the new key, and
everything still reads and searches with the new key alone."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from test_encryption_at_rest import _database_bytes

from app_fixtures import FIXED_NOW, TEST_CIPHER, TEST_KEY
from childindex.domain.source_record import Source
from childindex.feeds.health import read_health
from childindex.matching.blocking import index_keys
from childindex.matching.features import features_of
from childindex.policy.criteria import SearchCriteria, plan_search
from childindex.services import ingest
from childindex.storage.cipher import FieldCipher, new_key
from childindex.storage.rekey import rotate
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

TOKEN = re.compile(rb"v1\.([0-9a-f]{8})\.")


def test_rotation_reseals_everything_and_everything_still_reads(
    engine: Engine,
    database_url: str,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    record = health_record(postcode="ZZ4 4DD")
    load_health([record])
    old_id = TEST_CIPHER.current_id.encode()
    assert old_id in set(TOKEN.findall(_database_bytes(database_url)))
    fresh = new_key()
    rotated = FieldCipher(fresh, retired=[_key_of(TEST_CIPHER)])
    counts = rotate(engine, rotated)
    assert counts["children.details"] == 1
    assert set(TOKEN.findall(_database_bytes(database_url))) == {rotated.current_id.encode()}
    only_new = SqlUnitOfWorkFactory(engine, cipher=FieldCipher(fresh))
    with only_new() as uow:
        child_id = uow.records.linked_child(source=Source.HEALTH, record_id="H1")
        assert child_id is not None
        child = uow.children.get(child_id)
        assert child is not None
        assert child.address is not None
        assert child.address.postcode == "ZZ4 4DD"
        plan = plan_search(
            SearchCriteria.build(family_name="Okafor", postcode="ZZ4 4DD"), cleared_las=frozenset()
        )
        found, total = uow.children.search(plan, limit=10)
        assert total == 1
        assert found[0].child_id == child_id
    # Loading the same record again changes nothing: the content hashes were recomputed.
    report = _reload(engine, fresh, record)
    assert report.unchanged == 1


def _key_of(cipher: FieldCipher) -> str:
    assert FieldCipher(TEST_KEY).current_id == cipher.current_id
    return TEST_KEY


def _reload(engine: Engine, key: str, record: dict[str, Any]) -> Any:
    data = (json.dumps(record) + "\n").encode()
    return ingest.load_feed(
        uow_factory=SqlUnitOfWorkFactory(engine, cipher=FieldCipher(key)),
        source=Source.HEALTH,
        filename="again.jsonl",
        data=data,
        lines=read_health(data, file="again.jsonl", now=FIXED_NOW),
        actor="test",
        now=FIXED_NOW,
    )


def test_after_rotation_a_record_is_still_found_under_its_blocking_keys(
    engine: Engine,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    # Regression: rotation recomputed postcode digests and content hashes but not the
    # blocking keys' digests, so after it the engine found no candidate under any key and
    # every later record of a held child would have become a new child.
    load_health([health_record(postcode="ZZ4 4DD")])
    fresh = new_key()
    rotate(engine, FieldCipher(fresh, retired=[_key_of(TEST_CIPHER)]))
    only_new = SqlUnitOfWorkFactory(engine, cipher=FieldCipher(fresh))
    with only_new() as uow:
        child_id = uow.records.linked_child(source=Source.HEALTH, record_id="H1")
        assert child_id is not None
        (held,) = uow.records.current_records(child_id)
        keys = index_keys(features_of(held.payload))
        assert keys
        for key in keys:
            found = uow.children.by_blocking_keys([key], limit=10)
            assert [(c.child_id, c.record_id) for c in found] == [(child_id, "H1")], key
