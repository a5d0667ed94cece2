"""Writing records: store them, match them against the other kind, queue the likely pairs.

Shared by the record routes, the bulk import and the demo start-up. The
caller owns the transaction: it commits once, then calls
``MatchingState.catch_up()`` so this worker's index holds the new records
at once (the other workers get them from the change sequence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.matching import MatchingState, jurisdiction_of
from matcher.normalize.person import Person
from matcher.records import RawRecord
from matcher.storage import repository as repo


@dataclass(frozen=True, slots=True)
class Written:
    """One record after a write: the outcome, the stored record and the pairs queued."""

    result: repo.UpsertResult
    record: repo.StoredRecord
    person: Person
    review_items: tuple[int, ...]


def prepare(state: MatchingState, raw: RawRecord) -> tuple[repo.RecordInput, Person]:
    """Normalize a record and file it under its jurisdiction codes."""
    person = state.normalize(raw)
    place = jurisdiction_of(person)
    return repo.RecordInput.from_raw(
        raw, state_code=place.state_code, district_code=place.district_code
    ), person


def write_records(
    session: Session,
    state: MatchingState,
    raws: Sequence[RawRecord],
    actor: repo.Actor,
    *,
    prepared: Sequence[tuple[repo.RecordInput, Person]] | None = None,
) -> list[Written]:
    """Upsert records and propose each created or changed one's likely pairs (no commit)."""
    if prepared is None:
        prepared = [prepare(state, raw) for raw in raws]
    if not prepared:
        return []
    results = repo.upsert_records(session, [p[0] for p in prepared], actor=actor)
    written: list[Written] = []
    kind = prepared[0][0].kind
    stored = repo.get_records(session, kind, [r.id for r in results])
    for (_, person), result in zip(prepared, results, strict=True):
        record = stored[result.id]
        items: tuple[int, ...] = ()
        if result.outcome is not repo.UpsertOutcome.UNCHANGED:
            state.remember_written(session, kind, record.id, record.version, record.status, person)
            items = tuple(state.propose(session, record, person))
        written.append(Written(result, record, person, items))
    return written


def write_batch(
    session: Session,
    state: MatchingState,
    prepared: Sequence[tuple[repo.RecordInput, Person]],
    actor: repo.Actor,
) -> tuple[list[repo.UpsertResult], set[int]]:
    """:func:`write_records` for an import batch: outcomes and review item ids (no commit).

    Reads nothing back: the upsert's results say each record's version and
    status, and the batch's pairs are queued together
    (:meth:`MatchingState.propose_many`). Re-reading every record just written
    and queueing pairs one by one (five statements each) was most of an
    import's database time.
    """
    if not prepared:
        return [], set()
    results = repo.upsert_records(session, [p[0] for p in prepared], actor=actor)
    kind = prepared[0][0].kind
    written: list[tuple[repo.UpsertResult, Person]] = []
    for (_, person), result in zip(prepared, results, strict=True):
        if result.outcome is not repo.UpsertOutcome.UNCHANGED:
            state.remember_written(session, kind, result.id, result.version, result.status, person)
            written.append((result, person))
    items: set[int] = set()
    for ids in state.propose_many(session, written):
        items.update(ids)
    return results, items
