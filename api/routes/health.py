"""Liveness and readiness (no key needed)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.schemas import HealthPublic, ReadyPublic
from matcher.records import RecordKind

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness")
def healthz() -> HealthPublic:
    """The process answers. Says nothing about the database."""
    return HealthPublic()


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=ReadyPublic,
    responses={
        503: {"model": ReadyPublic, "description": "Database unreachable or index not loaded"}
    },
)
def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and this worker's candidate indexes are loaded."""
    state = getattr(request.app.state, "matching", None)
    database = False
    factory = getattr(request.app.state, "session_factory", None)
    if factory is not None:
        try:
            with factory() as session:
                session.execute(text("SELECT 1"))
            database = True
        except Exception:  # any failure means not ready; the reason is for the logs
            database = False
    loaded = bool(state is not None and state.loaded)
    body = ReadyPublic(
        status="ready" if database and loaded else "not_ready",
        database=database,
        index_loaded=loaded,
        missing_indexed=state.size(RecordKind.MISSING) if state is not None else 0,
        found_indexed=state.size(RecordKind.FOUND) if state is not None else 0,
        change_seq=state.seq if state is not None else 0,
        model_version=state.model.version if state is not None else None,
    )
    return JSONResponse(
        status_code=200 if body.status == "ready" else 503, content=body.model_dump()
    )
