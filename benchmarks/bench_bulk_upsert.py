"""Bulk upsert throughput: create, re-import unchanged, update 10%.

Usage: python bench_bulk_upsert.py URL [N] [BATCH]
The URL's database must be empty (SQLite file is created and migrated).
"""

import random
import sys
import time

from matcher.records import RecordKind
from matcher.storage.engine import make_engine, make_session_factory
from matcher.storage.migrate import upgrade
from matcher.storage.repository import Actor, RecordInput, UpsertOutcome, upsert_records

url = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
rng = random.Random(7)
NAMES = ["Mohd. Irfan", "इरफ़ान", "Chhotu", "Sunita Devi", "Ram Prasad", "Pinki", "Munna"]
DISTRICTS = ["Allahabad", "Gurugram", "24 Parganas (N)", "Patna", "Hyderabad"]


def record(i: int, kind: RecordKind, tweak: int = 0) -> RecordInput:
    fields = {
        "name": rng.choice(NAMES),
        "aliases": "Munna;Pappu",
        "sex": rng.choice(["male", "female"]),
        "age": str(5 + i % 12 + tweak),
        "father_name": rng.choice(NAMES),
        "mother_name": rng.choice(NAMES),
        "guardian_phone": f"98765{i % 100000:05d}",
        "village": f"Ward {i % 30}, Rampur",
        "police_station": "Kotwali",
        "district": rng.choice(DISTRICTS),
        "state": "UP",
        "languages": "Hindi;Bhojpuri",
        "marks": "mole on left cheek",
    }
    if kind is RecordKind.MISSING:
        fields["missing_date"] = "2023-04-05"
    else:
        fields.update(found_date="2023-06-01", found_district="Hyderabad", found_state="TS")
    return RecordInput(
        kind,
        f"{kind.value[0].upper()}-{i:07d}",
        fields,
        {"source": "bench"},
        "IN-9",
        f"IN-9-{i % 75}",
    )


upgrade(url)
engine = make_engine(url)
factory = make_session_factory(engine)
actor = Actor.system("bench")


def run(label: str, records: list[RecordInput]) -> None:
    counts: dict[UpsertOutcome, int] = {}
    start = time.perf_counter()
    for at in range(0, len(records), batch):
        with factory() as s:
            for r in upsert_records(s, records[at : at + batch], actor=actor):
                counts[r.outcome] = counts.get(r.outcome, 0) + 1
            s.commit()
    took = time.perf_counter() - start
    print(
        f"{engine.dialect.name:10} {label:22} {len(records):>8} records {took:7.1f} s "
        f"{len(records) / took:>9,.0f} records/s  {dict((k.value, v) for k, v in counts.items())}"
    )


kinds = [RecordKind.MISSING if i % 2 else RecordKind.FOUND for i in range(n)]
rng.seed(7)
created = [record(i, kinds[i]) for i in range(n)]
run("create", created)
if "--create-only" in sys.argv:
    raise SystemExit
rng.seed(7)
run("re-import (unchanged)", [record(i, kinds[i]) for i in range(n)])
rng.seed(7)
run("10% updated", [record(i, kinds[i], tweak=int(i % 10 == 0)) for i in range(n)])
engine.dispose()
