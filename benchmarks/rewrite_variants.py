"""Rewrite generated records the ways real registers write them and our generator does not.

    .venv/bin/matcher synth --missing 50000 --found 5000 --seed 1 --out /tmp/dev1
    .venv/bin/python benchmarks/rewrite_variants.py /tmp/dev1 /tmp/dev1-variants --share 0.15

Each rewrite keeps the record's meaning and changes only how it is written:
a missing date as a month and year ("March 2019"), a language under its
other name ("Bangla", "Oriya"), a mark in Hindi ("til" for mole, "gaal" for
cheek), the district as an address ("Vill- Rampur, Dist- Gaya"), a Bengali
surname in its Sanskrit form (Mukhopadhyay), a middle "Kumar" as "Kr.", a
Nepali or Bangladeshi phone without its "+", and a retyped header ("Name",
"Father Name"). Every kind of rewrite is applied to ``--share`` of the
records that have the field, independently, with a fixed seed.

This is a check that matcher reads what it was built to read, not an
independent evaluation: the rewrites were written by the same hands as the
rules that read them. Linking the copy with two versions of matcher shows
what reading them is worth; the truth file is copied unchanged.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import random
import re
import shutil
from collections import Counter
from pathlib import Path

from matcher.errors import InvalidFieldValue
from matcher.normalize.dates import parse_date

_MONTHS = calendar.month_name[1:]
_LANGUAGES = {
    "Bengali": ("Bangla", "বাংলা"),
    "Odia": ("Oriya",),
    "Santali": ("Santhali",),
    "Gujarati": ("Gujrati",),
    "Assamese": ("Asamiya",),
    "Nepali": ("Nepalese",),
    "Punjabi": ("Panjabi",),
}
_MARK_WORDS = {
    "mole": "til",
    "cheek": "gaal",
    "left": "baayan",
    "right": "dayan",
    "hand": "haath",
    "forehead": "mathe",
    "burn": "jala",
    "mark": "nishan",
    "on": "par",
}
_SURNAMES = {
    "Mukherjee": "Mukhopadhyay",
    "Banerjee": "Bandyopadhyay",
    "Chatterjee": "Chattopadhyay",
    "Chakraborty": "Chakravarty",
    "Choudhury": "Chaudhary",
}
_HEADER = {"name": "Name", "father_name": "Father Name", "sex": "SEX", "age": "Age"}


def _month_year(text: str, rnd: random.Random) -> str | None:
    try:
        day = parse_date(text)
    except InvalidFieldValue:
        return None
    if day is None:
        return None
    month = _MONTHS[day.month - 1]
    return f"{month} {day.year}" if rnd.random() < 0.7 else f"{day.month:02d}/{day.year}"


def _rewrite(row: dict[str, str], kind: str, share: float, rnd: random.Random) -> Counter[str]:
    """Rewrite one row in place; returns which rewrites it got."""
    done: Counter[str] = Counter()

    def roll() -> bool:
        return rnd.random() < share

    if kind == "missing" and row.get("missing_date") and roll():
        written = _month_year(row["missing_date"], rnd)
        if written:
            row["missing_date"] = written
            done["month and year"] += 1
    languages = row.get("languages", "")
    if languages and roll():
        parts = [rnd.choice(_LANGUAGES[p]) if p in _LANGUAGES else p for p in languages.split(";")]
        if parts != languages.split(";"):
            row["languages"] = ";".join(parts)
            done["language name"] += 1
    marks = row.get("marks", "")
    if marks and roll():
        words = re.split(r"(\W+)", marks)
        hindi = "".join(_MARK_WORDS.get(w.lower(), w) for w in words)
        if hindi != marks:
            row["marks"] = hindi
            done["marks in Hindi"] += 1
    if row.get("district") and roll():
        village = row.get("village") or "Rampur"
        row["district"] = f"Vill- {village}, Dist- {row['district']}"
        done["address"] += 1
    for field in ("name", "father_name"):
        for english, sanskrit in _SURNAMES.items():
            if english in row.get(field, "") and roll():
                row[field] = row[field].replace(english, sanskrit)
                done["Sanskrit surname"] += 1
        if " Kumar " in row.get(field, "") and roll():
            row[field] = row[field].replace(" Kumar ", " Kr. ")
            done["Kr."] += 1
    phone = row.get("guardian_phone", "")
    if phone.startswith(("+977", "+880")) and roll():
        row["guardian_phone"] = phone[1:4] + "-" + phone[4:].strip()
        done["country code without +"] += 1
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a matcher synth output folder")
    parser.add_argument("out", type=Path, help="the folder to write the rewritten copy to")
    parser.add_argument("--share", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--keep-header", action="store_true", help="write the header as the spec spells it"
    )
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.data / "truth.csv", args.out / "truth.csv")
    totals: Counter[str] = Counter()
    for kind in ("missing", "found"):
        with (args.data / f"{kind}.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = list(reader.fieldnames or [])
            rows = list(reader)
        for row in rows:
            totals.update(_rewrite(row, kind, args.share, rnd))
        header = columns if args.keep_header else [_HEADER.get(c, c) for c in columns]
        with (args.out / f"{kind}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([row.get(c, "") for c in columns] for row in rows)
    for what, count in sorted(totals.items()):
        print(f"{what}: {count} fields")
    retyped = "as the spec spells it" if args.keep_header else ", ".join(_HEADER.values())
    print(f"written to {args.out} (header: {retyped})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
