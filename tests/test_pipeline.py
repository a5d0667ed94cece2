"""Model-level case tables: the shipped model on pairs a caseworker would recognise.

Each case puts a found child beside a small population of reports (fillers
make the prior realistic) and checks what the queue would show. Hard negatives
must not reach ``match``; true pairs written differently must be proposed.
"""

from __future__ import annotations

from datetime import date

import pytest

from matcher.blocking.index import CandidateIndex
from matcher.decide import Decision
from matcher.normalize.person import Person, normalize_record
from matcher.normalize.places import load_gazetteer
from matcher.pipeline import Linker, dedupe, link
from matcher.records import RawRecord
from matcher.scoring.model import default_model
from tests.factories import found, missing

TODAY = date(2025, 6, 1)
FILLER_NAMES = ["Suresh", "Anita", "Vikram", "Farida", "Gopal", "Meena", "Arjun", "Salma"]


def person(raw: RawRecord) -> Person:
    return normalize_record(raw, load_gazetteer(), today=TODAY)


def population(*reports: RawRecord, fillers: int = 2000) -> list[Person]:
    """The reports under test among ``fillers`` unrelated reports across India."""
    districts = [("Pune", "MH"), ("Madurai", "TN"), ("Kota", "RJ"), ("Puri", "OD")]
    people = [person(r) for r in reports]
    for i in range(fillers):
        district, state = districts[i % len(districts)]
        people.append(
            person(
                missing(
                    id=f"FILL-{i}",
                    name=f"{FILLER_NAMES[i % len(FILLER_NAMES)]} {i}",
                    age=str(5 + i % 12),
                    missing_date="2022-01-01",
                    district=district,
                    state=state,
                )
            )
        )
    return people


def decisions(child: RawRecord, *reports: RawRecord) -> dict[str, Decision | None]:
    linker = Linker(CandidateIndex(population(*reports)), default_model())
    return {
        link.pair.missing_id: link.decision
        for link in linker.best(person(child), k=20)
        if not link.pair.missing_id.startswith("FILL-")
    }


def test_transliterated_report_in_another_script_is_a_match() -> None:
    child = found(
        name="Md Irfan",
        sex="boy",
        age="about 12",
        found_date="2024-08-15",
        father_name="Salim",
        district="Gurgaon",
        state="Haryana",
    )
    report = missing(
        id="M-IRFAN",
        name="मोहम्मद इरफ़ान शेख",
        sex="M",
        age="9",
        missing_date="10/05/2021",
        father_name="Late Shri Salim Sheikh",
        district="Gurugram",
        state="Haryana",
    )
    assert decisions(child, report) == {"M-IRFAN": Decision.MATCH}


def test_nickname_child_with_family_evidence_is_proposed_for_review() -> None:
    child = found(
        name="Chhotu",
        sex="M",
        age="10",
        found_date="2024-03-01",
        father_name="Ramprasad",
        village="Rampur Khas",
        district="Gaya",
    )
    report = missing(
        id="M-RAHUL",
        name="Rahul Kumar",
        aliases="Chhotu",
        sex="male",
        age="8",
        missing_date="2022-02-10",
        father_name="Ram Prasad",
        village="Ward 4, Rampur Khas",
        district="Gaya",
        state="Bihar",
    )
    assert decisions(child, report).get("M-RAHUL") in (Decision.MATCH, Decision.REVIEW)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(
            missing(
                id="SISTER",
                name="Pinki Mondal",
                sex="F",
                age="4",
                missing_date="2024-04-23",
                father_name="Jagannath Mondal",
                mother_name="Gita",
                guardian_phone="8282353627",
                village="Krishnagachhi",
                district="Jalpaiguri",
                state="WB",
            ),
            id="younger sister reported together: same father, mother, phone, village",
        ),
        pytest.param(
            missing(
                id="BROTHER",
                name="Bapi Mondal",
                sex="M",
                age="7",
                missing_date="2024-04-23",
                father_name="Jagannath Mondal",
                mother_name="Gita",
                guardian_phone="8282353627",
                village="Krishnagachhi",
                district="Jalpaiguri",
                state="WB",
            ),
            id="younger brother reported together",
        ),
    ],
)
def test_siblings_never_reach_match(other: RawRecord) -> None:
    child = found(
        name="Tanmay",
        sex="male",
        age="12",
        found_date="2024-08-07",
        father_name="Jagannath",
        guardian_phone="8282353627",
        district="Jalpaiguri",
        state="West Bengal",
    )
    assert decisions(child, other).get(other.id) is not Decision.MATCH


def test_same_common_name_same_district_different_child_is_not_a_match() -> None:
    """Two Rahul Kumars of Gaya, born five years apart, with other fathers."""
    child = found(
        name="Rahul Kumar",
        sex="M",
        age="14",
        found_date="2024-01-10",
        father_name="Dinesh",
        district="Gaya",
        state="Bihar",
    )
    other = missing(
        id="OTHER-RAHUL",
        name="Rahul Kumar",
        sex="M",
        age="6",
        missing_date="2023-06-01",
        father_name="Mahesh Yadav",
        district="Gaya",
        state="Bihar",
    )
    assert decisions(child, other).get("OTHER-RAHUL") is not Decision.MATCH


def test_twin_reports_of_a_common_name_share_the_probability() -> None:
    """Two Poojas of Patna with other parents fit the child equally well: neither is certain."""
    child = found(name="Pooja", sex="F", age="9", found_date="2024-01-10", district="Patna")
    fields = {"sex": "F", "age": "8", "missing_date": "2023-01-01", "district": "Patna"}
    first = missing(id="POOJA-1", name="Pooja Kumari", father_name="Ramesh", **fields)
    second = missing(id="POOJA-2", name="Puja Kumari", father_name="Sunil Paswan", **fields)
    result = decisions(child, first, second)
    assert set(result) == {"POOJA-1", "POOJA-2"}
    assert Decision.MATCH not in result.values()


