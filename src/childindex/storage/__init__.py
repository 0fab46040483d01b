"""The storage adapter: SQLAlchemy 2 on SQLite (default) or PostgreSQL, one code path.

What other packages call (only ``bootstrap`` and the CLI should need more than the first):

* ``storage.unit_of_work.SqlUnitOfWorkFactory(engine, cipher=...)`` - the unit-of-work port.
* ``storage.database.make_engine(url)`` - an engine tuned for the URL's database.
* ``storage.migrate.upgrade(url)`` - create or migrate the schema (numbered Alembic revisions).

Rows (``storage.models``) never leave this package: repositories return domain values.
"""
