"""How dates, phone numbers, ages and sex are written in practice.

Each function takes the true value and a random source and returns one way a
person or a police system would write it.  The mixes follow what arrives in
missing-children registers: day-first dates in half a dozen shapes, mobile
numbers with and without ``+91``/``0``, ages with ``yrs``.
"""

from __future__ import annotations

import datetime as dt
import random

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")
_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def write_date(day: int, rnd: random.Random, *, iso_share: float = 0.4) -> str:
    """A date (proleptic ordinal) in one of the day-first forms Indian records use."""
    d = dt.date.fromordinal(day)
    roll = rnd.random()
    if roll < iso_share:
        return d.isoformat()
    roll = (roll - iso_share) / (1 - iso_share)
    if roll < 0.40:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if roll < 0.55:
        return f"{d.day}-{d.month}-{d.year}"
    if roll < 0.65:
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if roll < 0.80:
        return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    if roll < 0.90:
        return f"{d.day:02d}-{_MONTHS[d.month - 1]}-{d.year}"
    if roll < 0.95:
        return f"{d.day} {_MONTHS_LONG[d.month - 1]} {d.year}"
    return f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}"


def write_phone(number: str, rnd: random.Random) -> str:
    """A ten-digit mobile number as people write it (``98765 43210``, ``+91-9876543210``)."""
    roll = rnd.random()
    if roll < 0.35:
        return number
    if roll < 0.50:
        return f"{number[:5]} {number[5:]}"
    if roll < 0.65:
        return f"+91-{number}"
    if roll < 0.75:
        return f"+91 {number[:5]} {number[5:]}"
    if roll < 0.85:
        return f"0{number}"
    if roll < 0.90:
        return f"91{number}"
    return f"+91{number}"


def landline(rnd: random.Random) -> str:
    """A landline with an STD code (``0542 2501234``): a neighbour's or a shop's phone."""
    code = f"0{rnd.randrange(11, 9000)}"
    digits = 11 - len(code)
    local = str(rnd.randrange(2 * 10 ** (digits - 1), 10**digits))
    return f"{code}{rnd.choice((' ', '-', ''))}{local}"


def join_phones(phones: list[str], rnd: random.Random) -> str:
    """Several numbers in one field: the spec's ``;``, sometimes ``/`` or ``,`` as typed."""
    roll = rnd.random()
    sep = ";" if roll < 0.85 else ("/" if roll < 0.93 else ", ")
    return sep.join(phones)


def mistype_phone(number: str, rnd: random.Random, *, partial: float, digit_error: float) -> str:
    """A number as a child remembers it: partly, with one digit wrong, or right."""
    roll = rnd.random()
    if roll < partial:
        keep = rnd.randrange(4, 8)
        return number[:keep] if rnd.random() < 0.6 else number[-keep:]
    if roll < partial + digit_error:
        i = rnd.randrange(1, len(number))
        wrong = str((int(number[i]) + rnd.randrange(1, 10)) % 10)
        return number[:i] + wrong + number[i + 1 :]
    return number


def write_age_missing(age: int, rnd: random.Random, *, native: str | None = None) -> str:
    """Age when missing as a family gives it (``12``, ``12 yrs``, ``12 yrs 6 months``, ``१२``)."""
    roll = rnd.random()
    if native == "Deva" and roll < 0.5:
        text = str(age).translate(_DEVANAGARI_DIGITS)
        return text if rnd.random() < 0.5 else f"{text} वर्ष"
    if native == "Beng" and roll < 0.5:
        return f"{str(age).translate(_BENGALI_DIGITS)} বছর"
    if roll < 0.60:
        return str(age)
    if roll < 0.75:
        return f"{age} yrs"
    if roll < 0.85:
        return f"{age} years"
    if roll < 0.92:
        return f"{age} Yrs"
    months = rnd.randrange(1, 12)
    return f"{age} yrs {months} month" + ("s" if months > 1 else "")


def write_age_found(
    true_age: float,
    rnd: random.Random,
    *,
    sd_years: float,
    blank: float,
    range_share: float,
    about_share: float,
) -> str:
    """An officer's estimate of a found child's age: a guess, a range or ``about N``.

    The guess is the true age plus normal noise, rounded; ranges are two to four
    years wide around the guess, so the truth can fall outside them.
    """
    roll = rnd.random()
    if roll < blank:
        return ""
    guess = max(1, round(true_age + rnd.gauss(0.0, sd_years)))
    roll = rnd.random()
    if roll < range_share:
        width = rnd.choice((2, 2, 3, 4))
        low = max(1, guess - rnd.randrange(0, width + 1))
        return f"{low}-{low + width}" + rnd.choice(("", "", " yrs", " years"))
    if roll < range_share + about_share:
        return rnd.choice(("about ", "approx ", "approx. ", "around ", "abt ")) + str(guess)
    roll = rnd.random()
    if roll < 0.7:
        return str(guess)
    if roll < 0.9:
        return f"{guess} yrs"
    return f"{guess} (as told)"


_SEX_FORMS = {
    "male": (("male", 60), ("Male", 15), ("M", 15), ("boy", 4), ("Boy", 3), ("MALE", 3)),
    "female": (("female", 60), ("Female", 15), ("F", 15), ("girl", 4), ("Girl", 3), ("FEMALE", 3)),
}
_SEX_NATIVE = {("male", "Deva"): "लड़का", ("female", "Deva"): "लड़की"}


def write_sex(sex: str, rnd: random.Random, *, native: str | None = None) -> str:
    """Sex as written: ``male``, ``M``, ``boy``, ``लड़का`` ..."""
    if native and (sex, native) in _SEX_NATIVE and rnd.random() < 0.5:
        return _SEX_NATIVE[(sex, native)]
    forms = _SEX_FORMS[sex]
    total = sum(w for _, w in forms)
    roll = rnd.random() * total
    for form, weight in forms:
        roll -= weight
        if roll < 0:
            return form
    return forms[0][0]


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def operation_name(rnd: random.Random) -> str:
    """A rescue drive: Operation Smile/Muskaan rounds, RPF's Nanhe Farishte and AAHT."""
    roll = rnd.random()
    if roll < 0.35:
        return f"Operation Smile {rnd.choice(_ROMAN)}"
    if roll < 0.65:
        return f"Operation Muskaan {rnd.choice(_ROMAN)}"
    if roll < 0.85:
        return "Operation Nanhe Farishte"
    if roll < 0.95:
        return "Operation AAHT"
    return "Operation Milap"


def care_institution(district: str, sex: str, rnd: random.Random) -> str:
    """Where a found child lives now: a government children home or an NGO shelter."""
    roll = rnd.random()
    if roll < 0.35:
        kind = "Boys" if sex == "male" else "Girls"
        return f"Govt. Children Home ({kind}), {district}"
    if roll < 0.5:
        return f"Shishu Griha, {district}" if sex == "male" else f"Balika Griha, {district}"
    if roll < 0.65:
        return f"Open Shelter, {district}"
    if roll < 0.75:
        return f"Child Care Institution, {district}"
    if roll < 0.85:
        return f"SOS Children's Village, {district}"
    if roll < 0.93:
        return f"Apna Ghar, {district}"
    return f"Don Bosco Shelter, {district}"
