"""Bulk import of CSV or JSON lines files, streamed from the request body.

The body is the file itself (``Content-Type: text/csv`` or
``application/x-ndjson``; or ``?format=``). It is spooled to a temporary
file while its size is counted (over ``max_upload_bytes``: 413, nothing
stored), then read row by row. Bad rows are reported by row, record id and
field; good rows are stored in batches, each batch with its review
proposals in one transaction. With ``?atomic=true`` the whole file is one
transaction and any bad row stores nothing.
"""

import gc
import logging
import tempfile
from typing import IO, Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from api.deps import MatchingDep, SessionDep, SettingsDep, WriterKey
from api.errors import ImportRefused, UploadTooLarge
from api.schemas import ErrorPublic, ImportReport, ImportRowError
from api.service import prepare, write_batch
from matcher.errors import RecordError
from matcher.exchange import iter_records
from matcher.normalize.person import Person
from matcher.pipeline import gc_paused
from matcher.records import RawRecord, RecordKind
from matcher.storage import repository as repo
from matcher.storage.tables import ID_LENGTH

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/imports", tags=["imports"])

#: Rows stored per transaction in a non-atomic import.
BATCH = 1000
#: Rows stored by one import between refreshes of PostgreSQL's planner statistics.
ANALYZE_EVERY = 20_000
#: Row errors listed in a report (the count is always complete).
MAX_REPORTED_ERRORS = 1000
#: Bytes held in memory before the upload spills to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024

_JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/json")


def _format_of(request: Request, fmt: str | None) -> Literal["csv", "jsonl"]:
    if fmt == "csv":
        return "csv"
    if fmt == "jsonl":
        return "jsonl"
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return "jsonl" if content_type in _JSONL_TYPES else "csv"


def _printable(text: str, limit: int = ID_LENGTH) -> str:
    """An id fit for a report: control characters as U+FFFD, cut to ``limit`` characters."""
    return "".join("\ufffd" if ord(c) < 32 or ord(c) == 127 else c for c in text[:limit])


def _id_problem(raw: RawRecord) -> str | None:
    """What the repository would refuse in an id, checked per row so one bad id spoils one row."""
    if len(raw.id) > ID_LENGTH:
        return f"the id is longer than {ID_LENGTH} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in raw.id):
        return "the id contains control characters"
    return None


@router.post(
    "/{kind}",
    summary="Import a CSV or JSON lines file",
    responses={
        401: {"model": ErrorPublic},
        403: {"model": ErrorPublic},
        413: {"model": ErrorPublic, "description": "Larger than max_upload_bytes"},
        422: {
            "model": ImportReport | ErrorPublic,
            "description": "Atomic import with bad rows: the report with "
            "error='import_refused', nothing stored; or an unreadable file (no id column...) "
            "or invalid parameters: an error",
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string", "format": "binary"},
                    "example": "id,name,sex,age,district,state,missing_date\n"
                    "M-1,Radha,female,14,Khargone,Madhya Pradesh,2017-06-04\n",
                },
                "application/x-ndjson": {
                    "schema": {"type": "string", "format": "binary"},
                    "example": '{"id": "M-1", "name": "Radha", "age": 14}\n',
                },
            },
        }
    },
)
async def import_records(
    kind: RecordKind,
    request: Request,
    session: SessionDep,
    state: MatchingDep,
    settings: SettingsDep,
    key: WriterKey,
    atomic: Annotated[
        bool, Query(description="All or nothing: any bad row and nothing is stored")
    ] = False,
    fmt: Annotated[
        Literal["csv", "jsonl"] | None,
        Query(alias="format", description="Default: from Content-Type, else csv"),
    ] = None,
) -> ImportReport:
    """Store the good rows (idempotent upserts by id) and report every bad one."""
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise UploadTooLarge(limit)
    file_format = _format_of(request, fmt)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge(limit)
            spool.write(chunk)
        spool.seek(0)
        # Reading, normalizing and scoring are CPU work: off the event loop.
        return await run_in_threadpool(
            _run_import,
            spool,
            kind,
            file_format,
            atomic,
            session,
            state,
            key,
        )


