"""Measure the romanizer against attested English spellings, per script.

    .venv/bin/python tests/data/names/measure_romanizer.py [--failures SCRIPT] [--half dev|held]

For every (native, English) pair in ``indic_faker_pairs.tsv`` and ``own_pairs.tsv``
it prints, per script: the exact-match rate of ``romanize(native)`` with the
lower-cased English spelling, and the rates at which their strict and loose
phonetic keys agree. ``--half`` restricts indic-faker pairs to even (dev) or odd
(held) rows; the rules were tuned looking at dev failures only.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from matcher.normalize.phonetic import loose_key, strict_key
from matcher.normalize.romanize import romanize

HERE = Path(__file__).parent


def _keys(text: str, key: Callable[[str], str]) -> tuple[str, ...]:
    return tuple(key(w) for w in text.lower().replace("-", " ").split())


def load(half: str | None) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    with (HERE / "indic_faker_pairs.tsv").open(encoding="utf-8") as handle:
        for i, row in enumerate(csv.DictReader(handle, delimiter="\t")):
            if half == "dev" and i % 2:
                continue
            if half == "held" and not i % 2:
                continue
            rows.append(("indic-faker", row["script"], row["native"], row["english"]))
    own = HERE / "own_pairs.tsv"
    if own.exists() and half is None:
        with own.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                rows.append(("own", row["script"], row["native"], row["english"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--failures", default=None, help="print strict-key failures of a script")
    parser.add_argument("--half", choices=["dev", "held"], default=None)
    args = parser.parse_args()
    stats: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for source, script, native, english in load(args.half):
        got = romanize(native)
        want = english.lower()
        exact = got == want
        strict = _keys(got, strict_key) == _keys(want, strict_key)
        loose = _keys(got, loose_key) == _keys(want, loose_key)
        for key in ((source, script), (source, "ALL")):
            counts = stats[key]
            counts[0] += 1
            counts[1] += exact
            counts[2] += strict
            counts[3] += loose
        if args.failures in (script, "ALL") and not strict:
            print(
                f"  {script:10} {native:16} got {got:18} want {want:18} "
                f"{'/'.join(_keys(got, strict_key))} != {'/'.join(_keys(want, strict_key))}"
            )
    print(f"{'source':12} {'script':11} {'pairs':>5} {'exact':>7} {'strict':>7} {'loose':>7}")
    for (source, script), (n, e, s, lo) in sorted(stats.items()):
        print(f"{source:12} {script:11} {n:5d} {e / n:7.1%} {s / n:7.1%} {lo / n:7.1%}")


if __name__ == "__main__":
    main()
