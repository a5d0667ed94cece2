"""Thresholds turn a probability into a place in the review queue.

``match`` only orders the queue: nothing is ever reunited without a recorded
human decision. Pairs below ``review_threshold`` are not proposed at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from matcher.errors import InvalidFieldValue


class Decision(StrEnum):
    """The link output's ``decision`` column."""

    MATCH = "match"
    REVIEW = "review"


#: Chosen on development data (seeds 1 and 2) once the probabilities were
#: calibrated (2026-11-29: every score band within 0.03 of its share of true
#: pairs at 5,000 found / 50,000 missing). At 0.9 the pairs proposed as
#: ``match`` were 98.0-98.2% true at 50,000 and 500,000 reports; 0.85 gave
#: 97.4-97.7%, too close to the 97% aim to carry over to other data. 0.01
#: puts a true pair in the queue for 95.2-95.8% of reported found children
#: (0.02: 93.9-94.1%) at about two candidates per found child. Recall into the
#: queue comes first: a missed pair leaves a child in a shelter.
DEFAULT_REVIEW_THRESHOLD = 0.01
DEFAULT_MATCH_THRESHOLD = 0.9


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``match`` at or above ``match_threshold``, ``review`` at or above ``review_threshold``."""

    review_threshold: float = DEFAULT_REVIEW_THRESHOLD
    match_threshold: float = DEFAULT_MATCH_THRESHOLD

    def __post_init__(self) -> None:
        if not 0.0 <= self.review_threshold <= self.match_threshold <= 1.0:
            raise InvalidFieldValue(
                "thresholds must satisfy 0 <= review_threshold <= match_threshold <= 1, "
                f"got review {self.review_threshold} and match {self.match_threshold}"
            )


def decide(match_probability: float, thresholds: Thresholds) -> Decision | None:
    """``match``, ``review``, or ``None`` for a pair not worth a caseworker's time."""
    if match_probability >= thresholds.match_threshold:
        return Decision.MATCH
    if match_probability >= thresholds.review_threshold:
        return Decision.REVIEW
    return None
