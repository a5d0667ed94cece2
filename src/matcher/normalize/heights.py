"""Heights as registers write them, read as centimetres.

The field is ``height_cm``, but in South Asia a family, and many a police
form, gives a height in feet and inches (``4'5"``, ``4 ft 5 in``, ``4 feet 5
inch``, ``4 फीट 5 इंच``); others write metres (``1.32 m``), a range (``130-135``) or an
approximation (``about 130``). Each is read as the centimetres it means; a
range as its middle.

A bare number is centimetres, except a small one with a decimal point that can
only be metres (``1.32``). ``4.5 ft`` is read as four and a half feet.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from matcher.errors import InvalidFieldValue
from matcher.normalize.text import fold_text

CM_PER_INCH: Final = 2.54
CM_PER_FOOT: Final = 30.48
#: Plausible heights of a child or adolescent, in centimetres.
MIN_HEIGHT_CM: Final = 40.0
MAX_HEIGHT_CM: Final = 200.0

_NUMBER = r"\d+(?:\.\d+)?"
# English and the Hindi and Bengali words (फीट, फुट, इंच; ফুট, ইঞ্চি), in either script.
_FEET = r"(?:'|’|ft\.?|feet|foot|fit|phut|फीट|फिट|फुट|ফুট|ফিট)"
_INCHES = r"(?:\"|''|”|’’|in\.?|inch|inches|inchs|इंच|ইঞ্চি|ইঞ্চ)"
_APPROX = re.compile(
    r"^(?:about|approx\.?|approximately|around|appr\.?|nearly|almost|"
    r"lagbhag|lgbhg|c\.|ca\.?|~)\s*|\s*(?:approx\.?|approximately|lagbhag)$"
)
_CM = re.compile(rf"({_NUMBER})\s*(?:cm|cms|centimetres?|centimeters?|सेमी|से\.मी|সেমি)?\.?")
_METRES = re.compile(rf"({_NUMBER})\s*(?:m|mtr|mtrs|metres?|meters?)\.?")
_FEET_INCHES = re.compile(rf"({_NUMBER})\s*{_FEET}\s*(?:({_NUMBER})\s*{_INCHES}?)?")
_INCHES_ONLY = re.compile(rf"({_NUMBER})\s*{_INCHES}")
_RANGE = re.compile(r"\s*(?:-|–|to|se)\s*")


def parse_height(text: str) -> float | None:
    """Centimetres, or ``None`` for an empty field; raises :class:`InvalidFieldValue`.

    ``"132"``, ``"132 cm"``, ``"4'5\\""``, ``"4 ft 5 in"``, ``"1.32 m"``,
    ``"about 130"`` and ``"130-135"`` (132.5) are all read.
    """
    result = _parse_cached(text)
    if isinstance(result, str):
        raise InvalidFieldValue(result)
    return result


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> float | str | None:
    """The height, or the reason it cannot be read (cached either way: heights repeat)."""
    folded = " ".join(fold_text(text).lower().replace("(", " ").replace(")", " ").split())
    if not folded:
        return None
    folded = _APPROX.sub("", folded).strip()
    parts = _RANGE.split(folded) if not _FEET_INCHES.search(folded) else [folded]
    values = [_one(part) for part in parts]
    if len(values) > 2 or any(v is None for v in values):
        return "expected a height such as 132, 132 cm or 4 ft 4 in"
    value = sum(v for v in values if v is not None) / len(values)
    if not MIN_HEIGHT_CM <= value <= MAX_HEIGHT_CM:
        return f"a child's height of {value:.0f} cm is impossible"
    return round(value, 1)


def _one(text: str) -> float | None:
    """One height without a range or an approximation word, in centimetres."""
    if match := _FEET_INCHES.fullmatch(text):
        feet, inches = float(match.group(1)), float(match.group(2) or 0)
        if inches >= 12:
            return None
        return feet * CM_PER_FOOT + inches * CM_PER_INCH
    if match := _INCHES_ONLY.fullmatch(text):
        return float(match.group(1)) * CM_PER_INCH
    if match := _METRES.fullmatch(text):
        return float(match.group(1)) * 100
    if match := _CM.fullmatch(text):
        value = float(match.group(1))
        # 1.32 can only be metres; 132 is centimetres.
        return value * 100 if value < 3 and "." in match.group(1) else value
    return None
