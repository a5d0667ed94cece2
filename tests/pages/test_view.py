"""The review pages' pure parts: agreement words, weight bars, elapsed time, cookies, labels."""

from __future__ import annotations

import itertools
import math
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.pages import i18n
from api.pages import session as cookies
from api.pages.routes import QueueFilter, _safe_next
from api.pages.view import (
    AGREEMENT,
    BANDS,
    Elapsed,
    agreement,
    elapsed,
    elapsed_text,
    pages,
    percent,
    weight_chart,
)
from matcher.scoring.comparisons import COMPARISONS, NULL


@pytest.mark.parametrize(
    ("field", "level", "weight", "expected"),
    [
        ("name", "exact", 9.0, "agrees"),
        ("name", "phonetic_subset", 7.0, "close"),
        ("name", "different", -6.0, "differs"),
        ("name", NULL, 0.0, "unknown"),
        ("district", "same_state", 1.0, "close"),
        ("family", "mixed", -0.5, "close"),
        ("age", "differs", -4.0, "differs"),
        ("height", "new_level", 3.0, "agrees"),
        ("height", "new_level", -3.0, "differs"),
        ("height", "new_level", 0.2, "close"),
    ],
    ids=[
        "exact name agrees",
        "part of the name is close",
        "different names differ",
        "empty side is unknown",
        "same state only is close",
        "one parent agrees, one conflicts: close",
        "age out of range differs",
        "unlisted level with strong positive weight agrees",
        "unlisted level with strong negative weight differs",
        "unlisted level near zero is close",
    ],
)
def test_agreement_words(field: str, level: str, weight: float, expected: str) -> None:
    assert agreement(field, level, weight) == expected


def test_every_model_level_has_a_word() -> None:
    """A new comparison level must be placed in the table (not left to the weight's sign)."""
    missing = [
        (spec.field, level)
        for spec in COMPARISONS
        for level in spec.levels
        if level not in AGREEMENT.get(spec.field, {})
    ]
    assert missing == []


def test_every_comparison_has_a_label_in_every_language() -> None:
    """The pair page names each weight bar by its comparison (``f_<field>``)."""
    from api.pages.i18n import LABELS

    for language, labels in LABELS.items():
        assert [s.field for s in COMPARISONS if f"f_{s.field}" not in labels] == [], language


EXPLANATION = {
    "prior_weight": -10.5,
    "fields": [
        {"field": "name", "level": "exact", "weight": 9.25, "tf_adjustment": 1.0, "detail": "x"},
        {"field": "age", "level": "differs", "weight": -3.5, "tf_adjustment": 0.0, "detail": ""},
        {"field": "marks", "level": NULL, "weight": 0.0, "tf_adjustment": 0.0, "detail": ""},
        {"field": "other_candidates", "level": "rivals", "weight": -1.0, "tf_adjustment": 0.0},
    ],
}


def test_chart_adds_up_to_the_match_weight() -> None:
    chart = weight_chart(EXPLANATION)
    assert chart.total == pytest.approx(-10.5 + 9.25 - 3.5 + 0.0 - 1.0)
    assert sum(b.share for b in chart.bars) == pytest.approx(100.0)
    assert [b.side for b in chart.bars] == ["against", "for", "against", "none", "against"]
    assert [b.agreement for b in chart.bars] == [
        "differs",
        "agrees",
        "differs",
        "unknown",
        "differs",
    ]
    assert chart.probability == pytest.approx(2**chart.total / (1 + 2**chart.total))


weights = st.floats(min_value=-40, max_value=40, allow_nan=False)


@given(prior=weights, parts=st.lists(weights, max_size=10))
def test_chart_always_adds_up(prior: float, parts: list[float]) -> None:
    explanation = {
        "prior_weight": prior,
        "fields": [{"field": f"f{i}", "level": "x", "weight": w} for i, w in enumerate(parts)],
    }
    chart = weight_chart(explanation)
    assert chart.total == pytest.approx(math.fsum([prior, *parts]), abs=1e-9)
    shares = sum(b.share for b in chart.bars)
    assert shares == pytest.approx(100.0) or (
        shares == 0 and all(b.weight == 0 for b in chart.bars)
    )
    assert 0.0 <= chart.probability <= 1.0


@pytest.mark.parametrize(
    ("missing", "found", "expected"),
    [
        (date(2017, 6, 4), date(2018, 1, 12), (222, 0, 7)),
        (date(2020, 2, 1), date(2023, 2, 1), (1096, 3, 0)),
        (date(2020, 1, 31), date(2020, 2, 29), (29, 0, 0)),
        (date(2021, 5, 1), date(2021, 4, 20), (-11, 0, 0)),
    ],
    ids=["seven months", "exactly three years", "under a month", "found before the report"],
)
def test_elapsed(missing: date, found: date, expected: tuple[int, int, int]) -> None:
    span = elapsed(missing, found)
    assert span is not None
    assert (span.days, span.years, span.months) == expected


@pytest.mark.parametrize(
    ("span", "language", "expected"),
    [
        ((222, 0, 7), "en", "7 months"),
        ((700, 1, 10), "en", "1 year 10 months"),
        ((1096, 3, 0), "en", "3 years"),
        ((31, 0, 1), "en", "1 month"),
        ((1, 0, 0), "en", "1 day"),
        ((12, 0, 0), "en", "12 days"),
        ((-11, 0, 0), "en", "found 11 days before the report"),
        ((700, 1, 10), "hi", "1 वर्ष 10 महीने"),
    ],
    ids=[
        "months",
        "a year and months",
        "whole years",
        "one month",
        "one day",
        "days",
        "found first",
        "Hindi",
    ],
)
def test_elapsed_text(span: tuple[int, int, int], language: str, expected: str) -> None:
    assert elapsed_text(Elapsed(*span), i18n.translator(language)) == expected


