"""The review queue: proposing pairs, deciding them (races included), listing for caseworkers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from matcher.errors import Conflict, NotFound
from matcher.records import RecordKind
from matcher.storage.repository import (
    Actor,
    DecisionConflict,
    HistoryAction,
    LinkDecision,
    PairJurisdiction,
    ProposeOutcome,
    RecordStatus,
    ReviewItem,
    ReviewStatus,
    add_reunification_step,
    changes_since,
    decide,
    get_record,
    get_review_item,
    list_audit,
    list_decisions,
    list_reunification_steps,
    list_review_items,
    max_change_seq,
    propose_pair,
    record_history,
    upsert_record,
    upsert_records,
)
from tests.conftest_db import found_input, missing_input

IMPORT = Actor.system("test-import")
ASHA = Actor(label="key:11", key_id=11, role="caseworker")
RAVI = Actor(label="key:12", key_id=12, role="caseworker")
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def seed(session: Session, pairs: int = 1) -> None:
    upsert_records(
        session,
        [found_input(f"F{i}", name="Irfan", age="12") for i in range(1, pairs + 1)]
        + [missing_input(f"M{i}", name="Mohd. Irfan", age="10") for i in range(1, pairs + 1)],
        actor=IMPORT,
    )


def propose(
    session: Session, found_id: str = "F1", missing_id: str = "M1", **kw: Any
) -> ReviewItem:
    args: dict[str, Any] = {
        "score": 0.72,
        "match_weight": 5.4,
        "decision": LinkDecision.REVIEW,
        "explanation": {"comparisons": [{"field": "name", "level": "transliteration"}]},
        "model_version": "m-2024.1",
    }
    args.update(kw)
    result = propose_pair(session, found_id, missing_id, **args)
    assert result.item is not None
    return result.item


# -- proposing ---------------------------------------------------------------------------


def test_new_pair_is_pending(session: Session) -> None:
    seed(session)
    result = propose_pair(
        session,
        "F1",
        "M1",
        score=0.72,
        match_weight=5.4,
        decision="review",
        explanation={"why": "names"},
        model_version="m1",
        now=T0,
    )
    assert result.outcome is ProposeOutcome.CREATED
    item = result.item
    assert item is not None
    assert (item.found_id, item.missing_id, item.status) == ("F1", "M1", ReviewStatus.PENDING)
    assert (item.score, item.match_weight, item.decision) == (0.72, 5.4, LinkDecision.REVIEW)
    assert (item.found_version, item.missing_version, item.version) == (1, 1, 1)
    assert item.explanation == {"why": "names"}
    assert item.created_at == T0
    assert item.is_open


def test_pending_pair_proposed_again_updates_its_score(session: Session) -> None:
    seed(session)
    first = propose(session)
    same = propose_pair(
        session,
        "F1",
        "M1",
        score=0.72,
        match_weight=5.4,
        decision="review",
        explanation=first.explanation,
        model_version="m-2024.1",
    )
    assert same.outcome is ProposeOutcome.UNCHANGED
    assert same.item is not None and same.item.version == 1
    rescored = propose_pair(
        session,
        "F1",
        "M1",
        score=0.93,
        match_weight=9.1,
        decision="match",
        explanation={"x": 1},
        model_version="m-2024.2",
    )
    assert rescored.outcome is ProposeOutcome.UPDATED
    assert rescored.item is not None
    assert rescored.item.id == first.id
    assert (rescored.item.score, rescored.item.decision) == (0.93, LinkDecision.MATCH)
    assert rescored.item.version == 2
    assert list_review_items(session)[1] == 1


def test_rejected_pair_is_not_proposed_again_for_the_same_versions(session: Session) -> None:
    seed(session)
    item = propose(session)
    decide(session, item.id, ReviewStatus.REJECTED, ASHA, "different father", item.version)
    again = propose_pair(
        session,
        "F1",
        "M1",
        score=0.99,
        match_weight=12.0,
        decision="match",
        explanation={},
        model_version="m-2024.2",
    )
    assert again.outcome is ProposeOutcome.SKIPPED
    assert again.item is not None and again.item.status is ReviewStatus.REJECTED
    assert list_review_items(session, status=None)[1] == 1


def test_rejected_pair_comes_back_when_a_record_changed(session: Session) -> None:
    seed(session)
    item = propose(session)
    rejected = decide(session, item.id, ReviewStatus.REJECTED, ASHA, None, item.version)
    upsert_record(
        session,
        RecordKind.MISSING,
        "M1",
        {"name": "Mohd. Irfan", "age": "10", "marks": "mole on left cheek"},
        actor=IMPORT,
    )
    again = propose_pair(
        session,
        "F1",
        "M1",
        score=0.81,
        match_weight=7.0,
        decision="review",
        explanation={},
        model_version="m-2024.1",
    )
    assert again.outcome is ProposeOutcome.CREATED
    assert again.item is not None
    assert again.item.id != item.id
    assert (again.item.status, again.item.missing_version) == (ReviewStatus.PENDING, 2)
    old = get_review_item(session, item.id)
    assert old.status is ReviewStatus.REJECTED  # kept as history
    assert old.superseded_by_id == again.item.id
    assert old.version == rejected.version + 1
    assert list_review_items(session, status=None)[1] == 1
    assert list_review_items(session, status=None, include_superseded=True)[1] == 2
    # The new item can be decided; the superseded one cannot.
    with pytest.raises(DecisionConflict, match="superseded"):
        decide(session, old.id, ReviewStatus.CONFIRMED, ASHA, None, old.version)


def test_confirmed_pair_is_not_proposed_again(session: Session) -> None:
    seed(session)
    item = propose(session)
    decide(session, item.id, ReviewStatus.CONFIRMED, ASHA, None, item.version)
    again = propose_pair(
        session,
        "F1",
        "M1",
        score=0.5,
        match_weight=1.0,
        decision="review",
        explanation={},
        model_version="m",
    )
    assert again.outcome is ProposeOutcome.SKIPPED


def test_pairs_with_a_closed_record_are_skipped(session: Session) -> None:
    seed(session, pairs=2)
    item = propose(session, "F1", "M1")
    decide(session, item.id, ReviewStatus.CONFIRMED, ASHA, None, item.version)
    other = propose_pair(
        session,
        "F1",
        "M2",
        score=0.6,
        match_weight=2.0,
        decision="review",
        explanation={},
        model_version="m",
    )
    assert (other.outcome, other.item) == (ProposeOutcome.SKIPPED, None)


def test_unsure_pair_keeps_its_status_when_rescored(session: Session) -> None:
    seed(session)
    item = propose(session)
    unsure = decide(session, item.id, ReviewStatus.UNSURE, ASHA, "call the family", item.version)
    rescored = propose(session, score=0.66)
    assert (rescored.id, rescored.status, rescored.score) == (item.id, ReviewStatus.UNSURE, 0.66)
    assert rescored.version == unsure.version + 1


@pytest.mark.parametrize(
    ("found_id", "missing_id"),
    [
        pytest.param("nope", "M1", id="unknown found id"),
        pytest.param("F1", "nope", id="unknown missing id"),
        pytest.param("M1", "F1", id="ids of the wrong kinds"),
    ],
)
def test_proposing_unknown_records_is_not_found(
    session: Session, found_id: str, missing_id: str
) -> None:
    seed(session)
    with pytest.raises(NotFound):
        propose(session, found_id, missing_id)


@pytest.mark.parametrize(
    "kw",
    [
        pytest.param({"score": 1.2}, id="score above 1"),
        pytest.param({"score": float("nan")}, id="NaN score"),
        pytest.param({"match_weight": float("inf")}, id="infinite weight"),
        pytest.param({"decision": "maybe"}, id="unknown decision"),
        pytest.param({"model_version": ""}, id="no model version"),
    ],
)
def test_invalid_proposals_refused(session: Session, kw: dict[str, Any]) -> None:
    seed(session)
    with pytest.raises(ValueError):
        propose(session, **kw)


def test_jurisdiction_defaults_to_the_records_codes(session: Session) -> None:
    upsert_records(
        session,
        [
            found_input("F1", name="a", state_code="IN-36", district_code="IN-36-4"),
            missing_input("M1", name="a", state_code="IN-9", district_code="IN-9-62"),
        ],
        actor=IMPORT,
    )
    item = propose(session)
    assert item.jurisdiction == PairJurisdiction(
        found_state="IN-36",
        found_district="IN-36-4",
        missing_state="IN-9",
        missing_district="IN-9-62",
    )


def test_concurrent_proposals_of_one_pair_make_one_item(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        seed(s)
        s.commit()
    barrier = threading.Barrier(2)
    outcomes: list[ProposeOutcome] = []

    def run() -> None:
        with session_factory() as s:
            barrier.wait()
            outcomes.append(
                propose_pair(
                    s,
                    "F1",
                    "M1",
                    score=0.7,
                    match_weight=5.0,
                    decision="review",
                    explanation={},
                    model_version="m",
                ).outcome
            )
            s.commit()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [ProposeOutcome.CREATED, ProposeOutcome.UNCHANGED]
    with session_factory() as s:
        assert list_review_items(s, status=None, include_superseded=True)[1] == 1


# -- deciding ----------------------------------------------------------------------------


def test_confirming_closes_both_records(session: Session) -> None:
    seed(session)
    item = propose(session)
    seq = max_change_seq(session)
    decided = decide(
        session,
        item.id,
        ReviewStatus.CONFIRMED,
        ASHA,
        "father confirmed on call",
        item.version,
        now=T0,
    )
    assert (decided.status, decided.decided_by, decided.decided_at) == (
        ReviewStatus.CONFIRMED,
        "key:11",
        T0,
    )
    assert decided.note == "father confirmed on call"
    assert decided.version == item.version + 1
    missing = get_record(session, RecordKind.MISSING, "M1")
    found = get_record(session, RecordKind.FOUND, "F1")
    assert (missing.status, missing.version) == (RecordStatus.TRACED, 2)
    assert (found.status, found.version) == (RecordStatus.REUNITED, 2)
    assert record_history(session, RecordKind.MISSING, "M1")[-1].action is HistoryAction.STATUS
    assert {(c.record_id, c.op) for c in changes_since(session, seq)} == {
        ("M1", "update"),
        ("F1", "update"),
    }
    assert [
        (d.status, d.previous_status, d.decided_by) for d in list_decisions(session, item.id)
    ] == [(ReviewStatus.CONFIRMED, ReviewStatus.PENDING, "key:11")]
    [entry] = list_audit(session, action="review.decide")
    assert (entry.target_id, entry.actor_key_id, entry.model_version) == (
        str(item.id),
        11,
        "m-2024.1",
    )
    assert "father" not in str(entry.detail)  # notes may name people: never in the audit log


def test_rejecting_leaves_the_records_open(session: Session) -> None:
    seed(session)
    item = propose(session)
    decide(session, item.id, ReviewStatus.REJECTED, ASHA, None, item.version)
    assert get_record(session, RecordKind.MISSING, "M1").status is RecordStatus.OPEN
    assert get_record(session, RecordKind.FOUND, "F1").version == 1


def test_a_final_decision_cannot_be_made_twice(session: Session) -> None:
    seed(session)
    item = propose(session)
    decided = decide(session, item.id, ReviewStatus.REJECTED, ASHA, None, item.version, now=T0)
    with pytest.raises(DecisionConflict) as caught:
        decide(session, item.id, ReviewStatus.CONFIRMED, RAVI, None, decided.version)
    assert caught.value.current_status is ReviewStatus.REJECTED
    assert caught.value.decided_by == "key:11"
    assert "already decided: rejected by key:11" in str(caught.value)
    assert isinstance(caught.value, Conflict)


def test_unsure_can_be_decided_again(session: Session) -> None:
    seed(session)
    item = propose(session)
    unsure = decide(session, item.id, ReviewStatus.UNSURE, ASHA, None, item.version)
    final = decide(session, item.id, ReviewStatus.CONFIRMED, RAVI, None, unsure.version)
    assert final.status is ReviewStatus.CONFIRMED
    assert [(d.previous_status, d.status) for d in list_decisions(session, item.id)] == [
        (ReviewStatus.PENDING, ReviewStatus.UNSURE),
        (ReviewStatus.UNSURE, ReviewStatus.CONFIRMED),
    ]


def test_stale_version_is_a_conflict(session: Session) -> None:
    seed(session)
    item = propose(session)
    propose(session, score=0.91)  # rescored while the caseworker was reading
    with pytest.raises(DecisionConflict, match="changed since it was loaded") as caught:
        decide(session, item.id, ReviewStatus.CONFIRMED, ASHA, None, item.version)
    assert caught.value.current_version == item.version + 1
    assert get_review_item(session, item.id).status is ReviewStatus.PENDING


def test_decision_errors(session: Session) -> None:
    seed(session)
    item = propose(session)
    with pytest.raises(NotFound):
        decide(session, 999_999, ReviewStatus.CONFIRMED, ASHA, None, 1)
    with pytest.raises(ValueError):
        decide(session, item.id, ReviewStatus.PENDING, ASHA, None, item.version)


def decide_at_once(
    session_factory: sessionmaker[Session], item: ReviewItem, status: ReviewStatus
) -> tuple[list[str], list[DecisionConflict]]:
    """Two caseworkers, two sessions, released together: who won, and the loser's error."""
    barrier = threading.Barrier(2)
    won: list[str] = []
    lost: list[DecisionConflict] = []

    def run(actor: Actor) -> None:
        with session_factory() as s:
            barrier.wait()
            try:
                decide(s, item.id, status, actor, None, item.version)
                s.commit()
                won.append(actor.label)
            except DecisionConflict as exc:
                s.rollback()
                lost.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in (ASHA, RAVI)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return won, lost


