"""The live matching state of one worker process: two candidate indexes and their linkers.

Each worker keeps every open record of both kinds normalized in memory: the
missing reports (searched for a found child) and the found children (searched
for a missing report). Records written by this worker or any other reach the
indexes through the database's change sequence: :meth:`MatchingState.catch_up`
reads the changes after the last one applied, reloads those records and puts
them in (or takes them out of) the index. It runs

- right after this worker commits a write (so its own writes count at once),
- from a background thread every ``index_refresh_seconds`` (so writes by the
  other workers count within a few seconds, even on an idle worker).

Applying a change is idempotent (a record is reloaded as it is *now*, or,
when the change is a write this worker committed, taken as written; any later
change comes later in the sequence), so reading a change twice, or a record
before its change, does no harm. Only
``open``, live records are indexed: a traced report or a reunited child has
nothing left to be matched with.

The lock makes index updates and searches exclusive; a search takes a few
milliseconds, a catch-up batch as long as normalizing its records.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from matcher.blocking.index import CandidateIndex
from matcher.decide import Thresholds
from matcher.errors import NotFound
from matcher.normalize.person import Person, normalize_record
from matcher.normalize.places import Gazetteer
from matcher.pipeline import Link, Linker, gc_paused
from matcher.records import RawRecord, RecordKind
from matcher.scoring.model import MatchModel
from matcher.scoring.score import TermCounts
from matcher.storage import repository as repo

#: At most this many written records wait for catch-up with their Person kept.
WRITTEN_CACHE_LIMIT = 200_000
#: Once catch-ups have applied this many changes since the last freeze, the new
#: index objects are frozen too (counted across catch-ups: an import applies
#: a thousand at a time).
FREEZE_AFTER_CHANGES = 10_000

log = logging.getLogger(__name__)

#: The background catch-up waits at most this long for a commit to publish its Persons.
PUBLISHING_PATIENCE_SECONDS = 10.0
#: Changes read per query while catching up.
CHANGE_PAGE = 2000
#: Candidates proposed to the review queue per written record (at most).
PROPOSALS_PER_RECORD = 10
#: Term frequencies are recomputed when an index has grown or shrunk by this share.
TF_REFRESH_SHARE = 0.10


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """The gazetteer codes a record is filed under: where a found child is, or its home."""

    state_code: str | None
    district_code: str | None


def jurisdiction_of(person: Person) -> Jurisdiction:
    """Where a record belongs for access control.

    A found child belongs where it was found (the care institution's district),
    falling back to the home it named; a missing report to the child's home.
    """
    place = person.home
    found_place = person.found_place
    if (
        person.kind is RecordKind.FOUND
        and found_place is not None
        and (found_place.district is not None or found_place.state is not None)
    ):
        place = found_place
    district = place.district.code if place.district is not None else None
    state = place.state.code if place.state is not None else None
    if state is None and place.district is not None:
        state = place.district.state.code
    return Jurisdiction(state, district)


def pair_jurisdiction(found: Person, missing: Person) -> repo.PairJurisdiction:
    """The six place codes a review item is visible under."""
    here = jurisdiction_of(found)
    home = found.home

    def code(value: Any) -> str | None:
        return None if value is None else str(value.code)

    missing_place = jurisdiction_of(missing)
    return repo.PairJurisdiction(
        found_state=here.state_code,
        found_district=here.district_code,
        found_home_state=code(home.state) or code(home.district.state if home.district else None),
        found_home_district=code(home.district),
        missing_state=missing_place.state_code,
        missing_district=missing_place.district_code,
    )


def explanation_of(link: Link) -> dict[str, Any]:
    """A link's explanation as stored with a review item (JSON)."""
    pair = link.pair
    return {
        "prior_weight": pair.prior_weight,
        "fields": [
            {
                "field": w.field,
                "level": w.level,
                "weight": w.weight,
                "tf_adjustment": w.tf_adjustment,
                "detail": w.detail,
            }
            for w in pair.weights
        ],
    }


class MatchingState:
    """Both indexes, their linkers and the change-sequence position of one worker."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        model: MatchModel,
        gazetteer: Gazetteer,
        thresholds: Thresholds,
        *,
        refresh_seconds: float = 2.0,
    ) -> None:
        self.session_factory = session_factory
        self.model = model
        self.gazetteer = gazetteer
        self.thresholds = thresholds
        self.refresh_seconds = refresh_seconds
        self._lock = threading.RLock()
        # Records this worker has just written, normalized already: catch-up
        # reuses them instead of normalizing the stored copy again (which was
        # a third of the import time). Keyed by version, so a record changed
        # meanwhile by another worker is normalized afresh.
        self._written: dict[tuple[RecordKind, str, int], Person] = {}
        # Where a session holds this state's kept Persons until it commits, and
        # how many commits are between the database's commit and publishing them.
        self._staged_key = ("matcher.written", id(self))
        self._listening_key = ("matcher.written.listening", id(self))
        self._publishing_key = ("matcher.written.publishing", id(self))
        self._publishing = 0
        self._publishing_since = 0.0
        self._indexes = {kind: CandidateIndex() for kind in RecordKind}
        self._terms = {kind: TermCounts() for kind in RecordKind}
        self._linkers: dict[RecordKind, Linker] = {}
        self._tf_size = dict.fromkeys(RecordKind, 0)
        self.seq = 0
        self._unfrozen = 0  # changes applied since the index objects were last frozen
        self.loaded = False
        self.last_catch_up = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- normalizing -------------------------------------------------------

    def remember_written(
        self,
        session: Session,
        kind: RecordKind,
        record_id: str,
        version: int,
        status: repo.RecordStatus,
        person: Person,
    ) -> None:
        """Keep the Person of a record written in ``session``, for catch-up to index.

        Held on the session until its outermost transaction commits; a rollback
        forgets it. Otherwise a rolled-back write (a refused atomic import)
        would be indexed in place of whatever is later committed under the same
        id and version. (Savepoints are not tracked: what a rolled-back
        savepoint wrote is kept until the outer transaction ends; nothing here
        writes records in a savepoint.) A record that is not open is not
        indexed, so it is not kept; past ``WRITTEN_CACHE_LIMIT`` records in one
        transaction, the rest are read back by catch-up instead.
        """
        if status is not repo.RecordStatus.OPEN:
            return
        staged = session.info.get(self._staged_key)
        if staged is None:
            staged = session.info[self._staged_key] = {}
            if not session.info.get(self._listening_key):
                event.listen(session, "before_commit", self._before_commit)
                event.listen(session, "after_commit", self._publish_written)
                event.listen(session, "after_transaction_end", self._transaction_ended)
                session.info[self._listening_key] = True
        if len(staged) < WRITTEN_CACHE_LIMIT:
            staged[(kind, record_id, version)] = person

    def _before_commit(self, session: Session) -> None:
        """The background catch-up waits while a commit's Persons are not yet published:
        between the database's commit and ``after_commit`` it would see the changes but
        not the Persons, and normalize the records again for nothing."""
        if session.info.get(self._staged_key) and not session.in_nested_transaction():
            with self._lock:
                if not self._publishing:
                    self._publishing_since = time.monotonic()
                self._publishing += 1
            session.info[self._publishing_key] = True

    def _publish_written(self, session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint released: the outer transaction may still roll back
        staged = session.info.pop(self._staged_key, None)
        if not staged:
            return
        with self._lock:
            if len(self._written) + len(staged) > WRITTEN_CACHE_LIMIT:
                self._written.clear()  # stale entries (records superseded meanwhile)
            self._written.update(staged)

    def _transaction_ended(self, session: Session, transaction: SessionTransaction) -> None:
        """The outermost transaction ended: what it wrote and did not commit is void."""
        if transaction.parent is not None:
            return
        session.info.pop(self._staged_key, None)
        if session.info.pop(self._publishing_key, False):
            with self._lock:
                self._publishing -= 1

    def normalize(self, raw: RawRecord) -> Person:
        return normalize_record(raw, self.gazetteer)

    # --- loading and catching up -------------------------------------------

    def load(self) -> None:
        """Build both indexes from the stored records (start-up).

        Only open, live records are read, as plain rows a page at a time
        (:func:`repository.iter_open_raw`); each is normalized as it comes,
        so memory holds the normalized records and one page of rows. The
        records are indexed at the end in one batch per kind: a bulk load is
        sorted into the index at once, where page by page most records went
        through the index's slower layer for records added later (500,000
        reports: 17 s against 24 s). The term frequencies come from counts
        kept along the way, not a second pass.
        """
        started = time.perf_counter()
        indexes = {kind: CandidateIndex() for kind in RecordKind}
        loaded: dict[RecordKind, list[Person]] = {kind: [] for kind in RecordKind}
        terms = {kind: TermCounts() for kind in RecordKind}
        normalize = self.normalize
        # No automatic collection while the indexes grow: it would walk the
        # millions of objects already indexed again and again (frozen below).
        with gc_paused():
            with self.session_factory() as session:
                # The position is read first: changes committed while we read the
                # records are applied again by the next catch-up, which is harmless.
                seq = repo.max_change_seq(session)
                for page, _ in repo.iter_open_raw(session):
                    persons = [normalize(raw) for raw in page]
                    for kind in RecordKind:
                        mine = [p for p in persons if p.kind is kind]
                        loaded[kind].extend(mine)
                        for person in mine:
                            terms[kind].add(person)
            for kind in RecordKind:
                indexes[kind].add_many(loaded[kind])
            del loaded
            # The indexes are millions of long-lived objects; a full garbage
            # collection walking them paused every request for 1-2 s at 100,000
            # records and 9-10 s at 1,000,000 (benchmarks/results/query.json).
            # Frozen objects are never scanned again. Frozen before the
            # collector is back on: a collection first (to keep garbage out of
            # the frozen set) found nothing to free at 1,000,000 records and,
            # with the young collection re-enabling it set off, took 10 of
            # the 85 s of start-up.
            gc.freeze()
        with self._lock:
            self._indexes = indexes
            self._terms = terms
            self._linkers = {}
            for kind in RecordKind:
                self._rebuild_linker(kind)
            self.seq = seq
            self.loaded = True
            self.last_catch_up = time.monotonic()
        log.info(
            "indexes loaded: %d missing reports, %d found children, change seq %d, %.1f s",
            len(self._indexes[RecordKind.MISSING]),
            len(self._indexes[RecordKind.FOUND]),
            seq,
            time.perf_counter() - started,
        )

    def _rebuild_linker(self, kind: RecordKind) -> None:
        """A linker over the index of ``kind``, with term frequencies of its records now."""
        index = self._indexes[kind]
        self._linkers[kind] = Linker(
            index,
            self.model,
            self.thresholds,
            tf=self._terms[kind].frequencies(),
            # A pair's prior is spread over the reports whichever side searches.
            reports=self._report_count,
        )
        self._tf_size[kind] = len(index)

    def _report_count(self) -> int:
        return len(self._indexes[RecordKind.MISSING])

    def _refresh_tf_if_drifted(self, kind: RecordKind) -> None:
        size, then = len(self._indexes[kind]), self._tf_size[kind]
        if abs(size - then) > max(TF_REFRESH_SHARE * then, 0 if then == 0 else 50):
            self._rebuild_linker(kind)

    def _put(self, kind: RecordKind, person: Person) -> None:
        """Index a record (replacing its older version), keeping the term counts right."""
        index = self._indexes[kind]
        old = index.get(person.id)
        if old is not None:
            self._terms[kind].remove(old)
        index.add(person)
        self._terms[kind].add(person)

    def _drop(self, kind: RecordKind, record_id: str) -> None:
        index = self._indexes[kind]
        old = index.get(record_id)
        if old is not None:
            self._terms[kind].remove(old)
        index.remove(record_id)

    def catch_up(self) -> int:
        """Apply every change committed since the last one applied; how many were applied."""
        applied = 0
        with self._lock:
            if not self.loaded:
                return 0
            with self.session_factory() as session:
                while True:
                    changes = repo.changed_since(session, self.seq, CHANGE_PAGE)
                    if not changes:
                        break
                    self._apply(session, changes)
                    self.seq = changes[-1].seq
                    applied += len(changes)
            if applied:
                for kind in RecordKind:
                    self._refresh_tf_if_drifted(kind)
                self._unfrozen += applied
                if self._unfrozen >= FREEZE_AFTER_CHANGES:
                    self._freeze()
            self.last_catch_up = time.monotonic()
        if applied:
            log.debug("caught up %d changes, now at seq %d", applied, self.seq)
        return applied

    def _freeze(self) -> None:
        """Take the index objects indexed since the last freeze out of garbage collection.

        Unfrozen, each full collection walked every record indexed so far: after
        each 100,000-row import request one ran, 0.6 s at 100,000 records, 1.7 s
        at 300,000, growing with the index. The young generations are
        collected first, so the garbage of the batch just written is not frozen
        with them (frozen objects are never collected).
        """
        gc.collect(1)
        gc.freeze()
        self._unfrozen = 0

    def _apply(self, session: Session, changes: Iterable[repo.ChangedRecord]) -> None:
        """Bring the changed records' index entries to what is stored (open ones only).

        Only each record's latest change in the page counts (a later page
        applies any later one). When that change is a write this worker
        committed itself, its Person is indexed as kept, with nothing read
        back. Otherwise versions and statuses are read first (two small
        columns), and the full text only of records not held normalized.
        """
        latest: dict[RecordKind, dict[str, int]] = {kind: {} for kind in RecordKind}
        for change in changes:
            latest[change.kind][change.record_id] = change.version
        for kind, versions in latest.items():
            others: list[str] = []
            for record_id, version in versions.items():
                person = self._written.pop((kind, record_id, version), None)
                if person is not None:
                    self._put(kind, person)
                else:
                    others.append(record_id)
            if not others:
                continue
            states = repo.record_states(session, kind, others)
            unknown: list[str] = []
            for record_id in others:
                now = states.get(record_id)
                if now is None or now.status is not repo.RecordStatus.OPEN:
                    self._drop(kind, record_id)
                    continue
                person = self._written.pop((kind, record_id, now.version), None)
                if person is not None:
                    self._put(kind, person)
                else:
                    unknown.append(record_id)
            if unknown:
                live = repo.get_records(session, kind, unknown)
                for record_id in unknown:
                    stored = live.get(record_id)
                    if stored is None or stored.status is not repo.RecordStatus.OPEN:
                        self._drop(kind, record_id)
                    else:
                        self._put(kind, self.normalize(stored.raw()))

    def start(self) -> None:
        """Start the background catch-up thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="matcher-catch-up", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.refresh_seconds):
            if not self._background_catch_up_due():
                continue
            try:
                self.catch_up()
            except Exception:  # a database hiccup must not kill the thread
                log.exception("catch-up failed; retrying in %.1f s", self.refresh_seconds)

    def _background_catch_up_due(self) -> bool:
        """Not while a writer is publishing what it kept (it catches up itself right
        after), unless that has lasted long: a session never ended must not stop this
        worker from seeing the others' writes."""
        return (
            not self._publishing
            or time.monotonic() - self._publishing_since > PUBLISHING_PATIENCE_SECONDS
        )

    # --- searching ---------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock:
            yield

    def size(self, kind: RecordKind) -> int:
        return len(self._indexes[kind])

    def candidates_for(
        self, person: Person, k: int, min_probability: float = 0.0, *, unindexed_reports: int = 0
    ) -> list[tuple[Link, Person]]:
        """The best ``k`` records of the other kind for ``person``, with the candidates' Persons.

        ``unindexed_reports`` counts reports written but not yet indexed (earlier
        records of the same import batch): the pair prior counts them, as it
        would had each been written, committed and indexed on its own.
        """
        other = person.kind.other
        with self._lock:
            linker = self._linkers.get(other)
            if linker is None or len(self._indexes[other]) == 0:
                return []  # nothing to search (and no blocking keys to compute)
            reports = self._report_count() + unindexed_reports if unindexed_reports else None
            links = linker.best(person, k, min_probability=min_probability, reports=reports)
            index = self._indexes[other]
            out: list[tuple[Link, Person]] = []
            for link in links:
                candidate_id = (
                    link.pair.missing_id if other is RecordKind.MISSING else link.pair.found_id
                )
                candidate = index.get(candidate_id)
                if candidate is not None:
                    out.append((link, candidate))
            return out

    def propose(self, session: Session, stored: repo.StoredRecord, person: Person) -> list[int]:
        """Match a just-written record against the other kind; queue pairs at the review threshold.

        Runs inside the writer's transaction, so the record and its proposals
        commit together. Returns the ids of review items created or refreshed.
        """
        if stored.status is not repo.RecordStatus.OPEN or stored.deleted:
            return []
        proposed: list[int] = []
        found_links = self.candidates_for(
            person, PROPOSALS_PER_RECORD, self.thresholds.review_threshold
        )
        for link, candidate in found_links:
            if link.decision is None:
                continue
            found, missing = (
                (person, candidate)
                if person.kind is RecordKind.FOUND
                else (
                    candidate,
                    person,
                )
            )
            try:
                result = repo.propose_pair(
                    session,
                    link.pair.found_id,
                    link.pair.missing_id,
                    score=link.pair.match_probability,
                    match_weight=link.pair.match_weight,
                    decision=link.decision.value,
                    explanation=explanation_of(link),
                    model_version=self.model.version,
                    found_version=stored.version if person.kind is RecordKind.FOUND else None,
                    missing_version=stored.version if person.kind is RecordKind.MISSING else None,
                    jurisdiction=pair_jurisdiction(found, missing),
                )
            except NotFound:
                # The candidate was deleted by another worker after our index saw it.
                continue
            if result.item is not None and result.outcome in (
                repo.ProposeOutcome.CREATED,
                repo.ProposeOutcome.UPDATED,
            ):
                proposed.append(result.item.id)
        return proposed

    def propose_many(
        self, session: Session, written: Sequence[tuple[repo.UpsertResult, Person]]
    ) -> list[tuple[int, ...]]:
        """:meth:`propose` for a batch of just-written records, queued with a few statements.

        Each record is matched as :meth:`propose` matches it; the pairs of the
        whole batch then go to :func:`repository.propose_pairs`, which inserts
        the new ones together (in an import nearly all are new: one of the two
        records was created in this transaction). Returns, per record, the ids
        of review items created or refreshed. Runs inside the writer's
        transaction, so the records and their proposals commit together.
        """
        proposals: list[repo.PairProposal] = []
        owners: list[int] = []
        threshold = self.thresholds.review_threshold
        # Reports created earlier in this batch are not indexed until the
        # commit; each record's prior counts them, as one-by-one writes would.
        earlier_reports = 0
        for n, (result, person) in enumerate(written):
            unindexed = earlier_reports
            if person.kind is RecordKind.MISSING and result.outcome is repo.UpsertOutcome.CREATED:
                earlier_reports += 1
            if result.status is not repo.RecordStatus.OPEN:
                continue
            for link, candidate in self.candidates_for(
                person, PROPOSALS_PER_RECORD, threshold, unindexed_reports=unindexed
            ):
                if link.decision is None:
                    continue
                found, missing = (
                    (person, candidate) if person.kind is RecordKind.FOUND else (candidate, person)
                )
                proposals.append(
                    repo.PairProposal(
                        found_id=link.pair.found_id,
                        missing_id=link.pair.missing_id,
                        score=link.pair.match_probability,
                        match_weight=link.pair.match_weight,
                        decision=link.decision,
                        explanation=explanation_of(link),
                        model_version=self.model.version,
                        found_version=result.version if person.kind is RecordKind.FOUND else None,
                        missing_version=(
                            result.version if person.kind is RecordKind.MISSING else None
                        ),
                        jurisdiction=pair_jurisdiction(found, missing),
                    )
                )
                owners.append(n)
        items: list[list[int]] = [[] for _ in written]
        queued = (repo.ProposeOutcome.CREATED, repo.ProposeOutcome.UPDATED)
        if proposals:
            for n, outcome in zip(owners, repo.propose_pairs(session, proposals), strict=True):
                if outcome is not None and outcome.item is not None and outcome.outcome in queued:
                    items[n].append(outcome.item.id)
        return [tuple(ids) for ids in items]
