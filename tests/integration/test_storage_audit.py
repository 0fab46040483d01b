"""The audit chain, users and tokens, and the unit of work, on a real database."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import StatementError

from childindex.audit.chain import GENESIS, AuditEvent, first_broken
from childindex.audit.tags import AuditTag
from childindex.domain.child import Child, Sex
from childindex.domain.errors import Conflict
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.services.ports import NewUser
from childindex.storage.models import ApiTokenRow, AuditEventRow, SystemStateRow
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def event(n: int, **overrides: object) -> AuditEvent:
    fields: dict[str, object] = {
        "tag": AuditTag.CHILD_VIEWED,
        "actor": f"user-{n}",
        "at": NOW + timedelta(microseconds=n),
        "child_ids": ("7KQ2M9XD4RTW",),
        "fields": ("given_name", "address"),
        "detail": {"reason": "visit", "n": n, "score": 0.1, "criteria": ["a", "b"], "none": None},
    }
    fields.update(overrides)
    return AuditEvent(**fields)  # type: ignore[arg-type]


def record(uow_factory: SqlUnitOfWorkFactory, *events: AuditEvent) -> None:
    with uow_factory() as uow:
        for e in events:
            uow.audit.record(e)
        uow.commit()


def broken(uow_factory: SqlUnitOfWorkFactory) -> int | None:
    with uow_factory() as uow:
        return first_broken(uow.audit.entries())


# --- audit ------------------------------------------------------------------------------


def test_entries_come_back_in_order_and_the_chain_verifies(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    events = [event(n) for n in range(5)]
    record(uow_factory, *events[:2])
    record(uow_factory, *events[2:])
    with uow_factory() as uow:
        entries = list(uow.audit.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert [e.event for e in entries] == events
    assert first_broken(entries) is None


def test_the_first_entry_chains_from_genesis(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    record(uow_factory, event(1), event(2))
    with engine.connect() as connection:
        chain = connection.execute(
            select(AuditEventRow.prev_hash, AuditEventRow.hash).order_by(AuditEventRow.seq)
        ).all()
    assert chain[0].prev_hash == GENESIS
    assert chain[1].prev_hash == chain[0].hash


def test_a_tampered_entry_is_detected(uow_factory: SqlUnitOfWorkFactory, engine: Engine) -> None:
    record(uow_factory, *(event(n) for n in range(5)))
    with engine.begin() as connection:
        connection.execute(
            update(AuditEventRow).where(AuditEventRow.seq == 3).values(actor="someone-else")
        )
    assert broken(uow_factory) == 3


def test_a_removed_entry_is_detected(uow_factory: SqlUnitOfWorkFactory, engine: Engine) -> None:
    record(uow_factory, *(event(n) for n in range(5)))
    with engine.begin() as connection:
        connection.execute(delete(AuditEventRow).where(AuditEventRow.seq == 2))
    assert broken(uow_factory) == 3


def test_a_rolled_back_entry_leaves_no_gap(uow_factory: SqlUnitOfWorkFactory) -> None:
    record(uow_factory, event(1))
    with uow_factory() as uow:
        uow.audit.record(event(2))  # not committed
    record(uow_factory, event(3))
    with uow_factory() as uow:
        entries = list(uow.audit.entries())
    assert [e.seq for e in entries] == [1, 2]
    assert first_broken(entries) is None


def test_a_time_in_another_zone_is_stored_as_utc_and_still_verifies(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    summer = datetime(2026, 7, 1, 13, 30, 5, 123456, tzinfo=timezone(timedelta(hours=1)))
    record(uow_factory, event(1, at=summer))
    with uow_factory() as uow:
        (entry,) = uow.audit.entries()
    assert entry.event.at == summer
    assert entry.event.at.tzinfo is UTC
    assert broken(uow_factory) is None


def test_a_naive_time_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(ValueError, match="timezone"):
        uow.audit.record(event(1, at=datetime(2026, 11, 25, 12, 0)))  # noqa: DTZ001


def test_concurrent_writers_keep_one_unbroken_chain(uow_factory: SqlUnitOfWorkFactory) -> None:
    writers, each = 4, 10
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            for n in range(each):
                record(uow_factory, event(w * 100 + n))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with uow_factory() as uow:
        entries = list(uow.audit.entries())
    assert [e.seq for e in entries] == list(range(1, writers * each + 1))
    assert first_broken(entries) is None


# --- storage times ----------------------------------------------------------------------


def test_times_come_back_aware_in_utc_and_naive_times_are_refused(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    local = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-5)))
    with engine.begin() as connection:
        connection.execute(
            insert(SystemStateRow).values(key="halt", value={"on": False}, updated_at=local)
        )
        stored = connection.scalar(select(SystemStateRow.updated_at))
    assert stored == local
    assert stored is not None
    assert stored.tzinfo is UTC
    with engine.begin() as connection, pytest.raises(StatementError, match="naive"):
        connection.execute(
            insert(SystemStateRow).values(
                key="x",
                value={},
                updated_at=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
            )
        )


# --- users and tokens -------------------------------------------------------------------


def new_user(username: str = "pat", **overrides: object) -> NewUser:
    fields: dict[str, object] = {
        "username": username,
        "role": Role.LA_OFFICER,
        "la_code": "901",
        "organisation": "Test Borough Council",
        "vetting_expires": date(2027, 1, 31),
        "password_hash": "$argon2id$hash",
        "totp_secret": "JBSWY3DPEHPK3PXP",
    }
    fields.update(overrides)
    return NewUser(**fields)  # type: ignore[arg-type]


def test_a_user_is_added_and_found_by_name(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        added = uow.users.add(new_user())
        uow.commit()
    with uow_factory() as uow:
        assert uow.users.by_username("pat") == added
        assert uow.users.password_hash("pat") == "$argon2id$hash"
        assert uow.users.totp_secret("pat") == "JBSWY3DPEHPK3PXP"
        assert uow.users.by_username("nobody") is None
        assert uow.users.password_hash("nobody") is None
    assert added.role is Role.LA_OFFICER
    assert added.la_code == "901"
    assert added.vetting_expires == date(2027, 1, 31)
    assert added.suspended is False


def test_a_duplicate_user_name_is_a_conflict_and_the_unit_goes_on(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.users.add(new_user())
        with pytest.raises(Conflict) as raised:
            uow.users.add(new_user(role=Role.PRACTITIONER))
        assert raised.value.field == "username"
        uow.users.add(new_user("sam"))
        uow.commit()
    with uow_factory() as uow:
        pat, sam = uow.users.by_username("pat"), uow.users.by_username("sam")
    assert pat is not None
    assert pat.role is Role.LA_OFFICER
    assert sam is not None


def test_only_a_live_token_finds_its_user(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    with uow_factory() as uow:
        user = uow.users.add(new_user())
        uow.users.add_token(user_id=user.user_id, token_hash="a" * 64, expires_at=None)
        uow.users.add_token(
            user_id=user.user_id, token_hash="b" * 64, expires_at=NOW + timedelta(seconds=1)
        )
        uow.users.add_token(user_id=user.user_id, token_hash="c" * 64, expires_at=NOW)
        uow.users.add_token(user_id=user.user_id, token_hash="d" * 64, expires_at=None)
        uow.commit()
    with engine.begin() as connection:
        connection.execute(
            update(ApiTokenRow).where(ApiTokenRow.token_hash == "d" * 64).values(revoked_at=NOW)
        )
    with uow_factory() as uow:
        assert uow.users.by_token_hash("a" * 64, now=NOW) == user
        assert uow.users.by_token_hash("b" * 64, now=NOW) == user
        assert uow.users.by_token_hash("c" * 64, now=NOW) is None  # expired
        assert uow.users.by_token_hash("d" * 64, now=NOW) is None  # revoked
        assert uow.users.by_token_hash("e" * 64, now=NOW) is None  # unknown


# --- unit of work -----------------------------------------------------------------------


def _child() -> Child:
    return Child(
        child_id=ChildId.new(),
        given_name="Amara",
        family_name="Okafor",
        sex=Sex.FEMALE,
        birth_date=None,
    )


def test_the_unit_of_work_rolls_back_unless_committed(uow_factory: SqlUnitOfWorkFactory) -> None:
    kept, dropped = _child(), _child()
    with uow_factory() as uow:
        uow.children.save(dropped)
    with uow_factory() as uow:
        uow.children.save(kept)
        uow.commit()
    with uow_factory() as uow:
        assert uow.children.get(kept.child_id) == kept
        assert uow.children.get(dropped.child_id) is None


def test_an_error_inside_the_unit_undoes_its_work(uow_factory: SqlUnitOfWorkFactory) -> None:
    child = _child()

    def fail_half_way() -> None:
        with uow_factory() as uow:
            uow.children.save(child)
            uow.audit.record(event(1))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_half_way()
    with uow_factory() as uow:
        assert uow.children.get(child.child_id) is None
        assert list(uow.audit.entries()) == []


def test_explicit_rollback_undoes_work_and_the_unit_stays_usable(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    first, second = _child(), _child()
    with uow_factory() as uow:
        uow.children.save(first)
        uow.rollback()
        uow.children.save(second)
        uow.commit()
    with uow_factory() as uow:
        assert uow.children.get(first.child_id) is None
        assert uow.children.get(second.child_id) == second


def test_a_unit_of_work_is_used_inside_with(uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError, match="inside 'with'"):
        uow_factory().commit()
