"""Fixtures for the page tests: the API tests' app, keys and pairs; signing in through the form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import (  # noqa: F401  (fixtures are found by name)
    FOUND_KA,
    FOUND_MP,
    KA,
    MISSING_KA,
    MISSING_MP,
    MP,
    admin,
    caseworker,
    client,
    integrator,
    make_key,
    pairs,
    settings,
)
from tests.conftest_db import *  # noqa: F403

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match is not None, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(test_client: TestClient, headers: dict[str, str]) -> None:
    """Sign in through the form with the key of an API-test header."""
    secret = headers["Authorization"].removeprefix("Bearer ")
    page = test_client.get("/review/signin")
    response = test_client.post(
        "/review/signin",
        data={"key": secret, "csrf": csrf_of(page.text), "next": "/review/queue"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
