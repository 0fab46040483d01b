"""The one settings object, read once from the environment (and an optional ``.env``)."""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-secret-key-not-for-production"  # noqa: S105 - refused outside dev mode
DEV_DATA_KEY = "ZGV2LWRhdGEta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="  # base64 of 32 bytes, dev only


class InsecureSettings(ValueError):
    """Default secrets outside dev mode."""


class Settings(BaseSettings):
    """Everything configurable. Secrets never appear in ``repr`` or logs."""

    model_config = SettingsConfigDict(env_prefix="CHILDINDEX_", env_file=".env", extra="ignore")

    mode: Literal["dev", "production"] = "dev"
    database_url: str = "sqlite:///var/childindex.db"
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    data_key: SecretStr | None = None
    data_key_file: Path | None = None
    # Keys being rotated out: still read, never written (comma-separated base64).
    retired_data_keys_csv: SecretStr = Field(SecretStr(""), alias="CHILDINDEX_RETIRED_DATA_KEYS")
    session_idle_minutes: int = 30
    session_absolute_hours: int = 10
    search_limit: int = 50
    # Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated).
    # Empty: the peer's own address is the client, whatever headers it sends.
    trusted_proxies_csv: str = Field("", alias="CHILDINDEX_TRUSTED_PROXIES")
    # The trained matching model (``childindex matching train``); absent: exact identifiers only.
    model_path: Path = Path("var/models/model.json")

    @model_validator(mode="after")
    def _check_trusted_proxies(self) -> Settings:
        self.trusted_proxies()  # fail at start-up, naming the bad entry, not at sign-in
        return self

    def trusted_proxies(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """The networks of ``CHILDINDEX_TRUSTED_PROXIES``; ``ValueError`` naming a bad entry."""
        networks = []
        for entry in self.trusted_proxies_csv.split(","):
            text = entry.strip()
            if not text:
                continue
            try:
                networks.append(ip_network(text, strict=False))
            except ValueError:
                msg = f"CHILDINDEX_TRUSTED_PROXIES: {text!r} is not an IP address or CIDR network"
                raise ValueError(msg) from None
        return tuple(networks)

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.mode == "dev":
            return self
        if self.secret_key.get_secret_value() == DEV_SECRET_KEY:
            msg = "CHILDINDEX_SECRET_KEY must be set outside dev mode"
            raise InsecureSettings(msg)
        if self.data_key is None and self.data_key_file is None:
            msg = "CHILDINDEX_DATA_KEY or CHILDINDEX_DATA_KEY_FILE must be set outside dev mode"
            raise InsecureSettings(msg)
        if self.data_key is not None and self.data_key.get_secret_value() == DEV_DATA_KEY:
            msg = "CHILDINDEX_DATA_KEY must not be the dev key outside dev mode"
            raise InsecureSettings(msg)
        return self

    def data_key_bytes(self) -> str:
        """The field-encryption key (base64), from the setting, the key file or the dev default."""
        if self.data_key is not None:
            return self.data_key.get_secret_value()
        if self.data_key_file is not None:
            return self.data_key_file.read_text(encoding="ascii").strip()
        return DEV_DATA_KEY

    def retired_data_keys(self) -> list[str]:
        """Data keys kept only to read values sealed before a rotation."""
        text = self.retired_data_keys_csv.get_secret_value()
        return [key.strip() for key in text.split(",") if key.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read once."""
    return Settings()
