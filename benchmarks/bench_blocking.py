"""Pairs completeness of the candidate index: the share of true pairs it ever scores.

    .venv/bin/matcher synth --missing 50000 --found 5000 --seed 1 --out /tmp/dev1
    .venv/bin/python benchmarks/bench_blocking.py /tmp/dev1 --limits 150 300 1000

For each limit, the share of the truth file's pairs whose report is among
the found child's best ``limit`` candidates (after the retrieval-ratio cut,
``--min-ratios`` to try others), and the mean number of candidates scored
per child.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

from matcher.blocking.index import MIN_RETRIEVAL_RATIO, CandidateIndex
from matcher.exchange import load_records
from matcher.normalize.places import load_gazetteer
from matcher.pipeline import gc_paused, normalize_all
from matcher.records import RecordKind


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a matcher synth output folder")
    parser.add_argument("--limits", type=int, nargs="+", default=[150, 300, 1000])
    parser.add_argument(
        "--min-ratios",
        type=float,
        nargs="+",
        default=[MIN_RETRIEVAL_RATIO],
        help="retrieval-ratio cuts to try (0: none)",
    )
    args = parser.parse_args()
    gazetteer = load_gazetteer()
    with gc_paused():
        missing = load_records(args.data / "missing.csv", RecordKind.MISSING).records
        found = load_records(args.data / "found.csv", RecordKind.FOUND).records
        index = CandidateIndex(normalize_all(missing, gazetteer))
        children = {p.id: p for p in normalize_all(found, gazetteer)}
    with (args.data / "truth.csv").open(encoding="utf-8") as handle:
        pairs = [(row["found_id"], row["missing_id"]) for row in csv.DictReader(handle)]
    reports_of: dict[str, set[str]] = defaultdict(set)
    for found_id, missing_id in pairs:
        reports_of[found_id].add(missing_id)
    for min_ratio in args.min_ratios:
        for limit in args.limits:
            hits = scored = 0
            for child in children.values():
                ids = {c.person.id for c in index.candidates(child, limit, min_ratio=min_ratio)}
                scored += len(ids)
                hits += len(reports_of.get(child.id, set()) & ids)
            print(
                f"best {limit}, ratio cut {min_ratio}: "
                f"pairs completeness {hits / max(len(pairs), 1):.3f}, "
                f"{scored / max(len(children), 1):.0f} candidates per child "
                f"({scored / max(len(children) * len(index), 1):.2%} of all pairs)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
