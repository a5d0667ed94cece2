"""Tests of the link-run scorer on small hand-made link files with hand-computed figures."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.errors import ExchangeError, MatcherError, RecordError
from matcher.evaluate import (
    Evaluation,
    Link,
    LinkDecision,
    Truth,
    calibration,
    evaluate,
    format_report,
    read_found_ids,
    read_links,
    read_truth,
    write_plots,
)

M, R = LinkDecision.MATCH, LinkDecision.REVIEW


def link(found_id: str, missing_id: str, score: float, decision: LinkDecision = M) -> Link:
    return Link(found_id, missing_id, score, decision)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- figures on hand-made runs -------------------------------------------------


def test_perfect_run() -> None:
    truth = [("F1", "M1"), ("F2", "M2")]
    ev = evaluate([link("F1", "M1", 0.99), link("F2", "M2", 0.97)], truth)
    assert (ev.precision, ev.recall, ev.f1) == (1.0, 1.0, 1.0)
    assert ev.top1_accuracy == 1.0
    assert ev.recall_at_5 == 1.0
    assert ev.child_recall_any == 1.0
    assert ev.counts.false_matches == 0


def test_mixed_run_figures_by_hand() -> None:
    # Truth: F1-M1, F2-M2, F3-M3.  F4 was never reported.
    truth = [("F1", "M1"), ("F2", "M2"), ("F3", "M3")]
    links = [
        link("F1", "M1", 0.95),  # true match
        link("F2", "M9", 0.90),  # false match
        link("F2", "M2", 0.60, R),  # true, only in review
        link("F4", "M4", 0.85),  # false match on a never-reported child
    ]
    ev = evaluate(links, truth, found_ids=["F1", "F2", "F3", "F4", "F5"])
    # match pairs: 3, of which 1 true; 3 true pairs.
    assert ev.precision == pytest.approx(1 / 3)
    assert ev.recall == pytest.approx(1 / 3)
    assert ev.f1 == pytest.approx(1 / 3)
    # match + review reach F1-M1 and F2-M2: 2 of 3 pairs, 2 of 3 children.
    assert ev.pair_recall_any == pytest.approx(2 / 3)
    assert ev.child_recall_any == pytest.approx(2 / 3)
    # F1's best is true; F2's best (M9, 0.90) is false; F3 has no links.
    assert ev.top1_accuracy == pytest.approx(1 / 3)
    assert ev.recall_at_5 == pytest.approx(2 / 3)
    c = ev.counts
    assert (c.true_matches, c.false_matches, c.match_links, c.review_links) == (1, 2, 3, 1)
    assert (c.found_with_truth, c.found_without_truth, c.found_linked) == (3, 2, 3)
    assert (c.false_matches_never_reported, c.never_reported_with_match) == (1, 1)


@pytest.mark.parametrize(
    ("links", "top1", "at5"),
    [
        pytest.param(
            [link("F1", "M1", 0.8), link("F1", "M2", 0.8)], 0.0, 1.0, id="tie-at-top-counts-against"
        ),
        pytest.param(
            [link("F1", "M1", 0.81), link("F1", "M2", 0.8)], 1.0, 1.0, id="true-strictly-best"
        ),
        pytest.param(
            [link("F1", "M1", 0.5)] + [link("F1", f"X{i}", 0.9 - i / 100) for i in range(4)],
            0.0,
            1.0,
            id="true-fifth",
        ),
        pytest.param(
            [link("F1", "M1", 0.5)] + [link("F1", f"X{i}", 0.9 - i / 100) for i in range(5)],
            0.0,
            0.0,
            id="true-sixth",
        ),
        pytest.param(
            [link("F1", "M1", 0.5)]
            + [link("F1", f"X{i}", 0.9 - i / 100) for i in range(4)]
            + [link("F1", "A0", 0.5)],
            0.0,
            0.0,
            id="tie-at-fifth-place-counts-against",
        ),
        pytest.param([], 0.0, 0.0, id="no-links-is-a-miss"),
    ],
)
def test_ranking_ties_are_pessimistic(links: list[Link], top1: float, at5: float) -> None:
    ev = evaluate(links, [("F1", "M1")])
    assert ev.top1_accuracy == top1
    assert ev.recall_at_5 == at5


def test_duplicate_rows_count_once_with_strongest_decision() -> None:
    links = [
        link("F1", "M1", 0.7, R),
        link("F1", "M1", 0.9, M),  # same pair again, now a match
        link("F1", "M1", 0.9, M),  # exact repeat
        link("F2", "M5", 0.4, R),
    ]
    ev = evaluate(links, [("F1", "M1")])
    c = ev.counts
    assert (c.link_rows, c.links, c.duplicate_rows, c.conflicting_duplicates) == (4, 2, 2, 1)
    assert (c.match_links, c.review_links) == (1, 1)
    assert ev.precision == 1.0
    assert ev.recall == 1.0
    assert ev.true_scores == (0.9,)


def test_child_with_two_true_reports() -> None:
    # F1 was reported twice (M1 in Bihar, M2 in Delhi).  Linking either is right;
    # recall counts pairs, child recall counts the child once.
    truth = [("F1", "M1"), ("F1", "M2")]
    ev = evaluate([link("F1", "M2", 0.9), link("F1", "M7", 0.3, R)], truth)
    assert ev.precision == 1.0
    assert ev.recall == 0.5
    assert ev.pair_recall_any == 0.5
    assert ev.child_recall_any == 1.0
    assert ev.top1_accuracy == 1.0
    assert ev.counts.found_with_truth == 1


def test_never_reported_children_only_produce_false_positives() -> None:
    ev = evaluate(
        [link("F8", "M1", 0.99), link("F8", "M2", 0.95), link("F9", "M3", 0.5, R)],
        [("F1", "M1")],
        found_ids=["F1", "F8", "F9"],
    )
    assert ev.precision == 0.0
    assert ev.recall == 0.0
    assert ev.counts.false_matches_never_reported == 2
    assert ev.counts.never_reported_with_match == 1
    assert ev.counts.found_without_truth == 2


def test_links_for_ids_outside_truth_and_found_file() -> None:
    ev = evaluate(
        [link("F1", "M1", 0.9), link("ZZ", "M1", 0.9), link("F1", "UNKNOWN", 0.2, R)],
        [("F1", "M1")],
        found_ids=["F1"],
    )
    assert ev.counts.links_unknown_found == 1
    assert ev.counts.false_matches == 1
    assert ev.precision == 0.5


def test_empty_inputs_give_zeros_not_errors() -> None:
    ev = evaluate([], [])
    assert (ev.precision, ev.recall, ev.f1, ev.top1_accuracy) == (0.0, 0.0, 0.0, 0.0)
    assert ev.pr_curve == ()
    assert ev.counts.found_without_truth is None


def test_pr_curve_by_hand() -> None:
    links = [
        link("F1", "M1", 0.9),  # true
        link("F2", "M9", 0.9),  # false, tied with the true one
        link("F3", "M3", 0.5, R),  # true
        link("F4", "M4", 0.2, R),  # false
    ]
    ev = evaluate(links, [("F1", "M1"), ("F3", "M3"), ("F5", "M5")])
    got = [(p.threshold, round(p.precision, 4), round(p.recall, 4)) for p in ev.pr_curve]
    assert got == [(0.9, 0.5, 0.3333), (0.5, 0.6667, 0.6667), (0.2, 0.5, 0.6667)]


def test_dataframe_and_truth_forms_agree() -> None:
    links = [link("F1", "M1", 0.9), link("F2", "M3", 0.6, R)]
    frame = pd.DataFrame(
        {
            "found_id": ["F1", "F2"],
            "missing_id": ["M1", "M3"],
            "score": [0.9, 0.6],
            "decision": ["match", "review"],
        }
    )
    truth_frame = pd.DataFrame({"found_id": ["F1", "F2"], "missing_id": ["M1", "M2"]})
    a = evaluate(links, [("F1", "M1"), ("F2", "M2")])
    b = evaluate(frame, truth_frame)
    c = evaluate(links, Truth.from_pairs([("F1", "M1"), ("F2", "M2")]))
    assert a.as_dict() == b.as_dict() == c.as_dict()


# --- reading files -------------------------------------------------------------


def test_read_links_and_truth_from_files(tmp_path: Path) -> None:
    links = write(
        tmp_path / "links.csv",
        "\ufefffound_id,missing_id,score,decision,model\n"
        "F1,M1,0.91,match,v1\n"
        "F1,M1,0.91,match,v1\n"
        "F2,M2, 0.5 ,REVIEW,v1\n",
    )
    truth = write(tmp_path / "truth.csv", "found_id,missing_id\nF1,M1\nF2,M2\nF3,\n")
    found = write(tmp_path / "found.csv", "id,name\nF1,a\nF2,b\nF3,c\nF4,d\n")
    read = read_links(links)
    assert read[2] == Link("F2", "M2", 0.5, R)
    t = read_truth(truth, found_ids=read_found_ids(found))
    assert t.pairs == frozenset({("F1", "M1"), ("F2", "M2")})
    assert t.found_ids == frozenset({"F1", "F2", "F3", "F4"})
    ev = evaluate(read, t)
    assert ev.counts.duplicate_rows == 1
    assert ev.counts.found_without_truth == 2
    assert ev.recall == 0.5
    assert ev.pair_recall_any == 1.0


def test_read_links_json_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "links.jsonl",
        '{"found_id": "F1", "missing_id": "M1", "score": 0.8, "decision": "match"}\n\n'
        '{"found_id": "F2", "missing_id": "M2", "score": 0.4, "decision": "review"}\n',
    )
    assert read_links(path) == [Link("F1", "M1", 0.8, M), Link("F2", "M2", 0.4, R)]


@pytest.mark.parametrize(
    ("text", "row", "field", "words"),
    [
        pytest.param("F1,M1,high,match\n", 2, "score", "not a number", id="score-not-a-number"),
        pytest.param(
            "F1,M1,0.5,match\nF2,M2,1.5,match\n", 3, "score", "[0, 1]", id="score-above-one"
        ),
        pytest.param("F1,M1,nan,match\n", 2, "score", "[0, 1]", id="score-nan"),
        pytest.param(
            "F1,M1,0.5,non-match\n", 2, "decision", "'match' or 'review'", id="bad-decision"
        ),
        pytest.param("F1,M1,0.5,\n", 2, "decision", "'match' or 'review'", id="empty-decision"),
        pytest.param(",M1,0.5,match\n", 2, "found_id", "empty", id="empty-found-id"),
        pytest.param("F1, ,0.5,match\n", 2, "missing_id", "empty", id="blank-missing-id"),
        pytest.param(
            "F1,M1,0.5,match,extra\n", 2, None, "values for 4 columns", id="too-many-values"
        ),
    ],
)
def test_malformed_link_rows_name_file_row_and_field(
    tmp_path: Path, text: str, row: int, field: str | None, words: str
) -> None:
    path = write(tmp_path / "links.csv", "found_id,missing_id,score,decision\n" + text)
    with pytest.raises(RecordError) as err:
        read_links(path)
    assert err.value.source == "links.csv"
    assert err.value.row == row
    assert err.value.field == field
    assert words in str(err.value)
    assert f"row {row}" in str(err.value)


def test_missing_columns_name_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "links.csv", "found,missing_id,score\nF1,M1,0.5\n")
    with pytest.raises(ExchangeError, match=r"links\.csv.*missing found_id, decision"):
        read_links(path)


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match="no such file"):
        read_links(tmp_path / "nope.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("found_id,missing_id,score,decision\nF\xe9,M1,0.5,match\n".encode("latin-1"))
    with pytest.raises(ExchangeError, match="not UTF-8"):
        read_links(bad)


def test_json_lines_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "links.jsonl", '{"found_id": "F1", "missing_id": "M1", "score": 0.5}\n')
    with pytest.raises(RecordError) as err:
        read_links(path)
    assert (err.value.row, err.value.field) == (1, "decision")
    path = write(tmp_path / "broken.jsonl", "{not json\n")
    with pytest.raises(RecordError, match="not JSON"):
        read_links(path)


# --- report and plots -----------------------------------------------------------


def test_format_report_and_as_dict() -> None:
    ev = evaluate([link("F1", "M1", 0.9), link("F2", "M2", 0.7, R)], [("F1", "M1"), ("F3", "M3")])
    text = format_report(ev)
    assert "precision             1.000  (1 of 1 matches are true)" in text
    assert "recall                0.500  (1 of 2 true pairs)" in text
    assert "top-1 accuracy        0.500" in text
    d = ev.as_dict(curve=True)
    assert d["counts"]["true_pairs"] == 2
    assert len(d["pr_curve"]) == 2
    assert "pr_curve" not in ev.as_dict()


def test_calibration_bins_by_hand() -> None:
    ev = evaluate(
        [
            link("F1", "M1", 0.05, R),
            link("F2", "M2", 0.05, R),
            link("F3", "M3", 0.95),
            link("F4", "M4", 0.97),
            link("F5", "M5", 1.0),
        ],
        [("F1", "M1"), ("F3", "M3"), ("F5", "M5")],
    )
    table = [(b.low, b.high, b.links, b.mean_score, b.share_true) for b in calibration(ev)]
    assert table == [
        (0.0, 0.1, 2, pytest.approx(0.05), 0.5),
        (0.95, 0.99, 2, pytest.approx(0.96), 0.5),
        (0.99, 1.0, 1, 1.0, 1.0),
    ]
    assert "0.95-0.99        2 links  score 0.960  true 0.500" in format_report(ev)


def test_write_plots_is_deterministic(tmp_path: Path) -> None:
    links = [link(f"F{i}", f"M{i % 7}", (i % 10) / 10, M if i % 3 else R) for i in range(60)]
    truth = [(f"F{i}", f"M{i % 7}") for i in range(0, 60, 4)]
    first = write_plots(evaluate(links, truth), tmp_path / "a")
    second = write_plots((links, truth), tmp_path / "b")
    assert [p.name for p in first] == ["pr_curve.png", "score_histogram.png"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert a.read_bytes() == b.read_bytes()


# --- properties against a slow, obviously correct reference ----------------------

ids = st.sampled_from(["F1", "F2", "F3", "F4"])
mids = st.sampled_from(["M1", "M2", "M3", "M4", "M5"])
links_strategy = st.lists(
    st.builds(link, ids, mids, st.sampled_from([0.1, 0.5, 0.5, 0.9, 1.0]), st.sampled_from([M, R])),
    max_size=25,
)
truth_strategy = st.lists(st.tuples(ids, mids), max_size=6)


def reference(links: list[Link], truth: list[tuple[str, str]]) -> dict[str, float]:
    """Brute force: dedupe by max score and any-match; top-1 right iff the best true
    score beats every false score strictly; at-5 iff fewer than five false links
    score at least the best true score."""
    best: dict[tuple[str, str], tuple[float, bool]] = {}
    for lk in links:
        key = (lk.found_id, lk.missing_id)
        old = best.get(key, (0.0, False))
        best[key] = (max(old[0], lk.score) if key in best else lk.score, old[1] or lk.decision is M)
    true = set(truth)
    matched = {k for k, (_, is_match) in best.items() if is_match}
    children = {f for f, _ in true}
    top1 = at5 = 0
    for child in children:
        true_scores = [s for (f, m), (s, _) in best.items() if f == child and (f, m) in true]
        false_scores = [s for (f, m), (s, _) in best.items() if f == child and (f, m) not in true]
        if true_scores:
            top = max(true_scores)
            top1 += all(top > s for s in false_scores)
            at5 += sum(s >= top for s in false_scores) < 5
    n = len(children)
    return {
        "precision": len(matched & true) / len(matched) if matched else 0.0,
        "recall": len(matched & true) / len(true) if true else 0.0,
        "top1": top1 / n if n else 0.0,
        "at5": at5 / n if n else 0.0,
    }


@settings(max_examples=300, deadline=None)
@given(links_strategy, truth_strategy)
def test_figures_match_brute_force_reference(
    links: list[Link], truth: list[tuple[str, str]]
) -> None:
    ev = evaluate(links, truth)
    ref = reference(links, truth)
    assert ev.precision == pytest.approx(ref["precision"])
    assert ev.recall == pytest.approx(ref["recall"])
    assert ev.top1_accuracy == pytest.approx(ref["top1"])
    assert ev.recall_at_5 == pytest.approx(ref["at5"])


@settings(max_examples=200, deadline=None)
@given(links_strategy, truth_strategy, st.randoms(use_true_random=False))
def test_order_and_repetition_do_not_change_figures(
    links: list[Link], truth: list[tuple[str, str]], rnd: random.Random
) -> None:
    ev = evaluate(links, truth)
    shuffled = links + links[: len(links) // 2]
    rnd.shuffle(shuffled)
    again = evaluate(shuffled, list(reversed(truth)))
    strip = {"link_rows", "duplicate_rows"}
    a, b = ev.as_dict(curve=True), again.as_dict(curve=True)
    for d in (a, b):
        d["counts"] = {k: v for k, v in d["counts"].items() if k not in strip}
    assert a == b


@settings(max_examples=200, deadline=None)
@given(links_strategy, truth_strategy)
def test_figures_are_ratios_in_order(links: list[Link], truth: list[tuple[str, str]]) -> None:
    ev: Evaluation = evaluate(links, truth)
    for value in (ev.precision, ev.recall, ev.f1, ev.pair_recall_any, ev.child_recall_any):
        assert 0.0 <= value <= 1.0
    assert ev.top1_accuracy <= ev.recall_at_5 <= ev.child_recall_any
    assert ev.recall <= ev.pair_recall_any
    assert len(ev.true_scores) == ev.counts.true_links


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["links.csv", "links.jsonl"]))
def test_reading_arbitrary_text_raises_only_matcher_errors(text: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text("found_id,missing_id,score,decision\n" + text, encoding="utf-8")
        try:
            links = read_links(path)
        except MatcherError:
            return
        assert all(0.0 <= lk.score <= 1.0 and lk.found_id and lk.missing_id for lk in links)
