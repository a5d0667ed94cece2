"""Training the model without labels: u from random pairs, m by expectation maximisation.

u probabilities come from pairs drawn at random (almost all of them are two
different children). m probabilities come from EM over *tight* blocks:
pairs that share a strong key, where true pairs are common enough for EM to
find them. Training on loose blocks (same father's name, same village) would
teach the model "same family" instead of "same child", because siblings share
those. As in Splink, a comparison used by a session's blocking rule is left
out of that session (every pair agrees on it by construction) and its m is
learnt in another session; each m is the average over the sessions that
learnt it.

Confirmed review decisions can later refit the m probabilities
(:func:`refit_from_decisions`); u stays with random pairs, because rejected
pairs are hard cases, not a sample of strangers.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from matcher.normalize.person import Person
from matcher.scoring.comparisons import COMPARISONS, NULL, PLACE_CONTEXT_OF
from matcher.scoring.model import ComparisonModel, Level, MatchModel, initial_model

FIELDS = tuple(spec.field for spec in COMPARISONS)
#: Pseudo-counts added to every level so that a level never seen is not impossible.
SMOOTHING = 1.0


def comparison_matrix(pairs: Iterable[tuple[Person, Person]]) -> npt.NDArray[np.int8]:
    """Level index of every comparison for every pair (-1 where a value is missing)."""
    index = [{name: i for i, name in enumerate(spec.levels)} for spec in COMPARISONS]
    rows = []
    for found, missing in pairs:
        row = []
        for spec, levels in zip(COMPARISONS, index, strict=True):
            level = spec.level_of(found, missing)[0]
            row.append(-1 if level == NULL else levels[level])
        rows.append(row)
    if not rows:
        return np.zeros((0, len(COMPARISONS)), dtype=np.int8)
    return np.asarray(rows, dtype=np.int8)


def _level_counts(
    column: npt.NDArray[np.int8], n_levels: int, weights: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.float64]:
    """How many pairs (or how much weight) reach each level; missing values (-1) count nothing."""
    mask = column >= 0
    return np.bincount(
        column[mask].astype(np.int64),
        weights=None if weights is None else weights[mask],
        minlength=n_levels,
    ).astype(np.float64)


def _level_shares(
    column: npt.NDArray[np.int8], n_levels: int, weights: npt.NDArray[np.float64] | None = None
) -> list[float]:
    counts = _level_counts(column, n_levels, weights) + SMOOTHING
    return list(counts / counts.sum())


def estimate_u(
    found: Sequence[Person], missing: Sequence[Person], *, pairs: int = 100_000, seed: int = 0
) -> dict[str, list[float]]:
    """u probabilities of every level from random found/missing pairs.

    A comparison with ``u_given`` learns from the random pairs at the given
    levels of another comparison only (height among strangers of a
    compatible age).
    """
    rng = random.Random(seed)
    sample = [(rng.choice(found), rng.choice(missing)) for _ in range(pairs)]
    matrix = comparison_matrix(sample)
    u = {}
    for i, spec in enumerate(COMPARISONS):
        column = matrix[:, i]
        if spec.u_given is not None:
            other, levels = spec.u_given
            j = FIELDS.index(other)
            wanted = [COMPARISONS[j].levels.index(level) for level in levels]
            column = column[np.isin(matrix[:, j], wanted)]
        u[spec.field] = _level_shares(column, len(spec.levels))
    return u


#: Pseudo-events pulling a level's place-context u towards its all-strangers u. A
#: rare level (a shared phone, u near 1e-5) is seen once or not at all in a
#: sample; five pseudo-events keep a chance sighting from moving it far, while a
#: common level (a shared village, hundreds of sightings) is hardly moved.
PLACE_PSEUDO_EVENTS = 5.0


def _state_code(person: Person) -> str | None:
    state = person.home.state
    return None if state is None else state.code


def _log2_bayes_factors(matrix: npt.NDArray[np.int8], model: MatchModel) -> npt.NDArray[np.float64]:
    """Each pair's summed level weights (against all strangers), nulls counting nothing."""
    total = np.zeros(matrix.shape[0])
    for i, field in enumerate(FIELDS):
        levels = model.comparison(field).levels
        weights = np.asarray([lv.match_weight for lv in levels] + [0.0])
        total += weights[matrix[:, i]]  # -1 (missing) picks the trailing 0
    return total


