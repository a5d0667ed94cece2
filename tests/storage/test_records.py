"""Records: idempotent upserts, history, soft delete, bulk upserts."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from matcher.errors import Conflict, NotFound, RecordError
from matcher.records import RecordKind, fields_of, make_record
from matcher.storage.repository import (
    Actor,
    ChangeOp,
    HistoryAction,
    RecordInput,
    RecordStatus,
    UpsertOutcome,
    changes_since,
    count_records,
    delete_record,
    get_record,
    get_records,
    get_review_item,
    iter_records,
    list_audit,
    max_change_seq,
    propose_pair,
    record_history,
    upsert_record,
    upsert_records,
)
from matcher.storage.tables import ChangeRow, RecordVersionRow
from tests.conftest_db import found_input, missing_input

IMPORT = Actor.system("test-import")
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def count(session: Session, table: type) -> int:
    return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def test_create_then_same_content_is_unchanged(session: Session) -> None:
    fields = {"name": "Mohd. Irfan", "age": "12", "district": "Allahabad"}
    first = upsert_record(session, RecordKind.MISSING, "M1", fields, actor=IMPORT)
    again = upsert_record(session, RecordKind.MISSING, "M1", dict(fields), actor=IMPORT)
    assert (first.outcome, first.version) == (UpsertOutcome.CREATED, 1)
    assert (again.outcome, again.version) == (UpsertOutcome.UNCHANGED, 1)
    assert count(session, RecordVersionRow) == 1
    assert count(session, ChangeRow) == 1


def test_stored_record_reads_back(session: Session) -> None:
    upsert_record(
        session,
        RecordKind.FOUND,
        "R/2023/117",
        {"name": "Chhotu", "found_district": "Hyderabad", "marks": ""},
        {"remarks": "shy", "source_row": "17"},
        actor=IMPORT,
        state_code="IN-36",
        district_code="IN-36-4",
        now=T0,
    )
    record = get_record(session, RecordKind.FOUND, "R/2023/117")
    assert record.kind is RecordKind.FOUND
    assert dict(record.fields) == {"name": "Chhotu", "found_district": "Hyderabad"}
    assert list(record.extra) == ["remarks", "source_row"]
    assert (record.state_code, record.district_code) == ("IN-36", "IN-36-4")
    assert record.status is RecordStatus.OPEN
    assert record.created_at == record.updated_at == T0
    assert not record.deleted
    raw = record.raw()
    assert list(raw.as_row())[: len(fields_of(RecordKind.FOUND))] == list(
        fields_of(RecordKind.FOUND)
    )
    assert raw.get("marks") == ""
    assert raw.get("name") == "Chhotu"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param({"fields": {"name": "Irfan", "age": "13"}}, True, id="field value changed"),
        pytest.param({"fields": {"name": "Irfan"}}, True, id="field emptied"),
        pytest.param(
            {"fields": {"name": "Irfan", "age": "12", "marks": ""}},
            False,
            id="empty column added: same content",
        ),
        pytest.param({"extra": {"remarks": "x"}}, True, id="extra column added"),
        pytest.param({"state_code": "IN-9"}, True, id="jurisdiction code changed"),
        pytest.param({}, False, id="nothing changed"),
    ],
)
def test_what_counts_as_a_change(session: Session, change: dict[str, Any], expected: bool) -> None:
    fields = {"name": "Irfan", "age": "12"}
    upsert_record(session, RecordKind.MISSING, "M1", fields, actor=IMPORT)
    result = upsert_record(
        session,
        RecordKind.MISSING,
        "M1",
        change.get("fields", fields),
        change.get("extra", {}),
        actor=IMPORT,
        state_code=change.get("state_code"),
    )
    assert (result.outcome is UpsertOutcome.UPDATED) is expected
    assert result.version == (2 if expected else 1)


def test_same_id_in_both_kinds_are_different_records(session: Session) -> None:
    upsert_record(session, RecordKind.FOUND, "X-1", {"name": "A"}, actor=IMPORT)
    result = upsert_record(session, RecordKind.MISSING, "X-1", {"name": "B"}, actor=IMPORT)
    assert result.outcome is UpsertOutcome.CREATED
    assert get_record(session, RecordKind.FOUND, "X-1").fields["name"] == "A"
    assert get_record(session, RecordKind.MISSING, "X-1").fields["name"] == "B"


@pytest.mark.parametrize(
    ("record_id", "fields", "message"),
    [
        pytest.param("", {}, "empty", id="empty id"),
        pytest.param("   ", {}, "empty", id="blank id"),
        pytest.param(" M1", {}, "whitespace", id="padded id"),
        pytest.param("M\x001", {}, "control", id="NUL in id"),
        pytest.param("M" * 201, {}, "longer", id="overlong id"),
        pytest.param(
            "M1",
            {"found_date": "2024-01-01"},
            "not a missing field",
            id="found-only field on a missing report",
        ),
        pytest.param("M1", {"nickname": "Munna"}, "not a missing field", id="unknown field"),
        pytest.param("M1", {"id": "M2"}, "not a missing field", id="id inside fields"),
    ],
)
def test_invalid_records_refused(
    session: Session, record_id: str, fields: dict[str, str], message: str
) -> None:
    with pytest.raises(RecordError, match=message):
        upsert_record(session, RecordKind.MISSING, record_id, fields, actor=IMPORT)
    assert count_records(session, include_deleted=True) == 0


@pytest.mark.parametrize(
    "text_value",
    [
        pytest.param("मोहम्मद इरफ़ान", id="Devanagari"),
        pytest.param("ইরফান", id="Bengali"),
        pytest.param("Irfan\u200b", id="zero-width space kept as sent"),
        pytest.param('Ram "Lala" \\ Prasad', id="quotes and backslash"),
        pytest.param("Munna\x00", id="NUL from a broken export"),
        pytest.param("😀 line\nbreak", id="emoji and newline"),
    ],
)
def test_odd_text_survives_every_write_path(session: Session, text_value: str) -> None:
    """Single and bulk writes, create and update, store the text exactly (both databases)."""
    upsert_record(session, RecordKind.FOUND, "F1", {"name": text_value}, actor=IMPORT)
    upsert_records(
        session, [found_input("F2", name="x", extra={text_value: text_value})], actor=IMPORT
    )
    upsert_records(session, [found_input("F2", name=text_value)], actor=IMPORT)
    assert get_record(session, RecordKind.FOUND, "F1").fields["name"] == text_value
    updated = get_record(session, RecordKind.FOUND, "F2")
    assert (updated.version, updated.fields["name"]) == (2, text_value)
    assert [dict(v.extra) for v in record_history(session, RecordKind.FOUND, "F2")] == [
        {text_value: text_value},
        {},
    ]


def test_history_records_every_version(session: Session) -> None:
    upsert_record(session, RecordKind.MISSING, "M1", {"name": "Irfan"}, actor=IMPORT, now=T0)
    editor = Actor(label="key:3", key_id=3, role="caseworker")
    t1 = T0 + timedelta(hours=1)
    upsert_record(
        session, RecordKind.MISSING, "M1", {"name": "Irfan", "age": "12"}, actor=editor, now=t1
    )
    history = record_history(session, RecordKind.MISSING, "M1")
    assert [(v.version, v.action, v.actor, v.at) for v in history] == [
        (1, HistoryAction.CREATE, "test-import", T0),
        (2, HistoryAction.UPDATE, "key:3", t1),
    ]
    assert dict(history[0].fields) == {"name": "Irfan"}
    assert dict(history[1].fields) == {"name": "Irfan", "age": "12"}


def test_soft_delete_keeps_the_record_and_audits(session: Session) -> None:
    upsert_record(session, RecordKind.FOUND, "F1", {"name": "Raju"}, actor=IMPORT)
    admin = Actor(label="key:1", key_id=1, role="admin")
    deleted = delete_record(session, RecordKind.FOUND, "F1", actor=admin, now=T0)
    assert deleted.deleted_at == T0
    assert deleted.version == 2
    with pytest.raises(NotFound):
        get_record(session, RecordKind.FOUND, "F1")
    assert (
        get_record(session, RecordKind.FOUND, "F1", include_deleted=True).fields["name"] == "Raju"
    )
    assert count_records(session, RecordKind.FOUND) == 0
    assert count_records(session, RecordKind.FOUND, include_deleted=True) == 1
    history = record_history(session, RecordKind.FOUND, "F1")
    assert [(v.action, v.deleted) for v in history] == [
        (HistoryAction.CREATE, False),
        (HistoryAction.DELETE, True),
    ]
    assert history[-1].fields["name"] == "Raju"  # the deleted content stays in history
    assert [c.op for c in changes_since(session, 0)] == [ChangeOp.CREATE, ChangeOp.DELETE]
    entries = list_audit(session, action="record.delete")
    assert [(e.target_kind, e.target_id, e.actor_key_id, e.actor_role) for e in entries] == [
        ("found", "F1", 1, "admin")
    ]
    assert "Raju" not in str(entries[0].detail)


def test_delete_twice_changes_nothing_and_unknown_is_not_found(session: Session) -> None:
    upsert_record(session, RecordKind.FOUND, "F1", {"name": "Raju"}, actor=IMPORT)
    delete_record(session, RecordKind.FOUND, "F1", actor=IMPORT)
    again = delete_record(session, RecordKind.FOUND, "F1", actor=IMPORT)
    assert again.version == 2
    assert len(list_audit(session, action="record.delete")) == 1
    with pytest.raises(NotFound):
        delete_record(session, RecordKind.FOUND, "nope", actor=IMPORT)


def test_delete_supersedes_open_review_items(session: Session) -> None:
    upsert_records(
        session, [found_input("F1", name="Raju"), missing_input("M1", name="Raju")], actor=IMPORT
    )
    proposed = propose_pair(
        session,
        "F1",
        "M1",
        score=0.8,
        match_weight=6.0,
        decision="review",
        explanation={},
        model_version="m1",
    )
    assert proposed.item is not None
    delete_record(session, RecordKind.MISSING, "M1", actor=IMPORT)
    item = get_review_item(session, proposed.item.id)
    assert item.superseded_at is not None
    assert not item.is_open
    entry = list_audit(session, action="record.delete")[0]
    assert entry.detail["superseded_review_items"] == 1


def test_reimporting_a_deleted_record_restores_it(session: Session) -> None:
    upsert_record(session, RecordKind.FOUND, "F1", {"name": "Raju"}, actor=IMPORT)
    delete_record(session, RecordKind.FOUND, "F1", actor=IMPORT)
    result = upsert_record(session, RecordKind.FOUND, "F1", {"name": "Raju"}, actor=IMPORT)
    assert (result.outcome, result.version) == (UpsertOutcome.UPDATED, 3)
    assert not get_record(session, RecordKind.FOUND, "F1").deleted
    assert record_history(session, RecordKind.FOUND, "F1")[-1].action is HistoryAction.RESTORE


def test_bulk_upsert_mixed_batch(session: Session) -> None:
    upsert_records(
        session, [missing_input(f"M{i}", name=f"child {i}") for i in range(5)], actor=IMPORT
    )
    seq_before = max_change_seq(session)
    batch = [
        missing_input("M9", name="child 9"),  # created
        missing_input("M0", name="child 0"),  # unchanged
        found_input("M1", name="found, same id as a missing report"),  # created (other kind)
        missing_input("M1", name="child one"),  # updated
        missing_input("M8", name="child 8"),  # created
    ]
    results = upsert_records(session, batch, actor=IMPORT)
    assert [(r.kind, r.id, r.outcome, r.version) for r in results] == [
        (RecordKind.MISSING, "M9", UpsertOutcome.CREATED, 1),
        (RecordKind.MISSING, "M0", UpsertOutcome.UNCHANGED, 1),
        (RecordKind.FOUND, "M1", UpsertOutcome.CREATED, 1),
        (RecordKind.MISSING, "M1", UpsertOutcome.UPDATED, 2),
        (RecordKind.MISSING, "M8", UpsertOutcome.CREATED, 1),
    ]
    changes = changes_since(session, seq_before)
    assert [(c.kind, c.record_id, c.op, c.version) for c in changes] == [
        (RecordKind.MISSING, "M9", ChangeOp.CREATE, 1),
        (RecordKind.FOUND, "M1", ChangeOp.CREATE, 1),
        (RecordKind.MISSING, "M1", ChangeOp.UPDATE, 2),
        (RecordKind.MISSING, "M8", ChangeOp.CREATE, 1),
    ]  # in input order
    assert get_record(session, RecordKind.FOUND, "M1").fields["name"].startswith("found")
    assert get_record(session, RecordKind.MISSING, "M8").fields["name"] == "child 8"
    assert [v.version for v in record_history(session, RecordKind.MISSING, "M1")] == [1, 2]


def test_bulk_upsert_applies_a_repeated_id_in_order(session: Session) -> None:
    results = upsert_records(
        session,
        [
            missing_input("M1", name="a"),
            missing_input("M1", name="b"),
            missing_input("M1", name="b"),
        ],
        actor=IMPORT,
    )
    assert [(r.outcome, r.version) for r in results] == [
        (UpsertOutcome.CREATED, 1),
        (UpsertOutcome.UPDATED, 2),
        (UpsertOutcome.UNCHANGED, 2),
    ]
    assert get_record(session, RecordKind.MISSING, "M1").fields["name"] == "b"


def test_bulk_upsert_validates_everything_before_writing(session: Session) -> None:
    with pytest.raises(RecordError):
        upsert_records(session, [missing_input("M1", name="a"), missing_input("")], actor=IMPORT)
    assert count_records(session, include_deleted=True) == 0


def test_bulk_upsert_across_chunks(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import matcher.storage.repository as repository

    monkeypatch.setattr(repository, "BULK_CHUNK", 7)
    records = [missing_input(f"M{i:03}", name=f"n{i}", age=str(i % 17)) for i in range(50)]
    assert {r.outcome for r in upsert_records(session, records, actor=IMPORT)} == {
        UpsertOutcome.CREATED
    }
    changed = [
        missing_input(f"M{i:03}", name=f"n{i}", age=str((i + (i % 3 == 0)) % 17)) for i in range(50)
    ]
    outcomes = [r.outcome for r in upsert_records(session, changed, actor=IMPORT)]
    assert outcomes.count(UpsertOutcome.UPDATED) == 17
    assert outcomes.count(UpsertOutcome.UNCHANGED) == 33
    assert count(session, ChangeRow) == 67
    assert count_records(session) == 50


def test_from_raw_record(session: Session) -> None:
    raw = make_record(
        RecordKind.FOUND,
        {"id": "F7", "name": " Munna ", "found_state": "UP", "Remarks": "found at station"},
    )
    upsert_records(session, [RecordInput.from_raw(raw, state_code="IN-9")], actor=IMPORT)
    record = get_record(session, RecordKind.FOUND, "F7")
    assert record.fields["name"] == "Munna"
    assert dict(record.extra) == {"Remarks": "found at station"}
    assert record.raw().as_row() == raw.as_row()


def test_get_records_iter_records_and_count(session: Session) -> None:
    upsert_records(
        session,
        [missing_input(f"M{i}", name="x") for i in range(7)] + [found_input("F1", name="y")],
        actor=IMPORT,
    )
    delete_record(session, RecordKind.MISSING, "M3", actor=IMPORT)
    got = get_records(session, RecordKind.MISSING, ["M1", "M3", "nope", "M1"])
    assert list(got) == ["M1"]
    ids = [r.id for r in iter_records(session, RecordKind.MISSING, batch_size=2)]
    assert ids == ["M0", "M1", "M2", "M4", "M5", "M6"]
    assert len(list(iter_records(session, include_deleted=True, batch_size=3))) == 8
    assert count_records(session) == 7


def test_concurrent_writers_lose_no_update(session_factory: sessionmaker[Session]) -> None:
    """Two sessions updating one record at once: each either lands as its own version or
    fails with Conflict (SQLite), never silently overwrites the other (PostgreSQL serializes)."""
    with session_factory() as s:
        upsert_record(s, RecordKind.MISSING, "M1", {"name": "start"}, actor=IMPORT)
        s.commit()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(name: str) -> None:
        with session_factory() as s:
            barrier.wait()
            try:
                upsert_record(s, RecordKind.MISSING, "M1", {"name": name}, actor=IMPORT)
                s.commit()
                outcomes.append(name)
            except Conflict:
                s.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_factory() as s:
        history = record_history(s, RecordKind.MISSING, "M1")
    written = [o for o in outcomes if o != "conflict"]
    assert written
    assert [v.version for v in history] == list(range(1, len(written) + 2))
    assert sorted(v.fields["name"] for v in history[1:]) == sorted(written)


_ids = itertools.count()
field_text = st.text(max_size=30)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(st.sampled_from(fields_of(RecordKind.FOUND)[1:]), field_text),
    extra=st.dictionaries(st.text(min_size=1, max_size=10), field_text, max_size=3),
)
def test_any_unicode_round_trips_and_reimport_is_unchanged(
    session: Session, fields: dict[str, str], extra: dict[str, str]
) -> None:
    record_id = f"F-{next(_ids)}"
    upsert_record(session, RecordKind.FOUND, record_id, fields, extra, actor=IMPORT)
    stored = get_record(session, RecordKind.FOUND, record_id)
    assert dict(stored.fields) == {k: v for k, v in fields.items() if v}
    assert dict(stored.extra) == extra
    again = upsert_record(
        session, RecordKind.FOUND, record_id, stored.fields, stored.extra, actor=IMPORT
    )
    assert again.outcome is UpsertOutcome.UNCHANGED
