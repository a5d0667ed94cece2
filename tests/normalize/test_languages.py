"""Language names: one canonical name per language, whatever the spelling or script."""

from __future__ import annotations

import pytest

from matcher.normalize.languages import canonical_language, parse_languages

SAME_LANGUAGE = [
    ("Bangla", "bengali", "Bangla is Bengali"),
    ("BENGALI", "bengali", "capitals"),
    ("বাংলা", "bengali", "Bengali in its own script"),
    ("Oriya", "odia", "the older name of Odia"),
    ("ଓଡ଼ିଆ", "odia", "Odia in its own script"),
    ("Oriyā", "odia", "a diacritic"),
    ("Santhali", "santali", "a spelling of Santali"),
    ("Nepalese", "nepali", "the English adjective"),
    ("हिंदी", "hindi", "Hindi in Devanagari"),
    ("ગુજરાતી", "gujarati", "Gujarati in its own script"),
    ("Gujrati", "gujarati", "a spelling in the table"),
    ("Malyalam", "malayalam", "a typo the table does not list"),
    ("Telgu", "telugu", "a dropped vowel"),
    ("Manipuri", "meitei", "the state's name for Meitei"),
    ("Sadri", "nagpuri", "one language, two names"),
    ("Hindi language", "hindi", "a filler word"),
    ("Bangla bhasha", "bengali", "'bhasha' is 'language'"),
    ("Nepal Bhasa", "newari", "a name with a filler word in it"),
]


@pytest.mark.parametrize(
    ("written", "canonical"), [c[:2] for c in SAME_LANGUAGE], ids=[c[2] for c in SAME_LANGUAGE]
)
def test_a_language_is_read_under_one_name(written: str, canonical: str) -> None:
    assert canonical_language(written) == canonical


@pytest.mark.parametrize(
    "name", ["Sindhi", "Kokborok", "Ho", "Tulu", "Bhili", "Marwari", "Magahi", "Chakma", "Garo"]
)
def test_other_languages_are_not_pulled_towards_a_near_name(name: str) -> None:
    """Sindhi is not Hindi, Marwari not Marathi: short or distinct names stay as written."""
    assert canonical_language(name) in (name.lower(), "magahi")


@pytest.mark.parametrize(
    ("field", "languages"),
    [
        ("Hindi, Bhojpuri", {"hindi", "bhojpuri"}),
        ("Hindi & Bangla", {"hindi", "bengali"}),
        ("Hindi and Urdu", {"hindi", "urdu"}),
        ("Maithili/Hindi; Nepali", {"maithili", "hindi", "nepali"}),
        ("Hindi aur Bhojpuri", {"hindi", "bhojpuri"}),
        ("Bangla.", {"bengali"}),
        ("Hindi (little)", {"hindi"}),
        ("Hindi-Bhojpuri", {"hindi", "bhojpuri"}),
        ("  ,  ", set()),
    ],
)
def test_a_field_names_several_languages(field: str, languages: set[str]) -> None:
    assert parse_languages(field) == languages
