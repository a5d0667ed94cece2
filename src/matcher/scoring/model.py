"""The Fellegi-Sunter model as a value: m and u per comparison level, and a prior.

Vocabulary follows Splink. For a comparison level, ``m_probability`` is the
chance a true pair (the same child) reaches it and ``u_probability`` the chance
two different children do. Its ``match_weight`` is ``log2(m / u)``; the
weights of a pair add up, with the prior's, to the pair's ``match_weight``, and
``match_probability = 2**w / (1 + 2**w)``.

The prior is stated per found child, as the share of found children expected
to have a report (``reported_share``): the per-pair prior is that share
divided by the number of reports searched, so the same evidence is worth less
in a larger database, as it should be.

The model is saved as versioned JSON; the package ships a trained default.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from matcher.errors import ModelError
from matcher.scoring.comparisons import COMPARISONS, NULL

#: Version 2 added the place-context u's (``u_same_state``, ``u_other_state``). A
#: version 1 file still loads (its levels have none); an older matcher refuses a
#: version 2 file instead of silently scoring without them.
FORMAT_VERSION = 2
READABLE_VERSIONS = frozenset({1, 2})

#: Probabilities are kept inside these bounds so that no level is ever infinite evidence.
_P_MIN = 1e-6
_P_MAX = 1 - 1e-6


def _clamp(p: float) -> float:
    return min(max(p, _P_MIN), _P_MAX)


#: The place contexts a level's u can be conditional on (see :class:`Level`).
PLACE_CONTEXTS = ("same_state", "other_state")


@dataclass(frozen=True, slots=True)
class Level:
    """One comparison level with its m and u probabilities.

    ``u_same_state`` and ``u_other_state``, where set, are u among strangers
    whose homes are in the same state and in different states. Names,
    parents' names, villages and languages are regional: two strangers from
    one state share a given name about twice as often as two strangers
    anywhere, a father's name or a village three to five times as often, a
    language nearly always. The district comparison already counts the
    shared state, so weighing these levels with the all-strangers u counts
    the place a second time (a product of independent u's is the
    Fellegi-Sunter assumption this breaks). With the u of the pair's own
    place context, the weights chain correctly:
    P(place, name | U) = P(place | U) * P(name | place, U).
    m needs no such split: the same child agrees on the name wherever home is.
    """

    name: str
    m_probability: float
    u_probability: float
    u_same_state: float | None = None
    u_other_state: float | None = None

    @property
    def match_weight(self) -> float:
        """log2 Bayes factor of reaching this level, against all strangers."""
        return math.log2(_clamp(self.m_probability) / _clamp(self.u_probability))

    def weight_in(self, context: str | None) -> float:
        """log2 Bayes factor of this level for a pair in a place context (None: unknown).

        The context can weaken a level's evidence, down to nothing, but never
        turn it round: within one state "no language shared" measures a
        hair above zero (strangers of one state nearly always share one, and
        so does the same child), and a caseworker would rightly distrust a
        disagreement that counts for the pair.
        """
        u = {"same_state": self.u_same_state, "other_state": self.u_other_state}.get(context or "")
        marginal = self.match_weight
        if u is None:
            return marginal
        weight = math.log2(_clamp(self.m_probability) / _clamp(u))
        return max(weight, 0.0) if marginal > 0 else min(weight, 0.0)


@dataclass(frozen=True, slots=True)
class ComparisonModel:
    """The levels of one comparison, strongest agreement first."""

    field: str
    levels: tuple[Level, ...]
    tf_levels: frozenset[str] = frozenset()

    def level(self, name: str) -> Level:
        for level in self.levels:
            if level.name == name:
                return level
        raise ModelError(f"comparison {self.field!r} has no level {name!r}")


@dataclass(frozen=True, slots=True)
class MatchModel:
    """A complete, serialisable match model."""

    comparisons: tuple[ComparisonModel, ...]
    reported_share: float = 0.6
    """Share of found children expected to have a missing report at all."""
    version: str = "untrained"
    trained_at: str = ""
    training: dict[str, Any] = field(default_factory=dict)
    """How it was trained (data description, EM iterations, pair counts): provenance only."""

    def comparison(self, field_name: str) -> ComparisonModel:
        for comp in self.comparisons:
            if comp.field == field_name:
                return comp
        raise ModelError(f"the model has no comparison {field_name!r}")

    def prior_weight(self, n_other: int, share: float | None = None) -> float:
        """log2 prior odds that a record and one of ``n_other`` records are the same child.

        ``share`` overrides ``reported_share`` (dedupe uses the share of reports
        that are a second report of the same child).
        """
        n = max(n_other, 1)
        prior = min((self.reported_share if share is None else share) / n, 0.5)
        return math.log2(prior / (1 - prior))

    def weight_table(self, context: str | None = None) -> dict[str, dict[str, float]]:
        """Every level's match weight in a place context (None: against all strangers)."""
        return {
            c.field: {lv.name: lv.weight_in(context) for lv in c.levels} for c in self.comparisons
        }

    # --- serialisation ---------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "version": self.version,
            "trained_at": self.trained_at,
            "reported_share": self.reported_share,
            "training": self.training,
            "comparisons": [
                {
                    "field": c.field,
                    "tf_levels": sorted(c.tf_levels),
                    "levels": [_level_dict(lv) for lv in c.levels],
                }
                for c in self.comparisons
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchModel:
        if data.get("format_version") not in READABLE_VERSIONS:
            raise ModelError(
                f"model format {data.get('format_version')!r} is not {FORMAT_VERSION}; "
                "retrain with `matcher train` or use the shipped default model"
            )
        try:
            comparisons = tuple(
                ComparisonModel(
                    field=c["field"],
                    tf_levels=frozenset(c.get("tf_levels", ())),
                    levels=tuple(_level_of(lv) for lv in c["levels"]),
                )
                for c in data["comparisons"]
            )
            model = cls(
                comparisons=comparisons,
                reported_share=float(data["reported_share"]),
                version=str(data["version"]),
                trained_at=str(data.get("trained_at", "")),
                training=dict(data.get("training", {})),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"the model file is incomplete or malformed: {exc!r}") from None
        model.check()
        return model

    def check(self) -> None:
        """Raise :class:`ModelError` unless the model fits this library's comparisons."""
        expected = {spec.field: spec.levels for spec in COMPARISONS}
        have = {c.field: tuple(lv.name for lv in c.levels) for c in self.comparisons}
        if expected != have:
            raise ModelError(
                "the model's comparisons do not match this version of matcher "
                f"(expected {expected}, found {have}); retrain it with `matcher train`"
            )

    def save(self, path: Path | str) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | str) -> MatchModel:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ModelError(f"cannot read the model file {path}: {exc.strerror}") from None
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ModelError(f"the model file {path} is not JSON: {exc.msg}") from None


