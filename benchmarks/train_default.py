"""Train the model shipped with the package, reproducibly, without labels.

    .venv/bin/python benchmarks/train_default.py

Generates the development data set (seed 1: 5,000 found, 50,000 missing;
the benchmark tables use seed 11 and seed 99 is kept for a final check that
nobody tunes on), then trains u by random sampling and m by EM on tight
blocks. The truth file is never read. Writes
``src/matcher/scoring/data/default_model.json``.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from matcher.exchange import load_records
from matcher.normalize.places import load_gazetteer
from matcher.pipeline import normalize_all
from matcher.records import RecordKind
from matcher.scoring.train import train
from matcher.synth import write_dataset

DEFAULT_OUT = Path(__file__).parents[1] / "src/matcher/scoring/data/default_model.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--found", type=int, default=5_000)
    parser.add_argument("--missing", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    gazetteer = load_gazetteer()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_dataset(Path(tmp), args.missing, args.found, args.seed)
        missing = normalize_all(
            load_records(paths["missing"], RecordKind.MISSING).records, gazetteer
        )
        found = normalize_all(load_records(paths["found"], RecordKind.FOUND).records, gazetteer)
    model = train(
        found,
        missing,
        seed=args.seed,
        # Dated, so that audit entries and review items say which model scored them.
        version=f"default-synth{args.seed}-em-{datetime.now(UTC):%Y%m%d-%H%M}",
        description=(
            f"EM without labels on matcher.synth seed {args.seed} "
            f"({args.found} found, {args.missing} missing)"
        ),
    )
    model.save(args.out)
    print(f"model {model.version} written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
