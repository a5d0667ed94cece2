"""A whole record, normalized: the value every later stage works on.

``normalize_record`` runs each field's normalizer and collects what could not
be understood as :class:`FieldProblem` values instead of raising, so that one
impossible date never hides the rest of a child's record. Comparisons,
blocking keys and the model only ever see :class:`Person`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Final

from matcher.errors import InvalidFieldValue
from matcher.normalize.ages import AgeRange, BirthInterval, birth_interval, parse_age
from matcher.normalize.dates import MIN_YEAR, DatePeriod, parse_date, parse_period
from matcher.normalize.heights import parse_height
from matcher.normalize.languages import parse_languages
from matcher.normalize.marks import parse_marks
from matcher.normalize.names import (
    GIVEN_KINDS,
    NameToken,
    ParsedName,
    parse_aliases,
    parse_name,
)
from matcher.normalize.phones import phone_numbers
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
    record_period: DatePeriod | None
    """A record date written without a day ("March 2019", "2019"), when
    ``record_date`` could not be read for that reason alone."""
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


# Village and police station names repeat across records (shared by neighbours),
# so each is read once per distinct text; the result is an immutable str.


@lru_cache(maxsize=65536)
def _folded_lower(text: str) -> str:
    """``fold_text(text).lower()``, for village and police station names."""
    return fold_text(text).lower()


_RECORD_PERIOD: Final = "a month or year without a day: read as any day of it, no day is assumed"
_BIRTH_PERIOD: Final = "a year or month of birth without a day: the birth is placed in it"
_BIRTH_PERIOD_TOO_LATE: Final = "a year or month of birth after the record's date"
_BIRTH_PERIOD_UNUSED: Final = "a year or month of birth without a day: the age places the birth"
_BIRTH_IN_AGE_FIELD: Final = "a date or year of birth, not an age: read as the date of birth"
_BIRTH_IN_AGE_FIELD_TOO_LATE: Final = "a date or year of birth after the record's date"
#: "DOB", "D.O.B.", "date of birth", "born (on|in)", "b." before a date written as an age.
_BIRTH_PREFIX: Final = re.compile(
    r"^(?:d\.?\s*o\.?\s*b\.?|date\s+of\s+birth|born(?:\s+(?:on|in))?|b\.)\s*[:\-]?\s*", re.I
)
_BIRTH_YEAR: Final = re.compile(r"(?:19|20)\d\d")


def _birth_in_age_field(text: str, today: date) -> BirthInterval | None:
    """A date or a year of birth that an export put in the age column.

    "DOB 12/03/2012", "born 2012", "12-03-2012": partners' exports do this
    when their form has one field for both. Read as the birth (a year as the
    whole year, from 1950 as dates are); anything else stays an unreadable age.
    """
    rest = _BIRTH_PREFIX.sub("", text.strip())
    if _BIRTH_YEAR.fullmatch(rest):
        year = int(rest)
        if not MIN_YEAR <= year <= today.year:
            return None  # 1900 and the like are placeholders (see dates.MIN_YEAR)
        return BirthInterval(date(year, 1, 1), date(year, 12, 31), "birth_year")
    try:
        born = parse_date(rest, today=today)
    except InvalidFieldValue:
        return None
    return BirthInterval(born, born, "birth_date") if born is not None else None


def _clipped(birth: BirthInterval, latest_day: date | None) -> BirthInterval | None:
    """A birth read from a year or a date, no later than the record's date (if known);
    None if it begins after it."""
    if latest_day is None:
        return birth
    if birth.earliest > latest_day:
        return None
    return BirthInterval(birth.earliest, min(birth.latest, latest_day), birth.source)


def _record_period(text: str, today: date) -> DatePeriod | None:
    """The month or year of a record date written without a day, if that is what it is."""
    try:
        return parse_period(text, today=today)
    except InvalidFieldValue:
        return None


def _age_in_period(age: AgeRange, first: date, last: date) -> BirthInterval:
    """Where an age at some day from ``first`` to ``last`` places the birth.

    "12 when missing in March 2011": born from April 1998 (12 on 1 March) to
    March 1999 (12 on 31 March); the births of both ends and all between.
    """
    early = birth_interval(age, None, first)
    late = birth_interval(age, None, last)
    assert early is not None and late is not None  # an age and a reference always place a birth
    return BirthInterval(early.earliest, late.latest, "age")


#: Relation markers that name the child's parent or carer: "S/o Dilip Mehta".
_CHILD_OF: Final = frozenset({"son_of", "daughter_of", "child_of", "care_of"})


#: Relation markers after a child's own name that name a parent ("Raju S/o Ramesh").
_PARENT_NAMED: Final = frozenset({"son_of", "daughter_of", "child_of"})


def _named_after_marker(parsed: ParsedName) -> ParsedName | None:
    """The person a field with no words of its own names after a relation marker."""
    related = parsed.related_name
    if parsed.tokens or related is None or not related.tokens:
        return None
    return related


def _guardian(parsed: ParsedName) -> ParsedName:
    """A guardian's field written as a relation ("C/o Mahesh") names the guardian."""
    related = _named_after_marker(parsed)
    return related if related is not None and parsed.relation in _CHILD_OF else parsed


