"""Dates as people write them on missing and found records.

What arrives (``birth_date``, ``missing_date``, ``found_date``)::

    2011-03-04            ISO, year first: always year-month-day
    04/03/2011  4-3-2011  04.03.11  04 03 2011
                          numeric with the year last: always DAY first, as in India,
                          Nepal and Bangladesh (4 March, never April 3)
    4 March 2011  4th Mar 2011  04-Mar-11  Mar 4, 2011  2011 March 4
                          month names in English (full or abbreviated), and the
                          Gregorian month names as written in Hindi (Latin and
                          Devanagari), Bengali and Urdu: ``4 मार्च 2011``, ``४ मार्च २०११``
    04032011  20110304    eight digits: only one of DDMMYYYY / YYYYMMDD can be valid
    04/03/2011 00:00:00   a time of day (spreadsheet exports) is ignored
    approx. 04/03/2011  04/03/2011 (DD/MM/YYYY)  लगभग 2011
                          a hedge (approx, about, लगभग) or a remark in brackets is
                          dropped and the date read as written

Rules, and why:

* **Impossible values are errors, not guesses.** ``31/02/2020`` raises
  :class:`~matcher.errors.InvalidFieldValue`, and so does ``03/25/2011``: it is
  probably month-first, but a source that writes month-first dates also wrote
  ``03/04/2011`` meaning 4 March, and we cannot tell which of its dates were
  misread, so the error tells the importer to fix the source instead.
* **Two-digit years** mean the most recent such year that is not in the future
  (``04.03.11`` -> 2011, ``04.03.98`` -> 1998). A record's dates (birth, missing,
  found) are never in the future; a child's birth date is at most a few decades
  back, so this sliding window is right for every field. A result before
  :data:`MIN_YEAR` (``01/01/45`` -> 1945, since 2045 is in the future) raises.
* **No date is in the future** (``today`` plus one day of grace, because a
  record typed in India just after midnight reaches a UTC server "tomorrow"),
  and **none is before** :data:`MIN_YEAR`: earlier years in this data are default
  values (``01/01/1900`` from spreadsheets and databases) or typos.
* **Incomplete dates** (``March 2011``, ``2011``) raise: the API returns one day
  and inventing the day or month would be a guess. :func:`parse_period` reads
  them as the month or year they name, for what needs no day: an age given
  "when missing in March 2011" still places the child's birth, and a birth
  date of "2011" places it in that year.
* All-zero placeholders (``00/00/0000``) and the "unknown" markers of
  :func:`is_unknown_marker` (``NA``, ``not known``, ``पता नहीं``, pandas' ``nan``)
  mean an empty field and return ``None``.
* Traditional (lunisolar) Hindu or Bengali calendar months such as Chaitra are
  not Gregorian dates and raise rather than being converted approximately.

Error messages never repeat the whole value: dates of birth are personal data
and errors end up in logs.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple, TypeVar

from matcher.errors import InvalidFieldValue
from matcher.normalize.text import fold_text

_T = TypeVar("_T")

#: Years before this are rejected (placeholders such as 1900-01-01, or typos).
MIN_YEAR = 1950
#: Longest text considered at all; longer text is not a date (and is not folded, for speed).
MAX_DATE_CHARS = 64
#: Dates up to this many days after ``today`` are accepted (time zones, see the module docstring).
FUTURE_GRACE_DAYS = 1

# Nukta marks: keyboards type "फ़" both with and without them (फरवरी / फ़रवरी),
# so lookup keys ignore them (Devanagari U+093C, Bengali U+09BC).
_NUKTA = dict.fromkeys(map(ord, "\u093c\u09bc"), None)


def quick_fold(text: str) -> str:
    """:func:`~matcher.normalize.text.fold_text`, with a shortcut for printable ASCII.

    Most fields are printable ASCII, where folding only collapses white space;
    the shortcut makes that case 15-20 times faster (these parsers are on
    the hot path of every import). The result is the same; a test checks it.
    """
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    return fold_text(text)


def lookup_key(text: str) -> str:
    """The form of a word used for table lookups: folded, lower-cased, nukta removed.

    Shared by the normalizers' synonym tables so that a table written with
    ``लड़का`` also finds ``लडका`` (typed without the nukta) and the decomposed
    forms NFKC produces.
    """
    folded = quick_fold(text).lower()
    return folded if folded.isascii() else folded.translate(_NUKTA)


def _keys(*words: str) -> tuple[str, ...]:
    return tuple(lookup_key(w) for w in words)


# Placeholders that officers and spreadsheets write into an empty field.
# ``nan`` / ``none`` / ``null`` come from pandas and database exports.
_UNKNOWN_MARKERS: frozenset[str] = frozenset(
    _keys(
        "unknown",
        "unk",
        "not known",
        "notknown",
        "n/a",
        "na",
        "n.a",
        "nil",
        "none",
        "null",
        "nan",
        "not available",
        "not given",
        "not mentioned",
        "not applicable",
        "not stated",
        "dont know",
        "don't know",
        "do not know",
        "pata nahi",
        "pata nahin",
        "पता नहीं",
        "अज्ञात",
        "ज्ञात नहीं",
        "जानकारी नहीं",
        "মালুম নেই",
        "অজানা",
        "نامعلوم",
    )
)
_PLACEHOLDER_PUNCTUATION = " .,;:-_?*/\\'\"`~"


def is_unknown_marker(text: str) -> bool:
    """True for text that only says "no value": ``NA``, ``not known``, ``-``, ``?``, ``nan``.

    Used by every ``parse_*`` so that such placeholders read as an empty field
    rather than as an unrecognised value.
    """
    return is_unknown_key(lookup_key(text))


def is_unknown_key(key: str) -> bool:
    """:func:`is_unknown_marker` for text that is already a :func:`lookup_key`."""
    key = key.strip(_PLACEHOLDER_PUNCTUATION)
    return not key or key in _UNKNOWN_MARKERS


# Gregorian month names. Hindi, Bengali and Urdu newspapers and forms use the
# English month names transliterated; officers also type the Hindi ones in Latin.
_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "janvari", "janavari", "janwari", "जनवरी", "জানুয়ারি", "জানুয়ারী", "جنوری"),
    2: (
        "february",
        "feb",
        "febuary",
        "farvari",
        "farwari",
        "pharvari",
        "फ़रवरी",
        "फरवरी",
        "ফেব্রুয়ারি",
        "ফেব্রুয়ারী",
        "فروری",
    ),
    3: ("march", "mar", "maarch", "मार्च", "মার্চ", "مارچ"),
    4: ("april", "apr", "aprail", "aprel", "अप्रैल", "अप्रेल", "এপ্রিল", "اپریل"),
    5: ("may", "mai", "मई", "মে", "مئی"),
    6: ("june", "jun", "joon", "जून", "জুন", "جون"),
    7: ("july", "jul", "julai", "जुलाई", "জুলাই", "جولائی"),
    8: ("august", "aug", "agast", "agust", "अगस्त", "আগস্ট", "اگست"),
    9: (
        "september",
        "sep",
        "sept",
        "sitambar",
        "sitamber",
        "सितंबर",
        "सितम्बर",
        "সেপ্টেম্বর",
        "ستمبر",
    ),
    10: (
        "october",
        "oct",
        "aktubar",
        "aktoobar",
        "aktoober",
        "अक्टूबर",
        "अक्तूबर",
        "অক্টোবর",
        "اکتوبر",
    ),
    11: (
        "november",
        "nov",
        "navambar",
        "navamber",
        "नवंबर",
        "नवम्बर",
        "নভেম্বর",
        "نومبر",
    ),
    12: (
        "december",
        "dec",
        "disambar",
        "disamber",
        "दिसंबर",
        "दिसम्बर",
        "ডিসেম্বর",
        "دسمبر",
    ),
}
_MONTHS: dict[str, int] = {
    key: month for month, words in _MONTH_WORDS.items() for key in _keys(*words)
}
# Month names in English for error messages (no personal data: a month alone identifies no one).
_MONTH_NAMES = ("", *calendar.month_name[1:])

# Words that may sit next to a day and month: "4th of March".
_DATE_FILLERS = frozenset(("st", "nd", "rd", "th", "of", "the"))

# A weekday before the date: "Thursday, 12 March 2020" (it adds nothing and is not checked).
_WEEKDAY_PREFIX = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s+"
)
# A time of day after the date, from spreadsheet and database exports:
# "2011-03-04T00:00:00", "04/03/2011 00:00", "04/03/2011 5:30 pm", "...+05:30".
_TIME_SUFFIX = re.compile(
    r"(?:t|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s*(?:am|pm)?\s*(?:z|[+-]\d{2}:?\d{2})?$"
)
# Numeric dates: three groups of digits with / - . or spaces between them, mixed allowed.
_NUMERIC = re.compile(r"(\d{1,4})\s*[/\-.\s]\s*(\d{1,2})\s*[/\-.\s]\s*(\d{1,4})")
_EIGHT_DIGITS = re.compile(r"\d{8}")
_ALL_ZERO = re.compile(r"[0\s/\-.]+")
# Tokens of dates with month names: runs of digits, or runs of anything but
# digits and separators (Indic words include vowel signs that \w does not match).
_TOKEN = re.compile(r"\d+|[^\s\d/\\\-.,:;'’()]+")


# A remark in brackets and the hedges officers add to a date they are unsure of:
# "03/04/2011 (approx)", "approx. 2011", "लगभग 2011". The date is read as written.
# A bracket with digits in it holds part of the date ("3 March (2011)"): only its
# brackets go. Native words are written as lookup_key leaves them (no nukta).
_REMARK = re.compile(r"\(([^()]*)\)")
_HEDGE_WORDS = "|".join(re.escape(lookup_key(word)) for word in ("lagbhag", "लगभग", "करीब", "প্রায়"))
_HEDGE = re.compile(
    rf"^(?:approx(?:imately)?|appx|apx|about|around|abt|circa|{_HEDGE_WORDS})\.?\s*"
    r"|\s*\b(?:approx(?:imately)?|appx|apx)\.?$"
)


def _without_hedges(folded: str) -> str:
    def remark(match: re.Match[str]) -> str:
        inside = match[1]
        return f" {inside} " if any(ch.isdigit() for ch in inside) else " "

    return _HEDGE.sub("", " ".join(_REMARK.sub(remark, folded).split())).strip()


def parse_date(text: str, *, today: date | None = None) -> date | None:
    """Read a date written in any of the forms of the module docstring.

    Returns ``None`` for empty text and "unknown" placeholders. Raises
    :class:`~matcher.errors.InvalidFieldValue` (without ``field``; the caller
    sets it) for impossible, future, implausibly old, incomplete or
    unrecognised dates. ``today`` (default :meth:`date.today`) is the reference
    for the future check and for placing two-digit years.
    """
    return _raised(_parse_date_cached(text, today or date.today()))


def _raised(outcome: _T | str) -> _T:
    """A cached reading's value, or its error reason raised (errors are cached as text)."""
    if isinstance(outcome, str):
        raise InvalidFieldValue(outcome)
    return outcome


