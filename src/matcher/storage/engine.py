"""Engines and sessions for SQLite (one machine) and PostgreSQL (several workers).

The same tables and repository code run on both; what differs is set up here:

- SQLite runs in WAL mode (readers do not block the single writer), with
  foreign keys enforced (SQLite leaves them off per connection by default) and
  a busy timeout so a second writer waits instead of failing at once.
- PostgreSQL is reached through psycopg 3; a plain ``postgresql://`` URL (what
  most hosting dashboards print) is rewritten to ``postgresql+psycopg://``
  instead of silently picking psycopg2.

JSON is written without ASCII escaping: names in Devanagari or Bengali are
stored as UTF-8, a third of the size of ``\\uXXXX`` escapes and readable in psql.

Statement parameters and result rows are children's names and phone numbers,
so they never reach a log or an exception message: engines hide parameters
(``hide_parameters=True``: errors and echoed statements show a placeholder),
and SQLAlchemy's per-row debug records are dropped (a deployment run with
``MATCHER_LOG_LEVEL=DEBUG`` would otherwise log every row it reads).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

#: How long a SQLite writer waits for another writer's transaction to end.
SQLITE_BUSY_TIMEOUT_MS = 15_000


class _NoResultRows(logging.Filter):
    """Drops SQLAlchemy's "Row ..." debug records: a result row is a child's record."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Row %r"


#: Every engine logs through this logger unless given a ``logging_name``.
_ENGINE_LOGGER = logging.getLogger("sqlalchemy.engine.Engine")
if not any(isinstance(f, _NoResultRows) for f in _ENGINE_LOGGER.filters):
    _ENGINE_LOGGER.addFilter(_NoResultRows())


def normalize_database_url(url: str | URL) -> URL:
    """Parse a database URL, mapping bare ``postgresql``/``postgres`` to psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("postgresql+") and parsed.drivername != "postgresql+psycopg":
        raise ValueError(
            f"unsupported PostgreSQL driver {parsed.drivername!r}: use postgresql+psycopg:// "
            "(psycopg 3), or plain postgresql://"
        )
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ValueError(
            f"unsupported database {parsed.get_backend_name()!r}: matcher runs on SQLite "
            "(sqlite:///path/to/matcher.db) and PostgreSQL (postgresql://user@host/db)"
        )
    return parsed


#: One encoder for every call: ``json.dumps`` with options builds a new one each
#: time, a third of the cost of encoding a record's fields (three per imported record).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_dumps(value: Any) -> str:
    """JSON as the engines write it: UTF-8 text, no ASCII escapes, no spaces."""
    return _ENCODER.encode(value)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # journal_mode is stored in the file; an in-memory database answers "memory".
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # In WAL mode NORMAL loses at most the last commits on power loss, never corrupts.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Record ids arrive in no order, so each import batch dirties pages all over the
        # id index. A 32 MB page cache (default 2 MB) and a checkpoint every ~40 MB of WAL
        # (default 4 MB) cut the bytes an import writes by about a quarter at 400,000
        # records, with the same CPU time (measured for docs/reliability.md).
        cursor.execute("PRAGMA cache_size=-32768")
        cursor.execute("PRAGMA wal_autocheckpoint=10000")
    finally:
        cursor.close()


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, configured as the module docstring says."""
    parsed = normalize_database_url(url)
    common: dict[str, Any] = {
        "echo": echo,
        "json_serializer": json_dumps,
        "hide_parameters": True,
    }
    if parsed.get_backend_name() == "sqlite":
        connect_args = {
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
        }
        if parsed.database in (None, "", ":memory:"):
            # One shared connection, or every pooled connection would see its own empty database.
            engine = create_engine(
                parsed, connect_args=connect_args, poolclass=StaticPool, **common
            )
        else:
            engine = create_engine(parsed, connect_args=connect_args, **common)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **common)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for request handlers: one per request, committed once by the caller.

    ``expire_on_commit=False`` because repository functions return plain values,
    never ORM rows, so nothing needs reloading after the commit.
    """
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
