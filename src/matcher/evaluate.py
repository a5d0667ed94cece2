"""Score a link run against ground truth.

A link file is the batch output of the spec (``found_id, missing_id, score,
decision`` with decision ``match`` or ``review``); a truth file lists the true
pairs (``found_id, missing_id``; a child reported twice has two rows).  The
figures answer the questions a deployment asks:

- *precision, recall, F1 of ``match``*: how often an automatic link is right,
  and how many true pairs it finds (pair level, against all true pairs);
- *recall of match + review*: how many true pairs a caseworker can reach at all,
  counted per pair and per found child (a child with two true reports is
  reached when either is in the queue);
- *top-1 accuracy and recall at 5*: among found children who were reported,
  whether the best-scored candidate is a true report, and whether one is among
  the five best;
- *false matches on never-reported children*: any ``match`` for a found child
  with no true pair is a wrong link that could send a child to a stranger.

Conventions, chosen so the figures can only be pessimistic:

- a pair listed more than once counts once, with its highest score and its
  strongest decision (``match`` over ``review``); duplicates are counted;
- ranking ties are broken *against* the system: among links of one child with
  equal scores, false pairs are ranked before true ones, then by ``missing_id``;
- a reported found child with no link at all counts as a miss in every
  per-child figure;
- a ratio whose denominator is zero is reported as 0.0 (the counts say why);
- links whose ids are not in the truth are false pairs.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.decide import Decision
from matcher.errors import ExchangeError, RecordError

LINK_FIELDS: tuple[str, ...] = ("found_id", "missing_id", "score", "decision")
TRUTH_FIELDS: tuple[str, ...] = ("found_id", "missing_id")


#: The link output's ``decision`` column: one enum for the engine, the scorer and storage.
LinkDecision = Decision


@dataclass(frozen=True, slots=True)
class Link:
    """One proposed pair of a link file."""

    found_id: str
    missing_id: str
    score: float
    decision: LinkDecision


@dataclass(frozen=True, slots=True)
class Truth:
    """The true pairs of a data set, and optionally every found id in it.

    ``found_ids`` (when known) lets the evaluation count found children who
    have no true pair and never appear in the links.
    """

    pairs: frozenset[tuple[str, str]]
    found_ids: frozenset[str] | None = None

    @classmethod
    def from_pairs(
        cls, pairs: Iterable[tuple[str, str]], found_ids: Iterable[str] | None = None
    ) -> Truth:
        """Truth from ``(found_id, missing_id)`` pairs (duplicates count once)."""
        known = None if found_ids is None else frozenset(found_ids)
        return cls(pairs=frozenset((str(f), str(m)) for f, m in pairs), found_ids=known)

    def by_found(self) -> dict[str, set[str]]:
        """Missing ids of the true reports of each found child that has any."""
        out: dict[str, set[str]] = {}
        for found_id, missing_id in self.pairs:
            out.setdefault(found_id, set()).add(missing_id)
        return out


@dataclass(frozen=True, slots=True)
class PRPoint:
    """Precision and recall (pair level) of all links scored at or above ``threshold``."""

    threshold: float
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class Counts:
    """What the figures are computed from."""

    link_rows: int
    """Rows read from the link file."""
    duplicate_rows: int
    """Rows repeating a pair already seen (counted once)."""
    conflicting_duplicates: int
    """Repeated pairs whose rows disagree on score or decision."""
    links: int
    """Distinct pairs."""
    match_links: int
    review_links: int
    true_pairs: int
    """Pairs in the truth."""
    true_matches: int
    """``match`` pairs that are true."""
    false_matches: int
    true_links: int
    """``match`` or ``review`` pairs that are true."""
    found_with_truth: int
    """Found children with at least one true pair."""
    found_without_truth: int | None
    """Found children with no true pair (``None`` when the found ids are not known)."""
    found_linked: int
    """Found children with at least one link."""
    false_matches_never_reported: int
    """``match`` links of found children with no true pair."""
    never_reported_with_match: int
    """Found children with no true pair that got at least one ``match``."""
    links_unknown_found: int
    """Links whose found id is not among the known found ids (0 when they are not known)."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The figures of one link run; see the module docstring for the conventions."""

    precision: float
    recall: float
    f1: float
    pair_recall_any: float
    """Share of true pairs that are ``match`` or ``review``."""
    child_recall_any: float
    """Share of reported found children with a true pair in ``match`` or ``review``."""
    top1_accuracy: float
    recall_at_5: float
    counts: Counts
    pr_curve: tuple[PRPoint, ...] = field(repr=False)
    true_scores: tuple[float, ...] = field(repr=False)
    false_scores: tuple[float, ...] = field(repr=False)

    def as_dict(self, *, curve: bool = False) -> dict[str, Any]:
        """Figures and counts as plain values (JSON-ready); the PR curve only if asked."""
        out: dict[str, Any] = {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "pair_recall_any": self.pair_recall_any,
            "child_recall_any": self.child_recall_any,
            "top1_accuracy": self.top1_accuracy,
            "recall_at_5": self.recall_at_5,
            "counts": {name: getattr(self.counts, name) for name in Counts.__dataclass_fields__},
        }
        if curve:
            out["pr_curve"] = [
                {"threshold": p.threshold, "precision": p.precision, "recall": p.recall, "f1": p.f1}
                for p in self.pr_curve
            ]
        return out


