"""The live matching state: catching up with writes by other workers, closed records leave."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.matching import MatchingState, TermCounts, jurisdiction_of
from matcher.exchange import read_records
from matcher.normalize.person import Person
from matcher.records import RawRecord, RecordKind, make_record
from matcher.scoring.score import TermFrequencies
from matcher.storage import repository as repo
from tests.api.conftest import BHOPAL, FOUND_MP, KHARGONE, MISSING_MP, MP


def _state(client: TestClient) -> MatchingState:
    state: MatchingState = client.app.state.matching  # type: ignore[attr-defined]
    return state


def _write_elsewhere(client: TestClient, fields: dict[str, str]) -> None:
    """Store a missing report as another worker would: straight into the database."""
    raw = make_record(RecordKind.MISSING, fields)
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        repo.upsert_records(session, [repo.RecordInput.from_raw(raw)], actor=repo.SYSTEM)
        session.commit()


def test_catch_up_applies_writes_by_other_workers(client: TestClient) -> None:
    state = _state(client)
    assert state.size(RecordKind.MISSING) == 0
    _write_elsewhere(client, MISSING_MP)
    assert state.size(RecordKind.MISSING) == 0  # not before catching up
    assert state.catch_up() == 1
    assert state.size(RecordKind.MISSING) == 1
    assert state.catch_up() == 0  # nothing new
    person = state.normalize(make_record(RecordKind.FOUND, FOUND_MP))
    [(link, candidate)] = state.candidates_for(person, 5)
    assert candidate.id == "M-MP-1"
    assert link.pair.found_id == "F-MP-1"
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        repo.delete_record(session, RecordKind.MISSING, "M-MP-1", actor=repo.SYSTEM)
        session.commit()
    assert state.catch_up() == 1
    assert state.size(RecordKind.MISSING) == 0
    assert state.candidates_for(person, 5) == []


def test_catch_ups_freeze_what_they_indexed_once_enough_has_piled_up(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted across catch-ups (an import applies a batch at a time): unfrozen, every full
    garbage collection walked the whole index, longer and longer as an import went on."""
    import api.matching

    monkeypatch.setattr(api.matching, "FREEZE_AFTER_CHANGES", 3)
    freezes: list[int] = []
    monkeypatch.setattr(api.matching.gc, "freeze", lambda: freezes.append(1))
    state = _state(client)
    for n in range(2):
        _write_elsewhere(client, {**MISSING_MP, "id": f"M-{n}"})
        assert state.catch_up() == 1
    assert freezes == []  # two changes: not yet
    _write_elsewhere(client, {**MISSING_MP, "id": "M-2"})
    assert state.catch_up() == 1
    assert freezes == [1]
    assert state.size(RecordKind.MISSING) == 3


def test_a_restart_loads_what_is_stored(client: TestClient, integrator: dict[str, str]) -> None:
    client.post("/v1/records/missing", json=MISSING_MP, headers=integrator)
    fresh = MatchingState(
        client.app.state.session_factory,  # type: ignore[attr-defined]
        _state(client).model,
        _state(client).gazetteer,
        _state(client).thresholds,
    )
    assert not fresh.loaded
    assert fresh.catch_up() == 0  # nothing happens before loading
    fresh.load()
    assert fresh.size(RecordKind.MISSING) == 1
    assert fresh.seq == _state(client).seq


def test_confirmed_records_leave_the_index(
    client: TestClient, admin: dict[str, str], pairs: dict[str, int]
) -> None:
    state = _state(client)
    before = (state.size(RecordKind.MISSING), state.size(RecordKind.FOUND))
    version = client.get(f"/v1/review/{pairs[MP]}", headers=admin).json()["item"]["version"]
    client.post(
        f"/v1/review/{pairs[MP]}/decision",
        json={"status": "confirmed", "expected_version": version},
        headers=admin,
    )
    assert (state.size(RecordKind.MISSING), state.size(RecordKind.FOUND)) == (
        before[0] - 1,
        before[1] - 1,
    )


def test_jurisdiction_of_records(client: TestClient) -> None:
    state = _state(client)
    missing = jurisdiction_of(state.normalize(make_record(RecordKind.MISSING, MISSING_MP)))
    assert (missing.state_code, missing.district_code) == (MP, KHARGONE)
    found = jurisdiction_of(state.normalize(make_record(RecordKind.FOUND, FOUND_MP)))
    assert (found.state_code, found.district_code) == (MP, BHOPAL)
    no_found_place = {k: v for k, v in FOUND_MP.items() if not k.startswith("found_")}
    home = jurisdiction_of(state.normalize(make_record(RecordKind.FOUND, no_found_place)))
    assert (home.state_code, home.district_code) == (MP, KHARGONE)
    nowhere = jurisdiction_of(state.normalize(make_record(RecordKind.MISSING, {"id": "x"})))
    assert (nowhere.state_code, nowhere.district_code) == (None, None)


