"""The append-only audit log."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

import matcher.storage.repository as repository
from matcher.storage.repository import Actor, audit, list_audit

ADMIN = Actor(label="key:1", key_id=1, role="admin")
INTEGRATOR = Actor(label="key:2", key_id=2, role="integrator")
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def test_entries_are_appended_and_listed_newest_first(session: Session) -> None:
    first = audit(
        session,
        actor=INTEGRATOR,
        action="records.import",
        target_kind="import",
        detail={"created": 120, "updated": 3, "unchanged": 0},
        now=T0,
    )
    second = audit(
        session,
        actor=ADMIN,
        action="export",
        model_version="m-2024.1",
        now=T0 + timedelta(minutes=5),
    )
    entries = list_audit(session)
    assert entries == [second, first]
    assert first.detail == {"created": 120, "updated": 3, "unchanged": 0}
    assert (first.actor_key_id, first.actor_role, first.at) == (2, "integrator", T0)
    assert second.model_version == "m-2024.1"


def test_system_actors_have_no_key(session: Session) -> None:
    entry = audit(session, actor=Actor.system("cli-import"), action="records.import")
    assert (entry.actor_key_id, entry.actor_role) == (None, "system")


@pytest.fixture
def log(session: Session) -> None:
    for n in range(6):
        audit(
            session,
            actor=ADMIN if n % 2 else INTEGRATOR,
            action="review.view" if n < 3 else "records.import",
            target_kind="review_item",
            target_id=str(n % 3),
            now=T0 + timedelta(hours=n),
        )


@pytest.mark.parametrize(
    ("filters", "expected_ids"),
    [
        pytest.param({}, [6, 5, 4, 3, 2, 1], id="all, newest first"),
        pytest.param({"action": "review.view"}, [3, 2, 1], id="by action"),
        pytest.param({"target_kind": "review_item", "target_id": "1"}, [5, 2], id="by target"),
        pytest.param({"actor_key_id": 1}, [6, 4, 2], id="by key"),
        pytest.param({"since": T0 + timedelta(hours=4)}, [6, 5], id="since a time"),
        pytest.param({"before_id": 3, "limit": 1}, [2], id="keyset page"),
    ],
)
def test_filters(
    session: Session, log: None, filters: dict[str, Any], expected_ids: list[int]
) -> None:
    assert [e.id for e in list_audit(session, **filters)] == expected_ids


@pytest.mark.parametrize(
    "detail",
    [
        pytest.param({"name": "Irfan"}, id="a child's name"),
        pytest.param({"record": {"father_name": "Ram Prasad"}}, id="nested father's name"),
        pytest.param({"rows": [{"guardian_phone": "9876543210"}]}, id="phone inside a list"),
        pytest.param({"note": "spoke to the mother"}, id="free-text note"),
        pytest.param({"fields": {}}, id="a whole record"),
    ],
)
def test_personal_data_is_refused(session: Session, detail: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="personal data"):
        audit(session, actor=ADMIN, action="x", detail=detail)
    assert list_audit(session) == []


def test_the_repository_offers_no_way_to_change_the_log() -> None:
    functions = [
        name
        for name, value in vars(repository).items()
        if inspect.isfunction(value)
        and value.__module__ == repository.__name__
        and "audit" in name
        and not name.startswith("_")
    ]
    assert sorted(functions) == ["audit", "list_audit"]
