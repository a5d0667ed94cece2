"""Request dependencies: settings, a database session, the matching state and the caller's key.

Routes take these as ``Annotated`` aliases (``session: SessionDep``,
``key: CaseworkerKey``) so a signature says what a route needs and who may
call it. Tests replace any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.matching import MatchingState
from matcher.normalize.places import Gazetteer
from matcher.settings import Settings
from matcher.storage import repository as repo

log = logging.getLogger(__name__)


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


#: The largest values the id columns hold (PostgreSQL INTEGER and BIGINT; SQLite takes
#: 64 bits). A larger number in a path or a query answers 422, not a database error.
MAX_INT_ID = 2**31 - 1
MAX_BIGINT = 2**63 - 1

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

#: Failed key checks (API or sign-in form) a client may make within the window. Keys are
#: random (guessing one is hopeless either way); the limit stops a client hammering the
#: database with wrong keys and marks it in the log, while a misconfigured integrator's
#: retries still show up as 401s before it is refused.
MAX_KEY_FAILURES = 50
#: Seconds a failure counts against its client.
KEY_FAILURE_WINDOW_SECONDS = 300.0
#: Clients remembered at most; the least recently failing are forgotten first.
MAX_TRACKED_CLIENTS = 10_000


class KeyFailures:
    """Failed key checks per client address, kept in memory by each worker process.

    A client with ``limit`` failures in the last ``window`` seconds is refused
    (429 with ``Retry-After``) until its oldest failure leaves the window, for
    every key it sends: a guesser who also holds one valid key gains nothing,
    so a success does not reset the count. Each failure is logged with the
    client's address (never the key sent). Behind a reverse proxy every client
    has the proxy's address, so one guesser slows everyone: the proxy should
    rate-limit too. Several workers each keep their own count.
    """

    def __init__(
        self,
        limit: int = MAX_KEY_FAILURES,
        window: float = KEY_FAILURE_WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_TRACKED_CLIENTS,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_clients = max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, client: str) -> float:
        """Seconds until this client may try a key again (0: now)."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            if len(times) < self.limit:
                return 0.0
            return times[-self.limit] + self.window - now

    def fail(self, client: str) -> int:
        """Count a failed check; the number of failures in the window."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            times.append(now)
            self._failures[client] = times
            self._failures.move_to_end(client)
            while len(self._failures) > self._max_clients:
                self._failures.popitem(last=False)
            count = len(times)
        log.warning("failed key check from %s (%d in the last %.0f s)", client, count, self.window)
        return count


def client_address(request: Request) -> str:
    """The address failures are counted under (the peer; proxies are not trusted)."""
    return request.client.host if request.client is not None else "unknown"


def key_failures(request: Request) -> KeyFailures:
    """The app's failure counter (made on first use if the app has none)."""
    state = request.app.state
    failures: KeyFailures | None = getattr(state, "key_failures", None)
    if failures is None:
        failures = state.key_failures = KeyFailures()
    return failures


def too_many_failures(request: Request) -> HTTPException | None:
    """A 429 for a client over the failure limit, else ``None``."""
    wait = key_failures(request).retry_after(client_address(request))
    if wait <= 0:
        return None
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        "too many failed key checks from this address; try again later",
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


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
    refused = too_many_failures(request)
    if refused is not None:
        raise refused
    # Its own short transaction: authenticate() may touch last_used_at, which
    # must not wait for (or be rolled back with) the request's own work.
    with request.app.state.session_factory() as session:
        key = repo.authenticate(session, secret.strip())
        session.commit()
    if key is None:
        key_failures(request).fail(client_address(request))
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
