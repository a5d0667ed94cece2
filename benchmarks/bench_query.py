"""Single-record query latency of the library: one found child against N indexed missing reports.

No HTTP, no database: the first ``--indexed`` missing reports of a synthetic
data set (``matcher.synth``, seed 11) are normalized into a
``CandidateIndex``, a ``Linker`` is built over it (with term frequencies of
those records), and found children from the same data set are asked for
their best ``k`` candidates one at a time (``Linker.best``). Reported: p50 /
p99 of ``best`` alone and of normalize + ``best`` (what the service does per
query), the time to normalize and index, peak memory, the load average, and
a short profile of where a query's time goes.

    .venv/bin/python benchmarks/bench_query.py --indexed 500000 --queries 1000
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import itertools
import json
import os
import pstats
import resource
import sys
import time
from pathlib import Path
from typing import Any

from matcher.blocking.index import CandidateIndex
from matcher.exchange import read_records
from matcher.normalize.person import Person, normalize_record
from matcher.normalize.places import load_gazetteer
from matcher.pipeline import Linker
from matcher.records import RawRecord, RecordKind
from matcher.scoring.model import default_model

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._latency import load, summary_ms

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "out" / "service" / "m1000000-f2000-seed11"
RESULTS = ROOT / "benchmarks" / "results"
SEED = 11


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def raw_records(path: Path, kind: RecordKind, limit: int) -> list[RawRecord]:
    items = itertools.islice(read_records(path, kind), limit)
    return [item for item in items if isinstance(item, RawRecord)]


def profile_top(linker: Linker, queries: list[Person], k: int, lines: int = 18) -> str:
    """The functions a query spends its time in (cumulative), over a few hundred queries."""
    profiler = cProfile.Profile()
    profiler.enable()
    for person in queries:
        linker.best(person, k)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="a matcher.synth output folder")
    parser.add_argument("--indexed", type=int, default=500_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--profile", type=int, default=200, help="queries profiled (0: none)")
    parser.add_argument("--out", type=Path, default=RESULTS / "query.json")
    args = parser.parse_args()
    if not (args.data / "missing.csv").exists():
        from matcher.synth import write_dataset

        log(f"generating 1,000,000 missing reports into {args.data}")
        write_dataset(args.data, 1_000_000, 2000, SEED)

    gazetteer = load_gazetteer()
    model = default_model()
    t = time.perf_counter()
    missing_raw = raw_records(args.data / "missing.csv", RecordKind.MISSING, args.indexed)
    read_seconds = time.perf_counter() - t
    log(f"read {len(missing_raw)} missing reports in {read_seconds:.1f} s; normalizing")
    t = time.perf_counter()
    missing = [normalize_record(raw, gazetteer) for raw in missing_raw]
    normalize_seconds = time.perf_counter() - t
    del missing_raw
    t = time.perf_counter()
    index = CandidateIndex(missing)
    index_seconds = time.perf_counter() - t
    t = time.perf_counter()
    linker = Linker(index, model)
    linker_seconds = time.perf_counter() - t
    log(
        f"normalized in {normalize_seconds:.1f} s, indexed in {index_seconds:.1f} s, "
        f"linker (term frequencies) in {linker_seconds:.1f} s"
    )

    # A full cyclic garbage collection walks every object of the index: timed
    # once here, and every collection during the queries is timed below.
    t = time.perf_counter()
    gc.collect()
    full_gc_seconds = time.perf_counter() - t
    log(f"one full gc.collect() over the index: {full_gc_seconds:.2f} s")
    gc_pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_pauses[info["generation"]].append(time.perf_counter() - gc_started[0])

    found_raw = raw_records(args.data / "found.csv", RecordKind.FOUND, 1_000_000)
    n = args.queries
    warm = [normalize_record(raw, gazetteer) for raw in found_raw[:20]]
    for person in warm:
        linker.best(person, args.k)
    load_before = load()
    gc.callbacks.append(on_gc)
    best_times: list[float] = []
    total_times: list[float] = []
    returned = 0
    for i in range(n):
        raw = found_raw[i % len(found_raw)]
        t0 = time.perf_counter()
        person = normalize_record(raw, gazetteer)
        t1 = time.perf_counter()
        links = linker.best(person, args.k)
        t2 = time.perf_counter()
        best_times.append(t2 - t1)
        total_times.append(t2 - t0)
        returned += len(links)
    load_after = load()
    gc.callbacks.remove(on_gc)
    log(f"best: {summary_ms(best_times)}")

    profile = ""
    if args.profile:
        queries = [normalize_record(raw, gazetteer) for raw in found_raw[: args.profile]]
        profile = profile_top(linker, queries, args.k)

    result: dict[str, Any] = {
        "data": str(args.data.relative_to(ROOT))
        if args.data.is_relative_to(ROOT)
        else str(args.data),
        "seed": SEED,
        "indexed_missing": len(index),
        "queries": n,
        "distinct_query_records": min(n, len(found_raw)),
        "k": args.k,
        "candidates_per_query_limit": linker.candidates,
        "best_only": summary_ms(best_times),
        "normalize_and_best": summary_ms(total_times),
        "mean_links_returned": round(returned / n, 2),
        "build": {
            "read_seconds": round(read_seconds, 1),
            "normalize_seconds": round(normalize_seconds, 1),
            "index_seconds": round(index_seconds, 1),
            "linker_seconds": round(linker_seconds, 1),
        },
        "full_gc_collect_seconds": round(full_gc_seconds, 2),
        "gc_during_queries": {
            f"gen{g}": {"count": len(p), "max_ms": round(max(p, default=0.0) * 1000, 1)}
            for g, p in gc_pauses.items()
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "aim": "p99 of a single-record query against 500,000 indexed records under 20 ms",
        "machine": {
            "cores": os.cpu_count(),
            "note": "loadavg_before and loadavg_after: how busy the machine was (2.0: both cores)",
        },
        "command": "cd /work/main && .venv/bin/python benchmarks/bench_query.py "
        + " ".join(sys.argv[1:]),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "profile_top_cumulative": profile.splitlines(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "profile_top_cumulative"}, indent=2))
    print(profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
