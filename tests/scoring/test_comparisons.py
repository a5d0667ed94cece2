"""Every comparison, level by level, on real-world variants."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from matcher.normalize.person import Person, normalize_record
from matcher.normalize.places import load_gazetteer
from matcher.records import RecordKind, make_record
from matcher.scoring.comparisons import (
    COMPARISONS,
    NULL,
    compare_age,
    compare_all,
    compare_dates,
    compare_district,
    compare_family,
    compare_height,
    compare_languages,
    compare_marks,
    compare_name,
    compare_sex,
    compare_village,
    dates_level,
)
from matcher.synth import generate
from tests.factories import found, missing

TODAY = date(2025, 1, 1)


def pair(f: dict[str, str], m: dict[str, str]) -> tuple[Person, Person]:
    g = load_gazetteer()
    return (
        normalize_record(found(**f), g, today=TODAY),
        normalize_record(missing(**m), g, today=TODAY),
    )


@pytest.mark.parametrize(
    ("found_name", "missing_name", "level"),
    [
        pytest.param("Irfan", "Irfan", "exact", id="same spelling"),
        pytest.param("Laxmi", "Lakshmi", "phonetic", id="x and ksh"),
        pytest.param("Puja Kumari", "Pooja", "phonetic", id="oo/u; Kumari is not a given name"),
        pytest.param("Md Irfan", "मोहम्मद इरफ़ान", "exact", id="Devanagari against Latin"),
        pytest.param("Irfaan", "इरफ़ान", "phonetic", id="Devanagari against another spelling"),
        pytest.param("Irfan", "Mohammad Irfan Sheikh", "phonetic", id="prefix and surname ignored"),
        pytest.param("Ravi", "Ravi Shankar", "phonetic_subset", id="first name only"),
        pytest.param("Sunial", "Sunil", "fuzzy", id="typo"),
        pytest.param(
            "Dasaru Padma", "Dasari Padma", "phonetic_subset", id="one part the same, one a typo"
        ),
        pytest.param("Rahu Ram", "Rahul Ram", "phonetic_subset", id="a letter lost in one part"),
        pytest.param("Ravi Verma", "Ravi Shankar", "partial", id="one part of two agrees"),
        pytest.param("Ram Prasad", "Ramprasad", "phonetic", id="two words written as one"),
        pytest.param("Sai Kumar", "Saikumar", "phonetic", id="joined with a low-weight part"),
        pytest.param("Nizam Uddin", "Nizamuddin", "phonetic", id="joined, a letter doubled"),
        pytest.param("Ram Prasad", "Vikram", "different", id="split, against another name"),
        pytest.param("Rahim", "Md Abdul Rahim", "phonetic", id="Abdul Rahim is called Rahim"),
        pytest.param("Abdur Rahman", "Rahman", "phonetic", id="called by the name after Abdur"),
        pytest.param("Abdul Rahim", "Abdul Karim", "different", id="Abdul alone says nothing"),
        pytest.param("Abdullah", "Lah", "different", id="Abdullah is a whole name"),
        pytest.param("Rahim Ali", "Abdul Rahim", "phonetic_subset", id="Abdul Rahim, first names"),
        pytest.param("Abdulrehman", "Rahman", "phonetic", id="the called name's spellings"),
        pytest.param("Mizanur Rahman", "Abdur Rahman", "different", id="Rahman ends both"),
        pytest.param("Sabir Ali", "Abdul Ali", "different", id="Ali ends both"),
        pytest.param("Rahim", "Ansari Abdul Rahim", "phonetic_subset", id="Abdul not first"),
        pytest.param("Rahim Khan", "Khan Abdul Rahim", "phonetic", id="surname first"),
        pytest.param("Chhotu", "Rahul", "nickname_only", id="child knows only a nickname"),
        pytest.param("Ramesh", "Vikram", "different", id="different names"),
        pytest.param("", "Rahul", NULL, id="no name on the found side"),
    ],
)
def test_name_levels(found_name: str, missing_name: str, level: str) -> None:
    f, m = pair({"name": found_name}, {"name": missing_name})
    assert compare_name(f, m).level == level


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ramesh", "Rakesh"), ("Sunil", "Sushil"), ("Mohan", "Sohan"), ("Asha", "Usha")],
)
def test_near_misses_never_agree_in_sound(a: str, b: str) -> None:
    """One letter apart is at most a close spelling, never 'the same name'."""
    f, m = pair({"name": a}, {"name": b})
    assert compare_name(f, m).level not in ("exact", "phonetic", "phonetic_subset")


def test_more_of_a_name_agreeing_never_scores_lower() -> None:
    """A typo in a second part must not rank below leaving that part out."""
    both, one = (
        pair({"name": "Dasaru Padma"}, {"name": "Dasari Padma"}),
        pair({"name": "Padma"}, {"name": "Dasari Padma"}),
    )
    rank = next(spec.levels for spec in COMPARISONS if spec.field == "name").index
    assert rank(compare_name(*both).level) <= rank(compare_name(*one).level)


def test_name_through_alias() -> None:
    f, m = pair({"name": "Chhotu"}, {"name": "Rahul Kumar", "aliases": "Chhotu;Munna"})
    result = compare_name(f, m)
    assert result.level == "exact"
    assert "alias" in result.detail


def test_a_shared_pet_name_does_not_outweigh_conflicting_given_names() -> None:
    """Priya alias Munni and Sunita alias Munni: thousands of girls are called Munni."""
    f, m = pair(
        {"name": "Sunita", "aliases": "Munni"}, {"name": "Priya Kumari", "aliases": "Munni"}
    )
    assert compare_name(f, m).level == "partial"


def test_a_pet_name_given_as_the_name_still_meets_the_alias() -> None:
    """The child says "Pappu"; the report is for Rahul, called Pappu at home."""
    f, m = pair({"name": "Pappu"}, {"name": "Rahul", "aliases": "Pappu"})
    assert compare_name(f, m).level == "exact"


def test_the_other_records_fathers_name_is_not_the_childs_own_name() -> None:
    """Sakshi Chavan (father unknown) against Sakshi Raju Chavan, daughter of Raju Chavan."""
    f, m = pair(
        {"name": "Sakshi Chavan"}, {"name": "Sakshi Raju Chavan", "father_name": "Raju Chavan"}
    )
    assert compare_name(f, m).level in ("exact", "phonetic")


def test_a_dropped_surname_does_not_hide_a_conflicting_one() -> None:
    """Ranjit Banerjee's surname is his father's; the found child is Ranjit Bhowmik."""
    f, m = pair(
        {"name": "Ranjit Bhowmik"},
        {"name": "Ranjit Banerjee", "father_name": "Tapan Banerjee"},
    )
    assert compare_name(f, m).level == "partial"


def test_name_tf_keys_are_the_agreeing_sounds() -> None:
    f, m = pair({"name": "Laxmi"}, {"name": "Lakshmi Devi"})
    result = compare_name(f, m)
    assert result.tf_keys and all(isinstance(k, str) and k for k in result.tf_keys)


@pytest.mark.parametrize(
    ("f_sex", "m_sex", "f_name", "level"),
    [
        ("boy", "M", "", "same"),
        ("girl", "male", "", "different"),
        ("", "F", "Rina Khatun", "same"),  # Khatun says girl when the field is empty
        ("", "M", "", NULL),
    ],
)
def test_sex_levels(f_sex: str, m_sex: str, f_name: str, level: str) -> None:
    f, m = pair({"sex": f_sex, "name": f_name}, {"sex": m_sex})
    assert compare_sex(f, m).level == level


@pytest.mark.parametrize(
    ("found_age", "found_date", "missing_age", "missing_date", "level"),
    [
        pytest.param(
            "about 12", "2024-08-15", "9", "2021-05-10", "fits", id="9 in 2021, ~12 in 2024"
        ),
        pytest.param("12", "2024-08-15", "10", "2021-05-10", "close", id="a year off"),
        pytest.param("16", "2024-08-15", "9", "2021-05-10", "loose", id="about three years off"),
        pytest.param("5", "2024-08-15", "12", "2021-05-10", "differs", id="another child"),
        pytest.param("", "2024-08-15", "12", "2021-05-10", NULL, id="no age on one side"),
    ],
)
def test_age_levels(
    found_age: str, found_date: str, missing_age: str, missing_date: str, level: str
) -> None:
    f, m = pair(
        {"age": found_age, "found_date": found_date},
        {"age": missing_age, "missing_date": missing_date},
    )
    assert compare_age(f, m).level == level


@pytest.mark.parametrize(
    ("found_date", "missing_date", "level"),
    [
        pytest.param("2024-08-15", "2024-03-01", "within_a_year", id="found months later"),
        pytest.param("2024-08-15", "2024-08-15", "within_a_year", id="found the same day"),
        pytest.param("2024-08-01", "2024-08-20", "within_a_year", id="dates within the slack"),
        pytest.param("2024-08-01", "2024-08-31", "within_a_year", id="30 days: the slack's edge"),
        pytest.param("2024-08-01", "2024-09-01", "found_first", id="31 days: past the slack"),
        pytest.param("2024-08-15", "2021-05-10", "one_to_four_years", id="three years later"),
        pytest.param("2024-08-15", "2017-06-04", "over_four_years", id="seven years later"),
        pytest.param("2019-01-12", "2021-05-10", "found_first", id="found before going missing"),
        pytest.param("", "2021-05-10", NULL, id="no found date"),
        pytest.param("2024-08-15", "", NULL, id="no missing date"),
    ],
)
def test_dates_levels(found_date: str, missing_date: str, level: str) -> None:
    f, m = pair({"found_date": found_date}, {"missing_date": missing_date})
    comparison = compare_dates(f, m)
    assert comparison.level == level
    if level == "found_first":
        assert "before going missing" in comparison.detail
    elif level != NULL:
        assert missing_date in comparison.detail and "years later" in comparison.detail


def test_dates_too_coarse_to_compare_say_so() -> None:
    f, m = pair({"found_date": "2019"}, {"missing_date": "2019"})
    comparison = compare_dates(f, m)
    assert comparison.level == NULL and "too coarse" in comparison.detail


@pytest.mark.parametrize(
    ("found_date", "missing_date", "level", "shown"),
    [
        pytest.param(
            "2024-08-15", "March 2024", "within_a_year", "March 2024", id="a month, months before"
        ),
        pytest.param("2024-08-15", "August 2024", "within_a_year", "August 2024", id="same month"),
        pytest.param(
            "2024-08-15", "2021", "one_to_four_years", "2021", id="a year, every day fits"
        ),
        pytest.param("2024-08-15", "2020", NULL, "", id="a year straddling four years"),
        pytest.param("2024-08-15", "2024", NULL, "", id="the year found: before or after"),
        pytest.param(
            "March 2024", "2024-08-15", "found_first", "March 2024", id="found in a month before"
        ),
        pytest.param("March 2024", "", NULL, "", id="no missing date"),
    ],
)
def test_dates_levels_with_a_month_or_a_year(
    found_date: str, missing_date: str, level: str, shown: str
) -> None:
    """A level is given only when every day of the month or year gives it."""
    f, m = pair({"found_date": found_date}, {"missing_date": missing_date})
    comparison = compare_dates(f, m)
    assert comparison.level == level
    assert dates_level(f, m)[0] == level  # ranking reads the same level
    assert shown in comparison.detail


@pytest.mark.parametrize(
    ("found_height", "missing_height", "found_date", "level"),
    [
        # Missing at 8 (born 2013) on 2021-05-10; a boy grows about 16 cm by 11.
        pytest.param("143", "127", "2024-05-10", "fits", id="grew as expected in three years"),
        pytest.param("136", "127", "2024-05-10", "fits", id="grew 9 cm: slow, within the slack"),
        pytest.param("131", "127", "2024-05-10", "near", id="grew a quarter of the expected"),
        pytest.param("120", "127", "2024-05-10", "differs", id="shorter three years later"),
        pytest.param("115", "127", "2021-06-10", "differs", id="12 cm shorter a month later"),
        pytest.param("129", "127", "2021-06-10", "fits", id="found a month later"),
        pytest.param("160", "127", "2021-06-10", "differs", id="a head taller a month later"),
        pytest.param("", "127", "2024-05-10", NULL, id="not measured when found"),
        pytest.param("143", "127", "", NULL, id="no found date: growth unknown"),
    ],
)
def test_height_levels(found_height: str, missing_height: str, found_date: str, level: str) -> None:
    f, m = pair(
        {"height_cm": found_height, "found_date": found_date, "age": "about 11", "sex": "M"},
        {
            "height_cm": missing_height,
            "missing_date": "2021-05-10",
            "birth_date": "2013-05-01",
            "sex": "M",
        },
    )
    comparison = compare_height(f, m)
    assert comparison.level == level
    if level != NULL:
        assert f"{missing_height} cm" in comparison.detail
        assert "expected" in comparison.detail


def test_height_allows_more_for_more_years_apart() -> None:
    """Growth differs from child to child, so a longer gap tolerates a larger difference."""

    def level(found_date: str, found_height: str) -> str:
        f, m = pair(
            {"height_cm": found_height, "found_date": found_date, "sex": "F"},
            {
                "height_cm": "120",
                "missing_date": "2020-01-01",
                "birth_date": "2013-01-01",
                "sex": "F",
            },
        )
        return compare_height(f, m).level

    # 9 cm above the median curve's growth: too much in a year, within the slack in five.
    grown_one_year = 120 + (126.6 - 120.8)
    grown_five_years = 120 + (151.2 - 120.8)
    assert level("2021-01-01", f"{grown_one_year + 9:.0f}") == "near"
    assert level("2025-01-01", f"{grown_five_years + 9:.0f}") == "fits"


@pytest.mark.parametrize(
    ("f", "m", "level"),
    [
        pytest.param(
            {"father_name": "Ram Prasad", "guardian_phone": "9876543210"},
            {"father_name": "Late Shri Ramprasad", "guardian_phone": "+91-98765 43210"},
            "phone_and_parent",
            id="phone and father",
        ),
        pytest.param(
            {"guardian_phone": "9876543211"},
            {"guardian_phone": "9876543210"},
            "phone",
            id="phone one digit off",
        ),
        pytest.param(
            {"father_name": "Pappu"},
            {"father_name": "Rajesh Kumar"},
            NULL,
            id="the father by a pet name: not compared",
        ),
        pytest.param(
            {"guardian_phone": "01712345678"},
            {"guardian_phone": "+880 1712345678"},
            "phone",
            id="a Bangladeshi mobile without its country code",
        ),
        pytest.param(
            {"guardian_phone": "9841234567"},
            {"guardian_phone": "+977 9841234567"},
            "phone",
            id="a Nepali mobile without its country code",
        ),
        pytest.param(
            {"guardian_phone": "0771 4123456"},
            {"guardian_phone": "+977 1 4123456"},
            "different",
            id="a Raipur and a Kathmandu landline share ten last digits, not a number",
        ),
        pytest.param(
            {"guardian_phone": "0771 4123457"},
            {"guardian_phone": "+977 1 4123456"},
            "different",
            id="nor are they one digit apart",
        ),
        pytest.param(
            {"guardian_phone": "+977 1 4123457"},
            {"guardian_phone": "+977 1 4123456"},
            "phone",
            id="two Kathmandu landlines one digit apart",
        ),
        pytest.param(
            {"guardian_phone": "98765 34210"},
            {"guardian_phone": "98765 43210"},
            "phone",
            id="two neighbouring digits swapped",
        ),
        pytest.param(
            {"guardian_phone": "98765 43201"},
            {"guardian_phone": "98765 34210"},
            "different",
            id="two swaps are two typos",
        ),
        pytest.param(
            {"guardian_phone": "+880 1712345678"},
            {"guardian_phone": "1712345679"},
            "phone",
            id="one digit off, with and without the country code",
        ),
        pytest.param(
            {"father_name": "Munna"},
            {"father_name": "Pappu"},
            "different",
            id="two different pet names for the father",
        ),
        pytest.param(
            {"father_name": "Suresh", "mother_name": "Sunita"},
            {"father_name": "Suresh Yadav", "mother_name": "Sunita Devi"},
            "both_parents",
            id="both parents, first names",
        ),
        pytest.param(
            {"father_name": "Suresh Yadav"},
            {"father_name": "Suresh Yadav"},
            "father_full",
            id="father's full name",
        ),
        pytest.param(
            {"father_name": "Suresh"},
            {"father_name": "Suresh Kumar Yadav"},
            "one_parent",
            id="father's first name only",
        ),
        pytest.param(
            {"father_name": "Suresh", "mother_name": "Kamla"},
            {"father_name": "Suresh", "mother_name": "Rubina"},
            "mixed",
            id="father agrees, mother does not",
        ),
        pytest.param(
            {"father_name": "Suresh Yadva"},
            {"father_name": "Suresh Yadav"},
            "one_parent",
            id="a typo in the father's surname is no weaker than a missing one",
        ),
        pytest.param(
            {"father_name": "Jagnath Naik"},
            {"father_name": "Jagannath Sahoo"},
            "parent_close",
            id="same first name, conflicting surname: not the father's first name",
        ),
        pytest.param(
            {"father_name": "Mahesh"}, {"father_name": "Dinesh"}, "different", id="other father"
        ),
        pytest.param({}, {"father_name": "Dinesh"}, NULL, id="nothing on the found side"),
    ],
)
def test_family_levels(f: dict[str, str], m: dict[str, str], level: str) -> None:
    assert compare_family(*pair(f, m)).level == level


@pytest.mark.parametrize(
    ("f", "m", "level"),
    [
        pytest.param(
            {"district": "Gurgaon"},
            {"district": "Gurugram", "state": "Haryana"},
            "same_district",
            id="renamed district",
        ),
        pytest.param(
            {"district": "Allahabad", "state": "UP"},
            {"district": "Prayagraj"},
            "same_district",
            id="Allahabad is Prayagraj",
        ),
        pytest.param(
            {"district": "Gaya"},
            {"district": "Patna", "state": "Bihar"},
            "same_state",
            id="neighbouring district",
        ),
        pytest.param(
            {"district": "Patna"}, {"district": "Lucknow"}, "different_state", id="other state"
        ),
        pytest.param({}, {"district": "Lucknow"}, NULL, id="child named no district"),
        pytest.param(
            {"district": "Xyzzyville", "state": "Bihar"},
            {"district": "Xyzzyville", "state": "Bihar"},
            "same_district",
            id="unknown place, same text and state",
        ),
        pytest.param(
            # Many district names repeat across states (Aurangabad, Pratapgarh,
            # Bilaspur, Hamirpur): a shared name in two named states is two places.
            {"district": "Xyzzyville", "state": "Bihar"},
            {"district": "Xyzzyville", "state": "Tamil Nadu"},
            "different_state",
            id="same text in two named states",
        ),
        pytest.param(
            {"district": "Aurangabad", "state": "Bihar"},
            {"district": "Aurangabad", "state": "Kerala"},
            "different_state",
            id="a district the report's state does not have",
        ),
    ],
)
def test_district_levels(f: dict[str, str], m: dict[str, str], level: str) -> None:
    assert compare_district(*pair(f, m)).level == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Vill- Rampoor", "Gram Rampur", "same"),
        ("Ward 11, Gopalbari Purba", "GOPALBARI PURBA", "same"),
        ("At/PO Narayanpur", "V.P.O. Narayanpur", "same"),
        ("Rampur", "Sitapur", "different"),
        ("Village", "Rampur", NULL),
    ],
)
def test_village_levels(a: str, b: str, level: str) -> None:
    assert compare_village(*pair({"village": a}, {"village": b})).level == level


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Bhojpuri", "Hindi", "shared"),
        ("Hindi;Maithili", "Magahi", "shared"),
        ("Bengali", "Hindi", "none_shared"),
        ("Tamil", "Bhojpuri", "none_shared"),
    ],
)
def test_languages_of_the_hindi_belt_are_shared_with_hindi(a: str, b: str, level: str) -> None:
    result = compare_languages(*pair({"languages": a}, {"languages": b}))
    assert result.level == level
    assert result.detail


@pytest.mark.parametrize(
    ("a", "b"),
    [("Bangla", "Bengali"), ("Oriya", "Odia"), ("বাংলা", "bengali"), ("Santhali", "Santali")],
)
def test_one_language_under_two_names_is_shared(a: str, b: str) -> None:
    """A child who says "Bangla" shares a language with the report that wrote "Bengali"."""
    result = compare_languages(*pair({"languages": a}, {"languages": b}))
    assert result.level == "shared"
    assert result.detail.startswith("both: ")


def test_village_languages_marks() -> None:
    f, m = pair(
        {"village": "Rampur Khas", "languages": "Hindi;Bhojpuri", "marks": "mole on left cheek"},
        {"village": "Ward 4, Rampur Khas", "languages": "bhojpuri", "marks": "Mole, left cheek"},
    )
    assert compare_village(f, m).level == "same"
    assert compare_languages(f, m).level == "shared"
    assert compare_marks(f, m).level == "agree"
    f, m = pair(
        {"village": "Sonpur", "languages": "Bengali", "marks": "scar on chin"},
        {"village": "Rampur", "languages": "Hindi", "marks": "mole on cheek"},
    )
    assert compare_village(f, m).level == "different"
    assert compare_languages(f, m).level == "none_shared"
    assert compare_marks(f, m).level == "differ"


def test_every_level_a_comparison_returns_is_declared() -> None:
    f, m = pair(
        {"name": "Md Irfan", "age": "about 12", "father_name": "Salim", "district": "Gurgaon"},
        {"name": "Irfan Sheikh", "age": "9", "missing_date": "2021-05-10", "father_name": "Salim"},
    )
    for spec, result in zip(COMPARISONS, compare_all(f, m), strict=True):
        assert result.field == spec.field
        assert result.level == NULL or result.level in spec.levels
        assert result.detail


def test_level_functions_agree_with_the_explained_comparisons() -> None:
    """Ranking uses ``level_of``, explanations ``compare``: they must never disagree.

    Checked on generated records paired at random and with their true pairs,
    so that every field sees agreeing, disagreeing and missing values.
    """
    data = generate(400, 80, seed=3)
    g = load_gazetteer()

    def people(frame: Any, kind: RecordKind) -> dict[str, Person]:
        records = (make_record(kind, row) for row in frame.to_dict("records"))
        return {p.id: p for p in (normalize_record(r, g, today=TODAY) for r in records)}

    found_people = people(data.found, RecordKind.FOUND)
    missing_people = people(data.missing, RecordKind.MISSING)
    rng = random.Random(3)
    pairs = [(found_people[f], missing_people[m]) for f, m in data.truth]
    pairs += [
        (rng.choice(list(found_people.values())), rng.choice(list(missing_people.values())))
        for _ in range(600)
    ]
    seen_levels: set[tuple[str, str]] = set()
    for f, m in pairs:
        for spec in COMPARISONS:
            explained = spec.compare(f, m)
            assert spec.level_of(f, m) == (explained.level, explained.tf_keys), spec.field
            seen_levels.add((spec.field, explained.level))
    # The sample is varied enough to mean something: most levels occur.
    declared = {(spec.field, level) for spec in COMPARISONS for level in spec.levels}
    assert len(seen_levels & declared) >= 0.7 * len(declared)
