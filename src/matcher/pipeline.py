"""link(): normalize, block, score, decide: the whole engine in one place.

A :class:`Linker` holds what scoring needs (model, thresholds, term
frequencies, the candidate index over one kind) and answers "the best k
candidates for this record"; :func:`link` runs it over a batch of found
children, in several processes when asked.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from matcher.blocking.index import CandidateIndex
from matcher.decide import Decision, Thresholds, decide
from matcher.normalize.person import Person, normalize_record
from matcher.normalize.places import Gazetteer
from matcher.records import RawRecord, RecordKind
from matcher.scoring.comparisons import family_level
from matcher.scoring.model import MatchModel
from matcher.scoring.score import (
    ScoredPair,
    TermFrequencies,
    WeightTable,
    competition_penalties,
    competition_weight,
    pair_weight,
    probability,
    score_pair,
)

#: How many of the best-sharing candidates the model scores per record.
DEFAULT_CANDIDATES = 150
#: Share of missing reports that are a second report of the same child (for dedupe's prior).
DUPLICATE_SHARE = 0.05
#: Candidates within this many bits of the best are checked for being one child reported twice.
SAME_CHILD_BITS = 6.0
SAME_CHILD_MAX = 6
SAME_CHILD_PROBABILITY = 0.5


@dataclass(frozen=True, slots=True)
class Link:
    """A scored pair with its place in the queue and its rank among the child's candidates."""

    pair: ScoredPair
    decision: Decision | None
    rank: int


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic garbage collection inside the block.

    Normalizing or indexing tens of thousands of records creates millions of
    long-lived objects and no reference cycles; the collector would walk them
    again and again for nothing (a third of normalization's CPU time at
    50,000 records). Reference counting still frees what is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def normalize_all(
    records: Iterable[RawRecord], gazetteer: Gazetteer, *, today: date | None = None
) -> list[Person]:
    """Normalize a batch of records (problems stay on each Person)."""
    with gc_paused():
        return [normalize_record(r, gazetteer, today=today) for r in records]


class Linker:
    """Scores records of one kind against an index of the other."""

    def __init__(
        self,
        index: CandidateIndex,
        model: MatchModel,
        thresholds: Thresholds | None = None,
        *,
        tf: TermFrequencies | None = None,
        candidates: int = DEFAULT_CANDIDATES,
        reported_share: float | None = None,
        reports: Callable[[], int] | None = None,
    ) -> None:
        self.index = index
        self.model = model
        self.weights = WeightTable.of(model)
        self.thresholds = thresholds or Thresholds()
        self.tf = tf if tf is not None else TermFrequencies.from_persons(index.persons())
        self.candidates = candidates
        self.reported_share = reported_share
        self._reports = reports

    def prior_weight(self) -> float:
        """The prior of one pair: the share of found children reported, over the reports.

        It is a property of the pair, the same whichever side searches: a
        report searching found children (``reports`` gives the number of
        reports stored) has the prior a found child searching those reports
        has, not one spread over the found children, which would be far too
        high when few children are found and many reported.
        """
        reports = self._reports() if self._reports is not None else len(self.index)
        return self.model.prior_weight(reports, self.reported_share)

    def best(
        self,
        person: Person,
        k: int = 10,
        *,
        min_probability: float = 0.0,
        reports: int | None = None,
    ) -> list[Link]:
        """The ``k`` best-scoring indexed records for one record, best first.

        Every candidate is ranked by its match weight alone; only the pairs
        returned are compared again with their explanations. ``reports``
        overrides the number of reports the prior is spread over (see
        :meth:`prior_weight`).
        """
        prior = (
            self.prior_weight()
            if reports is None
            else self.model.prior_weight(reports, self.reported_share)
        )
        pairs: list[tuple[Person, Person]] = []
        others: list[Person] = []
        for candidate in self.index.candidates(person, self.candidates):
            other = candidate.person
            if person.kind is RecordKind.MISSING and other.kind is RecordKind.FOUND:
                # A missing report searching found children: pairs keep (found, missing) order.
                pairs.append((other, person))
            else:
                pairs.append((person, other))
            others.append(other)
        weights = [pair_weight(f, m, self.weights, self.tf, prior) for f, m in pairs]
        groups = self._same_child_groups(weights, others)
        penalties = competition_penalties(weights, groups)
        final = [w + p for w, p in zip(weights, penalties, strict=True)]
        order = sorted(
            range(len(pairs)),
            key=lambda i: (-final[i], pairs[i][1].id, pairs[i][0].id),
        )
        links: list[Link] = []
        for i in order[:k]:
            if probability(final[i]) < min_probability:
                break
            full = score_pair(*pairs[i], self.weights, self.tf, prior)
            lines = full.weights
            if len(pairs) > 1:
                lines = (*lines, competition_weight(i, weights, groups, penalties[i]))
            pair = ScoredPair(
                found_id=full.found_id,
                missing_id=full.missing_id,
                match_weight=final[i],
                match_probability=probability(final[i]),
                prior_weight=prior,
                weights=lines,
            )
            links.append(
                Link(pair, decide(pair.match_probability, self.thresholds), len(links) + 1)
            )
        return links

    def _same_child_groups(self, weights: Sequence[float], people: Sequence[Person]) -> list[int]:
        """Group the strongest candidates that are one child reported twice.

        Only candidates within a few bits of the best can change a
        probability much, so only they are compared with each other, with
        dedupe's prior (a report is rarely a second report).
        """
        groups = list(range(len(weights)))
        if len(weights) < 2:
            return groups
        best = max(weights)
        strong = [i for i, w in enumerate(weights) if w > best - SAME_CHILD_BITS]
        strong = sorted(strong, key=lambda i: -weights[i])[:SAME_CHILD_MAX]
        prior = self.model.prior_weight(len(self.index), DUPLICATE_SHARE)
        for a_pos, a in enumerate(strong):
            for b in strong[a_pos + 1 :]:
                if groups[b] != b:
                    continue
                twin = pair_weight(people[a], people[b], self.weights, self.tf, prior)
                if probability(twin) >= SAME_CHILD_PROBABILITY and not _conflicting_family(
                    people[a], people[b]
                ):
                    groups[b] = groups[a]
        return groups