def test_two_concurrent_deciders_one_wins(
    client: TestClient, admin: dict[str, str], caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    version = client.get(f"/v1/review/{pairs[MP]}", headers=admin).json()["item"]["version"]
    barrier = threading.Barrier(2, timeout=10)
    codes: list[int] = []

    def decide(headers: dict[str, str], status: str) -> None:
        barrier.wait()
        response = client.post(
            f"/v1/review/{pairs[MP]}/decision",
            json={"status": status, "expected_version": version},
            headers=headers,
        )
        codes.append(response.status_code)

    threads = [
        threading.Thread(target=decide, args=(admin, "confirmed")),
        threading.Thread(target=decide, args=(caseworker, "rejected")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(codes) == [200, 409]


def _demo_persons(state: MatchingState, kind: RecordKind) -> list[Person]:
    demo = Path(__file__).resolve().parents[2] / "data" / "fixtures" / "demo" / f"{kind}.csv"
    return [state.normalize(r) for r in read_records(demo, kind) if isinstance(r, RawRecord)]


def test_term_counts_give_the_term_frequencies_of_the_records_counted(
    client: TestClient,
) -> None:
    persons = _demo_persons(_state(client), RecordKind.MISSING)
    counts = TermCounts()
    for person in persons:
        counts.add(person)
    assert counts.frequencies() == TermFrequencies.from_persons(persons)
    for person in persons[::3]:
        counts.remove(person)
    left = [p for i, p in enumerate(persons) if i % 3]
    assert counts.frequencies() == TermFrequencies.from_persons(left)
    assert TermCounts().frequencies() == TermFrequencies.from_persons([])


def test_the_index_term_counts_follow_writes_and_deletes(
    client: TestClient, integrator: dict[str, str]
) -> None:
    state = _state(client)
    demo = Path(__file__).resolve().parents[2] / "data" / "fixtures" / "demo" / "missing.csv"
    lines = demo.read_text("utf-8").splitlines(keepends=True)[:41]
    response = client.post(
        "/v1/imports/missing",
        content="".join(lines).encode(),
        headers={**integrator, "Content-Type": "text/csv"},
    )
    assert response.json()["created"] == 40
    ids = [line.split(",", 1)[0] for line in lines[1:]]
    # Another worker renames one report and deletes another; this one catches up.
    _write_elsewhere(
        client, {**MISSING_MP, "id": ids[0], "name": "Tanveer Alam", "father_name": "Irshad"}
    )
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        repo.delete_record(session, RecordKind.MISSING, ids[1], actor=repo.SYSTEM)
        session.commit()
    assert state.catch_up() == 2
    index_persons = list(state._indexes[RecordKind.MISSING].persons())
    assert len(index_persons) == 39
    assert state._terms[RecordKind.MISSING].frequencies() == TermFrequencies.from_persons(
        index_persons
    )
    fresh = MatchingState(
        client.app.state.session_factory,  # type: ignore[attr-defined]
        state.model,
        state.gazetteer,
        state.thresholds,
    )
    fresh.load()
    assert fresh._terms[RecordKind.MISSING].frequencies() == TermFrequencies.from_persons(
        index_persons
    )


def test_a_report_searching_found_children_takes_the_prior_of_a_pair(
    client: TestClient,
) -> None:
    """The prior of a pair is the same whichever side searches: spread over the reports.

    Spread over the few found children instead, it was far too high and nearly
    every new report went to the review queue.
    """
    state = _state(client)
    for i in range(30):
        _write_elsewhere(client, {**MISSING_MP, "id": f"M-OTHER-{i}", "name": f"Other{i}"})
    child = make_record(RecordKind.FOUND, FOUND_MP)
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        repo.upsert_records(session, [repo.RecordInput.from_raw(child)], actor=repo.SYSTEM)
        session.commit()
    state.catch_up()
    report = state.normalize(make_record(RecordKind.MISSING, MISSING_MP))
    [(link, candidate)] = state.candidates_for(report, 5)
    assert candidate.id == "F-MP-1"
    reports = state.size(RecordKind.MISSING)
    assert reports == 30
    assert link.pair.prior_weight == pytest.approx(state.model.prior_weight(reports))
    assert link.pair.prior_weight < state.model.prior_weight(state.size(RecordKind.FOUND)) - 4


def test_a_savepoint_released_publishes_nothing_before_the_outer_commit(
    client: TestClient,
) -> None:
    """Kept Persons wait for the outermost commit: a released savepoint is not a commit,
    and a rolled-back outer transaction forgets them."""
    state = _state(client)
    person = state.normalize(make_record(RecordKind.MISSING, MISSING_MP))
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        with session.begin_nested():
            state.remember_written(
                session, RecordKind.MISSING, "M-MP-1", 1, repo.RecordStatus.OPEN, person
            )
        assert state._written == {}  # released, not committed
        session.rollback()
    assert state._written == {} and state._publishing == 0
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        state.remember_written(
            session, RecordKind.MISSING, "M-MP-1", 1, repo.RecordStatus.OPEN, person
        )
        state.remember_written(
            session, RecordKind.MISSING, "M-X", 1, repo.RecordStatus.REUNITED, person
        )
        session.commit()
    assert set(state._written) == {(RecordKind.MISSING, "M-MP-1", 1)}
    assert state._publishing == 0


def test_the_background_catch_up_waits_for_a_publishing_commit_but_not_for_ever(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.matching

    state = _state(client)
    assert state._background_catch_up_due()
    now = 1000.0
    monkeypatch.setattr(api.matching.time, "monotonic", lambda: now)
    state._publishing, state._publishing_since = 1, now - 1.0
    assert not state._background_catch_up_due()  # a commit is publishing right now
    state._publishing_since = now - api.matching.PUBLISHING_PATIENCE_SECONDS - 1.0
    assert state._background_catch_up_due()  # a session never ended: go on anyway
    state._publishing = 0
