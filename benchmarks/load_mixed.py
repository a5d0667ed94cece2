"""A bounded mixed load on loopback: matches, record writes and review decisions.

    .venv/bin/python benchmarks/load_mixed.py --duration 180 --clients 4

Starts ``matcher serve --demo`` on a fresh SQLite file and a free port on
127.0.0.1, then runs ``--clients`` threads for ``--duration`` seconds. Each
request is, at random: 60% ``POST /v1/match`` with a found child of the demo
data, 25% ``PUT /v1/records/missing/{id}`` of a new report (a demo report
under a new id, which is matched and queued at once), 15% a review decision
(the first pending item, with its version; a 409 from another client who
decided first is expected and counted apart). It reports latency percentiles
per kind, errors (any 5xx or failed connection; zero expected) and the
server's resident memory before and after. Traffic goes to 127.0.0.1 only
and stops by itself.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "fixtures" / "demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=180.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load.json")
    args = parser.parse_args()

    found_rows = list(csv.DictReader((DEMO / "found.csv").open(encoding="utf-8")))
    missing_rows = list(csv.DictReader((DEMO / "missing.csv").open(encoding="utf-8")))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "MATCHER_DATABASE_URL": f"sqlite:///{tmp}/load.db"}
        # The server's output goes to a file: a pipe nobody drains fills up
        # and stalls the server on its next access-log line.
        log_path = Path(tmp) / "server.log"
        log_file = log_path.open("w")
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/matcher"),
                "serve",
                "--demo",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=tmp,
        )
        try:
            admin = ""
            deadline = time.monotonic() + 300
            while not admin and time.monotonic() < deadline and server.poll() is None:
                match = re.search(r"admin key:\s+(mk_\S+)", log_path.read_text())
                if match:
                    admin = match.group(1)
                else:
                    time.sleep(0.2)
            if not admin:
                print("the server printed no admin key", file=sys.stderr)
                return 1
            with httpx.Client(base_url=base, timeout=10) as probe:
                while time.monotonic() < deadline:
                    try:
                        if probe.get("/readyz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(0.2)
            rss_before = rss_mb(server.pid)
            latencies: dict[str, list[float]] = defaultdict(list)
            outcomes: dict[str, int] = defaultdict(int)
            lock = threading.Lock()
            stop = time.monotonic() + args.duration

            def client(number: int) -> None:
                rng = random.Random(args.seed * 1000 + number)
                headers = {"Authorization": f"Bearer {admin}"}
                with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
                    written = 0
                    while time.monotonic() < stop:
                        roll = rng.random()
                        started = time.perf_counter()
                        try:
                            if roll < 0.60:
                                kind = "match"
                                row = {k: v for k, v in rng.choice(found_rows).items() if v}
                                row.pop("id", None)
                                response = http.post("/v1/match", json={"kind": "found", **row})
                            elif roll < 0.85:
                                kind = "write"
                                written += 1
                                row = {k: v for k, v in rng.choice(missing_rows).items() if v}
                                new_id = f"LOAD-{number}-{written}"
                                row.pop("id", None)
                                response = http.put(f"/v1/records/missing/{new_id}", json=row)
                            else:
                                kind = "decide"
                                page = http.get("/v1/review", params={"limit": 1}).json()
                                items = page.get("items", [])
                                if not items:
                                    continue
                                item = items[0]
                                response = http.post(
                                    f"/v1/review/{item['id']}/decision",
                                    json={
                                        "status": rng.choice(["rejected", "unsure", "confirmed"]),
                                        "note": "load test",
                                        "expected_version": item["version"],
                                    },
                                )
                            code = response.status_code
                        except httpx.TransportError:
                            kind, code = "transport", 0
                        elapsed = (time.perf_counter() - started) * 1000
                        with lock:
                            latencies[kind].append(elapsed)
                            if code >= 500 or code == 0:
                                outcomes[f"{kind} error {code}"] += 1
                            elif code == 409 and kind == "decide":
                                outcomes["decide 409 (someone decided first)"] += 1
                            elif code >= 400:
                                outcomes[f"{kind} {code}"] += 1
                            else:
                                outcomes[f"{kind} ok"] += 1

            threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rss_after = rss_mb(server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log_file.close()
    result = {
        "duration_s": args.duration,
        "clients": args.clients,
        "requests": {k: len(v) for k, v in latencies.items()},
        "latency_ms": {
            k: {
                "p50": round(percentile(v, 0.50), 1),
                "p95": round(percentile(v, 0.95), 1),
                "p99": round(percentile(v, 0.99), 1),
                "mean": round(statistics.fmean(v), 1),
            }
            for k, v in latencies.items()
        },
        "outcomes": dict(sorted(outcomes.items())),
        "errors": sum(v for k, v in outcomes.items() if "error" in k),
        "server_rss_mb_before": round(rss_before),
        "server_rss_mb_after": round(rss_after),
        "load_average": os.getloadavg(),
        "command": " ".join(["benchmarks/load_mixed.py", *sys.argv[1:]]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
