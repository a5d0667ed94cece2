"""Alembic environment: runs on the connection :mod:`matcher.storage.migrate` passes in.

Run by hand (``alembic -x url=...``) it builds its own engine with
:func:`matcher.storage.engine.make_engine`, so SQLite pragmas and the psycopg
URL rewrite apply there too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from matcher.storage.engine import make_engine, normalize_database_url
from matcher.storage.migrate import compare_options
from matcher.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        **compare_options(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database: pass a connection, -x url=..., or sqlalchemy.url")
    return url


def run_migrations_offline() -> None:
    context.configure(
        url=normalize_database_url(_url()),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as own:
            _configure(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
