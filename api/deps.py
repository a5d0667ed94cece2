"""Request dependencies: settings, a database session, the matching state and the caller's key.

Routes take these as ``Annotated`` aliases (``session: SessionDep``,
``key: CaseworkerKey``) so a signature says what a route needs and who may
call it. Tests replace any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.matching import MatchingState
from matcher.normalize.places import Gazetteer
from matcher.settings import Settings
from matcher.storage import repository as repo


def app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def db_session(request: Request) -> Iterator[Session]:
    """One session per request; a route commits once, anything uncommitted is rolled back."""
    with request.app.state.session_factory() as session:
        yield session


def matching_state(request: Request) -> MatchingState:
    state: MatchingState = request.app.state.matching
    return state


def gazetteer(request: Request) -> Gazetteer:
    value: Gazetteer = request.app.state.gazetteer
    return value


SettingsDep = Annotated[Settings, Depends(app_settings)]
SessionDep = Annotated[Session, Depends(db_session)]
MatchingDep = Annotated[MatchingState, Depends(matching_state)]
GazetteerDep = Annotated[Gazetteer, Depends(gazetteer)]

_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="mk_...",
    description="An API key: `Authorization: Bearer mk_...`",
)
_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key: `X-API-Key: mk_...`"
)

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def current_key(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> repo.ApiKey:
    """The caller's active API key; 401 without one or with an unknown or revoked one."""
    secret = header or (bearer.credentials if bearer is not None else None)
    if not secret:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "an API key is required: send 'Authorization: Bearer mk_...' or 'X-API-Key: mk_...'",
            headers=_UNAUTHORIZED,
        )
    # Its own short transaction: authenticate() may touch last_used_at, which
    # must not wait for (or be rolled back with) the request's own work.
    with request.app.state.session_factory() as session:
        key = repo.authenticate(session, secret.strip())
        session.commit()
    if key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "unknown or revoked API key", headers=_UNAUTHORIZED
        )
    return key


CurrentKey = Annotated[repo.ApiKey, Depends(current_key)]


def require(*roles: repo.Role) -> Callable[[repo.ApiKey], repo.ApiKey]:
    """A dependency admitting keys of these roles (admin always), 403 for the others."""
    allowed = {*roles, repo.Role.ADMIN}

    def check(key: CurrentKey) -> repo.ApiKey:
        if key.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"a {key.role.value} key may not do this; it needs one of: {names}",
            )
        return key

    return check


AdminKey = Annotated[repo.ApiKey, Depends(require(repo.Role.ADMIN))]
IntegratorKey = Annotated[repo.ApiKey, Depends(require(repo.Role.INTEGRATOR))]
CaseworkerKey = Annotated[repo.ApiKey, Depends(require(repo.Role.CASEWORKER))]
ReaderKey = Annotated[repo.ApiKey, Depends(require(repo.Role.INTEGRATOR, repo.Role.CASEWORKER))]
#: Sends records (and deletes its own): integrators and admins.
WriterKey = Annotated[repo.ApiKey, Depends(require(repo.Role.INTEGRATOR))]
