"""Scoring a pair: comparisons, their weights, term frequencies and the prior.

A :class:`ScoredPair` keeps the weight of every comparison with its detail,
so that the score decomposes exactly into the parts a caseworker sees:
``match_weight = prior_weight + sum(w.weight for w in weights)``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matcher.normalize.person import Person
from matcher.scoring.comparisons import COMPARISONS, NULL, Comparison
from matcher.scoring.model import MatchModel

#: A term-frequency adjustment never moves a level by more than this many bits:
#: a one-off spelling is not proof, and a very common name still says something.
TF_ADJUSTMENT_LIMIT = 6.0


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

    @classmethod
    def from_persons(cls, persons: Iterable[Person]) -> TermFrequencies:
        names: Counter[str] = Counter()
        fathers: Counter[str] = Counter()
        n = 0
        for person in persons:
            n += 1
            keys = {t.strict for nm in person.all_names for t in nm.given_tokens if t.strict}
            names.update(keys)
            father = person.father.given_tokens
            if father and father[0].strict:
                fathers[father[0].strict] += 1
        total = max(n, 1)
        return cls(
            name={k: c / total for k, c in names.items()},
            father={k: c / total for k, c in fathers.items()},
            floor=1.0 / total,
        )

    @classmethod
    def empty(cls) -> TermFrequencies:
        return cls({}, {}, 1e-4)

    def frequency(self, field: str, key: str) -> float:
        table = self.name if field == "name" else self.father
        return table.get(key, self.floor)


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


def apply_competition(pairs: Sequence[ScoredPair]) -> list[ScoredPair]:
    """Each pair's probability given that the record matches at most one of its candidates.

    A found child is one child: if two reports fit equally well, each is
    about half as likely as either alone would be. With ``W_k`` the match
    weights of all candidates, the probability of candidate ``j`` is
    ``2**W_j / (1 + sum_k 2**W_k)``: the pair's own weight plus one more,
    never positive, ``-log2(1 + sum_{k != j} 2**W_k)``. That term is shown as
    its own line ("other candidates"), so the explanation still adds up.
    Measured on generated data, this is what makes the probabilities
    calibrated where near-twins (same common name, same district) abound.
    """
    if len(pairs) < 2:
        return list(pairs)
    powers = [2.0 ** min(p.match_weight, 900.0) for p in pairs]
    total = math.fsum(powers)
    weights = sorted((p.match_weight for p in pairs), reverse=True)
    out = []
    for pair, power in zip(pairs, powers, strict=True):
        rest = max(total - power, 0.0)
        penalty = -math.log2(1.0 + rest)
        close = sum(1 for w in weights[:10] if w > pair.match_weight - 3) - 1
        detail = (
            f"{close} other candidate(s) fit nearly as well or better"
            if close > 0
            else f"{len(pairs) - 1} other candidate(s), all much weaker"
        )
        score = pair.match_weight + penalty
        out.append(
            ScoredPair(
                found_id=pair.found_id,
                missing_id=pair.missing_id,
                match_weight=score,
                match_probability=probability(score),
                prior_weight=pair.prior_weight,
                weights=(*pair.weights, FieldWeight(COMPETITION, "rivals", penalty, 0.0, detail)),
            )
        )
    return out


def probability(weight: float) -> float:
    """match_probability from a match_weight (log2 odds), without overflow."""
    if weight >= 0:
        return 1.0 / (1.0 + 2.0 ** (-weight))
    odds = 2.0**weight
    return odds / (1.0 + odds)


@dataclass(frozen=True, slots=True)
class WeightTable:
    """A model's level weights looked up by (field, level): computed once, used per pair."""

    weights: dict[tuple[str, str], float]
    u: dict[tuple[str, str], float]
    tf_levels: dict[str, frozenset[str]]

    @classmethod
    def of(cls, model: MatchModel) -> WeightTable:
        return cls(
            weights={
                (c.field, lv.name): lv.match_weight for c in model.comparisons for lv in c.levels
            },
            u={(c.field, lv.name): lv.u_probability for c in model.comparisons for lv in c.levels},
            tf_levels={c.field: c.tf_levels for c in model.comparisons},
        )


def weigh(comparison: Comparison, table: WeightTable, tf: TermFrequencies) -> FieldWeight:
    """The weight of one comparison's level, adjusted for how common the agreeing value is."""
    level = comparison.level
    if level == NULL:
        return FieldWeight(comparison.field, NULL, 0.0, 0.0, comparison.detail)
    key = (comparison.field, level)
    weight = table.weights[key]
    adjustment = 0.0
    if comparison.tf_keys and level in table.tf_levels[comparison.field]:
        rarest = min(tf.frequency(comparison.field, k) for k in comparison.tf_keys)
        adjustment = math.log2(table.u[key] / max(rarest, tf.floor))
        adjustment = max(-TF_ADJUSTMENT_LIMIT, min(TF_ADJUSTMENT_LIMIT, adjustment))
    return FieldWeight(comparison.field, level, weight + adjustment, adjustment, comparison.detail)


def score_pair(
    found: Person,
    missing: Person,
    model: MatchModel | WeightTable,
    tf: TermFrequencies,
    prior_weight: float,
) -> ScoredPair:
    """Compare every field of a pair and add the weights to a calibrated probability."""
    table = model if isinstance(model, WeightTable) else WeightTable.of(model)
    weights = tuple(weigh(spec.compare(found, missing), table, tf) for spec in COMPARISONS)
    total = prior_weight + sum(w.weight for w in weights)
    return ScoredPair(
        found_id=found.id,
        missing_id=missing.id,
        match_weight=total,
        match_probability=probability(total),
        prior_weight=prior_weight,
        weights=weights,
    )
