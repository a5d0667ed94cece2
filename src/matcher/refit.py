"""Refitting the model from caseworkers' confirmed decisions in the store.

Training without labels learns m from what tight blocks look like in
generated or imported data. A pair a caseworker confirmed is a labelled true
pair: how often the same child's two records really agree on each field in
*these* registers, written by *these* officers. :func:`confirmed_pairs`
gathers them from the review queue and :func:`refit` moves m towards them
(:func:`~matcher.scoring.train.refit_from_decisions`). u stays as it is:
rejected pairs are the hard cases the queue showed, not a sample of
strangers, and counting them as strangers would make every agreement look
common. The new model is written to a file for an operator to deploy
(``MATCHER_MODEL_PATH``); nothing changes in a running service by itself.

Confirmed pairs are a biased sample of true pairs: only pairs the model put
in the queue can be confirmed, so true pairs that disagree a lot are
under-represented, and a refit makes disagreement a little more damning
than it is. ``prior_strength`` (the current m counting as that many pairs)
keeps a small set of decisions from moving far; on generated data the bias
was small (m of "different names" 0.019 among queued true pairs against
0.023 among all).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.normalize.person import Person, normalize_record
from matcher.normalize.places import Gazetteer
from matcher.scoring.model import MatchModel
from matcher.scoring.train import refit_from_decisions
from matcher.storage.repository import ReviewStatus, decided_pairs


@dataclass(frozen=True, slots=True)
class DecisionPairs:
    """The confirmed pairs, normalized as they were decided, and what was left out."""

    confirmed: list[tuple[Person, Person]]
    confirmed_decisions: int
    """Confirmed review items."""
    records_gone: int
    """Confirmed pairs left out because a record has since been deleted."""
    rejected_decisions: int
    """Rejected review items: counted, not used (see the module docstring)."""


def confirmed_pairs(session: Session, gazetteer: Gazetteer) -> DecisionPairs:
    """Every distinct (found, missing) pair a caseworker confirmed, both records normalized at
    the versions the review item scored (a record corrected after the reunification would
    otherwise teach that its old disagreement was agreement)."""
    confirmed = decided_pairs(session, ReviewStatus.CONFIRMED)
    rejected = decided_pairs(session, ReviewStatus.REJECTED)
    return DecisionPairs(
        confirmed=[
            (normalize_record(found, gazetteer), normalize_record(missing, gazetteer))
            for found, missing in confirmed.pairs
        ],
        confirmed_decisions=confirmed.decisions,
        records_gone=confirmed.records_gone,
        rejected_decisions=rejected.decisions,
    )


def refit(
    model: MatchModel, decisions: DecisionPairs, *, prior_strength: float = 50.0
) -> MatchModel:
    """``model`` with m moved towards the levels the confirmed pairs reach.

    Refitting a refitted model starts again from the m it was refitted from,
    so running the command twice over the same decisions does not count them
    twice.
    """
    return refit_from_decisions(model, decisions.confirmed, prior_strength=prior_strength)


def m_changes(before: MatchModel, after: MatchModel) -> list[tuple[str, str, float, float]]:
    """(field, level, m before, m after) for every level whose m moved, largest move first."""
    moved = [
        (c.field, old.name, old.m_probability, new.m_probability)
        for c in before.comparisons
        for old, new in zip(c.levels, after.comparison(c.field).levels, strict=True)
        if old.m_probability != new.m_probability
    ]
    return sorted(moved, key=lambda row: -abs(row[3] - row[2]))
