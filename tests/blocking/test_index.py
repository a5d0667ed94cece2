"""Blocking keys and the candidate index: reachability, ranking, and live updates."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from matcher.blocking.index import CandidateIndex, _shared_key_scores
from matcher.blocking.keys import blocking_keys, key_family
from matcher.normalize.person import Person, normalize_record
from matcher.normalize.places import load_gazetteer
from matcher.records import RawRecord
from tests.factories import found, missing

TODAY = date(2025, 1, 1)


def person(raw: RawRecord) -> Person:
    return normalize_record(raw, load_gazetteer(), today=TODAY)


def test_every_key_has_a_family() -> None:
    p = person(
        missing(
            name="Rahul Kumar",
            sex="M",
            age="10",
            missing_date="2023-01-01",
            father_name="Ram Prasad",
            mother_name="Sunita Devi",
            guardian_phone="9876543210",
            district="Patna",
            state="Bihar",
        )
    )
    keys = blocking_keys(p)
    assert {key_family(k) for k in keys} == {"name", "father", "mother", "phone", "place"}
    assert {k for k in keys if k.startswith(("ph:", "pt:"))} == {"ph:97531", "pt:86420"}
    assert "p:9876543210" in keys


def test_unknown_age_gives_no_year_keys() -> None:
    p = person(missing(name="Rahul", district="Patna", state="Bihar"))
    assert not [k for k in blocking_keys(p) if k.startswith(("d:", "ny:", "sy:"))]


def test_nickname_only_child_is_reached_through_the_father() -> None:
    """'Chhotu' with no district: the father's name is the only way in."""
    report = person(missing(id="M1", name="Rahul Kumar", father_name="Ram Prasad"))
    others = [person(missing(id=f"X{i}", name="Sonu", father_name="Mahesh")) for i in range(20)]
    index = CandidateIndex([report, *others])
    child = person(found(name="Chhotu", father_name="Ramprasad"))
    assert [c.person.id for c in index.candidates(child)][:1] == ["M1"]


def test_reached_through_phone_alone() -> None:
    report = person(missing(id="M1", name="Rahul", guardian_phone="+91-98765 43210"))
    index = CandidateIndex([report])
    child = person(found(name="Golu", guardian_phone="09876543210"))
    assert [c.person.id for c in index.candidates(child)] == ["M1"]


def test_reached_through_a_phone_with_one_wrong_digit() -> None:
    report = person(missing(id="M1", name="Rahul", guardian_phone="+91-98765 43210"))
    index = CandidateIndex([report])
    child = person(found(name="Golu", guardian_phone="98765 43290"))
    assert [c.person.id for c in index.candidates(child)] == ["M1"]


def test_an_abdul_name_is_reached_by_the_name_he_is_called() -> None:
    report = person(missing(id="M1", name="Sheikh Abdul Rahim"))
    index = CandidateIndex([report])
    child = person(found(name="Rahim"))
    assert [c.person.id for c in index.candidates(child)] == ["M1"]


def test_reached_through_the_village_alone() -> None:
    report = person(missing(id="M1", name="Rahul", village="Vill- Rampoor"))
    index = CandidateIndex([report])
    child = person(found(name="Golu", village="Gram Rampur"))
    assert [c.person.id for c in index.candidates(child)] == ["M1"]


def test_more_shared_evidence_ranks_first() -> None:
    """Many Rahuls share the name; the one who also shares the father and district comes first."""
    fields = {"sex": "M", "age": "10", "missing_date": "2023-01-01"}
    true = person(
        missing(
            id="T", name="Rahul", father_name="Suresh", district="Gaya", state="Bihar", **fields
        )
    )
    twins = [
        person(missing(id=f"R{i}", name="Rahul", district="Pune", state="MH", **fields))
        for i in range(50)
    ]
    index = CandidateIndex([*twins, true])
    child = person(
        found(
            name="Rahul",
            sex="M",
            age="12",
            found_date="2024-06-01",
            father_name="Suresh",
            district="Gaya",
        )
    )
    ranked = index.candidates(child, limit=5, min_ratio=0.0)
    assert ranked[0].person.id == "T"
    assert ranked[0].shared_families > ranked[1].shared_families
    # By default, records sharing only a common name with the query while
    # another shares name, father and district are not worth scoring.
    assert [c.person.id for c in index.candidates(child, limit=5)] == ["T"]


