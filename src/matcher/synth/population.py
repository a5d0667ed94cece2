"""The true world behind the records: families and their children.

A :class:`Family` lives in one district, belongs to one naming community and
has parents' names, a village and phone numbers; a :class:`Child` has its
official name (as parts with roles), a pet name, a birth date and the day it
went missing.  Records (``render.py``) are written *from* these values with
noise; the truth file pairs records that came from the same child.

Names are drawn with Zipf-like rank weights, so common names (Rahul, Pooja,
Mohammad Irfan, Kumar, Khatun, Das) recur across many different children,
which is what makes linkage hard.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import TypeVar

import numpy as np

from matcher.synth.config import SynthConfig
from matcher.synth.tables import COMMUNITIES, SynthTables


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a written name and what it is.

    ``role`` is one of ``given``, ``surname``, ``suffix`` (Kumar, Kumari, Devi,
    Singh, Kaur, Khatoon), ``prefix`` (Mohammad, Md), ``initial`` (``R.``, whose
    ``source`` is the name it abbreviates), ``father`` (a father's given name
    inside the child's name, as in Marathi) or ``caste`` (Reddy, Naidu).
    """

    role: str
    text: str
    source: str = ""


Name = tuple[Part, ...]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Family:
    """A household: where it lives and how its adults are named."""

    community: str
    state: int
    district: int
    surname: str
    caste: str
    father_given: str
    father: Name
    mother_given: str
    mother: Name
    village: str
    phones: tuple[str, ...]
    police_station: str
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Child:
    """A child: official name, pet name, dates and body."""

    family: int
    sex: str
    given: str
    name: Name
    pet_name: str
    birth_day: int
    missing_day: int
    marks: tuple[str, ...]
    height_z: float

    def age_on(self, day: int) -> float:
        """Age in years on a day (proleptic ordinal)."""
        return (day - self.birth_day) / 365.2425

    def age_years(self, day: int) -> int:
        """Completed years on a day (the age a family gives)."""
        born = dt.date.fromordinal(self.birth_day)
        on = dt.date.fromordinal(day)
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def height_cm(self, day: int) -> int:
        """Height on a day from a rough Indian growth curve and the child's own percentile."""
        age = self.age_on(day)
        if age <= 12:
            median = 75 + 6.2 * max(age, 1.0)
        else:
            median = 149.4 + (3.5 if self.sex == "male" else 1.5) * (min(age, 18.0) - 12)
        return round(median + 6.0 * self.height_z)


@dataclass(frozen=True, slots=True)
class Population:
    """Families and children; ``children[i].family`` indexes ``families``."""

    families: tuple[Family, ...]
    children: tuple[Child, ...]


class Weighted:
    """Items with cumulative weights, for fast repeated draws with ``random.Random``."""

    __slots__ = ("_cum", "_total", "cum", "items", "total")

    def __init__(self, items: tuple[str, ...] | list[str], weights: list[float]) -> None:
        if not items:
            raise ValueError("no items to draw from")
        self.items = tuple(items)
        self._cum = list(accumulate(weights))
        self._total = self._cum[-1]
        self.cum = np.array(self._cum)
        self.total = self._total

    def pick(self, rnd: random.Random) -> str:
        return self.items[bisect_right(self._cum, rnd.random() * self._total)]

    def index(self, rnd: random.Random) -> int:
        # random() < 1, so the draw is below the last cumulative weight and the
        # index is always in range.
        return bisect_right(self._cum, rnd.random() * self._total)


def pick(items: Sequence[_T], rnd: random.Random) -> _T:
    """Uniform choice, faster than ``Random.choice`` (one float instead of rejection sampling)."""
    return items[int(rnd.random() * len(items))]


def below(n: int, rnd: random.Random) -> int:
    """Uniform integer in ``[0, n)``, faster than ``Random.randrange``."""
    return int(rnd.random() * n)


def zipf(items: tuple[str, ...], config: SynthConfig) -> Weighted:
    """Rank weights ``1 / (rank + offset) ** s`` over items listed most common first."""
    s, offset = config.name_zipf_exponent, config.name_zipf_offset
    return Weighted(items, [1.0 / (rank + offset) ** s for rank in range(1, len(items) + 1)])


