"""Throughput of ``parse_name`` on realistic name fields.

    .venv/bin/python tests/data/names/bench_parse_name.py

Builds 400,000 name fields (100,000 records x 4 name fields) from the
indic-faker pairs: Latin given name + surname with honorifics ("Shri", "Smt.",
"Late Shri", "Md.", "Kumari") on a third of them, 10% in capitals, 15% in
native script, 10% bare nicknames and 5% "X S/o Y" father strings. Prints
CPU-time throughput, best of three passes, with the whole-string cache of
``parse_name`` on and off (the per-word caches are warmed first on a separate
sample, as in a long-running import). A benchmark prints; it asserts nothing.
"""

from __future__ import annotations

import csv
import random
import time
from pathlib import Path

from matcher.normalize import names

HERE = Path(__file__).parent
HONORIFICS = ["", "", "", "", "Shri ", "Smt. ", "Late Shri ", "Mr. ", "Md. ", "Kumari "]
NICKNAMES = ["Chhotu", "Munna", "Pappu", "Guddu", "Raju", "Sonu"]


def main() -> None:
    rng = random.Random(7)
    with (HERE / "indic_faker_pairs.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    given = [r["english"] for r in rows if r["list"] != "surname"]
    surnames = [r["english"] for r in rows if r["list"] == "surname"]
    native_given = [r["native"] for r in rows if r["list"] != "surname"]
    native_surnames = [r["native"] for r in rows if r["list"] == "surname"]

    def field() -> str:
        r = rng.random()
        if r < 0.15:
            return f"{rng.choice(native_given)} {rng.choice(native_surnames)}"
        if r < 0.25:
            return rng.choice(NICKNAMES)
        name = f"{rng.choice(HONORIFICS)}{rng.choice(given)} {rng.choice(surnames)}"
        if r < 0.35:
            name = name.upper()
        if r < 0.40:
            name += f" S/o {rng.choice(given)} {rng.choice(surnames)}"
        return name

    fields = [field() for _ in range(400_000)]
    for text in [field() for _ in range(20_000)]:
        names.parse_name.__wrapped__(text)
    for label, fn in (("cache on", names.parse_name), ("cache off", names.parse_name.__wrapped__)):
        best = float("inf")
        for _ in range(3):
            names.parse_name.cache_clear()
            start = time.process_time()
            for text in fields:
                fn(text)
            best = min(best, time.process_time() - start)
        print(
            f"{label:9}: {len(fields):,} fields ({len(set(fields)):,} distinct) "
            f"{len(fields) / best:,.0f} fields/s = {len(fields) / 4 / best:,.0f} records/s"
        )


if __name__ == "__main__":
    main()