def test_a_guessed_age_years_off_still_reaches_through_name_and_district() -> None:
    """The report says 8, the rescued child looks 14: no year key is shared, the
    name with the district still is, and it outranks the name's other holders."""
    report = person(
        missing(
            id="T",
            name="Ankita Gupta",
            sex="F",
            age="8",
            missing_date="2023-01-01",
            district="Ghazipur",
            state="Uttar Pradesh",
        )
    )
    others = [
        person(
            missing(
                id=f"A{i}",
                name="Ankita",
                sex="F",
                age="14",
                missing_date="2023-01-01",
                district=district,
                state="Uttar Pradesh",
            )
        )
        for i, district in enumerate(["Agra", "Ballia", "Mau", "Varanasi"] * 10)
    ]
    index = CandidateIndex([*others, report])
    child = person(
        found(name="Ankita", sex="F", age="14", found_date="2024-01-01", district="Ghazipur")
    )
    child_years = {k for k in blocking_keys(child, query=True) if k.startswith("d:")}
    assert child_years and not child_years & blocking_keys(report)
    assert [c.person.id for c in index.candidates(child, limit=5)][:1] == ["T"]


def test_limit_bounds_the_candidates() -> None:
    reports = [person(missing(id=f"R{i}", name="Pooja")) for i in range(40)]
    index = CandidateIndex(reports)
    assert len(index.candidates(person(found(name="Puja")), limit=7)) == 7


def test_records_sharing_the_same_keys_are_cut_by_birth_year() -> None:
    # Thirty reports share only the name and sex keys with the child (their
    # birth years are all beyond the child's year keys), so their retrieval
    # scores tie; the far ones come first in the index.
    reports = [
        person(
            missing(
                id=f"R{age}-{i}", name="Rahul", sex="M", age=str(age), missing_date="2024-06-01"
            )
        )
        for age in range(22, 12, -1)
        for i in range(3)
    ]
    index = CandidateIndex(reports)
    child = person(found(name="Rahul", sex="M", age="10", found_date="2024-06-01"))
    kept = index.candidates(child, limit=5, min_ratio=0)
    assert len(kept) == 5
    assert {c.person.id.split("-")[0] for c in kept} <= {"R13", "R14"}


def test_a_crowd_of_impossible_candidates_does_not_push_out_the_child() -> None:
    """Girls called Sonu born the same year, and boys reported missing after
    this Sonu was found, share his name and birth year keys just as his own
    report does; the sex and the dates put his report first."""
    crowd = [
        *(dict(sex="F", age="9", missing_date="2023-01-10") for _ in range(15)),
        *(dict(sex="M", age="10", missing_date="2024-09-01") for _ in range(15)),
    ]
    reports = [person(missing(id=f"C{i}", name="Sonu", **f)) for i, f in enumerate(crowd)]
    reports += [person(missing(id=f"X{i}", name="Sonu", sex="M")) for i in range(200)]
    reports.append(
        person(missing(id="TRUE", name="Sonu", sex="M", age="9", missing_date="2023-01-10"))
    )
    index = CandidateIndex(reports)
    child = person(found(name="Sonu", sex="M", age="10", found_date="2024-02-01"))
    top = [c.person.id for c in index.candidates(child, limit=5, min_ratio=0)]
    assert top[0] == "TRUE"
    assert not any(cid.startswith("C") for cid in top)


def test_a_new_report_ranks_children_found_before_it_went_missing_lower() -> None:
    """The other direction: a report searching the found children (the service
    does this when a report arrives) passes over children found before the
    child went missing."""
    early = [
        person(found(id=f"E{i}", name="Sonu", sex="M", age="10", found_date="2022-03-01"))
        for i in range(10)
    ]
    others = [person(found(id=f"X{i}", name="Sonu", sex="M")) for i in range(100)]
    later = person(found(id="LATER", name="Sonu", sex="M", age="10", found_date="2024-02-01"))
    index = CandidateIndex([*early, *others, later])
    report = person(missing(name="Sonu", sex="M", age="9", missing_date="2023-01-10"))
    top = [c.person.id for c in index.candidates(report, limit=3, min_ratio=0)]
    assert top[0] == "LATER"
    assert not any(cid.startswith("E") for cid in top)