# Templates of a child's official name, per community and sex, with weights.
# Placeholders: {given} {surname} {father} {fi} (father's initial) {si}
# (surname initial) {kumar} {kumari} {devi} {fsuffix} (Khatoon, Bano ...)
# {mohammad} {md} {singh} {kaur} {caste}.
_CHILD_TEMPLATES: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {
    ("hindu_north", "m"): (
        ("{given}", 20),
        ("{given} {kumar}", 35),
        ("{given} {surname}", 40),
        ("{given} {kumar} {surname}", 5),
    ),
    ("hindu_north", "f"): (
        ("{given}", 25),
        ("{given} {kumari}", 35),
        ("{given} {surname}", 35),
        ("{given} {devi}", 5),
    ),
    ("hindu_west", "m"): (
        ("{given} {father} {surname}", 50),
        ("{given} {surname}", 40),
        ("{given}", 10),
    ),
    ("hindu_west", "f"): (
        ("{given} {father} {surname}", 50),
        ("{given} {surname}", 40),
        ("{given}", 10),
    ),
    ("muslim_north", "m"): (
        ("{mohammad} {given}", 20),
        ("{mohammad} {given} {surname}", 15),
        ("{given} {surname}", 35),
        ("{given}", 30),
    ),
    ("muslim_north", "f"): (("{given} {fsuffix}", 45), ("{given}", 30), ("{given} {surname}", 25)),
    ("muslim_bengal", "m"): (
        ("{given} {surname}", 45),
        ("{surname} {given}", 10),
        ("{md} {given} {surname}", 15),
        ("{md} {given}", 10),
        ("{given}", 20),
    ),
    ("muslim_bengal", "f"): (("{given} {fsuffix}", 60), ("{given}", 20), ("{given} {surname}", 20)),
    ("sikh", "m"): (("{given} {singh}", 65), ("{given} {singh} {surname}", 30), ("{given}", 5)),
    ("sikh", "f"): (("{given} {kaur}", 65), ("{given} {kaur} {surname}", 30), ("{given}", 5)),
    ("bengali_hindu", "m"): (("{given} {surname}", 85), ("{given}", 15)),
    ("bengali_hindu", "f"): (("{given} {surname}", 85), ("{given}", 15)),
    ("odia", "m"): (("{given} {surname}", 85), ("{given}", 15)),
    ("odia", "f"): (("{given} {surname}", 85), ("{given}", 15)),
    ("adivasi", "m"): (("{given} {surname}", 80), ("{given}", 15), ("{given} {kumar}", 5)),
    ("adivasi", "f"): (("{given} {surname}", 80), ("{given}", 15), ("{given} {kumari}", 5)),
    ("tamil", "m"): (("{fi} {given}", 60), ("{given}", 30), ("{given} {fi}", 10)),
    ("tamil", "f"): (("{fi} {given}", 60), ("{given}", 30), ("{given} {fi}", 10)),
    ("telugu", "m"): (
        ("{surname} {given}", 35),
        ("{si} {given}", 25),
        ("{given}", 20),
        ("{given} {caste}", 20),
    ),
    ("telugu", "f"): (
        ("{surname} {given}", 35),
        ("{si} {given}", 25),
        ("{given}", 30),
        ("{given} {caste}", 10),
    ),
    ("kannada", "m"): (
        ("{given}", 35),
        ("{given} {fi}", 20),
        ("{given} {surname}", 30),
        ("{given} {father}", 15),
    ),
    ("kannada", "f"): (
        ("{given}", 40),
        ("{given} {fi}", 20),
        ("{given} {surname}", 25),
        ("{given} {father}", 15),
    ),
    ("malayali", "m"): (
        ("{given} {fi}", 30),
        ("{given} {surname}", 30),
        ("{given}", 30),
        ("{given} {father}", 10),
    ),
    ("malayali", "f"): (
        ("{given} {fi}", 30),
        ("{given} {surname}", 25),
        ("{given}", 35),
        ("{given} {father}", 10),
    ),
}

