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


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``match`` at or above ``match_threshold``, ``review`` at or above ``review_threshold``."""

    review_threshold: float = 0.30
    match_threshold: float = 0.90

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