@pytest.mark.parametrize(
    "status", [ReviewStatus.CONFIRMED, ReviewStatus.REJECTED], ids=lambda s: f"both {s}"
)
def test_two_caseworkers_deciding_at_once_exactly_one_wins(
    session_factory: sessionmaker[Session], status: ReviewStatus
) -> None:
    rounds = 5  # several rounds, so the decisions really overlap in most of them
    with session_factory() as s:
        seed(s, pairs=rounds)
        items = [propose(s, f"F{i}", f"M{i}") for i in range(1, rounds + 1)]
        s.commit()
    closed = status is ReviewStatus.CONFIRMED
    for item in items:
        won, lost = decide_at_once(session_factory, item, status)
        assert len(won) == 1 and len(lost) == 1
        assert lost[0].decided_by == won[0]
        with session_factory() as s:
            assert len(list_decisions(s, item.id)) == 1
            assert get_review_item(s, item.id).decided_by == won[0]
            missing = get_record(s, RecordKind.MISSING, item.missing_id)
            assert missing.status is (RecordStatus.TRACED if closed else RecordStatus.OPEN)
            history = record_history(s, RecordKind.MISSING, item.missing_id)
            assert len(history) == (2 if closed else 1)


# -- reunification -----------------------------------------------------------------------


def test_reunification_steps_follow_a_confirmed_match(session: Session) -> None:
    seed(session)
    item = propose(session)
    with pytest.raises(Conflict, match="confirmed match"):
        add_reunification_step(session, item.id, "family_contacted", None, ASHA)
    decide(session, item.id, ReviewStatus.CONFIRMED, ASHA, None, item.version)
    add_reunification_step(session, item.id, "family_contacted", "spoke to mother", ASHA, now=T0)
    add_reunification_step(session, item.id, "handed_over", None, RAVI, now=T0 + timedelta(days=3))
    steps = list_reunification_steps(session, item.id)
    assert [(s.step, s.note, s.actor, s.at) for s in steps] == [
        ("family_contacted", "spoke to mother", "key:11", T0),
        ("handed_over", None, "key:12", T0 + timedelta(days=3)),
    ]
    audited = list_audit(session, action="reunification.step")
    assert [e.detail for e in audited] == [{"step": "handed_over"}, {"step": "family_contacted"}]