# Father's and mother's names as the family writes them.  {gi}: grandfather's initial.
_FATHER_TEMPLATES: dict[str, tuple[tuple[str, float], ...]] = {
    "hindu_north": (("{fgiven} {surname}", 50), ("{fgiven}", 40), ("{fgiven} {kumar}", 10)),
    "hindu_west": (("{fgiven} {ggiven} {surname}", 40), ("{fgiven} {surname}", 60)),
    "muslim_north": (("{mohammad} {fgiven}", 25), ("{fgiven} {surname}", 40), ("{fgiven}", 35)),
    "muslim_bengal": (
        ("{fgiven} {surname}", 50),
        ("{md} {fgiven} {surname}", 20),
        ("{surname} {fgiven}", 10),
        ("{fgiven}", 20),
    ),
    "sikh": (("{fgiven} {singh}", 60), ("{fgiven} {singh} {surname}", 40)),
    "bengali_hindu": (("{fgiven} {surname}", 85), ("{fgiven}", 15)),
    "odia": (("{fgiven} {surname}", 85), ("{fgiven}", 15)),
    "adivasi": (("{fgiven} {surname}", 85), ("{fgiven}", 15)),
    "tamil": (("{gi} {fgiven}", 40), ("{fgiven}", 60)),
    "telugu": (
        ("{surname} {fgiven}", 40),
        ("{si} {fgiven}", 20),
        ("{fgiven} {caste}", 20),
        ("{fgiven}", 20),
    ),
    "kannada": (("{fgiven}", 50), ("{fgiven} {surname}", 40), ("{fgiven} {gi}", 10)),
    "malayali": (("{fgiven} {gi}", 30), ("{fgiven} {surname}", 30), ("{fgiven}", 40)),
}
_MOTHER_TEMPLATES: dict[str, tuple[tuple[str, float], ...]] = {
    "hindu_north": (("{mgiven} {devi}", 60), ("{mgiven}", 30), ("{mgiven} {surname}", 10)),
    "hindu_west": (
        ("{mgiven} {fgiven} {surname}", 60),
        ("{mgiven} {surname}", 30),
        ("{mgiven}", 10),
    ),
    "muslim_north": (("{mgiven} {msuffix}", 40), ("{mgiven}", 45), ("{mgiven} {surname}", 15)),
    "muslim_bengal": (("{mgiven} {msuffix}", 60), ("{mgiven}", 40)),
    "sikh": (("{mgiven} {kaur}", 90), ("{mgiven}", 10)),
    "bengali_hindu": (("{mgiven} {surname}", 60), ("{mgiven}", 40)),
    "odia": (("{mgiven} {surname}", 60), ("{mgiven}", 40)),
    "adivasi": (("{mgiven} {surname}", 60), ("{mgiven}", 40)),
    "tamil": (("{mgiven}", 90), ("{gi} {mgiven}", 10)),
    "telugu": (("{mgiven}", 70), ("{surname} {mgiven}", 30)),
    "kannada": (("{mgiven}", 85), ("{mgiven} {surname}", 15)),
    "malayali": (("{mgiven}", 80), ("{mgiven} {surname}", 20)),
}

_FIXED = {
    "kumar": Part("suffix", "Kumar"),
    "kumari": Part("suffix", "Kumari"),
    "devi": Part("suffix", "Devi"),
    "singh": Part("suffix", "Singh"),
    "kaur": Part("suffix", "Kaur"),
    "mohammad": Part("prefix", "Mohammad"),
    "md": Part("prefix", "Md"),
}
_LETTERS = tuple("ABCDEGHJKLMNPRSTV")


@cache
def _part(role: str, text: str) -> Part:
    return Part(role, text)


@cache
def _initial(name: str) -> Part:
    return Part("initial", name[0].upper() + ".", source=name)


def _fill(template: str, values: dict[str, Part]) -> Name:
    parts: list[Part] = []
    for slot in template.split(" "):
        key = slot[1:-1]
        part = _FIXED.get(key) or values.get(key)
        if part is not None and part.text:
            parts.append(part)
    return tuple(parts)