def estimate_place_u(
    found: Sequence[Person],
    missing: Sequence[Person],
    model: MatchModel,
    *,
    pairs: int = 100_000,
    seed: int = 0,
) -> dict[str, dict[str, list[float]]]:
    """u of every place-dependent level among strangers of one state and of different states.

    Same-state pairs are drawn within each state, so that even a small
    state's strangers are measured. Drawn within a state, a pair is the
    same child far more often than a pair drawn at random (one in a few
    thousand, not one in a hundred thousand), enough to double the u of a
    shared phone; so each pair counts with the weight ``1 - P(match)`` of
    ``model``. Returns field -> context -> u per level, for
    :class:`~matcher.scoring.model.Level`.
    """
    rng = random.Random(seed)
    by_state: dict[str, list[Person]] = defaultdict(list)
    for person in missing:
        state = _state_code(person)
        if state is not None:
            by_state[state].append(person)
    placed = [f for f in found if _state_code(f) in by_state]
    same = [
        (child, rng.choice(by_state[_state_code(child) or ""]))
        for child in (rng.choice(placed) for _ in range(pairs if placed else 0))
    ]
    other = [(rng.choice(found), rng.choice(missing)) for _ in range(pairs)]
    # The prior of any pair among all the reports: the district comparison's
    # weight then says how much likelier a same-state pair is (a prior over the
    # state's reports alone would count the shared state twice).
    prior = model.prior_weight(len(missing))
    place_dependent = [i for i, spec in enumerate(COMPARISONS) if spec.u_by_place]
    result: dict[str, dict[str, list[float]]] = defaultdict(dict)
    district = FIELDS.index("district")
    for context, sample in (("same_state", same), ("other_state", other)):
        # The pair's place context is its district level, a column of the matrix.
        levels = [
            i
            for i, lv in enumerate(COMPARISONS[district].levels)
            if PLACE_CONTEXT_OF[lv] == context
        ]
        matrix = comparison_matrix(sample)
        matrix = matrix[np.isin(matrix[:, district], levels)]
        log_odds = np.clip(prior + _log2_bayes_factors(matrix, model), -60, 60)
        stranger = 1.0 - 1.0 / (1.0 + np.exp2(-log_odds))
        for i in place_dependent:
            spec = COMPARISONS[i]
            u_all = [lv.u_probability for lv in model.comparison(spec.field).levels]
            result[spec.field][context] = _shrunk_shares(matrix[:, i], stranger, u_all)
    return dict(result)


def _shrunk_shares(
    column: npt.NDArray[np.int8], weights: npt.NDArray[np.float64], u_all: Sequence[float]
) -> list[float]:
    """Weighted level shares, each level's rate against ``u_all`` shrunk towards 1."""
    counts = _level_counts(column, len(u_all), weights)
    expected = counts.sum() * np.asarray(u_all)
    shares = np.asarray(u_all) * (counts + PLACE_PSEUDO_EVENTS) / (expected + PLACE_PSEUDO_EVENTS)
    return [float(x) for x in shares / shares.sum()]


@dataclass(frozen=True, slots=True)
class TrainingBlock:
    """A blocking rule for one EM session and the comparisons it fixes."""

    name: str
    key: Callable[[Person], Iterable[Hashable]]
    fixes: frozenset[str]


def _years(person: Person) -> range:
    if person.birth is None:
        return range(0)
    return range(person.birth.earliest.year, person.birth.latest.year + 1)


def _given_sounds(person: Person) -> set[str]:
    return {t.strict for name in person.all_names for t in name.given_tokens if t.strict}


