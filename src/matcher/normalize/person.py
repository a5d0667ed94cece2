"""A whole record, normalized: the value every later stage works on.

``normalize_record`` runs each field's normalizer and collects what could not
be understood as :class:`FieldProblem` values instead of raising, so that one
impossible date never hides the rest of a child's record. Comparisons,
blocking keys and the model only ever see :class:`Person`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from matcher.errors import InvalidFieldValue
from matcher.normalize.ages import AgeRange, BirthInterval, birth_interval, parse_age
from matcher.normalize.dates import parse_date
from matcher.normalize.names import ParsedName, TokenKind, parse_aliases, parse_name
from matcher.normalize.phones import parse_phones
from matcher.normalize.places import Gazetteer, PlaceMatch
from matcher.normalize.sex import parse_sex
from matcher.normalize.text import fold_text
from matcher.records import RawRecord, RecordKind, Sex


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A field whose text could not be understood; the rest of the record still counts."""

    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class Person:
    """One record after normalization, ready for blocking and comparison."""

    kind: RecordKind
    id: str
    name: ParsedName
    own_name: ParsedName
    """The name without the parts that repeat the father's name or surname.

    Siblings share those ("Sakshi Raju Chavan", "Sonali Raju Chavan", whose
    father is Raju Chavan); they are family evidence, which the family
    comparison counts, not evidence of the same child.
    """
    aliases: tuple[ParsedName, ...]
    sex: Sex | None
    """The ``sex`` field, or failing that the sex a name part implies (Kumari, Khatun)."""
    sex_from_field: bool
    age: AgeRange | None
    birth: BirthInterval | None
    record_date: date | None
    """``missing_date`` or ``found_date``: the date the age refers to."""
    father: ParsedName
    mother: ParsedName
    guardian: ParsedName
    phones: tuple[str, ...]
    village: str
    police_station: str
    home: PlaceMatch
    found_place: PlaceMatch | None
    languages: frozenset[str]
    marks: frozenset[str]
    height_cm: float | None
    problems: tuple[FieldProblem, ...]

    @property
    def all_names(self) -> tuple[ParsedName, ...]:
        """The name and every alias, the name first."""
        return (self.name, *self.aliases)


_SPLIT = re.compile(r"[;,/|]+")
_WORDS = re.compile(r"[^\W\d_]+")

# Words in identifying marks that say where or what, not filler. Officers
# write marks freely ("mole on left cheek", "burn scar right hand"); the
# comparison looks at shared informative words.
_MARK_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "at",
        "near",
        "and",
        "with",
        "has",
        "have",
        "is",
        "small",
        "big",
        "large",
        "old",
    ]
)


def _languages(text: str) -> frozenset[str]:
    return frozenset(p.strip().lower() for p in _SPLIT.split(fold_text(text)) if p.strip())


def _marks(text: str) -> frozenset[str]:
    words = _WORDS.findall(fold_text(text).lower())
    return frozenset(w for w in words if w not in _MARK_STOPWORDS and len(w) > 1)


def _height(text: str) -> float | None:
    text = fold_text(text)
    if not text:
        return None
    match = re.fullmatch(r"(\d{2,3}(?:\.\d+)?)\s*(?:cm|cms)?\.?", text.lower())
    if not match:
        raise InvalidFieldValue("expected a height in centimetres such as 132")
    value = float(match.group(1))
    if not 40 <= value <= 200:
        raise InvalidFieldValue(f"a child's height of {value:g} cm is impossible")
    return value


def own_name(name: ParsedName, father: ParsedName) -> ParsedName:
    """``name`` without the given-name tokens that sound like a part of ``father``.

    The result is a distinct value (its ``original`` names the father too, so
    caches keyed on it stay exact); the name is returned unchanged when it
    shares nothing with the father or would keep no given name.
    """
    family = {t.strict for t in father.tokens if t.strict}
    if not family:
        return name
    informative = (TokenKind.GIVEN, TokenKind.NICKNAME)
    kept = tuple(t for t in name.tokens if t.kind not in informative or t.strict not in family)
    if len(kept) == len(name.tokens) or not any(t.kind in informative for t in kept):
        return name
    return replace(name, tokens=kept, original=f"{name.original}\x1f{father.original}")


def normalize_record(raw: RawRecord, gazetteer: Gazetteer, *, today: date | None = None) -> Person:
    """Normalize every field of a record; never raises for a field's content."""
    problems: list[FieldProblem] = []

    def attempt(field: str, parse, *args):  # type: ignore[no-untyped-def]
        try:
            return parse(*args)
        except InvalidFieldValue as exc:
            problems.append(FieldProblem(field, exc.reason))
            return None

    get = raw.get
    name = parse_name(get("name"))
    father = parse_name(get("father_name"))
    aliases = parse_aliases(get("aliases"))
    sex_field: Sex | None = attempt("sex", parse_sex, get("sex"))
    sex = sex_field
    if sex is None:
        hints = {n.sex_hint for n in (name, *aliases) if n.sex_hint is not None}
        sex = hints.pop() if len(hints) == 1 else None
    date_field = "found_date" if raw.kind is RecordKind.FOUND else "missing_date"
    record_date: date | None = attempt(
        date_field, lambda t: parse_date(t, today=today), get(date_field)
    )
    birth_date: date | None = attempt(
        "birth_date", lambda t: parse_date(t, today=today), get("birth_date")
    )
    age: AgeRange | None = attempt("age", parse_age, get("age"))
    # A found child's age is an estimate made at rescue; without a found_date the
    # import date is the best reference there is. A missing report's age refers
    # to the day the child went missing, which nothing else can stand in for.
    reference = record_date
    if reference is None and raw.kind is RecordKind.FOUND:
        reference = today or date.today()
    birth: BirthInterval | None = attempt("birth_date", birth_interval, age, birth_date, reference)
    phones = parse_phones(get("guardian_phone"))
    home = gazetteer.resolve(get("district"), get("state"))
    found_place = (
        gazetteer.resolve(get("found_district"), get("found_state"))
        if raw.kind is RecordKind.FOUND
        else None
    )
    height: float | None = attempt("height_cm", _height, get("height_cm"))
    return Person(
        kind=raw.kind,
        id=raw.id,
        name=name,
        own_name=own_name(name, father),
        aliases=aliases,
        sex=sex,
        sex_from_field=sex_field is not None,
        age=age,
        birth=birth,
        record_date=record_date,
        father=father,
        mother=parse_name(get("mother_name")),
        guardian=parse_name(get("guardian_name")),
        phones=phones.numbers,
        village=fold_text(get("village")).lower(),
        police_station=fold_text(get("police_station")).lower(),
        home=home,
        found_place=found_place,
        languages=_languages(get("languages")),
        marks=_marks(get("marks")),
        height_cm=height,
        problems=tuple(problems),
    )
