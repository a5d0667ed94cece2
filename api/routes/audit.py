"""The audit log, for admins: who read or decided what, when, under which model version."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MAX_BIGINT, MAX_INT_ID, AdminKey, SessionDep
from api.schemas import AuditEntryPublic, AuditPage, ErrorPublic
from matcher.storage import repository as repo

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "",
    summary="Read the audit log, newest first",
    responses={401: {"model": ErrorPublic}, 403: {"model": ErrorPublic}},
)
def list_audit(
    session: SessionDep,
    key: AdminKey,
    action: Annotated[str | None, Query(max_length=64, examples=["record.read"])] = None,
    target_kind: Annotated[str | None, Query(max_length=32, examples=["missing"])] = None,
    target_id: Annotated[str | None, Query(max_length=200)] = None,
    actor_key_id: Annotated[int | None, Query(ge=1, le=MAX_INT_ID)] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601, with a time zone")] = None,
    before_id: Annotated[
        int | None, Query(ge=1, le=MAX_BIGINT, description="Page: the last id seen")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Entries hold ids, counts and codes, never a child's personal data."""
    if since is not None and since.tzinfo is None:
        raise ValueError("since must carry a time zone, e.g. 2026-01-31T00:00:00Z")
    entries = repo.list_audit(
        session,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        actor_key_id=actor_key_id,
        since=since,
        before_id=before_id,
        limit=limit,
    )
    return AuditPage(
        items=[
            AuditEntryPublic(
                id=e.id,
                at=e.at,
                actor_key_id=e.actor_key_id,
                actor_role=e.actor_role,
                action=e.action,
                target_kind=e.target_kind,
                target_id=e.target_id,
                model_version=e.model_version,
                detail=dict(e.detail),
            )
            for e in entries
        ],
        next_before_id=entries[-1].id if len(entries) == limit else None,
    )
