"""Measure the matching service over real HTTP on loopback: import, start-up, memory, latency.

For each size of stored missing reports (100,000 and 1,000,000 by default):

1. synthetic data from ``matcher.synth`` (seed 11) in ``benchmarks/out/service/``;
2. a fresh database (a temporary SQLite file, or a PostgreSQL database made
   with ``createdb`` and dropped afterwards), ``matcher db upgrade`` and an
   integrator key from ``matcher keys create``;
3. ``matcher serve`` as a subprocess; ``missing.csv`` streamed to
   ``POST /v1/imports/missing`` in chunks of ``--chunk`` rows (each chunk one
   request, under the default upload limit): records per second;
4. the service stopped and started again: seconds until ``/readyz`` answers
   200, and its resident memory (``VmRSS``, ``VmHWM`` of ``/proc/<pid>/status``);
5. found children from ``found.csv`` as ad-hoc ``POST /v1/match`` queries:
   sequential (latency percentiles, client side, keep-alive connection), then
   ``--clients`` threads for ``--duration`` seconds (throughput).

Everything is bounded in count and time and stops by itself. The load average
is recorded with every figure, since the machine is shared. Results go to
``benchmarks/results/service.json`` (merged by store and size, so runs can be
made one at a time) and ``service.md``.

    .venv/bin/python benchmarks/bench_service.py --store sqlite --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._latency import load, summary_ms

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "benchmarks" / "out" / "service"
RESULTS = ROOT / "benchmarks" / "results"
SEED = 11
N_FOUND = 2000
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
PG_DB = "bench_matcher"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dataset(n_missing: int) -> Path:
    """The data folder for this size, generated once (seed 11, 2,000 found children)."""
    folder = OUT / f"m{n_missing}-f{N_FOUND}-seed{SEED}"
    if not (folder / "missing.csv").exists() or not (folder / "synth.json").exists():
        from matcher.synth import write_dataset

        log(f"generating {n_missing} missing reports into {folder}")
        write_dataset(folder, n_missing, N_FOUND, SEED)
    return folder


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = round(int(value.split()[0]) / 1024, 1)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (the machine is shared: wall time
    includes waiting for other sessions' work, CPU time does not)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the database ------------------------------------------------------------


@dataclass
class Store:
    kind: str
    url: str
    tmp: Path

    @classmethod
    def fresh(cls, kind: str) -> Store:
        tmp = Path(tempfile.mkdtemp(prefix="bench_service_"))
        if kind == "sqlite":
            return cls(kind, f"sqlite:///{tmp / 'matcher.db'}", tmp)
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", PG_DB])
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", PG_DB], check=True)
        return cls(kind, PG_ADMIN.format(db=PG_DB), tmp)

    def size_mb(self) -> float | None:
        if self.kind == "sqlite":
            return round(sum(p.stat().st_size for p in self.tmp.iterdir()) / 2**20, 1)
        out = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-tAc",
                f"select pg_database_size('{PG_DB}')",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        return round(int(out) / 2**20, 1) if out.isdigit() else None

    def drop(self) -> None:
        if self.kind == "postgres":
            subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", PG_DB])
        shutil.rmtree(self.tmp, ignore_errors=True)


def env_for(store: Store) -> dict[str, str]:
    env = dict(os.environ)
    env["MATCHER_DATABASE_URL"] = store.url
    env["MATCHER_LOG_LEVEL"] = "WARNING"
    env["MATCHER_SECRET_KEY"] = "bench-only-not-a-secret"
    return env


def make_key(store: Store) -> str:
    cmd = [str(VENV_BIN / "matcher"), "keys", "create", "--name", "bench", "--role", "integrator"]
    done = subprocess.run(cmd, env=env_for(store), capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


# --- the server --------------------------------------------------------------


class Server:
    """``matcher serve`` as a subprocess on a free loopback port."""

    def __init__(self, store: Store, log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [str(VENV_BIN / "matcher"), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.command = " ".join(cmd)
        self._log = log_path.open("ab")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, env=env_for(store), stdout=self._log, stderr=subprocess.STDOUT, cwd=ROOT
        )

    def wait_ready(self, timeout: float) -> float:
        """Seconds from spawning the process until ``/readyz`` is 200."""
        deadline = self.started + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.perf_counter() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited with {self.proc.returncode}")
                try:
                    if client.get(f"{self.base}/readyz").status_code == 200:
                        return time.perf_counter() - self.started
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise TimeoutError(f"not ready after {timeout} s")

    def stop(self) -> None:
        """Ask uvicorn to shut down (SIGINT, then SIGTERM); kill only if it does not."""
        for sig, wait in ((signal.SIGINT, 60), (signal.SIGTERM, 10)):
            if self.proc.poll() is not None:
                break
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def start_ready(
    store: Store, log_path: Path, timeout: float, tries: int = 3
) -> tuple[Server, float, int]:
    """A ready server, the seconds it took, and how many earlier starts died of a signal.

    On this shared machine another session's clean-up once sent SIGTERM to a
    starting server; such a start is retried (and counted), any other failure raises.
    """
    for attempt in range(tries):
        server = Server(store, log_path)
        try:
            return server, server.wait_ready(timeout), attempt
        except RuntimeError:
            server.stop()
            if (
                server.proc.returncode is None
                or server.proc.returncode >= 0
                or attempt == tries - 1
            ):
                raise
            log(f"server killed by signal {-server.proc.returncode} while starting; again")
    raise AssertionError("unreachable")


# --- import --------------------------------------------------------------------


def csv_chunks(path: Path, rows: int) -> Iterator[bytes]:
    """The file as CSV documents of at most ``rows`` rows, each with the header."""
    with path.open("rb") as f:
        header = f.readline()
        # Rows of the synthetic data hold no quoted newlines, so lines are rows;
        # checked by counting with the csv module below.
        lines: list[bytes] = []
        for line in f:
            lines.append(line)
            if len(lines) == rows:
                yield header + b"".join(lines)
                lines = []
        if lines:
            yield header + b"".join(lines)


def stream(body: bytes, piece: int = 256 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), piece):
        yield body[start : start + piece]


def run_import(
    server: Server, key: str, path: Path, chunk_rows: int, kind: str = "missing"
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "text/csv"}
    totals = {
        "rows": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "review_items": 0,
    }
    chunk_seconds: list[float] = []
    cpu_before = cpu_seconds(server.proc.pid)
    started = time.perf_counter()
    with httpx.Client(base_url=server.base, timeout=None) as client:
        for i, body in enumerate(csv_chunks(path, chunk_rows)):
            t = time.perf_counter()
            response = client.post(f"/v1/imports/{kind}", content=stream(body), headers=headers)
            if response.status_code != 200:
                raise RuntimeError(
                    f"import chunk {i}: {response.status_code} {response.text[:300]}"
                )
            report = response.json()
            for name in totals:
                totals[name] += int(report[name])
            chunk_seconds.append(time.perf_counter() - t)
            log(
                f"  chunk {i}: {report['rows']} rows in {chunk_seconds[-1]:.1f} s "
                f"(total {totals['rows']}, load {load()})"
            )
    seconds = time.perf_counter() - started
    server_cpu = cpu_seconds(server.proc.pid) - cpu_before
    return {
        **totals,
        "seconds": round(seconds, 1),
        "server_cpu_seconds": round(server_cpu, 1),
        "records_per_server_cpu_second": round(totals["created"] / max(server_cpu, 1e-9), 1),
        "records_per_second": round(totals["created"] / seconds, 1),
        "chunk_rows": chunk_rows,
        "chunk_seconds": [round(s, 1) for s in chunk_seconds],
        "loadavg_after": load(),
    }


# --- queries -------------------------------------------------------------------


def found_queries(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [{"kind": "found", **{k: v for k, v in row.items() if v}} for row in rows]


def sequential(server: Server, key: str, queries: list[dict[str, Any]], n: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    times: list[float] = []
    candidates = 0
    load_before = load()
    with httpx.Client(base_url=server.base, timeout=30.0, headers=headers) as client:
        for q in queries[:20]:  # warm-up: connection, caches
            client.post("/v1/match", json=q).raise_for_status()
        for i in range(n):
            q = queries[i % len(queries)]
            t = time.perf_counter()
            response = client.post("/v1/match", json=q)
            times.append(time.perf_counter() - t)
            response.raise_for_status()
            candidates += len(response.json()["candidates"])
    return {
        **summary_ms(times),
        "k": 10,
        "mean_candidates_returned": round(candidates / n, 2),
        "loadavg_before": load_before,
        "loadavg_after": load(),
    }


def concurrent(
    server: Server, key: str, queries: list[dict[str, Any]], clients: int, duration: float
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    times: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop_at = time.perf_counter() + duration
    load_before = load()

    def worker(w: int) -> None:
        with httpx.Client(base_url=server.base, timeout=60.0, headers=headers) as client:
            i = w * 997
            while time.perf_counter() < stop_at:
                q = queries[i % len(queries)]
                i += 1
                t = time.perf_counter()
                try:
                    ok = client.post("/v1/match", json=q).status_code == 200
                except httpx.HTTPError:
                    ok = False
                times[w].append(time.perf_counter() - t)
                if not ok:
                    errors[w] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    flat = [t for ts in times for t in ts]
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(flat),
        "errors": sum(errors),
        "requests_per_second": round(len(flat) / wall, 1),
        "latency": summary_ms(flat),
        "loadavg_before": load_before,
        "loadavg_after": load(),
    }


# --- one run -------------------------------------------------------------------


def run_one(
    kind: str, n_missing: int, args: argparse.Namespace, save: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """Every phase for one store and size; ``save`` is called after each (partial results)."""
    folder = dataset(n_missing)
    store = Store.fresh(kind)
    log_path = OUT / f"server-{kind}-{n_missing}.log"
    log_path.unlink(missing_ok=True)
    result: dict[str, Any] = {
        "store": kind,
        "stored_missing": n_missing,
        "stored_found": N_FOUND if args.with_found else 0,
        "data": str(folder.relative_to(ROOT)),
        "git_commit": machine()["git_commit"],
        "command": " ".join(sys.argv),
    }
    try:
        key = make_key(store)
        server, seconds, retried = start_ready(store, log_path, 120)
        result["server_command"] = server.command
        try:
            result["startup_empty_seconds"] = round(seconds, 2)
            result["starts_killed_by_others"] = retried
            if args.with_found:
                # The found children first: every imported report is then matched
                # against them and its likely pairs are queued, as in a live service.
                log(f"{kind} {n_missing}: importing {N_FOUND} found children")
                result["found_import"] = run_import(
                    server, key, folder / "found.csv", args.chunk, kind="found"
                )
            log(f"{kind} {n_missing}: importing (chunks of {args.chunk})")
            result["import"] = run_import(server, key, folder / "missing.csv", args.chunk)
            result["rss_after_import_mb"] = proc_status(server.proc.pid)
            save(result)
        finally:
            server.stop()
        result["database_mb"] = store.size_mb()
        log(f"{kind} {n_missing}: restarting")
        server, seconds, retried = start_ready(store, log_path, args.startup_timeout)
        try:
            result["startup"] = {
                "seconds_to_ready": round(seconds, 2),
                "server_cpu_seconds": round(cpu_seconds(server.proc.pid), 1),
                "loadavg_after": load(),
                "starts_killed_by_others": retried,
            }
            result["memory_after_startup_mb"] = proc_status(server.proc.pid)
            save(result)
            queries = found_queries(folder / "found.csv")
            log(f"{kind} {n_missing}: {args.queries} sequential queries")
            result["sequential"] = sequential(server, key, queries, args.queries)
            save(result)
            result["concurrent"] = []
            for clients in args.clients:
                log(f"{kind} {n_missing}: {clients} clients for {args.duration} s")
                result["concurrent"].append(
                    concurrent(server, key, queries, clients, args.duration)
                )
                save(result)
            result["memory_after_queries_mb"] = proc_status(server.proc.pid)
        finally:
            server.stop()
    finally:
        store.drop()
    return result


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "git_commit": commit,
        "note": "each figure comes with the load average of its time (2.0: both cores busy)",
    }


def _run_key(run: dict[str, Any]) -> tuple[str, int, int]:
    """Runs are kept one per store, size and number of found children stored."""
    return (run["store"], run["stored_missing"], run.get("stored_found", 0))


def _cell(value: Any) -> str:
    return "-" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def _row(values: list[Any]) -> str:
    """One markdown table row of the values."""
    return "| " + " | ".join(_cell(v) for v in values) + " |"


def write_markdown(data: dict[str, Any], path: Path) -> None:
    """The results as two tables (sequential and concurrent), the commands and the notes."""
    m = data["machine"]
    lines = [
        "# Matching service benchmark (`POST /v1/match` over HTTP on loopback)",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, Linux "
        f"{m['kernel']}, Python {m['python']}. Other jobs may share the machine: the "
        "1-minute load average is given with each figure (2.0 would mean both cores busy).",
        "",
        "## Import, start-up, memory, sequential latency",
        "",
        "| store | stored missing | found stored | import rec/s | import s | import server CPU s "
        "| review items | DB MB | start-up s | start-up server CPU s "
        "| RSS MB after start-up | RSS MB after queries | p50 ms | p90 ms | p99 ms | max ms "
        "| load (import end; queries) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in data["runs"]:
        imp = r.get("import", {})
        seq = r.get("sequential", {})
        lines.append(
            _row(
                [
                    r["store"],
                    r["stored_missing"],
                    r.get("stored_found", 0),
                    imp.get("records_per_second"),
                    imp.get("seconds"),
                    imp.get("server_cpu_seconds"),
                    imp.get("review_items"),
                    r.get("database_mb"),
                    r.get("startup", {}).get("seconds_to_ready"),
                    r.get("startup", {}).get("server_cpu_seconds"),
                    r.get("memory_after_startup_mb", {}).get("VmRSS"),
                    r.get("memory_after_queries_mb", {}).get("VmRSS"),
                    seq.get("p50_ms"),
                    seq.get("p90_ms"),
                    seq.get("p99_ms"),
                    seq.get("max_ms"),
                    f"{imp.get('loadavg_after', ['-'])[0]}; {seq.get('loadavg_before', ['-'])[0]}",
                ]
            )
        )
    lines += [
        "",
        "## Concurrent clients (threads, keep-alive, one uvicorn worker)",
        "",
        "| store | stored missing | found stored | clients | seconds | requests | req/s | p50 ms "
        "| p99 ms | max ms | errors | load after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in data["runs"]:
        for c in r.get("concurrent", []):
            lat = c["latency"]
            lines.append(
                _row(
                    [
                        r["store"],
                        r["stored_missing"],
                        r.get("stored_found", 0),
                        c["clients"],
                        c["seconds"],
                        c["requests"],
                        c["requests_per_second"],
                        lat["p50_ms"],
                        lat["p99_ms"],
                        lat["max_ms"],
                        c["errors"],
                        c["loadavg_after"][0],
                    ]
                )
            )
    lines += ["", "## Commands", ""]
    lines += [f"    {c}" for c in data.get("commands", [])]
    if data.get("notes"):
        lines += ["", "## Notes", ""]
        lines += [f"- {note}" for note in data["notes"]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--chunk", type=int, default=100_000, help="rows per import request")
    parser.add_argument("--queries", type=int, default=1000, help="sequential match queries")
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per client count")
    parser.add_argument("--startup-timeout", type=float, default=1200.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "service.json")
    parser.add_argument(
        "--with-found",
        action="store_true",
        help=f"import the {N_FOUND} found children first, so every report is matched",
    )
    args = parser.parse_args()

    data: dict[str, Any] = {"runs": [], "commands": []}
    if args.out.exists():
        data = json.loads(args.out.read_text(encoding="utf-8"))
    data["machine"] = machine()
    command = "cd /work/main && .venv/bin/python " + " ".join(
        [
            str(Path(sys.argv[0]).relative_to(ROOT))
            if Path(sys.argv[0]).is_absolute()
            else sys.argv[0],
            *sys.argv[1:],
        ]
    )
    if command not in data["commands"]:
        data["commands"].append(command)

    def save(result: dict[str, Any]) -> None:
        result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        data["runs"] = [r for r in data["runs"] if _run_key(r) != _run_key(result)] + [result]
        data["runs"].sort(key=_run_key)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        write_markdown(data, args.out.with_suffix(".md"))

    for n in args.sizes:
        log(f"=== {args.store}, {n} stored missing reports ===")
        result = run_one(args.store, n, args, save)
        result["complete"] = True
        save(result)
        log(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
