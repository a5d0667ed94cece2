"""Every route, with every kind of caller: keys, roles and jurisdiction on the API and the pages.

The walk takes its routes from the app itself (the OpenAPI schema and the
pages' router), so a new route without an expectation here fails the test.
Callers: no key, an integrator, a caseworker of Karnataka (another state
than the Madhya Pradesh records addressed), a caseworker of Madhya Pradesh
(the control: the same requests succeed for the right jurisdiction) and an
admin. No request may answer 500, and nothing from Madhya Pradesh may reach
the Karnataka caseworker.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from api.deps import KeyFailures
from api.pages.routes import router as pages_router
from matcher.storage import repository as repo
from tests.api.conftest import FOUND_KA, FOUND_MP, KA, MISSING_KA, MISSING_MP, MP
from tests.pages.conftest import csrf_of, sign_in

#: Who may call each operation: "none" (no key), "any" key, "write" (integrator),
#: "read" (integrator, caseworker), "review" (caseworker), "admin". Admins may do everything.
ACCESS = {
    ("GET", "/healthz"): "none",
    ("GET", "/readyz"): "none",
    ("POST", "/v1/records/missing"): "write",
    ("GET", "/v1/records/missing"): "read",
    ("PUT", "/v1/records/missing/{record_id}"): "write",
    ("PATCH", "/v1/records/missing/{record_id}"): "write",
    ("GET", "/v1/records/missing/{record_id}"): "read",
    ("DELETE", "/v1/records/missing/{record_id}"): "write",
    ("GET", "/v1/records/missing/{record_id}/history"): "read",
    ("POST", "/v1/records/found"): "write",
    ("GET", "/v1/records/found"): "read",
    ("PUT", "/v1/records/found/{record_id}"): "write",
    ("PATCH", "/v1/records/found/{record_id}"): "write",
    ("GET", "/v1/records/found/{record_id}"): "read",
    ("DELETE", "/v1/records/found/{record_id}"): "write",
    ("GET", "/v1/records/found/{record_id}/history"): "read",
    ("POST", "/v1/imports/{kind}"): "write",
    ("POST", "/v1/match"): "write",
    ("GET", "/v1/review"): "review",
    ("GET", "/v1/review/{item_id}"): "review",
    ("POST", "/v1/review/{item_id}/decision"): "review",
    ("POST", "/v1/review/{item_id}/steps"): "review",
    ("GET", "/v1/review/{item_id}/steps"): "review",
    ("GET", "/v1/audit"): "admin",
    ("GET", "/v1/me"): "any",
    ("POST", "/v1/keys"): "admin",
    ("GET", "/v1/keys"): "admin",
    ("DELETE", "/v1/keys/{key_id}"): "admin",
}
ALLOWED = {
    "integrator": {"any", "write", "read"},
    "caseworker": {"any", "read", "review"},
    "admin": {"any", "write", "read", "review", "admin"},
}
#: Personal data of the Madhya Pradesh pair (a 404 may echo the id the caller sent; not these).
MP_DATA = (
    MISSING_MP["name"],
    MISSING_MP["father_name"],
    MISSING_MP["village"],
    FOUND_MP["village"],
)
#: And its ids, which a listing for Karnataka must not contain either.
MP_MARKS = (*MP_DATA, MISSING_MP["id"], FOUND_MP["id"])


def _bodies(kind: str) -> dict[str, Any]:
    return {
        "records": {k: v for k, v in (MISSING_MP if kind == "missing" else FOUND_MP).items()},
        "decision": {"status": "unsure", "note": "checking", "expected_version": 1},
        "steps": {"step": "family_contacted"},
        "keys": {"name": "walk", "role": "integrator"},
        "match": {"kind": "found", **{k: v for k, v in FOUND_MP.items() if k != "id"}},
    }


def _request(
    method: str, template: str, mp_item: int, spare_key: int
) -> tuple[str, dict[str, Any]]:
    """A concrete path addressing Madhya Pradesh data, and a valid body for the operation."""
    kind = "found" if "/found" in template else "missing"
    record = FOUND_MP["id"] if kind == "found" else MISSING_MP["id"]
    path = template.format(record_id=record, item_id=mp_item, key_id=spare_key, kind="missing")
    bodies = _bodies(kind)
    extra: dict[str, Any] = {}
    if template.startswith("/v1/imports"):
        extra = {
            "content": b"id,name\r\nM-WALK-1,Walk\r\n",
            "headers": {"Content-Type": "text/csv"},
        }
    elif method in {"POST", "PUT", "PATCH"}:
        part = next((p for p in ("decision", "steps", "keys", "match") if p in template), "records")
        body = dict(bodies[part])
        if part == "records" and method != "POST":
            body.pop("id")
        extra = {"json": body}
    return path, extra


@pytest.fixture
def world(client: TestClient, integrator: dict[str, str]) -> dict[str, int]:
    """Both pairs stored; the Madhya Pradesh review item and a spare key to revoke."""
    items: dict[str, int] = {}
    for missing, found, state in ((MISSING_MP, FOUND_MP, MP), (MISSING_KA, FOUND_KA, KA)):
        assert (
            client.post("/v1/records/missing", json=missing, headers=integrator).status_code == 201
        )
        response = client.post("/v1/records/found", json=found, headers=integrator)
        assert response.status_code == 201, response.text
        items[state] = response.json()["review_items"][0]
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        spare, _ = repo.create_api_key(session, "spare", repo.Role.INTEGRATOR, (), ())
        session.commit()
    return {"mp_item": items[MP], "spare_key": spare.id}


def _operations(client: TestClient) -> Iterator[tuple[str, str]]:
    schema = client.app.openapi()  # type: ignore[attr-defined]
    for path, operations in schema["paths"].items():
        for method in operations:
            yield method.upper(), path


def _headers(extra: dict[str, Any], key: dict[str, str]) -> dict[str, Any]:
    merged = dict(extra)
    merged["headers"] = {**extra.get("headers", {}), **key}
    return merged


def test_the_walk_covers_every_operation(client: TestClient) -> None:
    assert set(_operations(client)) == set(ACCESS)


def test_every_route_with_every_caller(
    client: TestClient, world: dict[str, int], admin: dict[str, str], integrator: dict[str, str]
) -> None:
    ka_worker = _key(client, repo.Role.CASEWORKER, states=[KA])
    mp_worker = _key(client, repo.Role.CASEWORKER, states=[MP])
    # Read-only callers first, the ones that may change data last.
    callers = [
        ("nobody", {}),
        ("wrong key", {"X-API-Key": "mk_" + "x" * 43}),
        ("caseworker-KA", ka_worker),
        ("caseworker-MP", mp_worker),
        ("integrator", integrator),
        ("admin", admin),
    ]
    seen: list[tuple[str, str, str, int]] = []
    for caller, key in callers:
        role = caller.split("-")[0]
        for method, template in _operations(client):
            need = ACCESS[(method, template)]
            path, extra = _request(method, template, world["mp_item"], world["spare_key"])
            response = client.request(method, path, **_headers(extra, key))
            status = response.status_code
            seen.append((caller, method, template, status))
            where = f"{caller} {method} {path}: {status} {response.text[:200]}"
            assert status < 500, where
            if need == "none":
                assert status == 200, where
            elif caller in {"nobody", "wrong key"}:
                assert status == 401, where
                assert response.headers["WWW-Authenticate"] == "Bearer"
            elif need not in ALLOWED[role]:
                assert status == 403, where
            elif caller == "caseworker-KA":
                addressed = "{" in template
                assert status == 404 if addressed else status == 200, where
                marks = MP_DATA if addressed else MP_MARKS
                assert not any(mark in response.text for mark in marks), where
            elif caller == "caseworker-MP" and method == "GET":
                assert status == 200, where
            else:
                assert status not in {401, 403}, where
    assert len(seen) == len(callers) * len(ACCESS)


def _key(client: TestClient, role: repo.Role, *, states: list[str]) -> dict[str, str]:
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        _, secret = repo.create_api_key(session, f"walk-{role}", role, states, ())
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


# --- the pages ------------------------------------------------------------------------------

PAGE_PATHS = {
    "/review": "GET",
    "/review/signin": "GET",
    "/review/signin ": "POST",
    "/review/signout": "POST",
    "/review/lang/{code}": "GET",
    "/review/queue": "GET",
    "/review/pairs/{item_id}": "GET",
    "/review/pairs/{item_id}/decision": "POST",
    "/review/pairs/{item_id}/steps": "POST",
    "/review/records/{kind}/{record_id}": "GET",
}


def test_the_page_walk_covers_every_page() -> None:
    routes = {
        (method, route.path)
        for route in pages_router.routes
        if isinstance(route, Route)
        for method in (route.methods or set()) - {"HEAD"}
    }
    assert routes == {(m, p.strip()) for p, m in PAGE_PATHS.items()}


def _page(template: str, mp_item: int) -> str:
    return template.strip().format(
        item_id=mp_item, kind="missing", record_id=MISSING_MP["id"], code="hi"
    )


@pytest.mark.parametrize("caller", ["nobody", "caseworker-KA", "caseworker-MP", "admin"])
def test_every_page_with_every_caller(
    client: TestClient, world: dict[str, int], admin: dict[str, str], caller: str
) -> None:
    keys = {
        "caseworker-KA": lambda: _key(client, repo.Role.CASEWORKER, states=[KA]),
        "caseworker-MP": lambda: _key(client, repo.Role.CASEWORKER, states=[MP]),
        "admin": lambda: admin,
    }
    if caller != "nobody":
        sign_in(client, keys[caller]())
    form = {"csrf": csrf_of(client.get("/review/signin").text)} if caller == "nobody" else {}
    for template, method in PAGE_PATHS.items():
        path = _page(template, world["mp_item"])
        if template.strip() in {"/review/signin", "/review/signout"} and method == "POST":
            continue  # signing in and out are tested on their own
        if method == "POST":
            if caller != "nobody":
                form = {"csrf": csrf_of(client.get("/review/queue").text)}
            data = {**form, "status": "unsure", "step": "family_contacted", "version": "1"}
            response = client.post(path, data=data, follow_redirects=False)
        else:
            response = client.get(path, follow_redirects=False)
        status = response.status_code
        where = f"{caller} {method} {path}: {status}"
        assert status < 500, where
        public = template.strip() in {"/review", "/review/signin", "/review/lang/{code}"}
        if caller == "nobody" and not public:
            assert status == 303 and "/review/signin" in response.headers["location"], where
        elif caller == "caseworker-KA" and "{" in template and "lang" not in template:
            assert status == 404, where
            assert not any(mark in response.text for mark in MP_DATA), where
        elif caller == "caseworker-KA":
            assert not any(mark in response.text for mark in MP_MARKS), where
        elif method == "GET" and not public:
            assert status == 200, where


def test_integrators_cannot_sign_in_to_the_pages(
    client: TestClient, integrator: dict[str, str]
) -> None:
    page = client.get("/review/signin")
    response = client.post(
        "/review/signin",
        data={"key": integrator["Authorization"][7:], "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert client.get("/review/queue", follow_redirects=False).status_code == 303


# --- failed key checks are slowed and logged --------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(client: TestClient) -> FakeClock:
    """A failure counter of 3 per minute on the app, on a clock the test moves."""
    fake = FakeClock()
    client.app.state.key_failures = KeyFailures(3, 60.0, clock=fake)  # type: ignore[attr-defined]
    return fake


def test_repeated_wrong_keys_are_refused_then_let_through_again(
    client: TestClient,
    integrator: dict[str, str],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="api.deps")
    wrong = {"X-API-Key": "mk_guess_" + "a" * 30}
    assert client.get("/v1/me").status_code == 401  # no key at all: not counted
    for _ in range(3):
        assert client.get("/v1/me", headers=wrong).status_code == 401
    refused = client.get("/v1/me", headers=integrator)  # even a valid key, from this client
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    # The clock stood still: the oldest failure leaves the 60 s window in 60 s.
    assert refused.headers["Retry-After"] == "60"
    failures = [r for r in caplog.records if "failed key check" in r.getMessage()]
    assert len(failures) == 3
    assert all(wrong["X-API-Key"] not in r.getMessage() for r in caplog.records)
    clock.now += 61
    assert client.get("/v1/me", headers=integrator).status_code == 200


def test_repeated_wrong_sign_ins_are_refused(
    client: TestClient, caseworker: dict[str, str], clock: FakeClock
) -> None:
    def attempt(secret: str) -> int:
        form = {"key": secret, "csrf": csrf_of(client.get("/review/signin").text)}
        status: int = client.post("/review/signin", data=form, follow_redirects=False).status_code
        return status

    for _ in range(3):
        assert attempt("mk_wrong") == 401
    assert attempt(caseworker["Authorization"][7:]) == 429
    clock.now += 61
    assert attempt(caseworker["Authorization"][7:]) == 303


def test_the_failure_counter_forgets_old_clients() -> None:
    fake = FakeClock()
    failures = KeyFailures(1, 60.0, clock=fake, max_clients=2)
    for client in ("a", "b", "c"):
        failures.fail(client)
    assert failures.retry_after("a") == 0.0  # forgotten: the memory stays bounded
    assert failures.retry_after("c") == 60.0


# --- request size limits ----------------------------------------------------------------------


def test_large_bodies_are_refused_before_they_are_read(
    client: TestClient, integrator: dict[str, str]
) -> None:
    big = b'{"id": "M-1", "name": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    declared = client.post(
        "/v1/records/missing",
        content=big,
        headers={**integrator, "Content-Type": "application/json"},
    )
    assert declared.status_code == 413
    assert declared.json()["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    streamed = client.post(
        "/v1/records/missing",
        content=chunks(),
        headers={**integrator, "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert streamed.json()["error"] == "too_large"
    form = client.post("/review/signin", data={"key": "k" * (2 * 1024 * 1024)})
    assert form.status_code == 413


# --- cookies and headers on the pages ---------------------------------------------------------

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def test_session_cookie_flags_and_page_headers(
    client: TestClient, caseworker: dict[str, str]
) -> None:
    client.base_url = client.base_url.copy_with(scheme="https")  # as behind TLS
    page = client.get("/review/signin")
    response = client.post(
        "/review/signin",
        data={"key": caseworker["Authorization"][7:], "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite", "path"} <= flags
    assert re.search(r"(?i)samesite=lax", cookie) and re.search(r"(?i)path=/review", cookie)
    for path in ("/review/signin", "/review/queue"):
        headers = client.get(path).headers
        for name, value in SECURITY_HEADERS.items():
            assert headers[name] == value, (path, name)
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
