"""The database going away under the running service (PostgreSQL only).

The service reaches PostgreSQL through a small TCP relay that the test can
cut: every open connection is reset and new ones are refused, as while the
server restarts, without disturbing the real server (other test runs use
it). While cut, requests answer 503 with ``Retry-After``; once it is back
the service answers again with no restart (the pool's pre-ping replaces the
dead connections), and every decision that was acknowledged is stored, the
one refused with 503 is not.

With ``MATCHER_TEST_RESTART_POSTGRES=1`` a second test restarts the real
server (``pg_ctlcluster ... restart``) under the service while requests keep
coming: each answers 200 or 503, never 500, and the service recovers; the
server is started again at the end even if the test fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from api.app import create_app
from matcher.settings import Settings
from matcher.storage import repository as repo
from matcher.storage.tables import DecisionRow
from tests.api.conftest import FOUND_MP, MISSING_MP, make_key

#: Bound on waiting for the service to answer again after the database is back.
RECOVERY_TIMEOUT_S = 15.0


class Relay:
    """A TCP relay from a local port to the database, which the test can cut and restore."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Reset every open connection and refuse new ones."""
        if self._listener is not None:
            # shutdown() first: on Linux a close() alone leaves a thread blocked in accept()
            # holding the socket open, and still listening.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relayed(database_url: str) -> Iterator[tuple[TestClient, Relay]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("a database server restart needs PostgreSQL")
    url = make_url(database_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    settings = Settings(
        database_url=through, demo=False, secret_key=SecretStr("outage"), index_refresh_seconds=300
    )
    try:
        with TestClient(create_app(settings)) as client:
            yield client, relay
    finally:
        relay.cut()


def _decide(client: TestClient, key: dict[str, str], item: int, status: str, version: int) -> Any:
    body = {"status": status, "expected_version": version}
    return client.post(f"/v1/review/{item}/decision", json=body, headers=key)


def test_requests_fail_with_503_and_recover_without_losing_decisions(
    relayed: tuple[TestClient, Relay], engine: Engine
) -> None:
    client, relay = relayed
    integrator = make_key(client, repo.Role.INTEGRATOR)
    admin = make_key(client, repo.Role.ADMIN)
    assert (
        client.post("/v1/records/missing", json=MISSING_MP, headers=integrator).status_code == 201
    )
    created = client.post("/v1/records/found", json=FOUND_MP, headers=integrator)
    assert created.status_code == 201, created.text
    item = created.json()["review_items"][0]
    first = _decide(client, admin, item, "unsure", 1)
    assert first.status_code == 200, first.text
    version = first.json()["version"]

    relay.cut()
    for method, path in (("GET", f"/v1/review/{item}"), ("GET", "/v1/review")):
        down = client.request(method, path, headers=admin)
        assert down.status_code == 503, down.text
        assert down.json()["error"] == "database_unavailable"
        assert down.headers["Retry-After"].isdigit()
    refused = _decide(client, admin, item, "rejected", version)
    assert refused.status_code == 503
    assert client.get("/readyz").status_code == 503

    relay.restore()
    deadline = time.monotonic() + RECOVERY_TIMEOUT_S
    while (back := client.get(f"/v1/review/{item}", headers=admin)).status_code != 200:
        assert back.status_code == 503, back.text
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.1)
    assert back.json()["item"]["status"] == "unsure"
    assert client.get("/readyz").status_code == 200
    second = _decide(client, admin, item, "confirmed", version)
    assert second.status_code == 200, second.text

    with engine.connect() as connection:  # straight to the server, not through the relay
        stored = connection.execute(
            select(DecisionRow.status).where(DecisionRow.item_id == item).order_by(DecisionRow.id)
        ).scalars()
        assert list(stored) == ["unsure", "confirmed"]


#: Opt-in: restarts this machine's PostgreSQL server, which other test runs may be using.
RESTART_ENV = "MATCHER_TEST_RESTART_POSTGRES"


def _cluster() -> list[str]:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def _ensure_running() -> None:
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode != 0:
        subprocess.run([*_cluster(), "start"], check=False, timeout=60)


@pytest.mark.skipif(not os.environ.get(RESTART_ENV), reason=f"{RESTART_ENV} not set")
def test_a_real_server_restart_answers_503_or_200_and_recovers(
    client: TestClient, database_url: str, engine: Engine
) -> None:
    if not database_url.startswith("postgresql") or shutil.which("pg_ctlcluster") is None:
        pytest.skip("needs this machine's PostgreSQL cluster")
    integrator = make_key(client, repo.Role.INTEGRATOR)
    admin = make_key(client, repo.Role.ADMIN)
    assert client.post("/v1/records/missing", json=MISSING_MP, headers=integrator).is_success
    item = client.post("/v1/records/found", json=FOUND_MP, headers=integrator).json()[
        "review_items"
    ][0]
    first = _decide(client, admin, item, "unsure", 1)
    assert first.status_code == 200, first.text
    statuses: list[int] = []
    try:
        restart = subprocess.Popen([*_cluster(), "restart"])
        while restart.poll() is None:
            statuses.append(client.get(f"/v1/review/{item}", headers=admin).status_code)
            time.sleep(0.05)
        assert restart.wait(timeout=60) == 0
    finally:
        _ensure_running()
    deadline = time.monotonic() + RECOVERY_TIMEOUT_S
    while (back := client.get(f"/v1/review/{item}", headers=admin)).status_code != 200:
        statuses.append(back.status_code)
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.1)
    assert set(statuses) <= {200, 503}, statuses
    second = _decide(client, admin, item, "confirmed", first.json()["version"])
    assert second.status_code == 200, second.text
    with engine.connect() as connection:
        stored = connection.execute(
            select(DecisionRow.status).where(DecisionRow.item_id == item).order_by(DecisionRow.id)
        ).scalars()
        assert list(stored) == ["unsure", "confirmed"]
