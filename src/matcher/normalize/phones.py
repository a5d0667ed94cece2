"""Phone numbers of the ``guardian_phone`` field, to E.164 with ``phonenumbers``.

What arrives, often several to a field::

    98765 43210   +91-9876543210   09876543210   91 98765 43210   0091 98765 43210
    0542 2501234  0542-2501234     (0542) 2501234                 ९८७६५४३२१०
    9876543210 (father); 9123456789 (uncle)       9876543210/9123456789
    +977 9841234567 (Nepal)        +880 1712345678 (Bangladesh)   1098 (Childline)

Rules, and why:

* Numbers are separated by ``;`` ``,`` ``|`` or a new line. A ``/`` may
  separate two numbers or an STD code from a landline (``0542/2501234``), so
  text around a slash is first read as one number and split only when that
  fails (see :func:`_split_run`); the same goes for numbers separated by spaces.
* Numbers without a country code are read in ``default_region`` (India).
  Numbers of other countries need their code (``+977``, ``+880``, ``00977``);
  any number ``phonenumbers`` considers valid is accepted (relatives abroad
  are real contacts), so a Bangladeshi mobile written without ``+880``
  (``01712345678``) is read as what it also is, an Indian landline (the
  phone comparison matches numbers on their ten national digits,
  :func:`ten_digit_number`, so it still meets ``+8801712345678``). A number
  that starts with 880 or 977 and is no valid number of the region is read
  with that country code (``880 1712345678``, ``977-9841234567``).
* Service numbers (Childline 1098, emergency 112, police 100, ...; see
  :data:`SERVICE_NUMBERS`, plus any short number ``phonenumbers`` knows for the
  region) are not a family's phone: they are kept apart in
  ``service_numbers`` so that two records that both say "1098" never look
  linked by phone.
* Placeholders typed when the family has no phone (``9999999999``,
  ``9000000000``: one digit repeated after the first) are reported as invalid
  for the same reason. The phone comparison should still down-weight a number
  shared by many records (a children's home's office phone).
* Labels ("father", "Mob:", "पिता") are ignored; a piece without digits is a
  label or a placeholder, not a number, and is dropped silently. Anything with
  digits that is not a valid number is returned in ``invalid``; nothing raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, shortnumberinfo

from matcher.normalize.dates import quick_fold

#: Service numbers of India, Nepal and Bangladesh that appear in records instead of
#: a family's phone, with what they are.
SERVICE_NUMBERS: Mapping[str, str] = MappingProxyType(
    {
        "1098": "Childline / child helpline (India, Nepal, Bangladesh)",
        "112": "emergency response (India, Nepal)",
        "100": "police",
        "101": "fire",
        "102": "ambulance",
        "108": "emergency ambulance (India)",
        "181": "women helpline (India)",
        "1091": "women helpline, police (India)",
        "999": "national emergency (Bangladesh)",
        "109": "violence against women and children helpline (Bangladesh)",
    }
)
#: Above this many characters a field is read, but not cached.
MAX_CACHED_CHARS = 256

# Separators that always end a number.
_PIECES = re.compile(r"[;,|\n]+")
# A run of digits with the punctuation people put inside numbers, optionally after '+'.
_RUN = re.compile(r"\+?\d(?:[\d\s\-./()]*\d)?")
_GROUP_SEPARATORS = re.compile(r"[\s\-./()]+")
# The longest number of the region's usual forms: "0091" or "+880" / "+977" and ten digits.
_MAX_DIGITS = 14
# No number at all is longer: E.164 allows 15 digits, after an international prefix "00".
_MAX_E164_DIGITS = 17
_SHORT_NUMBER_DIGITS = 6
_ASCII_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class PhoneSet:
    """The phones of one field: valid numbers, service numbers, and what could not be read.

    ``numbers`` are E.164 (``"+919876543210"``), deduplicated, in input order;
    ``service_numbers`` are the digits as written (``"1098"``); ``invalid`` are
    the pieces with digits that are no valid number, as written (after Unicode
    folding, so Devanagari digits appear as ASCII).
    """

    numbers: tuple[str, ...] = ()
    service_numbers: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()


_EMPTY = PhoneSet()
_Reading = tuple[Literal["number", "service", "invalid"], str]


# One number written alone, as most fields are: digits, spaces and hyphens, an
# optional leading '+' (``9876543210``, ``98765 43210``, ``+91-9876543210``).
# ASCII digits only: ``\d`` would also take Devanagari digits, which need folding.
_LONE_NUMBER = re.compile(r"\+?[0-9][0-9 \-]*[0-9]")


def phone_numbers(text: str, *, default_region: str = "IN") -> tuple[str, ...]:
    """``parse_phones(text).numbers``: only the valid numbers, in E.164.

    What a :class:`Person` keeps. A field holding one number written with
    digits, spaces and hyphens takes a shortcut with the same result: such a
    field is one piece and one run of digits, which ``parse_phones`` reads
    whole through the same :func:`_read_number` (a test compares the two on
    generated fields). Anything else, including a run too long to be one
    number, takes the full reading.
    """
    if not text:
        return ()
    region = default_region.upper()
    if _LONE_NUMBER.fullmatch(text) is not None:
        # What _compact gives for these characters, without a regular expression.
        compact = text.replace(" ", "").replace("-", "")
        if len(compact.lstrip("+")) <= _MAX_DIGITS:
            kind, value = _read_number(compact, region)
            return (value,) if kind == "number" else ()
    elif text.isascii() and text.isprintable():
        # Several numbers, each alone between separators ("9876543210; 98765 43210").
        numbers: dict[str, None] = {}
        for piece in _PIECES.split(" ".join(text.split())):
            piece = piece.strip()
            if not piece:
                continue
            if _LONE_NUMBER.fullmatch(piece) is None:
                break
            compact = _compact(piece)
            if len(compact.lstrip("+")) > _MAX_DIGITS:
                break
            kind, value = _read_number(compact, region)
            if kind == "number":
                numbers[value] = None
        else:
            return tuple(numbers)
    return parse_phones(text, default_region=default_region).numbers


def parse_phones(text: str, *, default_region: str = "IN") -> PhoneSet:
    """Read every phone number of a field; never raises (see the module docstring)."""
    if not text:
        return _EMPTY
    if len(text) > MAX_CACHED_CHARS:
        return _parse_phones(text, default_region.upper())
    return _parse_phones_cached(text, default_region.upper())


@lru_cache(maxsize=65536)
def _parse_phones_cached(text: str, region: str) -> PhoneSet:
    return _parse_phones(text, region)


def _parse_phones(text: str, region: str) -> PhoneSet:
    numbers: dict[str, None] = {}
    services: dict[str, None] = {}
    invalid: dict[str, None] = {}
    for piece in _PIECES.split(quick_fold(text)):
        for run in _RUN.findall(piece):
            for kind, value in _split_run(run, region):
                if kind == "number":
                    numbers[value] = None
                elif kind == "service":
                    services[value] = None
                else:
                    invalid[value] = None
    if not (numbers or services or invalid):
        return _EMPTY
    return PhoneSet(tuple(numbers), tuple(services), tuple(invalid))


def _split_run(run: str, region: str) -> list[_Reading]:
    """Read a run of digits as one number, or else as several written next to each other.

    "9876543210 9123456789" and "9876543210/9123456789" have more digits than
    any single number of the region; they are split at spaces and punctuation,
    taking the shortest valid number from the left each time. Groups that start
    no valid number are reported as invalid. A number is looked for over at
    most ``_MAX_DIGITS`` digits, so a long run costs linear time.
    """
    compact = _compact(run)
    digit_count = len(compact.lstrip("+"))
    if digit_count <= _MAX_E164_DIGITS:
        whole = _read_number(compact, region)
        if whole[0] != "invalid":
            return [whole]
        if digit_count <= _MAX_DIGITS:
            return [("invalid", run)]
    groups = [g for g in _GROUP_SEPARATORS.split(run) if g]
    readings: list[_Reading] = []
    start = 0
    while start < len(groups):
        end, reading = _first_number(groups, start, region)
        if reading is None:
            readings.append(("invalid", groups[start]))
            start += 1
        else:
            readings.append(reading)
            start = end
    return readings


def _first_number(groups: list[str], start: int, region: str) -> tuple[int, _Reading | None]:
    """The shortest valid number made of ``groups[start:end]``, and its ``end``."""
    digits = 0
    for end in range(start + 1, len(groups) + 1):
        digits += len(groups[end - 1].lstrip("+"))
        if digits > _MAX_DIGITS:
            break
        reading = _read_number("".join(groups[start:end]), region)
        if reading[0] == "number":
            return end, reading
    return start, None


_NOT_DIGITS = re.compile(r"[^0-9]+")


def _compact(run: str) -> str:
    """Digits only, keeping a leading '+'."""
    digits = _NOT_DIGITS.sub("", run)
    return "+" + digits if run.startswith("+") else digits


@lru_cache(maxsize=65536)
def _read_number(compact: str, region: str) -> _Reading:
    """Classify one number given as digits with an optional leading '+'."""
    digits = compact.lstrip("+")
    international = compact.startswith("+")
    if not international and digits in SERVICE_NUMBERS:
        return ("service", digits)
    if not international and len(digits) <= _SHORT_NUMBER_DIGITS:
        if _is_short_number(digits, region):
            return ("service", digits)
        return ("invalid", compact)
    national = _indian_national_number(compact) if region == "IN" else None
    if national is not None:
        if not _is_valid_indian(national) or _is_placeholder(national):
            return ("invalid", compact)
        return ("number", "+91" + national)
    try:
        number = phonenumbers.parse(compact, region)
    except NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if not international and digits.startswith(_NEIGHBOUR_CODES):
            return _read_number("+" + digits, region)  # "880 1712345678", "977-9841234567"
        return ("invalid", compact)
    if _is_placeholder(str(number.national_number)):
        return ("invalid", compact)
    return ("number", phonenumbers.format_number(number, PhoneNumberFormat.E164))


#: Country codes of Bangladesh and Nepal, which families write without the "+":
#: a number that starts with one and is no valid number of the region is read with it.
_NEIGHBOUR_CODES = ("880", "977")


# The commonest Indian forms: ten digits not starting with 0 (a mobile, or STD
# code and landline), after nothing, the trunk 0, 91, +91 or 0091, or 091 (the
# trunk and the country code together, a common mistake: no STD code starts
# with 9, so the 91 cannot be part of a landline's number).
_INDIAN_FORMS = re.compile(r"(?:0|91|\+91|0091|091)?([1-9]\d{9})")


def _indian_national_number(compact: str) -> str | None:
    """The ten-digit national number of ``9876543210``, ``05422501234``, ``+919876543210`` ...

    A shortcut past ``phonenumbers.parse`` that gives the same national number
    for these forms; a property test compares the result with the full parse.
    """
    match = _INDIAN_FORMS.fullmatch(compact)
    if match is None:
        return None
    national = match.group(1)
    # National numbers starting with 1 (toll-free 1800..., short codes) are rare in
    # this field and their forms vary; they take the full parse, the reference.
    return None if national[0] == "1" else national


# Number types that make a number valid (any one will do, so the commonest come first).
_NUMBER_TYPES = (
    "mobile",
    "fixed_line",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)
_Desc = tuple[re.Pattern[str], frozenset[int]]


@cache
def _indian_descs() -> tuple[_Desc, tuple[_Desc, ...]]:
    """India's general and per-type number patterns from phonenumbers' metadata, compiled once."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("IN")
    # Both ship with every phonenumbers release; their absence is a broken installation.
    assert metadata is not None and metadata.general_desc is not None

    def compiled(desc: phonenumbers.PhoneNumberDesc) -> _Desc:
        return re.compile(desc.national_number_pattern or "(?!)"), frozenset(desc.possible_length)

    types = tuple(
        compiled(desc)
        for desc in (getattr(metadata, name) for name in _NUMBER_TYPES)
        if desc is not None and desc.national_number_pattern
    )
    return compiled(metadata.general_desc), types


