"""Keys and roles: 401 without a key, 403 for the wrong role, jurisdiction for caseworkers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from matcher.storage import repository as repo
from tests.api.conftest import BHOPAL, FOUND_MP, KA, MISSING_KA, MISSING_MP, MP, make_key

#: Every endpoint that needs a key, with a harmless request.
ENDPOINTS = [
    ("GET", "/v1/records/missing"),
    ("GET", "/v1/records/found/x"),
    ("POST", "/v1/records/found"),
    ("PUT", "/v1/records/missing/x"),
    ("PATCH", "/v1/records/missing/x"),
    ("DELETE", "/v1/records/missing/x"),
    ("GET", "/v1/records/missing/x/history"),
    ("POST", "/v1/imports/missing"),
    ("POST", "/v1/match"),
    ("GET", "/v1/review"),
    ("GET", "/v1/review/1"),
    ("POST", "/v1/review/1/decision"),
    ("POST", "/v1/review/1/steps"),
    ("GET", "/v1/review/1/steps"),
    ("GET", "/v1/audit"),
    ("GET", "/v1/keys"),
    ("POST", "/v1/keys"),
    ("DELETE", "/v1/keys/1"),
    ("GET", "/v1/me"),
]


def test_every_endpoint_needs_a_key(client: TestClient) -> None:
    for method, path in ENDPOINTS:
        for headers in ({}, {"X-API-Key": "mk_wrong"}, {"Authorization": "Bearer nope"}):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.json()["error"] == "unauthorized"


def test_health_needs_no_key(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["index_loaded"] is True


def test_readyz_is_503_when_the_index_is_not_loaded(client: TestClient) -> None:
    client.app.state.matching.loaded = False  # type: ignore[attr-defined]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"


def test_both_headers_work_and_revoked_keys_stop(client: TestClient, admin: dict[str, str]) -> None:
    created = client.post(
        "/v1/keys", json={"name": "x", "role": "integrator"}, headers=admin
    ).json()
    secret = created["secret"]
    assert client.get("/v1/me", headers={"X-API-Key": secret}).json()["role"] == "integrator"
    assert client.get("/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert client.delete(f"/v1/keys/{created['key']['id']}", headers=admin).status_code == 200
    assert client.get("/v1/me", headers={"X-API-Key": secret}).status_code == 401


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        pytest.param("integrator", "GET", "/v1/review", id="integrator-no-queue"),
        pytest.param("integrator", "GET", "/v1/audit", id="integrator-no-audit"),
        pytest.param("integrator", "GET", "/v1/keys", id="integrator-no-keys"),
        pytest.param("caseworker", "POST", "/v1/records/missing", id="caseworker-no-writes"),
        pytest.param("caseworker", "POST", "/v1/imports/missing", id="caseworker-no-imports"),
        pytest.param("caseworker", "POST", "/v1/match", id="caseworker-no-adhoc-match"),
        pytest.param("caseworker", "DELETE", "/v1/records/missing/x", id="caseworker-no-delete"),
        pytest.param("caseworker", "GET", "/v1/audit", id="caseworker-no-audit"),
        pytest.param("caseworker", "POST", "/v1/keys", id="caseworker-no-keys"),
    ],
)
def test_wrong_role_is_403(client: TestClient, role: str, method: str, path: str) -> None:
    headers = make_key(client, repo.Role(role), states=[MP])
    response = client.request(method, path, headers=headers, json={})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_caseworker_never_sees_outside_jurisdiction(
    client: TestClient, caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    # records
    assert client.get("/v1/records/missing/M-MP-1", headers=caseworker).status_code == 200
    assert client.get("/v1/records/missing/M-KA-1", headers=caseworker).status_code == 404
    assert client.get("/v1/records/found/F-KA-1", headers=caseworker).status_code == 404
    assert client.get("/v1/records/found/F-KA-1/history", headers=caseworker).status_code == 404
    listed = client.get("/v1/records/missing", headers=caseworker).json()
    assert [r["id"] for r in listed["items"]] == ["M-MP-1"]
    for params in ({"state": KA}, {"district": "IN-525"}, {"state": MP, "district": "IN-525"}):
        assert (
            client.get("/v1/records/missing", params=params, headers=caseworker).json()["total"]
            == 0
        ), params
    by_district = client.get("/v1/records/found", params={"district": BHOPAL}, headers=caseworker)
    assert [r["id"] for r in by_district.json()["items"]] == ["F-MP-1"]
    # the queue
    queue = client.get("/v1/review", headers=caseworker).json()
    assert [i["id"] for i in queue["items"]] == [pairs[MP]]
    assert client.get("/v1/review", params={"state": KA}, headers=caseworker).json()["total"] == 0
    ka = pairs[KA]
    assert client.get(f"/v1/review/{ka}", headers=caseworker).status_code == 404
    assert client.get(f"/v1/review/{ka}/steps", headers=caseworker).status_code == 404
    decision = client.post(
        f"/v1/review/{ka}/decision",
        json={"status": "rejected", "expected_version": 1},
        headers=caseworker,
    )
    assert decision.status_code == 404


def test_caseworker_by_district_and_without_assignment(
    client: TestClient, pairs: dict[str, int]
) -> None:
    bhopal = make_key(client, repo.Role.CASEWORKER, districts=[BHOPAL])
    queue = client.get("/v1/review", headers=bhopal).json()
    assert [i["id"] for i in queue["items"]] == [pairs[MP]]
    assert client.get("/v1/records/found/F-MP-1", headers=bhopal).status_code == 200
    assert client.get("/v1/records/missing/M-MP-1", headers=bhopal).status_code == 404  # Khargone
    nobody = make_key(client, repo.Role.CASEWORKER)
    assert client.get("/v1/review", headers=nobody).json()["total"] == 0
    assert client.get("/v1/records/missing", headers=nobody).json()["total"] == 0


def test_keys_admin(client: TestClient, admin: dict[str, str]) -> None:
    made = client.post(
        "/v1/keys",
        json={"name": "cwc", "role": "caseworker", "states": [MP], "districts": [BHOPAL]},
        headers=admin,
    )
    assert made.status_code == 201
    assert made.json()["secret"].startswith("mk_")
    listed = client.get("/v1/keys", headers=admin).json()
    assert "cwc" in [k["name"] for k in listed]
    assert all("secret" not in k and "key_hash" not in k for k in listed)
    unknown = client.post(
        "/v1/keys", json={"name": "x", "role": "caseworker", "states": ["IN-999"]}, headers=admin
    )
    assert unknown.status_code == 422
    assert (
        client.post("/v1/keys", json={"name": "x", "role": "boss"}, headers=admin).status_code
        == 422
    )
    assert client.delete("/v1/keys/9999", headers=admin).status_code == 404
    log = client.get("/v1/audit", params={"action": "api_key.create"}, headers=admin).json()
    assert log["items"]


def test_audit_filters_and_pages(
    client: TestClient, admin: dict[str, str], integrator: dict[str, str]
) -> None:
    for record in (MISSING_MP, MISSING_KA):
        client.post("/v1/records/missing", json=record, headers=integrator)
        client.get(f"/v1/records/missing/{record['id']}", headers=integrator)
    reads = client.get("/v1/audit", params={"action": "record.read", "limit": 1}, headers=admin)
    page = reads.json()
    assert len(page["items"]) == 1 and page["next_before_id"] is not None
    rest = client.get(
        "/v1/audit",
        params={"action": "record.read", "before_id": page["next_before_id"]},
        headers=admin,
    ).json()
    assert [e["target_id"] for e in rest["items"]] == ["M-MP-1"]
    one = client.get("/v1/audit", params={"target_id": "M-KA-1"}, headers=admin).json()
    assert {e["action"] for e in one["items"]} == {"record.read"}
    assert "Radha" not in reads.text and "Radha" not in client.get("/v1/audit", headers=admin).text
    naive = client.get("/v1/audit", params={"since": "2020-01-01T00:00:00"}, headers=admin)
    assert naive.status_code == 422
    _ = FOUND_MP


def test_openapi_describes_every_route_with_tags_and_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for method, path in ENDPOINTS:
        template = path.replace("/x", "/{record_id}").replace("/1", "/{item_id}")
        if path.startswith("/v1/keys/"):
            template = "/v1/keys/{key_id}"
        if path.startswith("/v1/imports/"):
            template = "/v1/imports/{kind}"
        assert method.lower() in paths[template], (method, path)
        assert paths[template][method.lower()]["tags"], template
    assert {t["name"] for t in spec["tags"]} >= {"records", "imports", "match", "review", "keys"}
    schemas = spec["components"]["schemas"]
    for name in ("MissingRecordCreate", "FoundRecordCreate", "DecisionCreate", "ImportReport"):
        assert schemas[name].get("examples"), name
    assert set(spec["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyHeader"}


def test_unexpected_errors_are_500_without_details(
    client: TestClient, admin: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    from api.deps import matching_state

    class Broken:
        def normalize(self, raw: object) -> object:
            raise RuntimeError("secret name Radha")

    client.app.dependency_overrides[matching_state] = Broken  # type: ignore[attr-defined]
    try:
        response = client.post("/v1/match", json={"kind": "found", "name": "x"}, headers=admin)
    finally:
        client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert response.status_code == 500
    assert "Radha" not in response.text
    assert "Radha" not in caplog.text


def test_readyz_is_503_when_the_database_is_unreachable(
    client: TestClient, tmp_path: pytest.TempPathFactory
) -> None:
    from matcher.storage.engine import make_engine, make_session_factory

    working = client.app.state.session_factory  # type: ignore[attr-defined]
    broken = make_engine(f"sqlite:///{tmp_path}/no/such/dir/x.db")
    client.app.state.session_factory = make_session_factory(broken)  # type: ignore[attr-defined]
    try:
        response = client.get("/readyz")
    finally:
        client.app.state.session_factory = working  # type: ignore[attr-defined]
        broken.dispose()
    assert response.status_code == 503
    assert response.json()["database"] is False
