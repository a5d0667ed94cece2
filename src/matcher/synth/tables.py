"""The generator's own reference tables, loaded once into a :class:`SynthTables` value.

These tables are deliberately separate from ``matcher.normalize``: an evaluation
that shares spelling tables with the system under test would reward the system
for knowing exactly the variants the generator can produce.  They live in
``synth/data/`` and are described in ``synth/data/README.md``.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

#: The communities whose naming patterns the generator models.
COMMUNITIES: tuple[str, ...] = (
    "hindu_north",
    "hindu_west",
    "muslim_north",
    "muslim_bengal",
    "sikh",
    "bengali_hindu",
    "odia",
    "adivasi",
    "tamil",
    "telugu",
    "kannada",
    "malayali",
)

#: Native scripts (ISO 15924 codes) the generator can write names in.
SCRIPTS: tuple[str, ...] = ("Deva", "Beng", "Arab", "Taml", "Guru")


@dataclass(frozen=True, slots=True)
class State:
    """A state or union territory and how people write it and who lives there."""

    name: str
    code: str
    abbreviations: tuple[str, ...]
    variants: tuple[str, ...]
    region: str
    script: str
    languages: tuple[str, ...]
    home_weight: float
    found_weight: float
    communities: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class District:
    """A district: its usual name, other names people write (old, colloquial, town)."""

    state: int
    name: str
    aliases: tuple[str, ...]
    hub_weight: float


@dataclass(frozen=True, slots=True)
class VillageParts:
    """Pieces of village names for one region (``Ram`` + ``pur`` + ``Khurd``)."""

    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    qualifiers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SynthTables:
    """Everything the generator reads from ``synth/data``, as immutable values.

    ``given`` is keyed by ``(community, sex, generation)`` with sex ``m``/``f`` and
    generation ``child``/``adult``; each list is in rank order (most common first).
    """

    states: tuple[State, ...]
    districts: tuple[District, ...]
    districts_by_state: Mapping[int, tuple[int, ...]]
    given: Mapping[tuple[str, str, str], tuple[str, ...]]
    surnames: Mapping[tuple[str, str], tuple[str, ...]]
    nicknames_generic: Mapping[tuple[str, str], tuple[str, ...]]
    nicknames_from: Mapping[str, tuple[str, ...]]
    variants: Mapping[str, tuple[str, ...]]
    native: Mapping[tuple[str, str], tuple[str, ...]]
    villages: Mapping[str, VillageParts]
    marks: tuple[str, ...]

    def state_index(self, name: str) -> int:
        """Index of a state by its name (raises ``KeyError`` for unknown names)."""
        for i, state in enumerate(self.states):
            if state.name == name:
                return i
        raise KeyError(name)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("matcher.synth").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _frozen(mapping: dict[_K, _V]) -> Mapping[_K, _V]:
    return MappingProxyType(mapping)


@cache
def load_tables() -> SynthTables:
    """Read and check every table in ``synth/data`` (cached: the tables never change)."""
    states = tuple(
        State(
            name=row["state"],
            code=row["code"],
            abbreviations=_split(row["abbreviations"]),
            variants=_split(row["variants"]),
            region=row["region"],
            script=row["script"],
            languages=_split(row["languages"]),
            home_weight=float(row["home_weight"]),
            found_weight=float(row["found_weight"]),
            communities=tuple(
                (part.split(":")[0], float(part.split(":")[1]))
                for part in _split(row["communities"])
            ),
        )
        for row in _rows("states.csv")
    )
    state_of = {state.name: i for i, state in enumerate(states)}
    districts = tuple(
        District(
            state=state_of[row["state"]],
            name=row["district"],
            aliases=_split(row["aliases"]),
            hub_weight=float(row["hub_weight"]),
        )
        for row in _rows("districts.csv")
    )
    by_state: dict[int, list[int]] = {}
    for i, district in enumerate(districts):
        by_state.setdefault(district.state, []).append(i)

    given: dict[tuple[str, str, str], list[str]] = {}
    unisex: dict[tuple[str, str], list[str]] = {}
    for row in _rows("given_names.csv"):
        names = list(_split(row["names"]))
        if row["sex"] == "u":
            unisex[(row["community"], row["generation"])] = names
        else:
            given.setdefault((row["community"], row["sex"], row["generation"]), []).extend(names)
    # Unisex names (Sikh "Gurpreet", "Harpreet") are the most common ones: they go
    # first in both the boys' and the girls' lists.
    for (community, generation), names in unisex.items():
        for sex in ("m", "f"):
            key = (community, sex, generation)
            given[key] = names + [n for n in given.get(key, []) if n not in names]
    for community in COMMUNITIES:
        for sex in ("m", "f"):
            for generation in ("child", "adult"):
                if not given.get((community, sex, generation)):
                    raise ValueError(f"given_names.csv: no {community}/{sex}/{generation} names")

    surnames = {
        (row["community"], row["kind"]): _split(row["names"]) for row in _rows("surnames.csv")
    }

    generic: dict[tuple[str, str], list[str]] = {}
    derived: dict[str, list[str]] = {}
    for row in _rows("nicknames.csv"):
        nick, sex = row["nickname"], row["sex"]
        if row["from_names"]:
            for source in _split(row["from_names"]):
                derived.setdefault(source, []).append(nick)
            continue
        communities = COMMUNITIES if row["communities"] == "*" else _split(row["communities"])
        for community in communities:
            for s in ("m", "f") if sex == "u" else (sex,):
                generic.setdefault((community, s), []).append(nick)

    variants = {row["name"]: _split(row["variants"]) for row in _rows("variants.csv")}

    native: dict[tuple[str, str], list[str]] = {}
    for row in _rows("native_names.csv"):
        native.setdefault((row["script"], row["name"]), []).append(row["native"])

    villages: dict[str, VillageParts] = {}
    parts: dict[str, dict[str, tuple[str, ...]]] = {}
    for row in _rows("villages.csv"):
        parts.setdefault(row["region"], {})[row["part"]] = _split(row["values"])
    for region, by_part in parts.items():
        villages[region] = VillageParts(
            prefixes=by_part["prefix"],
            suffixes=by_part["suffix"],
            qualifiers=by_part.get("qualifier", ()),
        )
    for state in states:
        if state.region not in villages:
            raise ValueError(f"villages.csv: no parts for region {state.region!r}")

    marks = tuple(row["mark"] for row in _rows("marks.csv"))

    return SynthTables(
        states=states,
        districts=districts,
        districts_by_state=_frozen({k: tuple(v) for k, v in by_state.items()}),
        given=_frozen({k: tuple(v) for k, v in given.items()}),
        surnames=_frozen(surnames),
        nicknames_generic=_frozen({k: tuple(dict.fromkeys(v)) for k, v in generic.items()}),
        nicknames_from=_frozen({k: tuple(dict.fromkeys(v)) for k, v in derived.items()}),
        variants=_frozen(variants),
        native=_frozen({k: tuple(v) for k, v in native.items()}),
        villages=_frozen(villages),
        marks=marks,
    )
