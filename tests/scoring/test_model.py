"""The model: JSON, EM on data with known parameters, term frequencies, calibration maths."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.errors import ModelError
from matcher.normalize.person import normalize_record
from matcher.normalize.places import load_gazetteer
from matcher.scoring.comparisons import COMPARISONS
from matcher.scoring.model import MatchModel, initial_model
from matcher.scoring.score import TermFrequencies, probability, score_pair
from matcher.scoring.train import FIELDS, M_FLOORS, expectation_maximisation, with_floors
from tests.factories import found, missing


def test_model_round_trips_through_json(tmp_path: Path) -> None:
    model = initial_model()
    path = tmp_path / "model.json"
    model.save(path)
    loaded = MatchModel.load(path)
    assert loaded == model
    assert loaded.weight_table() == model.weight_table()


def test_model_of_another_format_is_refused_with_advice(tmp_path: Path) -> None:
    data = initial_model().to_dict()
    data["format_version"] = 999
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="retrain"):
        MatchModel.load(path)


def test_model_missing_a_comparison_is_refused() -> None:
    data = initial_model().to_dict()
    data["comparisons"] = data["comparisons"][1:]
    with pytest.raises(ModelError, match="do not match"):
        MatchModel.from_dict(data)


def test_prior_shrinks_with_the_number_of_reports() -> None:
    model = initial_model()
    assert model.prior_weight(1_000_000) < model.prior_weight(1_000) < 0
    # reported_share / n as odds: 0.6 / 1000 -> log2(0.0006 / 0.9994)
    assert math.isclose(model.prior_weight(1000), math.log2(0.0006 / 0.9994))


@given(st.floats(min_value=-200, max_value=200, allow_nan=False))
def test_probability_is_in_unit_interval_and_monotone(weight: float) -> None:
    p = probability(weight)
    assert 0.0 <= p <= 1.0
    assert probability(weight + 1) >= p


def test_em_recovers_known_m_probabilities() -> None:
    """Simulate comparison vectors from known m, u and match share; EM must find m again."""
    rng = np.random.default_rng(3)
    n, share = 40_000, 0.2
    true_m: dict[str, list[float]] = {}
    u: dict[str, list[float]] = {}
    for spec in COMPARISONS:
        k = len(spec.levels)
        m = np.linspace(k, 1, k) ** 2
        true_m[spec.field] = list(m / m.sum())
        uu = np.linspace(1, k, k) ** 2
        u[spec.field] = list(uu / uu.sum())
    is_match = rng.random(n) < share
    matrix = np.zeros((n, len(FIELDS)), dtype=np.int8)
    for i, field in enumerate(FIELDS):
        k = len(true_m[field])
        matrix[is_match, i] = rng.choice(k, size=int(is_match.sum()), p=true_m[field])
        matrix[~is_match, i] = rng.choice(k, size=int((~is_match).sum()), p=u[field])
    start = {
        f: list(np.linspace(2, 1, len(v)) / np.linspace(2, 1, len(v)).sum())
        for f, v in true_m.items()
    }
    m, learnt_share, _ = expectation_maximisation(matrix, start, u, fixed=frozenset())
    assert abs(learnt_share - share) < 0.02
    for field in FIELDS:
        assert np.allclose(m[field], true_m[field], atol=0.03), field


def test_floored_levels_keep_their_floor_and_m_still_adds_up() -> None:
    """A level EM finds empty (no true pair found before going missing) is raised to its
    floor, so one wrong date cannot veto a pair; a level above its floor is left alone."""
    levels = ("within_a_year", "one_to_four_years", "over_four_years", "found_first")
    m = with_floors("dates", levels, [0.8, 0.19, 0.01, 0.0])
    assert (
        m[3] == M_FLOORS[("dates", "found_first")]
        and m[2] == M_FLOORS[("dates", "over_four_years")]
    )
    assert math.isclose(sum(m), 1.0)
    assert m[0] / m[1] == pytest.approx(0.8 / 0.19)  # the rest keep their proportions
    assert with_floors("dates", levels, [0.5, 0.2, 0.2, 0.1]) == [0.5, 0.2, 0.2, 0.1]
    assert with_floors("sex", ("same", "different"), [1.0, 0.0]) == [1.0, 0.0]  # no floor
    # Degenerate EM output: the mass still adds up to 1, floors held.
    for degenerate in ([0.0, 0.0, 0.99, 0.01], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]):
        m = with_floors("dates", levels, degenerate)
        assert math.isclose(sum(m), 1.0), degenerate
        assert m[3] >= M_FLOORS[("dates", "found_first")] - 1e-12
        assert m[2] >= M_FLOORS[("dates", "over_four_years")] - 1e-12


def test_the_shipped_model_lets_no_single_date_level_veto_a_pair() -> None:
    from matcher.scoring.model import default_model

    dates = default_model().comparison("dates")
    for (field, level), floor in M_FLOORS.items():
        assert default_model().comparison(field).level(level).m_probability >= floor - 1e-9
    assert dates.level("found_first").match_weight < dates.level("within_a_year").match_weight


def test_fixed_comparisons_are_not_learnt() -> None:
    matrix = np.zeros((100, len(FIELDS)), dtype=np.int8)
    m0 = {c.field: [lv.m_probability for lv in c.levels] for c in initial_model().comparisons}
    u = {c.field: [lv.u_probability for lv in c.levels] for c in initial_model().comparisons}
    m, _, _ = expectation_maximisation(matrix, m0, u, fixed=frozenset({"name"}))
    assert m["name"] == m0["name"]
    assert m["sex"] != m0["sex"]


def test_a_shared_rare_name_weighs_more_than_a_shared_common_one() -> None:
    g = load_gazetteer()
    today = date(2025, 1, 1)
    population = [normalize_record(missing(name="Raju"), g, today=today) for _ in range(50)]
    population += [normalize_record(missing(name="Tanveer"), g, today=today)]
    tf = TermFrequencies.from_persons(population)
    model = initial_model()
    common = score_pair(
        normalize_record(found(name="Raju"), g, today=today), population[0], model, tf, -10
    )
    rare = score_pair(
        normalize_record(found(name="Tanveer"), g, today=today), population[-1], model, tf, -10
    )
    name_weight = {p: next(w for w in p.weights if w.field == "name") for p in (common, rare)}
    assert name_weight[rare].weight > name_weight[common].weight
    assert name_weight[common].tf_adjustment < name_weight[rare].tf_adjustment


def test_score_decomposes_into_its_weights() -> None:
    g = load_gazetteer()
    f = normalize_record(found(name="Irfan", age="12", sex="M", district="Patna"), g)
    m = normalize_record(missing(name="Irfan", age="11", sex="M", district="Patna"), g)
    pair = score_pair(f, m, initial_model(), TermFrequencies.empty(), -12.5)
    assert math.isclose(pair.match_weight, pair.prior_weight + sum(w.weight for w in pair.weights))
    assert math.isclose(pair.match_probability, probability(pair.match_weight))


def test_height_u_is_measured_among_strangers_of_a_compatible_age() -> None:
    """Children of one age are of about one height: among random pairs of all ages
    heights mostly differ, so that u would overstate what a fitting height says."""
    from matcher.scoring.train import comparison_matrix, estimate_u

    g = load_gazetteer()
    today = date(2025, 1, 1)
    # Every child is exactly as tall as the median for their age; ages 4 to 15.
    heights = {4: 103, 5: 110, 6: 116, 7: 121, 8: 127, 9: 133, 10: 138, 11: 144,
               12: 150, 13: 156, 14: 161, 15: 165}  # fmt: skip
    found_people = [
        normalize_record(
            found(age=str(a), height_cm=str(h), found_date="2024-06-01"), g, today=today
        )
        for a, h in heights.items()
        for _ in range(5)
    ]
    missing_people = [
        normalize_record(
            missing(age=str(a), height_cm=str(h), missing_date="2024-05-01"), g, today=today
        )
        for a, h in heights.items()
        for _ in range(5)
    ]
    u = estimate_u(found_people, missing_people, pairs=5_000, seed=1)
    column = FIELDS.index("height")
    fits = COMPARISONS[column].levels.index("fits")
    every_pair = comparison_matrix((f, m) for f in found_people for m in missing_people)
    share_among_all = float(np.mean(every_pair[:, column] == fits))
    # Among all pairs heights rarely fit (ages differ); among pairs of a
    # compatible age they often do, and that is the u a candidate meets.
    assert share_among_all < 0.15
    assert u["height"][fits] > 2.5 * share_among_all
