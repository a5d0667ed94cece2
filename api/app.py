"""The FastAPI application: ``create_app(settings)``.

The lifespan migrates the database, builds the engine and session factory,
loads the model and the gazetteer, builds this worker's two candidate
indexes from the stored records, starts the catch-up thread, and (demo
mode) seeds the demo data and prints demo keys. Everything lives on
``app.state``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import pages
from api.deps import KeyFailures
from api.errors import error_body, install_error_handlers
from api.matching import MatchingState
from api.routes import audit, health, imports, keys, match, records, review
from api.schemas import ErrorPublic
from matcher.decide import Thresholds
from matcher.normalize.places import Gazetteer, load_gazetteer
from matcher.scoring.model import MatchModel, default_model
from matcher.settings import Settings, get_settings
from matcher.storage.engine import make_engine, make_session_factory
from matcher.storage.migrate import upgrade

log = logging.getLogger(__name__)

#: Largest request body outside the bulk import (which has ``max_upload_bytes``): a record
#: or a form is a few kilobytes; a larger body is refused (413) before it is read into memory.
MAX_BODY_BYTES = 1024 * 1024


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, except under the ``exempt`` prefixes.

    A declared ``Content-Length`` over the limit is answered at once. A body
    without one is counted as it arrives; past the limit the app is told the
    client went away (so it stops reading), its answer is dropped and a 413
    is sent instead.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    def _too_large(self) -> JSONResponse:
        detail = f"the request body is larger than the limit of {self.max_bytes:,} bytes"
        return JSONResponse(status_code=413, content=error_body("too_large", detail))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        seen, exceeded, started = 0, False, False

        async def counted() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a cut-off body; the 413 goes out instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._too_large()(scope, receive, send)


DESCRIPTION = """\
Matches found children (rescued, in care) against missing-children reports.

* **Records** of both kinds are sent one by one or imported in bulk (CSV or
  JSON lines in the exchange format). Every new or changed record is matched
  against the other kind at once; likely pairs go to the **review queue**.
* **Match** scores an ad-hoc record without storing it: ranked candidates,
  each with its probability and a per-field explanation.
* **Review**: caseworkers confirm, reject or mark pairs unsure; nothing is ever
  reunited without a recorded human decision.

Authenticate with an API key: `Authorization: Bearer mk_...` or
`X-API-Key: mk_...`. Roles: `integrator` (send records, ask for matches),
`caseworker` (the queue and records of the assigned states and districts),
`admin` (everything, keys, audit log). Every read of a child's record and
every decision is written to the audit log.
"""

TAGS = [
    {"name": "records", "description": "Missing reports and found children: write, read, list."},
    {"name": "imports", "description": "Bulk import of CSV or JSON lines files."},
    {"name": "match", "description": "Ad-hoc matching; nothing is stored."},
    {"name": "review", "description": "The review queue, decisions, reunification steps."},
    {"name": "audit", "description": "The append-only audit log (admins)."},
    {"name": "keys", "description": "API keys and roles (admins)."},
    {"name": "health", "description": "Liveness and readiness probes (no key)."},
]


@functools.cache
def _gazetteer() -> Gazetteer:
    return load_gazetteer()


@functools.cache
def _model(path: str | None) -> MatchModel:
    return MatchModel.load(path) if path else default_model()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for these settings (default: the environment's)."""
    settings = settings if settings is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        app.state.gazetteer = _gazetteer()
        model = _model(str(settings.model_path) if settings.model_path else None)
        state = MatchingState(
            app.state.session_factory,
            model,
            app.state.gazetteer,
            Thresholds(settings.review_threshold, settings.match_threshold),
            refresh_seconds=settings.index_refresh_seconds,
        )
        state.load()
        app.state.matching = state
        if settings.demo:
            from api.demo import seed_demo

            seed_demo(app, settings)
        state.start()
        try:
            yield
        finally:
            state.stop()
            engine.dispose()

    app = FastAPI(
        title="matcher",
        version="1",
        summary="Match found children against missing-children reports",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        responses={
            400: {"model": ErrorPublic, "description": "The body is not valid UTF-8 JSON"},
            413: {"model": ErrorPublic, "description": "The request body is too large"},
        },
    )
    app.state.settings = settings
    app.state.key_failures = KeyFailures()  # failed key checks per client (api.deps)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES, exempt=("/v1/imports/",))
    for module in (health, records, imports, match, review, audit, keys):
        app.include_router(module.router)
    pages.install(app)  # the caseworkers' HTML pages under /review
    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn runs (``uvicorn --factory api.app:app_from_env``)."""
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return create_app(settings)
