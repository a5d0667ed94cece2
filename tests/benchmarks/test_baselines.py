"""Logic of the benchmark's naive baselines and the generic cleaning the peers share.

Only behaviour is tested here, never timing: benchmark figures live in
``benchmarks/results/``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, utils

from benchmarks._generic import (
    approx_birth_year,
    clean_text,
    first_phone_digits,
    fold_name,
    parse_age_years,
    parse_date,
    parse_sex,
)
from benchmarks.baselines import (
    FuzzyOptions,
    age_compatible,
    block_key,
    decide,
    exact_name_links,
    fuzzy_links,
    sex_compatible,
    sort_tokens,
)
from matcher.records import RawRecord
from tests.factories import found, missing


def frame(records: Sequence[RawRecord]) -> pd.DataFrame:
    """Records as the exchange-format table the baselines read."""
    return pd.DataFrame([r.as_row() for r in records], dtype=str)


def pairs(links: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(links["found_id"], links["missing_id"], strict=True))


# --- exact name --------------------------------------------------------------


@pytest.mark.parametrize(
    ("found_name", "missing_name", "linked"),
    [
        ("Irfan Khan", "Irfan Khan", True),
        ("IRFAN  KHAN", "irfan khan", True),
        (" Irfan Khan ", "Irfan\tKhan", True),
        ("Irfan", "Irfan Khan", False),
        ("Khan Irfan", "Irfan Khan", False),
        ("Mohd. Irfan", "Mohd Irfan", False),
        ("", "", False),
    ],
    ids=[
        "identical",
        "case and double space folded",
        "outer and inner white space folded",
        "first name only is not equal",
        "token order matters",
        "punctuation is not folded",
        "empty names never match",
    ],
)
def test_exact_name_links(found_name: str, missing_name: str, linked: bool) -> None:
    links = exact_name_links(
        frame([found(id="F1", name=found_name)]), frame([missing(id="M1", name=missing_name)])
    )
    assert pairs(links) == ({("F1", "M1")} if linked else set())
    assert set(links["decision"]) <= {"match"}
    assert set(links["score"]) <= {1.0}


def test_exact_name_links_every_equal_pair() -> None:
    links = exact_name_links(
        frame([found(id="F1", name="Pooja"), found(id="F2", name="Rani")]),
        frame([missing(id="M1", name="pooja"), missing(id="M2", name="POOJA")]),
    )
    assert pairs(links) == {("F1", "M1"), ("F1", "M2")}
    assert list(links.columns) == ["found_id", "missing_id", "score", "decision"]


# --- fuzzy name + age + sex --------------------------------------------------


@given(st.text(max_size=30), st.text(max_size=30))
def test_ratio_on_sorted_tokens_is_token_sort_ratio(a: str, b: str) -> None:
    assert fuzz.ratio(sort_tokens(a), sort_tokens(b)) == pytest.approx(
        fuzz.token_sort_ratio(a, b, processor=utils.default_process)
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [("Irfan Khan", "i"), ("Khan Irfan", "i"), ("  mohd. irfan", "i"), ("", "")],
    ids=["first token", "sorted before keying", "processed before keying", "empty"],
)
def test_block_key(name: str, key: str) -> None:
    assert block_key(sort_tokens(name)) == key


@pytest.mark.parametrize(
    ("found_sex", "missing_sex", "ok"),
    [("male", "male", True), ("male", "female", False), ("", "female", True), ("", "", True)],
    ids=["equal", "different", "unknown found", "both unknown"],
)
def test_sex_compatible(found_sex: str, missing_sex: str, ok: bool) -> None:
    assert sex_compatible(found_sex, missing_sex) is ok


@pytest.mark.parametrize(
    ("found_born", "missing_born", "ok"),
    [
        (2010.0, 2010.0, True),
        (2010.0, 2013.0, True),
        (2010.0, 2013.5, False),
        (None, 2013.5, True),
        (float("nan"), 2000.0, True),
    ],
    ids=["same", "three years apart", "over three years", "unknown", "nan is unknown"],
)
def test_age_compatible(found_born: float | None, missing_born: float | None, ok: bool) -> None:
    assert age_compatible(found_born, missing_born, 3.0) is ok


@pytest.mark.parametrize(
    ("score", "decision"),
    [(1.0, "match"), (0.9, "match"), (0.89, "review"), (0.75, "review"), (0.74, None)],
    ids=["perfect", "at match threshold", "below match", "at review threshold", "dropped"],
)
def test_decide(score: float, decision: str | None) -> None:
    assert decide(score, FuzzyOptions()) == decision


def test_fuzzy_links_uses_elapsed_time() -> None:
    """Missing at 10 in 2020, found 'about 13' in 2023: same child by age."""
    links = fuzzy_links(
        frame(
            [found(id="F1", name="Irfaan Khan", sex="M", age="about 13", found_date="2023-01-01")]
        ),
        frame(
            [missing(id="M1", name="Irfan Khan", sex="male", age="10", missing_date="2020-01-01")]
        ),
    )
    assert pairs(links) == {("F1", "M1")}
    assert links["decision"].tolist() == ["match"]
    assert links["score"].tolist() == [pytest.approx(fuzz.ratio("irfaan khan", "irfan khan") / 100)]


@pytest.mark.parametrize(
    ("found_fields", "linked"),
    [
        ({"name": "Khan Irfan", "sex": "male"}, True),
        ({"name": "Irfan Khan", "sex": "female"}, False),
        ({"name": "Irfan Khan", "age": "16", "found_date": "2020-06-01"}, False),
        ({"name": "Irfan Khan", "age": "16"}, True),
        ({"name": "Erfan Khan"}, False),
        ({"name": "Salim"}, False),
    ],
    ids=[
        "token order ignored",
        "sex differs",
        "six years older at about the same time",
        "no found date: age unknown, kept",
        "different first letter is blocked out",
        "different name",
    ],
)
def test_fuzzy_links_rules(found_fields: dict[str, str], linked: bool) -> None:
    links = fuzzy_links(
        frame([found(id="F1", **found_fields)]),
        frame(
            [missing(id="M1", name="Irfan Khan", sex="male", age="10", missing_date="2020-01-01")]
        ),
    )
    assert pairs(links) == ({("F1", "M1")} if linked else set())


_NAMES = st.lists(st.sampled_from(["irfan", "irfaan", "khan", "pooja", "puja", "rani", "ansari"]))
_PERSON = st.fixed_dictionaries(
    {
        "name": _NAMES.map(" ".join),
        "sex": st.sampled_from(["", "male", "female", "M", "girl"]),
        "age": st.sampled_from(["", "8", "about 10", "10-12", "14"]),
        "date": st.sampled_from(["", "2020-01-01", "15/06/2022", "2024-03-01"]),
    }
)


def reference_links(
    found_rows: list[dict[str, str]], missing_rows: list[dict[str, str]]
) -> dict[tuple[str, str], float]:
    """Slow, obviously correct fuzzy baseline: every pair, scalar rules."""
    expected = {}
    for i, f in enumerate(found_rows):
        for j, m in enumerate(missing_rows):
            fs, ms = sort_tokens(f["name"]), sort_tokens(m["name"])
            if not fs or not ms or block_key(fs) != block_key(ms):
                continue
            score = fuzz.token_sort_ratio(f["name"], m["name"], processor=utils.default_process)
            fb = approx_birth_year("", f["age"], f["date"])
            mb = approx_birth_year("", m["age"], m["date"])
            if (
                score >= 75
                and sex_compatible(parse_sex(f["sex"]), parse_sex(m["sex"]))
                and age_compatible(fb, mb, 3.0)
            ):
                expected[(f"F{i}", f"M{j}")] = round(score / 100, 4)
    return expected


@settings(max_examples=60, deadline=None)
@given(st.lists(_PERSON, max_size=6), st.lists(_PERSON, max_size=6))
def test_fuzzy_links_equal_the_reference(
    found_rows: list[dict[str, str]], missing_rows: list[dict[str, str]]
) -> None:
    found_frame = frame(
        [
            found(id=f"F{i}", name=p["name"], sex=p["sex"], age=p["age"], found_date=p["date"])
            for i, p in enumerate(found_rows)
        ]
    )
    missing_frame = frame(
        [
            missing(id=f"M{i}", name=p["name"], sex=p["sex"], age=p["age"], missing_date=p["date"])
            for i, p in enumerate(missing_rows)
        ]
    )
    links = fuzzy_links(found_frame, missing_frame)
    pairs = zip(links["found_id"], links["missing_id"], strict=True)
    got = dict(zip(pairs, links["score"], strict=True))
    expected = reference_links(found_rows, missing_rows)
    assert got.keys() == expected.keys()
    # The baseline scores in float32 (rapidfuzz's cdist), the reference in float64:
    # 87.395 can round to 0.8739 or 0.874 at the fourth decimal.
    assert got == pytest.approx(expected, abs=1e-4)
    assert all(
        (d == "match") == (s >= 0.9) for d, s in zip(links["decision"], links["score"], strict=True)
    )


# --- generic cleaning shared with the Splink peer ----------------------------


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("12", 12.0),
        ("about 10", 10.0),
        ("10-12", 11.0),
        ("10 to 12", 11.0),
        ("12 yrs 6 months", 12.0),
        ("१२", 12.0),
        ("", None),
        ("unknown", None),
        ("45", None),
    ],
    ids=[
        "plain",
        "about",
        "range midpoint",
        "range in words",
        "months ignored",
        "Devanagari digits via Python's Unicode digits",
        "empty",
        "no number",
        "adult age out of range",
    ],
)
def test_parse_age_years(text: str, years: float | None) -> None:
    assert parse_age_years(text) == years


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2011-03-04", "2011-03-04"),
        ("04/03/2011", "2011-03-04"),
        ("4-3-2011", "2011-03-04"),
        ("31/02/2011", None),
        ("", None),
        ("soon", None),
    ],
    ids=["iso", "day first slashes", "day first dashes", "impossible date", "empty", "not a date"],
)
def test_parse_date(text: str, iso: str | None) -> None:
    parsed = parse_date(text)
    assert (parsed.isoformat() if parsed else None) == iso


def test_approx_birth_year_prefers_birth_date() -> None:
    assert approx_birth_year("2011-01-01", "3", "2020-01-01") == 2011.0
    assert approx_birth_year("", "10", "2020-01-01") == 2010.0
    assert approx_birth_year("", "10", "") is None


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("98765 43210", "9876543210"),
        ("+91-9876543210", "9876543210"),
        ("09876543210;0542 2501234", "9876543210"),
        ("12", ""),
        ("", ""),
    ],
    ids=["spaces", "country code", "first of several, trunk zero", "too short", "empty"],
)
def test_first_phone_digits(text: str, digits: str) -> None:
    assert first_phone_digits(text) == digits


@pytest.mark.parametrize(
    ("text", "sex"),
    [("M", "male"), ("Girl", "female"), ("female", "female"), ("लड़का", ""), ("", "")],
    ids=[
        "letter",
        "english word",
        "spec value",
        "Hindi word unknown to a generic cleaner",
        "empty",
    ],
)
def test_parse_sex(text: str, sex: str) -> None:
    assert parse_sex(text) == sex


def test_clean_and_fold() -> None:
    assert clean_text("Mohd. Irfan-Khan") == "mohd irfan khan"
    assert fold_name("  MOHD.  Irfan ") == "mohd. irfan"


@given(st.text())
def test_cleaning_never_raises(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)
    assert fold_name(fold_name(text)) == fold_name(text)
    parse_age_years(text)
    parse_date(text)
    first_phone_digits(text)


# --- Splink output orientation ------------------------------------------------


def test_splink_links_are_oriented_found_then_missing() -> None:
    peer = pytest.importorskip("benchmarks.peer_splink")
    predictions = pd.DataFrame(
        {
            "source_dataset_l": ["found", "missing", "found"],
            "unique_id_l": ["F1", "M2", "F3"],
            "source_dataset_r": ["missing", "found", "missing"],
            "unique_id_r": ["M1", "F2", "M3"],
            "match_probability": [0.95, 0.5, 0.001],
        }
    )
    links = peer.to_links(predictions, peer.SplinkOptions())
    assert pairs(links) == {("F1", "M1"), ("F2", "M2")}
    assert dict(zip(links["found_id"], links["decision"], strict=True)) == {
        "F1": "match",
        "F2": "review",
    }
