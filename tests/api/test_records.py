"""Records over HTTP: create, replace, patch, read, list, history, delete; bad bodies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from matcher.records import RecordKind
from matcher.storage import repository as repo
from tests.api.conftest import BHOPAL, FOUND_MP, KHARGONE, MISSING_KA, MISSING_MP, MP


def _count(client: TestClient) -> int:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return repo.count_records(session, include_deleted=True)


def test_create_stores_files_and_proposes(client: TestClient, integrator: dict[str, str]) -> None:
    created = client.post("/v1/records/missing", json=MISSING_MP, headers=integrator)
    assert created.status_code == 201
    body = created.json()
    assert body["outcome"] == "created"
    assert body["record"]["state_code"] == MP
    assert body["record"]["district_code"] == KHARGONE
    assert body["record"]["fields"]["name"] == "Radha Patel"
    found = client.post("/v1/records/found", json=FOUND_MP, headers=integrator).json()
    assert found["record"]["district_code"] == BHOPAL  # filed where the child was found
    assert len(found["review_items"]) == 1
    # the new record is in this worker's index at once
    assert client.app.state.matching.size(RecordKind.FOUND) == 1  # type: ignore[attr-defined]


def test_duplicate_create_is_409(client: TestClient, integrator: dict[str, str]) -> None:
    assert (
        client.post("/v1/records/missing", json=MISSING_MP, headers=integrator).status_code == 201
    )
    again = client.post("/v1/records/missing", json=MISSING_MP, headers=integrator)
    assert again.status_code == 409
    assert again.json()["error"] == "conflict"


def test_put_creates_then_replaces(client: TestClient, integrator: dict[str, str]) -> None:
    body = {k: v for k, v in MISSING_MP.items() if k != "id"}
    first = client.put("/v1/records/missing/M-9", json=body, headers=integrator)
    assert first.status_code == 201
    same = client.put("/v1/records/missing/M-9", json=body, headers=integrator)
    assert (same.status_code, same.json()["outcome"]) == (200, "unchanged")
    replaced = client.put("/v1/records/missing/M-9", json={"name": "Radha"}, headers=integrator)
    assert replaced.json()["outcome"] == "updated"
    assert replaced.json()["record"]["fields"] == {"name": "Radha"}  # the rest emptied
    assert replaced.json()["record"]["version"] == 2


def test_patch_changes_only_what_is_sent(client: TestClient, integrator: dict[str, str]) -> None:
    client.post(
        "/v1/records/missing", json={**MISSING_MP, "extra": {"fir": "1"}}, headers=integrator
    )
    patched = client.patch(
        "/v1/records/missing/M-MP-1", json={"age": 15, "marks": None}, headers=integrator
    )
    assert patched.status_code == 200
    record = patched.json()["record"]
    assert record["fields"]["age"] == "15"  # numbers are taken as text
    assert record["fields"]["name"] == "Radha Patel"
    assert record["extra"] == {"fir": "1"}
    missing = client.patch("/v1/records/missing/nope", json={"age": "3"}, headers=integrator)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({**MISSING_MP, "fathers_name": "x"}, id="unknown-field"),
        pytest.param({**MISSING_MP, "found_date": "2020-01-01"}, id="other-kinds-field"),
        pytest.param({**MISSING_MP, "name": ["Radha"]}, id="list-for-text"),
        pytest.param({**MISSING_MP, "name": {"a": 1}}, id="object-for-text"),
        pytest.param({**MISSING_MP, "extra": {"a": 1.5, "b": []}}, id="extra-not-text"),
        pytest.param({**MISSING_MP, "id": ""}, id="empty-id"),
        pytest.param({**MISSING_MP, "id": " padded "}, id="padded-id"),
        pytest.param({**MISSING_MP, "id": "a\x00b"}, id="control-char-id"),
        pytest.param({k: v for k, v in MISSING_MP.items() if k != "id"}, id="no-id"),
    ],
)
def test_bad_bodies_are_422_and_store_nothing(
    client: TestClient, integrator: dict[str, str], body: dict[str, Any]
) -> None:
    response = client.post("/v1/records/missing", json=body, headers=integrator)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid"
    assert "Radha" not in response.text  # personal data is not echoed back
    assert _count(client) == 0


def test_not_json_is_422(client: TestClient, integrator: dict[str, str]) -> None:
    response = client.post(
        "/v1/records/missing",
        content=b"id,name\n1,x",
        headers={**integrator, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert _count(client) == 0


def test_get_is_audited(
    client: TestClient, integrator: dict[str, str], admin: dict[str, str]
) -> None:
    client.post("/v1/records/missing", json=MISSING_MP, headers=integrator)
    got = client.get("/v1/records/missing/M-MP-1", headers=integrator)
    assert got.status_code == 200
    assert got.json()["id"] == "M-MP-1"
    log = client.get("/v1/audit", params={"action": "record.read"}, headers=admin).json()
    assert [(e["target_kind"], e["target_id"]) for e in log["items"]] == [("missing", "M-MP-1")]
    assert client.get("/v1/records/found/M-MP-1", headers=integrator).status_code == 404


def test_list_filters_and_pages(client: TestClient, admin: dict[str, str]) -> None:
    for record in (MISSING_MP, {**MISSING_MP, "id": "M-MP-2"}, MISSING_KA):
        assert client.post("/v1/records/missing", json=record, headers=admin).status_code == 201
    everything = client.get("/v1/records/missing", headers=admin).json()
    assert everything["total"] == 3
    mp = client.get("/v1/records/missing", params={"state": MP}, headers=admin).json()
    assert sorted(r["id"] for r in mp["items"]) == ["M-MP-1", "M-MP-2"]
    by_district = client.get("/v1/records/missing", params={"district": KHARGONE}, headers=admin)
    assert by_district.json()["total"] == 2
    page = client.get("/v1/records/missing", params={"limit": 1, "offset": 1}, headers=admin)
    assert (len(page.json()["items"]), page.json()["total"]) == (1, 3)
    since = everything["items"][-1]["updated_at"]
    newer = client.get("/v1/records/missing", params={"updated_since": since}, headers=admin)
    assert [r["id"] for r in newer.json()["items"]] == ["M-KA-1"]
    traced = client.get("/v1/records/missing", params={"status": "traced"}, headers=admin)
    assert traced.json()["total"] == 0
    bad = client.get("/v1/records/missing", params={"limit": 0}, headers=admin)
    assert bad.status_code == 422


def test_delete_is_soft_audited_and_leaves_history(
    client: TestClient, integrator: dict[str, str], admin: dict[str, str]
) -> None:
    client.post("/v1/records/missing", json=MISSING_MP, headers=integrator)
    deleted = client.delete("/v1/records/missing/M-MP-1", headers=integrator)
    assert deleted.status_code == 200
    assert deleted.json()["deleted_at"] is not None
    assert client.get("/v1/records/missing/M-MP-1", headers=integrator).status_code == 404
    history = client.get("/v1/records/missing/M-MP-1/history", headers=admin).json()
    assert [v["action"] for v in history] == ["create", "delete"]
    log = client.get("/v1/audit", params={"action": "record.delete"}, headers=admin).json()
    assert log["items"][0]["target_id"] == "M-MP-1"
    assert client.app.state.matching.size(RecordKind.MISSING) == 0  # type: ignore[attr-defined]
    assert client.delete("/v1/records/missing/nope", headers=integrator).status_code == 404
