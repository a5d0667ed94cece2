"""Scoring a pair: comparisons, their weights, term frequencies and the prior.

A :class:`ScoredPair` keeps the weight of every comparison with its detail,
so that the score decomposes exactly into the parts a caseworker sees:
``match_weight = prior_weight + sum(w.weight for w in weights)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from matcher.normalize.person import Person
from matcher.scoring.comparisons import (
    COMPARISONS,
    NULL,
    PLACE_CONTEXT_OF,
    Comparison,
    LevelFunction,
)
from matcher.scoring.model import PLACE_CONTEXTS, MatchModel

#: A term-frequency adjustment never moves a level by more than this many bits:
#: a one-off spelling is not proof, and a very common name still says something.
TF_ADJUSTMENT_LIMIT = 6.0
#: Share of the term-frequency evidence counted (Splink's ``tf_adjustment_weight``).
#: Names are not independent of place: two strangers with a rare Tamil name are
#: likely both from Tamil Nadu, so counting all of a rare name's rarity on top
#: of the district's agreement double-counts. At full weight, pairs scored
#: 0.90-0.97 were true 75% of the time on development data (seed 1); at half
#: weight the probabilities are calibrated again.
TF_ADJUSTMENT_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class TermFrequencies:
    """How common each name sound is among the records searched.

    ``name`` counts the strict keys of the children's given names (and
    nicknames), ``father`` of fathers' first names. A shared "Raju" is weaker
    evidence than a shared "Tanveer"; these tables say how much weaker.
    """

    name: dict[str, float]
    father: dict[str, float]
    floor: float
    name_agreement: float = 0.0
    """Chance two random records share a name sound: the sum of squared frequencies."""
    father_agreement: float = 0.0

    @classmethod
    def from_persons(cls, persons: Iterable[Person]) -> TermFrequencies:
        counts = TermCounts()
        for person in persons:
            counts.add(person)
        return counts.frequencies()

    @classmethod
    def from_counts(
        cls, names: Mapping[str, int], fathers: Mapping[str, int], records: int
    ) -> TermFrequencies:
        """The tables from counts of name and father's-name sounds over ``records`` records."""
        total = max(records, 1)
        name = {k: c / total for k, c in names.items()}
        father = {k: c / total for k, c in fathers.items()}
        return cls(
            name=name,
            father=father,
            floor=1.0 / total,
            name_agreement=math.fsum(f * f for f in name.values()),
            father_agreement=math.fsum(f * f for f in father.values()),
        )

    @classmethod
    def empty(cls) -> TermFrequencies:
        return cls({}, {}, 1e-4)

    def frequency(self, field: str, key: str) -> float:
        table = self.name if field == "name" else self.father
        return table.get(key, self.floor)

    def adjustment(self, field: str, keys: Iterable[str]) -> float:
        """log2 of how much rarer the rarest agreeing value is than an average agreement.

        Agreeing on a value of frequency ``f`` happens by chance with
        probability ``f**2``, and for the same child with probability about
        ``m * f``; agreeing on any value by chance, ``sum f**2``. The value's
        Bayes factor over the level's is ``sum f**2 / f``: positive for a rare
        name, negative for a common one, zero on average. Unlike Splink's
        ``u / f`` this stays right for levels that combine several fields
        (both parents agree), whose u is far below any single name's frequency.
        """
        agreement = self.name_agreement if field == "name" else self.father_agreement
        if agreement <= 0:
            return 0.0
        rarest = min(self.frequency(field, k) for k in keys)
        return math.log2(agreement / max(rarest, self.floor))


class TermCounts:
    """The counts behind :class:`TermFrequencies`, kept as records enter and leave an index.

    The service keeps one per index: recounting every indexed record each
    time an index had grown by a tenth cost about ten passes over the final
    index during a large import, and a whole pass at start-up. These counts
    change by one record at a time, and :meth:`frequencies` builds the tables
    in time proportional to the number of distinct names.
    """

    def __init__(self) -> None:
        self.names: dict[str, int] = {}
        self.fathers: dict[str, int] = {}
        self.records = 0

    @staticmethod
    def keys_of(person: Person) -> tuple[set[str], str | None]:
        """The given-name sounds and the father's first-name sound a record contributes."""
        names = {t.strict for nm in person.all_names for t in nm.given_tokens if t.strict}
        father_tokens = person.father.given_tokens
        father = father_tokens[0].strict if father_tokens and father_tokens[0].strict else None
        return names, father

    def add(self, person: Person) -> None:
        names, father = self.keys_of(person)
        self.records += 1
        for key in names:
            self.names[key] = self.names.get(key, 0) + 1
        if father is not None:
            self.fathers[father] = self.fathers.get(father, 0) + 1

    def remove(self, person: Person) -> None:
        names, father = self.keys_of(person)
        self.records -= 1
        for key in names:
            _decrement(self.names, key)
        if father is not None:
            _decrement(self.fathers, father)

    def frequencies(self) -> TermFrequencies:
        """The term-frequency tables of the records counted."""
        return TermFrequencies.from_counts(self.names, self.fathers, self.records)


