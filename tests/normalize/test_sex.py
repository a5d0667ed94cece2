"""parse_sex: the sex field in English, Hindi, Bengali and Urdu words and codes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.errors import InvalidFieldValue
from matcher.normalize.sex import parse_sex
from matcher.records import Sex

READS = [
    ("male", Sex.MALE, "spec value"),
    ("Male", Sex.MALE, "capitalised"),
    ("MALE", Sex.MALE, "upper case"),
    ("M", Sex.MALE, "code"),
    ("m", Sex.MALE, "lower-case code"),
    ("M.", Sex.MALE, "code with full stop"),
    ("boy", Sex.MALE, "boy"),
    ("B", Sex.MALE, "B for boy"),
    ("male child", Sex.MALE, "male child"),
    ("लड़का", Sex.MALE, "Hindi ladka with nukta"),
    ("लडका", Sex.MALE, "Hindi ladka typed without nukta"),
    ("पुरुष", Sex.MALE, "Hindi purush"),
    ("बालक", Sex.MALE, "Hindi baalak"),
    ("ladka", Sex.MALE, "ladka in Latin letters"),
    ("larka", Sex.MALE, "larka spelling"),
    ("purush", Sex.MALE, "purush in Latin letters"),
    ("baalak", Sex.MALE, "baalak in Latin letters"),
    ("ছেলে", Sex.MALE, "Bengali chhele"),
    ("ஆண்", Sex.MALE, "Tamil aan"),
    ("பெண்", Sex.FEMALE, "Tamil penn"),
    ("ఆడ", Sex.FEMALE, "Telugu aada"),
    ("ಗಂಡು", Sex.MALE, "Kannada gandu"),
    ("പെൺ", Sex.FEMALE, "Malayalam pen"),
    ("છોકરી", Sex.FEMALE, "Gujarati chhokri"),
    ("ਮੁੰਡਾ", Sex.MALE, "Punjabi munda"),
    ("ଝିଅ", Sex.FEMALE, "Odia jhia"),
    ("मुलगा", Sex.MALE, "Marathi mulga"),
    ("केटी", Sex.FEMALE, "Nepali keti"),
    ("لڑکا", Sex.MALE, "Urdu larka"),
    ("female", Sex.FEMALE, "spec value"),
    ("F", Sex.FEMALE, "code"),
    ("(F)", Sex.FEMALE, "code in brackets"),
    ("girl", Sex.FEMALE, "girl"),
    ("G", Sex.FEMALE, "G for girl"),
    ("female child", Sex.FEMALE, "female child"),
    ("Female  Child", Sex.FEMALE, "double space"),
    ("girl-child", Sex.FEMALE, "hyphenated"),
    ("लड़की", Sex.FEMALE, "Hindi ladki"),
    ("लडकी", Sex.FEMALE, "Hindi ladki without nukta"),
    ("महिला", Sex.FEMALE, "Hindi mahila"),
    ("बालिका", Sex.FEMALE, "Hindi baalika"),
    ("ladki", Sex.FEMALE, "ladki in Latin letters"),
    ("baalika", Sex.FEMALE, "baalika in Latin letters"),
    ("মেয়ে", Sex.FEMALE, "Bengali meye"),
    ("لڑکی", Sex.FEMALE, "Urdu larki"),
    ("other", Sex.OTHER, "spec value"),
    ("O", Sex.OTHER, "M/F/O forms"),
    ("T", Sex.OTHER, "M/F/T on Aadhaar"),
    ("transgender", Sex.OTHER, "transgender"),
    ("third gender", Sex.OTHER, "third gender"),
    ("Third-Gender", Sex.OTHER, "hyphenated"),
    ("किन्नर", Sex.OTHER, "Hindi kinnar"),
    ("ट्रांसजेंडर", Sex.OTHER, "transgender in Devanagari"),
    ("hijra", Sex.OTHER, "hijra"),
    ("khwaja sira", Sex.OTHER, "Urdu khwaja sira in Latin letters"),
    ("F (girl)", Sex.FEMALE, "code and word agreeing"),
    ("Female (Minor)", Sex.FEMALE, "with a filler word in brackets"),
    ("Boy (minor)", Sex.MALE, "boy, minor"),
]


@pytest.mark.parametrize(("text", "sex"), [c[:2] for c in READS], ids=[c[2] for c in READS])
def test_reads(text: str, sex: Sex) -> None:
    assert parse_sex(text) is sex


EMPTY = ["", "   ", "NA", "n/a", "unknown", "Not known", "-", "?", "nan", "अज्ञात"]


@pytest.mark.parametrize("text", EMPTY, ids=[f"empty {t!r}" for t in EMPTY])
def test_empty_and_placeholders_are_none(text: str) -> None:
    assert parse_sex(text) is None


REFUSED = [
    ("M/F", "both codes"),
    ("male female", "both words"),
    ("X", "unknown code"),
    ("Ramesh Kumar", "a name in the wrong column"),
    ("12", "an age in the wrong column"),
    ("boyy", "typo"),
    ("minor", "a filler word alone"),
    ("M (girl)", "code and word disagreeing"),
    ("Sonu (boy)", "a name beside the sex"),
]


@pytest.mark.parametrize("text", [c[0] for c in REFUSED], ids=[c[1] for c in REFUSED])
def test_refuses_unrecognised_text(text: str) -> None:
    with pytest.raises(InvalidFieldValue) as caught:
        parse_sex(text)
    assert "not a recognised sex" in caught.value.reason
    assert text not in str(caught.value)  # may be a child's name: never repeated


@given(st.sampled_from(list(Sex)))
def test_spec_values_round_trip(sex: Sex) -> None:
    assert parse_sex(sex.value) is sex
    assert parse_sex(f" {sex.value.upper()} ") is sex


@given(st.text())
def test_never_raises_anything_else_on_arbitrary_text(text: str) -> None:
    try:
        result = parse_sex(text)
    except InvalidFieldValue:
        return
    assert result is None or isinstance(result, Sex)


@settings(max_examples=20)  # generating huge strings is what is slow here
@given(st.text(min_size=2000, max_size=5000))
def test_huge_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidFieldValue):
        parse_sex(text)
