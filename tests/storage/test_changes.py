"""The change sequence workers read to catch their indexes up."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from matcher.records import RecordKind
from matcher.storage.repository import (
    Actor,
    ChangeOp,
    changed_since,
    changes_since,
    delete_record,
    max_change_seq,
    upsert_record,
    upsert_records,
)
from tests.conftest_db import found_input, missing_input

IMPORT = Actor.system("test-import")


def test_empty_sequence(session: Session) -> None:
    assert max_change_seq(session) == 0
    assert changes_since(session, 0) == []


def test_every_write_appends_one_change_in_order(session: Session) -> None:
    upsert_record(session, RecordKind.MISSING, "M1", {"name": "a"}, actor=IMPORT)
    upsert_record(session, RecordKind.FOUND, "F1", {"name": "b"}, actor=IMPORT)
    upsert_record(session, RecordKind.MISSING, "M1", {"name": "a"}, actor=IMPORT)  # unchanged
    upsert_record(session, RecordKind.MISSING, "M1", {"name": "c"}, actor=IMPORT)
    delete_record(session, RecordKind.FOUND, "F1", actor=IMPORT)
    changes = changes_since(session, 0)
    assert [(c.kind, c.record_id, c.op, c.version) for c in changes] == [
        (RecordKind.MISSING, "M1", ChangeOp.CREATE, 1),
        (RecordKind.FOUND, "F1", ChangeOp.CREATE, 1),
        (RecordKind.MISSING, "M1", ChangeOp.UPDATE, 2),
        (RecordKind.FOUND, "F1", ChangeOp.DELETE, 2),
    ]
    seqs = [c.seq for c in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert max_change_seq(session) == seqs[-1]


@pytest.mark.parametrize("page", [1, 2, 3, 10], ids=lambda n: f"pages of {n}")
def test_catching_up_page_by_page_sees_everything_once(session: Session, page: int) -> None:
    upsert_records(session, [missing_input(f"M{i}", name="x") for i in range(7)], actor=IMPORT)
    seen: list[str] = []
    cursor = 0
    while batch := changes_since(session, cursor, limit=page):
        assert len(batch) <= page
        seen += [c.record_id for c in batch]
        cursor = batch[-1].seq
    assert seen == [f"M{i}" for i in range(7)]
    assert cursor == max_change_seq(session)


@pytest.mark.parametrize("after", [0, 2], ids=["from the start", "after the second"])
def test_changed_since_is_the_changes_seq_kind_id_and_version(session: Session, after: int) -> None:
    """Catch-up's lean read gives what the full change entries say, in the same order."""
    upsert_record(session, RecordKind.MISSING, "M1", {"name": "a"}, actor=IMPORT)
    upsert_record(session, RecordKind.FOUND, "F1", {"name": "b"}, actor=IMPORT)
    upsert_record(session, RecordKind.MISSING, "M1", {"name": "c"}, actor=IMPORT)
    delete_record(session, RecordKind.FOUND, "F1", actor=IMPORT)
    start = changes_since(session, 0)[after - 1].seq if after else 0
    full = changes_since(session, start)
    lean = [(c.seq, c.kind, c.record_id, c.version) for c in full]
    assert changed_since(session, start) == lean
    assert len(full) == 4 - after
    assert changed_since(session, start, limit=1) == lean[:1]
    with pytest.raises(ValueError):
        changed_since(session, 0, limit=0)


def test_changes_become_visible_at_commit(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as writer, session_factory() as reader:
        start = max_change_seq(reader)
        upsert_records(writer, [found_input("F1", name="x")], actor=IMPORT)
        reader.rollback()
        assert changes_since(reader, start) == []
        writer.commit()
        reader.rollback()
        assert [c.record_id for c in changes_since(reader, start)] == ["F1"]


def test_seq_keeps_growing_after_a_rolled_back_write(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        upsert_record(s, RecordKind.FOUND, "F1", {"name": "x"}, actor=IMPORT)
        s.commit()
        first = max_change_seq(s)
        upsert_record(s, RecordKind.FOUND, "F2", {"name": "x"}, actor=IMPORT)
        s.rollback()
        upsert_record(s, RecordKind.FOUND, "F3", {"name": "x"}, actor=IMPORT)
        s.commit()
        later = changes_since(s, first)
    assert [c.record_id for c in later] == ["F3"]
    assert later[0].seq > first


def test_postgresql_change_writers_hold_the_ordering_lock(session: Session) -> None:
    """On PostgreSQL a change-writing transaction holds the advisory lock until it ends,
    so sequence numbers commit in order; SQLite's single writer gives that by itself."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite serializes writers by itself")
    held = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    )
    assert session.execute(held).scalar_one() == 0
    upsert_record(session, RecordKind.FOUND, "F1", {"name": "x"}, actor=IMPORT)
    assert session.execute(held).scalar_one() == 1
    session.commit()
    assert session.execute(held).scalar_one() == 0
