"""The model: JSON, EM on data with known parameters, term frequencies, calibration maths."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.errors import ModelError
from matcher.normalize.person import Person, normalize_record
from matcher.normalize.places import load_gazetteer
from matcher.scoring.comparisons import COMPARISONS
from matcher.scoring.model import MatchModel, default_model, initial_model
from matcher.scoring.score import (
    SAME_STATE_NOTE,
    TermFrequencies,
    WeightTable,
    pair_weight,
    probability,
    score_pair,
)
from matcher.scoring.train import (
    FIELDS,
    M_FLOORS,
    comparison_matrix,
    expectation_maximisation,
    with_floors,
)
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


def _regional_people(
    per_state: int,
) -> tuple[list[Person], list[Person]]:
    """Children of two states whose given names come from each state's own pool."""
    g = load_gazetteer()
    pools = {
        ("Patna", "Bihar"): ["Raju", "Sonu", "Pintu"],
        ("Madurai", "Tamil Nadu"): ["Murugan", "Karthik", "Selvam"],
    }
    found_people, missing_people = [], []
    for (district, state), names in pools.items():
        for i in range(per_state):
            name = names[i % len(names)]
            found_people.append(
                normalize_record(found(name=name, district=district, state=state), g)
            )
            missing_people.append(
                normalize_record(missing(name=name, district=district, state=state), g)
            )
    return found_people, missing_people


def test_place_u_measures_how_often_strangers_of_one_state_share_a_name() -> None:
    """Names are regional: within a state a shared name is common, across states rare.
    The all-strangers u sits between and would count the shared state twice."""
    from matcher.scoring.train import estimate_place_u, estimate_u

    found_people, missing_people = _regional_people(60)
    u = estimate_u(found_people, missing_people, pairs=20_000, seed=1)
    model = _with_u(default_model(), u)
    place_u = estimate_place_u(found_people, missing_people, model, pairs=20_000, seed=2)
    exact = COMPARISONS[FIELDS.index("name")].levels.index("exact")
    u_all = u["name"][exact]
    assert 0.1 < u_all < 0.25  # a third of same-state pairs, none across
    assert place_u["name"]["same_state"][exact] > 0.25
    assert place_u["name"]["other_state"][exact] < 0.01
    # Sex, age and the rest are not regional: no place u is kept for them.
    assert "age" not in place_u and "district" not in place_u


def test_likely_true_pairs_are_weighed_out_of_the_place_u() -> None:
    """In a small state a same-state draw is often the child's own report: counted
    as strangers, those pairs would make a shared phone look commonplace."""
    from matcher.scoring.train import estimate_place_u

    g = load_gazetteer()
    fathers = [f"{a} {b}" for a in ("Ram", "Shyam", "Mohan", "Gopal", "Hari")
               for b in ("Prasad", "Yadav", "Singh", "Sharma")]  # fmt: skip
    found_people, missing_people = [], []
    for i, father in enumerate(fathers * 2):
        district, state = ("Patna", "Bihar") if i < 20 else ("Madurai", "Tamil Nadu")
        # 20 children a state; each report shares the phone of its own child only.
        common = {"district": district, "state": state, "father_name": father}
        phone = f"98765{i:05d}"
        found_people.append(normalize_record(found(guardian_phone=phone, **common), g))
        missing_people.append(normalize_record(missing(guardian_phone=phone, **common), g))
    model = default_model()  # u of a realistic population: a shared phone about 1e-5
    place_u = estimate_place_u(found_people, missing_people, model, pairs=20_000, seed=2)
    levels = COMPARISONS[FIELDS.index("family")].levels
    phone = levels.index("phone_and_parent")
    drawn = comparison_matrix(
        (f, m) for f in found_people for m in missing_people if f.home.state == m.home.state
    )[:, FIELDS.index("family")]
    # One same-state draw in twenty is the child's own report, sharing the phone.
    assert float(np.mean(drawn == phone)) == pytest.approx(0.05)
    u_all = model.comparison("family").level("phone_and_parent").u_probability
    assert place_u["family"]["same_state"][phone] < 10 * u_all < 0.001


def test_a_shared_name_counts_less_between_strangers_of_one_state() -> None:
    g = load_gazetteer()
    model = default_model()
    tf = TermFrequencies.empty()
    child = normalize_record(found(name="Irfan", age="12", district="Patna", state="Bihar"), g)
    same_state = normalize_record(missing(name="Irfan", age="12", district="Gaya"), g)
    other_state = normalize_record(missing(name="Irfan", age="12", district="Madurai"), g)
    near = score_pair(child, same_state, model, tf, -10.0)
    far = score_pair(child, other_state, model, tf, -10.0)
    name = {pair: next(w for w in pair.weights if w.field == "name") for pair in (near, far)}
    assert name[near].level == name[far].level == "exact"
    level = model.comparison("name").level("exact")
    assert name[near].weight == level.weight_in("same_state") < level.match_weight
    assert name[far].weight == level.weight_in("other_state")
    # The caseworker is told why the same level weighs less here.
    assert name[near].detail.endswith(SAME_STATE_NOTE)
    assert SAME_STATE_NOTE not in name[far].detail
    for pair, other in ((near, same_state), (far, other_state)):
        assert math.isclose(
            pair.match_weight, pair.prior_weight + sum(w.weight for w in pair.weights)
        )
        # Ranking takes the same place context as the explanation.
        table = WeightTable.of(model)
        assert math.isclose(pair_weight(child, other, table, tf, -10.0), pair.match_weight)


