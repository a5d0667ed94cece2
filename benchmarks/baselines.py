"""Naive baselines for the side-by-side benchmark.

Two systems a non-specialist would write in an afternoon, so the benchmark
shows what plain string matching already achieves on the data:

- ``exact-name``: the case- and space-folded names are equal -> ``match``
  (score 1). Nothing else is proposed.
- ``fuzzy-name-age-sex``: RapidFuzz ``token_sort_ratio`` of the names at
  least the review threshold, sex equal or unknown, and the ages agreeing
  within 3 years after the time elapsed between the two reports (or unknown).
  Score = ratio / 100; ``match`` at >= 0.9, ``review`` at >= 0.75.

Blocking for the fuzzy baseline: a pair is compared only when the token-sorted
names start with the same character. That keeps 10k x 500k at a few hundred
million ratio computations (RapidFuzz ``cdist``, vectorised in C++) instead of
five billion; it loses true pairs whose first letters differ after sorting
(``Irfan`` / ``Erfan``), which a naive baseline accepts.

Usage::

    python -m benchmarks.baselines exact-name --missing M --found F --out links.csv
    python -m benchmarks.baselines fuzzy-name-age-sex --missing M --found F --out links.csv
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils

from benchmarks._generic import approx_birth_year, fold_name, parse_sex

LINK_COLUMNS: tuple[str, ...] = ("found_id", "missing_id", "score", "decision")


@dataclass(frozen=True, slots=True)
class FuzzyOptions:
    """Thresholds of the fuzzy baseline (scores in [0, 1], ages in years)."""

    match_threshold: float = 0.9
    review_threshold: float = 0.75
    max_age_difference_years: float = 3.0
    #: Upper bound on cells of one ``cdist`` matrix (float32), to cap memory.
    max_cells_per_chunk: int = 20_000_000


def read_records(path: Path) -> pd.DataFrame:
    """An exchange-format CSV as text columns, empty cells as ``""``."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _column(records: pd.DataFrame, name: str) -> pd.Series:
    if name in records.columns:
        return records[name].astype(str)
    return pd.Series([""] * len(records), index=records.index, dtype=str)


def empty_links() -> pd.DataFrame:
    """A link table with no rows and the exchange-format columns."""
    return pd.DataFrame({c: pd.Series(dtype=float if c == "score" else str) for c in LINK_COLUMNS})


def exact_name_links(found: pd.DataFrame, missing: pd.DataFrame) -> pd.DataFrame:
    """Every (found, missing) pair whose folded names are equal and non-empty, as ``match``."""
    left = pd.DataFrame({"found_id": _column(found, "id"), "key": _column(found, "name")})
    right = pd.DataFrame({"missing_id": _column(missing, "id"), "key": _column(missing, "name")})
    left["key"] = left["key"].map(fold_name)
    right["key"] = right["key"].map(fold_name)
    pairs = left[left["key"] != ""].merge(right[right["key"] != ""], on="key")
    if pairs.empty:
        return empty_links()
    links = pairs[["found_id", "missing_id"]].assign(score=1.0, decision="match")
    return links.sort_values(["found_id", "missing_id"], kind="stable").reset_index(drop=True)


def sort_tokens(name: str) -> str:
    """RapidFuzz default processing, tokens sorted: ``ratio`` on it is ``token_sort_ratio``."""
    return " ".join(sorted(utils.default_process(name).split()))


def block_key(sorted_name: str) -> str:
    """The blocking key of the fuzzy baseline: first character of the token-sorted name."""
    return sorted_name[:1]


def sex_compatible(found_sex: str, missing_sex: str) -> bool:
    """Sex equal, or unknown on either side."""
    return not found_sex or not missing_sex or found_sex == missing_sex


def age_compatible(found_born: float | None, missing_born: float | None, max_years: float) -> bool:
    """Approximate birth years within ``max_years`` (ages after elapsed time), or unknown."""
    if found_born is None or missing_born is None:
        return True
    if math.isnan(found_born) or math.isnan(missing_born):
        return True
    return abs(found_born - missing_born) <= max_years