def _father_sound(person: Person) -> str | None:
    tokens = person.father.given_tokens
    return tokens[0].strict if tokens and tokens[0].strict else None


def _name_year_state(person: Person) -> Iterable[Hashable]:
    state = person.home.state
    if state is None:
        return
    for sound in _given_sounds(person):
        for year in _years(person):
            yield (sound, year, state.code)


def _father_district_sex(person: Person) -> Iterable[Hashable]:
    father = _father_sound(person)
    if father and person.home.district is not None:
        sex = person.sex.value if person.sex else "?"
        yield (father, person.home.district.code, sex)


def _name_and_father(person: Person) -> Iterable[Hashable]:
    father = _father_sound(person)
    if father:
        for sound in _given_sounds(person):
            yield (sound, father)


def _phone(person: Person) -> Iterable[Hashable]:
    yield from (p[-10:] for p in person.phones)


#: The tight blocks EM learns on: each shares enough that true pairs are a
#: sizeable part of it, and none is "same family" alone: the father's name is
#: always combined with the district and the sex, so brothers and sisters
#: mostly stay out (brothers stay in: the name and age must tell them apart).
TRAINING_BLOCKS: tuple[TrainingBlock, ...] = (
    TrainingBlock(
        "given name sound + birth year + state",
        _name_year_state,
        frozenset({"name", "age", "district"}),
    ),
    TrainingBlock(
        "father's name + district + sex",
        _father_district_sex,
        frozenset({"family", "district", "sex"}),
    ),
    TrainingBlock(
        "given name sound + father's name sound", _name_and_father, frozenset({"name", "family"})
    ),
    TrainingBlock("phone", _phone, frozenset({"family"})),
)

#: Floors on m for levels that unlabelled training data can make look impossible
#: for a true pair, (field, level): m at least this, so that one level alone
#: cannot veto a pair. A child cannot be found before going missing, so data
#: without date errors teaches m near 0 for ``found_first``; yet a mistyped or
#: day-month-swapped date puts a true pair there (2% of dates wrong is a modest
#: guess for hand-kept registers). Generated data rarely keeps a child missing
#: for over four years, but children rescued from bonded labour often were
#: (one in twenty is the floor).
#: A report's height is a family's estimate, sometimes from years before or
#: written in inches; generated data rounds it to 5 cm of the truth and so
#: teaches that a true pair almost never ``differs``. One in thirty is a
#: modest guess for real registers.
M_FLOORS: dict[tuple[str, str], float] = {
    ("dates", "found_first"): 0.02,
    ("dates", "over_four_years"): 0.05,
    ("height", "differs"): 0.03,
}

#: A session with fewer pairs than this teaches nothing reliable and is skipped.
MIN_SESSION_PAIRS = 500


def block_pairs(
    found: Sequence[Person],
    missing: Sequence[Person],
    block: TrainingBlock,
    *,
    max_block: int = 200,
    seed: int = 0,
) -> list[tuple[Person, Person]]:
    """Pairs that share a key of ``block``; oversized blocks are sampled, not dropped."""
    rng = random.Random(seed)
    by_key: dict[Hashable, list[Person]] = defaultdict(list)
    for person in missing:
        for key in set(block.key(person)):
            by_key[key].append(person)
    pairs: dict[tuple[str, str], tuple[Person, Person]] = {}
    for person in found:
        for key in set(block.key(person)):
            members = by_key.get(key)
            if not members:
                continue
            chosen = members if len(members) <= max_block else rng.sample(members, max_block)
            for other in chosen:
                pairs.setdefault((person.id, other.id), (person, other))
    return list(pairs.values())


@dataclass(frozen=True, slots=True)
class SessionResult:
    block: str
    pairs: int
    iterations: int
    match_share: float
    m: dict[str, list[float]]