@lru_cache(maxsize=65536)
def _parse_date_cached(text: str, today: date) -> date | str | None:
    """:func:`parse_date` returning the error reason instead of raising, so errors cache too."""
    if len(text) > MAX_DATE_CHARS * 4:
        # Checked before folding so that megabyte strings cost nothing.
        return "too long to be a date"
    folded = lookup_key(text)
    if is_unknown_key(folded):
        return None
    if len(folded) > MAX_DATE_CHARS:
        return "too long to be a date"
    folded = _without_hedges(folded)
    if not folded or is_unknown_key(folded):
        return None
    if _ALL_ZERO.fullmatch(folded):
        return None  # 00/00/0000: a form's "no date" default
    try:
        text = _WEEKDAY_PREFIX.sub("", _TIME_SUFFIX.sub("", folded))
        return _read(text.strip(" .,"), today)
    except InvalidFieldValue as error:
        return error.reason


#: Periods without a day: "03/2011", "3-2011", "2011-03", "2011".
_MONTH_YEAR = re.compile(r"(\d{1,2})\s*[/\-.\s]\s*(\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})\s*[/\-.\s]\s*(\d{1,2})")
_FOUR_DIGITS = re.compile(r"\d{4}")
_NOT_A_PERIOD = "not a month and year ('March 2011', '03/2011') or a year"