def decide(score: float, options: FuzzyOptions) -> str | None:
    """``match`` / ``review`` by threshold, None below the review threshold."""
    if score >= options.match_threshold:
        return "match"
    if score >= options.review_threshold:
        return "review"
    return None


@dataclass(frozen=True, slots=True)
class _Side:
    """One table prepared for the fuzzy baseline, as aligned numpy arrays."""

    ids: np.ndarray
    names: np.ndarray
    keys: np.ndarray
    sex: np.ndarray
    born: np.ndarray  # approximate birth year, NaN when unknown


def _prepare(records: pd.DataFrame, reference_field: str) -> _Side:
    names = _column(records, "name").map(sort_tokens)
    born = [
        approx_birth_year(b, a, r)
        for b, a, r in zip(
            _column(records, "birth_date"),
            _column(records, "age"),
            _column(records, reference_field),
            strict=True,
        )
    ]
    keep = (names != "").to_numpy()
    return _Side(
        ids=_column(records, "id").to_numpy()[keep],
        names=names.to_numpy()[keep],
        keys=names.map(block_key).to_numpy()[keep],
        sex=_column(records, "sex").map(parse_sex).to_numpy()[keep],
        born=np.array([np.nan if b is None else b for b in born], dtype=float)[keep],
    )


def fuzzy_links(
    found: pd.DataFrame, missing: pd.DataFrame, options: FuzzyOptions | None = None
) -> pd.DataFrame:
    """Fuzzy name + age + sex baseline; see the module docstring for the rules."""
    options = options or FuzzyOptions()
    f = _prepare(found, "found_date")
    m = _prepare(missing, "missing_date")
    cutoff = options.review_threshold * 100
    found_rows: list[np.ndarray] = []
    missing_rows: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    for key in np.intersect1d(np.unique(f.keys), np.unique(m.keys)):
        f_idx = np.flatnonzero(f.keys == key)
        m_idx = np.flatnonzero(m.keys == key)
        step = max(1, options.max_cells_per_chunk // len(f_idx))
        for start in range(0, len(m_idx), step):
            m_chunk = m_idx[start : start + step]
            matrix = process.cdist(
                m.names[m_chunk],
                f.names[f_idx],
                scorer=fuzz.ratio,
                score_cutoff=cutoff,
                dtype=np.float32,
                workers=-1,
            )
            mi, fi = np.nonzero(matrix >= cutoff)
            if not len(mi):
                continue
            m_sel, f_sel = m_chunk[mi], f_idx[fi]
            ok = ((f.sex[f_sel] == "") | (m.sex[m_sel] == "") | (f.sex[f_sel] == m.sex[m_sel])) & (
                np.isnan(f.born[f_sel])
                | np.isnan(m.born[m_sel])
                | (np.abs(f.born[f_sel] - m.born[m_sel]) <= options.max_age_difference_years)
            )
            found_rows.append(f_sel[ok])
            missing_rows.append(m_sel[ok])
            scores.append(matrix[mi[ok], fi[ok]] / 100.0)
    if not scores:
        return empty_links()
    f_all = np.concatenate(found_rows)
    m_all = np.concatenate(missing_rows)
    s_all = np.round(np.concatenate(scores).astype(float), 6)
    links = pd.DataFrame(
        {
            "found_id": f.ids[f_all],
            "missing_id": m.ids[m_all],
            "score": s_all,
            "decision": np.where(s_all >= options.match_threshold, "match", "review"),
        }
    )
    return links.sort_values(["found_id", "score"], ascending=[True, False], kind="stable")


SYSTEMS: tuple[str, ...] = ("exact-name", "fuzzy-name-age-sex")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``<system> --missing M --found F --out links.csv``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("system", choices=SYSTEMS)
    parser.add_argument("--missing", type=Path, required=True)
    parser.add_argument("--found", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    found = read_records(args.found)
    missing = read_records(args.missing)
    if args.system == "exact-name":
        links = exact_name_links(found, missing)
    else:
        links = fuzzy_links(found, missing)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    links.to_csv(args.out, index=False, columns=list(LINK_COLUMNS))
    print(f"{args.system}: wrote {len(links)} links to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
