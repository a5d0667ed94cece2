"""The service's CLI commands, demo seeding, and the repository's record listing."""

from __future__ import annotations

import itertools
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from api.demo import DEMO_DIR, seed_demo
from matcher.cli import main
from matcher.records import RecordKind
from matcher.settings import Settings
from matcher.storage import repository as repo
from matcher.storage.engine import make_engine, make_session_factory
from tests.conftest_db import found_input, missing_input


def test_keys_create_prints_a_working_key_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["db", "upgrade", "--database-url", url]) == 0
    assert (
        main(["keys", "create", "--name", "admin", "--role", "admin", "--database-url", url]) == 0
    )
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert secret.startswith("mk_")
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            key = repo.authenticate(session, secret)
            assert key is not None and key.role is repo.Role.ADMIN
    finally:
        engine.dispose()
    assert (
        main(
            [
                "keys",
                "create",
                "--name",
                "cw",
                "--role",
                "caseworker",
                "--state",
                "IN-23",
                "--database-url",
                url,
            ]
        )
        == 0
    )


def _small_demo(tmp_path: Path, rows: int) -> Path:
    """The head of the demo files, so the test stays fast."""
    data = tmp_path / "demo"
    data.mkdir()
    for name in ("missing.csv", "found.csv"):
        lines = (DEMO_DIR / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (data / name).write_text("".join(lines[: rows + 1]), encoding="utf-8")
    shutil.copyfile(DEMO_DIR / "truth.csv", data / "truth.csv")
    return data


def test_demo_seeds_an_empty_database_and_prints_working_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", secret_key="t")
    data = _small_demo(tmp_path, 40)
    with TestClient(create_app(settings)) as client:
        keys = seed_demo(client.app, settings, data)  # type: ignore[arg-type]
        out = capsys.readouterr().out
        assert "http://127.0.0.1:8000/docs" in out
        assert keys["admin"] in out and keys["caseworker"] in out
        admin = {"X-API-Key": keys["admin"]}
        assert client.get("/v1/records/missing", headers=admin).json()["total"] == 40
        assert client.get("/v1/records/found", headers=admin).json()["total"] == 40
        assert (
            client.get("/v1/review", headers={"X-API-Key": keys["caseworker"]}).status_code == 200
        )
        again = seed_demo(client.app, settings, data)  # type: ignore[arg-type]
        assert client.get("/v1/me", headers=admin).status_code == 401  # old demo keys revoked
        fresh = {"X-API-Key": again["admin"]}
        assert client.get("/v1/records/missing", headers=fresh).json()["total"] == 40  # not twice


def test_the_demo_files_exist_where_demo_mode_reads_them() -> None:
    assert (DEMO_DIR / "missing.csv").is_file()
    assert (DEMO_DIR / "found.csv").is_file()


# --- repository.list_records (added for GET /v1/records/{kind}) -------------------------------


def test_list_records_filters_and_pages(session: Session) -> None:
    clock = itertools.count()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    actor = repo.Actor.system("test")
    for record in (
        missing_input("M1", state_code="IN-23", district_code="IN-414", name="a"),
        missing_input("M2", state_code="IN-23", district_code="IN-396", name="b"),
        missing_input("M3", state_code="IN-29", district_code="IN-525", name="c"),
        found_input("F1", state_code="IN-23", district_code="IN-396", name="d"),
    ):
        repo.upsert_records(session, [record], actor=actor, now=t0 + timedelta(minutes=next(clock)))
    repo.delete_record(session, RecordKind.MISSING, "M2", actor=actor, now=t0 + timedelta(hours=1))

    def ids(**kwargs: object) -> tuple[list[str], int]:
        records, total = repo.list_records(session, RecordKind.MISSING, **kwargs)  # type: ignore[arg-type]
        return [r.id for r in records], total

    assert ids() == (["M1", "M3"], 2)
    assert ids(include_deleted=True) == (["M1", "M3", "M2"], 3)  # oldest change first
    assert ids(state_codes=["IN-23"]) == (["M1"], 1)
    assert ids(district_codes=["IN-525"]) == (["M3"], 1)
    assert ids(state_codes=["IN-29"], district_codes=["IN-414"]) == (["M1", "M3"], 2)
    assert ids(state_codes=[]) == ([], 0)
    assert ids(updated_since=t0 + timedelta(minutes=2)) == (["M3"], 1)
    assert ids(status=repo.RecordStatus.TRACED) == ([], 0)
    assert ids(limit=1, offset=1) == (["M3"], 2)
    with pytest.raises(ValueError):
        repo.list_records(session, RecordKind.MISSING, limit=-1)
