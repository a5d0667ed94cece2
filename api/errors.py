"""Domain errors to HTTP responses, in one place.

The library and the repository raise errors without HTTP statuses
(``NotFound``, ``Conflict``, ``RecordError``...); this module says what each
means to a client. Every error body is ``{"error": code, "detail": ...}``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import DecisionConflictPublic, ReviewItemPublic
from matcher.errors import (
    Conflict,
    ExchangeError,
    InvalidFieldValue,
    MatcherError,
    ModelError,
    NotFound,
    RecordError,
)
from matcher.storage.repository import DecisionConflict

log = logging.getLogger(__name__)


class UploadTooLarge(MatcherError):
    """An upload over ``max_upload_bytes``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the upload is larger than the limit of {limit:,} bytes")
        self.limit = limit


class ImportRefused(MatcherError):
    """An atomic import with bad rows: nothing was stored; the report says why."""

    def __init__(self, report: object) -> None:
        super().__init__("the import has bad rows and atomic=true: nothing was stored")
        self.report = report


_STATUS: list[tuple[type[Exception], int, str]] = [
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (RecordError, 422, "invalid_record"),
    (InvalidFieldValue, 422, "invalid_value"),
    (ExchangeError, 422, "unreadable_file"),
    (UploadTooLarge, 413, "too_large"),
    (ModelError, 500, "model_error"),
]

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    503: "not_ready",
}


def database_unavailable(exc: DBAPIError) -> bool:
    """Whether a database error means "not reachable now" (503) rather than a bug (500).

    A connection SQLAlchemy found dead, any PostgreSQL operational error (refused
    connection, server shutting down or restarting), or SQLite busy or locked
    past the busy timeout. A constraint or SQL error is a bug and stays a 500.
    """
    if exc.connection_invalidated:
        return True
    if type(exc.orig).__module__.startswith("psycopg"):
        return isinstance(exc, OperationalError)
    message = str(exc.orig).lower()
    return isinstance(exc, OperationalError) and ("locked" in message or "busy" in message)


def error_body(code: str, detail: object) -> dict[str, object]:
    return {"error": code, "detail": detail}


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on an app, and a last resort for unexpected errors.

    The last resort answers 500 and logs the exception's type and the route
    only: a database error's message carries the statement's parameters,
    which are children's names and phone numbers, and must not reach a log.
    """

    @app.middleware("http")
    async def last_resort(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        try:
            return await call_next(request)
        except Exception as exc:
            route = request.scope.get("route")
            path = getattr(route, "path", "?")
            log.error("unhandled %s in %s %s", type(exc).__name__, request.method, path)
            return JSONResponse(status_code=500, content=error_body("internal", "internal error"))

    async def decision_conflict(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DecisionConflict)
        body = DecisionConflictPublic(detail=str(exc), current=ReviewItemPublic.of(exc.current))
        return JSONResponse(status_code=409, content=jsonable_encoder(body))

    async def import_refused(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ImportRefused)
        content = jsonable_encoder(exc.report)
        content["error"] = "import_refused"
        content["detail"] = str(exc)
        return JSONResponse(status_code=422, content=content)

    async def domain(_: Request, exc: Exception) -> JSONResponse:
        for kind, status, code in _STATUS:
            if isinstance(exc, kind):
                if status >= 500:
                    log.error("%s: %s", type(exc).__name__, exc)
                return JSONResponse(status_code=status, content=error_body(code, str(exc)))
        log.error("unmapped domain error %s", type(exc).__name__)
        return JSONResponse(status_code=500, content=error_body("internal", "internal error"))

    async def overflow(request: Request, exc: Exception) -> JSONResponse:
        # A date near year 1 or 9999 moved to UTC, or a number past what a column holds.
        route = request.scope.get("route")
        log.warning("out of range value in %s %s", request.method, getattr(route, "path", "?"))
        return JSONResponse(
            status_code=422, content=error_body("invalid", "a value is out of range")
        )

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        # The exception's type only, never its message: it may carry a statement's parameters.
        assert isinstance(exc, DBAPIError)
        route_path = getattr(request.scope.get("route"), "path", "?")
        if not database_unavailable(exc):
            log.error("unhandled %s in %s %s", type(exc).__name__, request.method, route_path)
            return JSONResponse(status_code=500, content=error_body("internal", "internal error"))
        # The database is restarting or unreachable, so the client should send the request
        # again. The transaction did not commit, unless the connection died during COMMIT
        # itself: then a resent decision gets 409 (its expected_version is spent), never a
        # second decision. The pool's pre-ping replaces dead connections, so the service
        # recovers by itself once the database is back.
        log.warning(
            "database unavailable (%s) in %s %s",
            type(exc).__name__,
            request.method,
            route_path,
        )
        return JSONResponse(
            status_code=503,
            content=error_body("database_unavailable", "the database is unavailable; retry"),
            headers={"Retry-After": "2"},
        )

    async def value_error(_: Request, exc: Exception) -> JSONResponse:
        # The repository refuses bad arguments (a step code, a key name) with ValueError.
        return JSONResponse(status_code=422, content=error_body("invalid", str(exc)))

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, "error")
        return JSONResponse(
            status_code=exc.status_code,
            content=error_body(code, exc.detail),
            headers=getattr(exc, "headers", None),
        )

    async def validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        # Echoing "input" would send a child's name back into client logs; field paths suffice.
        problems = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content=error_body("invalid", problems))

    app.add_exception_handler(DecisionConflict, decision_conflict)
    app.add_exception_handler(ImportRefused, import_refused)
    app.add_exception_handler(MatcherError, domain)
    app.add_exception_handler(ValueError, value_error)
    app.add_exception_handler(OverflowError, overflow)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