@pytest.mark.parametrize(
    "step",
    [
        pytest.param("", id="empty"),
        pytest.param("Spoke to Sunita Devi", id="free text"),
        pytest.param("x" * 65, id="too long"),
    ],
)
def test_reunification_step_must_be_a_code(session: Session, step: str) -> None:
    seed(session)
    item = propose(session)
    decide(session, item.id, ReviewStatus.CONFIRMED, ASHA, None, item.version)
    with pytest.raises(ValueError, match="note"):
        add_reunification_step(session, item.id, step, None, ASHA)


# -- listing -----------------------------------------------------------------------------

PLACES = {
    # pair: (found state/district, found home state/district, missing state/district)
    1: ("IN-36", "IN-36-4", "IN-9", "IN-9-62", "IN-9", "IN-9-62"),  # found in Telangana, home UP
    2: ("IN-9", "IN-9-11", None, None, "IN-9", "IN-9-11"),  # all in UP
    3: ("IN-10", "IN-10-2", "IN-10", "IN-10-2", "IN-19", "IN-19-5"),  # Bihar / West Bengal
    4: (None, None, None, None, None, None),  # no usable places
}
SCORES = {1: 0.95, 2: 0.55, 3: 0.75, 4: 0.35}


@pytest.fixture
def queue(session: Session) -> dict[int, ReviewItem]:
    seed(session, pairs=4)
    items = {}
    for n, places in PLACES.items():
        items[n] = propose(
            session,
            f"F{n}",
            f"M{n}",
            score=SCORES[n],
            jurisdiction=PairJurisdiction(*places),
            now=T0 - timedelta(days=10 * n),
        )
    return items