def _decrement(counts: dict[str, int], key: str) -> None:
    left = counts.get(key, 0) - 1
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)


@dataclass(frozen=True, slots=True)
class FieldWeight:
    """One comparison's part of a score."""

    field: str
    level: str
    weight: float
    """log2 Bayes factor, term-frequency adjustment included (0 for a missing value)."""
    tf_adjustment: float
    detail: str


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """A found child and a missing report with their score and its explanation."""

    found_id: str
    missing_id: str
    match_weight: float
    match_probability: float
    prior_weight: float
    weights: tuple[FieldWeight, ...]


#: The pseudo-comparison that accounts for the other candidates of the same record.
COMPETITION = "other_candidates"


def competition_penalties(weights: Sequence[float], groups: Sequence[int]) -> list[float]:
    """For each candidate, the weight its rivals take away: ``-log2(1 + sum of rivals' 2**W)``.

    A found child is one child: if two reports fit equally well, each is
    about half as likely as either alone would be. With ``W_k`` the match
    weights of all candidates, the probability of candidate ``j`` is
    ``2**W_j / (1 + sum_k 2**W_k)``: the pair's own weight plus this term,
    never positive, shown as its own line ("other candidates") so that the
    explanation still adds up. Measured on generated data, this is what makes
    the probabilities calibrated where near-twins (same common name, same
    district) abound. Candidates with the same number in ``groups`` are one
    child (reported twice) and do not compete with each other.
    """
    if len(weights) < 2:
        return [0.0] * len(weights)
    per_group: dict[int, float] = {}
    for group, weight in zip(groups, weights, strict=True):
        per_group[group] = per_group.get(group, 0.0) + 2.0 ** min(weight, 900.0)
    total = math.fsum(per_group.values())
    return [-math.log2(1.0 + max(total - per_group[g], 0.0)) for g in groups]


def competition_weight(
    index: int, weights: Sequence[float], groups: Sequence[int], penalty: float
) -> FieldWeight:
    """The "other candidates" line of candidate ``index``'s explanation."""
    group = groups[index]
    twins = sum(1 for g in groups if g == group) - 1
    own = weights[index]
    close = sum(
        1 for i, w in enumerate(weights) if i != index and groups[i] != group and w > own - 3
    )
    detail = (
        f"{close} other candidate(s) fit nearly as well or better"
        if close
        else f"{len(weights) - 1 - twins} other candidate(s), all much weaker"
    )
    if twins:
        detail += f"; {twins} other report(s) look like the same child and do not compete"
    return FieldWeight(COMPETITION, "rivals", penalty, 0.0, detail)


def probability(weight: float) -> float:
    """match_probability from a match_weight (log2 odds), without overflow."""
    if weight >= 0:
        return 1.0 / (1.0 + math.pow(2.0, -weight))
    odds = math.pow(2.0, weight)
    return odds / (1.0 + odds)


#: The district comparison, whose level gives a pair's place context.
_DISTRICT = next(i for i, spec in enumerate(COMPARISONS) if spec.field == "district")
_DISTRICT_LEVEL = COMPARISONS[_DISTRICT].level_of
if COMPARISONS[_DISTRICT].u_by_place or COMPARISONS[_DISTRICT].tf_levels:
    raise TypeError("pair_weight adds the district's weight on its own: no place u, no tf")
_CONTEXTS: tuple[str | None, ...] = (None, *PLACE_CONTEXTS)
#: Appended to the detail of a regional comparison weighed against strangers of one
#: state, where that moves its weight by a quarter of a bit or more: a caseworker
#: comparing two pairs sees why the same level weighs less here.
SAME_STATE_NOTE = " (weighed against strangers of the same state)"
_NOTE_BITS = 0.25

_Weights = dict[tuple[str, str], float]
_Ranking = tuple[tuple[str, LevelFunction, dict[str, float], frozenset[str]], ...]