def _read_parents(
    name: ParsedName, father: ParsedName, mother: ParsedName
) -> tuple[ParsedName, ParsedName]:
    """Parents named only after a relation marker, placed by what the name says.

    Registers often write a parent's column as the child's relation to him
    or her: "S/o Dilip Mehta", "D/o Ramesh" (2% of the generated reports). The
    parser files "Dilip Mehta" as the related person of a name with no words
    of its own, which lost the father's name for blocking and scoring. Such a
    name is the child's parent; which parent, a name that reads as a woman's
    or a man's says before the column does ("B/o Sunita Devi" in the father's
    column is the mother). "W/o Ramesh" in the mother's column names her
    husband, the father. A parent after the child's own name ("Raju S/o
    Ramesh") fills an empty parent field too. A field that names its parent
    in words of its own always wins.
    """
    found: list[tuple[str, ParsedName]] = []
    for column, parsed in (("father", father), ("mother", mother)):
        related = _named_after_marker(parsed)
        if related is None:
            continue
        if parsed.relation == "wife_of":
            if column == "mother":
                found.append(("father", related))
        elif parsed.relation == "child_of":
            # "पिता रमेश": pita is the father, unless the name reads as a woman's.
            found.append((_parent_role(related, "father"), related))
        elif parsed.relation in _CHILD_OF:
            found.append((_parent_role(related, column), related))
    # After the child's own name ("Raju S/o Ramesh"), the name keeps its words.
    after_name = name.related_name
    if after_name is not None and after_name.tokens and name.relation in _PARENT_NAMED:
        found.append((_parent_role(after_name, "father"), after_name))
    for role, related in found:
        if role == "father" and not father.tokens:
            father = related
        elif role == "mother" and not mother.tokens:
            mother = related
    return father, mother


def _parent_role(name: ParsedName, default: str) -> str:
    if name.sex_hint is Sex.FEMALE:
        return "mother"
    if name.sex_hint is Sex.MALE:
        return "father"
    return default


def own_name(name: ParsedName, father: ParsedName) -> ParsedName:
    """``name`` without the given-name tokens that sound like a part of ``father``.

    The result is a distinct value (its ``original`` names the father too, so
    caches keyed on it stay exact); the name is returned unchanged when it
    shares nothing with the father or would keep no given name.
    """
    tokens = name.tokens
    if not father.tokens or not tokens:
        return name  # the common cases: no father's name, or no name
    family = {t.strict for t in father.tokens}
    family.discard("")  # a token with no Latin letters sounds like nothing
    if not family:
        return name
    # One plain loop: this runs for every record.
    informative = GIVEN_KINDS
    kept: list[NameToken] = []
    dropped = False
    kept_informative = False
    for token in tokens:
        if token.kind in informative:
            if token.strict in family:
                dropped = True
                continue
            kept_informative = True
        kept.append(token)
    if not dropped or not kept_informative:
        return name
    # Built directly rather than with dataclasses.replace, which costs several
    # times more; every other field is the name's own.
    return ParsedName(
        original=f"{name.original}\x1f{father.original}",
        script=name.script,
        latin=name.latin,
        tokens=tuple(kept),
        sex_hint=name.sex_hint,
        is_nickname_only=name.is_nickname_only,
        relation=name.relation,
        related_name=name.related_name,
    )


