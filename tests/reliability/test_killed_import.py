"""A bulk import SIGKILLed part-way, then run again, stores every row exactly once.

The import runs in a subprocess through the service's own route
(``tests/reliability/import_worker.py``), which commits every ``BATCH`` rows.
The test waits until at least one batch is committed, kills the process with
SIGKILL (no cleanup, no rollback handler runs), and imports the same file
again to completion. Then every id is stored once, with all its fields, with
one version and one change entry, and nothing else is stored.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from api.routes.imports import BATCH
from matcher.storage import repository as repo
from matcher.storage.tables import ChangeRow, RecordRow, RecordVersionRow

ROOT = Path(__file__).resolve().parents[2]
ROWS = 3 * BATCH
#: Bounds on every wait: a hung subprocess fails the test instead of hanging CI.
START_TIMEOUT_S = 60.0
RUN_TIMEOUT_S = 120.0
VILLAGES = ("Fatehkhera", "Bamnala", "Sirpur", "Kasrawad")


def _expected(i: int) -> dict[str, str]:
    return {
        "name": f"Bachcha{i} Kumar{i % 97}",
        "sex": "female" if i % 2 else "male",
        "age": str(5 + i % 12),
        "father_name": f"Pita{i}",
        "village": VILLAGES[i % 4],
        "district": "Khargone",
        "state": "Madhya Pradesh",
        "missing_date": f"2019-01-{1 + i % 28:02d}",
    }


def _write_file(path: Path) -> None:
    header = ["id", *_expected(0)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(header) + "\n")
        for i in range(ROWS):
            handle.write(",".join([f"M-{i:06d}", *_expected(i).values()]) + "\n")


def _worker(database_url: str, path: Path, secret: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.import_worker",
            database_url,
            str(path),
            "missing",
        ],
        cwd=ROOT,
        env={**os.environ, "MATCHER_WORKER_KEY": secret},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(RecordRow)).scalar_one()


def test_killed_import_run_again_stores_each_row_once(
    database_url: str,
    engine: Engine,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    path = tmp_path / "missing.csv"
    _write_file(path)
    with session_factory() as session:
        _, secret = repo.create_api_key(session, "bulk", repo.Role.INTEGRATOR, (), ())
        session.commit()

    worker = _worker(database_url, path, secret)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while _stored(engine) < BATCH and worker.poll() is None:
            assert time.monotonic() < deadline, "no batch was committed in time"
            time.sleep(0.02)
        assert worker.poll() is None, "the import finished before it could be killed"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=RUN_TIMEOUT_S)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL
    before = _stored(engine)
    assert before % BATCH == 0 and 0 < before < ROWS, "a committed batch is all or nothing"

    again = _worker(database_url, path, secret)
    out, err = again.communicate(timeout=RUN_TIMEOUT_S)
    assert again.returncode == 0, err[-2000:]
    report = json.loads(out)
    assert (report["created"], report["unchanged"], report["rejected"]) == (
        ROWS - before,
        before,
        0,
    )

    with engine.connect() as connection:
        records = connection.execute(
            select(RecordRow.record_id, RecordRow.version, RecordRow.fields, RecordRow.pk)
        ).all()
        versions = connection.execute(
            select(RecordVersionRow.record_pk, RecordVersionRow.version, RecordVersionRow.action)
        ).all()
        changes = connection.execute(
            select(ChangeRow.record_id, ChangeRow.op, ChangeRow.version)
        ).all()
        if database_url.startswith("sqlite"):
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    ids = [r.record_id for r in records]
    assert sorted(ids) == [f"M-{i:06d}" for i in range(ROWS)]  # each id once, nothing else
    for record in records:
        expected = _expected(int(record.record_id.removeprefix("M-")))
        assert record.version == 1
        assert {k: record.fields.get(k) for k in expected} == expected, record.record_id
    assert sorted(versions) == sorted((r.pk, 1, "create") for r in records)
    assert sorted(changes) == sorted((r.record_id, "create", 1) for r in records)
