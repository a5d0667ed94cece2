"""parse_date: the date forms of missing and found records, and the ones we refuse."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.errors import InvalidFieldValue
from matcher.normalize.dates import (
    MIN_YEAR,
    is_unknown_marker,
    lookup_key,
    parse_date,
    parse_period,
    quick_fold,
)
from matcher.normalize.text import fold_text

TODAY = date(2025, 6, 1)

READS = [
    # (text, expected, description)
    ("2011-03-04", date(2011, 3, 4), "ISO"),
    ("Friday, 4 March 2011", date(2011, 3, 4), "a weekday first"),
    ("Fri 04/03/2011", date(2011, 3, 4), "an abbreviated weekday first"),
    ("2011/03/04", date(2011, 3, 4), "year first with slashes is still year-month-day"),
    ("2011-3-4", date(2011, 3, 4), "ISO without zero padding"),
    ("04/03/2011", date(2011, 3, 4), "DD/MM/YYYY, day first"),
    ("4-3-2011", date(2011, 3, 4), "D-M-YYYY"),
    ("04.03.2011", date(2011, 3, 4), "dotted"),
    ("04 03 2011", date(2011, 3, 4), "spaces"),
    ("04 / 03 / 2011", date(2011, 3, 4), "spaced slashes"),
    ("04/03-2011", date(2011, 3, 4), "mixed separators"),
    ("04.03.11", date(2011, 3, 4), "two-digit year: most recent past year"),
    ("04.03.98", date(1998, 3, 4), "two-digit year in the last century"),
    ("31.05.25", date(2025, 5, 31), "two-digit year this year, in the past"),
    ("02.06.25", date(2025, 6, 2), "tomorrow is within the one-day time-zone grace"),
    ("04.03.50", date(1950, 3, 4), "two-digit 50: 2050 is future, 1950 is the floor"),
    ("13/01/2011", date(2011, 1, 13), "day above 12 in front"),
    ("4 March 2011", date(2011, 3, 4), "day month-name year"),
    ("4 march 2011", date(2011, 3, 4), "lower-case month"),
    ("4 MAR 2011", date(2011, 3, 4), "upper-case abbreviation"),
    ("Mar 4, 2011", date(2011, 3, 4), "American order with a month name is unambiguous"),
    ("March 4 2011", date(2011, 3, 4), "month first without comma"),
    ("4th March, 2011", date(2011, 3, 4), "ordinal suffix"),
    ("4th of March 2011", date(2011, 3, 4), "ordinal with 'of'"),
    ("1st Sept 2015", date(2015, 9, 1), "Sept abbreviation"),
    ("04-Mar-11", date(2011, 3, 4), "spreadsheet DD-Mon-YY"),
    ("04-Mar-2011", date(2011, 3, 4), "spreadsheet DD-Mon-YYYY"),
    ("2011 March 4", date(2011, 3, 4), "year first with month name"),
    ("4 मार्च 2011", date(2011, 3, 4), "Devanagari month name"),
    ("४ मार्च २०११", date(2011, 3, 4), "Devanagari month name and digits"),
    ("4 फ़रवरी 2012", date(2012, 2, 4), "Hindi February with nukta"),
    ("4 फरवरी 2012", date(2012, 2, 4), "Hindi February typed without nukta"),
    ("15 अगस्त 2016", date(2016, 8, 15), "Hindi August"),
    ("10 सितम्बर 2014", date(2014, 9, 10), "Hindi September, half-m spelling"),
    ("10 सितंबर 2014", date(2014, 9, 10), "Hindi September, anusvara spelling"),
    ("4 farvari 2012", date(2012, 2, 4), "Hindi month in Latin letters"),
    ("26 janvari 2013", date(2013, 1, 26), "Hindi January in Latin letters"),
    ("৪ মার্চ ২০১১", date(2011, 3, 4), "Bengali month name and digits"),
    ("4 جون 2015", date(2015, 6, 4), "Urdu month name"),
    ("04032011", date(2011, 3, 4), "eight digits DDMMYYYY"),
    ("20110304", date(2011, 3, 4), "eight digits YYYYMMDD"),
    ("2011-03-04T00:00:00", date(2011, 3, 4), "ISO timestamp from an export"),
    ("2011-03-04 00:00:00", date(2011, 3, 4), "database timestamp"),
    ("04/03/2011 00:00", date(2011, 3, 4), "spreadsheet date-time"),
    ("04-03-2011 05:30 PM", date(2011, 3, 4), "time with am/pm"),
    ("2011-03-04T10:00:00+05:30", date(2011, 3, 4), "timestamp with IST offset"),
    ("  04/03/2011  ", date(2011, 3, 4), "surrounding white space"),
    ("04/03/2011.", date(2011, 3, 4), "trailing full stop"),
    ("29/02/2020", date(2020, 2, 29), "leap day in a leap year"),
    ("0\u200b4/03/2011", date(2011, 3, 4), "zero-width space from a phone keyboard"),
    ("03/04/2011 (approx)", date(2011, 4, 3), "a remark in brackets"),
    ("4-3-2011 (DD-MM-YYYY)", date(2011, 3, 4), "the format in brackets"),
    ("approx. 04/03/2011", date(2011, 3, 4), "a hedge before"),
    ("04/03/2011 appx", date(2011, 3, 4), "a hedge after"),
    ("लगभग 4 मार्च 2011", date(2011, 3, 4), "a Hindi hedge"),
    ("প্রায় 04/03/2012", date(2012, 3, 4), "a Bengali hedge"),
    ("(03/04/2011)", date(2011, 4, 3), "the whole date in brackets"),
    ("3 March (2011)", date(2011, 3, 3), "the year in brackets"),
]


@pytest.mark.parametrize(("text", "expected"), [c[:2] for c in READS], ids=[c[2] for c in READS])
def test_reads(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


EMPTY = [
    ("", "empty"),
    ("   ", "blank"),
    ("NA", "NA"),
    ("n/a", "n/a"),
    ("nan", "pandas NaN written out"),
    ("Not known", "not known"),
    ("पता नहीं", "Hindi 'don't know'"),
    ("-", "dash"),
    ("00/00/0000", "all-zero form default"),
    ("0000-00-00", "all-zero database default"),
]


@pytest.mark.parametrize("text", [c[0] for c in EMPTY], ids=[c[1] for c in EMPTY])
def test_empty_and_placeholders_are_none(text: str) -> None:
    assert parse_date(text, today=TODAY) is None


REFUSED = [
    ("31/02/2020", "no day", "31 February"),
    ("29/02/2021", "leap", "29 February in a non-leap year"),
    ("31/04/2011", "no day", "31 April"),
    ("00/03/2011", "day 0", "day zero"),
    ("03/25/2011", "day first", "month-first date: refuse rather than swap"),
    ("04/13/2011", "month 13", "month 13"),
    ("2011-13-04", "month 13", "ISO with month 13"),
    ("04.03.45", "write the year in full", "two-digit year would be 1945"),
    ("01/01/1900", "before 1950", "spreadsheet default date"),
    ("01/01/1945", "before 1950", "too old for a child's record"),
    ("12/06/2025", "future", "future date"),
    ("04/03/2111", "future", "typo for 2011"),
    ("March 2011", "day, a month and a year", "month and year only"),
    ("2011", "bare number", "year only"),
    ("40606", "bare number", "Excel serial day number"),
    ("040311", "bare number", "six digits are ambiguous (DDMMYY or YYMMDD)"),
    ("04/03/011", "two or four digits", "three-digit year"),
    ("4 Chaitra 2011", "not a recognised date", "lunisolar month"),
    ("4 March April 2011", "two month names", "two month names"),
    ("yesterday", "not a recognised date", "a word"),
    ("DOB 04/03/2011", "not a recognised date", "label before the date"),
    ("12345678", "neither", "eight digits that are no date"),
    ("4 March 11 2011", "day, a month and a year", "too many numbers"),
    ("x" * 300, "too long", "very long text"),
]


@pytest.mark.parametrize(("text", "reason"), [c[:2] for c in REFUSED], ids=[c[2] for c in REFUSED])
def test_refuses_impossible_and_unclear(text: str, reason: str) -> None:
    with pytest.raises(InvalidFieldValue) as caught:
        parse_date(text, today=TODAY)
    assert reason in caught.value.reason
    assert caught.value.field is None  # the caller names the field


def test_error_message_does_not_repeat_the_date() -> None:
    """Dates of birth are personal data and errors are logged."""
    with pytest.raises(InvalidFieldValue) as caught:
        parse_date("31/02/2013", today=TODAY)
    assert "2013" not in str(caught.value)
    assert "31/02" not in str(caught.value)


def test_two_digit_year_moves_with_today() -> None:
    assert parse_date("04.03.30", today=date(2031, 1, 1)) == date(2030, 3, 4)
    # In 2029, "30" would be 1930 (2030 is in the future): before MIN_YEAR, so refused.
    with pytest.raises(InvalidFieldValue):
        parse_date("04.03.30", today=date(2029, 1, 1))


def test_today_defaults_to_the_real_today() -> None:
    assert parse_date(date.today().strftime("%d/%m/%Y")) == date.today()
    with pytest.raises(InvalidFieldValue):
        parse_date((date.today() + timedelta(days=5)).strftime("%d/%m/%Y"))


def test_unknown_marker() -> None:
    assert is_unknown_marker("N.A.")
    assert is_unknown_marker(" ?? ")
    assert not is_unknown_marker("12")
    assert not is_unknown_marker("male")


def test_lookup_key_ignores_nukta_and_case() -> None:
    assert lookup_key("लड़का") == lookup_key("लडका")
    assert lookup_key(" फ़रवरी ") == lookup_key("फरवरी")
    assert lookup_key("MARCH") == "march"


# --- properties -------------------------------------------------------------


@given(st.text())
def test_quick_fold_is_fold_text(text: str) -> None:
    assert quick_fold(text) == fold_text(text)


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127)))
def test_quick_fold_is_fold_text_on_ascii(text: str) -> None:
    assert quick_fold(text) == fold_text(text)


record_dates = st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=TODAY)
FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d.%m.%y", "%d %B %Y", "%b %d, %Y"]


@given(record_dates, st.sampled_from(FORMATS))
def test_round_trip_of_every_written_form(day: date, form: str) -> None:
    assert parse_date(day.strftime(form), today=TODAY) == day


@given(record_dates)
def test_devanagari_digits_read_like_ascii(day: date) -> None:
    written = day.strftime("%d/%m/%Y").translate(str.maketrans("0123456789", "०१२३४५६७८९"))
    assert parse_date(written, today=TODAY) == day


@given(record_dates)
def test_non_padded_day_first(day: date) -> None:
    assert parse_date(f"{day.day}-{day.month}-{day.year}", today=TODAY) == day


def _parse_or_error(text: str) -> date | str | None:
    try:
        return parse_date(text, today=TODAY)
    except InvalidFieldValue as error:
        return f"error: {error.reason}"


@given(st.text())
def test_never_raises_anything_else_on_arbitrary_text(text: str) -> None:
    result = _parse_or_error(text)
    if isinstance(result, date):
        assert date(MIN_YEAR, 1, 1) <= result <= TODAY + timedelta(days=1)
        assert parse_date(result.isoformat(), today=TODAY) == result  # idempotent


date_like = st.lists(
    st.sampled_from(
        [
            "0",
            "1",
            "4",
            "12",
            "29",
            "31",
            "2011",
            "99",
            "/",
            "-",
            ".",
            " ",
            ",",
            "march",
            "feb",
            "मार्च",
            "th",
            "of",
            "T00:00",
            "१२",
            "\x00",
            "\u200b",
            "+05:30",
            "pm",
        ]
    ),
    max_size=12,
).map("".join)


@given(date_like)
def test_never_raises_anything_else_on_date_like_text(text: str) -> None:
    _parse_or_error(text)


@settings(max_examples=20)  # generating huge strings is what is slow here
@given(st.text(min_size=2000, max_size=5000))
def test_huge_text_is_refused_quickly(text: str) -> None:
    assert _parse_or_error(text) == "error: too long to be a date"


def test_megabyte_of_control_characters() -> None:
    assert str(_parse_or_error("\x00\x1f\x7f" * 400_000)).startswith("error:")


PERIODS = [
    ("March 2011", (date(2011, 3, 1), date(2011, 3, 31)), "month name and year"),
    ("Mar-2011", (date(2011, 3, 1), date(2011, 3, 31)), "abbreviated month, dash"),
    ("Feb, 2012", (date(2012, 2, 1), date(2012, 2, 29)), "comma; a leap February"),
    ("मार्च 2011", (date(2011, 3, 1), date(2011, 3, 31)), "Hindi month name"),
    ("03/2011", (date(2011, 3, 1), date(2011, 3, 31)), "numeric month first"),
    ("3-2011", (date(2011, 3, 1), date(2011, 3, 31)), "one-digit month"),
    ("2011-03", (date(2011, 3, 1), date(2011, 3, 31)), "ISO year and month"),
    ("2011", (date(2011, 1, 1), date(2011, 12, 31)), "a year alone"),
    ("May 2025", (date(2025, 5, 1), date(2025, 5, 31)), "last month"),
    ("June 2025", (date(2025, 6, 1), date(2025, 6, 2)), "this month: up to today and a day"),
    ("2011 (approx)", (date(2011, 1, 1), date(2011, 12, 31)), "a year with a remark"),
    ("about March 2011", (date(2011, 3, 1), date(2011, 3, 31)), "a month with a hedge"),
]


@pytest.mark.parametrize(("text", "period"), [c[:2] for c in PERIODS], ids=[c[2] for c in PERIODS])
def test_period_reads_a_month_or_a_year(text: str, period: tuple[date, date]) -> None:
    read = parse_period(text, today=TODAY)
    assert read is not None and (read.first, read.last) == period
    assert read.whole_year == (period[1] == date(period[0].year, 12, 31))


NOT_PERIODS = [
    ("4 March 2013", "not a month and year", "a full date is read by parse_date"),
    ("04/03/2013", "not a month and year", "a full numeric date"),
    ("Mar 11", "not a month and year", "two-digit year: could be a day"),
    ("13/2013", "month 13", "month 13"),
    ("2013-00", "month 0", "month 0"),
    ("1900", "before 1950", "a placeholder year"),
    ("July 2025", "future", "next month"),
    ("Chaitra 2013", "not a month and year", "lunisolar month"),
    ("March April 2013", "not a month and year", "two month names"),
    ("x" * 300, "too long", "very long text"),
]


@pytest.mark.parametrize(
    ("text", "reason"), [c[:2] for c in NOT_PERIODS], ids=[c[2] for c in NOT_PERIODS]
)
def test_period_refuses_anything_else(text: str, reason: str) -> None:
    with pytest.raises(InvalidFieldValue) as caught:
        parse_period(text, today=TODAY)
    assert reason in caught.value.reason
    assert "2013" not in caught.value.reason  # the value is not repeated (personal data)


@pytest.mark.parametrize("text", ["", "NA", "not known", "पता नहीं"])
def test_period_of_nothing_is_none(text: str) -> None:
    assert parse_period(text, today=TODAY) is None