def expectation_maximisation(
    matrix: npt.NDArray[np.int8],
    m: dict[str, list[float]],
    u: dict[str, list[float]],
    *,
    fixed: frozenset[str],
    learn_u: bool = False,
    match_share: float = 0.05,
    max_iterations: int = 100,
    tolerance: float = 1e-4,
) -> tuple[dict[str, list[float]], float, int]:
    """EM for m and the share of matches; fixed comparisons are left out.

    With ``learn_u`` the non-matches' level shares are learnt inside the
    block as well. A block's non-matches are not random pairs (they share a
    state, a name sound), so holding u at its random-pair value would let EM
    call every pair a match and set m to whatever the block looks like. The
    model keeps the random-pair u for scoring; the block's u only serves EM.
    """
    active = [i for i, f in enumerate(FIELDS) if f not in fixed]
    m = {k: list(v) for k, v in m.items()}
    u = {k: list(v) for k, v in u.items()}
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - used after the loop
        log_ratio = np.full(matrix.shape[0], np.log(match_share / (1 - match_share)))
        for i in active:
            field = FIELDS[i]
            col = matrix[:, i]
            mask = col >= 0
            ratio = np.log(np.asarray(m[field])) - np.log(np.asarray(u[field]))
            log_ratio[mask] += ratio[col[mask]]
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_ratio, -60, 60)))
        change = 0.0
        for i in active:
            field = FIELDS[i]
            new = _level_shares(matrix[:, i], len(m[field]), posterior)
            change = max(change, max(abs(a - b) for a, b in zip(new, m[field], strict=True)))
            m[field] = new
            if learn_u:
                u[field] = _level_shares(matrix[:, i], len(u[field]), 1.0 - posterior)
        new_share = float(np.clip(posterior.mean(), 1e-6, 1 - 1e-6))
        change = max(change, abs(new_share - match_share))
        match_share = new_share
        if change < tolerance:
            break
    return m, match_share, iteration


def with_floors(field: str, levels: Sequence[str], m: Sequence[float]) -> list[float]:
    """``m`` with each floored level (:data:`M_FLOORS`) raised to its floor, the rest
    scaled down so the levels still add up to 1."""
    floors = {
        i: M_FLOORS[(field, name)] for i, name in enumerate(levels) if (field, name) in M_FLOORS
    }
    # Only levels below their floor are raised; every other level gives up its
    # share of the mass they take.
    raised = {i: floor for i, floor in floors.items() if float(m[i]) < floor}
    if not raised:
        return [float(p) for p in m]
    rest = sum(float(p) for i, p in enumerate(m) if i not in raised)
    room = 1.0 - sum(raised.values())
    if rest <= 0:  # nothing else to take from: share the rest equally
        others = len(m) - len(raised)
        return [raised.get(i, room / others if others else 0.0) for i in range(len(m))]
    return [raised[i] if i in raised else float(p) * room / rest for i, p in enumerate(m)]


