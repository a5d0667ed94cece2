"""Bulk imports (CSV, JSON lines, atomic, oversized, broken) and ad-hoc matching."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.records import RecordKind
from matcher.settings import Settings
from matcher.storage import repository as repo
from tests.api.conftest import FOUND_MP, MISSING_KA, MISSING_MP, make_key

HEADER = "id,name,sex,age,father_name,village,district,state,missing_date,fir_no"
GOOD_CSV = (
    f"{HEADER}\n"
    "M-1,Radha Patel,female,14,Suresh Patel,Fatehkhera,Khargone,Madhya Pradesh,2017-06-04,12\n"
    ",no id here,male,3,,,,,,\n"
    "M-2,Manjunath Gowda,male,10,Ramesh Gowda,Hebbal,Bengaluru Urban,Karnataka,2020-02-01,\n"
    "M-1,duplicate,female,14,,,,,,\n"
)


def _count(client: TestClient) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return repo.count_records(session, include_deleted=True)


def _post(client: TestClient, headers: dict[str, str], body: str | bytes, **params: str):  # type: ignore[no-untyped-def]
    content = body.encode() if isinstance(body, str) else body
    return client.post(
        "/v1/imports/missing",
        content=content,
        params=params,
        headers={**headers, "Content-Type": "text/csv"},
    )


def test_csv_import_stores_good_rows_and_reports_bad_ones(
    client: TestClient, integrator: dict[str, str], admin: dict[str, str]
) -> None:
    response = _post(client, integrator, GOOD_CSV)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["rejected"]) == (4, 2, 2)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, "id"), (5, "id")]
    assert _count(client) == 2
    record = client.get("/v1/records/missing/M-1", headers=admin).json()
    assert record["extra"] == {"fir_no": "12"}
    again = _post(client, integrator, GOOD_CSV).json()
    assert (again["created"], again["unchanged"]) == (0, 2)  # idempotent
    log = client.get("/v1/audit", params={"action": "records.import"}, headers=admin).json()
    assert log["items"][0]["detail"]["created"] == 0
    assert "Radha" not in json.dumps(log)


def test_import_proposes_pairs(client: TestClient, integrator: dict[str, str]) -> None:
    _post(client, integrator, GOOD_CSV)
    found = ",".join(FOUND_MP)
    row = ",".join(str(v) for v in FOUND_MP.values())
    report = client.post(
        "/v1/imports/found",
        content=f"{found}\n{row}\n",
        headers={**integrator, "Content-Type": "text/csv"},
    ).json()
    assert report["created"] == 1
    assert report["review_items"] >= 1


def test_atomic_import_with_a_bad_row_stores_nothing(
    client: TestClient, integrator: dict[str, str]
) -> None:
    response = _post(client, integrator, GOOD_CSV, atomic="true")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "import_refused"
    assert body["stored"] is False
    assert body["rejected"] == 2
    assert _count(client) == 0
    clean = "\n".join(
        line for line in GOOD_CSV.splitlines() if not line.startswith((",", "M-1,dup"))
    )
    ok = _post(client, integrator, clean + "\n", atomic="true")
    assert ok.status_code == 200
    assert ok.json()["created"] == 2


def test_jsonl_import(client: TestClient, integrator: dict[str, str]) -> None:
    lines = [
        json.dumps(MISSING_MP),
        json.dumps(MISSING_KA),
        "{not json",
        json.dumps({**MISSING_MP, "id": "M-3", "name": ["x"]}),
    ]
    response = client.post(
        "/v1/imports/missing",
        content="\n".join(lines) + "\n",
        headers={**integrator, "Content-Type": "application/x-ndjson"},
    )
    report = response.json()
    assert (report["format"], report["created"], report["rejected"]) == ("jsonl", 2, 2)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, None), (4, "name")]


@pytest.mark.parametrize(
    ("body", "what"),
    [
        pytest.param("name,age\nRadha,14\n", "no 'id' column", id="no-id-column"),
        pytest.param("", "empty", id="empty-file"),
        pytest.param("id,id,name\n1,2,x\n", "repeats", id="repeated-column"),
    ],
)
def test_unreadable_files_are_422(
    client: TestClient, integrator: dict[str, str], body: str, what: str
) -> None:
    response = _post(client, integrator, body)
    assert response.status_code == 422
    assert response.json()["error"] == "unreadable_file"
    assert what in response.json()["detail"]
    assert _count(client) == 0


def test_broken_csv_rows_are_reported(client: TestClient, integrator: dict[str, str]) -> None:
    body = f'{HEADER}\nM-1,Radha,female,14,,,,,,,,,extra cells\nM-2,"Unclosed,female\n'
    report = _post(client, integrator, body).json()
    assert report["rejected"] >= 1
    assert report["errors"][0]["row"] == 2


def test_oversized_upload_is_413_and_stores_nothing(
    client: TestClient, integrator: dict[str, str]
) -> None:
    rows = "".join(f"M-{i},Name {i},male,10,,,,,,\n" for i in range(2000))  # > 20,000 bytes
    response = _post(client, integrator, f"{HEADER}\n{rows}")
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"

    def chunks():  # type: ignore[no-untyped-def]
        yield f"{HEADER}\n".encode()
        yield rows.encode()

    streamed = client.post(
        "/v1/imports/missing", content=chunks(), headers={**integrator, "Content-Type": "text/csv"}
    )
    assert streamed.status_code == 413  # no Content-Length: counted while streaming
    assert _count(client) == 0


def test_match_ranks_candidates_with_explanations_and_stores_nothing(
    client: TestClient, integrator: dict[str, str], admin: dict[str, str]
) -> None:
    for record in (MISSING_MP, MISSING_KA):
        client.post("/v1/records/missing", json=record, headers=integrator)
    query = {"kind": "found", **{k: v for k, v in FOUND_MP.items() if k != "id"}}
    response = client.post("/v1/match", json=query, params={"k": 5}, headers=integrator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["searched"] == "missing"
    assert body["searched_count"] == 2
    best = body["candidates"][0]
    assert best["candidate_id"] == "M-MP-1"
    assert best["missing_id"] == "M-MP-1"
    assert best["decision"] in ("match", "review")
    assert 0.0 <= best["match_probability"] <= 1.0
    assert {e["field"] for e in best["explanation"]} >= {"name", "sex"}
    probabilities = [c["match_probability"] for c in body["candidates"]]
    assert [c["rank"] for c in body["candidates"]] == list(range(1, len(probabilities) + 1))
    assert _count(client) == 2  # nothing stored
    only = client.post("/v1/match", json=query, params={"k": 1}, headers=integrator).json()
    assert len(only["candidates"]) == 1
    none = client.post(
        "/v1/match", json=query, params={"min_probability": 1.0}, headers=integrator
    ).json()
    assert all(c["match_probability"] >= 1.0 for c in none["candidates"])
    log = client.get("/v1/audit", params={"action": "match.query"}, headers=admin).json()
    assert log["items"][0]["model_version"] == body["model_version"]
    assert "Radha" not in json.dumps(log)


def test_match_searches_found_children_for_a_missing_report(
    client: TestClient, integrator: dict[str, str]
) -> None:
    client.post("/v1/records/found", json=FOUND_MP, headers=integrator)
    query = {"kind": "missing", **{k: v for k, v in MISSING_MP.items() if k != "id"}}
    body = client.post("/v1/match", json=query, headers=integrator).json()
    assert body["searched"] == "found"
    assert [(c["found_id"], c["missing_id"]) for c in body["candidates"]][:1] == [
        ("F-MP-1", "query")
    ]


@pytest.mark.parametrize(
    ("body", "params"),
    [
        pytest.param({"kind": "lost", "name": "x"}, {}, id="unknown-kind"),
        pytest.param({"name": "x"}, {}, id="no-kind"),
        pytest.param({"kind": "found", "missing_date": "2020"}, {}, id="other-kinds-field"),
        pytest.param({"kind": "found", "name": ["x"]}, {}, id="wrong-type"),
        pytest.param({"kind": "found", "name": "x"}, {"k": "0"}, id="k-zero"),
        pytest.param({"kind": "found", "name": "x"}, {"min_probability": "2"}, id="p-above-1"),
    ],
)
def test_bad_match_requests_are_422(
    client: TestClient, integrator: dict[str, str], body: dict[str, object], params: dict[str, str]
) -> None:
    response = client.post("/v1/match", json=body, params=params, headers=integrator)
    assert response.status_code == 422


def _queue(client: TestClient) -> list[tuple[object, ...]]:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        items, _ = repo.list_review_items(session, limit=100_000)
    return sorted(
        (
            i.found_id,
            i.missing_id,
            i.score,
            i.match_weight,
            i.decision,
            json.dumps(i.explanation, sort_keys=True),
            i.found_version,
            i.missing_version,
            i.jurisdiction,
        )
        for i in items
    )


@pytest.mark.parametrize("second", ["found", "missing"])
def test_an_import_queues_what_writing_each_record_queues(
    settings: Settings, tmp_path: Path, second: str
) -> None:
    """The import queues a batch's pairs together; the pairs are those of one-by-one writes.

    One kind is imported into two services; the other kind is imported into
    the first and written record by record (each matched and queued at once)
    into the second. The two queues must be the same, item for item.
    """
    demo = Path(__file__).resolve().parents[2] / "data" / "fixtures" / "demo"
    first = "missing" if second == "found" else "found"
    lines = (demo / f"{second}.csv").read_text("utf-8").splitlines(keepends=True)
    second_csv = "".join(lines[:301])  # the header and 300 records
    roomy = settings.model_copy(update={"max_upload_bytes": 10 * 1024 * 1024})
    one_by_one_db = f"sqlite:///{tmp_path / 'one-by-one.db'}"
    with (
        TestClient(create_app(roomy)) as client,
        TestClient(create_app(roomy.model_copy(update={"database_url": one_by_one_db}))) as single,
    ):
        integrator = make_key(client, repo.Role.INTEGRATOR)
        single_key = make_key(single, repo.Role.INTEGRATOR)
        for app, key in ((client, integrator), (single, single_key)):
            done = app.post(
                f"/v1/imports/{first}",
                content=(demo / f"{first}.csv").read_bytes(),
                headers={**key, "Content-Type": "text/csv"},
            )
            assert done.status_code == 200, done.text
        report = client.post(
            f"/v1/imports/{second}",
            content=second_csv.encode(),
            headers={**integrator, "Content-Type": "text/csv"},
        ).json()
        for row in csv.DictReader(io.StringIO(second_csv)):
            body = {k: v for k, v in row.items() if v}
            response = single.post(f"/v1/records/{second}", json=body, headers=single_key)
            assert response.status_code == 201, response.text
        imported, one_by_one = _queue(client), _queue(single)
    assert len(imported) > 20  # the demo data has pairs to find
    assert report["review_items"] == len(imported)
    assert imported == one_by_one


def test_a_refused_import_leaves_nothing_behind_in_the_index(settings: Settings) -> None:
    """An atomic import refused after its first batch was written (and rolled back) must
    not leave that batch's content to be indexed when the same id and version are later
    committed with other content: the index holds what is stored."""
    from api.routes.imports import BATCH

    rows = [f"{HEADER}\n"]
    rows += [
        f"M-{i},Radha Patel,female,14,Suresh Patel,,Khargone,Madhya Pradesh,,\n"
        for i in range(BATCH)
    ]
    rows.append(",no id here,male,3,,,,,,\n")
    roomy = settings.model_copy(update={"max_upload_bytes": 10 * 1024 * 1024})
    with TestClient(create_app(roomy)) as client:
        integrator = make_key(client, repo.Role.INTEGRATOR)
        refused = _post(client, integrator, "".join(rows), atomic="true")
        assert refused.status_code == 422 and _count(client) == 0
        # Nothing left waiting to be published: the background catch-up is not held up.
        assert client.app.state.matching._publishing == 0  # type: ignore[attr-defined]
        # The same id stored now (version 1 again) as someone else entirely, by another
        # worker: this one learns of it from the change sequence.
        other = {"name": "Manjunath Gowda", "sex": "male", "age": "10"}
        with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            [result] = repo.upsert_records(
                session,
                [repo.RecordInput(RecordKind.MISSING, "M-0", other, {}, None, None)],
                actor=repo.Actor.system("another-worker"),
            )
            session.commit()
        assert result.version == 1
        client.app.state.matching.catch_up()  # type: ignore[attr-defined]
        match = client.post(
            "/v1/match", json={"kind": "found", **other}, params={"k": 3}, headers=integrator
        ).json()
        assert [c["candidate_id"] for c in match["candidates"]] == ["M-0"]
        name = next(e for e in match["candidates"][0]["explanation"] if e["field"] == "name")
        assert name["level"] == "exact", name


def test_a_worker_indexes_its_own_committed_import_without_reading_it_back(
    client: TestClient, integrator: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catch-up after an import indexes the Persons the import normalized: no record's
    state or text is read back (that was 4% of a large import), and the records are found."""
    reads: list[str] = []
    for name in ("record_states", "get_records"):
        real = getattr(repo, name)
        monkeypatch.setattr(
            repo,
            name,
            lambda *a, _real=real, _name=name, **kw: reads.append(_name) or _real(*a, **kw),
        )
    response = _post(client, integrator, GOOD_CSV)
    assert response.status_code == 200 and response.json()["created"] == 2
    assert reads == []
    assert client.app.state.matching._publishing == 0  # type: ignore[attr-defined]
    query = {"kind": "found", **{k: v for k, v in FOUND_MP.items() if k != "id"}}
    match = client.post("/v1/match", json=query, params={"k": 1}, headers=integrator).json()
    assert [c["candidate_id"] for c in match["candidates"]] == ["M-1"]
