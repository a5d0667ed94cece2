"""Two real server processes on one database stay in sync through the change sequence."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from matcher.storage import repository as repo
from matcher.storage.engine import make_engine, make_session_factory
from tests.api.conftest import FOUND_MP, MISSING_MP

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
SYNC_TIMEOUT = 15.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited during start-up"
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} was not ready within {START_TIMEOUT} s")


@pytest.fixture
def servers(database_url: str) -> Iterator[list[str]]:
    env = {
        **os.environ,
        "MATCHER_DATABASE_URL": database_url,
        "MATCHER_INDEX_REFRESH_SECONDS": "0.5",
        "MATCHER_SECRET_KEY": "test",
        "MATCHER_DEMO": "0",
        "MATCHER_LOG_LEVEL": "WARNING",
    }
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "--factory",
                        "api.app:app_from_env",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env=env,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
            # one at a time: both would run the migrations at once
            _wait_ready(urls[-1], processes[-1])
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_record_written_on_a_is_matched_on_b(database_url: str, servers: list[str]) -> None:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            _, secret = repo.create_api_key(session, "two-workers", repo.Role.INTEGRATOR)
            session.commit()
    finally:
        engine.dispose()
    headers = {"X-API-Key": secret}
    a, b = servers
    created = httpx.post(f"{a}/v1/records/missing", json=MISSING_MP, headers=headers, timeout=10)
    assert created.status_code == 201
    query = {"kind": "found", **{k: v for k, v in FOUND_MP.items() if k != "id"}}
    deadline = time.monotonic() + SYNC_TIMEOUT
    seen: list[str] = []
    while time.monotonic() < deadline:
        body = httpx.post(f"{b}/v1/match", json=query, headers=headers, timeout=10).json()
        seen = [c["candidate_id"] for c in body["candidates"]]
        if seen:
            break
        time.sleep(0.2)
    assert seen[:1] == ["M-MP-1"], f"server B did not catch up within {SYNC_TIMEOUT} s"
    # and a deletion on B reaches A
    assert (
        httpx.delete(f"{b}/v1/records/missing/M-MP-1", headers=headers, timeout=10).status_code
        == 200
    )
    deadline = time.monotonic() + SYNC_TIMEOUT
    while time.monotonic() < deadline:
        body = httpx.post(f"{a}/v1/match", json=query, headers=headers, timeout=10).json()
        if not body["candidates"]:
            break
        time.sleep(0.2)
    assert body["candidates"] == []