def test_a_model_saved_before_place_contexts_loads_and_weighs_as_it_did(tmp_path: Path) -> None:
    data = default_model().to_dict()
    assert data["format_version"] == 2
    data["format_version"] = 1
    for comparison in data["comparisons"]:
        for level in comparison["levels"]:
            level.pop("u_same_state", None)
            level.pop("u_other_state", None)
    old = MatchModel.from_dict(data)
    marginal = {
        c["field"]: {
            lv["name"]: math.log2(lv["m_probability"] / lv["u_probability"]) for lv in c["levels"]
        }
        for c in data["comparisons"]
    }
    for context in (None, "same_state", "other_state"):
        table = old.weight_table(context)
        assert table.keys() == marginal.keys()
        for field, levels in marginal.items():
            assert table[field] == pytest.approx(levels)
    # The shipped model's own place u's do change its same-state weights.
    assert default_model().weight_table("same_state") != default_model().weight_table()
    path = tmp_path / "model.json"
    default_model().save(path)
    assert MatchModel.load(path) == default_model()


@pytest.mark.parametrize("bad", [float("nan"), -0.1, 1.5])
def test_a_place_u_that_is_no_probability_is_refused(bad: float) -> None:
    data = default_model().to_dict()
    data["comparisons"][FIELDS.index("name")]["levels"][0]["u_same_state"] = bad
    with pytest.raises(ModelError, match="u_same_state"):
        MatchModel.from_dict(data)


def test_the_place_context_weakens_evidence_but_never_turns_it_round() -> None:
    model = default_model()
    for comparison in model.comparisons:
        for level in comparison.levels:
            for context in ("same_state", "other_state"):
                weight = level.weight_in(context)
                assert weight * level.match_weight >= 0, (comparison.field, level.name, context)
    # Within one state the child and strangers alike nearly always share a language.
    languages = model.comparison("languages")
    assert languages.level("none_shared").weight_in("same_state") <= 0
    assert languages.level("none_shared").weight_in("other_state") < -1


def test_place_u_shrinks_a_rare_level_towards_the_all_strangers_u() -> None:
    from matcher.scoring.train import PLACE_PSEUDO_EVENTS, _shrunk_shares

    u_all = [1e-5, 0.01, 1 - 1e-5 - 0.01]
    n = 100_000
    weights = np.ones(n)
    # Level 0 never seen in 100,000 draws (1 expected): it stays near u_all, not 0.
    never = np.asarray([1] * 1_000 + [2] * (n - 1_000), dtype=np.int8)
    shares = _shrunk_shares(never, weights, u_all)
    expected = 1e-5 * PLACE_PSEUDO_EVENTS / (1 + PLACE_PSEUDO_EVENTS)  # before renormalising
    assert shares[0] == pytest.approx(expected, rel=1e-3)
    # A common level seen three times as often as among all strangers moves nearly all the way.
    often = np.asarray([1] * 3_000 + [2] * (n - 3_000), dtype=np.int8)
    assert _shrunk_shares(often, weights, u_all)[1] == pytest.approx(0.03, rel=0.01)
    # Missing values (-1) count for nothing, and the shares add up to one.
    with_missing = np.concatenate([often, np.full(50_000, -1, dtype=np.int8)])
    shares = _shrunk_shares(with_missing, np.ones(len(with_missing)), u_all)
    assert shares == pytest.approx(_shrunk_shares(often, weights, u_all))
    assert sum(shares) == pytest.approx(1.0)


def _demo_people() -> tuple[list[Person], list[Person]]:
    from matcher.cli import DEMO_DIR, _load_people

    missing_people, _ = _load_people(DEMO_DIR / "missing.csv", "missing")
    found_people, _ = _load_people(DEMO_DIR / "found.csv", "found")
    return found_people, missing_people


def test_training_keeps_place_u_for_regional_comparisons_only() -> None:
    from matcher.scoring.train import train

    found_people, missing_people = _demo_people()
    model = train(found_people, missing_people, u_pairs=20_000, seed=3)
    for spec in COMPARISONS:
        for level in model.comparison(spec.field).levels:
            placed = (level.u_same_state is not None, level.u_other_state is not None)
            assert placed == (spec.u_by_place, spec.u_by_place), (spec.field, level.name)


def test_ranking_and_explanation_weigh_every_pair_alike() -> None:
    """The ranking path (pair_weight) and the explained path (score_pair) must give one
    weight, whatever the places: resolved, unresolved text, state only, none."""
    from matcher.blocking.index import CandidateIndex

    found_people, missing_people = _demo_people()
    g = load_gazetteer()
    odd_places = [
        normalize_record(found(name="Irfan", district=d, state=s), g)
        for d, s in (("", ""), ("Xyzzyville", "Bihar"), ("", "Bihar"), ("Aurangabad", ""))
    ]
    index = CandidateIndex(missing_people)
    table = WeightTable.of(default_model())
    tf = TermFrequencies.from_persons(missing_people)
    contexts = set()
    checked = 0
    for child in [*found_people, *odd_places]:
        for candidate in index.candidates(child, 50):
            scored = score_pair(child, candidate.person, table, tf, -11.0)
            ranked = pair_weight(child, candidate.person, table, tf, -11.0)
            assert ranked == pytest.approx(scored.match_weight, abs=1e-9)
            contexts.add(next(w.level for w in scored.weights if w.field == "district"))
            checked += 1
    assert checked > 2_000
    assert contexts >= {"same_district", "same_state", "different_state", "null"}


def _with_u(model: MatchModel, u: dict[str, list[float]]) -> MatchModel:
    comparisons = tuple(
        replace(
            c,
            levels=tuple(
                replace(lv, u_probability=p, u_same_state=None, u_other_state=None)
                for lv, p in zip(c.levels, u[c.field], strict=True)
            ),
        )
        for c in model.comparisons
    )
    return replace(model, comparisons=comparisons)
