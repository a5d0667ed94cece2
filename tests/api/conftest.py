"""Fixtures for the API tests: a small app per test on SQLite (and PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.settings import Settings
from matcher.storage import repository as repo
from tests.conftest_db import *  # noqa: F403  (fixtures are found by name)

MP, BHOPAL, KHARGONE = "IN-23", "IN-396", "IN-414"
KA, BENGALURU = "IN-29", "IN-525"

#: A missing report from Khargone (Madhya Pradesh) and the same child found in Bhopal.
MISSING_MP: dict[str, Any] = {
    "id": "M-MP-1",
    "name": "Radha Patel",
    "sex": "female",
    "age": "14",
    "father_name": "Suresh Patel",
    "village": "Fatehkhera",
    "district": "Khargone",
    "state": "Madhya Pradesh",
    "languages": "Hindi",
    "missing_date": "2017-06-04",
}
FOUND_MP: dict[str, Any] = {
    "id": "F-MP-1",
    "name": "Radha",
    "sex": "F",
    "age": "approx 15",
    "father_name": "Suresh",
    "village": "Fatehkheda",
    "district": "Khargon",
    "state": "MP",
    "found_date": "2018-01-12",
    "found_district": "Bhopal",
    "found_state": "Madhya Pradesh",
}
#: A pair in Karnataka, outside the test caseworker's jurisdiction.
MISSING_KA: dict[str, Any] = {
    "id": "M-KA-1",
    "name": "Manjunath Gowda",
    "sex": "male",
    "age": "10",
    "father_name": "Ramesh Gowda",
    "village": "Hebbal",
    "district": "Bengaluru Urban",
    "state": "Karnataka",
    "missing_date": "2020-02-01",
}
FOUND_KA: dict[str, Any] = {
    "id": "F-KA-1",
    "name": "Manjunatha",
    "sex": "M",
    "age": "11",
    "father_name": "Ramesh",
    "village": "Hebbala",
    "district": "Bangalore",
    "state": "Karnataka",
    "found_date": "2020-09-01",
    "found_district": "Bengaluru Urban",
    "found_state": "Karnataka",
}


@pytest.fixture
def settings(database_url: str) -> Settings:
    # A long refresh: tests call catch-up through the writes, not the background thread.
    return Settings(
        database_url=database_url,
        demo=False,
        secret_key="test-secret",
        index_refresh_seconds=300,
        max_upload_bytes=20_000,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def make_key(client: TestClient, role: repo.Role, *, states=(), districts=()) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        _, secret = repo.create_api_key(session, f"test-{role}", role, states, districts)
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    return make_key(client, repo.Role.ADMIN)


@pytest.fixture
def integrator(client: TestClient) -> dict[str, str]:
    return make_key(client, repo.Role.INTEGRATOR)


@pytest.fixture
def caseworker(client: TestClient) -> dict[str, str]:
    """A caseworker for Madhya Pradesh only."""
    return make_key(client, repo.Role.CASEWORKER, states=[MP])


@pytest.fixture
def pairs(client: TestClient, integrator: dict[str, str]) -> dict[str, int]:
    """Both pairs stored (missing first, then found): review item id per state."""
    items: dict[str, int] = {}
    for missing, found, state in ((MISSING_MP, FOUND_MP, MP), (MISSING_KA, FOUND_KA, KA)):
        assert (
            client.post("/v1/records/missing", json=missing, headers=integrator).status_code == 201
        )
        response = client.post("/v1/records/found", json=found, headers=integrator)
        assert response.status_code == 201, response.text
        proposed = response.json()["review_items"]
        assert proposed, f"the {state} pair was not proposed"
        items[state] = proposed[0]
    return items