# --- reading ------------------------------------------------------------------


def read_links(path: Path | str) -> list[Link]:
    """Read a link file (CSV, or JSON lines when the name ends in ``.jsonl``/``.ndjson``).

    Extra columns are ignored.  A malformed row raises :class:`RecordError`
    naming the file, the row (numbered as in a spreadsheet: the header is row 1;
    in JSON lines, the line) and the field.
    """
    path = Path(path)
    rows = _read_rows(path, LINK_FIELDS)
    return [_parse_link(row, source=path.name, row=n) for n, row in rows]


def read_truth(path: Path | str, *, found_ids: Iterable[str] | None = None) -> Truth:
    """Read a truth file (``found_id,missing_id`` per true pair).

    A row with an empty ``missing_id`` declares a found child with no true pair;
    if the file has such rows (or ``found_ids`` is given), the truth knows every
    found id.
    """
    path = Path(path)
    pairs: set[tuple[str, str]] = set()
    declared: set[str] = set()
    for n, row in _read_rows(path, TRUTH_FIELDS):
        found_id = _text(row.get("found_id"))
        missing_id = _text(row.get("missing_id"))
        if not found_id:
            raise RecordError("empty found_id", source=path.name, row=n, field="found_id")
        if missing_id:
            pairs.add((found_id, missing_id))
        else:
            declared.add(found_id)
    known: set[str] | None = None
    if declared or found_ids is not None:
        known = declared | {f for f, _ in pairs} | set(found_ids or ())
    return Truth(pairs=frozenset(pairs), found_ids=None if known is None else frozenset(known))


def read_found_ids(path: Path | str) -> frozenset[str]:
    """The ``id`` column of a found-records file, to count children with no true pair."""
    path = Path(path)
    ids = set()
    for n, row in _read_rows(path, ("id",)):
        record_id = _text(row.get("id"))
        if not record_id:
            raise RecordError("empty id", source=path.name, row=n, field="id")
        ids.add(record_id)
    return frozenset(ids)


def _read_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if not path.exists():
        raise ExchangeError(f"{path}: no such file")
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from _read_json_lines(path, required)
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise ExchangeError(
            f"{path.name}: not UTF-8 text ({err.reason} at byte {err.start})"
        ) from err
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in header]
    if missing:
        raise ExchangeError(
            f"{path.name}: header must have columns {', '.join(required)}; "
            f"missing {', '.join(missing)} (found: {', '.join(header) or 'no header'})"
        )
    reader.fieldnames = header
    for row in reader:
        if None in row:
            raise RecordError(
                f"{len(header) + len(row[None])} values for {len(header)} columns",
                source=path.name,
                row=reader.line_num,
            )
        yield reader.line_num, row


