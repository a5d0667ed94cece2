"""Records of both kinds: create, replace, patch, read, list, history, delete.

Missing reports live under ``/v1/records/missing``, found children under
``/v1/records/found``; the bodies carry the exchange format's fields. Every
write matches the record against the other kind at once and queues the
likely pairs for review; every read is audited.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api import access
from api.deps import MAX_BIGINT, GazetteerDep, MatchingDep, ReaderKey, SessionDep, WriterKey
from api.schemas import (
    ErrorPublic,
    FieldProblemPublic,
    FoundFields,
    FoundRecordCreate,
    MissingFields,
    MissingRecordCreate,
    RecordPage,
    RecordPublic,
    RecordVersionPublic,
    RecordWritten,
    _CommonFields,
)
from api.service import write_records
from matcher.errors import Conflict, NotFound
from matcher.records import RecordKind, make_record
from matcher.storage import repository as repo

router = APIRouter(prefix="/v1/records", tags=["records"])

RecordIdPath = Annotated[
    str, Path(min_length=1, max_length=200, description="The record's id", examples=["R-1"])
]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorPublic, "description": "No or unknown API key"},
    403: {"model": ErrorPublic, "description": "The key's role may not do this"},
    404: {"model": ErrorPublic, "description": "No such record (or not in your jurisdiction)"},
    422: {"model": ErrorPublic, "description": "Invalid body: wrong types or unknown fields"},
}
#: PUT answers 200 when it replaced a record and 201 when the id was new.
_PUT_RESPONSES: dict[int | str, dict[str, object]] = {
    201: {"model": RecordWritten, "description": "Created: the id was new"},
    **_ERRORS,
}


def _visible(key: repo.ApiKey, record: repo.StoredRecord) -> repo.StoredRecord:
    if not access.sees_record(key, record):
        raise NotFound(f"no {record.kind} record with id {record.id!r}")
    return record


def _written(
    session: SessionDep,
    state: MatchingDep,
    kind: RecordKind,
    record_id: str,
    key: repo.ApiKey,
    fields: dict[str, str],
    extra: dict[str, str],
    response: Response,
) -> RecordWritten:
    raw = make_record(kind, {**fields, "id": record_id})
    raw = type(raw)(raw.kind, record_id, raw.fields, extra)
    [done] = write_records(session, state, [raw], repo.Actor.for_key(key))
    session.commit()
    state.catch_up()
    if done.result.outcome is repo.UpsertOutcome.CREATED:
        response.status_code = status.HTTP_201_CREATED
    return RecordWritten(
        outcome=done.result.outcome,
        record=RecordPublic.of(done.record),
        review_items=list(done.review_items),
        problems=[FieldProblemPublic(field=p.field, reason=p.reason) for p in done.person.problems],
    )


def _create(
    session: SessionDep,
    state: MatchingDep,
    kind: RecordKind,
    body: MissingRecordCreate | FoundRecordCreate,
    key: repo.ApiKey,
    response: Response,
) -> RecordWritten:
    try:
        repo.get_record(session, kind, body.id)
    except NotFound:
        pass
    else:
        raise Conflict(
            f"a {kind} record with id {body.id!r} exists; use PUT or PATCH "
            f"/v1/records/{kind}/{{id}} to change it"
        )
    return _written(
        session, state, kind, body.id, key, body.spec_fields(), dict(body.extra), response
    )


def _replace(
    session: SessionDep,
    state: MatchingDep,
    kind: RecordKind,
    record_id: str,
    body: _CommonFields,
    key: repo.ApiKey,
    response: Response,
) -> RecordWritten:
    return _written(
        session, state, kind, record_id, key, body.spec_fields(), dict(body.extra), response
    )


def _patch(
    session: SessionDep,
    state: MatchingDep,
    kind: RecordKind,
    record_id: str,
    body: _CommonFields,
    key: repo.ApiKey,
    response: Response,
) -> RecordWritten:
    current = _visible(key, repo.get_record(session, kind, record_id))
    fields = dict(current.fields)
    fields.update(body.spec_fields(only_set=True))
    extra = dict(body.extra) if "extra" in body.model_fields_set else dict(current.extra)
    return _written(session, state, kind, record_id, key, fields, extra, response)


def _get(session: SessionDep, kind: RecordKind, record_id: str, key: repo.ApiKey) -> RecordPublic:
    record = _visible(key, repo.get_record(session, kind, record_id))
    repo.audit(
        session,
        actor=repo.Actor.for_key(key),
        action="record.read",
        target_kind=kind.value,
        target_id=record_id,
        detail={"version": record.version},
    )
    session.commit()
    return RecordPublic.of(record)


def _history(
    session: SessionDep, kind: RecordKind, record_id: str, key: repo.ApiKey
) -> list[RecordVersionPublic]:
    record = _visible(key, repo.get_record(session, kind, record_id, include_deleted=True))
    versions = repo.record_history(session, kind, record.id)
    repo.audit(
        session,
        actor=repo.Actor.for_key(key),
        action="record.history",
        target_kind=kind.value,
        target_id=record_id,
        detail={"versions": len(versions)},
    )
    session.commit()
    return [
        RecordVersionPublic(
            version=v.version,
            action=v.action,
            status=v.status,
            fields=dict(v.fields),
            extra=dict(v.extra),
            state_code=v.state_code,
            district_code=v.district_code,
            deleted=v.deleted,
            actor=v.actor,
            at=v.at,
        )
        for v in versions
    ]


def _list(
    session: SessionDep,
    gazetteer: GazetteerDep,
    kind: RecordKind,
    key: repo.ApiKey,
    state: str | None,
    district: str | None,
    record_status: repo.RecordStatus | None,
    updated_since: datetime | None,
    limit: int,
    offset: int,
) -> RecordPage:
    where = access.scope(key, gazetteer, state, district)
    records: list[repo.StoredRecord] = []
    total = 0
    if where != access.NOTHING:
        records, total = repo.list_records(
            session,
            kind,
            state_codes=where.state_codes,
            district_codes=where.district_codes,
            status=record_status,
            updated_since=updated_since,
            limit=limit,
            offset=offset,
        )
    repo.audit(
        session,
        actor=repo.Actor.for_key(key),
        action="record.list",
        target_kind=kind.value,
        detail={"ids": [r.id for r in records], "total": total},
    )
    session.commit()
    return RecordPage(
        items=[RecordPublic.of(r) for r in records], total=total, limit=limit, offset=offset
    )


def _delete(
    session: SessionDep, state: MatchingDep, kind: RecordKind, record_id: str, key: repo.ApiKey
) -> RecordPublic:
    record = repo.delete_record(session, kind, record_id, actor=repo.Actor.for_key(key))
    session.commit()
    state.catch_up()
    return RecordPublic.of(record)


StateQuery = Annotated[
    str | None, Query(max_length=32, description="Gazetteer state code", examples=["IN-23"])
]
DistrictQuery = Annotated[
    str | None, Query(max_length=32, description="Gazetteer district code", examples=["IN-379"])
]
StatusQuery = Annotated[repo.RecordStatus | None, Query(alias="status")]
SinceQuery = Annotated[
    datetime | None, Query(description="Only records changed at or after this time (ISO 8601)")
]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_BIGINT)]


# --- missing reports ---------------------------------------------------------


@router.post(
    "/missing",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorPublic, "description": "The id exists"}, **_ERRORS},
    summary="Create a missing report",
)
def create_missing(
    body: MissingRecordCreate,
    session: SessionDep,
    state: MatchingDep,
    key: WriterKey,
    response: Response,
) -> RecordWritten:
    """Store a new missing report, match it against the found children and queue likely pairs."""
    return _create(session, state, RecordKind.MISSING, body, key, response)


@router.put(
    "/missing/{record_id}", responses=_PUT_RESPONSES, summary="Create or replace a missing report"
)
def replace_missing(
    record_id: RecordIdPath,
    body: MissingFields,
    session: SessionDep,
    state: MatchingDep,
    key: WriterKey,
    response: Response,
) -> RecordWritten:
    """Every field is replaced (fields left out become empty). 201 when created, else 200."""
    return _replace(session, state, RecordKind.MISSING, record_id, body, key, response)


@router.patch("/missing/{record_id}", responses=_ERRORS, summary="Change some fields")
def patch_missing(
    record_id: RecordIdPath,
    body: MissingFields,
    session: SessionDep,
    state: MatchingDep,
    key: WriterKey,
    response: Response,
) -> RecordWritten:
    """Only the fields sent change; ``null`` or ``""`` empties one; ``extra`` replaces extras."""
    return _patch(session, state, RecordKind.MISSING, record_id, body, key, response)


@router.get("/missing/{record_id}", responses=_ERRORS, summary="Read a missing report")
def get_missing(record_id: RecordIdPath, session: SessionDep, key: ReaderKey) -> RecordPublic:
    """The record as stored now (the read is audited)."""
    return _get(session, RecordKind.MISSING, record_id, key)


@router.get(
    "/missing/{record_id}/history", responses=_ERRORS, summary="Every version of a missing report"
)
def history_missing(
    record_id: RecordIdPath, session: SessionDep, key: ReaderKey
) -> list[RecordVersionPublic]:
    return _history(session, RecordKind.MISSING, record_id, key)


@router.get("/missing", responses=_ERRORS, summary="List missing reports")
def list_missing(
    session: SessionDep,
    gazetteer: GazetteerDep,
    key: ReaderKey,
    state: StateQuery = None,
    district: DistrictQuery = None,
    record_status: StatusQuery = None,
    updated_since: SinceQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RecordPage:
    """Oldest change first. A caseworker sees only their states and districts."""
    return _list(
        session,
        gazetteer,
        RecordKind.MISSING,
        key,
        state,
        district,
        record_status,
        updated_since,
        limit,
        offset,
    )


@router.delete("/missing/{record_id}", responses=_ERRORS, summary="Delete a missing report")
def delete_missing(
    record_id: RecordIdPath, session: SessionDep, state: MatchingDep, key: WriterKey
) -> RecordPublic:
    """Soft delete (kept with its history, audited); its open review items leave the queue."""
    return _delete(session, state, RecordKind.MISSING, record_id, key)


# --- found children ----------------------------------------------------------


@router.post(
    "/found",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"model": ErrorPublic, "description": "The id exists"}, **_ERRORS},
    summary="Create a found child",
)
def create_found(
    body: FoundRecordCreate,
    session: SessionDep,
    state: MatchingDep,
    key: WriterKey,
    response: Response,
) -> RecordWritten:
    """Store a found child, match it against the missing reports and queue likely pairs."""
    return _create(session, state, RecordKind.FOUND, body, key, response)


@router.put(
    "/found/{record_id}", responses=_PUT_RESPONSES, summary="Create or replace a found child"
)
def replace_found(
    record_id: RecordIdPath,
    body: FoundFields,
    session: SessionDep,
    state: MatchingDep,
    key: WriterKey,
    response: Response,
) -> RecordWritten:
    """Every field is replaced (fields left out become empty). 201 when created, else 200."""
    return _replace(session, state, RecordKind.FOUND, record_id, body, key, response)


@router.patch("/found/{record_id}", responses=_ERRORS, summary="Change some fields")
def patch_found(
    record_id: RecordIdPath,
    body: FoundFields,
    session: SessionDep,
    state: MatchingDep,
    key: WriterKey,
    response: Response,
) -> RecordWritten:
    """Only the fields sent change; ``null`` or ``""`` empties one; ``extra`` replaces extras."""
    return _patch(session, state, RecordKind.FOUND, record_id, body, key, response)


@router.get("/found/{record_id}", responses=_ERRORS, summary="Read a found child")
def get_found(record_id: RecordIdPath, session: SessionDep, key: ReaderKey) -> RecordPublic:
    """The record as stored now (the read is audited)."""
    return _get(session, RecordKind.FOUND, record_id, key)


@router.get(
    "/found/{record_id}/history", responses=_ERRORS, summary="Every version of a found child"
)
def history_found(
    record_id: RecordIdPath, session: SessionDep, key: ReaderKey
) -> list[RecordVersionPublic]:
    return _history(session, RecordKind.FOUND, record_id, key)


@router.get("/found", responses=_ERRORS, summary="List found children")
def list_found(
    session: SessionDep,
    gazetteer: GazetteerDep,
    key: ReaderKey,
    state: StateQuery = None,
    district: DistrictQuery = None,
    record_status: StatusQuery = None,
    updated_since: SinceQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RecordPage:
    """Oldest change first. A caseworker sees only their states and districts."""
    return _list(
        session,
        gazetteer,
        RecordKind.FOUND,
        key,
        state,
        district,
        record_status,
        updated_since,
        limit,
        offset,
    )


@router.delete("/found/{record_id}", responses=_ERRORS, summary="Delete a found child")
def delete_found(
    record_id: RecordIdPath, session: SessionDep, state: MatchingDep, key: WriterKey
) -> RecordPublic:
    """Soft delete (kept with its history, audited); its open review items leave the queue."""
    return _delete(session, state, RecordKind.FOUND, record_id, key)