def listed(session: Session, **kw: Any) -> list[int]:
    items, total = list_review_items(session, **kw)
    assert total >= len(items)
    return [int(i.found_id[1:]) for i in items]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({}, [1, 3, 2, 4], id="everything, highest score first"),
        pytest.param({"state_codes": ["IN-9"]}, [1, 2], id="UP caseworker: found or home in UP"),
        pytest.param({"state_codes": ["IN-36"]}, [1], id="Telangana: where the child was found"),
        pytest.param({"state_codes": ["IN-19"]}, [3], id="West Bengal: missing report's state"),
        pytest.param({"district_codes": ["IN-9-62"]}, [1], id="one district"),
        pytest.param(
            {"state_codes": ["IN-36"], "district_codes": ["IN-9-11"]},
            [1, 2],
            id="states or districts",
        ),
        pytest.param({"state_codes": [], "district_codes": []}, [], id="no jurisdiction at all"),
        pytest.param({"state_codes": ["IN-7"]}, [], id="a state with no items"),
        pytest.param({"min_score": 0.55, "max_score": 0.75}, [3, 2], id="score bounds inclusive"),
        pytest.param({"older_than_days": 25, "now": T0}, [3, 4], id="waiting 25 days or more"),
        pytest.param({"found_id": "F3"}, [3], id="one found child's candidates"),
        pytest.param({"missing_id": "M2"}, [2], id="one missing report's candidates"),
        pytest.param({"status": ReviewStatus.CONFIRMED}, [], id="nothing confirmed yet"),
    ],
)
def test_listing_filters(
    session: Session, queue: dict[int, ReviewItem], filters: dict[str, Any], expected: list[int]
) -> None:
    assert listed(session, **filters) == expected


def test_listing_pages_and_totals(session: Session, queue: dict[int, ReviewItem]) -> None:
    first, total = list_review_items(session, limit=2)
    second, total2 = list_review_items(session, limit=2, offset=2)
    assert total == total2 == 4
    assert [i.found_id for i in first + second] == ["F1", "F3", "F2", "F4"]


def test_listing_by_status(session: Session, queue: dict[int, ReviewItem]) -> None:
    decide(session, queue[3].id, ReviewStatus.REJECTED, ASHA, None, queue[3].version)
    assert listed(session) == [1, 2, 4]
    assert listed(session, status=ReviewStatus.REJECTED) == [3]
    assert listed(session, status=None) == [1, 3, 2, 4]
