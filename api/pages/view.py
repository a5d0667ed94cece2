"""What the review pages show, built from domain values by pure functions.

The templates only lay these values out: which fields line up, how each
comparison level reads to a person (agrees, close, differs, unknown), the
weight bars and their shares, the time between report and finding. Keeping
it here makes it testable without a browser or a database.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

from matcher.normalize.names import ParsedName
from matcher.normalize.person import Person
from matcher.normalize.places import PlaceMatch
from matcher.scoring.comparisons import NULL
from matcher.scoring.score import COMPETITION, probability

Agreement = Literal["agrees", "close", "differs", "unknown"]

#: How each comparison level reads to a caseworker. Levels not listed here
#: (a newer model may add some) fall back to the sign of their weight.
AGREEMENT: Final[Mapping[str, Mapping[str, Agreement]]] = {
    "name": {
        "exact": "agrees",
        "phonetic": "agrees",
        "phonetic_subset": "close",
        "fuzzy": "close",
        "partial": "close",
        "nickname_only": "close",
        "different": "differs",
    },
    "sex": {"same": "agrees", "different": "differs"},
    "age": {"fits": "agrees", "close": "close", "loose": "close", "differs": "differs"},
    "family": {
        "phone_and_parent": "agrees",
        "phone": "agrees",
        "both_parents": "agrees",
        "father_full": "agrees",
        "one_parent": "close",
        "parent_close": "close",
        # One parent agrees and the other conflicts: worth a look, not a match.
        "mixed": "close",
        "different": "differs",
    },
    "district": {"same_district": "agrees", "same_state": "close", "different_state": "differs"},
    "village": {"same": "agrees", "different": "differs"},
    "languages": {"shared": "agrees", "none_shared": "differs"},
    "marks": {"agree": "agrees", "some": "close", "differ": "differs"},
    "height": {"fits": "agrees", "near": "close", "differs": "differs"},
    # Found within a year of going missing fits best; years later still fits a
    # child held in labour; found before going missing does not fit.
    "dates": {
        "within_a_year": "agrees",
        "one_to_four_years": "close",
        "over_four_years": "close",
        "found_first": "differs",
    },
}

#: Weights (bits) within this of zero read as "close" when a level is not in the table.
_NEUTRAL_BITS: Final = 1.0


def agreement(field: str, level: str, weight: float = 0.0) -> Agreement:
    """How a comparison's level reads: agrees, close, differs, or unknown (a side is empty)."""
    if level == NULL:
        return "unknown"
    known = AGREEMENT.get(field, {}).get(level)
    if known is not None:
        return known
    if weight > _NEUTRAL_BITS:
        return "agrees"
    if weight < -_NEUTRAL_BITS:
        return "differs"
    return "close"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One aligned row: the label, each side's spec field, the comparison that covers it."""

    label: str
    found_field: str
    missing_field: str
    comparison: str | None


#: The rows of the side-by-side table, in reading order. Fields a comparison
#: does not use (police station, where found) are shown but marked "not compared".
ROWS: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("f_name", "name", "name", "name"),
    FieldSpec("f_aliases", "aliases", "aliases", "name"),
    FieldSpec("f_sex", "sex", "sex", "sex"),
    FieldSpec("f_age", "age", "age", "age"),
    FieldSpec("f_birth_date", "birth_date", "birth_date", "age"),
    FieldSpec("f_father_name", "father_name", "father_name", "family"),
    FieldSpec("f_mother_name", "mother_name", "mother_name", "family"),
    FieldSpec("f_guardian_name", "guardian_name", "guardian_name", "family"),
    FieldSpec("f_guardian_phone", "guardian_phone", "guardian_phone", "family"),
    FieldSpec("f_village", "village", "village", "village"),
    FieldSpec("f_district", "district", "district", "district"),
    FieldSpec("f_state", "state", "state", "district"),
    FieldSpec("f_police_station", "police_station", "police_station", None),
    FieldSpec("f_languages", "languages", "languages", "languages"),
    FieldSpec("f_marks", "marks", "marks", "marks"),
    FieldSpec("f_height_cm", "height_cm", "height_cm", "height"),
    FieldSpec("f_date", "found_date", "missing_date", "dates"),
    FieldSpec("f_found_district", "found_district", "", None),
    FieldSpec("f_found_state", "found_state", "", None),
    FieldSpec("f_care_institution", "care_institution", "", None),
)