class _Templates:
    """Weighted template choices, prepared once per generation."""

    def __init__(self) -> None:
        self.child = {
            k: Weighted([t for t, _ in v], [w for _, w in v]) for k, v in _CHILD_TEMPLATES.items()
        }
        self.father = {
            k: Weighted([t for t, _ in v], [w for _, w in v]) for k, v in _FATHER_TEMPLATES.items()
        }
        self.mother = {
            k: Weighted([t for t, _ in v], [w for _, w in v]) for k, v in _MOTHER_TEMPLATES.items()
        }


class PopulationSampler:
    """Draws families and children with the weights of the tables and the config.

    :meth:`population` draws whole populations in bulk with numpy (index arrays
    per naming community) and only assembles the values in Python; the scalar
    helpers (:meth:`village`, :meth:`police_station`, :meth:`mobile`) serve the
    renderer's one-off needs with ``random.Random``.
    """

    def __init__(self, tables: SynthTables, config: SynthConfig, rnd: random.Random) -> None:
        self.tables = tables
        self.config = config
        self.rnd = rnd
        self.np = np.random.default_rng(rnd.getrandbits(64))
        self.templates = _Templates()
        self.states = Weighted(
            [s.name for s in tables.states], [s.home_weight for s in tables.states]
        )
        self.communities = {
            i: Weighted([c for c, _ in s.communities], [w for _, w in s.communities])
            for i, s in enumerate(tables.states)
        }
        self.given = {key: zipf(names, config) for key, names in tables.given.items()}
        self.surnames = {key: zipf(names, config) for key, names in tables.surnames.items()}
        self.nicknames = {
            key: zipf(names, config) for key, names in tables.nicknames_generic.items()
        }
        self.village_parts = {
            region: (zipf(p.prefixes, config), zipf(p.suffixes, config), p.qualifiers)
            for region, p in tables.villages.items()
        }
        self.first_day = dt.date.fromisoformat(config.first_missing_date).toordinal()
        self.last_day = dt.date.fromisoformat(config.last_missing_date).toordinal()
        # Pools keyed by community code (and sex: code * 2 + female) for bulk draws.
        self._child_given_pools = self._keyed(lambda c, x: self.given.get((c, x, "child")))
        self._child_template_pools = self._keyed(lambda c, x: self.templates.child.get((c, x)))
        self._nickname_pools = self._keyed(lambda c, x: self.nicknames.get((c, x)))
        self._surname_pools = self._by_community(lambda c: self.surnames.get((c, "family")))
        self._female_suffix_pools = self._by_community(lambda c: self.surnames.get((c, "female")))
        telugu_castes = self.surnames[("telugu", "caste")]
        self._caste_pools = self._by_community(lambda c: telugu_castes if c == "telugu" else None)
        self._father_pools = self._by_community(lambda c: self.given.get((c, "m", "adult")))
        self._mother_pools = self._by_community(lambda c: self.given.get((c, "f", "adult")))
        self._father_template_pools = self._by_community(lambda c: self.templates.father.get(c))
        self._mother_template_pools = self._by_community(lambda c: self.templates.mother.get(c))

    # --- scalar helpers (renderer) ----------------------------------------------
    def mobile(self) -> str:
        """A ten-digit Indian mobile number (starts with 6-9)."""
        return str(6_000_000_000 + below(4_000_000_000, self.rnd))

    def village(self, region: str) -> str:
        """A village name from the region's parts: ``Ram`` + ``pur`` (+ ``Khurd``)."""
        prefixes, suffixes, qualifiers = self.village_parts[region]
        name = prefixes.pick(self.rnd) + suffixes.pick(self.rnd)
        if qualifiers and self.rnd.random() < 0.15:
            name = f"{name} {pick(qualifiers, self.rnd)}"
        return name

    def police_station(self, region: str) -> str:
        """A thana: named after a town, or Kotwali/Sadar/Civil Lines/Mahila Thana."""
        return _police_station(self.rnd.random(), self.village(region))

    # --- bulk draws -------------------------------------------------------------
    def _draw(self, pool: Weighted, n: int) -> np.ndarray:
        return np.searchsorted(pool.cum, self.np.random(n) * pool.total, side="right")

    def _grouped(self, keys: np.ndarray, pools: dict[int, Weighted]) -> np.ndarray:
        """One draw per row from the pool of the row's key (``-1`` where there is none)."""
        out = np.full(len(keys), -1, dtype=np.int64)
        for key in np.unique(keys):
            pool = pools.get(int(key))
            if pool is None:
                continue
            rows = np.flatnonzero(keys == key)
            out[rows] = self._draw(pool, len(rows))
        return out

    def _villages(self, regions: list[str]) -> list[str]:
        n = len(regions)
        codes = np.array([_REGION_CODES[r] for r in regions], dtype=np.int64)
        out = [""] * n
        qualify = self.np.random(n) < 0.15
        which = self.np.random(n)
        for region, code in _REGION_CODES.items():
            rows = np.flatnonzero(codes == code)
            if not len(rows) or region not in self.village_parts:
                continue
            prefixes, suffixes, qualifiers = self.village_parts[region]
            pre = self._draw(prefixes, len(rows)).tolist()
            suf = self._draw(suffixes, len(rows)).tolist()
            for j, row in enumerate(rows.tolist()):
                name = prefixes.items[pre[j]] + suffixes.items[suf[j]]
                if qualifiers and qualify[row]:
                    name = f"{name} {qualifiers[int(which[row] * len(qualifiers))]}"
                out[row] = name
        return out

    def population(self, n_children: int) -> Population:
        """Families until there are ``n_children`` children; some families have 2-4.

        Siblings get distinct given names and, when reported together (most
        sibling groups), the same missing day.
        """
        if n_children <= 0:
            return Population(families=(), children=())
        cfg, tables, gen = self.config, self.tables, self.np
        # Family sizes: enough families for n_children, the last one trimmed.
        sizes = np.where(
            gen.random(n_children) < cfg.sibling_family_share,
            gen.choice(np.array([2, 3, 4]), size=n_children, p=[0.75, 0.20, 0.05]),
            1,
        )
        ends = np.cumsum(sizes)
        n_families = int(np.searchsorted(ends, n_children)) + 1
        sizes = sizes[:n_families].copy()
        sizes[-1] -= int(ends[n_families - 1]) - n_children
        families = self._families(n_families)

        # Children, grouped by family.
        family_of = np.repeat(np.arange(n_families), sizes)
        n = n_children
        community = np.array([_COMMUNITY_CODES[families[f].community] for f in family_of.tolist()])
        female = gen.random(n) < cfg.female_share
        sex_key = community * 2 + female
        given_idx = self._grouped(sex_key, self._child_given_pools)
        template_idx = self._grouped(sex_key, self._child_template_pools)
        fsuffix_idx = self._grouped(community, self._female_suffix_pools)
        nick_idx = self._grouped(sex_key, self._nickname_pools)
        # Ages when missing: mostly teenagers (runaways, trafficking), girls older.
        roll = gen.random(n)
        teen = np.where(female, 0.72, 0.58)
        age = np.where(
            roll < teen,
            12 + gen.integers(0, 6, n),
            np.where(roll < teen + 0.22, 6 + gen.integers(0, 6, n), 1 + gen.integers(0, 5, n)),
        )
        span = self.last_day - self.first_day + 1
        own_day = self.first_day + gen.integers(0, span, n)
        family_day = self.first_day + gen.integers(0, span, n_families)
        together = gen.random(n_families) < 0.7
        missing_day = np.where(
            (sizes[family_of] > 1) & together[family_of], family_day[family_of], own_day
        )
        birth_day = missing_day - (age * 365.2425).astype(np.int64) - gen.integers(0, 365, n)
        pet = gen.random(n) < cfg.pet_name_share
        pet_derived = gen.random(n) < 0.5
        pet_which = gen.random(n)
        mark_roll = gen.random(n)
        mark_idx = gen.integers(0, len(tables.marks), (n, 2))
        mark_left = gen.random((n, 2)) < 0.5
        height_z = np.clip(gen.normal(0.0, 1.0, n), -2.5, 2.5)
        retry = gen.random((n, 10))

        children: list[Child] = []
        used: set[str] = set()
        previous = -1
        arrays = zip(
            family_of.tolist(),
            female.tolist(),
            given_idx.tolist(),
            template_idx.tolist(),
            fsuffix_idx.tolist(),
            nick_idx.tolist(),
            missing_day.tolist(),
            birth_day.tolist(),
            pet.tolist(),
            pet_derived.tolist(),
            pet_which.tolist(),
            mark_roll.tolist(),
            height_z.tolist(),
            strict=True,
        )
        for i, (
            f,
            is_female,
            gi,
            ti,
            si,
            ni,
            day,
            born,
            has_pet,
            derived,
            which,
            mr,
            z,
        ) in enumerate(arrays):
            family = families[f]
            if f != previous:
                used.clear()
                previous = f
            sex = "female" if is_female else "male"
            key = (family.community, sex[0])
            pool = self.given[(family.community, sex[0], "child")]
            given = pool.items[gi]
            for r in range(10):
                if given not in used:
                    break
                given = pool.items[
                    int(np.searchsorted(pool.cum, retry[i, r] * pool.total, "right"))
                ]
            used.add(given)
            pet_name = ""
            if has_pet:
                from_given = tables.nicknames_from.get(given, ())
                if from_given and derived:
                    pet_name = from_given[int(which * len(from_given))]
                elif ni >= 0:
                    pet_name = self.nicknames[key].items[ni]
            marks: tuple[str, ...] = ()
            if mr >= 0.45:
                count = 1 if mr < 0.85 else 2
                marks = tuple(
                    tables.marks[int(mark_idx[i, k])].replace(
                        "{side}", "left" if mark_left[i, k] else "right"
                    )
                    for k in range(count)
                )
            fsuffix = self.surnames[(family.community, "female")].items[si] if si >= 0 else ""
            values = {
                "given": _part("given", given),
                "surname": _part("surname", family.surname),
                "father": _part("father", family.father_given.split(" ")[0]),
                "fi": _initial(family.father_given),
                "si": _initial(family.surname) if family.surname else _part("initial", ""),
                "fsuffix": _part("suffix", fsuffix),
                "caste": _part("caste", family.caste),
            }
            template = self.templates.child[key].items[ti]
            children.append(
                Child(
                    family=f,
                    sex=sex,
                    given=given,
                    name=_fill(template, values),
                    pet_name=pet_name,
                    birth_day=born,
                    missing_day=day,
                    marks=marks,
                    height_z=z,
                )
            )
        return Population(families=tuple(families), children=tuple(children))

    def _families(self, n: int) -> list[Family]:
        tables, gen = self.tables, self.np
        state = self._draw(self.states, n)
        district_roll = gen.random(n)
        community_idx = self._grouped(state, self.communities)
        community_names = [
            self.communities[s].items[c]
            for s, c in zip(state.tolist(), community_idx.tolist(), strict=True)
        ]
        community = np.array([_COMMUNITY_CODES[c] for c in community_names])
        surname = self._grouped(community, self._surname_pools)
        caste = self._grouped(community, self._caste_pools)
        father = self._grouped(community, self._father_pools)
        mother = self._grouped(community, self._mother_pools)
        grandfather = self._grouped(community, self._father_pools)
        msuffix = self._grouped(community, self._female_suffix_pools)
        father_template = self._grouped(community, self._father_template_pools)
        mother_template = self._grouped(community, self._mother_template_pools)
        letters = gen.integers(0, len(_LETTERS), n)
        regions = [tables.states[s].region for s in state.tolist()]
        villages = self._villages(regions)
        police_roll = gen.random(n)
        police_towns = self._villages(regions)
        phone = 6_000_000_000 + gen.integers(0, 4_000_000_000, n)
        second = gen.random(n) < self.config.missing_second_phone
        phone2 = 6_000_000_000 + gen.integers(0, 4_000_000_000, n)
        lang_roll = gen.random((n, 3))

        out: list[Family] = []
        columns = zip(
            state.tolist(),
            district_roll.tolist(),
            community_names,
            surname.tolist(),
            caste.tolist(),
            father.tolist(),
            mother.tolist(),
            grandfather.tolist(),
            msuffix.tolist(),
            father_template.tolist(),
            mother_template.tolist(),
            letters.tolist(),
            strict=True,
        )
        for i, (st, dr, comm, sn, ca, fa, mo, gf, ms, ft, mt, letter) in enumerate(columns):
            districts = tables.districts_by_state[st]
            surname_text = self.surnames[(comm, "family")].items[sn] if sn >= 0 else ""
            caste_text = self.surnames[("telugu", "caste")].items[ca] if ca >= 0 else ""
            father_given = self.given[(comm, "m", "adult")].items[fa]
            mother_given = self.given[(comm, "f", "adult")].items[mo]
            grand = self.given[(comm, "m", "adult")].items[gf]
            suffix = self.surnames[(comm, "female")].items[ms] if ms >= 0 else ""
            values = {
                "fgiven": _part("given", father_given),
                "mgiven": _part("given", mother_given),
                "ggiven": _part("father", grand.split(" ")[0]),
                "surname": _part("surname", surname_text),
                "si": _initial(surname_text) if surname_text else _part("initial", ""),
                "gi": _part("initial", _LETTERS[letter] + "."),
                "caste": _part("caste", caste_text),
                "msuffix": _part("suffix", suffix),
            }
            father_name = _fill(self.templates.father[comm].items[ft], values)
            values["fgiven"] = _part("father", father_given.split(" ")[0])
            mother_name = _fill(self.templates.mother[comm].items[mt], values)
            phones = (str(phone[i]), str(phone2[i])) if second[i] else (str(phone[i]),)
            out.append(
                Family(
                    community=comm,
                    state=st,
                    district=districts[int(dr * len(districts))],
                    surname=surname_text,
                    caste=caste_text,
                    father_given=father_given,
                    father=father_name,
                    mother_given=mother_given,
                    mother=mother_name,
                    village=villages[i],
                    phones=phones,
                    police_station=_police_station(float(police_roll[i]), police_towns[i]),
                    languages=_languages(tables.states[st].languages, lang_roll[i].tolist()),
                )
            )
        return out

    @staticmethod
    def _by_community(get: Callable[[str], Weighted | None]) -> dict[int, Weighted]:
        out = {}
        for community, code in _COMMUNITY_CODES.items():
            pool = get(community)
            if pool is not None:
                out[code] = pool
        return out

    @staticmethod
    def _keyed(get: Callable[[str, str], Weighted | None]) -> dict[int, Weighted]:
        out = {}
        for community, code in _COMMUNITY_CODES.items():
            for female, sex in ((0, "m"), (1, "f")):
                pool = get(community, sex)
                if pool is not None:
                    out[code * 2 + female] = pool
        return out


_COMMUNITY_CODES = {community: i for i, community in enumerate(COMMUNITIES)}
_REGION_CODES = {
    region: i
    for i, region in enumerate(
        ("hindi", "bengal", "punjab", "west", "odia", "tamil", "telugu", "kannada", "kerala")
    )
}


def _police_station(roll: float, town: str) -> str:
    """A thana: named after a town, or Kotwali/Sadar/Civil Lines/Mahila Thana."""
    if roll < 0.12:
        return "Kotwali"
    if roll < 0.20:
        return "Sadar"
    if roll < 0.24:
        return "Civil Lines"
    if roll < 0.27:
        return "Mahila Thana"
    return f"{town} Dehat" if roll < 0.32 else town


def _languages(spoken: tuple[str, ...], rolls: list[float]) -> tuple[str, ...]:
    """A family's languages: the state's first, sometimes Hindi or a regional one too."""
    first = spoken[0]
    if first != "Hindi" and "Hindi" in spoken and rolls[0] < 0.4:
        return (first, "Hindi")
    if len(spoken) > 1 and rolls[1] < 0.3:
        rest = spoken[1:]
        return (first, rest[int(rolls[2] * len(rest))])
    return (first,)
