"""A naive fuzzy-name baseline, to check that generated data is not too easy.

The issue sets the bar: on data of this kind a fuzzy-name baseline reaches an
F1 of about 0.1 and a competent Splink configuration about 0.6; if the naive
baseline reaches 0.5 the data is too easy.  This baseline compares lower-cased
Latin names with RapidFuzz's ``token_sort_ratio``, adds a little for equal sex
and a plausible age, and links each found child to its best candidate above a
threshold.  :func:`best_f1` reports the F1 at the best threshold, which is
optimistic for the baseline (the threshold is tuned on the truth).

It is a difficulty gauge for the generator, not a matcher: it reads no
reference tables at all.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

_LETTERS = re.compile(r"[^a-z ]+")
_NUMBER = re.compile(r"\d+")


def _name(text: object) -> str:
    return " ".join(_LETTERS.sub(" ", str(text).lower()).split())


def _age(text: object) -> float:
    match = _NUMBER.search(str(text))
    return float(match.group()) if match else float("nan")


def _sex(text: object) -> str:
    t = str(text).strip().lower()
    if t in ("m", "male", "boy"):
        return "m"
    if t in ("f", "female", "girl"):
        return "f"
    return ""


def naive_links(
    missing: pd.DataFrame,
    found: pd.DataFrame,
    *,
    candidates: int = 50,
    chunk: int = 400,
    workers: int = 1,
) -> pd.DataFrame:
    """Best candidate per found child: ``found_id, missing_id, score`` (score in [0, 1]).

    Score = 0.7 x name similarity + 0.15 if the sexes agree + 0.15 if the found
    age is within five years above the missing age.
    """
    m_names = [_name(v) for v in missing["name"]]
    f_names = [_name(v) for v in found["name"]]
    m_age = np.array([_age(v) for v in missing["age"]])
    f_age = np.array([_age(v) for v in found["age"]])
    m_sex = np.array([_sex(v) for v in missing["sex"]])
    f_sex = np.array([_sex(v) for v in found["sex"]])
    m_ids = missing["id"].to_numpy()
    rows = []
    k = min(candidates, len(m_names))
    for start in range(0, len(f_names), chunk):
        sims = process.cdist(
            f_names[start : start + chunk],
            m_names,
            scorer=fuzz.token_sort_ratio,
            dtype=np.uint8,
            workers=workers,
        )
        top = np.argpartition(-sims.astype(np.int16), k - 1, axis=1)[:, :k]
        for offset, cols in enumerate(top):
            i = start + offset
            if not f_names[i]:
                continue
            name_sim = sims[offset, cols] / 100.0
            gap = f_age[i] - m_age[cols]
            age_ok = (gap >= -1) & (gap <= 5)
            sex_ok = (m_sex[cols] == f_sex[i]) & (f_sex[i] != "")
            score = 0.7 * name_sim + 0.15 * age_ok + 0.15 * sex_ok
            best = int(np.argmax(score))
            rows.append((found["id"].iat[i], m_ids[cols[best]], float(score[best])))
    return pd.DataFrame(rows, columns=["found_id", "missing_id", "score"])


def best_f1(links: pd.DataFrame, truth: list[tuple[str, str]]) -> tuple[float, float, float, float]:
    """``(threshold, precision, recall, F1)`` of the best threshold on the baseline's scores."""
    true = set(truth)
    ordered = links.sort_values("score", ascending=False)
    hits = np.array(
        [(f, m) in true for f, m in zip(ordered["found_id"], ordered["missing_id"], strict=True)]
    )
    tp = np.cumsum(hits)
    n = np.arange(1, len(hits) + 1)
    precision = tp / n
    recall = tp / max(len(true), 1)
    f1 = np.where(
        precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0
    )
    if not len(f1):
        return (1.0, 0.0, 0.0, 0.0)
    best = int(np.argmax(f1))
    return (
        float(ordered["score"].to_numpy()[best]),
        float(precision[best]),
        float(recall[best]),
        float(f1[best]),
    )
