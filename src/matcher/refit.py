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
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.normalize.person import Person, normalize_record
from matcher.normalize.places import Gazetteer
from matcher.records import RecordKind
from matcher.scoring.model import MatchModel
from matcher.scoring.train import refit_from_decisions
from matcher.storage.repository import ReviewStatus, get_records, list_review_items

#: Review items read per query.
PAGE = 500


@dataclass(frozen=True, slots=True)
class DecisionPairs:
    """The confirmed pairs, normalized as the records stand now, and what was left out."""

    confirmed: list[tuple[Person, Person]]
    confirmed_decisions: int
    """Confirmed review items, superseded ones included (one pair may have several)."""
    records_gone: int
    """Confirmed pairs left out because a record has since been deleted."""
    rejected_decisions: int
    """Rejected review items: counted, not used (see the module docstring)."""


def confirmed_pairs(session: Session, gazetteer: Gazetteer) -> DecisionPairs:
    """Every distinct (found, missing) pair a caseworker confirmed, both records normalized."""
    keys: dict[tuple[str, str], None] = {}
    offset = 0
    while True:
        items, total = list_review_items(
            session,
            status=ReviewStatus.CONFIRMED,
            include_superseded=True,
            limit=PAGE,
            offset=offset,
        )
        keys.update(((item.found_id, item.missing_id), None) for item in items)
        offset += len(items)
        if not items or offset >= total:
            break
    _, rejected = list_review_items(
        session, status=ReviewStatus.REJECTED, include_superseded=True, limit=0
    )
    found = get_records(session, RecordKind.FOUND, [f for f, _ in keys])
    missing = get_records(session, RecordKind.MISSING, [m for _, m in keys])
    pairs = [
        (normalize_record(found[f].raw(), gazetteer), normalize_record(missing[m].raw(), gazetteer))
        for f, m in keys
        if f in found and m in missing
    ]
    return DecisionPairs(
        confirmed=pairs,
        confirmed_decisions=offset,
        records_gone=len(keys) - len(pairs),
        rejected_decisions=rejected,
    )


def refit(
    model: MatchModel, decisions: DecisionPairs, *, prior_strength: float = 50.0
) -> MatchModel:
    """``model`` with m moved towards the levels the confirmed pairs reach."""
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