def _is_valid_indian(national: str) -> bool:
    """``phonenumbers.is_valid_number`` for an Indian national number, five times faster.

    The same test as phonenumbers' own (the general pattern, then any number
    type's pattern and lengths), on the same metadata, without rebuilding the
    number object and looking patterns up on every call. A property test
    compares the two.
    """
    (pattern, lengths), types = _indian_descs()
    length = len(national)
    if (lengths and length not in lengths) or pattern.fullmatch(national) is None:
        return False
    # A plain loop: this runs for every number read, and a generator costs more here.
    for pattern, lengths in types:
        if (not lengths or length in lengths) and pattern.fullmatch(national) is not None:
            return True
    return False


def _is_short_number(digits: str, region: str) -> bool:
    if region not in phonenumbers.SUPPORTED_SHORT_REGIONS:
        return False
    try:
        number = phonenumbers.parse(digits, region)
    except NumberParseException:
        return False
    return bool(shortnumberinfo.is_valid_short_number_for_region(number, region))


def _is_placeholder(national_number: str) -> bool:
    """9999999999, 9000000000: one digit repeated after the first, typed for "no phone"."""
    length = len(national_number)
    return length >= 7 and national_number[1:] == national_number[1] * (length - 1)


#: Country codes of the numbers whose mobiles have ten national digits.
_TEN_DIGIT_CODES = ("+91", *("+" + code for code in _NEIGHBOUR_CODES))


def ten_digit_number(e164: str) -> str:
    """The ten national digits of an Indian, Bangladeshi or Nepali number, else "".

    The same mobile written with and without its country code has the same ten
    digits; a shorter number (a Kathmandu landline, +97714412345) has none, as
    its last ten digits would include the country code.
    """
    for code in _TEN_DIGIT_CODES:
        if e164.startswith(code):
            national = e164[len(code) :]
            return national if len(national) == 10 else ""
    return ""


def phone_key(e164: str) -> str:
    """The blocking key of a number: its last ten digits.

    That is the national significant number of Indian, Nepali and Bangladeshi
    mobiles and of Indian landlines with their STD code, so the same number
    written with or without a country code gets the same key. A Nepali and an
    Indian mobile with the same ten digits share a key too; blocking only
    proposes candidates, and border families do write a Nepali number without
    +977.
    """
    digits = "".join(ch for ch in e164 if ch in _ASCII_DIGITS)
    return digits[-10:]
