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
    503: "not_ready",
}


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
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
