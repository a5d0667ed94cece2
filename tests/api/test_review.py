"""The review queue over HTTP: listing, side by side, decisions and their races, steps."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import FOUND_MP, KA, MP


def test_list_sorted_and_filtered(
    client: TestClient, admin: dict[str, str], pairs: dict[str, int]
) -> None:
    listed = client.get("/v1/review", headers=admin).json()
    scores = [i["score"] for i in listed["items"]]
    assert scores == sorted(scores, reverse=True)
    assert {pairs[MP], pairs[KA]} <= {i["id"] for i in listed["items"]}
    mp = client.get("/v1/review", params={"state": MP}, headers=admin).json()
    assert [i["id"] for i in mp["items"]] == [pairs[MP]]
    top = max(scores)
    high = client.get("/v1/review", params={"min_score": top}, headers=admin).json()
    assert all(i["score"] >= top for i in high["items"])
    low = client.get("/v1/review", params={"max_score": 0.0}, headers=admin).json()
    assert low["total"] == 0
    old = client.get("/v1/review", params={"older_than_days": 1}, headers=admin).json()
    assert old["total"] == 0  # proposed just now
    paged = client.get("/v1/review", params={"limit": 1}, headers=admin).json()
    assert (len(paged["items"]), paged["total"]) == (1, listed["total"])
    log = client.get("/v1/audit", params={"action": "review.list", "limit": 1}, headers=admin)
    assert log.json()["items"][0]["detail"]["ids"] == [paged["items"][0]["id"]]
    every = client.get("/v1/review", params={"any_status": True}, headers=admin).json()
    assert every["total"] == listed["total"]


def test_item_side_by_side_is_audited(
    client: TestClient, admin: dict[str, str], pairs: dict[str, int]
) -> None:
    detail = client.get(f"/v1/review/{pairs[MP]}", headers=admin).json()
    assert detail["found"]["id"] == "F-MP-1"
    assert detail["missing"]["id"] == "M-MP-1"
    fields = {f["field"] for f in detail["explanation"]["fields"]}
    assert "name" in fields
    assert all(
        {"field", "level", "weight", "detail"} <= set(f) for f in detail["explanation"]["fields"]
    )
    log = client.get("/v1/audit", params={"action": "review.read"}, headers=admin).json()
    entry = log["items"][0]
    assert entry["target_id"] == str(pairs[MP])
    assert entry["model_version"]
    assert client.get("/v1/review/999999", headers=admin).status_code == 404


def test_confirm_traces_the_report_and_records_steps(
    client: TestClient, caseworker: dict[str, str], admin: dict[str, str], pairs: dict[str, int]
) -> None:
    item = client.get(f"/v1/review/{pairs[MP]}", headers=caseworker).json()["item"]
    early = client.post(
        f"/v1/review/{pairs[MP]}/steps", json={"step": "family_contacted"}, headers=caseworker
    )
    assert early.status_code == 409  # not confirmed yet
    decided = client.post(
        f"/v1/review/{pairs[MP]}/decision",
        json={"status": "confirmed", "note": "photo", "expected_version": item["version"]},
        headers=caseworker,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "confirmed"
    assert decided.json()["decided_by"].startswith("key:")
    missing = client.get("/v1/records/missing/M-MP-1", headers=admin).json()
    assert missing["status"] == "traced"
    step = client.post(
        f"/v1/review/{pairs[MP]}/steps",
        json={"step": "family_contacted", "note": "father called"},
        headers=caseworker,
    )
    assert step.status_code == 201
    steps = client.get(f"/v1/review/{pairs[MP]}/steps", headers=caseworker).json()
    assert [s["step"] for s in steps] == ["family_contacted"]
    bad = client.post(
        f"/v1/review/{pairs[MP]}/steps", json={"step": "Family Contacted!"}, headers=caseworker
    )
    assert bad.status_code == 422
    log = client.get("/v1/audit", params={"action": "review.decide"}, headers=admin).json()
    assert log["items"][0]["detail"]["status"] == "confirmed"
    assert "note" not in log["items"][0]["detail"]


def test_second_decider_gets_409_with_the_first_decision(
    client: TestClient, admin: dict[str, str], caseworker: dict[str, str], pairs: dict[str, int]
) -> None:
    version = client.get(f"/v1/review/{pairs[MP]}", headers=admin).json()["item"]["version"]
    first = client.post(
        f"/v1/review/{pairs[MP]}/decision",
        json={"status": "rejected", "expected_version": version},
        headers=caseworker,
    )
    assert first.status_code == 200
    second = client.post(
        f"/v1/review/{pairs[MP]}/decision",
        json={"status": "confirmed", "expected_version": version},
        headers=admin,
    )
    assert second.status_code == 409
    body = second.json()
    assert body["error"] == "decision_conflict"
    assert body["current"]["status"] == "rejected"
    assert body["current"]["decided_by"] == first.json()["decided_by"]


def test_rejected_pair_comes_back_only_when_a_record_changes(
    client: TestClient, admin: dict[str, str], integrator: dict[str, str], pairs: dict[str, int]
) -> None:
    version = client.get(f"/v1/review/{pairs[MP]}", headers=admin).json()["item"]["version"]
    client.post(
        f"/v1/review/{pairs[MP]}/decision",
        json={"status": "rejected", "expected_version": version},
        headers=admin,
    )
    body = {k: v for k, v in FOUND_MP.items() if k != "id"}
    same = client.put("/v1/records/found/F-MP-1", json=body, headers=integrator).json()
    assert same["outcome"] == "unchanged"
    assert same["review_items"] == []
    pending = client.get("/v1/review", params={"state": MP}, headers=admin).json()
    assert pending["total"] == 0
    changed = client.put(
        "/v1/records/found/F-MP-1", json={**body, "marks": "mole on chin"}, headers=integrator
    ).json()
    assert changed["outcome"] == "updated"
    assert len(changed["review_items"]) == 1
    assert changed["review_items"][0] != pairs[MP]


def test_bad_decisions(client: TestClient, admin: dict[str, str], pairs: dict[str, int]) -> None:
    url = f"/v1/review/{pairs[MP]}/decision"
    for body in (
        {"status": "pending", "expected_version": 1},
        {"status": "confirmed"},
        {"status": "confirmed", "expected_version": "one"},
        {"status": "confirmed", "expected_version": 1, "reviewer": "me"},
    ):
        assert client.post(url, json=body, headers=admin).status_code == 422, body
    stale = client.post(url, json={"status": "unsure", "expected_version": 99}, headers=admin)
    assert stale.status_code == 409
    missing = client.post(
        "/v1/review/424242/decision",
        json={"status": "unsure", "expected_version": 1},
        headers=admin,
    )
    assert missing.status_code == 404
