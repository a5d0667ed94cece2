"""No child's personal data in the logs of a full import, match and review cycle.

Every logger is captured at DEBUG (the root, uvicorn's, SQLAlchemy's), as a
deployment with ``MATCHER_LOG_LEVEL=DEBUG`` would log. The records carry
names, phone numbers and villages found nowhere else, so any of them in a
log message, its arguments or a logged traceback is a leak.
"""

from __future__ import annotations

import logging
import traceback

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from matcher.storage import repository as repo
from matcher.storage.engine import make_engine

# Made-up values that cannot turn up in a log by chance.
NAMES = ("Zorawarsingh Qalandari", "Pushpalatha Xettiyar", "Bhagyashree Vrindoliya")
FATHERS = ("Hazaribagh Qalandari", "Ornellan Xettiyar", "Kumbhojirao Vrindoliya")
PHONES = ("9876501234", "9123409876", "9988012345")
VILLAGES = ("Qutubgarhpura", "Xylokhera", "Vrindolipada")
SECRETS = (*NAMES, *FATHERS, *PHONES, *VILLAGES)

LOGGERS = (
    "",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "fastapi",
    "api",
    "matcher",
    "httpx",
)


def _csv(kind: str) -> str:
    header = "id,name,sex,age,father_name,guardian_phone,village,district,state,"
    header += "missing_date" if kind == "missing" else "found_date,found_district,found_state"
    lines = [header]
    for i, (name, father, phone, village) in enumerate(
        zip(NAMES, FATHERS, PHONES, VILLAGES, strict=True)
    ):
        common = f"{name},female,{11 + i},{father},+91 {phone},{village},Khargone,Madhya Pradesh,"
        if kind == "missing":
            lines.append(f"M-LOG-{i},{common}2019-03-0{i + 1}")
        else:
            lines.append(f"F-LOG-{i},{common}2019-09-0{i + 1},Bhopal,Madhya Pradesh")
    # A bad row carrying personal data: its error report must not be logged with it.
    lines.append(f",{NAMES[0]},female,notanage,{FATHERS[0]},{PHONES[0]},{VILLAGES[0]},,,")
    return "\n".join(lines) + "\n"


def _everything_logged(records: list[logging.LogRecord]) -> str:
    parts = []
    for record in records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_info and record.exc_info[1] is not None:
            parts.append("".join(traceback.format_exception(record.exc_info[1])))
        if record.exc_text:
            parts.append(record.exc_text)
    return "\n".join(parts)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_full_cycle_logs_no_personal_data(
    client: TestClient,
    integrator: dict[str, str],
    admin: dict[str, str],
    debug_logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for kind in ("missing", "found"):
        response = client.post(
            f"/v1/imports/{kind}",
            content=_csv(kind).encode(),
            headers={**integrator, "Content-Type": "text/csv"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 3 and response.json()["rejected"] == 1
    match = client.post(
        "/v1/match",
        json={
            "kind": "found",
            "name": NAMES[1],
            "age": "12",
            "village": VILLAGES[1],
            "district": "Khargone",
            "state": "Madhya Pradesh",
        },
        headers=integrator,
    )
    assert match.status_code == 200, match.text
    queue = client.get("/v1/review", headers=admin)
    assert queue.status_code == 200, queue.text
    items = queue.json()["items"]
    assert items, "the imported pairs were not proposed"
    item = items[0]
    decided = client.post(
        f"/v1/review/{item['id']}/decision",
        json={
            "status": "confirmed",
            "note": f"father {FATHERS[0]} came",
            "expected_version": item["version"],
        },
        headers=admin,
    )
    assert decided.status_code == 200, decided.text
    for kind, record_id in (("missing", "M-LOG-1"), ("found", "F-LOG-2")):
        assert client.get(f"/v1/records/{kind}/{record_id}", headers=admin).status_code == 200

    # A database error whose statement carries a child's name: the 500 must log no value.
    real_upsert = repo.upsert_records

    def failing_upsert(session, inputs, **kwargs):  # type: ignore[no-untyped-def]
        session.execute(text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": NAMES[2]})
        return real_upsert(session, inputs, **kwargs)

    monkeypatch.setattr(repo, "upsert_records", failing_upsert)
    failed = client.post(
        "/v1/records/missing",
        json={
            "id": "M-LOG-9",
            "name": NAMES[2],
            "guardian_phone": PHONES[2],
            "village": VILLAGES[2],
        },
        headers=integrator,
    )
    assert failed.status_code == 500, failed.text
    assert not any(secret in failed.text for secret in SECRETS)

    logged = _everything_logged(debug_logs.records)
    assert debug_logs.records, "nothing was captured: the test would pass vacuously"
    assert "unhandled" in logged  # the failure itself was logged, without its values
    leaks = sorted(
        {(r.name, str(r.msg)) for r in debug_logs.records if _leaks(_everything_logged([r]))}
    )
    assert leaks == [], "logger and message template of each record carrying personal data"


def _leaks(logged: str) -> list[str]:
    return [secret for secret in SECRETS if secret in logged]


def test_database_errors_carry_no_values(database_url: str) -> None:
    """An error's message (what a handler might log) shows no statement parameters."""
    engine = make_engine(database_url)
    try:
        with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
            connection.execute(
                text("INSERT INTO no_such_table (name) VALUES (:n)"), {"n": NAMES[0]}
            )
        assert _leaks(str(raised.value)) == []
        assert "hide_parameters" in str(raised.value)
    finally:
        engine.dispose()
