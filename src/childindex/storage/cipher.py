"""Encryption at rest for the sensitive fields, from the moment of ingest.

Every child's details (address, carers, school, GP, involvements), every raw record and every
source-record payload is sealed with AES-256-GCM before it reaches the database, so a raw copy
of the database files (SQLite with its WAL, or a PostgreSQL dump) reveals no address. The data
key lives outside the database (``CHILDINDEX_DATA_KEY`` or a key file); the sub-keys for
sealing and for keyed digests are derived from it with HKDF.

A sealed value reads ``v1.<key id>.<base64(nonce + ciphertext)>``, so several keys can be
read during a rotation while new writes use the current one::

    cipher = FieldCipher(current_key_b64)
    token = cipher.seal_json({"postcode": "ZZ1 1AA"})
    assert cipher.open_json(token) == {"postcode": "ZZ1 1AA"}

Search keys that must be compared for equality but would reveal an address (the postcode) are
stored as keyed digests (:meth:`FieldCipher.digest`), never in clear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
_NONCE = 12


class CipherError(ValueError):
    """A key is malformed, or a sealed value cannot be opened with any key held."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def _master(key_b64: str) -> bytes:
    try:
        master = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        msg = "the data key must be base64"
        raise CipherError(msg) from exc
    if len(master) != 32:
        msg = "the data key must be 32 bytes (base64 of 32 random bytes)"
        raise CipherError(msg)
    return master


def key_id(key_b64: str) -> str:
    """A short public name for a key (not secret: a digest of a derived value)."""
    return hashlib.sha256(_derive(_master(key_b64), b"childindex key id")).hexdigest()[:8]


def new_key() -> str:
    """A fresh random data key, base64."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


class FieldCipher:
    """Seals and opens values with the current key; opens with retired keys too."""

    def __init__(self, current: str, *, retired: Sequence[str] = ()) -> None:
        master = _master(current)
        self.current_id = key_id(current)
        self._aeads = {self.current_id: AESGCM(_derive(master, b"childindex field encryption"))}
        for old in retired:
            self._aeads[key_id(old)] = AESGCM(_derive(_master(old), b"childindex field encryption"))
        # Keyed once; each digest copies it (cheaper than keying HMAC per value).
        self._digest = hmac.new(_derive(master, b"childindex keyed digest"), None, hashlib.sha256)

    def seal(self, plaintext: bytes) -> str:
        """Encrypt and authenticate ``plaintext`` with the current key."""
        nonce = os.urandom(_NONCE)
        sealed = self._aeads[self.current_id].encrypt(nonce, plaintext, self.current_id.encode())
        return f"{VERSION}.{self.current_id}.{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, token: str) -> bytes:
        """Decrypt a sealed value; raise ``CipherError`` if it was altered or the key is unknown."""
        version, _, rest = token.partition(".")
        kid, _, body = rest.partition(".")
        aead = self._aeads.get(kid)
        if version != VERSION or aead is None:
            msg = f"no key {kid!r} held to open this value"
            raise CipherError(msg)
        raw = base64.b64decode(body)
        try:
            return aead.decrypt(raw[:_NONCE], raw[_NONCE:], kid.encode())
        except InvalidTag as exc:
            msg = "a sealed value failed its integrity check"
            raise CipherError(msg) from exc

    def is_current(self, token: str) -> bool:
        """True if ``token`` was sealed with the current key."""
        return token.startswith(f"{VERSION}.{self.current_id}.")

    def seal_text(self, text: str) -> str:
        """Seal a string."""
        return self.seal(text.encode("utf-8"))

    def open_text(self, token: str) -> str:
        """Open a sealed string."""
        return self.open(token).decode("utf-8")

    def seal_json(self, value: Any) -> str:
        """Seal a JSON-compatible value."""
        return self.seal(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())

    def open_json(self, token: str) -> Any:
        """Open a sealed JSON value."""
        return json.loads(self.open(token))

    def digest(self, text: str, *, purpose: str) -> str:
        """A keyed digest of ``text`` for equality search (reveals nothing without the key)."""
        mac = self._digest.copy()
        mac.update(f"{purpose}\x00{text}".encode())
        return mac.hexdigest()