def _conflicting_family(one: Person, other: Person) -> bool:
    """Two reports that name different parents are two children.

    The model's family weights are learnt on found children, who often get a
    parent's name wrong; two reports are written by adults who know the child,
    so a disagreement there is strong evidence of two different children.
    """
    return family_level(one, other)[0] in ("different", "mixed")


# The worker processes inherit the linker through fork instead of pickling it.
_WORKER_LINKER: Linker | None = None


def _link_chunk(chunk: Sequence[Person]) -> list[Link]:
    assert _WORKER_LINKER is not None
    linker = _WORKER_LINKER
    out: list[Link] = []
    # Ranking fills the comparison caches with long-lived entries and makes no
    # cycles worth collecting mid-chunk; linking in-process, collections resume
    # between chunks (forked workers never collect: see ``link``).
    with gc_paused():
        for person in chunk:
            out.extend(
                linker.best(
                    person,
                    k=linker.candidates,
                    min_probability=linker.thresholds.review_threshold,
                )
            )
    return out


def link(
    found: Sequence[Person],
    missing: Sequence[Person],
    model: MatchModel,
    thresholds: Thresholds | None = None,
    *,
    candidates: int = DEFAULT_CANDIDATES,
    workers: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> list[Link]:
    """Every (found, missing) pair at or above the review threshold, best first per child."""
    global _WORKER_LINKER
    with gc_paused():
        linker = Linker(CandidateIndex(missing), model, thresholds, candidates=candidates)
        # The index is long-lived: freezing it spares every garbage collection a
        # walk over it and keeps forked workers from touching (copying) its pages.
        # No full collection first: reading, normalizing and indexing make no
        # reference cycles (one found nothing to collect at 50,000 reports and
        # took 0.5 s; about 3 s at 500,000). Frozen before the collector is back,
        # or its first young collection walks every index object.
        gc.freeze()
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    chunk_size = 200
    chunks = [found[i : i + chunk_size] for i in range(0, len(found), chunk_size)]
    links: list[Link] = []
    if workers <= 1 or len(chunks) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        _WORKER_LINKER = linker
        try:
            for chunk in chunks:
                links.extend(_link_chunk(chunk))
                if progress:
                    progress(len(chunk))
        finally:
            _WORKER_LINKER = None
        return links
    _WORKER_LINKER = linker
    try:
        context = multiprocessing.get_context("fork")
        # Workers never collect: ranking makes no reference cycles (gc.collect()
        # after each of ten 200-child chunks found nothing at 50,000 reports),
        # and each collection between chunks walked the comparison caches
        # (about 2 s of a 500,000-report run per worker).
        with context.Pool(workers, initializer=gc.disable) as pool:
            for chunk, result in zip(chunks, pool.imap(_link_chunk, chunks), strict=True):
                links.extend(result)
                if progress:
                    progress(len(chunk))
    finally:
        _WORKER_LINKER = None
    return links


def dedupe(
    missing: Sequence[Person],
    model: MatchModel,
    thresholds: Thresholds | None = None,
    *,
    candidates: int = DEFAULT_CANDIDATES,
) -> list[ScoredPair]:
    """Pairs of missing reports that are likely the same child reported twice.

    Each pair is met from both of its reports, and the two readings differ:
    the dates and height comparisons read the searching report as the later
    one (a report dated months before the other reads as "found first"), and
    each report has its own rivals. The reading in which the later report
    searches is kept; with equal or unknown dates, the better one. Ties are
    broken by the ids, so the list does not depend on the input order.
    """
    linker = Linker(
        CandidateIndex(missing),
        model,
        thresholds,
        candidates=candidates,
        reported_share=DUPLICATE_SHARE,
    )
    dates = {p.id: p.record_date for p in missing}
    best: dict[frozenset[str], tuple[tuple[bool, float, str], ScoredPair]] = {}
    for person in missing:
        for result in linker.best(person, k=candidates):
            if result.decision is None:
                continue
            pair = result.pair
            searching, other = dates.get(pair.found_id), dates.get(pair.missing_id)
            later_searches = searching is not None and other is not None and searching > other
            rank = (later_searches, pair.match_weight, pair.missing_id)
            key = frozenset((pair.found_id, pair.missing_id))
            kept = best.get(key)
            if kept is None or rank > kept[0]:
                best[key] = (rank, pair)
    pairs = [pair for _, pair in best.values()]
    return sorted(pairs, key=lambda p: (-p.match_weight, p.found_id, p.missing_id))
