"""Measure bulk import throughput: the reader alone, and the service's import route.

``python -m tests.reliability.measure_import ROWS [ROUTE_ROWS]`` generates a
CSV of ROWS missing reports, reads it with :func:`matcher.exchange.iter_records`
(reading only), then imports the first ROUTE_ROWS rows (default 20,000)
through ``POST /v1/imports/missing`` into a fresh SQLite file, in a
subprocess (``import_worker``), and prints rows per second for both. Not a
test: the figures go to ``docs/reliability.md``.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from matcher.exchange import iter_records
from matcher.records import RawRecord, RecordKind
from matcher.storage import repository as repo
from matcher.storage.engine import make_engine, make_session_factory
from matcher.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
VILLAGES = ("Fatehkhera", "Bamnala", "Sirpur", "Kasrawad")
HEADER = "id,name,sex,age,father_name,village,district,state,missing_date"


def rows(count: int) -> bytes:
    """A CSV of ``count`` made-up missing reports."""
    lines = [HEADER]
    for i in range(count):
        sex = "female" if i % 2 else "male"
        lines.append(
            f"M-{i:07d},Bachcha{i} Kumar{i % 97},{sex},{5 + i % 12},Pita{i},{VILLAGES[i % 4]},"
            f"Khargone,Madhya Pradesh,2019-01-{1 + i % 28:02d}"
        )
    return ("\n".join(lines) + "\n").encode()


def main(count: int, route_count: int) -> None:
    data = rows(count)
    start = time.perf_counter()
    good = sum(
        isinstance(item, RawRecord)
        for item in iter_records(io.BytesIO(data), RecordKind.MISSING, fmt="csv", source="m.csv")
    )
    took = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read {count:,} rows ({len(data) / 1e6:.0f} MB) in {took:.1f} s: "
        f"{count / took:,.0f} rows/s, {good:,} good, max RSS {rss:.0f} MB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/matcher.db"
        upgrade(url)
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            _, secret = repo.create_api_key(session, "measure", repo.Role.INTEGRATOR, (), ())
            session.commit()
        engine.dispose()
        path = Path(tmp) / "missing.csv"
        path.write_bytes(rows(route_count))
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "tests.reliability.import_worker", url, str(path), "missing"],
            cwd=ROOT,
            env={**os.environ, "MATCHER_WORKER_KEY": secret},
            capture_output=True,
            text=True,
            check=True,
        )
        took = time.perf_counter() - start
    print(
        f"imported {route_count:,} rows through POST /v1/imports/missing (SQLite, start-up "
        f"included) in {took:.1f} s: {route_count / took:,.0f} rows/s; {done.stdout[:80]}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 20_000)
