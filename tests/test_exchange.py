"""Reading the files that arrive in practice, row by row, without losing good rows."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.errors import ExchangeError, RecordError
from matcher.exchange import (
    iter_records,
    load_records,
    neutralize_formula,
    sniff_encoding,
    write_csv,
)
from matcher.records import RawRecord, RecordKind

HEADER = "id,name,age,district,state,found_date,notes\n"


def read(data: bytes, fmt: str = "csv") -> tuple[list[RawRecord], list[RecordError]]:
    items = list(iter_records(io.BytesIO(data), RecordKind.FOUND, fmt=fmt, source="f.csv"))  # type: ignore[arg-type]
    return (
        [i for i in items if isinstance(i, RawRecord)],
        [i for i in items if isinstance(i, RecordError)],
    )


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        pytest.param("utf-8", b"", id="plain UTF-8"),
        pytest.param("utf-8", codecs.BOM_UTF8, id="UTF-8 with BOM (Excel 'CSV UTF-8')"),
        pytest.param(
            "utf-16-le", codecs.BOM_UTF16_LE, id="UTF-16 LE with BOM (Excel 'Unicode text')"
        ),
        pytest.param("utf-16-be", codecs.BOM_UTF16_BE, id="UTF-16 BE with BOM"),
        pytest.param("utf-16-le", b"", id="UTF-16 LE without BOM"),
    ],
)
def test_unicode_encodings_are_detected(encoding: str, prefix: bytes) -> None:
    text = HEADER + "F1,मोहम्मद इरफ़ान,12,Gurugram,Haryana,2024-01-02,x\n"
    records, errors = read(prefix + text.encode(encoding))
    assert errors == []
    assert [r.id for r in records] == ["F1"]
    assert records[0].get("name") == "मोहम्मद इरफ़ान"
    assert records[0].extra == {"notes": "x"}


def test_excel_unicode_text_export_is_tab_separated_utf16() -> None:
    """Excel's "Unicode text": UTF-16 with a BOM, tabs between cells."""
    text = "id\tname\tage\r\nF1\tমিতালী দাস\t9\r\nF2\tRina, Khatun\t10\r\n"
    records, errors = read(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert errors == []
    assert [(r.id, r.get("name")) for r in records] == [
        ("F1", "মিতালী দাস"),
        ("F2", "Rina, Khatun"),
    ]


def test_semicolon_separated_csv_is_read() -> None:
    """Excel in a locale with a decimal comma separates cells with semicolons."""
    text = "id;name;age;notes\r\nF1;Rina, Khatun;10;a;b\r\n"
    records, errors = read(text.encode("utf-8"))
    assert [e.reason for e in errors] == ["the row has 5 cells but the header has 4 columns"]
    records, errors = read(b"id;name;age\r\nF1;Rina, Khatun;10\r\n")
    assert errors == [] and [(r.id, r.get("name"), r.get("age")) for r in records] == [
        ("F1", "Rina, Khatun", "10")
    ]


def test_retyped_header_names_are_the_spec_fields() -> None:
    """ "Name", "Father Name", " SEX ": a spreadsheet's header, retyped, still names the fields."""
    text = "ID,Name, SEX ,Father Name,found-date,Notes\nF1,Raju,M,Ramesh,2024-01-02,x\n"
    records, errors = read(text.encode())
    assert errors == []
    record = records[0]
    assert (record.id, record.get("name"), record.get("sex")) == ("F1", "Raju", "M")
    assert (record.get("father_name"), record.get("found_date")) == ("Ramesh", "2024-01-02")
    assert record.extra == {"Notes": "x"}  # not a field: kept as written


def test_a_field_written_as_the_spec_wins_over_a_retyped_one() -> None:
    records, errors = read(b"id,name,Name\nF1,Raju,Chhotu\n")
    assert errors == []
    assert records[0].get("name") == "Raju" and records[0].extra == {"Name": "Chhotu"}


def test_windows_1252_bytes_are_read_not_dropped() -> None:
    data = (HEADER + "F1,Jos\xe9 \x96 test,12,,,,\n").encode("latin-1")
    records, errors = read(data)
    assert errors == []
    assert records[0].get("name") == "José – test"


def test_sniff_encoding_defaults_to_utf8() -> None:
    assert sniff_encoding(b"id,name\n") == "utf-8"


def test_bad_rows_are_reported_and_good_rows_go_on() -> None:
    data = (
        HEADER
        + "F1,Irfan,12,,,,\n"
        + ",No Id,10,,,,\n"
        + "F3,Too,many,cells,in,this,row,really\n"
        + "F1,Again,9,,,,\n"
        + '"F4","Quoted\nnewline",8,,,,\n'
        + "\n"
        + "F5,Short row\n"
    ).encode()
    records, errors = read(data)
    assert [r.id for r in records] == ["F1", "F4", "F5"]
    assert records[1].get("name") == "Quoted\nnewline"
    assert records[2].get("age") == ""
    assert [(e.row, e.record_id, e.field) for e in errors] == [
        (3, None, "id"),
        (4, "F3", None),
        (5, "F1", "id"),
    ]
    assert "f.csv, row 3" in str(errors[0])


def test_oversized_cell_is_a_row_error() -> None:
    data = (HEADER + "F1," + "a" * 200_000 + ",12,,,,\nF2,ok,1,,,,\n").encode()
    records, errors = read(data)
    assert [r.id for r in records] == ["F2"]
    assert errors[0].field == "name" and errors[0].record_id == "F1"


def test_file_without_id_column_is_refused_whole() -> None:
    with pytest.raises(ExchangeError, match="no 'id' column"):
        read(b"name,age\nIrfan,12\n")


def test_empty_file_is_refused() -> None:
    with pytest.raises(ExchangeError, match="empty"):
        read(b"")


def test_json_lines() -> None:
    data = (
        b'{"id": "F1", "name": "Irfan", "age": 12, "extra_col": "k"}\n'
        b"not json\n"
        b'["a list"]\n'
        b'{"id": "F2", "name": {"nested": 1}}\n'
        b'{"id": "F3", "name": null}\n'
    )
    records, errors = read(data, fmt="jsonl")
    assert [r.id for r in records] == ["F1", "F3"]
    assert records[0].get("age") == "12" and records[0].extra == {"extra_col": "k"}
    assert records[1].get("name") == ""
    assert [(e.row, e.field) for e in errors] == [(2, None), (3, None), (4, "name")]


def test_load_records_from_path(tmp_path: Path) -> None:
    path = tmp_path / "found.csv"
    path.write_text(HEADER + "F1,Irfan,12,,,,\n,x,,,,,\n", encoding="utf-8")
    result = load_records(path, RecordKind.FOUND)
    assert [r.id for r in result.records] == ["F1"]
    assert result.errors[0].source == "found.csv"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param('=HYPERLINK("x")', '\'=HYPERLINK("x")', id="formula"),
        pytest.param("+91 98765 43210", "'+91 98765 43210", id="plus sign"),
        pytest.param("@SUM(A1)", "'@SUM(A1)", id="at sign"),
        pytest.param("Irfan", "Irfan", id="plain text untouched"),
    ],
)
def test_formula_injection_is_neutralized(value: str, expected: str) -> None:
    assert neutralize_formula(value) == expected


def test_write_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    count = write_csv(path, [{"a": "=1+1", "b": None}], ["a", "b"], safe_for_spreadsheets=True)
    assert count == 1
    assert path.read_text(encoding="utf-8") == "a,b\n'=1+1,\n"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000))
def test_any_bytes_give_records_errors_or_a_refusal(data: bytes) -> None:
    """Arbitrary bytes never raise anything but ExchangeError, and every item is typed."""
    try:
        items = list(
            iter_records(
                io.BytesIO(b"id,name,age\n" + data), RecordKind.FOUND, fmt="csv", source="x"
            )
        )
    except ExchangeError:
        return
    assert all(isinstance(i, RawRecord | RecordError) for i in items)
    assert all(i.id for i in items if isinstance(i, RawRecord))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_json_lines_text_gives_records_or_errors(text: str) -> None:
    items = list(
        iter_records(
            io.BytesIO(text.encode("utf-8", "surrogatepass")),
            RecordKind.MISSING,
            fmt="jsonl",
            source="x",
        )
    )
    assert all(isinstance(i, RawRecord | RecordError) for i in items)