@dataclass(frozen=True, slots=True)
class Shown:
    """One side of a row: the value as written and, if different, as matcher read it."""

    original: str
    normalized: str = ""
    script: str = ""


@dataclass(frozen=True, slots=True)
class FieldRow:
    label: str
    found: Shown
    missing: Shown
    #: ``None`` for fields no comparison uses.
    agreement: Agreement | None
    level: str
    detail: str


def _name(parsed: ParsedName) -> tuple[str, str]:
    return parsed.latin, parsed.script or ""


def _place_name(place: PlaceMatch | None, part: str) -> str:
    if place is None:
        return ""
    if part == "district":
        return f"{place.district.name} ({place.district.code})" if place.district else ""
    return str(place.state.name) if place.state else ""


def normalized(person: Person, field: str) -> tuple[str, str]:
    """How matcher read one spec field of a record: (normalized text, script of the original)."""
    if field == "name":
        return _name(person.name)
    if field == "aliases":
        return ", ".join(a.latin for a in person.aliases), ", ".join(
            sorted({a.script for a in person.aliases if a.script})
        )
    if field in ("father_name", "mother_name", "guardian_name"):
        return _name(getattr(person, field.removesuffix("_name")))
    if field == "sex":
        return (person.sex.value if person.sex else ""), ""
    if field == "age":
        age = person.age
        if age is None:
            return "", ""
        if age.low == age.high:
            return f"{age.low:g}", ""
        return f"{age.low:g}–{age.high:g}", ""
    if field == "birth_date":
        birth = person.birth
        if birth is None or birth.source == "age":
            return "", ""
        return birth.earliest.isoformat() + (
            "" if birth.latest == birth.earliest else f" – {birth.latest.isoformat()}"
        ), ""
    if field == "guardian_phone":
        return ", ".join(person.phones), ""
    if field == "village":
        return person.village, ""
    if field == "district":
        return _place_name(person.home, "district"), ""
    if field == "state":
        return _place_name(person.home, "state"), ""
    if field == "found_district":
        return _place_name(person.found_place, "district"), ""
    if field == "found_state":
        return _place_name(person.found_place, "state"), ""
    if field == "languages":
        return ", ".join(sorted(person.languages)), ""
    if field == "marks":
        return " ".join(sorted(person.marks)), ""
    if field in ("found_date", "missing_date"):
        return (person.record_date.isoformat() if person.record_date else ""), ""
    return "", ""


def _shown(fields: Mapping[str, str], person: Person, field: str) -> Shown:
    if not field:
        return Shown("")
    original = fields.get(field, "")
    if not original:
        return Shown("")
    value, script = normalized(person, field)
    # Only show the reading when it adds something: "Radha" read as "radha" does not.
    if value.casefold() == original.strip().casefold():
        value = ""
    return Shown(original, value, script if script and script != "Latin" else "")


def field_rows(
    found_fields: Mapping[str, str],
    missing_fields: Mapping[str, str],
    found: Person,
    missing: Person,
    explanation: Mapping[str, Any],
) -> list[FieldRow]:
    """The aligned rows of a pair; rows empty on both sides are left out."""
    levels = {
        str(f["field"]): (str(f["level"]), float(f["weight"]), str(f.get("detail") or ""))
        for f in explanation.get("fields", [])
    }
    rows: list[FieldRow] = []
    explained: set[str] = set()  # a comparison's sentence is shown on its first row only
    for spec in ROWS:
        left = _shown(found_fields, found, spec.found_field)
        right = _shown(missing_fields, missing, spec.missing_field)
        if not left.original and not right.original:
            continue
        if spec.comparison is None:
            rows.append(FieldRow(spec.label, left, right, None, "", ""))
            continue
        level, weight, detail = levels.get(spec.comparison, (NULL, 0.0, ""))
        if spec.comparison in explained:
            detail = ""
        explained.add(spec.comparison)
        if not left.original or not right.original:
            # This field is empty on one side; the comparison may still have
            # used a sibling field (the father's name when the phone is empty).
            rows.append(FieldRow(spec.label, left, right, "unknown", level, detail))
            continue
        seen = agreement(spec.comparison, level, weight)
        rows.append(FieldRow(spec.label, left, right, seen, level, detail))
    return rows