def test_elapsed_unknown_without_a_date() -> None:
    assert elapsed_text(None, i18n.translator("en")) == "unknown (a date is missing)"
    assert elapsed(None, date(2020, 1, 1)) is None
    assert elapsed(date(2020, 1, 1), None) is None


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (1.0, "100%"),
        (0.9996, ">99.9%"),
        (0.996, "99.6%"),
        (0.5, "50%"),
        (0.001, "<1%"),
        (0.0, "0%"),
    ],
    ids=["certain", "nearly certain", "very likely", "even", "very unlikely", "zero"],
)
def test_percent(p: float, expected: str) -> None:
    assert percent(p) == expected


def test_pages_and_bands() -> None:
    assert [pages(n, 20) for n in (0, 1, 20, 21, 400)] == [1, 1, 1, 2, 20]
    # Bands do not overlap and cover [0, 1].
    edges = sorted((b.low, b.high) for b in BANDS)
    assert edges[0][0] == 0.0 and edges[-1][1] == 1.0
    assert all(a[1] < b[0] for a, b in itertools.pairwise(edges))


# --- the session cookie ----------------------------------------------------------


def test_cookie_round_trip() -> None:
    made = cookies.PageSession.signed_in(7, now=1000.0)
    assert cookies.load(cookies.dump(made, "s3cret"), "s3cret", now=1001.0) == made


@pytest.mark.parametrize(
    "mangle",
    [
        lambda v: v[:-2] + ("AA" if not v.endswith("AA") else "BB"),
        lambda v: v.split(".")[0],
        lambda v: "x" + v,
        lambda v: "",
        lambda v: "a.b.c",
        lambda v: "e30." + v.split(".")[1],
    ],
    ids=[
        "changed signature",
        "no signature",
        "changed payload",
        "empty",
        "too many parts",
        "payload swapped for {}",
    ],
)
def test_tampered_cookies_are_refused(mangle) -> None:  # type: ignore[no-untyped-def]
    value = cookies.dump(cookies.PageSession.signed_in(7, now=1000.0), "s3cret")
    assert cookies.load(mangle(value), "s3cret", now=1001.0) is None


def test_cookie_from_another_secret_or_expired_is_refused() -> None:
    value = cookies.dump(cookies.PageSession.signed_in(7, now=1000.0), "s3cret")
    assert cookies.load(value, "other", now=1001.0) is None
    assert cookies.load(value, "s3cret", now=1000.0 + cookies.SESSION_SECONDS + 1) is None


@given(st.text(max_size=300))
def test_load_never_raises(value: str) -> None:
    assert cookies.load(value, "s3cret") is None or value.count(".") == 1


def test_csrf_check() -> None:
    made = cookies.PageSession.anonymous()
    assert cookies.csrf_ok(made, made.csrf)
    assert not cookies.csrf_ok(made, made.csrf + "x")
    assert not cookies.csrf_ok(made, "")
    assert not cookies.csrf_ok(None, made.csrf)
    assert cookies.PageSession.signed_in(1).csrf != made.csrf


# --- labels and query strings ----------------------------------------------------

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def test_every_label_is_translated_to_hindi_in_devanagari() -> None:
    english, hindi = i18n.LABELS["en"], i18n.LABELS["hi"]
    assert set(english) == set(hindi)
    assert all(_DEVANAGARI.search(text) for text in hindi.values())
    # The same placeholders on both sides, so formatting never fails in Hindi.
    slots = re.compile(r"\{(\w+)\}")
    assert all(set(slots.findall(english[k])) == set(slots.findall(hindi[k])) for k in english)


def test_translator_falls_back() -> None:
    assert i18n.translator("hi")("queue") == "कतार"
    assert i18n.translator("xx")("queue") == "Queue"
    assert i18n.translator("en")("waiting", n=3) == "3 pairs waiting"
    assert i18n.translator("hi")("no_such_label") == "no_such_label"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, QueueFilter()),
        (
            {"band": "90", "days": "7", "page": "3", "status": "unsure"},
            QueueFilter(band="90", days=7, status="unsure", page=3),
        ),
        ({"band": "55", "days": "8", "page": "-1", "status": "confirmed"}, QueueFilter()),
        ({"state": "IN-23", "district": " "}, QueueFilter(state="IN-23")),
        ({"state": "x" * 40}, QueueFilter()),
    ],
    ids=["nothing", "all set", "unknown values dropped", "blank dropped", "overlong dropped"],
)
def test_queue_filter(query: dict[str, str], expected: QueueFilter) -> None:
    assert QueueFilter.of(query) == expected


def test_queue_filter_query_string() -> None:
    chosen = QueueFilter(state="IN-23", band="90", page=2)
    assert chosen.query() == "state=IN-23&band=90&page=2"
    assert chosen.query(with_page=False) == "state=IN-23&band=90"
    assert QueueFilter().query() == ""


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/review/pairs/3", "/review/pairs/3"),
        ("https://evil.example/", "/review/queue"),
        ("//evil.example/review/", "/review/queue"),
        ("/review/../v1/keys", "/review/queue"),
        ("/review/\\evil", "/review/queue"),
        (None, "/review/queue"),
    ],
    ids=["inside", "other site", "scheme-relative", "climbs out", "backslash", "none"],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert _safe_next(target) == expected
