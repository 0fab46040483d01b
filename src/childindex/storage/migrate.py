"""Schema migrations, run from code: no ``alembic.ini`` is needed at run time.

The numbered revisions live in ``storage/migrations/versions`` (``0001_initial.py``, ...)::

    >>> upgrade("sqlite:///var/childindex.db")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from childindex.storage.database import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration pointing at this package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema at ``url`` up to ``revision`` (default: the newest).

    The whole upgrade is one transaction, on SQLite as on PostgreSQL: it applies completely
    or not at all.
    """
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            # Handed over in memory, not as an option: a URL may hold a '%' or a password.
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
