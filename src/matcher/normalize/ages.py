"""Ages as written, and the birth-date interval they imply.

The model never compares two ages directly: a child missing at 9 in 2021 and
found "about 12" in 2024 is the same child. Every record's age evidence is
turned into an interval of possible birth dates (:class:`BirthInterval`) using
the record's own date, and the age comparison looks at how two such intervals
overlap.

:func:`parse_age` reads only what is written, into an :class:`AgeRange` in
years with an exclusive upper bound (``age_years`` is in ``[low, high)``):

=====================================  ===================  ============================
written                                range (years)        why
=====================================  ===================  ============================
``12``, ``12 years``, ``१२ साल``,       [12, 13)             completed years: 12.0 <= age < 13
``12 saal``, ``12 varsh``, ``12 y/o``
``12.5``                               [12, 13)             "12.5" is decimal years or
                                                            "12 years 5 months" (Indian
                                                            forms write both); [12, 13)
                                                            holds either reading
``12 yrs 6 months``, ``12y 6m``         [12.5, 12.5833)      one month of precision
``6 months``, ``8 mahine``, ``8 माह``   [0.5, 0.5833)
``3 weeks``, ``10 days``, ``10 din``    one week / one day   abandoned infants
``about 10``, ``approx. 10``,           [8, 13)              +-2 years, see below
``लगभग 10``, ``10?``, ``~10``
``10-12``, ``10 to 12``, ``10 se 12``   [10, 13)             approximate; both ends kept
``12-10``                              [10, 13)             ends swapped: the same set of
                                                            ages, only the order is wrong
``12+``, ``above 12``, ``over 12``      [12, 15)             "12 or a bit older": a
                                                            bounded guess like "about"
``below 5``, ``under 5``, ``<5``        [0, 5)
``up to 5``                            [0, 6)
``newborn`` / ``infant`` / ``baby``     [0, 1/12) / [0, 1)   approximate
                                       / [0, 2)
``toddler``                            [1, 4)
``teen``, ``teenager``, ``किशोर``        [13, 20)             approximate
``adolescent``                         [10, 20)             WHO: 10-19 years
``minor``, ``child``, ``नाबालिग``        [0, 18)              approximate; says little
``twelve``, ``बारह``, ``barah``          [12, 13)             number words (English 0-20,
                                                            Hindi 1-20)
``NA``, ``unknown``, ``पता नहीं``, empty  ``None``
``250``                                ``InvalidFieldValue``  impossible (> 120 years)
``2011``                               ``InvalidFieldValue``  a year, not an age
=====================================  ===================  ============================

**Why "about" means +-2 years.** Ages of found children are estimates, usually an
officer's look at the child (a medical estimate, when there is one, is itself
given as a range of about +-2 years). Visual estimates of children's ages are
commonly off by two years and more, and the error grows with age. The
margin is therefore 20 % of the stated age, at least three months (infants'
ages are judged in months) and at most :data:`ABOUT_MARGIN_YEARS` = 2: "about 10"
is [8, 13), "about 5" is [4, 7), "about 6 months" is [0.25, 0.83). The model
compares intervals, so a margin that is too narrow turns an honest estimate
into a hard contradiction, while a wide one only makes the evidence weaker
(the comparison can see the width). A range ("10-12") is already the writer's
own margin and is not widened further.

A plain "12" on a *found* record is an estimate too, but :func:`parse_age` does
not know the record's kind: widening for that belongs to the age comparison.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from matcher.errors import InvalidFieldValue
from matcher.normalize.dates import is_unknown_key, lookup_key

#: The widest margin for "about N", in years.
ABOUT_MARGIN_YEARS = 2.0
#: "about N" widens by this fraction of N (capped and floored by the other two constants).
ABOUT_MARGIN_FRACTION = 0.2
#: The narrowest margin for "about N", in years (three months).
MIN_ABOUT_MARGIN_YEARS = 0.25
#: Ages above this are impossible and raise (plausibility for a *child* is the comparison's job).
MAX_AGE_YEARS = 120
#: Longest text considered at all.
MAX_AGE_CHARS = 80

_DAYS_PER_YEAR = 365.2425
_DAYS_PER_MONTH = _DAYS_PER_YEAR / 12


@dataclass(frozen=True, slots=True)
class AgeRange:
    """An age in years: ``low <= age_years < high``.

    ``approximate`` marks estimates ("about", ranges, "12+", words like "teen");
    an exact "12" is ``AgeRange(12, 13, False)``.
    """

    low: float
    high: float
    approximate: bool

    def __post_init__(self) -> None:
        if not 0 <= self.low < self.high:
            raise ValueError(f"AgeRange needs 0 <= low < high, got [{self.low}, {self.high})")


# What a word of an age is. Plain ints, not an Enum: on Python 3.11 reading an
# Enum member is slow, and these are compared several times per token.
_NUMBER = 0
_UNIT = 1
_SHORT_UNIT = 2  # "m", "d", "w": a unit only after a larger one
_APPROX = 3
_RANGE = 4
_BELOW = 5
_UP_TO = 6
_ABOVE = 7
_WORD_AGE = 8
_FILLER = 9


_YEAR = 1.0
_MONTH = 1 / 12
_WEEK = 7 / _DAYS_PER_YEAR
_DAY = 1 / _DAYS_PER_YEAR

_UNIT_WORDS: dict[float, tuple[str, ...]] = {
    _YEAR: (
        "y",
        "yr",
        "yrs",
        "year",
        "years",
        "yo",
        "saal",
        "sal",
        "साल",
        "varsh",
        "varsha",
        "varas",
        "वर्ष",
        "baras",
        "बरस",
        "বছর",
        "bochor",
        "bachhar",
        "سال",
        "برس",
    ),
    _MONTH: (
        "mo",
        "mos",
        "mon",
        "mons",
        "month",
        "months",
        "mth",
        "mths",
        "mnth",
        "mnths",
        "mahine",
        "mahina",
        "mahene",
        "maheene",
        "maheena",
        "mahinay",
        "महीने",
        "महीना",
        "महिने",
        "महिना",
        "माह",
        "मास",
        "মাস",
        "ماہ",
        "مہینے",
    ),
    _WEEK: ("wk", "wks", "week", "weeks", "hafte", "hafta", "हफ्ते", "हफ्ता", "सप्ताह", "saptah"),
    _DAY: ("day", "days", "din", "दिन", "দিন", "دن"),
}

_APPROX_WORDS = (
    "about",
    "abt",
    "approx",
    "approximately",
    "approximate",
    "aprox",
    "apprx",
    "aprx",
    "appx",
    "appr",
    "apx",
    "app",
    "ish",
    "around",
    "circa",
    "c",
    "ca",
    "roughly",
    "nearly",
    "almost",
    "est",
    "estimated",
    "estimate",
    "apparent",
    "apparently",
    "lagbhag",
    "लगभग",
    "karib",
    "kareeb",
    "qareeb",
    "qarib",
    "करीब",
    "takriban",
    "taqriban",
    "तकरीबन",
    "প্রায়",
    "تقریبا",
    "~",
    "?",
    # Found records qualify the age with who said it: "11 (as told)", "14 as
    # told by child", "12 (ossification test)". All of it marks an estimate.
    "as",
    "told",
    "tell",
    "stated",
    "says",
    "said",
    "claimed",
    "claims",
    "self",
    "reported",
    "according",
    "acc",
    "per",
    "by",
    "visual",
    "visually",
    "looks",
    "appears",
    "medical",
    "ossification",
    "bone",
    "test",
    "assessed",
    "assessment",
)
# Connectors of a range. "se" / "से" is Hindi "from ... to" ("10 se 12");
# "/", "or" and "ya" / "या" are the writer hesitating between two ages ("10/11").
_RANGE_WORDS = ("-", "to", "se", "से", "or", "ya", "या", "/", "and", "&", "theke", "থেকে")
_BELOW_WORDS = ("below", "under", "less", "<", "kam", "कम", "lt")
_UP_TO_WORDS = ("upto", "till", "tak", "तक")
_ABOVE_WORDS = (
    "above",
    "over",
    "more",
    "least",
    ">",
    "+",
    "plus",
    "adhik",
    "अधिक",
    "zyada",
    "jyada",
    "ज्यादा",
    "upar",
    "ऊपर",
)
_FILLER_WORDS = (
    "old",
    "age",
    "aged",
    "of",
    "is",
    "at",
    "than",
    "between",
    "bich",
    "umr",
    "umar",
    "उम्र",
    "आयु",
    "aayu",
    "ayu",
    "ka",
    "ki",
    "ke",
    "का",
    "की",
    "के",
    "বয়স",
    "عمر",
)
_WORD_AGES: dict[str, AgeRange] = {
    **dict.fromkeys(("newborn", "नवजात", "navjat", "navjaat"), AgeRange(0.0, 1 / 12, True)),
    **dict.fromkeys(("infant", "शिशु", "shishu"), AgeRange(0.0, 1.0, True)),
    **dict.fromkeys(("baby", "bachcha"), AgeRange(0.0, 2.0, True)),
    "toddler": AgeRange(1.0, 4.0, True),
    **dict.fromkeys(
        ("teen", "teens", "teenager", "teenage", "किशोर", "kishor"), AgeRange(13.0, 20.0, True)
    ),
    "adolescent": AgeRange(10.0, 20.0, True),
    **dict.fromkeys(("minor", "child", "नाबालिग", "nabalig", "নাবালক"), AgeRange(0.0, 18.0, True)),
}
# Number words. Latin Hindi spellings that are also English words ("no", "sat")
# or other Hindi words are left out; "teen" (3) is handled in _prepare.
_NUMBER_WORDS: dict[str, int] = {
    **{
        w: n
        for n, w in enumerate(
            (
                *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight"),
                *("nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen"),
                *("sixteen", "seventeen", "eighteen", "nineteen", "twenty"),
            )
        )
    },
    **{
        w: n
        for n, words in enumerate(
            (
                (),
                ("एक", "ek"),
                ("दो",),
                ("तीन",),
                ("चार", "char", "chaar"),
                ("पाँच", "पांच", "paanch", "panch"),
                ("छह", "छः", "छे", "chhah", "chhe", "chah"),
                ("सात", "saat"),
                ("आठ", "aath"),
                ("नौ", "nau"),
                ("दस", "das", "dus"),
                ("ग्यारह", "gyarah", "gyara"),
                ("बारह", "barah", "baarah", "bara"),
                ("तेरह", "terah", "tera"),
                ("चौदह", "chaudah", "chauda"),
                ("पंद्रह", "पन्द्रह", "pandrah", "pandra"),
                ("सोलह", "solah", "sola"),
                ("सत्रह", "satrah", "satra"),
                ("अठारह", "atharah", "athara"),
                ("उन्नीस", "unnis", "unees"),
                ("बीस", "bees"),
            )
        )
        for w in words
    },
}


@dataclass(frozen=True, slots=True)
class _Token:
    """A word or number of an age: ``value`` is the number or the unit in years."""

    kind: int
    value: float = 0.0
    age: AgeRange | None = None  # for WORD_AGE


def _build_vocabulary() -> dict[str, _Token]:
    vocabulary: dict[str, _Token] = {}

    def add(words: tuple[str, ...], kind: int, value: float = 0.0) -> None:
        for word in words:
            vocabulary[lookup_key(word)] = _Token(kind, value)

    for unit, words in _UNIT_WORDS.items():
        add(words, _UNIT, unit)
    # "12 M" is as likely "12, male" as twelve months: single letters are units
    # only after a larger unit ("12y 6m", "2 months 10d").
    add(("m",), _SHORT_UNIT, _MONTH)
    add(("w",), _SHORT_UNIT, _WEEK)
    add(("d",), _SHORT_UNIT, _DAY)
    add(_APPROX_WORDS, _APPROX)
    add(_RANGE_WORDS, _RANGE)
    add(_BELOW_WORDS, _BELOW)
    add(_UP_TO_WORDS, _UP_TO)
    add(_ABOVE_WORDS, _ABOVE)
    add(_FILLER_WORDS, _FILLER)
    for word, age in _WORD_AGES.items():
        vocabulary[lookup_key(word)] = _Token(_WORD_AGE, age=age)
    for word, number in _NUMBER_WORDS.items():
        add((word,), _NUMBER, float(number))
    return vocabulary


_VOCABULARY = _build_vocabulary()

# Multi-word phrases folded into one token before tokenizing.
_PHRASES = (
    (re.compile(r"\by\s*/\s*o\b"), " yo "),
    (re.compile(r"\bup\s+to\b"), " upto "),
    (re.compile(r"\bnew\s*-?\s*born\b"), " newborn "),
    (re.compile(r"\blag\s+bhag\b"), " lagbhag "),
    # "teen saal" is Hindi for three years; "teen" alone is a teenager.
    (
        re.compile(r"\bteen(?=\s*(?:saal|sal|varsh|baras|mahine|mahina|years?|yrs?|-|to|se)\b)"),
        " 3 ",
    ),
    (re.compile(r"[\u2010-\u2015\u2212]"), "-"),  # hyphens, en and em dashes, minus sign
)
# Text without any of these has none of the phrases: skip the substitutions.
_PHRASE_HINT = re.compile(r"[/\u2010-\u2015\u2212]|up|new|lag|teen")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[+~<>?\-/&]|[^\s\d+~<>?\-/&.,()\[\]{}:;'\"’]+")


def parse_age(text: str) -> AgeRange | None:
    """Read an age as written into an :class:`AgeRange` (see the module docstring's table).

    Returns ``None`` for empty text and "unknown" placeholders; raises
    :class:`~matcher.errors.InvalidFieldValue` for impossible or unrecognised
    ages (the caller sets the field name).
    """
    outcome = _parse_age_cached(text)
    if isinstance(outcome, str):
        raise InvalidFieldValue(outcome)
    return outcome


@lru_cache(maxsize=16384)
def _parse_age_cached(text: str) -> AgeRange | str | None:
    """:func:`parse_age` returning the error reason instead of raising, so errors are cached too."""
    if len(text) > MAX_AGE_CHARS * 4:
        return "too long to be an age"
    key = lookup_key(text)
    if is_unknown_key(key):
        return None
    if len(key) > MAX_AGE_CHARS:
        return "too long to be an age"
    try:
        return _read(_tokens(key))
    except InvalidFieldValue as error:
        return error.reason


def _tokens(text: str) -> list[_Token]:
    if _PHRASE_HINT.search(text):
        for pattern, replacement in _PHRASES:
            text = pattern.sub(replacement, text)
    tokens: list[_Token] = []
    for token in _TOKEN.findall(text):
        if token[0].isdigit():
            if len(token) > 8:
                raise InvalidFieldValue("too many digits for an age")
            tokens.append(_Token(_NUMBER, float(token)))
            continue
        entry = _VOCABULARY.get(token)
        if entry is None:
            raise InvalidFieldValue(
                "not a recognised age; write years ('12'), 'about 12', '10-12' or "
                "'12 years 6 months'"
            )
        tokens.append(entry)
    return tokens


def _read(tokens: list[_Token]) -> AgeRange:
    approximate = any(t.kind == _APPROX for t in tokens)
    bounds = {t.kind for t in tokens if t.kind in (_BELOW, _UP_TO, _ABOVE)}
    if len(bounds) > 1:
        raise InvalidFieldValue("an age cannot be both above and below a number")
    bound = bounds.pop() if bounds else None
    # With "5 se kam" / "10 se zyada", "se" means "than", not a range.
    skip = {_APPROX, _FILLER, _BELOW, _UP_TO, _ABOVE}
    if bound is not None:
        skip.add(_RANGE)
    rest = [t for t in tokens if t.kind not in skip]

    # "14 years as told by the child": beside a number, a vague word such as
    # "child" or "minor" adds nothing; on its own it is still an age ([0, 18)).
    if any(t.age is None for t in rest):
        rest = [t for t in rest if t.age is None or t.age.high - t.age.low < 18.0]
    word_ages = [t.age for t in rest if t.age is not None]
    if word_ages:
        if len(rest) != 1 or bound is not None:
            raise InvalidFieldValue(
                "an age word ('teen', 'infant') cannot be combined with numbers"
            )
        return word_ages[0]
    if not rest:
        raise InvalidFieldValue("an age needs a number")

    sides: list[list[_Token]] = [[]]
    for token in rest:
        if token.kind == _RANGE:
            sides.append([])
        else:
            sides[-1].append(token)
    if len(sides) > 2:
        raise InvalidFieldValue("an age range has two ends ('10-12')")
    if len(sides) == 2:
        return _read_range(sides[0], sides[1])

    low, step = _quantity(sides[0], default_unit=_YEAR)
    high = low + step
    if bound == _BELOW:
        if low <= 0:
            raise InvalidFieldValue("an age below 0 is impossible")
        return AgeRange(0.0, low, True)
    if bound == _UP_TO:
        return AgeRange(0.0, high, True)
    if bound == _ABOVE:
        return AgeRange(low, high + about_margin(low), True)
    if approximate:
        margin = about_margin(low)
        return AgeRange(max(0.0, low - margin), high + margin, True)
    return AgeRange(low, high, False)


def about_margin(age_years: float) -> float:
    """How far "about N" widens N on each side, in years (see the module docstring)."""
    return min(ABOUT_MARGIN_YEARS, max(MIN_ABOUT_MARGIN_YEARS, ABOUT_MARGIN_FRACTION * age_years))


def _read_range(first: list[_Token], second: list[_Token]) -> AgeRange:
    if not first or not second:
        raise InvalidFieldValue("an age range needs a number at both ends ('10-12')")
    # "6-8 months": a unit written once applies to both ends.
    second_unit = _last_unit(second)
    first_unit = _last_unit(first)
    low_a, step_a = _quantity(first, default_unit=second_unit or _YEAR)
    low_b, step_b = _quantity(second, default_unit=first_unit or _YEAR)
    # Written the wrong way round ("12-10"): the same ages, so swap rather than refuse.
    low = min(low_a, low_b)
    high = max(low_a + step_a, low_b + step_b)
    return AgeRange(low, high, True)


def _last_unit(side: list[_Token]) -> float | None:
    units = [t.value for t in side if t.kind in (_UNIT, _SHORT_UNIT)]
    return units[-1] if units else None


def _quantity(side: list[_Token], *, default_unit: float) -> tuple[float, float]:
    """Sum "12 years 6 months" into (age in years, precision of the last part in years)."""
    parts: list[tuple[float, float | None]] = []  # (number, unit or None)
    for token in side:
        if token.kind == _NUMBER:
            parts.append((token.value, None))
        elif not parts or parts[-1][1] is not None:
            raise InvalidFieldValue("a unit (years, months) must follow a number")
        elif token.kind == _SHORT_UNIT and len(parts) == 1:
            raise InvalidFieldValue(
                "a single letter after an age is ambiguous (12 M: months or male?); "
                "write '12 months' or '12 years'"
            )
        else:
            parts[-1] = (parts[-1][0], token.value)
    if not parts:
        raise InvalidFieldValue("an age needs a number")

    total = 0.0
    previous_unit = 0.0  # none yet
    for index, (number, written_unit) in enumerate(parts):
        if written_unit is not None:
            unit = written_unit
        elif index == 0:
            unit = default_unit
        elif previous_unit == _YEAR and parts[index - 1][1] is not None:
            unit = _MONTH  # "12 yrs 6": the months are implied (but "12 6" is unclear)
        else:
            raise InvalidFieldValue("two numbers in an age need units ('12 years 6 months')")
        if index > 0:
            if unit >= previous_unit:
                raise InvalidFieldValue("the parts of an age go from years down to days")
            if number * unit >= previous_unit:
                raise InvalidFieldValue("too many months (or days) after the years (or months)")
        if index == 0 and unit == _YEAR and 1900 <= number <= 2100:
            raise InvalidFieldValue(
                "this looks like a year, not an age; put a date of birth in birth_date"
            )
        # Decimal parts ("12.5") keep only the whole units; see the module docstring.
        total += math.floor(number) * unit
        previous_unit = unit
    if total >= MAX_AGE_YEARS:
        raise InvalidFieldValue(f"an age of {MAX_AGE_YEARS} years or more is impossible")
    return total, previous_unit


@dataclass(frozen=True, slots=True)
class BirthInterval:
    """The dates a child can have been born on: ``earliest <= birth <= latest`` (both inclusive).

    ``source`` says which evidence it came from: ``"birth_date"`` (a one-day
    interval), ``"birth_year"`` (a year or month of birth: in the age field, or in
    ``birth_date`` without a day) or
    ``"age"`` (an age placed at the record's date).
    """

    earliest: date
    latest: date
    source: str

    def overlap_days(self, other: BirthInterval) -> int:
        """Days the two intervals share; 0 when they touch, negative = minus the days between them.

        ``[1 Jan, 10 Jan]`` and ``[5 Jan, 20 Jan]`` share 6 days; ``[1 Jan, 1 Jan]``
        and ``[3 Jan, 3 Jan]`` give -1 (2 January lies between them).
        """
        return (min(self.latest, other.latest) - max(self.earliest, other.earliest)).days + 1

    @property
    def midpoint(self) -> date:
        """The middle day (the earlier one of the two middle days for an even length)."""
        return self.earliest + (self.latest - self.earliest) // 2


def birth_interval(
    age: AgeRange | None,
    birth_date: date | None,
    reference: date | None,
) -> BirthInterval | None:
    """Where the record's age evidence places the child's birth.

    A written ``birth_date`` wins (a one-day interval). Otherwise the age is
    placed at ``reference``, the record's own date (``missing_date`` for a
    missing report, ``found_date`` for a found child): age 12 on 15 Aug 2024
    means born from 16 Aug 2011 to 15 Aug 2012. Without a reference an age
    cannot be placed in time and the result is ``None``; a caller that has no
    record date may pass the import date instead, knowing that it places the
    birth later than it is (by the time between the record and its import).

    Raises :class:`~matcher.errors.InvalidFieldValue` (``field="birth_date"``)
    when the birth date is after the reference date: one of the two is wrong.
    """
    if birth_date is not None:
        if reference is not None and birth_date > reference:
            raise InvalidFieldValue("the birth date is after the record's date", field="birth_date")
        return BirthInterval(birth_date, birth_date, "birth_date")
    if age is None or reference is None:
        return None
    # age < high  <=>  born after (reference - high years); age >= low <=> born on or before.
    earliest = _years_before(reference, age.high) + timedelta(days=1)
    latest = _years_before(reference, age.low)
    return BirthInterval(min(earliest, latest), latest, "age")


@lru_cache(maxsize=1 << 16)
def _years_before(reference: date, years: float) -> date:
    """``reference`` minus a number of years, in whole calendar months plus leftover days.

    Whole years and months are calendar arithmetic (a birthday is the same day
    of the month; 29 February falls back to the 28th); a fraction of a month
    (from weeks and days) is converted at the mean month length. Cached: the
    same record dates and ages recur (each missing_date has several reports).
    """
    months_exact = years * 12
    months = math.floor(months_exact + 1e-9)
    fraction = months_exact - months
    leftover_days = round(fraction * _DAYS_PER_MONTH) if fraction > 0.0 else 0
    year, month_index = divmod(reference.year * 12 + reference.month - 1 - months, 12)
    if year < 1:
        return date.min
    month = month_index + 1
    day = reference.day
    if day > 28:  # every month has 28 days; only later days can need clamping
        day = min(day, _days_in_month(year, month))
    result = date(year, month, day)
    if not leftover_days:  # whole months, as for every age in whole years
        return result
    if leftover_days >= (result - date.min).days:
        return date.min
    return result - timedelta(days=leftover_days)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31