def _level_dict(level: Level) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": level.name,
        "m_probability": level.m_probability,
        "u_probability": level.u_probability,
    }
    if level.u_same_state is not None:
        data["u_same_state"] = level.u_same_state
    if level.u_other_state is not None:
        data["u_other_state"] = level.u_other_state
    return data


def _level_of(data: dict[str, Any]) -> Level:
    """A level from its JSON; a model saved before place contexts existed has no such u."""
    same, other = data.get("u_same_state"), data.get("u_other_state")
    return Level(
        data["name"],
        _probability(data, "m_probability"),
        _probability(data, "u_probability"),
        None if same is None else _probability(data, "u_same_state"),
        None if other is None else _probability(data, "u_other_state"),
    )


def _probability(data: dict[str, Any], key: str) -> float:
    """A probability from a level's JSON; anything else would reach every score as NaN."""
    value = float(data[key])
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise ModelError(f"level {data.get('name')!r}: {key} is {value!r}, not a probability")
    return value


def default_model() -> MatchModel:
    """The model shipped with the package, trained without labels on generated data."""
    text = resources.files("matcher.scoring").joinpath("data/default_model.json").read_text("utf-8")
    return MatchModel.from_dict(json.loads(text))


def initial_model() -> MatchModel:
    """A starting point for EM: agreement likely for the same child, rare for different ones.

    The first level of each comparison starts at m=0.7, the rest share what is
    left, descending; u starts low for strong agreement. EM and random-pair
    sampling replace all of it.
    """
    comparisons = []
    for spec in COMPARISONS:
        n = len(spec.levels)
        ms = [0.7] + [0.3 * (n - i) / sum(range(1, n)) for i in range(1, n)]
        us = [0.5 ** (n - i) for i in range(n)]
        total_u = sum(us)
        levels = tuple(
            Level(name, m, u / total_u) for name, m, u in zip(spec.levels, ms, us, strict=True)
        )
        comparisons.append(ComparisonModel(spec.field, levels, spec.tf_levels))
    return MatchModel(
        comparisons=tuple(comparisons),
        version="initial",
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


__all__ = [
    "NULL",
    "PLACE_CONTEXTS",
    "ComparisonModel",
    "Level",
    "MatchModel",
    "default_model",
    "initial_model",
]
