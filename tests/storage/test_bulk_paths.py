"""The bulk paths an import and a worker's start-up use: pairs queued together, lean reads.

Each is checked against the one-at-a-time function it stands in for, so the
two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from matcher.errors import Conflict
from matcher.records import RecordKind
from matcher.storage.repository import (
    Actor,
    LinkDecision,
    PairJurisdiction,
    PairProposal,
    ProposeOutcome,
    RecordState,
    RecordStatus,
    ReviewStatus,
    decide,
    delete_record,
    get_record,
    get_review_item,
    iter_open_raw,
    list_review_items,
    propose_pair,
    propose_pairs,
    record_states,
    refresh_statistics,
    upsert_records,
)
from tests.conftest_db import found_input, missing_input

IMPORT = Actor.system("test-import")
ASHA = Actor(label="key:11", key_id=11, role="caseworker")


def _proposal(found_id: str, missing_id: str, **kw: Any) -> PairProposal:
    args: dict[str, Any] = {
        "found_id": found_id,
        "missing_id": missing_id,
        "score": 0.4,
        "match_weight": 1.5,
        "decision": LinkDecision.REVIEW,
        "explanation": {"fields": [{"field": "name", "level": "exact"}]},
        "model_version": "m-test",
    }
    args.update(kw)
    return PairProposal(**args)


def _comparable(item: Any) -> tuple[Any, ...]:
    """An item without its id and times (which differ between two databases)."""
    return (
        item.found_id,
        item.missing_id,
        item.score,
        item.match_weight,
        item.decision,
        dict(item.explanation),
        item.model_version,
        item.found_version,
        item.missing_version,
        item.status,
        item.jurisdiction,
        item.version,
    )


def test_new_pairs_are_stored_as_propose_pair_stores_them(session: Session) -> None:
    upsert_records(
        session,
        [found_input("F1", state_code="IN-23"), found_input("F2")]
        + [missing_input(f"M{i}", district_code="IN-414") for i in range(1, 4)],
        actor=IMPORT,
    )
    places = PairJurisdiction(found_state="IN-23", missing_district="IN-414")
    proposals = [
        _proposal("F1", "M1", jurisdiction=places),
        _proposal("F1", "M2", score=0.97, match_weight=9.0, decision=LinkDecision.MATCH),
        _proposal("F2", "M3", missing_version=1),
    ]
    results = propose_pairs(session, proposals)
    assert [r.outcome for r in results if r is not None] == [ProposeOutcome.CREATED] * 3
    stored = [get_review_item(session, r.item.id) for r in results if r and r.item]
    # What the bulk path returned is what is stored...
    assert [_comparable(r.item) for r in results if r] == [_comparable(s) for s in stored]
    # ... and what propose_pair stores for the same pairs (proposed again: unchanged).
    for p in proposals:
        again = propose_pair(
            session,
            p.found_id,
            p.missing_id,
            score=p.score,
            match_weight=p.match_weight,
            decision=p.decision,
            explanation=p.explanation,
            model_version=p.model_version,
            jurisdiction=p.jurisdiction or PairJurisdiction(),
        )
        assert again.outcome in (ProposeOutcome.UNCHANGED, ProposeOutcome.UPDATED)
    first = stored[0]
    assert first.jurisdiction == places
    # Without a jurisdiction, the records' own codes, as propose_pair does.
    assert stored[1].jurisdiction == PairJurisdiction(
        found_state="IN-23", missing_district="IN-414"
    )
    assert list_review_items(session)[1] == 3


def test_existing_pairs_follow_their_history(session: Session) -> None:
    upsert_records(
        session,
        [found_input("F1"), missing_input("M1"), missing_input("M2"), missing_input("M3")],
        actor=IMPORT,
    )
    pending = propose_pair(session, "F1", "M1", **_args())
    rejected = propose_pair(session, "F1", "M2", **_args())
    assert pending.item is not None and rejected.item is not None
    decide(session, rejected.item.id, ReviewStatus.REJECTED, ASHA, None, 1)
    results = propose_pairs(
        session,
        [
            _proposal("F1", "M1", score=0.8),  # pending: refreshed in place
            _proposal("F1", "M2"),  # rejected for these very versions: stands
            _proposal("F1", "M3"),  # new
        ],
    )
    outcomes = [r.outcome if r else None for r in results]
    assert outcomes == [ProposeOutcome.UPDATED, ProposeOutcome.SKIPPED, ProposeOutcome.CREATED]
    assert results[0] is not None and results[0].item is not None
    assert results[0].item.id == pending.item.id
    assert results[0].item.score == 0.8


def test_absent_deleted_and_closed_records_are_not_queued(session: Session) -> None:
    upsert_records(
        session,
        [found_input("F1"), found_input("F2"), missing_input("M1"), missing_input("M2")],
        actor=IMPORT,
    )
    delete_record(session, RecordKind.MISSING, "M2", actor=IMPORT)
    confirmed = propose_pair(session, "F2", "M1", **_args())
    assert confirmed.item is not None
    decide(session, confirmed.item.id, ReviewStatus.CONFIRMED, ASHA, None, 1)
    assert get_record(session, RecordKind.FOUND, "F2").status is RecordStatus.REUNITED
    upsert_records(session, [missing_input("M3")], actor=IMPORT)
    results = propose_pairs(
        session,
        [
            _proposal("F1", "M-absent"),
            _proposal("F1", "M2"),  # deleted
            _proposal("F2", "M3"),  # F2 is closed (reunited)
        ],
    )
    assert results[0] is None and results[1] is None
    assert results[2] is not None and results[2].outcome is ProposeOutcome.SKIPPED
    assert list_review_items(session)[1] == 0


def test_the_same_pair_twice_in_one_call_gives_one_item(session: Session) -> None:
    upsert_records(session, [found_input("F1"), missing_input("M1")], actor=IMPORT)
    results = propose_pairs(session, [_proposal("F1", "M1"), _proposal("F1", "M1", score=0.5)])
    assert [r.outcome for r in results if r] == [ProposeOutcome.CREATED, ProposeOutcome.UPDATED]
    items, total = list_review_items(session)
    assert total == 1 and items[0].score == 0.5


def _args() -> dict[str, Any]:
    p = _proposal("", "")
    return {
        "score": p.score,
        "match_weight": p.match_weight,
        "decision": p.decision,
        "explanation": p.explanation,
        "model_version": p.model_version,
    }


def test_record_states_say_version_and_status_of_live_records(session: Session) -> None:
    upsert_records(
        session, [missing_input("M1"), missing_input("M2"), found_input("M1")], actor=IMPORT
    )
    upsert_records(session, [missing_input("M1", name="Other Name")], actor=IMPORT)
    delete_record(session, RecordKind.MISSING, "M2", actor=IMPORT)
    states = record_states(session, RecordKind.MISSING, ["M1", "M2", "M-none"])
    assert states == {"M1": RecordState(2, RecordStatus.OPEN)}


def test_iter_open_raw_gives_what_stored_records_give(session: Session) -> None:
    upsert_records(
        session,
        [replace(missing_input("M0"), extra={"fir_no": "12", "b": "x"})]
        + [missing_input(f"M{i}") for i in range(1, 7)]
        + [found_input("F1")],
        actor=IMPORT,
    )
    delete_record(session, RecordKind.MISSING, "M3", actor=IMPORT)
    item = propose_pair(session, "F1", "M5", **_args()).item
    assert item is not None
    decide(session, item.id, ReviewStatus.CONFIRMED, ASHA, None, 1)  # M5 and F1 close
    pages = list(iter_open_raw(session, batch_size=2))
    raws = [raw for page, _ in pages for raw in page]
    assert [r.id for r in raws] == ["M0", "M1", "M2", "M4", "M6"]
    assert max(len(page) for page, _ in pages) <= 2
    for raw in raws:
        assert raw == get_record(session, raw.kind, raw.id).raw()
    assert dict(raws[0].extra) == {"fir_no": "12", "b": "x"}


def test_statistics_are_refreshed_for_the_tables_an_import_grows(session: Session) -> None:
    # Without statistics PostgreSQL estimates an id list of an import batch
    # to match most of the table and filters every report through the kind
    # prefix of another index: at 500,000 reports each lookup took 150 ms.
    upsert_records(
        session,
        [missing_input(f"M{i}", state_code="IN-MH", name="Asha") for i in range(5000)],
        actor=IMPORT,
    )
    session.commit()
    refresh_statistics(session)  # a no-op on SQLite, which must not fail either
    session.commit()
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite picks its unique index without statistics")
    rows = dict(
        session.execute(
            text(
                "SELECT relname, reltuples FROM pg_class "
                "WHERE relname IN ('records', 'record_versions', 'changes')"
            )
        ).all()
    )
    assert rows == {"records": 5000, "record_versions": 5000, "changes": 5000}


def test_a_key_clash_in_a_postgresql_copy_is_a_conflict_not_a_driver_error(
    session: Session,
) -> None:
    # COPY goes through the driver directly; its errors must still reach callers as
    # SQLAlchemy's (an IntegrityError becomes a retryable Conflict, answered 409).
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite inserts by executemany through SQLAlchemy")
    upsert_records(session, [missing_input("M1", name="Asha")], actor=IMPORT)
    session.commit()
    session.execute(text("SELECT setval(pg_get_serial_sequence('records', 'pk'), 1, false)"))
    with pytest.raises(Conflict):
        upsert_records(session, [missing_input("M2", name="Lata")], actor=IMPORT)


def test_a_batch_shared_timestamp_is_converted_once_per_column(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every timestamp column is recognised (also behind the UTC TypeDecorator), so rows
    sharing ``now`` convert it once; and the values are the driver's, as SQLAlchemy's."""
    from datetime import UTC, datetime

    from matcher.storage import repository

    calls: list[Any] = []
    real = repository._bind_converters

    def counting(session: Session, columns: Any) -> dict[str, Any]:
        converters = real(session, columns)
        return {
            name: None if convert is None else (lambda v, c=convert: calls.append(v) or c(v))
            for name, convert in converters.items()
        }

    monkeypatch.setattr(repository, "_bind_converters", counting)
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    rows = [
        {"kind": "missing", "record_id": f"M{i}", "op": "create", "version": 1, "at": now}
        for i in range(50)
    ]
    changes = repository._changes
    names, values = repository._bound_rows(session, changes, rows)
    assert calls == [now]
    expected = real(session, {"at": changes.c.at})["at"]
    at = names.index("at")
    assert {row[at] for row in values} == {expected(now) if expected else now}
    for column in (c for table in changes.metadata.tables.values() for c in table.c):
        if type(column.type).__name__ == "UtcDateTime":
            assert repository._is_datetime(column), column