def test_added_changed_and_removed_records() -> None:
    index = CandidateIndex([person(missing(id="M1", name="Irfan"))])
    child = person(found(name="Irfan"))
    assert [c.person.id for c in index.candidates(child)] == ["M1"]
    index.add(person(missing(id="M1", name="Salim")))  # changed: no longer an Irfan
    assert index.candidates(child) == []
    assert len(index) == 1
    index.add(person(missing(id="M2", name="Irfaan")))
    assert [c.person.id for c in index.candidates(child)] == ["M2"]
    assert index.remove("M2") and not index.remove("M2")
    assert index.candidates(child) == []
    assert "M1" in index and "M2" not in index


def test_compaction_keeps_live_records() -> None:
    index = CandidateIndex([person(missing(id=f"M{i}", name="Irfan")) for i in range(1500)])
    for i in range(1200):
        index.remove(f"M{i}")
    assert len(index) == 300
    ids = {c.person.id for c in index.candidates(person(found(name="Irfan")), limit=1000)}
    assert ids == {f"M{i}" for i in range(1200, 1500)}


def test_a_record_is_not_its_own_candidate() -> None:
    a = person(missing(id="A", name="Irfan"))
    b = person(missing(id="B", name="Irfan"))
    index = CandidateIndex([a, b])
    assert [c.person.id for c in index.candidates(a)] == ["B"]


def test_shared_key_scores_sum_each_familys_rarest_key() -> None:
    """The one-sort scoring against a plain loop over random postings."""
    rng = np.random.default_rng(7)
    alive = rng.random(300) > 0.1
    families = [
        [
            (np.sort(rng.choice(300, size=int(rng.integers(1, 80)), replace=False)), float(idf))
            for idf in rng.uniform(0.5, 9.0, size=int(rng.integers(1, 4)))
        ]
        for _ in range(4)
    ]
    expected: dict[int, list[float]] = {}
    for family in families:
        best: dict[int, float] = {}
        for slots, idf in family:
            for slot in slots.tolist():
                best[slot] = max(best.get(slot, 0.0), idf)
        for slot, idf in best.items():
            if alive[slot]:
                expected.setdefault(slot, []).append(idf)
    slots, scores, counts = _shared_key_scores(families, alive)
    assert slots.tolist() == sorted(expected)
    assert scores.tolist() == pytest.approx([sum(expected[s]) for s in slots.tolist()])
    assert counts.tolist() == [len(expected[s]) for s in slots.tolist()]
    # Without a filter (an index with no dead slots) every posted slot is scored.
    everyone, _, _ = _shared_key_scores(families, None)
    assert everyone.tolist() == sorted({s for f in families for a, _ in f for s in a.tolist()})


def test_bulk_and_one_by_one_indexes_give_the_same_candidates() -> None:
    """A bulk load is sorted into hashed postings, records added one by one go to a
    later layer that is folded in as it grows: both find the same candidates, in the
    same order, also after records are changed and removed."""
    rng = np.random.default_rng(3)
    names = ["Rahul", "Sonu", "Irfan", "Pooja", "Rani", "Amit", "Sunita"]
    fathers = ["Ram Prasad", "Suresh", "Salim", "Mahesh", ""]
    districts = ["Patna", "Gaya", "Sitapur", ""]

    def report(i: int) -> Person:
        return person(
            missing(
                id=f"M{i}",
                name=str(rng.choice(names)),
                sex=str(rng.choice(["M", "F"])),
                age=str(int(rng.integers(5, 16))),
                father_name=str(rng.choice(fathers)),
                district=str(rng.choice(districts)),
            )
        )

    reports = [report(i) for i in range(6000)]
    bulk = CandidateIndex(reports)
    one_by_one = CandidateIndex()
    for r in reports:
        one_by_one.add(r)
    in_batches = CandidateIndex()
    for start in range(0, len(reports), 700):
        in_batches.add_many(reports[start : start + 700])
    changed = [report(i) for i in range(0, 6000, 7)]  # new versions of every seventh report
    for index in (bulk, one_by_one, in_batches):
        index.add_many(changed[:400])
        for r in changed[400:]:
            index.add(r)
        for i in range(1, 6000, 11):
            index.remove(f"M{i}")
    children = [person(found(name=n, sex="M", father_name="Suresh")) for n in names]
    for child in children:
        expected = [(c.person.id, c.retrieval_score) for c in bulk.candidates(child, limit=200)]
        assert expected
        for index in (one_by_one, in_batches):
            assert [
                (c.person.id, c.retrieval_score) for c in index.candidates(child, limit=200)
            ] == expected
    for key in blocking_keys(reports[3]):
        assert bulk.document_frequency(key) == one_by_one.document_frequency(key) > 0
