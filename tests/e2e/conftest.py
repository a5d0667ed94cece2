"""End-to-end fixtures: the app under uvicorn on a free port, seeded data, headless Chromium.

The browser is Debian's ``chromium`` driven through Debian's
``chromium-driver`` with Selenium; Selenium Manager is never asked for
anything (an explicit driver path and binary), so nothing is downloaded.
Without either program the browser tests are skipped with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from matcher.storage import repository as repo
from matcher.storage.engine import make_engine, make_session_factory
from matcher.storage.migrate import upgrade

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[2]

MP, KA = "IN-23", "IN-29"
BENGALURU_URBAN = "IN-525"

#: Missing reports first, then the found children: each found child is matched on arrival.
MISSING: list[dict[str, Any]] = [
    {
        "id": "M-MP-1",
        "name": "Radha Patel",
        "aliases": "Sonu",
        "sex": "female",
        "age": "14",
        "father_name": "Suresh Patel",
        "village": "Fatehkhera",
        "district": "Khargone",
        "state": "Madhya Pradesh",
        "languages": "Hindi",
        "missing_date": "2017-06-04",
    },
    {
        # A second report that fits the same found child less well: a rival candidate.
        "id": "M-MP-3",
        "name": "राधा कुमारी",
        "sex": "female",
        "age": "15",
        "father_name": "सुरेश",
        "village": "Fatehkhera",
        "district": "Khargone",
        "state": "Madhya Pradesh",
        "missing_date": "2017-08-01",
    },
    {
        "id": "M-MP-2",
        "name": "मोहम्मद इरफ़ान",
        "sex": "male",
        "age": "9",
        "father_name": "सलीम खान",
        "village": "Sanawad",
        "district": "Khargone",
        "state": "Madhya Pradesh",
        "languages": "Hindi, Urdu",
        "missing_date": "2019-03-10",
    },
    {
        "id": "M-KA-1",
        "name": "Manjunath Gowda",
        "sex": "male",
        "age": "10",
        "father_name": "Ramesh Gowda",
        "village": "Hebbal",
        "district": "Bengaluru Urban",
        "state": "Karnataka",
        "missing_date": "2020-02-01",
    },
]
FOUND: list[dict[str, Any]] = [
    {
        "id": "F-MP-1",
        "name": "Radha",
        "sex": "F",
        "age": "approx 15",
        "father_name": "Suresh",
        "village": "Fatehkheda",
        "district": "Khargon",
        "state": "MP",
        "languages": "Hindi",
        "found_date": "2018-01-12",
        "found_district": "Bhopal",
        "found_state": "Madhya Pradesh",
        "care_institution": "Govt. Children Home, Bhopal",
    },
    {
        "id": "F-MP-2",
        "name": "Mohd. Irfan",
        "sex": "M",
        "age": "11",
        "father_name": "Saleem Khan",
        "village": "Sanawad",
        "district": "Khargone",
        "state": "Madhya Pradesh",
        "languages": "Urdu",
        "found_date": "2021-02-01",
        "found_district": "Indore",
        "found_state": "Madhya Pradesh",
    },
    {
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
    },
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str
    #: Plaintext keys by name: ``mp`` (caseworker, Madhya Pradesh), ``ka`` (caseworker,
    #: Bengaluru Urban district only), ``integrator``.
    keys: dict[str, str]
    #: Review item id of each seeded pair, by found id and missing id.
    items: dict[tuple[str, str], int]


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url + "/readyz", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # not listening yet
        time.sleep(0.2)  # polling a starting subprocess, not timing a test
    raise RuntimeError("the server did not become ready")


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The app under uvicorn (a subprocess) on a temp SQLite database, seeded through the API."""
    with tempfile.TemporaryDirectory(prefix="matcher-e2e-") as tmp:
        database_url = f"sqlite:///{tmp}/e2e.db"
        upgrade(database_url)
        engine = make_engine(database_url)
        keys: dict[str, str] = {}
        with make_session_factory(engine)() as session:
            for name, role, states, districts in (
                ("integrator", repo.Role.INTEGRATOR, [], []),
                ("mp", repo.Role.CASEWORKER, [MP], []),
                ("ka", repo.Role.CASEWORKER, [], [BENGALURU_URBAN]),
            ):
                _, keys[name] = repo.create_api_key(
                    session,
                    f"caseworker-{name}" if name != "integrator" else name,
                    role,
                    states,
                    districts,
                )
            session.commit()
        engine.dispose()
        port = _free_port()
        env = {
            **os.environ,
            "MATCHER_DATABASE_URL": database_url,
            "MATCHER_SECRET_KEY": "e2e-test-secret",
            "MATCHER_DEMO": "0",
            "MATCHER_LOG_LEVEL": "WARNING",
            "MATCHER_INDEX_REFRESH_SECONDS": "1",
        }
        log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115  (closed below)
        process = subprocess.Popen(
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
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process)
            items: dict[tuple[str, str], int] = {}
            headers = {"Authorization": f"Bearer {keys['integrator']}"}
            with httpx.Client(base_url=url, headers=headers, timeout=30.0) as api:
                for record in MISSING:
                    api.post("/v1/records/missing", json=record).raise_for_status()
                for record in FOUND:
                    api.post("/v1/records/found", json=record).raise_for_status()
                admin_key = _admin_key(database_url)
                page = api.get(
                    "/v1/review",
                    params={"limit": 100},
                    headers={"Authorization": f"Bearer {admin_key}"},
                ).json()
            for item in page["items"]:
                items[(item["found_id"], item["missing_id"])] = item["id"]
            yield Server(url, database_url, keys, items)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


def _admin_key(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            _, secret = repo.create_api_key(session, "e2e-admin", repo.Role.ADMIN)
            session.commit()
    finally:
        engine.dispose()
    return secret


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """A fresh headless Chromium (own profile, so no cookies carry over)."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            f"needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER}): "
            "apt-get install -y chromium chromium-driver"
        )
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="needs selenium (pip install selenium)"
    )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,900",
        "--lang=en-US",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