class DatePeriod(NamedTuple):
    """A month or a year written without a day."""

    first: date
    last: date
    """The period's last day, or today if that comes first."""
    whole_year: bool
    """A year ("2011"), not a month ("March 2011")."""


def parse_period(text: str, *, today: date | None = None) -> DatePeriod | None:
    """The first and last day of the month or year an incomplete date names.

    "March 2011", "Mar-2011", "03/2011", "2011-03", "मार्च 2011" name a month,
    "2011" a year. Registers write a missing date that way when the family
    remembers no day; the date itself stays unread (:func:`parse_date` refuses
    it, no day is invented), but an age "when missing" is still placed in
    time with it. The last day is clipped to ``today``. Returns ``None`` for
    empty text and "unknown" markers; raises
    :class:`~matcher.errors.InvalidFieldValue` for anything else, full dates
    included (read those with :func:`parse_date`).
    """
    return _raised(_parse_period_cached(text, today or date.today()))


@lru_cache(maxsize=4096)
def _parse_period_cached(text: str, today: date) -> DatePeriod | str | None:
    if len(text) > MAX_DATE_CHARS:
        return "too long to be a date"
    folded = _without_hedges(lookup_key(text))
    if not folded or is_unknown_key(folded):
        return None
    folded = folded.strip(" .,")
    month: int | None = None  # None: the whole year
    if match := _YEAR_MONTH.fullmatch(folded):
        year, month = int(match[1]), int(match[2])
    elif match := _MONTH_YEAR.fullmatch(folded):
        month, year = int(match[1]), int(match[2])
    elif _FOUR_DIGITS.fullmatch(folded):
        year = int(folded)
    else:
        try:
            named, numbers = _month_and_numbers(folded)
        except InvalidFieldValue:
            return _NOT_A_PERIOD
        if not named or len(numbers) != 1 or len(numbers[0]) != 4:
            return _NOT_A_PERIOD
        month, year = named, int(numbers[0])
    if month is not None and not 1 <= month <= 12:
        return f"month {month} does not exist"
    if year < MIN_YEAR:
        return f"a year before {MIN_YEAR} is not plausible in a child's record"
    first = date(year, month or 1, 1)
    last_month = month or 12
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    latest = today + timedelta(days=FUTURE_GRACE_DAYS)
    if first > latest:
        return "the date is in the future"
    return DatePeriod(first, min(last, latest), month is None)


