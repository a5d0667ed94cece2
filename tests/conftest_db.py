"""Database fixtures shared by the storage tests and the API tests.

A plain module (not a conftest) so any test package can import the fixtures
into its own ``conftest.py``::

    from tests.conftest_db import *  # noqa: F403  (the fixtures in __all__)

``database_url`` is parametrized: every test using it runs on SQLite (a fresh
file per test, copied from a database migrated once per test session) and on
PostgreSQL when ``MATCHER_TEST_DATABASE_URL`` is set. The PostgreSQL runs use
their own schema, created and migrated once per test session and dropped at
the end, and emptied (``TRUNCATE ... RESTART IDENTITY``) before every test, so
tests are isolated, repeatable and do not disturb other runs on the same server.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from matcher.records import RecordKind
from matcher.storage.engine import make_engine, make_session_factory, normalize_database_url
from matcher.storage.migrate import upgrade
from matcher.storage.repository import RecordInput
from matcher.storage.tables import Base

__all__ = [
    "database_url",
    "engine",
    "postgres_engine",
    "postgres_url",
    "session",
    "session_factory",
    "sqlite_template",
]

POSTGRES_ENV = "MATCHER_TEST_DATABASE_URL"
POSTGRES_SKIP_REASON = f"{POSTGRES_ENV} not set"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "matcher.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A URL for a fresh, migrated schema on the test PostgreSQL server (one per test session)."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(POSTGRES_SKIP_REASON)
    schema = f"matcher_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    parsed = normalize_database_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    url = parsed.render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on the test schema, kept for the session (used to empty it between tests)."""
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def empty_postgres(engine: Engine) -> None:
    """Remove every row (keeping the schema and the Alembic version) and restart identities.

    DELETE rather than TRUNCATE: on a handful of rows it is several times faster.
    """
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
            for column in table.primary_key.columns:
                if column.identity is not None:
                    connection.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, :c), 1, false)"),
                        {"t": table.name, "c": column.name},
                    )


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite, or PostgreSQL when configured."""
    if request.param == "sqlite":
        path = tmp_path / "matcher.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    empty_postgres(request.getfixturevalue("postgres_engine"))
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session; whatever the test did not commit is rolled back."""
    with session_factory() as session:
        yield session
        session.rollback()


def found_input(
    record_id: str,
    *,
    state_code: str | None = None,
    district_code: str | None = None,
    extra: dict[str, str] | None = None,
    **fields: str,
) -> RecordInput:
    """A found-child record to upsert: ``found_input("F1", name="Irfan", age="12")``."""
    return RecordInput(RecordKind.FOUND, record_id, fields, extra or {}, state_code, district_code)


def missing_input(
    record_id: str,
    *,
    state_code: str | None = None,
    district_code: str | None = None,
    extra: dict[str, str] | None = None,
    **fields: str,
) -> RecordInput:
    """A missing report to upsert: ``missing_input("M1", name="Mohd. Irfan")``."""
    return RecordInput(
        RecordKind.MISSING, record_id, fields, extra or {}, state_code, district_code
    )
