"""An in-memory candidate index: the best candidates for one record, fast.

Records are indexed under their blocking keys. A query gathers every record
that shares a key with it and ranks them by the summed rarity (inverse
document frequency) of the keys they share; only the ``limit`` best are
scored by the model. A true pair usually shares several keys (a name sound,
the father's name, district and birth year), two strangers at most one
common one, so the cut keeps recall while bounding work.

Keys shared by very many records ("n:rj" for Raju) are not dropped: their
members are first filtered by birth year, which is cheap and vectorised.
Before the cut, candidates of the other sex, of a far birth year, or
reported missing after the child was found drop in rank.

The index accepts added, changed and removed records: a changed record gets
a new slot and the old one is marked dead; :meth:`CandidateIndex.compact`
rebuilds the postings when dead slots pile up.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.blocking.keys import blocking_keys, key_family
from matcher.normalize.person import Person
from matcher.records import RecordKind, Sex
from matcher.scoring.comparisons import DATE_SLACK_DAYS

#: Candidates scoring below this share of the best candidate's retrieval score are
#: not scored. On development data (seed 1) 99.7% of the true pairs among the
#: best 150 candidates clear it, while it removes a third of the candidates.
MIN_RETRIEVAL_RATIO = 0.4
#: Records added one by one (or in small batches) before they are merged into the bulk
#: postings; or a quarter of those already there, whichever is more, so that merging
#: costs a constant per record. A larger batch is merged in at once.
FOLD_RECORDS = 2_500
#: Postings longer than this are filtered by birth year before counting.
LARGE_BLOCK = 2000
#: Years of difference in birth-year midpoints beyond which a large block's member is skipped.
LARGE_BLOCK_YEARS = 5.0
#: Retrieval score taken off per year between the birth-year midpoints: a tie-break.
#: Records sharing the same keys tie, and a common name's block ties by the
#: thousand; the cut used to keep an arbitrary ``limit`` of them. Small (20
#: years: 0.002, where one shared key weighs at least log 2 = 0.69): it only
#: reorders records whose scores are within 0.002 of each other.
YEAR_TIE_BREAK = 1e-4
#: Ranking penalties (natural log, as the key scores) for facts that make a
#: candidate unlikely whatever keys it shares: the sexes differ, the birth
#: years are far apart, or the child was found well before going missing.
#: Sharing a common name with the same sex and a close age is worth more than
#: sharing a rarer one with neither. They only reorder the candidates; the
#: model scores each pair in full. Sizes are the shipped model's weights for
#: these levels (about -4 bits each), rounded down; the age penalty takes
#: the birth midpoints, a coarser view than the model's intervals, so it
#: waits for a wider gap than the model's ``differs``.
SEX_PENALTY = 2.5
AGE_PENALTY = 3.0
AGE_PENALTY_YEARS = 4.0
FOUND_FIRST_PENALTY = 2.5
_SEX_CODE = {Sex.MALE: 1, Sex.FEMALE: 2, Sex.OTHER: 3}


@dataclass(frozen=True, slots=True)
class Candidate:
    """A record that shares blocking keys with the query, and how telling they are."""

    person: Person
    retrieval_score: float
    """The shared keys' rarity; when the candidates were cut, less the rank penalties."""
    shared_families: int
    """How many families of keys (name, father, mother, phone, place) it shares."""