def _read(text: str, today: date) -> date:
    match = _NUMERIC.fullmatch(text)
    if match:
        first, second, third = match.groups()
        if len(first) == 4:  # ISO order: year first
            if len(third) > 2:
                raise InvalidFieldValue("a date that starts with a year must end with a day")
            return _make_date(int(first), int(second), int(third), today, numeric=True)
        if len(first) > 2:
            raise InvalidFieldValue("the first part of a date must be a day or a four-digit year")
        yy = third if len(third) == 2 else None
        return _make_date(_year(third), int(second), int(first), today, numeric=True, yy=yy)
    if _EIGHT_DIGITS.fullmatch(text):
        return _read_eight_digits(text, today)
    if text.isdigit():
        raise InvalidFieldValue("a bare number is not a date; write it as DD/MM/YYYY")
    return _read_with_month_name(text, today)


def _year(digits: str) -> int:
    if len(digits) not in (2, 4):
        raise InvalidFieldValue("the year of a date must have two or four digits")
    return int(digits)


def _read_eight_digits(text: str, today: date) -> date:
    """``DDMMYYYY`` or ``YYYYMMDD``; at most one reading can be valid with years >= 1950.

    (YYYYMMDD starts with 19 or 20; read as DDMMYYYY that would give month
    19-20 or a year ending the string whose first digits, a month, are 01-12:
    never a year from 1950 on.)
    """
    readings: list[date] = []
    for year, month, day in (
        (int(text[4:]), int(text[2:4]), int(text[:2])),  # DDMMYYYY
        (int(text[:4]), int(text[4:6]), int(text[6:])),  # YYYYMMDD
    ):
        try:
            readings.append(_make_date(year, month, day, today, numeric=True))
        except InvalidFieldValue:
            continue
    if len(readings) != 1:
        raise InvalidFieldValue("eight digits that are neither a DDMMYYYY nor a YYYYMMDD date")
    return readings[0]


