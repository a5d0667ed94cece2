"""Numbers and dates past what the database holds answer 422, never 500.

Found by schemathesis: ids above 2**63 (or 2**31 for key ids on PostgreSQL),
offsets past 2**63, ``older_than_days=1e17`` and a date in year 9999 moved
to UTC all reached the database or ``timedelta`` and came back as 500.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

HUGE = str(2**70)

CASES = [
    pytest.param("GET", f"/v1/review/{HUGE}", id="review item id past 2**63"),
    pytest.param("GET", f"/v1/review/{HUGE}/steps", id="steps of an item id past 2**63"),
    pytest.param("POST", f"/v1/review/{HUGE}/decision", id="decision on an item id past 2**63"),
    pytest.param("DELETE", f"/v1/keys/{HUGE}", id="key id past 2**63"),
    pytest.param("DELETE", "/v1/keys/2147483648", id="key id past 2**31 (PostgreSQL INTEGER)"),
    pytest.param("GET", f"/v1/audit?actor_key_id={HUGE}", id="audit actor key id past 2**63"),
    pytest.param("GET", f"/v1/audit?before_id={HUGE}", id="audit before_id past 2**63"),
    pytest.param("GET", f"/v1/review?offset={HUGE}", id="review offset past 2**63"),
    pytest.param("GET", f"/v1/records/missing?offset={HUGE}", id="records offset past 2**63"),
    pytest.param("GET", "/v1/review?older_than_days=1e17", id="older_than_days past timedelta"),
    pytest.param(
        "GET",
        "/v1/records/missing?updated_since=9999-12-31T23:59:59-05:00",
        id="updated_since in year 10000 once in UTC",
    ),
    pytest.param(
        "GET", "/v1/audit?since=9999-12-31T23:59:59-05:00", id="audit since in year 10000 in UTC"
    ),
]


@pytest.mark.parametrize(("method", "path"), CASES)
def test_out_of_range_values_are_refused(
    client: TestClient, admin: dict[str, str], method: str, path: str
) -> None:
    body = {"json": {"status": "unsure", "expected_version": 1}} if method == "POST" else {}
    response = client.request(method, path, headers=admin, **body)  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid"


def test_the_largest_values_that_fit_are_plain_misses(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert client.get(f"/v1/review/{2**63 - 1}", headers=admin).status_code == 404
    assert client.delete(f"/v1/keys/{2**31 - 1}", headers=admin).status_code == 404