@dataclass(frozen=True, slots=True)
class _HashedPostings:
    """Postings in three arrays, found by the hash of the key: a bulk load's layout.

    ``hashes`` are the keys' hashes, sorted and unique; the slots of the key
    ``hashes[i]`` are ``slots[bounds[i]:bounds[i + 1]]``, ascending. One sort
    builds it: at 500,000 reports a dict of 1.3 million small arrays took
    7-10 s to fill (a cache miss or more for each of 10.5 million key
    occurrences) and held the key strings besides. Python's string hash
    differs between processes, so the postings live in one process and the
    workers forked from it. Two keys with one 64-bit hash would share their
    slots: a few more candidates to rank, never one lost.
    """

    hashes: npt.NDArray[np.int64]
    bounds: npt.NDArray[np.int64]
    slots: npt.NDArray[np.int64]

    @classmethod
    def empty(cls) -> _HashedPostings:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, np.zeros(1, dtype=np.int64), none)

    def merged(self, pairs: list[npt.NDArray[np.int64]]) -> _HashedPostings:
        """These postings and ``[key hashes, slots]`` of records added since.

        Only the new pairs are sorted; they are then inserted into the sorted
        pairs already here, each after the old ones of its key (the new slots
        all follow the old). Folding records into half a million others costs
        a few copies of the arrays, not a sort of them all. ``pairs`` is
        emptied, so that each input array is freed as soon as it is used (at
        500,000 reports each is 84 MB).
        """
        hashes, slots = pairs
        pairs.clear()
        if not len(hashes):
            return self
        order = np.argsort(hashes, kind="stable")
        hashes = hashes[order]
        slots = slots[order]
        del order
        if len(self.slots):
            where = self.bounds[np.searchsorted(self.hashes, hashes, side="right")]
            hashes = np.insert(self.pair_hashes(), where, hashes)
            slots = np.insert(self.slots, where, slots)
        if not len(hashes):
            return _HashedPostings.empty()
        starts = np.flatnonzero(hashes[1:] != hashes[:-1]) + 1
        bounds = np.concatenate(([0], starts, [len(hashes)])).astype(np.int64)
        return _HashedPostings(hashes[bounds[:-1]], bounds, slots)

    def __len__(self) -> int:
        """The number of (key, slot) pairs."""
        return len(self.slots)

    def get(self, key_hash: int) -> npt.NDArray[np.int64] | None:
        i = int(np.searchsorted(self.hashes, key_hash))
        if i == len(self.hashes) or self.hashes[i] != key_hash:
            return None
        return self.slots[self.bounds[i] : self.bounds[i + 1]]

    def pair_hashes(self) -> npt.NDArray[np.int64]:
        """The hash of each slot's key, parallel to ``slots``."""
        return np.repeat(self.hashes, np.diff(self.bounds))