@dataclass(frozen=True, slots=True)
class WeightTable:
    """A model's level weights looked up by place context and (field, level): computed once.

    The context (None, ``"same_state"``, ``"other_state"``) picks which u a
    place-dependent level is weighed against (:meth:`Level.weight_in`).
    """

    weights: dict[str | None, _Weights]
    tf_levels: dict[str, frozenset[str]]
    ranking: dict[str | None, _Ranking]
    """Per context, for :func:`pair_weight`: every comparison but the district's, as
    field, level function, weights by level and tf levels."""
    district_weights: dict[str, float]

    @classmethod
    def of(cls, model: MatchModel) -> WeightTable:
        by_level = {context: model.weight_table(context) for context in _CONTEXTS}
        weights = {
            context: {(f, level): w for f, levels in table.items() for level, w in levels.items()}
            for context, table in by_level.items()
        }
        tf_levels = {c.field: c.tf_levels for c in model.comparisons}
        ranking = {
            context: tuple(
                (spec.field, spec.level_of, by_level[context][spec.field], tf_levels[spec.field])
                for i, spec in enumerate(COMPARISONS)
                if i != _DISTRICT
            )
            for context in _CONTEXTS
        }
        return cls(
            weights=weights,
            tf_levels=tf_levels,
            ranking=ranking,
            district_weights=by_level[None][COMPARISONS[_DISTRICT].field],
        )


def weigh(
    comparison: Comparison,
    table: WeightTable,
    tf: TermFrequencies,
    context: str | None = None,
) -> FieldWeight:
    """The weight of one comparison's level in the pair's place context, adjusted for how
    common the agreeing value is."""
    level = comparison.level
    if level == NULL:
        return FieldWeight(comparison.field, NULL, 0.0, 0.0, comparison.detail)
    key = (comparison.field, level)
    weight = table.weights[context][key]
    adjustment = 0.0
    if comparison.tf_keys and level in table.tf_levels[comparison.field]:
        adjustment = TF_ADJUSTMENT_WEIGHT * tf.adjustment(comparison.field, comparison.tf_keys)
        adjustment = max(-TF_ADJUSTMENT_LIMIT, min(TF_ADJUSTMENT_LIMIT, adjustment))
    detail = comparison.detail
    if context == "same_state" and detail and abs(weight - table.weights[None][key]) >= _NOTE_BITS:
        detail += SAME_STATE_NOTE
    return FieldWeight(comparison.field, level, weight + adjustment, adjustment, detail)


def pair_weight(
    found: Person, missing: Person, table: WeightTable, tf: TermFrequencies, prior_weight: float
) -> float:
    """The match weight of a pair and nothing else: what ranking candidates needs.

    The same levels and weights as :func:`score_pair` (each comparison's
    ``level_of`` gives what its ``compare`` would), without building the
    explanation: ranking scores a hundred candidates per child and explains two.
    """
    district = _DISTRICT_LEVEL(found, missing)[0]
    total = prior_weight
    if district != NULL:
        total += table.district_weights[district]
    for field, level_of, weights, tf_levels in table.ranking[PLACE_CONTEXT_OF[district]]:
        level, tf_keys = level_of(found, missing)
        if level == NULL:
            continue
        total += weights[level]
        if tf_keys and level in tf_levels:
            adjustment = TF_ADJUSTMENT_WEIGHT * tf.adjustment(field, tf_keys)
            total += max(-TF_ADJUSTMENT_LIMIT, min(TF_ADJUSTMENT_LIMIT, adjustment))
    return total


def score_pair(
    found: Person,
    missing: Person,
    model: MatchModel | WeightTable,
    tf: TermFrequencies,
    prior_weight: float,
    *,
    explain: bool = True,
) -> ScoredPair:
    """Compare every field of a pair and add the weights to a calibrated probability.

    ``explain=False`` leaves the detail sentences empty (same weights, less work).
    """
    table = model if isinstance(model, WeightTable) else WeightTable.of(model)
    comparisons = [spec.compare(found, missing, explain=explain) for spec in COMPARISONS]
    context = PLACE_CONTEXT_OF[comparisons[_DISTRICT].level]
    weights = tuple(weigh(comparison, table, tf, context) for comparison in comparisons)
    total = prior_weight + sum(w.weight for w in weights)
    return ScoredPair(
        found_id=found.id,
        missing_id=missing.id,
        match_weight=total,
        match_probability=probability(total),
        prior_weight=prior_weight,
        weights=weights,
    )
