"""Bring a database's schema up to date with Alembic, configured in code (no alembic.ini).

The service calls :func:`upgrade` at start-up; ``matcher db upgrade`` (CLI)
does the same by hand. On PostgreSQL the upgrade holds an advisory lock, so
several workers starting at once migrate one after another instead of racing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Identity, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from matcher.errors import StoreError
from matcher.storage.engine import make_engine, normalize_database_url

#: The Alembic script directory shipped inside the package.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Advisory lock key held while migrating ("migrate" in ASCII).
MIGRATION_LOCK_KEY = 0x6D696772617465


def compare_server_default(
    context: MigrationContext,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
    inspected_default: str | None,
    metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """Alembic's server-default comparison, minus a false alarm on SQLite.

    SQLite has no identity columns; the models' ``Identity()`` becomes the
    auto-incrementing ``INTEGER PRIMARY KEY`` there, which reflects without a
    default. ``None`` lets Alembic compare everything else as usual.
    """
    if context.dialect.name == "sqlite" and isinstance(metadata_default, Identity):
        return False
    return None


def compare_options(dialect_name: str) -> dict[str, Any]:
    """Autogenerate options, shared by ``env.py`` and the schema test.

    The comparison hook is only installed on SQLite: Alembic's hook machinery
    fails on PostgreSQL identity columns (it reads ``.arg`` of the reflected
    ``Identity``), and PostgreSQL needs no exception anyway.
    """
    if dialect_name == "sqlite":
        return {"compare_type": True, "compare_server_default": compare_server_default}
    return {"compare_type": True, "compare_server_default": True}


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Migration files are named after their revision, e.g. versions/0002_add_x.py.
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Run ``alembic upgrade <revision>`` on the database at ``url`` (a no-op when current)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            command.upgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> None:
    """Run ``alembic downgrade <revision>`` (``"base"`` removes every table)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest revision of the packaged migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def check_current(url: str) -> None:
    """Raise :class:`~matcher.errors.StoreError` unless ``url`` is a reachable matcher
    database at the newest schema. For commands that only read: they must not create a
    database at a mistyped URL, nor migrate one under a running older service."""
    try:
        parsed = normalize_database_url(url)
    except ArgumentError:
        raise StoreError("the database URL cannot be parsed") from None
    shown = parsed.render_as_string(hide_password=True)
    database = parsed.database or ":memory:"
    file_missing = database != ":memory:" and not Path(database).is_file()
    if parsed.get_backend_name() == "sqlite" and file_missing:  # connecting would create it
        raise StoreError(f"no database at {shown}")
    try:
        revision = current_revision(url)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the database at {shown}: {type(exc).__name__}") from None
    if revision != head_revision():
        raise StoreError(
            f"the database at {shown} is at schema {revision or 'none'}, not "
            f"{head_revision()}: run `matcher db upgrade` first"
        )
