"""Heights as registers write them: centimetres, feet and inches, metres, ranges."""

from __future__ import annotations

import pytest

from matcher.errors import InvalidFieldValue
from matcher.normalize.heights import parse_height


@pytest.mark.parametrize(
    ("text", "cm"),
    [
        pytest.param("132", 132.0, id="centimetres"),
        pytest.param("132 cm", 132.0, id="with the unit"),
        pytest.param("135 CMS.", 135.0, id="police form's unit"),
        pytest.param("१३२", 132.0, id="Devanagari digits"),
        pytest.param("4'5\"", 134.6, id="feet and inches"),
        pytest.param("4’ 5”", 134.6, id="typographic quotes"),
        pytest.param("4 ft 5 in", 134.6, id="ft and in"),
        pytest.param("4 फीट 5 इंच", 134.6, id="feet and inches in Hindi"),
        pytest.param("৪ ফুট ৫ ইঞ্চি", 134.6, id="feet and inches in Bengali, Bengali digits"),
        pytest.param("132 सेमी", 132.0, id="cm in Hindi"),
        pytest.param("4 Feet 5 Inches", 134.6, id="words"),
        pytest.param("5 feet", 152.4, id="feet alone"),
        pytest.param("4.5 ft", 137.2, id="decimal feet"),
        pytest.param("52 inches", 132.1, id="inches alone"),
        pytest.param("1.32 m", 132.0, id="metres"),
        pytest.param("1.32", 132.0, id="a bare decimal this small is metres"),
        pytest.param("about 130", 130.0, id="approximate"),
        pytest.param("135 (approx)", 135.0, id="approximate, in brackets"),
        pytest.param("lagbhag 4 fit", 121.9, id="Hindi approximation, Hinglish feet"),
        pytest.param("130-135", 132.5, id="a range: its middle"),
        pytest.param("130 to 135 cm", 132.5, id="a range in words"),
    ],
)
def test_heights_read_as_centimetres(text: str, cm: float) -> None:
    assert parse_height(text) == pytest.approx(cm, abs=0.05)


def test_empty_is_unknown() -> None:
    assert parse_height("") is None
    assert parse_height("   ") is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("tall", "expected a height", id="no number"),
        pytest.param("4'13\"", "expected a height", id="13 inches is a foot more"),
        pytest.param("900", "impossible", id="too tall"),
        pytest.param("5", "impossible", id="five centimetres"),
        pytest.param("130-135-140", "expected a height", id="three numbers"),
    ],
)
def test_unreadable_heights_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidFieldValue, match=reason):
        parse_height(text)