@dataclass(frozen=True, slots=True)
class Bar:
    """One part of the score: its weight in bits and its share of all the evidence (percent)."""

    field: str
    level: str
    weight: float
    share: float
    detail: str
    agreement: Agreement

    @property
    def side(self) -> Literal["for", "against", "none"]:
        """Which way the part pulls; ``none`` for a field empty on a side (weight 0)."""
        if self.weight > 0:
            return "for"
        return "against" if self.weight < 0 else "none"


@dataclass(frozen=True, slots=True)
class Chart:
    bars: tuple[Bar, ...]
    #: prior + every field's weight: the pair's match weight.
    total: float
    probability: float


def weight_chart(explanation: Mapping[str, Any]) -> Chart:
    """The bars of a stored explanation; their weights add up to the match weight.

    Each bar's share is its absolute weight over the sum of all absolute
    weights (the prior included), so the bars together fill the chart and a
    long bar is a field that decided much of the score, in either direction.
    """
    parts: list[tuple[str, str, float, str]] = []
    prior = explanation.get("prior_weight")
    if prior is not None:
        parts.append(("prior", "", float(prior), ""))
    for f in explanation.get("fields", []):
        parts.append(
            (str(f["field"]), str(f["level"]), float(f["weight"]), str(f.get("detail") or ""))
        )
    total = math.fsum(w for _, _, w, _ in parts)
    evidence = math.fsum(abs(w) for _, _, w, _ in parts)
    bars = tuple(
        Bar(
            field,
            level,
            weight,
            100.0 * abs(weight) / evidence if evidence else 0.0,
            detail,
            "unknown"
            if level == NULL
            else ("agrees" if weight >= 0 else "differs")
            if field in ("prior", COMPETITION)
            else agreement(field, level, weight),
        )
        for field, level, weight, detail in parts
    )
    return Chart(bars, total, probability(total))


@dataclass(frozen=True, slots=True)
class Elapsed:
    """Time from the missing report to the finding, in whole days (negative: found first)."""

    days: int
    years: int
    months: int


def elapsed(missing_date: date | None, found_date: date | None) -> Elapsed | None:
    """Whole years and months between the two dates; ``None`` when either is unknown."""
    if missing_date is None or found_date is None:
        return None
    days = (found_date - missing_date).days
    if days < 0:
        return Elapsed(days, 0, 0)
    months = (found_date.year - missing_date.year) * 12 + found_date.month - missing_date.month
    if found_date.day < missing_date.day:
        months -= 1
    return Elapsed(days, months // 12, months % 12)


def elapsed_text(span: Elapsed | None, t: Callable[..., str]) -> str:
    """The elapsed time in words: "1 year 10 months", "7 months", "12 days", or unknown."""
    if span is None:
        return t("elapsed_unknown")
    if span.days < 0:
        return t("before_report", d=-span.days)

    def count(n: int, one: str, many: str) -> str:
        return t(one) if n == 1 else t(many, n=n)

    if span.years or span.months:
        parts = []
        if span.years:
            parts.append(count(span.years, "year_one", "years"))
        if span.months:
            parts.append(count(span.months, "month_one", "months"))
        return " ".join(parts)
    return count(span.days, "day_one", "days_only")


@dataclass(frozen=True, slots=True)
class Band:
    """A probability band of the queue filter (bounds inclusive)."""

    code: str
    low: float
    high: float
    label: str


#: The queue's probability bands. Upper bounds sit just under the next band's
#: lower bound because the repository's bounds are inclusive.
BANDS: Final[tuple[Band, ...]] = (
    Band("90", 0.9, 1.0, "90–100%"),
    Band("70", 0.7, 0.9 - 1e-9, "70–90%"),
    Band("50", 0.5, 0.7 - 1e-9, "50–70%"),
    Band("0", 0.0, 0.5 - 1e-9, "< 50%"),
)
BAND_BY_CODE: Final = {b.code: b for b in BANDS}
#: The "waiting at least" choices of the queue filter, in days.
WAITING_DAYS: Final = (1, 7, 30, 90)


def percent(p: float) -> str:
    """A probability as a percentage that never rounds a doubt away: 0.9996 is not "100%"."""
    value = 100.0 * p
    if value >= 99.95 and p < 1.0:
        return ">99.9%"
    if 99.5 <= value < 100.0:
        return f"{value:.1f}%"
    if 0.0 < value < 0.5:
        return "<1%"
    return f"{value:.0f}%"


def pages(total: int, per_page: int) -> int:
    """How many pages ``total`` items fill (at least one)."""
    return max(1, -(-total // per_page))