def normalize_record(raw: RawRecord, gazetteer: Gazetteer, *, today: date | None = None) -> Person:
    """Normalize every field of a record; never raises for a field's content.

    Written out field by field rather than through a generic helper: this runs
    once per record of every import, and each field's parser is cached on its
    text, so the per-record glue is a large part of the cost. Empty fields
    skip their parser, which returns nothing for empty text.
    """
    problems: list[FieldProblem] = []
    # RawRecord.get is ``fields.get(name, "")``; read the mapping directly.
    get = raw.fields.get
    # The reference for the future-date check and two-digit years, taken once
    # for the record (parse_date would take date.today() on each call).
    day = today if today is not None else date.today()
    is_found = raw.kind is RecordKind.FOUND

    name_text = get("name", "")
    father_text = get("father_name", "")
    name = parse_name(name_text) if name_text else _EMPTY_NAME
    father = parse_name(father_text) if father_text else _EMPTY_NAME
    aliases_text = get("aliases", "")
    aliases = parse_aliases(aliases_text) if aliases_text else ()

    sex_field: Sex | None = None
    text = get("sex", "")
    if text:
        try:
            sex_field = parse_sex(text)
        except InvalidFieldValue as exc:
            problems.append(FieldProblem("sex", exc.reason))
    sex = sex_field
    if sex is None:
        if aliases:
            hints = {n.sex_hint for n in (name, *aliases) if n.sex_hint is not None}
            sex = hints.pop() if len(hints) == 1 else None
        else:
            sex = name.sex_hint

    date_field = "found_date" if is_found else "missing_date"
    record_date: date | None = None
    # A record date with no day ("March 2019") is not a date, but it still says
    # when the age was given: the birth is placed from the period's first to last day.
    record_period: DatePeriod | None = None
    text = get(date_field, "")
    if text:
        try:
            record_date = parse_date(text, today=day)
        except InvalidFieldValue as exc:
            record_period = _record_period(text, day)
            reason = exc.reason if record_period is None else _RECORD_PERIOD
            problems.append(FieldProblem(date_field, reason))
    birth_date: date | None = None
    birth_period: DatePeriod | None = None
    text = get("birth_date", "")
    if text:
        try:
            birth_date = parse_date(text, today=day)
        except InvalidFieldValue as exc:
            # "2011", "March 2011": a birth known to the year or month.
            birth_period = _record_period(text, day)
            if birth_period is None:
                problems.append(FieldProblem("birth_date", exc.reason))
    age: AgeRange | None = None
    birth_in_age: BirthInterval | None = None
    text = get("age", "")
    if text:
        try:
            age = parse_age(text)
        except InvalidFieldValue as exc:
            birth_in_age = None if birth_date is not None else _birth_in_age_field(text, day)
            if birth_in_age is None:
                problems.append(FieldProblem("age", exc.reason))
    # A found child's age is an estimate made at rescue; without a found_date the
    # import date is the best reference there is. A missing report's age refers
    # to the day the child went missing, which nothing else can stand in for.
    reference = record_date
    if reference is None and is_found and record_period is None:
        reference = day
    # The latest day the record can speak of: its date, or the last day of its period.
    latest_day = reference if reference is not None or record_period is None else record_period.last
    birth: BirthInterval | None = None
    if birth_date is not None or (age is not None and reference is not None):
        try:
            birth = birth_interval(age, birth_date, latest_day)  # latest_day is reference if set
        except InvalidFieldValue as exc:
            problems.append(FieldProblem("birth_date", exc.reason))
    elif age is not None and record_period is not None:
        birth = _age_in_period(age, record_period.first, record_period.last)
    elif birth_in_age is not None:
        birth = _clipped(birth_in_age, latest_day)
        # The sender is told either way (the next problem would be a height's).
        read = _BIRTH_IN_AGE_FIELD if birth is not None else _BIRTH_IN_AGE_FIELD_TOO_LATE
        problems.append(FieldProblem("age", read))
    if birth_period is not None:
        if birth is None:
            in_period = BirthInterval(birth_period.first, birth_period.last, "birth_year")
            birth = _clipped(in_period, latest_day)
            read = _BIRTH_PERIOD if birth is not None else _BIRTH_PERIOD_TOO_LATE
        else:
            read = _BIRTH_PERIOD_UNUSED
        problems.append(FieldProblem("birth_date", read))
    text = get("guardian_phone", "")
    phones = phone_numbers(text)
    home = gazetteer.resolve(get("district", ""), get("state", ""))
    found_place = (
        gazetteer.resolve(get("found_district", ""), get("found_state", "")) if is_found else None
    )
    height: float | None = None
    text = get("height_cm", "")
    if text:
        try:
            height = parse_height(text)
        except InvalidFieldValue as exc:
            problems.append(FieldProblem("height_cm", exc.reason))
    text = get("mother_name", "")
    mother = parse_name(text) if text else _EMPTY_NAME
    text = get("guardian_name", "")
    guardian = _guardian(parse_name(text)) if text else _EMPTY_NAME
    if not (father.tokens and mother.tokens) and (
        father.related_name or mother.related_name or name.related_name
    ):
        father, mother = _read_parents(name, father, mother)
    text = get("village", "")
    village = _folded_lower(text) if text else ""
    text = get("police_station", "")
    police_station = _folded_lower(text) if text else ""
    text = get("languages", "")
    languages = parse_languages(text) if text else _NO_WORDS
    text = get("marks", "")
    marks = parse_marks(text) if text else _NO_WORDS
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
        record_period=record_period,
        father=father,
        mother=mother,
        guardian=guardian,
        phones=phones,
        village=village,
        police_station=police_station,
        home=home,
        found_place=found_place,
        languages=languages,
        marks=marks,
        height_cm=height,
        problems=tuple(problems),
    )


_EMPTY_NAME: Final = parse_name("")
_NO_WORDS: Final[frozenset[str]] = frozenset()
