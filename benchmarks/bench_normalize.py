"""Normalization throughput: 100,000 generated records on one core.

    .venv/bin/python benchmarks/bench_normalize.py --records 100000 --seed 5

Generates missing reports and found records with ``matcher.synth`` (not
timed), then times reading them from CSV and normalizing every field of
every record in this one process. CPU time (``time.process_time``) is the
figure to compare: the machine is shared, so wall time is noisy.
``records_per_second_cpu`` counts reading and normalizing;
``normalize_records_per_second_cpu`` normalizing alone. Writes
``benchmarks/results/normalize.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from matcher.exchange import load_records
from matcher.normalize.places import load_gazetteer
from matcher.pipeline import normalize_all
from matcher.records import RecordKind
from matcher.synth import write_dataset


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    n_found = args.records // 10
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_dataset(Path(tmp), args.records - n_found, n_found, args.seed)
        gazetteer = load_gazetteer()
        started = time.perf_counter()
        cpu_started = time.process_time()
        missing = load_records(paths["missing"], RecordKind.MISSING).records
        found = load_records(paths["found"], RecordKind.FOUND).records
        read_s = time.perf_counter() - started
        read_cpu = time.process_time() - cpu_started
        persons = normalize_all(missing, gazetteer) + normalize_all(found, gazetteer)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    n = len(persons)
    with_problems = sum(1 for p in persons if p.problems)
    result = {
        "records": n,
        "seed": args.seed,
        "read_seconds": round(read_s, 2),
        "total_wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "read_cpu_seconds": round(read_cpu, 2),
        "records_per_second_wall": round(n / wall),
        "records_per_second_cpu": round(n / cpu),
        # Normalization alone, without reading the CSV files (exchange.load_records).
        "normalize_records_per_second_cpu": round(n / (cpu - read_cpu)),
        "records_with_field_problems": with_problems,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "command": " ".join(["benchmarks/bench_normalize.py", *sys.argv[1:]]),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "normalize.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