def _month_and_numbers(text: str) -> tuple[int, list[str]]:
    """The month a date's words name (0: none) and its runs of digits.

    Raises for two month names, or for a word that is neither a month nor a filler.
    """
    month = 0
    numbers: list[str] = []
    for token in _TOKEN.findall(text):
        if token.isdigit():
            numbers.append(token)
            continue
        if token in _MONTHS:
            if month:
                raise InvalidFieldValue("a date with two month names")
            month = _MONTHS[token]
        elif token not in _DATE_FILLERS:
            raise InvalidFieldValue(
                "not a recognised date; write DD/MM/YYYY, YYYY-MM-DD or '4 March 2011'"
            )
    return month, numbers


def _read_with_month_name(text: str, today: date) -> date:
    month, numbers = _month_and_numbers(text)
    if not month:
        raise InvalidFieldValue(
            "not a recognised date; write DD/MM/YYYY, YYYY-MM-DD or '4 March 2011'"
        )
    if len(numbers) != 2:
        raise InvalidFieldValue("a date needs a day, a month and a year")
    long_ones = [n for n in numbers if len(n) == 4]
    if len(long_ones) == 1:  # "4 March 2011", "March 4, 2011", "2011 March 4"
        year_digits = long_ones[0]
        day_digits = numbers[1] if numbers[0] == year_digits else numbers[0]
    elif not long_ones:  # "04-Mar-11", "Mar 04, 11": the day comes before the year
        day_digits, year_digits = numbers
        if len(year_digits) != 2:
            raise InvalidFieldValue("the year of a date must have two or four digits")
    else:
        raise InvalidFieldValue("a date needs a day, a month and a year")
    if len(day_digits) > 2:
        raise InvalidFieldValue("the day of a date must have one or two digits")
    yy = year_digits if len(year_digits) == 2 else None
    return _make_date(int(year_digits), month, int(day_digits), today, numeric=False, yy=yy)


def _make_date(
    year: int,
    month: int,
    day: int,
    today: date,
    *,
    numeric: bool,
    yy: str | None = None,
) -> date:
    """Validate the parts and build the date; ``yy`` holds a year written with two digits."""
    if not 1 <= month <= 12:
        hint = "; numeric dates are read day first (DD/MM/YYYY)" if numeric else ""
        raise InvalidFieldValue(f"month {month} does not exist{hint}")
    latest = today + timedelta(days=FUTURE_GRACE_DAYS)
    if yy is not None:
        # Two-digit year: the most recent such year that is not in the future.
        year = 2000 + int(yy)
        if (year, month, day) > (latest.year, latest.month, latest.day):
            year -= 100
        if year < MIN_YEAR:
            raise InvalidFieldValue(
                f"two-digit year {yy} would be {year} ({year + 100} is in the future); "
                "write the year in full"
            )
    if year < MIN_YEAR:
        raise InvalidFieldValue(f"a year before {MIN_YEAR} is not plausible in a child's record")
    if day < 1:
        raise InvalidFieldValue("day 0 does not exist")
    days_in_month = calendar.monthrange(year, month)[1]
    if day > days_in_month:
        if month == 2 and day == 29:
            raise InvalidFieldValue("29 February exists only in leap years")
        raise InvalidFieldValue(f"{_MONTH_NAMES[month]} has no day {day}")
    result = date(year, month, day)
    if result > latest:
        raise InvalidFieldValue("the date is in the future")
    return result
