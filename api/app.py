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

from api import pages
from api.errors import install_error_handlers
from api.matching import MatchingState
from api.routes import audit, health, imports, keys, match, records, review
from matcher.decide import Thresholds
from matcher.normalize.places import Gazetteer, load_gazetteer
from matcher.scoring.model import MatchModel, default_model
from matcher.settings import Settings, get_settings
from matcher.storage.engine import make_engine, make_session_factory
from matcher.storage.migrate import upgrade

log = logging.getLogger(__name__)

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
    )
    app.state.settings = settings
    install_error_handlers(app)
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