def _read_json_lines(
    path: Path, required: tuple[str, ...]
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    with path.open(encoding="utf-8-sig") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise RecordError(f"not JSON: {err.msg}", source=path.name, row=n) from err
            if not isinstance(row, dict):
                raise RecordError("not a JSON object", source=path.name, row=n)
            for name in required:
                if name not in row:
                    raise RecordError("missing key", source=path.name, row=n, field=name)
            yield n, row


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _parse_link(values: Mapping[str, Any], *, source: str, row: int) -> Link:
    found_id = _text(values.get("found_id"))
    missing_id = _text(values.get("missing_id"))
    if not found_id:
        raise RecordError("empty found_id", source=source, row=row, field="found_id")
    if not missing_id:
        raise RecordError("empty missing_id", source=source, row=row, field="missing_id")
    raw_score = values.get("score")
    try:
        score = (
            float(_text(raw_score)) if not isinstance(raw_score, (int, float)) else float(raw_score)
        )
    except ValueError:
        raise RecordError(
            f"score is not a number: {_text(raw_score)!r}", source=source, row=row, field="score"
        ) from None
    if not math.isfinite(score) or not 0.0 <= score <= 1.0:
        raise RecordError(
            f"score must be a probability in [0, 1], got {score!r}",
            source=source,
            row=row,
            field="score",
        )
    raw_decision = _text(values.get("decision")).lower()
    try:
        decision = LinkDecision(raw_decision)
    except ValueError:
        raise RecordError(
            f"decision must be 'match' or 'review' (pairs below the review threshold are not "
            f"written), got {raw_decision!r}",
            source=source,
            row=row,
            field="decision",
        ) from None
    return Link(found_id=found_id, missing_id=missing_id, score=score, decision=decision)


def _links_from_frame(frame: pd.DataFrame) -> list[Link]:
    missing = [name for name in LINK_FIELDS if name not in frame.columns]
    if missing:
        raise ExchangeError(f"link table: missing columns {', '.join(missing)}")
    records = frame[list(LINK_FIELDS)].to_dict("records")
    return [
        _parse_link({str(k): v for k, v in values.items()}, source="link table", row=n)
        for n, values in enumerate(records, start=1)
    ]


def _truth_from(truth: Truth | pd.DataFrame | Iterable[tuple[str, str]]) -> Truth:
    if isinstance(truth, Truth):
        return truth
    if isinstance(truth, pd.DataFrame):
        missing = [name for name in TRUTH_FIELDS if name not in truth.columns]
        if missing:
            raise ExchangeError(f"truth table: missing columns {', '.join(missing)}")
        pairs = [
            (_text(f), _text(m))
            for f, m in zip(truth["found_id"], truth["missing_id"], strict=True)
            if _text(f) and _text(m)
        ]
        return Truth.from_pairs(pairs)
    return Truth.from_pairs(truth)


# --- scoring ------------------------------------------------------------------


@dataclass(slots=True)
class _Pair:
    score: float
    decision: LinkDecision


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def evaluate(
    links: Iterable[Link] | pd.DataFrame,
    truth: Truth | pd.DataFrame | Iterable[tuple[str, str]],
    *,
    found_ids: Iterable[str] | None = None,
) -> Evaluation:
    """Score links against the truth (see the module docstring for the conventions).

    ``found_ids`` (every found id of the data set, e.g. from
    :func:`read_found_ids`) is only needed to count found children with no true
    pair that got no link either.
    """
    link_list = _links_from_frame(links) if isinstance(links, pd.DataFrame) else list(links)
    truth = _truth_from(truth)
    if found_ids is not None:
        truth = Truth(
            pairs=truth.pairs, found_ids=frozenset(found_ids) | (truth.found_ids or frozenset())
        )

    pairs: dict[tuple[str, str], _Pair] = {}
    conflicting: set[tuple[str, str]] = set()
    for link in link_list:
        key = (link.found_id, link.missing_id)
        seen = pairs.get(key)
        if seen is None:
            pairs[key] = _Pair(link.score, link.decision)
            continue
        if seen.score != link.score or seen.decision != link.decision:
            conflicting.add(key)
        seen.score = max(seen.score, link.score)
        if link.decision is LinkDecision.MATCH:
            seen.decision = LinkDecision.MATCH

    true_pairs = truth.pairs
    truth_by_found = truth.by_found()
    matches = {k for k, p in pairs.items() if p.decision is LinkDecision.MATCH}
    true_matches = len(matches & true_pairs)
    true_links = sum(1 for k in pairs if k in true_pairs)
    precision = _ratio(true_matches, len(matches))
    recall = _ratio(true_matches, len(true_pairs))

    by_found: dict[str, list[tuple[float, bool, str]]] = {}
    for (found_id, missing_id), pair in pairs.items():
        is_true = (found_id, missing_id) in true_pairs
        by_found.setdefault(found_id, []).append((pair.score, is_true, missing_id))
    top1 = at5 = reached = 0
    for found_id in truth_by_found:
        ranked = sorted(by_found.get(found_id, ()), key=_pessimistic)
        if ranked and ranked[0][1]:
            top1 += 1
        if any(is_true for _, is_true, _ in ranked[:5]):
            at5 += 1
        if any(is_true for _, is_true, _ in ranked):
            reached += 1

    never_matched: dict[str, int] = {}
    for found_id, _ in matches:
        if found_id not in truth_by_found:
            never_matched[found_id] = never_matched.get(found_id, 0) + 1
    known = truth.found_ids
    counts = Counts(
        link_rows=len(link_list),
        duplicate_rows=len(link_list) - len(pairs),
        conflicting_duplicates=len(conflicting),
        links=len(pairs),
        match_links=len(matches),
        review_links=len(pairs) - len(matches),
        true_pairs=len(true_pairs),
        true_matches=true_matches,
        false_matches=len(matches) - true_matches,
        true_links=true_links,
        found_with_truth=len(truth_by_found),
        found_without_truth=None if known is None else len(known - truth_by_found.keys()),
        found_linked=len(by_found),
        false_matches_never_reported=sum(never_matched.values()),
        never_reported_with_match=len(never_matched),
        links_unknown_found=0 if known is None else sum(1 for f in by_found if f not in known),
    )
    scored = [(p.score, key in true_pairs) for key, p in pairs.items()]
    return Evaluation(
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        pair_recall_any=_ratio(true_links, len(true_pairs)),
        child_recall_any=_ratio(reached, len(truth_by_found)),
        top1_accuracy=_ratio(top1, len(truth_by_found)),
        recall_at_5=_ratio(at5, len(truth_by_found)),
        counts=counts,
        pr_curve=_pr_curve(scored, len(true_pairs)),
        true_scores=tuple(sorted(s for s, t in scored if t)),
        false_scores=tuple(sorted(s for s, t in scored if not t)),
    )


def _pessimistic(item: tuple[float, bool, str]) -> tuple[float, bool, str]:
    """Sort key: best score first; on ties false pairs first, then by missing id."""
    score, is_true, missing_id = item
    return (-score, is_true, missing_id)


def _pr_curve(scored: list[tuple[float, bool]], n_true: int) -> tuple[PRPoint, ...]:
    """Precision and recall of all links at or above each distinct score, best first."""
    points: list[PRPoint] = []
    tp = n = 0
    ordered = sorted(scored, key=lambda item: -item[0])
    for i, (score, is_true) in enumerate(ordered):
        n += 1
        tp += is_true
        if i + 1 < len(ordered) and ordered[i + 1][0] == score:
            continue  # tied scores enter together
        precision, recall = tp / n, _ratio(tp, n_true)
        points.append(PRPoint(score, precision, recall, _f1(precision, recall)))
    return tuple(points)


# --- output -------------------------------------------------------------------


#: Score bins of the calibration table: finer where decisions are made.
CALIBRATION_EDGES: tuple[float, ...] = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0)


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """Links whose score lies in ``[low, high)`` (the last bin includes 1.0)."""

    low: float
    high: float
    links: int
    mean_score: float
    share_true: float