def train(
    found: Sequence[Person],
    missing: Sequence[Person],
    *,
    reported_share: float = 0.6,
    u_pairs: int = 100_000,
    seed: int = 0,
    version: str | None = None,
    description: str = "",
) -> MatchModel:
    """Train a model on unlabelled records: u by random sampling, m by EM on tight blocks."""
    start = initial_model()
    u = estimate_u(found, missing, pairs=u_pairs, seed=seed)
    m0 = {c.field: [lv.m_probability for lv in c.levels] for c in start.comparisons}
    sessions: list[SessionResult] = []
    learnt: dict[str, list[list[float]]] = defaultdict(list)
    for number, block in enumerate(TRAINING_BLOCKS):
        pairs = block_pairs(found, missing, block, seed=seed + number)
        if len(pairs) < MIN_SESSION_PAIRS:
            continue
        matrix = comparison_matrix(pairs)
        m, share, iterations = expectation_maximisation(
            matrix, m0, u, fixed=block.fixes, learn_u=True
        )
        sessions.append(SessionResult(block.name, len(pairs), iterations, share, m))
        for field in FIELDS:
            if field not in block.fixes:
                learnt[field].append(m[field])
    comparisons = []
    for spec in COMPARISONS:
        runs = learnt.get(spec.field) or [m0[spec.field]]
        m_avg = with_floors(spec.field, spec.levels, list(np.mean(np.asarray(runs), axis=0)))
        levels = tuple(
            Level(name, float(mp), float(up))
            for name, mp, up in zip(spec.levels, m_avg, u[spec.field], strict=True)
        )
        comparisons.append(ComparisonModel(spec.field, levels, spec.tf_levels))
    marginal = MatchModel(comparisons=tuple(comparisons), reported_share=reported_share)
    place_u = estimate_place_u(found, missing, marginal, pairs=u_pairs, seed=seed + 1)
    comparisons = [_with_place_u(c, place_u.get(c.field)) for c in comparisons]
    now = datetime.now(UTC)
    return MatchModel(
        comparisons=tuple(comparisons),
        reported_share=reported_share,
        version=version or now.strftime("em-%Y%m%d-%H%M%S"),
        trained_at=now.isoformat(timespec="seconds"),
        training={
            "description": description,
            "found_records": len(found),
            "missing_records": len(missing),
            "u_pairs": u_pairs,
            "seed": seed,
            "sessions": [
                {
                    "block": s.block,
                    "pairs": s.pairs,
                    "iterations": s.iterations,
                    "match_share": round(s.match_share, 6),
                }
                for s in sessions
            ],
        },
    )


def _with_place_u(
    comparison: ComparisonModel, by_context: dict[str, list[float]] | None
) -> ComparisonModel:
    if not by_context:
        return comparison
    unset: list[float | None] = [None] * len(comparison.levels)
    same: Sequence[float | None] = by_context.get("same_state") or unset
    other: Sequence[float | None] = by_context.get("other_state") or unset
    levels = tuple(
        replace(level, u_same_state=s, u_other_state=o)
        for level, s, o in zip(comparison.levels, same, other, strict=True)
    )
    return replace(comparison, levels=levels)


def refit_from_decisions(
    model: MatchModel,
    confirmed: Sequence[tuple[Person, Person]],
    *,
    prior_strength: float = 50.0,
    version: str | None = None,
) -> MatchModel:
    """Move m towards the levels confirmed pairs actually reach.

    The base m acts as ``prior_strength`` pseudo-pairs, so a handful of
    decisions nudges the model and hundreds reshape it. The base is the m the
    model was last refitted from, when it was (kept in ``training``), so a
    refit of a refit over the same decisions gives the same m instead of
    counting them again. u is kept: it is a property of strangers, which
    decisions do not sample.
    """
    if not (math.isfinite(prior_strength) and prior_strength > 0):
        raise ValueError(f"prior_strength must be a positive number, got {prior_strength!r}")
    if not confirmed:
        return model
    previous = model.training.get("refit") or {}
    base_m: dict[str, list[float]] = previous.get("base_m") or {
        c.field: [lv.m_probability for lv in c.levels] for c in model.comparisons
    }
    matrix = comparison_matrix(confirmed)
    comparisons = []
    for comp in model.comparisons:
        # By name: a model file may list its comparisons in any order.
        counts = _level_counts(matrix[:, FIELDS.index(comp.field)], len(comp.levels))
        prior = np.asarray(base_m[comp.field]) * prior_strength
        m = (counts + prior) / (counts.sum() + prior.sum())
        comparisons.append(
            replace(
                comp,
                levels=tuple(
                    replace(lv, m_probability=float(mp))
                    for lv, mp in zip(comp.levels, m, strict=True)
                ),
            )
        )
    now = datetime.now(UTC)
    training = dict(model.training)
    training["refit"] = {
        "confirmed_pairs": len(confirmed),
        "prior_strength": prior_strength,
        "from_version": previous.get("from_version", model.version),
        "base_m": base_m,
    }
    return replace(
        model,
        comparisons=tuple(comparisons),
        version=version or now.strftime("refit-%Y%m%d-%H%M%S"),
        trained_at=now.isoformat(timespec="seconds"),
        training=training,
    )
