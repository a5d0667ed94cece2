"""normalize_record and own_name: the whole record, read field by field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from matcher.normalize.names import ParsedName, TokenKind, parse_name
from matcher.normalize.person import FieldProblem, normalize_record, own_name
from matcher.normalize.places import load_gazetteer
from matcher.records import Sex
from tests.factories import found, missing

TODAY = date(2025, 6, 1)


def _own_name_reference(name: ParsedName, father: ParsedName) -> ParsedName:
    """own_name written the obvious way, to compare the fast one with."""
    family = {t.strict for t in father.tokens if t.strict}
    if not family:
        return name
    informative = (TokenKind.GIVEN, TokenKind.NICKNAME)
    kept = tuple(t for t in name.tokens if t.kind not in informative or t.strict not in family)
    if len(kept) == len(name.tokens) or not any(t.kind in informative for t in kept):
        return name
    return replace(name, tokens=kept, original=f"{name.original}\x1f{father.original}")


_WORDS = ["Sakshi", "Raju", "Chavan", "Kumar", "Kumari", "Md", "Irfan", "Shaikh", "R", "Chhotu", ""]
_names = st.lists(st.sampled_from(_WORDS), max_size=4).map(" ".join)


@given(_names, _names)
def test_own_name_agrees_with_the_reference(name: str, father: str) -> None:
    child, parent = parse_name(name), parse_name(father)
    assert own_name(child, parent) == _own_name_reference(child, parent)


def test_own_name_drops_what_repeats_the_father() -> None:
    own = own_name(parse_name("Sakshi Raju Chavan"), parse_name("Raju Chavan"))
    assert [t.text for t in own.tokens] == ["sakshi"]
    assert own.latin == "sakshi raju chavan"  # the canonical form stays the whole name
    assert own_name(parse_name("Raju Chavan"), parse_name("Raju Chavan")).tokens == (
        parse_name("Raju Chavan").tokens
    )  # nothing would be left: unchanged


def test_empty_record() -> None:
    person = normalize_record(missing(), load_gazetteer(), today=TODAY)
    assert person.name == parse_name("") and person.father == parse_name("")
    assert person.aliases == () and person.phones == () and person.problems == ()
    assert person.sex is None and person.age is None and person.birth is None
    assert person.village == "" and person.languages == frozenset() and person.marks == frozenset()
    assert person.found_place is None


def test_found_child_without_found_date_is_placed_at_today() -> None:
    person = normalize_record(found(age="10"), load_gazetteer(), today=TODAY)
    assert person.birth is not None and person.birth.latest == date(2015, 6, 1)
    assert person.found_place is not None


def test_problems_keep_the_field_order() -> None:
    record = missing(sex="tree", missing_date="31/02/2020", age="abc", height_cm="900")
    person = normalize_record(record, load_gazetteer(), today=TODAY)
    assert [p.field for p in person.problems] == ["sex", "missing_date", "age", "height_cm"]
    assert all(isinstance(p, FieldProblem) and p.reason for p in person.problems)


def test_birth_date_after_the_record_date_is_a_problem() -> None:
    record = missing(birth_date="01/01/2021", missing_date="01/01/2020")
    person = normalize_record(record, load_gazetteer(), today=TODAY)
    assert [p.field for p in person.problems] == ["birth_date"]
    assert person.birth is None


def test_sex_from_names_when_the_field_is_empty() -> None:
    g = load_gazetteer()
    assert normalize_record(missing(name="Sunita Kumari"), g, today=TODAY).sex is Sex.FEMALE
    both = missing(name="Sunita Kumari", aliases="Raju Kumar")
    assert normalize_record(both, g, today=TODAY).sex is None  # the names disagree
    agree = missing(name="Sunita Kumari", aliases="Sonu Kumari")
    assert normalize_record(agree, g, today=TODAY).sex is Sex.FEMALE
    field = normalize_record(missing(name="Sunita Kumari", sex="M"), g, today=TODAY)
    assert field.sex is Sex.MALE and field.sex_from_field


def _parents(**fields: str) -> tuple[str, str, str]:
    person = normalize_record(missing(**fields), load_gazetteer(), today=TODAY)
    return person.father.latin, person.mother.latin, person.guardian.latin


def test_a_parent_field_written_as_a_relation_names_that_parent() -> None:
    # Registers write the father's column as "S/o <father>"; the name must not be lost.
    assert _parents(father_name="S/o DILIP MEHTA") == ("dilip mehta", "", "")
    assert _parents(father_name="D/o Ramesh", mother_name="S/o Sunita") == ("ramesh", "sunita", "")
    assert _parents(guardian_name="C/o Mahesh") == ("", "", "mahesh")
    # "W/o" in the mother's column names her husband: the father, if no one else is.
    assert _parents(mother_name="W/o Ramesh Yadav") == ("ramesh yadav", "", "")
    assert _parents(father_name="Suresh", mother_name="W/o Ramesh") == ("suresh", "", "")
    # A plain name is untouched, and a relation with words of its own is not a parent.
    assert _parents(father_name="Late Shri Ram Prasad") == ("ram prasad", "", "")
    # A name that reads as a woman's is the mother, whichever column it is in, and
    # a man's the father: "B/o" (baby of) names the mother.
    assert _parents(father_name="B/o Sunita Devi") == ("", "sunita devi", "")
    assert _parents(mother_name="S/o Ramesh Singh") == ("ramesh singh", "", "")
    assert _parents(father_name="Ramesh", mother_name="D/o Ramesh Singh") == ("ramesh", "", "")


def test_a_parent_named_after_the_childs_name_fills_an_empty_parent_field() -> None:
    assert _parents(name="Raju S/o Ramesh") == ("ramesh", "", "")
    assert _parents(name="राहुल पिता रमेश") == ("ramesh", "", "")
    assert _parents(mother_name="पिता रमेश") == ("ramesh", "", "")  # pita names the father
    assert _parents(mother_name="pita Sunita Devi") == ("", "sunita devi", "")  # unless a woman
    assert _parents(name="Pooja D/o Sunita Devi") == ("", "sunita devi", "")
    assert _parents(name="Pooja D/o Sunita Devi", mother_name="Geeta") == ("", "geeta", "")
    assert _parents(name="Raju S/o Ramesh", father_name="Suresh") == ("suresh", "", "")


def test_a_birth_date_known_to_the_year_or_month_places_the_birth() -> None:
    g = load_gazetteer()

    def read(**fields: str):  # type: ignore[no-untyped-def]
        person = normalize_record(missing(missing_date="2020-06-01", **fields), g, today=TODAY)
        return person.birth, [p.field for p in person.problems]

    birth, problems = read(birth_date="2012")
    assert birth is not None and (birth.earliest, birth.latest, birth.source) == (
        date(2012, 1, 1),
        date(2012, 12, 31),
        "birth_year",
    )
    assert problems == ["birth_date"]  # the sender is told that no day was given
    birth, _ = read(birth_date="approx March 2012")
    assert birth is not None and (birth.earliest, birth.latest) == (
        date(2012, 3, 1),
        date(2012, 3, 31),
    )
    birth, _ = read(birth_date="2020")  # the report's own year: up to the report's date
    assert birth is not None and birth.latest == date(2020, 6, 1)
    birth, _ = read(birth_date="2012", age="10")  # an age at a known date says more
    assert birth is not None and birth.source == "age"
    birth, _ = read(birth_date="2021")  # after the report
    assert birth is None


def test_a_birth_date_or_year_in_the_age_field_is_read_as_the_birth() -> None:
    g = load_gazetteer()

    def read(**fields: str):  # type: ignore[no-untyped-def]
        person = normalize_record(missing(missing_date="2020-06-01", **fields), g, today=TODAY)
        return person.birth, [(p.field, p.reason) for p in person.problems]

    birth, problems = read(age="DOB 12/03/2012")
    assert birth is not None and (birth.earliest, birth.latest) == (date(2012, 3, 12),) * 2
    assert [field for field, _ in problems] == ["age"]  # the sender is told, not silently fixed
    birth, _ = read(age="born 2012")
    assert birth is not None and (birth.earliest, birth.latest, birth.source) == (
        date(2012, 1, 1),
        date(2012, 12, 31),
        "birth_year",
    )
    birth, _ = read(age="2020")  # the year of the report itself: up to the report's date
    assert birth is not None and birth.latest == date(2020, 6, 1)
    # After the record's date, in the future, a placeholder year, or not a date: no birth.
    birth, problems = read(age="born 2021")
    assert birth is None
    assert problems == [("age", "a date or year of birth after the record's date")]
    assert read(age="born in 2031")[0] is None
    assert read(age="1900")[0] is None and read(age="dob 1949")[0] is None
    birth, problems = read(age="Adult")
    assert birth is None and problems[0][0] == "age" and "not a recognised age" in problems[0][1]
    # A birth_date field wins; the age field's text is then only a bad age.
    birth, problems = read(age="12/03/2012", birth_date="01/01/2011")
    assert birth is not None and birth.earliest == date(2011, 1, 1)
    assert [field for field, _ in problems] == ["age"]


def test_free_text_fields_are_read_the_same_every_time() -> None:
    g = load_gazetteer()
    record = missing(languages="Hindi, Bhojpuri", marks="Mole on left cheek", village=" Rampur ")
    first = normalize_record(record, g, today=TODAY)
    second = normalize_record(record, g, today=TODAY)
    assert first == second
    assert first.languages == frozenset({"hindi", "bhojpuri"})
    assert first.marks == frozenset({"mole", "left", "cheek"})
    assert first.village == "rampur"


def test_a_record_date_without_a_day_still_places_the_age() -> None:
    """ "12 when missing in March 2011": the date is not read (no day is invented), the age is."""
    g = load_gazetteer()
    person = normalize_record(missing(age="12", missing_date="March 2011"), g, today=TODAY)
    assert person.record_date is None
    assert person.birth is not None
    # 12 on 1 March 2011 (born from 2 March 1998) up to 12 on 31 March 2011 (born by 31 March 1999).
    assert (person.birth.earliest, person.birth.latest) == (date(1998, 3, 2), date(1999, 3, 31))
    assert [p.field for p in person.problems] == ["missing_date"]
    assert "no day is assumed" in person.problems[0].reason
    assert person.record_period is not None
    assert (person.record_period.first, person.record_period.last) == (
        date(2011, 3, 1),
        date(2011, 3, 31),
    )
    year = normalize_record(missing(age="12", missing_date="2011"), g, today=TODAY)
    assert year.birth is not None
    assert (year.birth.earliest, year.birth.latest) == (date(1998, 1, 2), date(1999, 12, 31))
    # A found child's month of rescue places the age there, not at today's date.
    child = normalize_record(found(age="10", found_date="03/2024"), g, today=TODAY)
    assert child.record_date is None and child.birth is not None
    assert child.birth.latest == date(2014, 3, 31)
    # A birth after the period's last day is a problem, as after a full date.
    late = normalize_record(found(birth_date="01/05/2024", found_date="03/2024"), g, today=TODAY)
    assert late.birth is None and "after the record's date" in late.problems[-1].reason
    # Anything else that is no date still places nothing, and says why.
    other = normalize_record(missing(age="12", missing_date="Chaitra 2011"), g, today=TODAY)
    assert other.birth is None and "not a recognised date" in other.problems[0].reason