def calibration(
    evaluation: Evaluation, edges: tuple[float, ...] = CALIBRATION_EDGES
) -> tuple[CalibrationBin, ...]:
    """Links grouped by score, each group's mean score beside the share that is true.

    A calibrated ``match_probability`` makes the two agree: of links scored
    about 0.9, nine in ten are true. Bins with no link are left out.
    """
    bins: list[CalibrationBin] = []
    last = len(edges) - 2
    for i, (low, high) in enumerate(pairwise(edges)):
        top = i == last
        true = [x for x in evaluation.true_scores if low <= x < high or (top and x == high)]
        false = [x for x in evaluation.false_scores if low <= x < high or (top and x == high)]
        n = len(true) + len(false)
        if n:
            bins.append(CalibrationBin(low, high, n, math.fsum(true + false) / n, len(true) / n))
    return tuple(bins)


def format_report(evaluation: Evaluation) -> str:
    """The figures and counts as an aligned plain-text report."""
    c = evaluation.counts
    best = max(evaluation.pr_curve, key=lambda p: (p.f1, p.threshold), default=None)
    lines = [
        "match decisions (pair level)",
        f"  precision             {evaluation.precision:.3f}"
        f"  ({c.true_matches} of {c.match_links} matches are true)",
        f"  recall                {evaluation.recall:.3f}"
        f"  ({c.true_matches} of {c.true_pairs} true pairs)",
        f"  F1                    {evaluation.f1:.3f}",
        "match + review",
        f"  pair recall           {evaluation.pair_recall_any:.3f}"
        f"  ({c.true_links} of {c.true_pairs} true pairs)",
        f"  child recall          {evaluation.child_recall_any:.3f}"
        f"  (of {c.found_with_truth} reported found children)",
        "ranking (reported found children; ties broken against the system)",
        f"  top-1 accuracy        {evaluation.top1_accuracy:.3f}",
        f"  recall at 5           {evaluation.recall_at_5:.3f}",
        "never-reported found children",
        f"  false matches         {c.false_matches_never_reported}"
        f"  (on {c.never_reported_with_match} children"
        + (f" of {c.found_without_truth})" if c.found_without_truth is not None else ")"),
        "counts",
        f"  link rows             {c.link_rows}  ({c.duplicate_rows} duplicates, "
        f"{c.conflicting_duplicates} conflicting)",
        f"  distinct links        {c.links}  ({c.match_links} match, {c.review_links} review)",
        f"  found children        {c.found_with_truth} with a true pair, "
        + (
            f"{c.found_without_truth} without"
            if c.found_without_truth is not None
            else "unknown without"
        )
        + f", {c.found_linked} linked",
    ]
    if c.links_unknown_found:
        lines.append(f"  unknown found ids     {c.links_unknown_found}")
    table = calibration(evaluation)
    if table:
        lines.append("calibration (links by score: mean score against share true)")
        lines.extend(
            f"  {b.low:.2f}-{b.high:.2f}  {b.links:>7} links  score {b.mean_score:.3f}"
            f"  true {b.share_true:.3f}"
            for b in table
        )
    if best is not None:
        lines.append(
            f"best threshold on score: {best.threshold:.3f} "
            f"(precision {best.precision:.3f}, recall {best.recall:.3f}, F1 {best.f1:.3f})"
        )
    return "\n".join(lines)