def test_identical_twin_reports_do_not_compete() -> None:
    """The same child reported twice (same parents, same day) is not a rival to itself."""
    child = found(
        name="Pooja",
        sex="F",
        age="9",
        found_date="2024-01-10",
        district="Patna",
        father_name="Ramesh",
    )
    fields = {
        "sex": "F",
        "age": "8",
        "missing_date": "2023-01-01",
        "district": "Patna",
        "father_name": "Ramesh Ram",
        "mother_name": "Sita Devi",
    }
    first = missing(id="POOJA-1", name="Pooja Kumari", **fields)
    second = missing(id="POOJA-2", name="Puja Kumari", **fields)
    result = decisions(child, first, second)
    assert result == {"POOJA-1": Decision.MATCH, "POOJA-2": Decision.MATCH}


def test_link_and_dedupe_on_a_batch() -> None:
    reports = population(
        missing(
            id="R1",
            name="Sonam",
            sex="F",
            age="12",
            missing_date="2020-02-25",
            father_name="Kamlesh Kumar",
            district="Jalaun",
            state="UP",
        ),
        missing(
            id="R2",
            name="SONAM KUMARI",
            sex="girl",
            age="12",
            missing_date="2020-03-01",
            father_name="Kamlesh",
            district="Jalaun",
            state="Uttar Pradesh",
            guardian_phone="9876543210",
        ),
        fillers=300,
    )
    child = person(
        found(
            id="F1",
            name="सोनम",
            sex="female",
            age="13",
            found_date="2020-11-03",
            father_name="कमलेश कुमार",
            district="JALAUN",
        )
    )
    links = link([child], reports, default_model(), workers=1)
    assert {item.pair.missing_id for item in links} >= {"R1", "R2"}
    assert all(item.pair.found_id == "F1" for item in links)
    duplicates = dedupe(reports, default_model())
    assert {frozenset((p.found_id, p.missing_id)) for p in duplicates[:1]} == {
        frozenset(("R1", "R2"))
    }


@pytest.mark.parametrize("later_first", [False, True])
def test_dedupe_keeps_the_reading_in_which_the_later_report_searches(later_first: bool) -> None:
    """A child reported again three months later: read from the first report, the second
    looks "found first"; read from the second, the dates fit. The pair keeps the latter,
    whichever report comes first in the input."""
    fields = {
        "sex": "M",
        "age": "11",
        "father_name": "Suresh Yadav",
        "district": "Gaya",
        "state": "Bihar",
    }
    first = missing(id="D1", name="Bablu", missing_date="2022-01-10", **fields)
    again = missing(id="D2", name="Bablu Yadav", missing_date="2022-04-15", **fields)
    reports = (again, first) if later_first else (first, again)
    duplicates = dedupe(population(*reports, fillers=200), default_model())
    pair = next(p for p in duplicates if {p.found_id, p.missing_id} == {"D1", "D2"})
    dates = next(w for w in pair.weights if w.field == "dates")
    assert dates.level == "within_a_year"
    assert (pair.found_id, pair.missing_id) == ("D2", "D1")


def test_explanation_adds_up() -> None:
    child = found(name="Irfan", sex="M", age="12", found_date="2024-01-01", district="Patna")
    report = missing(
        id="M1", name="Irfan", sex="M", age="11", missing_date="2023-01-01", district="Patna"
    )
    linker = Linker(CandidateIndex(population(report, fillers=50)), default_model())
    best = linker.best(person(child), k=1)[0]
    total = best.pair.prior_weight + sum(w.weight for w in best.pair.weights)
    assert abs(total - best.pair.match_weight) < 1e-9
    assert all(w.detail for w in best.pair.weights)


def test_a_pair_scores_the_same_whichever_side_searches() -> None:
    """A report searching 30 found children has the prior a child searching 2,000 reports has.

    Spread over the found children instead, the prior would be 60 times too
    high and nearly every new report would go to the queue.
    """
    child_raw = found(
        id="F-IRFAN",
        name="Md Irfan",
        sex="boy",
        age="about 12",
        found_date="2024-08-15",
        father_name="Salim",
        district="Gurgaon",
        state="Haryana",
    )
    report_raw = missing(
        id="M-IRFAN",
        name="Irfan Sheikh",
        sex="M",
        age="9",
        missing_date="10/05/2021",
        father_name="Salim Sheikh",
        district="Gurugram",
        state="Haryana",
    )
    reports = population(report_raw)
    children = [person(child_raw)] + [
        person(found(id=f"F-{i}", name=name, age="8", found_date="2024-08-15", district="Patna"))
        for i, name in enumerate(FILLER_NAMES * 4)
    ]
    model = default_model()
    child_searches = Linker(CandidateIndex(reports), model)
    report_searches = Linker(CandidateIndex(children), model, reports=lambda: len(reports))
    [forward] = [r.pair for r in child_searches.best(children[0]) if r.pair.missing_id == "M-IRFAN"]
    [backward] = [r.pair for r in report_searches.best(reports[0]) if r.pair.found_id == "F-IRFAN"]
    assert forward.prior_weight == pytest.approx(backward.prior_weight)
    assert forward.prior_weight < Linker(CandidateIndex(children), model).prior_weight() - 5
    own = [w for w in forward.weights if w.field != "other_candidates"]
    assert [(w.field, w.level) for w in own] == [
        (w.field, w.level) for w in backward.weights if w.field != "other_candidates"
    ]
