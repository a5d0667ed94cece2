"""Engines: URL handling, SQLite pragmas, UTF-8 JSON, UTC timestamps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from matcher.records import RecordKind
from matcher.storage.engine import make_engine, normalize_database_url
from matcher.storage.repository import SYSTEM, delete_record, upsert_record, upsert_records
from matcher.storage.tables import AuditRow, Base, UtcDateTime
from tests.conftest_db import found_input


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        pytest.param("postgresql://u@h/db", "postgresql+psycopg", id="plain postgresql"),
        pytest.param("postgres://u@h/db", "postgresql+psycopg", id="heroku-style postgres"),
        pytest.param("postgresql+psycopg://u@h/db", "postgresql+psycopg", id="explicit psycopg"),
        pytest.param("sqlite:///x.db", "sqlite", id="sqlite file"),
    ],
)
def test_url_normalization(url: str, driver: str) -> None:
    assert normalize_database_url(url).drivername == driver


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgresql+psycopg2://u@h/db", id="psycopg2"),
        pytest.param("mysql://u@h/db", id="mysql"),
    ],
)
def test_unsupported_urls_refused(url: str) -> None:
    with pytest.raises(ValueError, match="unsupported"):
        normalize_database_url(url)


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/p.db")
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert c.execute(text("PRAGMA busy_timeout")).scalar_one() == 15000
    engine.dispose()


def test_in_memory_sqlite_shares_one_database() -> None:
    engine = make_engine("sqlite://")
    with engine.begin() as c:
        c.execute(text("CREATE TABLE t (x INTEGER)"))
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    engine.dispose()


def test_foreign_keys_enforced(engine: Engine) -> None:
    with pytest.raises(Exception, match=r"(?i)foreign key"), engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO record_versions (record_pk, version, action, status, fields,"
                " extra, deleted, actor, at) VALUES (999, 1, 'create', 'open', '{}', '{}',"
                " false, 'x', '2024-01-01 00:00:00')"
            )
        )


def test_json_is_stored_as_utf8_not_escaped(engine: Engine, session: Session) -> None:
    upsert_record(session, RecordKind.FOUND, "F1", {"name": "मोहम्मद इरफ़ान"}, actor=SYSTEM)
    session.commit()
    with engine.connect() as c:
        raw = c.execute(text("SELECT CAST(fields AS TEXT) FROM records")).scalar_one()
    assert "मोहम्मद" in raw
    assert "\\u" not in raw


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(datetime(2024, 3, 4, 5, 6, 7, 891011, tzinfo=UTC), id="UTC"),
        pytest.param(
            datetime(2024, 3, 4, 10, 36, 7, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            id="IST converted to UTC",
        ),
    ],
)
def test_timestamps_round_trip_as_aware_utc(session: Session, moment: datetime) -> None:
    session.add(AuditRow(at=moment, actor_role="system", action="t", detail={}))
    session.commit()
    session.expunge_all()
    stored = session.scalars(select(AuditRow.at)).one()
    assert stored == moment
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)


def test_naive_timestamps_refused(session: Session) -> None:
    session.add(AuditRow(at=datetime(2024, 1, 1), actor_role="system", action="t", detail={}))
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_every_write_path_stores_timestamps_alike(engine: Engine, session: Session) -> None:
    """Bulk writes (JSON recordsets) and ORM writes store the same timestamp form.

    On SQLite timestamps are text, compared as text: one path writing
    ``2024-05-01T09:00:00`` and another ``2024-05-01 09:00:00.000000`` would
    silently break every time filter.
    """
    at = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    upsert_records(session, [found_input("F1", name="a")], actor=SYSTEM, now=at)  # bulk path
    upsert_records(session, [found_input("F1", name="b")], actor=SYSTEM, now=at)  # bulk update
    delete_record(session, RecordKind.FOUND, "F1", actor=SYSTEM, now=at)  # single-row path
    session.commit()
    columns = [
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, UtcDateTime)
    ]
    seen = 0
    with engine.connect() as c:
        for table, column in columns:
            for (value,) in c.execute(text(f"SELECT {column} FROM {table}")):
                if value is None:
                    continue
                seen += 1
                if engine.dialect.name == "sqlite":
                    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", value), (
                        table,
                        column,
                        value,
                    )
                else:
                    assert value == at, (table, column, value)
    assert seen >= 10