class CandidateIndex:
    """Blocking-key postings over the records of one kind."""

    def __init__(self, persons: Iterable[Person] = ()) -> None:
        self._clear()
        self.add_many(persons)

    def _clear(self) -> None:
        """No records: empty postings and per-slot arrays."""
        self._slots: list[Person | None] = []
        self._slot_of: dict[str, int] = {}
        # Two layers of postings: the bulk of the records in _HashedPostings,
        # built by one sort, and the records added since, a typed array per
        # key (a query turns each into a numpy array, a memcpy from an array;
        # a list of ints is read one by one). The later layer is folded into
        # the bulk one when it has grown to a quarter of it.
        self._base = _HashedPostings.empty()
        self._base_records = 0
        self._postings: dict[str, array[int]] = {}
        self._later_records = 0
        self._arrays: dict[str, npt.NDArray[np.int64]] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._birth_mid = np.zeros(0, dtype=np.float32)
        self._sex = np.zeros(0, dtype=np.int8)
        self._day = np.zeros(0, dtype=np.int32)
        """The record's date as a proleptic ordinal (0: unknown)."""
        self._found = np.zeros(0, dtype=bool)
        self._dead = 0

    # --- maintenance -----------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._slot_of

    def get(self, record_id: str) -> Person | None:
        slot = self._slot_of.get(record_id)
        return None if slot is None else self._slots[slot]

    def persons(self) -> Iterable[Person]:
        for slot in self._slot_of.values():
            person = self._slots[slot]
            if person is not None:
                yield person

    def _grow(self, extra: int) -> None:
        need = len(self._slots) + extra
        if need > self._alive.shape[0]:
            size = max(need, int(self._alive.shape[0] * 1.5) + 1024)
            self._alive = _grown(self._alive, size)
            self._birth_mid = _grown(self._birth_mid, size, fill=np.nan)
            self._sex = _grown(self._sex, size)
            self._day = _grown(self._day, size)
            self._found = _grown(self._found, size)

    def add_many(self, persons: Iterable[Person]) -> None:
        """Add records; a record whose id is already indexed replaces the old version."""
        batch = list(persons)
        self._grow(len(batch))
        if len(batch) >= max(FOLD_RECORDS, self._base_records // 4):
            self._rebuild_base(batch)
        else:
            for person in batch:
                self._post(*self._place(person))
            self._fold_if_grown()
        self._compact_if_dead()

    def add(self, person: Person) -> None:
        """Add or replace one record."""
        self._grow(1)
        self._post(*self._place(person))
        self._fold_if_grown()
        self._compact_if_dead()

    def _place(self, person: Person) -> tuple[int, frozenset[str]]:
        """Give ``person`` the next slot (forgetting an older version): the slot and its keys."""
        if person.id in self._slot_of:
            self._forget(person.id)
        slot = len(self._slots)
        self._slots.append(person)
        self._slot_of[person.id] = slot
        self._alive[slot] = True
        if person.birth is not None:
            self._birth_mid[slot] = _year(person)
        self._sex[slot] = _sex_code(person)
        self._day[slot] = person.record_date.toordinal() if person.record_date else 0
        self._found[slot] = person.kind is RecordKind.FOUND
        return slot, blocking_keys(person)

    def _post(self, slot: int, keys: frozenset[str]) -> None:
        """Post one record's keys in the later layer."""
        postings = self._postings
        for key in keys:
            slots = postings.get(key)
            if slots is None:
                postings[key] = array("q", (slot,))
            else:
                slots.append(slot)
        self._later_records += 1
        arrays = self._arrays
        if arrays:  # query-time arrays of the postings just grown are stale
            for key in keys:
                arrays.pop(key, None)

    def _fold_if_grown(self) -> None:
        if self._later_records >= max(FOLD_RECORDS, self._base_records // 4):
            self._rebuild_base(())

    def _rebuild_base(self, batch: Sequence[Person]) -> None:
        """The later layer and the records of ``batch`` merged into the bulk layer.

        Each key's slots stay ascending: the later layer's slots all follow
        the bulk layer's, and a new batch's follow both. A batch's keys are
        hashed as each record is placed and then dropped: kept until the sort,
        the key strings of 500,000 records took a gigabyte.
        """
        records = self._base_records + self._later_records + len(batch)
        pairs = self._pairs(batch)
        self._postings = {}
        self._arrays = {}
        self._base = self._base.merged(pairs)
        self._base_records = records
        self._later_records = 0

    def _pairs(self, batch: Sequence[Person]) -> list[npt.NDArray[np.int64]]:
        """[key hashes, slots] of the later layer and of ``batch`` (placed now)."""
        hashes: list[npt.NDArray[np.int64]] = []
        slots: list[npt.NDArray[np.int64]] = []
        if self._postings:
            later_hashes = array("q")
            later_slots = array("q")
            for key, posted in self._postings.items():
                later_hashes.extend(repeat(hash(key), len(posted)))
                later_slots.extend(posted)
            hashes.append(np.frombuffer(later_hashes, dtype=np.int64))
            slots.append(np.frombuffer(later_slots, dtype=np.int64))
        if batch:
            new_hashes = array("q")
            new_slots = array("q")
            for person in batch:
                slot, keys = self._place(person)
                new_hashes.extend(map(hash, keys))
                new_slots.extend(repeat(slot, len(keys)))
            hashes.append(np.frombuffer(new_hashes, dtype=np.int64))
            slots.append(np.frombuffer(new_slots, dtype=np.int64))
        return [_joined(hashes), _joined(slots)]

    def remove(self, record_id: str) -> bool:
        """Forget a record; returns whether it was indexed."""
        forgotten = self._forget(record_id)
        if forgotten:
            self._compact_if_dead()
        return forgotten

    def _forget(self, record_id: str) -> bool:
        slot = self._slot_of.pop(record_id, None)
        if slot is None:
            return False
        self._slots[slot] = None
        self._alive[slot] = False
        self._dead += 1
        return True

    def _compact_if_dead(self) -> None:
        if self._dead > 1000 and self._dead > len(self._slot_of) // 4:
            self.compact()

    def compact(self) -> None:
        """Rebuild the postings without dead slots."""
        alive = [p for p in self._slots if p is not None]
        self._clear()
        self.add_many(alive)

    # --- queries ---------------------------------------------------------

    def _array(self, key: str) -> npt.NDArray[np.int64] | None:
        arr = self._arrays.get(key)
        if arr is None:
            bulk = self._base.get(hash(key))
            later = self._postings.get(key)
            if later:
                # A copy: a view would stop the typed array from growing.
                added = np.array(later, dtype=np.int64)
                arr = added if bulk is None else np.concatenate((bulk, added))
            elif bulk is None:
                return None
            else:
                arr = bulk
            self._arrays[key] = arr
        return arr

    def document_frequency(self, key: str) -> int:
        bulk = self._base.get(hash(key))
        return (0 if bulk is None else len(bulk)) + len(self._postings.get(key, ()))

    def candidates(
        self, person: Person, limit: int = 150, *, min_ratio: float = MIN_RETRIEVAL_RATIO
    ) -> list[Candidate]:
        """The ``limit`` indexed records sharing the most telling keys with ``person``.

        Records whose retrieval score is below ``min_ratio`` times the best
        one's are dropped: they share only a common key while others share
        several rare ones.
        """
        n = max(len(self._slot_of), 1)
        query_mid = _year(person) if person.birth is not None else None
        by_family: dict[str, list[tuple[npt.NDArray[np.int64], float]]] = {}
        for key in blocking_keys(person, query=True):
            arr = self._array(key)
            if arr is None:
                continue
            idf = math.log(1 + n / len(arr))
            if len(arr) > LARGE_BLOCK and query_mid is not None:
                mids = self._birth_mid[arr]
                keep = np.isnan(mids) | (np.abs(mids - query_mid) <= LARGE_BLOCK_YEARS)
                arr = arr[keep]
            by_family.setdefault(key_family(key), []).append((arr, idf))
        if not by_family:
            return []
        # A batch index has no dead slots: skip the filter (a third of this call's gathers).
        alive = self._alive if self._dead else None
        unique, scores, counts = _shared_key_scores(list(by_family.values()), alive)
        if not len(unique):
            return []
        if min_ratio > 0:
            kept = np.flatnonzero(scores >= min_ratio * scores.max())
            unique, scores, counts = unique[kept], scores[kept], counts[kept]
        if len(unique) > limit:
            scores = scores - self._penalties(person, unique, query_mid)
            if query_mid is not None:
                # Among records sharing the same keys, the nearer birth years first.
                gap = np.abs(self._birth_mid[unique] - query_mid)
                scores -= YEAR_TIE_BREAK * np.nan_to_num(gap, nan=LARGE_BLOCK_YEARS)
            top = np.argpartition(-scores, limit - 1)[:limit]
        else:
            top = np.arange(len(unique))
        top = top[np.argsort(-scores[top], kind="stable")]
        result = []
        for i in top:
            candidate = self._slots[int(unique[i])]
            if candidate is None or (candidate.kind == person.kind and candidate.id == person.id):
                continue  # a record is not its own candidate (dedupe within one kind)
            result.append(Candidate(candidate, float(scores[i]), int(counts[i])))
        return result

    def _penalties(
        self, person: Person, slots: npt.NDArray[np.int64], query_mid: float | None
    ) -> npt.NDArray[np.float64]:
        """What the sex, the birth years and the dates take off each candidate's rank score
        (a found date counts as early with the model's slack, ``DATE_SLACK_DAYS``)."""
        penalty = np.zeros(len(slots), dtype=np.float64)
        sex = _sex_code(person)
        if sex:
            theirs = self._sex[slots]
            penalty[(theirs != 0) & (theirs != sex)] += SEX_PENALTY
        if query_mid is not None:
            with np.errstate(invalid="ignore"):
                far = np.abs(self._birth_mid[slots] - query_mid) > AGE_PENALTY_YEARS
            penalty[far] += AGE_PENALTY
        if person.record_date is not None:
            day = person.record_date.toordinal()
            days = self._day[slots].astype(np.int64)
            known = days != 0
            found_side = self._found[slots]
            if person.kind is RecordKind.FOUND:
                early = known & ~found_side & (day < days - DATE_SLACK_DAYS)
            else:
                early = known & found_side & (days < day - DATE_SLACK_DAYS)
            penalty[early] += FOUND_FIRST_PENALTY
        return penalty


def _joined(parts: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
    """The non-empty parts end to end (the only one itself, without a copy)."""
    kept = [part for part in parts if len(part)]
    if len(kept) == 1:
        return kept[0]
    return np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)


def _sex_code(person: Person) -> int:
    """The sex as a small integer for the index's arrays (0: not known)."""
    return 0 if person.sex is None else _SEX_CODE[person.sex]


def _grown(values: npt.NDArray[Any], size: int, fill: Any = 0) -> npt.NDArray[Any]:
    """``values`` in an array of ``size``, ``fill`` past its end."""
    grown = np.full(size, fill, dtype=values.dtype)
    grown[: values.shape[0]] = values
    return grown


def _shared_key_scores(
    families: list[list[tuple[npt.NDArray[np.int64], float]]],
    alive: npt.NDArray[np.bool_] | None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Each live record's retrieval score: the sum over families of its rarest shared key.

    The keys of one family say the same thing several ways ("Rahul", "Rahul,
    boy", "Rahul, born 2010"): counting all of them would let a common name
    outweigh a shared father and district. Measured on development data, the
    maximum per family raised the share of true pairs in the best 100 from
    0.917 to 0.936.

    ``alive`` marks the live slots (``None``: all are). Returns the records'
    slots (ascending), their scores and how many families each shares.

    One stable sort does it all: the postings are laid
    out family by family, rarest key first within a family, so that after
    sorting by slot the first entry of each (slot, family) run is that
    family's maximum, and the families' maxima follow each other in family
    order (the sums are added in the same order as before, to the last bit).
    Each posting is already sorted, so the sort merges runs; it replaced a
    two-key sort per family and a third sort over all of them.
    """
    arrays: list[npt.NDArray[np.int64]] = []
    weights: list[float] = []
    family_of: list[int] = []
    for number, family in enumerate(families):
        for arr, idf in sorted(family, key=lambda item: -item[1]):
            arrays.append(arr)
            weights.append(idf)
            family_of.append(number)
    sizes = [len(arr) for arr in arrays]
    slots = np.concatenate(arrays)
    slot_weights = np.repeat(np.asarray(weights), sizes)
    slot_families = np.repeat(np.asarray(family_of, dtype=np.int64), sizes)
    if alive is not None:
        live = alive[slots]
        slots, slot_weights, slot_families = slots[live], slot_weights[live], slot_families[live]
    if not len(slots):
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0, dtype=np.float64), empty
    order = np.argsort(slots, kind="stable")
    slots, slot_weights, slot_families = slots[order], slot_weights[order], slot_families[order]
    new_slot = np.empty(len(slots), dtype=bool)
    new_slot[0] = True
    np.not_equal(slots[1:], slots[:-1], out=new_slot[1:])
    first = new_slot.copy()
    first[1:] |= slot_families[1:] != slot_families[:-1]
    slots, slot_weights, new_slot = slots[first], slot_weights[first], new_slot[first]
    # bincount adds in input order, as before; np.add.reduceat would not (it
    # adds pairwise) and moved scores in the last bit.
    record = np.cumsum(new_slot) - 1
    scores = np.bincount(record, weights=slot_weights).astype(np.float64, copy=False)
    counts = np.bincount(record).astype(np.int64, copy=False)
    return slots[new_slot], scores, counts


def _year(person: Person) -> float:
    birth = person.birth
    assert birth is not None
    mid = birth.midpoint
    return mid.year + (mid.timetuple().tm_yday - 1) / 365.25
