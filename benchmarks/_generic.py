"""Generic, language-neutral cleaning shared by the peer systems in the benchmark.

The peers (the naive baselines and Splink) must be configured the way a
competent user *without* South Asia knowledge would: lower-case, strip
punctuation, split tokens, parse dates and ages with ordinary tools. Nothing
here knows about honorifics, transliteration, nicknames or renamed districts;
that knowledge is what the benchmark measures in ``matcher``.

Python's ``\\d`` and ``int()`` accept every Unicode decimal digit, so ``"१२"``
parses as 12 without any Indic-specific code: that is what a generic Python
user gets for free, so the peers keep it.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from datetime import date, datetime

import pandas as pd

_PUNCT = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)")
_NON_DIGIT = re.compile(r"\D")

#: English words for sex a generic cleaner maps; anything else is unknown.
_SEX_WORDS: dict[str, str] = {
    "m": "male",
    "male": "male",
    "boy": "male",
    "f": "female",
    "female": "female",
    "girl": "female",
    "other": "other",
}

#: Days in a mean Gregorian year, to turn a date into a fractional year.
_DAYS_PER_YEAR = 365.2425


def clean_text(text: str | None) -> str:
    """NFKC, lower-case, punctuation to spaces, one space (``Mohd. Irfan`` -> ``mohd irfan``)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACES.sub(" ", _PUNCT.sub(" ", text)).strip()


def fold_name(text: str | None) -> str:
    """Case- and space-folded name for exact comparison: NFKC, casefold, single spaces."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def first_token(text: str) -> str:
    """The first white-space token of already cleaned text, ``""`` when empty."""
    parts = text.split(" ", 1)
    return parts[0] if parts else ""


def last_token_if_several(text: str) -> str:
    """The last token when the text has two or more tokens, else ``""`` (no surname given)."""
    parts = text.split(" ")
    return parts[-1] if len(parts) > 1 else ""


def parse_sex(text: str | None) -> str:
    """``male`` / ``female`` / ``other`` from common English spellings, ``""`` otherwise."""
    return _SEX_WORDS.get(clean_text(text), "")


def parse_age_years(text: str | None) -> float | None:
    """An age in years from free text: a range gives its midpoint, else the first number.

    ``"about 10"`` -> 10, ``"10-12"`` -> 11, ``"12 yrs 6 months"`` -> 12 (a generic
    cleaner does not read the months). Ages outside 0-25 are treated as unknown.
    """
    if not text:
        return None
    match = _RANGE.search(text)
    if match:
        value = (float(match.group(1)) + float(match.group(2))) / 2
    else:
        number = _NUMBER.search(text)
        if number is None:
            return None
        value = float(number.group(0))
    return value if 0 <= value <= 25 else None


#: Day-first forms tried with ``strptime`` before the slow pandas fallback.
_DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%d/%m/%y",
)


@functools.lru_cache(maxsize=1 << 16)  # report dates repeat a lot
def parse_date(text: str | None) -> date | None:
    """A date from ISO or day-first text (``2011-03-04``, ``04/03/2011``, ``4-3-2011``) or None.

    Common forms go through ``strptime``; anything else through pandas with
    ``dayfirst=True``, which is what a generic user would reach for.
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:  # not this form (or an impossible date): try the next
            continue
    try:
        stamp = pd.to_datetime(text, dayfirst=True, errors="coerce")
    except (ValueError, OverflowError):  # impossible day/month numbers: the date is unknown
        return None
    if stamp is pd.NaT or pd.isna(stamp):
        return None
    return date(stamp.year, stamp.month, stamp.day)


def fractional_year(day: date) -> float:
    """A date as a fractional year (2020-07-02 -> about 2020.5)."""
    return day.year + (day.toordinal() - date(day.year, 1, 1).toordinal()) / _DAYS_PER_YEAR


def approx_birth_year(
    birth_date: str | None, age: str | None, reference_date: str | None
) -> float | None:
    """Approximate birth year: from ``birth_date`` if it parses, else reference date minus age.

    The reference date is ``missing_date`` for a missing report and
    ``found_date`` for a found child, so comparing two birth years is the same
    as comparing ages after the time elapsed between the two reports.
    """
    born = parse_date(birth_date)
    if born is not None:
        return fractional_year(born)
    years = parse_age_years(age)
    reference = parse_date(reference_date)
    if years is None or reference is None:
        return None
    return fractional_year(reference) - years


def first_phone_digits(text: str | None) -> str:
    """Digits of the first phone number, keeping the last ten (drops ``+91`` / ``0`` prefixes).

    Keeping the trailing national number is ordinary phone hygiene for any
    country with fixed-length numbers, not India-specific knowledge.
    """
    if not text:
        return ""
    first = text.split(";", 1)[0]
    digits = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", first))
    digits = "".join(str(int(ch)) for ch in digits)  # Unicode digits to ASCII
    return digits[-10:] if len(digits) >= 7 else ""


def is_number(value: float | None) -> bool:
    """True for a finite float (not None, not NaN)."""
    return value is not None and not math.isnan(value)