def write_plots(
    evaluation_or_inputs: Evaluation | tuple[Any, Any],
    out_dir: Path | str,
) -> list[Path]:
    """Write ``pr_curve.png`` and ``score_histogram.png`` into ``out_dir``.

    Accepts an :class:`Evaluation` or a ``(links, truth)`` pair to evaluate
    first.  Uses matplotlib's Agg renderer without pyplot (no display, no global
    state); the PNGs carry no timestamp, so the same figures give the same bytes.
    """
    from matplotlib.figure import Figure

    evaluation = (
        evaluation_or_inputs
        if isinstance(evaluation_or_inputs, Evaluation)
        else evaluate(evaluation_or_inputs[0], evaluation_or_inputs[1])
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    metadata = {"Software": None}

    fig = Figure(figsize=(6, 4.5), dpi=100)
    ax = fig.add_subplot()
    if evaluation.pr_curve:
        ax.plot(
            [p.recall for p in evaluation.pr_curve],
            [p.precision for p in evaluation.pr_curve],
            color="#1f77b4",
            label="links at or above a score",
        )
    ax.scatter(
        [evaluation.recall],
        [evaluation.precision],
        color="#d62728",
        zorder=3,
        label=f"match decisions (F1 {evaluation.f1:.2f})",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("recall (share of true pairs)")
    ax.set_ylabel("precision")
    ax.set_title("Precision and recall over score thresholds")
    ax.grid(alpha=0.3)
    ax.legend(loc="best")
    pr_path = out / "pr_curve.png"
    fig.savefig(pr_path, metadata=metadata)

    fig = Figure(figsize=(6, 4.5), dpi=100)
    ax = fig.add_subplot()
    bins = [i / 40 for i in range(41)]
    ax.hist(
        [list(evaluation.false_scores), list(evaluation.true_scores)],
        bins=bins,
        color=["#bbbbbb", "#2ca02c"],
        label=[
            f"false pairs ({len(evaluation.false_scores)})",
            f"true pairs ({len(evaluation.true_scores)})",
        ],
        stacked=False,
    )
    ax.set_yscale("symlog", linthresh=10)
    ax.set_xlabel("score")
    ax.set_ylabel("links")
    ax.set_title("Scores of true and false pairs")
    ax.legend(loc="upper center")
    hist_path = out / "score_histogram.png"
    fig.savefig(hist_path, metadata=metadata)
    return [pr_path, hist_path]
