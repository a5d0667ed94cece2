"""API keys: only a hash is stored; authentication, revocation, audit."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from matcher.errors import NotFound
from matcher.storage.repository import (
    Actor,
    Role,
    authenticate,
    create_api_key,
    get_api_key,
    list_api_keys,
    list_audit,
    revoke_api_key,
)

ADMIN = Actor(label="key:1", key_id=1, role="admin")
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def test_created_key_shape(session: Session) -> None:
    key, plaintext = create_api_key(
        session,
        "Lucknow DCPU",
        Role.CASEWORKER,
        ["IN-9"],
        ["IN-9-41", "IN-9-62"],
        actor=ADMIN,
        now=T0,
    )
    assert plaintext.startswith("mk_") and len(plaintext) == 3 + 43
    assert (key.name, key.role, key.states, key.districts) == (
        "Lucknow DCPU",
        Role.CASEWORKER,
        ("IN-9",),
        ("IN-9-41", "IN-9-62"),
    )
    assert key.prefix == plaintext[:12]
    assert (key.created_at, key.revoked_at, key.last_used_at) == (T0, None, None)
    assert key.active
    assert get_api_key(session, key.id) == key


def test_plaintext_is_stored_nowhere(session: Session, engine: Engine) -> None:
    _, plaintext = create_api_key(session, "integration", Role.INTEGRATOR, actor=ADMIN)
    session.commit()
    secret_part = plaintext[12:]
    with engine.connect() as c:
        for table in ("api_keys", "audit_log"):
            for row in c.execute(text(f"SELECT * FROM {table}")):
                assert secret_part not in " ".join(str(v) for v in row)
        stored_hash = c.execute(text("SELECT key_hash FROM api_keys")).scalar_one()
    assert stored_hash == hashlib.sha256(plaintext.encode()).hexdigest()


def test_authenticate(session: Session) -> None:
    key, plaintext = create_api_key(session, "a", Role.ADMIN)
    other, other_plaintext = create_api_key(session, "b", Role.INTEGRATOR)
    assert authenticate(session, plaintext) == get_api_key(session, key.id)
    assert authenticate(session, other_plaintext) is not None
    assert authenticate(session, other_plaintext).id == other.id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "attempt",
    [
        pytest.param(lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"), id="last character wrong"),
        pytest.param(lambda k: k[:12] + "x" * (len(k) - 12), id="right prefix, wrong secret"),
        pytest.param(lambda k: k[3:], id="without mk_"),
        pytest.param(lambda k: "", id="empty"),
        pytest.param(lambda k: k + k * 10, id="absurdly long"),
        pytest.param(lambda k: hashlib.sha256(k.encode()).hexdigest(), id="the stored hash"),
    ],
)
def test_wrong_keys_do_not_authenticate(session: Session, attempt) -> None:  # type: ignore[no-untyped-def]
    _, plaintext = create_api_key(session, "a", Role.ADMIN)
    assert authenticate(session, attempt(plaintext)) is None


def test_last_used_is_updated_at_most_once_a_minute(session: Session) -> None:
    _, plaintext = create_api_key(session, "a", Role.CASEWORKER, ["IN-9"])
    first = authenticate(session, plaintext, now=T0)
    assert first is not None and first.last_used_at == T0
    soon = authenticate(session, plaintext, now=T0 + timedelta(seconds=30))
    assert soon is not None and soon.last_used_at == T0
    later = authenticate(session, plaintext, now=T0 + timedelta(minutes=2))
    assert later is not None and later.last_used_at == T0 + timedelta(minutes=2)


def test_revoked_keys_stop_working(session: Session) -> None:
    key, plaintext = create_api_key(session, "a", Role.INTEGRATOR)
    revoked = revoke_api_key(session, key.id, actor=ADMIN, now=T0)
    assert revoked.revoked_at == T0 and not revoked.active
    assert authenticate(session, plaintext) is None
    assert revoke_api_key(session, key.id, actor=ADMIN).revoked_at == T0  # twice: no change
    assert [k.id for k in list_api_keys(session, include_revoked=False)] == []
    assert [k.id for k in list_api_keys(session)] == [key.id]
    assert [e.action for e in list_audit(session, target_kind="api_key")] == [
        "api_key.revoke",
        "api_key.create",
    ]
    with pytest.raises(NotFound):
        revoke_api_key(session, 999, actor=ADMIN)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        pytest.param("", Role.ADMIN, id="empty name"),
        pytest.param("x", "superuser", id="unknown role"),
    ],
)
def test_invalid_keys_refused(session: Session, name: str, role: str) -> None:
    with pytest.raises(ValueError):
        create_api_key(session, name, role)  # type: ignore[arg-type]