def _run_import(
    spool: IO[bytes],
    kind: RecordKind,
    file_format: Literal["csv", "jsonl"],
    atomic: bool,
    session: SessionDep,
    state: MatchingDep,
    key: repo.ApiKey,
) -> ImportReport:
    actor = repo.Actor.for_key(key)
    errors: list[ImportRowError] = []
    rejected = rows = 0
    counts = {outcome: 0 for outcome in repo.UpsertOutcome}
    review_items: set[int] = set()
    batch: list[tuple[repo.RecordInput, Person]] = []
    unanalyzed = 0  # rows stored since the planner statistics were last refreshed

    def flush() -> None:
        nonlocal unanalyzed
        if not batch:
            return
        results, items = write_batch(session, state, batch, actor)
        for result in results:
            counts[result.outcome] += 1
            if result.outcome is not repo.UpsertOutcome.UNCHANGED:
                unanalyzed += 1
        review_items.update(items)
        if unanalyzed >= ANALYZE_EVERY:
            # Inside an atomic import's one transaction too: ANALYZE counts the
            # rows this transaction has written.
            repo.refresh_statistics(session)
            unanalyzed = 0
        if not atomic:
            session.commit()
            state.catch_up()
        batch.clear()
        gc.collect(1)  # whatever cycles the batch left behind

    source = f"{kind}.{file_format}"
    # Reading, normalizing and writing a batch creates hundreds of thousands of
    # objects and few reference cycles: automatic collection would scan them
    # again and again (a third of normalization's CPU in batch linking). The
    # young generations are collected after each batch instead (flush).
    with gc_paused():
        for item in iter_records(spool, kind, fmt=file_format, source=source):
            rows += 1
            problem = _id_problem(item) if isinstance(item, RawRecord) else None
            if isinstance(item, RecordError) or problem is not None:
                rejected += 1
                if len(errors) < MAX_REPORTED_ERRORS:
                    if isinstance(item, RecordError):
                        errors.append(
                            ImportRowError(
                                row=item.row,
                                record_id=item.record_id,
                                field=item.field,
                                reason=item.reason,
                            )
                        )
                    else:
                        # The reader does not pass row numbers with good rows; the id, with its
                        # control characters made visible, is what finds the row.
                        assert isinstance(item, RawRecord)
                        errors.append(
                            ImportRowError(
                                row=None,
                                record_id=_printable(item.id),
                                field="id",
                                reason=str(problem),
                            )
                        )
                continue
            if atomic and rejected:
                continue  # nothing will be stored; keep reading only to report every bad row
            batch.append(prepare(state, item))
            if len(batch) >= BATCH:
                flush()
        stored = not (atomic and rejected)
        if stored:
            flush()
    report = ImportReport(
        kind=kind,
        format=file_format,
        atomic=atomic,
        stored=stored,
        rows=rows,
        created=counts[repo.UpsertOutcome.CREATED],
        updated=counts[repo.UpsertOutcome.UPDATED],
        unchanged=counts[repo.UpsertOutcome.UNCHANGED],
        rejected=rejected,
        review_items=len(review_items),
        errors=errors,
        errors_truncated=rejected > len(errors),
    )
    if not stored:
        session.rollback()
        raise ImportRefused(report)
    repo.audit(
        session,
        actor=actor,
        action="records.import",
        target_kind=kind.value,
        detail={
            "format": file_format,
            "atomic": atomic,
            "rows": rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": rejected,
            "review_items": report.review_items,
        },
    )
    session.commit()
    state.catch_up()
    log.info(
        "import of %s by key %s: %d rows, %d created, %d updated, %d rejected",
        kind,
        key.id,
        rows,
        report.created,
        report.updated,
        rejected,
    )
    return report
