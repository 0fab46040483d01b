"""Encryption at rest: a raw copy of the database files reveals no address, carer or GP."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from childindex.storage.cipher import CipherError, FieldCipher, new_key

SECRET_ADDRESS = "17 Quillfeather Mews"
SECRET_POSTCODE = "ZZ7 3QX"
SECRET_CARER = "Evangelinx"
SECRET_GP = "Larkspur Lane Surgery"


def _database_bytes(database_url: str) -> bytes:
    """Everything the database holds on disk (SQLite: file + WAL) or in a dump (PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        files = [Path(url.database), Path(url.database + "-wal")]
        # Read by another process: closing a descriptor of the file in this one would drop
        # this process's POSIX locks on it, SQLite's included, and a later connection from
        # another process (a CLI test) would then reset the WAL and miss this one's writes.
        shown = subprocess.run(
            ["cat", *(str(f) for f in files if f.exists())], check=True, capture_output=True
        )
        return shown.stdout
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            url.host or "127.0.0.1",
            "-U",
            url.username or "postgres",
            url.database or "",
        ],
        check=True,
        capture_output=True,
    )
    return dump.stdout


def test_a_raw_copy_of_the_database_reveals_no_sensitive_value(
    database_url: str,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    report = load_health(
        [
            health_record(
                address_line1=SECRET_ADDRESS,
                postcode=SECRET_POSTCODE,
                gp_practice_name=SECRET_GP,
                carers=[
                    {"given_name": SECRET_CARER, "family_name": "Okafor", "phone": "07700 900456"}
                ],
            )
        ]
    )
    assert report.accepted == 1
    raw = _database_bytes(database_url)
    # A positive control: the name key is kept in clear for search, so the scan does see text.
    assert b"okafor" in raw.lower()
    for value in (SECRET_ADDRESS, SECRET_POSTCODE, SECRET_CARER, SECRET_GP, "07700 900456"):
        assert value.encode() not in raw, f"{value!r} is readable in the database files"


@given(st.text(max_size=200))
def test_sealed_values_open_to_what_was_sealed(text: str) -> None:
    cipher = FieldCipher(new_key())
    token = cipher.seal_text(text)
    assert cipher.open_text(token) == text


def test_a_tampered_value_fails_its_integrity_check() -> None:
    cipher = FieldCipher(new_key())
    token = cipher.seal_text("12 Testing Row")
    body = token.rsplit(".", 1)[1]
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(CipherError):
        cipher.open_text(token.rsplit(".", 1)[0] + "." + flipped)


def test_values_sealed_with_a_retired_key_still_open_and_new_ones_use_the_current_key() -> None:
    old, new = new_key(), new_key()
    token = FieldCipher(old).seal_text("12 Testing Row")
    rotated = FieldCipher(new, retired=[old])
    assert rotated.open_text(token) == "12 Testing Row"
    assert not rotated.is_current(token)
    assert rotated.is_current(rotated.seal_text("x"))
    with pytest.raises(CipherError, match="no key"):
        FieldCipher(new).open_text(token)


@pytest.mark.parametrize("key", ["not base64!", "c2hvcnQ="])
def test_a_malformed_data_key_is_refused_with_a_reason(key: str) -> None:
    with pytest.raises(CipherError, match="data key"):
        FieldCipher(key)


def test_keyed_digests_differ_between_keys_and_purposes() -> None:
    a, b = FieldCipher(new_key()), FieldCipher(new_key())
    assert a.digest("ZZ1 1AA", purpose="postcode") == a.digest("ZZ1 1AA", purpose="postcode")
    assert a.digest("ZZ1 1AA", purpose="postcode") != b.digest("ZZ1 1AA", purpose="postcode")
    assert a.digest("ZZ1 1AA", purpose="postcode") != a.digest("ZZ1 1AA", purpose="payload")
