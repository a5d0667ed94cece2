"""All database access of the service: records, history, changes, review queue, audit, keys.

Every function takes an open :class:`~sqlalchemy.orm.Session` and never
commits: the caller commits once per request (or once per import batch), so a
request's writes land together or not at all. Functions return small frozen
values (:class:`StoredRecord`, :class:`ReviewItem`, ...), never ORM rows.

Concurrency, on both databases:

- Decisions use a conditional ``UPDATE ... WHERE version = :expected AND
  status IN ('pending', 'unsure')``: of two caseworkers deciding the same item
  at once exactly one update matches a row; the other gets :class:`DecisionConflict`.
- Record updates are guarded the same way (``WHERE version = :seen``) and
  raise :class:`~matcher.errors.Conflict` if another writer got there first;
  two writers creating the same new id make the second one's unique index
  fail, also reported as ``Conflict``. The caller rolls back and retries.
- The change sequence must be read in commit order: a worker that has seen
  ``seq`` 12 must never later find an 11 committed behind it. SQLite has one
  writer at a time, so that holds by itself; on PostgreSQL every function that
  appends changes first takes a transaction-scoped advisory lock
  (:func:`_lock_changes`), so change-writing transactions commit one after
  another, in ``seq`` order.

What the repository audits by itself (so no caller can forget): record
deletion, review decisions, reunification steps, API key creation and
revocation. Request-level events (an import, an export, a search) are audited
by the API layer with :func:`audit`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import operator
import re
import secrets
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    CursorResult,
    Float,
    Insert,
    Integer,
    String,
    Table,
    TypeDecorator,
    and_,
    any_,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from matcher.decide import Decision
from matcher.errors import Conflict, NotFound, RecordError
from matcher.records import RawRecord, RecordKind, fields_of
from matcher.storage.engine import json_dumps
from matcher.storage.tables import (
    CODE_LENGTH,
    ID_LENGTH,
    ApiKeyRow,
    AuditRow,
    Base,
    DecisionRow,
    RecordRow,
    RecordVersionRow,
    ReunificationStepRow,
    ReviewItemRow,
    UtcDateTime,
)

# ---------------------------------------------------------------------------
# Closed value sets


class RecordStatus(StrEnum):
    """Where a record stands: open, or closed by a confirmed match."""

    OPEN = "open"
    #: A missing report whose child was confirmed found.
    TRACED = "traced"
    #: A found child confirmed as a reported missing child.
    REUNITED = "reunited"


class ReviewStatus(StrEnum):
    """A review item's state. ``unsure`` may be decided again; the others are final."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    UNSURE = "unsure"


#: Statuses in which an item can still be decided.
OPEN_REVIEW_STATUSES: Final = (ReviewStatus.PENDING, ReviewStatus.UNSURE)


#: The link output's ``decision`` column: one enum for the engine, the scorer and storage.
LinkDecision = Decision


class Role(StrEnum):
    """What an API key may do. ``system`` actors (CLI, workers) have no key."""

    INTEGRATOR = "integrator"
    CASEWORKER = "caseworker"
    ADMIN = "admin"


class ChangeOp(StrEnum):
    """What a change-sequence entry tells a worker to do with the record."""

    CREATE = "create"
    #: Also used for a restore (re-import of a deleted record) and a status change.
    UPDATE = "update"
    DELETE = "delete"


class HistoryAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    #: A deleted record imported again.
    RESTORE = "restore"
    #: ``open`` → ``traced`` / ``reunited`` after a confirmed match.
    STATUS = "status"


class UpsertOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class ProposeOutcome(StrEnum):
    #: A new pending item (also when a rejected pair's records changed).
    CREATED = "created"
    #: The open item's score, explanation or record versions were refreshed.
    UPDATED = "updated"
    #: The open item already says exactly this.
    UNCHANGED = "unchanged"
    #: Not proposed: already decided (confirmed, or rejected for these very
    #: record versions), or a record is already closed (traced / reunited).
    SKIPPED = "skipped"


# ---------------------------------------------------------------------------
# Values passed in and returned


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: an API key, or a named system process (CLI import, worker).

    ``label`` is what history rows show (``key:7``, ``cli-import``); audit
    entries record ``key_id`` and ``role``.
    """

    label: str
    key_id: int | None = None
    role: str = "system"

    @classmethod
    def for_key(cls, key: ApiKey) -> Actor:
        return cls(label=f"key:{key.id}", key_id=key.id, role=key.role.value)

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(label=name)


#: The actor for writes no person or key asked for (bootstrap, maintenance).
SYSTEM: Final = Actor(label="system")

_NO_TEXT: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RecordInput:
    """One record to upsert: the exchange-format text plus caller-derived jurisdiction codes."""

    kind: RecordKind
    id: str
    fields: Mapping[str, str]
    extra: Mapping[str, str] = field(default_factory=lambda: _NO_TEXT)
    state_code: str | None = None
    district_code: str | None = None

    @classmethod
    def from_raw(
        cls, raw: RawRecord, *, state_code: str | None = None, district_code: str | None = None
    ) -> RecordInput:
        return cls(raw.kind, raw.id, raw.fields, raw.extra, state_code, district_code)


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record as stored now. ``fields`` holds the non-empty spec fields only."""

    kind: RecordKind
    id: str
    version: int
    status: RecordStatus
    fields: Mapping[str, str]
    extra: Mapping[str, str]
    state_code: str | None
    district_code: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def raw(self) -> RawRecord:
        """The record in the exchange format, every spec field present (``""`` when empty)."""
        return _complete_record(self.kind, self.id, self.fields, self.extra)


@dataclass(frozen=True, slots=True)
class RecordVersion:
    """A record as it was after one change."""

    kind: RecordKind
    id: str
    version: int
    action: HistoryAction
    status: RecordStatus
    fields: Mapping[str, str]
    extra: Mapping[str, str]
    state_code: str | None
    district_code: str | None
    deleted: bool
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class UpsertResult:
    kind: RecordKind
    id: str
    outcome: UpsertOutcome
    version: int
    #: The record's status after the upsert (an update keeps it), so a caller that only
    #: needs to know whether the record is open need not read it back.
    status: RecordStatus = RecordStatus.OPEN


@dataclass(frozen=True, slots=True)
class Change:
    """One change-sequence entry: reload (or drop, for ``delete``) this record."""

    seq: int
    kind: RecordKind
    record_id: str
    op: ChangeOp
    version: int
    at: datetime


@dataclass(frozen=True, slots=True)
class PairJurisdiction:
    """Gazetteer codes of the places a pair touches; a caseworker sees it if any is theirs.

    ``found_*``: where the child was found; ``found_home_*``: the home the
    child named; ``missing_*``: the missing report's home.
    """

    found_state: str | None = None
    found_district: str | None = None
    found_home_state: str | None = None
    found_home_district: str | None = None
    missing_state: str | None = None
    missing_district: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewItem:
    id: int
    found_id: str
    missing_id: str
    score: float
    match_weight: float
    decision: LinkDecision
    explanation: Mapping[str, Any]
    model_version: str
    found_version: int
    missing_version: int
    status: ReviewStatus
    jurisdiction: PairJurisdiction
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    note: str | None
    superseded_at: datetime | None
    superseded_by_id: int | None
    #: Pass back as ``expected_version`` when deciding.
    version: int

    @property
    def is_open(self) -> bool:
        """Still waiting for a (final) decision."""
        return self.superseded_at is None and self.status in OPEN_REVIEW_STATUSES


@dataclass(frozen=True, slots=True)
class ProposeResult:
    outcome: ProposeOutcome
    #: The pair's current item (``None`` only when skipped before any item existed).
    item: ReviewItem | None


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    id: int
    item_id: int
    status: ReviewStatus
    previous_status: ReviewStatus
    item_version: int
    decided_by: str
    note: str | None
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class ReunificationStep:
    id: int
    item_id: int
    step: str
    note: str | None
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor_key_id: int | None
    actor_role: str
    action: str
    target_kind: str | None
    target_id: str | None
    model_version: str | None
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key without its secret (only ever shown once, by :func:`create_api_key`)."""

    id: int
    name: str
    prefix: str
    role: Role
    states: tuple[str, ...]
    districts: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class DecisionConflict(Conflict):
    """A decision lost: the item was decided (or changed) since the caseworker loaded it.

    ``current`` is the item as stored now, so the caller can show who decided what.
    """

    def __init__(self, message: str, current: ReviewItem) -> None:
        super().__init__(message)
        self.current = current
        self.item_id = current.id
        self.current_status = current.status
        self.current_version = current.version
        self.decided_by = current.decided_by
        self.decided_at = current.decided_at


# ---------------------------------------------------------------------------
# Helpers

# Core tables for the bulk paths (no ORM identity map, executemany batches).
_records: Final[Table] = Base.metadata.tables["records"]
_versions: Final[Table] = Base.metadata.tables["record_versions"]
_changes: Final[Table] = Base.metadata.tables["changes"]
_review_items: Final[Table] = Base.metadata.tables["review_items"]

#: Key of the PostgreSQL advisory lock that orders change-sequence writers ("matcher" in ASCII).
CHANGE_LOCK_KEY: Final = 0x6D61746368657200
#: Records fetched per SELECT in bulk upserts; well under SQLite's 32766 bound parameters.
BULK_CHUNK: Final = 5000

_SPEC_FIELDS: Final = {kind: frozenset(fields_of(kind)[1:]) for kind in RecordKind}
_FIELD_ORDER: Final = {kind: fields_of(kind)[1:] for kind in RecordKind}


def _complete_record(
    kind: RecordKind, record_id: str, fields: Mapping[str, str], extra: Mapping[str, str]
) -> RawRecord:
    """A stored record in the exchange format, every spec field present (``""`` when empty)."""
    full = {name: fields.get(name, "") for name in _FIELD_ORDER[kind]}
    return RawRecord(kind, record_id, MappingProxyType(full), MappingProxyType(extra))


# Audit details must never carry a child's personal data; these keys are refused outright.
_PERSONAL_KEYS: Final = frozenset(
    {
        "name",
        "aliases",
        "birth_date",
        "father_name",
        "mother_name",
        "guardian_name",
        "guardian_phone",
        "village",
        "marks",
        "fields",
        "extra",
        "note",
    }
)
_STEP_RE: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_KEY_PREFIX_LEN: Final = 12  # "mk_" + 9 random characters, 54 bits: a lookup key, not a secret


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _lock_changes(session: Session) -> None:
    """Serialize change-sequence writers on PostgreSQL until this transaction ends.

    Sequence numbers are handed out at insert time but become visible at
    commit; without the lock a worker could read seq 12 while 11 is still
    uncommitted and skip 11 forever. Taken first, before any row is touched,
    so all writers acquire locks in the same order. SQLite needs nothing:
    it has a single writer.
    """
    if _dialect(session) == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOCK_KEY})


#: Tables a bulk import grows, whose planner statistics it refreshes.
_IMPORTED_TABLES: Final = (_records, _versions, _changes, _review_items)


def refresh_statistics(session: Session) -> None:
    """Let PostgreSQL's planner see the rows a bulk import just added (``ANALYZE``).

    Without statistics (a new database, or autovacuum off or behind) the
    planner takes the records table for a few pages and looks ids up through
    the ``kind`` prefix of another index, filtering every row: at 500,000
    reports each batch's two id lookups took 150 ms instead of 2, and an
    import of 1,000,000 slowed chunk by chunk. ``ANALYZE`` reads a sample
    (30,000 rows), so running it every few tens of thousands of imported rows
    costs little. SQLite picks its unique index without statistics: a no-op.
    """
    if _dialect(session) != "postgresql":
        return
    session.execute(text(f"ANALYZE {', '.join(t.name for t in _IMPORTED_TABLES)}"))


def _one_of(session: Session, column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """``column IN (values)``, as ``= ANY(:array)`` on PostgreSQL.

    A long ``IN ($1, ..., $5000)`` is fine once, but after a few runs psycopg
    prepares it and PostgreSQL may switch to a generic plan that compares
    every row with every parameter: a bulk re-import crawled at ~600
    records/s that way. One array parameter keeps it an index lookup.
    """
    condition: ColumnElement[bool]
    if _dialect(session) == "postgresql":
        condition = column == any_(bindparam(None, list(values), type_=ARRAY(String())))
    else:
        condition = column.in_(values)
    return condition


def _one_of_ints(session: Session, column: Any, values: Sequence[int]) -> ColumnElement[bool]:
    """:func:`_one_of` for integer keys."""
    condition: ColumnElement[bool]
    if _dialect(session) == "postgresql":
        condition = column == any_(bindparam(None, list(values), type_=ARRAY(BigInteger())))
    else:
        condition = column.in_(values)
    return condition


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def _check_record_id(record_id: str) -> None:
    """Ids are keys: refuse empty, padded, overlong and control-character ids (NUL breaks PG)."""
    if not isinstance(record_id, str) or not record_id.strip():
        raise RecordError("record id is empty")
    if len(record_id) > ID_LENGTH:
        raise RecordError(f"record id is longer than {ID_LENGTH} characters")
    if record_id != record_id.strip():
        raise RecordError("record id has leading or trailing whitespace", record_id=record_id)
    if any(ord(c) < 32 or ord(c) == 127 for c in record_id):
        raise RecordError("record id contains control characters", record_id=repr(record_id))


def _check_code(code: str | None, what: str) -> str | None:
    if code is None or code == "":
        return None
    if len(code) > CODE_LENGTH or any(ord(c) < 32 for c in code):
        raise ValueError(f"{what} {code!r} is not a gazetteer code")
    return code


@dataclass(frozen=True, slots=True)
class _Prepared:
    kind: RecordKind
    id: str
    fields: dict[str, str]
    extra: dict[str, str]
    state_code: str | None
    district_code: str | None
    #: ``fields`` and ``extra`` as JSON text, encoded once for the record and its history row.
    fields_json: _JsonText
    extra_json: _JsonText


class _JsonText(str):
    """A value already encoded as JSON text, written to a JSON column as it is."""

    __slots__ = ()


def _json_text(value: Any) -> str:
    """What a JSON column receives: the value's JSON text (encoded once)."""
    return value if isinstance(value, _JsonText) else json_dumps(value)


def _prepare(record: RecordInput) -> _Prepared:
    """Validate a record and put it in canonical form (spec order, empty fields dropped).

    Empty and absent fields mean the same in the spec, so they are stored the
    same: re-importing a file that now carries an empty ``marks`` column is
    not a change.
    """
    kind = RecordKind(record.kind)
    _check_record_id(record.id)
    allowed = _SPEC_FIELDS[kind]
    unknown = [name for name in record.fields if name not in allowed]
    if unknown:
        raise RecordError(
            f"not a {kind} field (unknown columns go in extra)",
            record_id=record.id,
            field=unknown[0],
        )
    source = record.fields
    fields: dict[str, str] = {}
    for name in _FIELD_ORDER[kind]:
        value = source.get(name)
        if value:
            if not isinstance(value, str):
                raise RecordError("field value is not text", record_id=record.id, field=name)
            fields[name] = value
    extra = dict(record.extra)
    for name, value in extra.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise RecordError("extra column is not text", record_id=record.id, field=str(name))
    return _Prepared(
        kind,
        record.id,
        fields,
        extra,
        _check_code(record.state_code, "state_code"),
        _check_code(record.district_code, "district_code"),
        _JsonText(json_dumps(fields)),
        _JsonText(json_dumps(extra)),
    )


def _stored(row: RecordRow) -> StoredRecord:
    return StoredRecord(
        kind=RecordKind(row.kind),
        id=row.record_id,
        version=row.version,
        status=RecordStatus(row.status),
        fields=MappingProxyType(dict(row.fields)),
        extra=MappingProxyType(dict(row.extra)),
        state_code=row.state_code,
        district_code=row.district_code,
        created_at=row.created_at,
        updated_at=row.updated_at,
        deleted_at=row.deleted_at,
    )


def _version_row(
    record_pk: int,
    version: int,
    action: HistoryAction,
    status: str,
    prepared: _Prepared | None,
    stored: Mapping[str, Any] | None,
    deleted: bool,
    actor: Actor,
    now: datetime,
) -> dict[str, Any]:
    source: Mapping[str, Any]
    if prepared is not None:
        source = {
            "fields": prepared.fields_json,
            "extra": prepared.extra_json,
            "state_code": prepared.state_code,
            "district_code": prepared.district_code,
        }
    else:
        assert stored is not None
        source = stored
    return {
        "record_pk": record_pk,
        "version": version,
        "action": action.value,
        "status": status,
        "fields": source["fields"],
        "extra": source["extra"],
        "state_code": source["state_code"],
        "district_code": source["district_code"],
        "deleted": deleted,
        "actor": actor.label,
        "at": now,
    }


def _change_row(
    kind: str, record_id: str, op: ChangeOp, version: int, now: datetime
) -> dict[str, Any]:
    return {"kind": kind, "record_id": record_id, "op": op.value, "version": version, "at": now}


def _check_actor(actor: Actor) -> None:
    if not actor.label or len(actor.label) > ID_LENGTH:
        raise ValueError(f"actor label must be 1 to {ID_LENGTH} characters")


# ---------------------------------------------------------------------------
# Records


def upsert_record(
    session: Session,
    kind: RecordKind,
    record_id: str,
    fields: Mapping[str, str],
    extra: Mapping[str, str] | None = None,
    *,
    actor: Actor,
    state_code: str | None = None,
    district_code: str | None = None,
    now: datetime | None = None,
) -> UpsertResult:
    """Create or update one record by ``(kind, id)``; unchanged content writes nothing.

    A change is any difference in the non-empty spec fields, the extra columns
    or the jurisdiction codes, or re-importing a deleted record (a restore).
    Each change bumps ``version`` and writes a history row and a change entry.
    """
    record = RecordInput(kind, record_id, fields, extra or _NO_TEXT, state_code, district_code)
    return upsert_records(session, [record], actor=actor, now=now)[0]


def upsert_records(
    session: Session,
    records: Iterable[RecordInput],
    *,
    actor: Actor,
    now: datetime | None = None,
) -> list[UpsertResult]:
    """Upsert many records with a few statements per chunk of :data:`BULK_CHUNK` records.

    Per chunk: one SELECT of the existing rows, then one statement each for the
    new records, the updated records, their history rows and their change
    entries (changes in input order). A record id appearing twice
    is applied in order, as two upserts. Results come back in input order.
    Everything is validated before anything is written. Commit every few
    thousand records to keep transactions (and the PostgreSQL change lock) short.
    """
    _check_actor(actor)
    at = _now(now)
    prepared = [_prepare(record) for record in records]
    if not prepared:
        return []
    _lock_changes(session)
    results: list[UpsertResult] = []
    chunk: list[_Prepared] = []
    keys: set[tuple[str, str]] = set()
    for item in prepared:
        key = (item.kind.value, item.id)
        if key in keys or len(chunk) >= BULK_CHUNK:
            results.extend(_upsert_chunk(session, chunk, actor, at))
            chunk, keys = [], set()
        chunk.append(item)
        keys.add(key)
    results.extend(_upsert_chunk(session, chunk, actor, at))
    return results


def _upsert_chunk(
    session: Session, chunk: Sequence[_Prepared], actor: Actor, now: datetime
) -> list[UpsertResult]:
    """Upsert records with distinct keys: one SELECT, then batched writes."""
    existing: dict[tuple[str, str], Any] = {}
    for kind in {item.kind for item in chunk}:
        ids = [item.id for item in chunk if item.kind is kind]
        rows = session.execute(
            select(
                _records.c.pk,
                _records.c.record_id,
                _records.c.version,
                _records.c.status,
                _records.c.fields,
                _records.c.extra,
                _records.c.state_code,
                _records.c.district_code,
                _records.c.deleted_at,
            ).where(_records.c.kind == kind.value, _one_of(session, _records.c.record_id, ids))
        )
        for found in rows:
            existing[(kind.value, found.record_id)] = found

    results: list[UpsertResult] = []
    new: list[_Prepared] = []
    updates: list[dict[str, Any]] = []
    # (item, record pk or None for a new record, history action, version), input order
    writes: list[tuple[_Prepared, int | None, HistoryAction, str]] = []
    for item in chunk:
        row = existing.get((item.kind.value, item.id))
        if row is None:
            new.append(item)
            writes.append((item, None, HistoryAction.CREATE, RecordStatus.OPEN.value))
            results.append(UpsertResult(item.kind, item.id, UpsertOutcome.CREATED, 1))
            continue
        same = (
            row.deleted_at is None
            and row.fields == item.fields
            and row.extra == item.extra
            and row.state_code == item.state_code
            and row.district_code == item.district_code
        )
        if same:
            results.append(
                UpsertResult(
                    item.kind,
                    item.id,
                    UpsertOutcome.UNCHANGED,
                    row.version,
                    RecordStatus(row.status),
                )
            )
            continue
        action = HistoryAction.RESTORE if row.deleted_at is not None else HistoryAction.UPDATE
        updates.append(
            {
                "b_pk": row.pk,
                "b_seen": row.version,
                "b_version": row.version + 1,
                "b_fields": item.fields,
                "b_extra": item.extra,
                "b_state_code": item.state_code,
                "b_district_code": item.district_code,
            }
        )
        writes.append((item, row.pk, action, row.status))
        results.append(
            UpsertResult(
                item.kind, item.id, UpsertOutcome.UPDATED, row.version + 1, RecordStatus(row.status)
            )
        )
    if not writes:
        return results

    new_pks: Iterator[int] = iter(())
    if new:
        try:
            new_pks = iter(_insert_records(session, new, now))
        except IntegrityError as exc:
            # Another transaction created one of these ids after our SELECT.
            raise Conflict(
                "a record in this batch was created concurrently; roll back and retry"
            ) from exc
    if updates and _update_records(session, updates, now) != len(updates):
        raise Conflict("a record in this batch was changed concurrently; roll back and retry")
    versions: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for (item, pk, action, status), result in zip(
        writes, (r for r in results if r.outcome is not UpsertOutcome.UNCHANGED), strict=True
    ):
        record_pk = next(new_pks) if pk is None else pk
        op = ChangeOp.CREATE if action is HistoryAction.CREATE else ChangeOp.UPDATE
        versions.append(
            _version_row(record_pk, result.version, action, status, item, None, False, actor, now)
        )
        changes.append(_change_row(item.kind.value, item.id, op, result.version, now))
    _insert_rows(session, _versions, versions)
    _insert_rows(session, _changes, changes)
    return results


# Bulk updates travel as ONE JSON parameter per statement, unpacked by the
# database (``json_to_recordset`` on PostgreSQL, ``json_each`` on SQLite).
# Measured against the obvious alternatives: psycopg parses a multi-row
# statement with 12,000 placeholders in Python for every 1,000 rows and
# escapes text arrays element by element (both capped writes at 3,000-4,000
# records/s). New rows go faster still by executemany on SQLite and COPY on
# PostgreSQL (:func:`_insert_rows`).


def _pg_type(column: Column[Any]) -> str:
    """The PostgreSQL type ``json_to_recordset`` reads a column's value as.

    JSON columns travel as JSON *text* and are cast afterwards: read as ``json``
    directly, ``json_to_recordset`` refuses the ``\\u0000`` escape that a NUL in
    a badly exported CSV produces, while a cast from text accepts it (as
    single-row writes do).
    """
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return "timestamptz"
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "bigint"
    if isinstance(kind, Float):
        return "double precision"
    return "text"


@dataclass(frozen=True, slots=True)
class _Recordset:
    """Rows as one JSON parameter ``:rows``, and SQL that reads them back as columns."""

    #: ``SELECT <columns> FROM ... ORDER BY <input order>``
    select: str
    payload: str


def _bind_converters(
    session: Session, columns: Mapping[str, Column[Any]]
) -> dict[str, Callable[[Any], Any] | None]:
    """Per column, what SQLAlchemy would do to a value on the way in (looked up once per call).

    JSON columns become JSON text as the engine writes it; the others get their
    type's own bind conversion (the fixed-width naive UTC text of
    :class:`UtcDateTime` on SQLite, for one) or none.
    """
    dialect = session.get_bind().dialect
    converters: dict[str, Callable[[Any], Any] | None] = {}
    for name, column in columns.items():
        if isinstance(column.type, JSON):
            converters[name] = _json_text
        else:
            converters[name] = column.type.dialect_impl(dialect).bind_processor(dialect)
    return converters


def _recordset(
    session: Session, columns: Mapping[str, Column[Any]], rows: Sequence[Mapping[str, Any]]
) -> _Recordset:
    dialect = session.get_bind().dialect
    json_columns = {name for name, column in columns.items() if isinstance(column.type, JSON)}
    # Looked up once, not per value: the lookup was a tenth of a bulk insert's time.
    converters = _bind_converters(session, columns)
    payload = []
    for n, row in enumerate(rows):
        item: dict[str, Any] = {"n": n}
        for name, value in row.items():
            if name in json_columns:
                item[name] = _json_text(value)  # JSON text, as the JSON columns store it
            elif isinstance(value, datetime):
                # The column type's own conversion: timestamptz text on PostgreSQL,
                # the fixed-width naive UTC text SQLAlchemy stores on SQLite.
                processor = converters[name]
                converted = processor(value) if processor else value
                item[name] = converted.isoformat() if isinstance(converted, datetime) else converted
            else:
                item[name] = value
        payload.append(item)
    if dialect.name == "postgresql":
        definition = ", ".join(f"{name} {_pg_type(column)}" for name, column in columns.items())
        expressions = [
            f"CAST(u.{name} AS json) AS {name}" if name in json_columns else f"u.{name}"
            for name in columns
        ]
        select = (
            f"SELECT {', '.join(expressions)} "
            f"FROM json_to_recordset(CAST(:rows AS json)) AS u({definition}, n bigint) "
            "ORDER BY u.n"
        )
    else:
        expressions = [f"json_extract(u.value, '$.{name}') AS {name}" for name in columns]
        select = f"SELECT {', '.join(expressions)} FROM json_each(:rows) AS u ORDER BY u.key"
    return _Recordset(select, json_dumps(payload))


def _is_datetime(column: Column[Any]) -> bool:
    """A timestamp column, also behind a ``TypeDecorator`` (whose ``python_type`` is ``object``)."""
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    try:
        return column_type.python_type is datetime
    except NotImplementedError:
        return False


def _memoized(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A conversion remembered per value: a batch's rows share one timestamp.

    Converting the same ``now`` again for every row (UTC, then SQLite's
    datetime text) was a twentieth of an import's CPU time.
    """
    return functools.lru_cache(maxsize=256)(convert)


def _bound_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and each row's values as the driver receives them.

    Values get the conversions SQLAlchemy would apply (:func:`_bind_converters`);
    a batch's shared timestamp is converted once.
    """
    names = list(rows[0])
    converters = _bind_converters(session, {n: table.c[n] for n in names})
    # Only the columns with a conversion are touched value by value; the row's
    # values are taken in one C call (this runs for three rows per imported record).
    converted = [
        (i, _memoized(convert) if _is_datetime(table.c[name]) else convert)
        for i, (name, convert) in enumerate(converters.items())
        if convert is not None
    ]
    take = operator.itemgetter(*names)  # one name: the bare value, so wrap it
    one = len(names) == 1
    plain = [(take(row),) if one else take(row) for row in rows]
    if not converted:
        return names, plain
    values: list[tuple[Any, ...]] = []
    for row_values in plain:
        out = list(row_values)
        for i, convert in converted:
            value = out[i]
            if value is not None:
                out[i] = convert(value)
        values.append(tuple(out))
    return names, values


def _sqlite_insert_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows on SQLite with the driver's ``executemany``, in input order.

    SQLite runs in-process, so one prepared ``INSERT`` stepped per row costs a
    few microseconds in C; the JSON recordset (encode, then ``json_each`` and
    ``json_extract`` per column) cost about three times that for new records.
    """
    names, values = _bound_rows(session, table, rows)
    placeholders = ", ".join("?" for _ in names)
    session.connection().exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})", values
    )


def _postgres_copy(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows on PostgreSQL with ``COPY ... FROM STDIN``, in input order.

    COPY streams rows to the server with no statement to parse or plan and no
    JSON to unpack: with it instead of the JSON recordset, 1,000,000 reports
    imported in 182 s instead of 195 s (``bench_service.py``). JSON columns
    go as JSON text, which the ``json`` type's input reads as a cast from
    text does (a ``\\u0000`` escape included).
    """
    names, values = _bound_rows(session, table, rows)
    connection = session.connection()
    driver = connection.connection.driver_connection
    assert driver is not None
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    dbapi = connection.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
    except dbapi.Error as exc:
        # The driver's own error, raised past SQLAlchemy: wrap it as SQLAlchemy
        # would (IntegrityError for a duplicate key, so callers can answer 409;
        # a lost connection invalidated, so the pool does not hand it out again).
        lost = connection.dialect.is_disconnect(exc, connection.connection, None)
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            statement, None, exc, dbapi.Error, connection_invalidated=lost
        ) from exc


def _next_ids(session: Session, column: Column[Any], count: int) -> list[int]:
    """``count`` fresh integer keys after the largest one stored (SQLite: one writer at a time).

    What SQLite itself gives an ``INTEGER PRIMARY KEY`` inserted without one;
    taking them explicitly lets the insert go through ``executemany``, which
    has no ``RETURNING``. A concurrent writer taking the same key makes the
    insert fail on the primary key, never a silent clash.
    """
    top = int(session.execute(select(func.coalesce(func.max(column), 0))).scalar_one())
    return list(range(top + 1, top + 1 + count))


def _insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (all with the same keys) in input order, so identities (the change
    ``seq``) follow it: ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""
    if _dialect(session) == "sqlite":
        _sqlite_insert_many(session, table, rows)
    else:
        _postgres_copy(session, table, rows)


def _sequence_ids(session: Session, table: Table, key: str, count: int) -> list[int]:
    """``count`` fresh keys from the column's own identity sequence (safe with concurrent
    writers), so that rows can go in by COPY, which has no ``RETURNING``."""
    return sorted(
        session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, :column)) "
                "FROM generate_series(1, :n)"
            ),
            {"table": table.name, "column": key, "n": count},
        ).scalars()
    )


def _insert_with_ids(
    session: Session, table: Table, key: str, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert rows and return their new integer keys (column ``key``) in input order."""
    if _dialect(session) == "sqlite":
        ids = _next_ids(session, table.c[key], len(rows))
    else:
        ids = _sequence_ids(session, table, key, len(rows))
    _insert_rows(session, table, [{key: i, **row} for i, row in zip(ids, rows, strict=True)])
    return ids


def _insert_records(session: Session, new: Sequence[_Prepared], now: datetime) -> list[int]:
    """Insert new records (version 1, open); their primary keys in input order."""
    rows = [
        {
            "kind": item.kind.value,
            "record_id": item.id,
            "version": 1,
            "status": RecordStatus.OPEN.value,
            "fields": item.fields_json,
            "extra": item.extra_json,
            "state_code": item.state_code,
            "district_code": item.district_code,
            "created_at": now,
            "updated_at": now,
        }
        for item in new
    ]
    return _insert_with_ids(session, _records, "pk", rows)


def _update_records(session: Session, updates: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Apply content updates guarded by the version each was read at; rows updated."""
    names = ["pk", "seen", "version", "fields", "extra", "state_code", "district_code"]
    columns = {name: _records.c["version" if name == "seen" else name] for name in names}
    recordset = _recordset(
        session, columns, [{name: row[f"b_{name}"] for name in names} for row in updates]
    )
    sql = (
        "UPDATE records AS r SET version = v.version, fields = v.fields, extra = v.extra, "
        "state_code = v.state_code, district_code = v.district_code, "
        "updated_at = :now, deleted_at = NULL "
        f"FROM ({recordset.select}) AS v WHERE r.pk = v.pk AND r.version = v.seen"
    )
    statement = text(sql).bindparams(bindparam("now", type_=UtcDateTime()))
    return _rowcount(session.execute(statement, {"rows": recordset.payload, "now": now}))


def _record_row(
    session: Session, kind: RecordKind, record_id: str, *, for_update: bool = False
) -> RecordRow | None:
    statement = (
        select(RecordRow)
        .where(RecordRow.kind == RecordKind(kind).value, RecordRow.record_id == record_id)
        .execution_options(populate_existing=True)
    )
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def get_record(
    session: Session, kind: RecordKind, record_id: str, *, include_deleted: bool = False
) -> StoredRecord:
    """The record with this id; :class:`~matcher.errors.NotFound` if absent or deleted."""
    row = _record_row(session, kind, record_id)
    if row is None or (row.deleted_at is not None and not include_deleted):
        raise NotFound(f"no {RecordKind(kind)} record with id {record_id!r}")
    return _stored(row)


def get_records(
    session: Session, kind: RecordKind, record_ids: Collection[str]
) -> dict[str, StoredRecord]:
    """The live records among ``record_ids`` (absent and deleted ones are left out)."""
    found: dict[str, StoredRecord] = {}
    ids = list(dict.fromkeys(record_ids))
    for start in range(0, len(ids), BULK_CHUNK):
        rows = session.scalars(
            select(RecordRow)
            .where(
                RecordRow.kind == RecordKind(kind).value,
                _one_of(session, RecordRow.record_id, ids[start : start + BULK_CHUNK]),
                RecordRow.deleted_at.is_(None),
            )
            .execution_options(populate_existing=True)
        )
        for row in rows:
            found[row.record_id] = _stored(row)
    return found


def iter_records(
    session: Session,
    kind: RecordKind | None = None,
    *,
    include_deleted: bool = False,
    batch_size: int = 2000,
) -> Iterator[StoredRecord]:
    """Every record (of one kind), in creation order, fetched in pages (for index builds)."""
    after = 0
    while True:
        statement = (
            select(RecordRow)
            .where(RecordRow.pk > after)
            .order_by(RecordRow.pk)
            .limit(batch_size)
            .execution_options(populate_existing=True)
        )
        if kind is not None:
            statement = statement.where(RecordRow.kind == RecordKind(kind).value)
        if not include_deleted:
            statement = statement.where(RecordRow.deleted_at.is_(None))
        rows = list(session.scalars(statement))
        if not rows:
            return
        for row in rows:
            yield _stored(row)
        after = rows[-1].pk
        # Drop the loaded rows from the identity map: an index build reads a million of them.
        for row in rows:
            session.expunge(row)


@dataclass(frozen=True, slots=True)
class RecordState:
    """What a worker's catch-up needs to know of a live record: its version and status."""

    version: int
    status: RecordStatus


def record_states(
    session: Session, kind: RecordKind, record_ids: Collection[str]
) -> dict[str, RecordState]:
    """Version and status of the live records among ``record_ids`` (two columns, no content).

    Catch-up reads this first and loads the full text only of records it does
    not already hold normalized (:func:`get_records`): reading a thousand
    whole records to learn their versions was a fifth of an import's time.
    """
    found: dict[str, RecordState] = {}
    ids = list(dict.fromkeys(record_ids))
    for start in range(0, len(ids), BULK_CHUNK):
        rows = session.execute(
            select(_records.c.record_id, _records.c.version, _records.c.status).where(
                _records.c.kind == RecordKind(kind).value,
                _one_of(session, _records.c.record_id, ids[start : start + BULK_CHUNK]),
                _records.c.deleted_at.is_(None),
            )
        )
        for record_id, version, status in rows:
            found[record_id] = RecordState(int(version), RecordStatus(status))
    return found


def iter_open_raw(
    session: Session, *, batch_size: int = 5000
) -> Iterator[tuple[list[RawRecord], int]]:
    """Every open, live record in the exchange format, in pages, with the page's last ``pk``.

    For building the in-memory indexes at start-up: only the columns a
    record's text needs, read as plain rows (no ORM objects, no identity
    map), one page of ``batch_size`` at a time so memory holds one page.
    Each record's fields are complete (``""`` when empty), as
    :meth:`StoredRecord.raw` gives them.
    """
    after = 0
    kinds = {kind.value: kind for kind in RecordKind}
    while True:
        rows = session.execute(
            select(
                _records.c.pk,
                _records.c.kind,
                _records.c.record_id,
                _records.c.fields,
                _records.c.extra,
            )
            .where(
                _records.c.pk > after,
                _records.c.status == RecordStatus.OPEN.value,
                _records.c.deleted_at.is_(None),
            )
            .order_by(_records.c.pk)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        page: list[RawRecord] = []
        for _, kind_text, record_id, fields, extra in rows:
            page.append(_complete_record(kinds[kind_text], record_id, fields, extra))
        after = int(rows[-1][0])
        yield page, after


def list_records(
    session: Session,
    kind: RecordKind,
    *,
    state_codes: Collection[str] | None = None,
    district_codes: Collection[str] | None = None,
    status: RecordStatus | None = None,
    updated_since: datetime | None = None,
    include_deleted: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[StoredRecord], int]:
    """A page of records of one kind, oldest change first, and the total matching the filters.

    Jurisdiction works as in :func:`list_review_items`: with ``state_codes``
    and/or ``district_codes`` given, a record is listed if its state code or
    its district code is among them (``None`` = no restriction, an empty
    collection = matches nothing). ``updated_since`` is inclusive, so a client
    polling with the last ``updated_at`` it saw misses nothing (it may see
    that record again).
    """
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    conditions: list[ColumnElement[bool]] = [RecordRow.kind == RecordKind(kind).value]
    places: list[ColumnElement[bool]] = []
    if state_codes is not None:
        places.append(RecordRow.state_code.in_(list(state_codes)))
    if district_codes is not None:
        places.append(RecordRow.district_code.in_(list(district_codes)))
    if places:
        conditions.append(or_(*places))
    if status is not None:
        conditions.append(RecordRow.status == RecordStatus(status).value)
    if updated_since is not None:
        conditions.append(RecordRow.updated_at >= _now(updated_since))
    if not include_deleted:
        conditions.append(RecordRow.deleted_at.is_(None))
    where = and_(*conditions)
    total = int(
        session.execute(select(func.count()).select_from(RecordRow).where(where)).scalar_one()
    )
    rows = session.scalars(
        select(RecordRow)
        .where(where)
        .order_by(RecordRow.updated_at, RecordRow.pk)
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return [_stored(row) for row in rows], total


def count_records(
    session: Session, kind: RecordKind | None = None, *, include_deleted: bool = False
) -> int:
    statement = select(func.count()).select_from(RecordRow)
    if kind is not None:
        statement = statement.where(RecordRow.kind == RecordKind(kind).value)
    if not include_deleted:
        statement = statement.where(RecordRow.deleted_at.is_(None))
    return int(session.execute(statement).scalar_one())


def delete_record(
    session: Session,
    kind: RecordKind,
    record_id: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> StoredRecord:
    """Soft-delete a record: set ``deleted_at``, bump the version, write history, change, audit.

    Its open review items (pending or unsure) are superseded, so they leave the
    queue; decided items stay as history. Deleting a deleted record changes nothing.
    """
    _check_actor(actor)
    at = _now(now)
    kind = RecordKind(kind)
    _lock_changes(session)
    row = _record_row(session, kind, record_id, for_update=True)
    if row is None:
        raise NotFound(f"no {kind} record with id {record_id!r}")
    if row.deleted_at is not None:
        return _stored(row)
    version = row.version + 1
    done = session.execute(
        update(_records)
        .where(_records.c.pk == row.pk, _records.c.version == row.version)
        .values(version=version, deleted_at=at, updated_at=at)
    )
    if _rowcount(done) != 1:
        raise Conflict(f"{kind} record {record_id!r} was changed concurrently; retry")
    stored = {
        "fields": row.fields,
        "extra": row.extra,
        "state_code": row.state_code,
        "district_code": row.district_code,
    }
    session.execute(
        insert(_versions),
        [
            _version_row(
                row.pk, version, HistoryAction.DELETE, row.status, None, stored, True, actor, at
            )
        ],
    )
    session.execute(
        insert(_changes), [_change_row(kind.value, record_id, ChangeOp.DELETE, version, at)]
    )
    side = ReviewItemRow.found_pk if kind is RecordKind.FOUND else ReviewItemRow.missing_pk
    superseded = session.execute(
        update(ReviewItemRow)
        .where(
            side == row.pk,
            ReviewItemRow.superseded_at.is_(None),
            ReviewItemRow.status.in_([s.value for s in OPEN_REVIEW_STATUSES]),
        )
        .values(superseded_at=at, updated_at=at, version=ReviewItemRow.version + 1)
        .execution_options(synchronize_session=False)
    )
    audit(
        session,
        actor=actor,
        action="record.delete",
        target_kind=kind.value,
        target_id=record_id,
        detail={"version": version, "superseded_review_items": _rowcount(superseded)},
        now=at,
    )
    return get_record(session, kind, record_id, include_deleted=True)


def record_history(session: Session, kind: RecordKind, record_id: str) -> list[RecordVersion]:
    """Every version of a record, oldest first (deleted records included)."""
    kind = RecordKind(kind)
    row = _record_row(session, kind, record_id)
    if row is None:
        raise NotFound(f"no {kind} record with id {record_id!r}")
    versions = session.scalars(
        select(RecordVersionRow)
        .where(RecordVersionRow.record_pk == row.pk)
        .order_by(RecordVersionRow.version)
        .execution_options(populate_existing=True)
    )
    return [
        RecordVersion(
            kind=kind,
            id=record_id,
            version=v.version,
            action=HistoryAction(v.action),
            status=RecordStatus(v.status),
            fields=MappingProxyType(dict(v.fields)),
            extra=MappingProxyType(dict(v.extra)),
            state_code=v.state_code,
            district_code=v.district_code,
            deleted=v.deleted,
            actor=v.actor,
            at=v.at,
        )
        for v in versions
    ]


def _set_record_status(
    session: Session, row: RecordRow, status: RecordStatus, actor: Actor, now: datetime
) -> None:
    """Close a record after a confirmed match (history row and change entry; caller locked)."""
    if row.status == status.value:
        return
    version = row.version + 1
    done = session.execute(
        update(_records)
        .where(_records.c.pk == row.pk, _records.c.version == row.version)
        .values(status=status.value, version=version, updated_at=now)
    )
    if _rowcount(done) != 1:
        raise Conflict(f"{row.kind} record {row.record_id!r} was changed concurrently; retry")
    stored = {
        "fields": row.fields,
        "extra": row.extra,
        "state_code": row.state_code,
        "district_code": row.district_code,
    }
    session.execute(
        insert(_versions),
        [
            _version_row(
                row.pk,
                version,
                HistoryAction.STATUS,
                status.value,
                None,
                stored,
                row.deleted_at is not None,
                actor,
                now,
            )
        ],
    )
    session.execute(
        insert(_changes), [_change_row(row.kind, row.record_id, ChangeOp.UPDATE, version, now)]
    )


# ---------------------------------------------------------------------------
# Change sequence


def _changes_after(session: Session, columns: Iterable[Any], seq: int, limit: int) -> Any:
    """The rows of ``columns`` for the changes after ``seq``, oldest first, at most ``limit``."""
    if limit < 1:
        raise ValueError("limit must be positive")
    return session.execute(
        select(*columns).where(_changes.c.seq > seq).order_by(_changes.c.seq).limit(limit)
    )


def changes_since(session: Session, seq: int, limit: int = 1000) -> list[Change]:
    """Changes after ``seq``, oldest first; pass the last one's ``seq`` next time."""
    rows = _changes_after(session, _changes.c, seq, limit)
    return [
        Change(
            seq=row.seq,
            kind=RecordKind(row.kind),
            record_id=row.record_id,
            op=ChangeOp(row.op),
            version=row.version,
            at=row.at,
        )
        for row in rows
    ]


class ChangedRecord(NamedTuple):
    """What a worker's catch-up needs of a change: which record, at which version."""

    seq: int
    kind: RecordKind
    record_id: str
    version: int


def changed_since(session: Session, seq: int, limit: int = 1000) -> list[ChangedRecord]:
    """The changes after ``seq`` as :class:`ChangedRecord`, oldest first.

    What catch-up needs of :func:`changes_since`, read as four plain columns:
    after a 1,000,000-row import a worker reads a million changes, and
    decoding each one's timestamp and operation into a :class:`Change` was 4%
    of the import's time.
    """
    columns = (_changes.c.seq, _changes.c.kind, _changes.c.record_id, _changes.c.version)
    rows = _changes_after(session, columns, seq, limit)
    kinds = {kind.value: kind for kind in RecordKind}
    return [
        ChangedRecord(change_seq, kinds[kind], record_id, version)
        for change_seq, kind, record_id, version in rows
    ]


def max_change_seq(session: Session) -> int:
    """The newest change's ``seq`` (0 when there is none): a worker's starting point."""
    return int(session.execute(select(func.coalesce(func.max(_changes.c.seq), 0))).scalar_one())


# ---------------------------------------------------------------------------
# Review queue


def _review_item(row: ReviewItemRow) -> ReviewItem:
    return ReviewItem(
        id=row.id,
        found_id=row.found_id,
        missing_id=row.missing_id,
        score=row.score,
        match_weight=row.match_weight,
        decision=LinkDecision(row.decision),
        explanation=row.explanation,
        model_version=row.model_version,
        found_version=row.found_version,
        missing_version=row.missing_version,
        status=ReviewStatus(row.status),
        jurisdiction=PairJurisdiction(
            found_state=row.found_state,
            found_district=row.found_district,
            found_home_state=row.found_home_state,
            found_home_district=row.found_home_district,
            missing_state=row.missing_state,
            missing_district=row.missing_district,
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        note=row.note,
        superseded_at=row.superseded_at,
        superseded_by_id=row.superseded_by_id,
        version=row.version,
    )


def _item_row(session: Session, item_id: int, *, for_update: bool = False) -> ReviewItemRow | None:
    statement = (
        select(ReviewItemRow)
        .where(ReviewItemRow.id == item_id)
        .execution_options(populate_existing=True)
    )
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def _current_pair_row(session: Session, found_pk: int, missing_pk: int) -> ReviewItemRow | None:
    return session.scalars(
        select(ReviewItemRow)
        .where(
            ReviewItemRow.found_pk == found_pk,
            ReviewItemRow.missing_pk == missing_pk,
            ReviewItemRow.superseded_at.is_(None),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def get_review_item(session: Session, item_id: int) -> ReviewItem:
    row = _item_row(session, item_id)
    if row is None:
        raise NotFound(f"no review item {item_id}")
    return _review_item(row)


def _insert_ignoring_conflict(session: Session, values: Mapping[str, Any]) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING``: a concurrent proposer may insert the pair first."""
    if _dialect(session) == "postgresql":
        return postgresql_insert(ReviewItemRow).values(**values).on_conflict_do_nothing()
    return sqlite_insert(ReviewItemRow).values(**values).on_conflict_do_nothing()


def propose_pair(
    session: Session,
    found_id: str,
    missing_id: str,
    *,
    score: float,
    match_weight: float,
    decision: LinkDecision | str,
    explanation: Mapping[str, Any],
    model_version: str,
    found_version: int | None = None,
    missing_version: int | None = None,
    jurisdiction: PairJurisdiction | None = None,
    now: datetime | None = None,
) -> ProposeResult:
    """Put a scored pair in the review queue, following the pair's history.

    - no current item: a new ``pending`` item;
    - ``pending`` / ``unsure``: refresh score, explanation, versions (status kept);
    - ``rejected`` for the same record versions: nothing (a rejection stands
      until a record changes); for other versions: the old item is superseded
      and kept as history, and a new ``pending`` item is created;
    - ``confirmed``: nothing.

    ``found_version`` / ``missing_version`` are the record versions that were
    scored (default: the current ones). ``jurisdiction`` defaults to the
    records' own codes (found record → ``found_*``, missing → ``missing_*``).
    Raises :class:`~matcher.errors.NotFound` if a record is absent or deleted;
    skips the pair if either record is already closed (traced / reunited).
    """
    if not (math.isfinite(score) and 0.0 <= score <= 1.0):
        raise ValueError(f"score must be a probability in [0, 1], got {score!r}")
    if not math.isfinite(match_weight):
        raise ValueError(f"match_weight must be finite, got {match_weight!r}")
    link_decision = LinkDecision(decision)
    if not model_version or len(model_version) > 64:
        raise ValueError("model_version must be 1 to 64 characters")
    at = _now(now)
    found = _record_row(session, RecordKind.FOUND, found_id)
    missing = _record_row(session, RecordKind.MISSING, missing_id)
    for kind, record_id, row in (
        (RecordKind.FOUND, found_id, found),
        (RecordKind.MISSING, missing_id, missing),
    ):
        if row is None or row.deleted_at is not None:
            raise NotFound(f"no {kind} record with id {record_id!r}")
    assert found is not None and missing is not None
    places = jurisdiction or PairJurisdiction(
        found_state=found.state_code,
        found_district=found.district_code,
        missing_state=missing.state_code,
        missing_district=missing.district_code,
    )
    values: dict[str, Any] = {
        "score": float(score),
        "match_weight": float(match_weight),
        "decision": link_decision.value,
        "explanation": dict(explanation),
        "model_version": model_version,
        "found_version": found.version if found_version is None else found_version,
        "missing_version": missing.version if missing_version is None else missing_version,
        "found_state": _check_code(places.found_state, "found_state"),
        "found_district": _check_code(places.found_district, "found_district"),
        "found_home_state": _check_code(places.found_home_state, "found_home_state"),
        "found_home_district": _check_code(places.found_home_district, "found_home_district"),
        "missing_state": _check_code(places.missing_state, "missing_state"),
        "missing_district": _check_code(places.missing_district, "missing_district"),
    }

    current = _current_pair_row(session, found.pk, missing.pk)
    if found.status != RecordStatus.OPEN or missing.status != RecordStatus.OPEN:
        return ProposeResult(
            ProposeOutcome.SKIPPED, None if current is None else _review_item(current)
        )

    new_item = {
        **values,
        "found_pk": found.pk,
        "missing_pk": missing.pk,
        "found_id": found_id,
        "missing_id": missing_id,
        "status": ReviewStatus.PENDING.value,
        "created_at": at,
        "updated_at": at,
        "version": 1,
    }
    if current is None:
        inserted = session.execute(
            _insert_ignoring_conflict(session, new_item).returning(ReviewItemRow.id)
        ).scalar_one_or_none()
        if inserted is not None:
            return ProposeResult(ProposeOutcome.CREATED, get_review_item(session, inserted))
        # Lost the race to a concurrent proposer: carry on with its item.
        current = _current_pair_row(session, found.pk, missing.pk)
        assert current is not None

    status = ReviewStatus(current.status)
    if status is ReviewStatus.CONFIRMED:
        return ProposeResult(ProposeOutcome.SKIPPED, _review_item(current))
    if status is ReviewStatus.REJECTED:
        same_versions = (current.found_version, current.missing_version) == (
            values["found_version"],
            values["missing_version"],
        )
        if same_versions:
            return ProposeResult(ProposeOutcome.SKIPPED, _review_item(current))
        retired = session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.id == current.id, ReviewItemRow.version == current.version)
            .values(superseded_at=at, updated_at=at, version=current.version + 1)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(retired) != 1:
            raise Conflict(f"review item {current.id} changed concurrently; retry")
        new_id = session.execute(
            insert(ReviewItemRow).values(**new_item).returning(ReviewItemRow.id)
        ).scalar_one()
        session.execute(
            update(ReviewItemRow)
            .where(ReviewItemRow.id == current.id)
            .values(superseded_by_id=new_id)
            .execution_options(synchronize_session=False)
        )
        return ProposeResult(ProposeOutcome.CREATED, get_review_item(session, new_id))

    # pending or unsure: refresh in place.
    if all(getattr(current, name) == value for name, value in values.items()):
        return ProposeResult(ProposeOutcome.UNCHANGED, _review_item(current))
    refreshed = session.execute(
        update(ReviewItemRow)
        .where(ReviewItemRow.id == current.id, ReviewItemRow.version == current.version)
        .values(**values, updated_at=at, version=current.version + 1)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(refreshed) != 1:
        raise Conflict(f"review item {current.id} changed concurrently; retry")
    return ProposeResult(ProposeOutcome.UPDATED, get_review_item(session, current.id))


@dataclass(frozen=True, slots=True)
class PairProposal:
    """One scored pair for :func:`propose_pairs` (the arguments of :func:`propose_pair`)."""

    found_id: str
    missing_id: str
    score: float
    match_weight: float
    decision: LinkDecision
    explanation: Mapping[str, Any]
    model_version: str
    found_version: int | None = None
    missing_version: int | None = None
    jurisdiction: PairJurisdiction | None = None


def propose_pairs(
    session: Session, proposals: Sequence[PairProposal], *, now: datetime | None = None
) -> list[ProposeResult | None]:
    """:func:`propose_pair` for many pairs, with a few statements for the pairs that are new.

    Results come in input order; ``None`` where :func:`propose_pair` would
    raise :class:`~matcher.errors.NotFound` (a record absent or deleted). A
    pair with no item yet (the common case in an import: one of its records
    was created in this very transaction) becomes a ``pending`` item in one
    bulk insert; a pair that has an item goes through :func:`propose_pair`,
    which follows its history. One proposer per pair at a time is assumed, as
    an import batch holds each record once; a racing proposer of the same new
    pair makes the insert fail on the unique current-pair index (roll back and retry).
    """
    at = _now(now)
    for p in proposals:
        if not (math.isfinite(p.score) and 0.0 <= p.score <= 1.0):
            raise ValueError(f"score must be a probability in [0, 1], got {p.score!r}")
        if not math.isfinite(p.match_weight):
            raise ValueError(f"match_weight must be finite, got {p.match_weight!r}")
        if not p.model_version or len(p.model_version) > 64:
            raise ValueError("model_version must be 1 to 64 characters")
    rows: dict[RecordKind, dict[str, Any]] = {}
    for kind, ids in (
        (RecordKind.FOUND, [p.found_id for p in proposals]),
        (RecordKind.MISSING, [p.missing_id for p in proposals]),
    ):
        rows[kind] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), BULK_CHUNK):
            for row in session.execute(
                select(
                    _records.c.pk,
                    _records.c.record_id,
                    _records.c.version,
                    _records.c.status,
                    _records.c.state_code,
                    _records.c.district_code,
                ).where(
                    _records.c.kind == kind.value,
                    _one_of(session, _records.c.record_id, unique[start : start + BULK_CHUNK]),
                    _records.c.deleted_at.is_(None),
                )
            ):
                rows[kind][row.record_id] = row
    found_rows, missing_rows = rows[RecordKind.FOUND], rows[RecordKind.MISSING]
    live = [p for p in proposals if p.found_id in found_rows and p.missing_id in missing_rows]
    # Pairs that already have a current item follow their history one by one.
    existing: set[tuple[int, int]] = set()
    found_pks = list({found_rows[p.found_id].pk for p in live})
    missing_pks = list({missing_rows[p.missing_id].pk for p in live})
    for start in range(0, len(found_pks), BULK_CHUNK):
        chunk = found_pks[start : start + BULK_CHUNK]
        for m_start in range(0, len(missing_pks), BULK_CHUNK):
            existing.update(
                (int(f), int(m))
                for f, m in session.execute(
                    select(_review_items.c.found_pk, _review_items.c.missing_pk).where(
                        _one_of_ints(session, _review_items.c.found_pk, chunk),
                        _one_of_ints(
                            session,
                            _review_items.c.missing_pk,
                            missing_pks[m_start : m_start + BULK_CHUNK],
                        ),
                        _review_items.c.superseded_at.is_(None),
                    )
                )
            )
    results: dict[int, ProposeResult | None] = {}
    new_rows: list[dict[str, Any]] = []
    new_at: list[int] = []
    # A pair that has an item (or will, from this very call) follows its history one by one.
    one_by_one: list[int] = []
    for n, p in enumerate(proposals):
        found, missing = found_rows.get(p.found_id), missing_rows.get(p.missing_id)
        if found is None or missing is None:
            results[n] = None
            continue
        if (found.pk, missing.pk) in existing:
            one_by_one.append(n)
            continue
        if found.status != RecordStatus.OPEN or missing.status != RecordStatus.OPEN:
            results[n] = ProposeResult(ProposeOutcome.SKIPPED, None)
            continue
        places = p.jurisdiction or PairJurisdiction(
            found_state=found.state_code,
            found_district=found.district_code,
            missing_state=missing.state_code,
            missing_district=missing.district_code,
        )
        new_rows.append(
            {
                "found_pk": found.pk,
                "missing_pk": missing.pk,
                "found_id": p.found_id,
                "missing_id": p.missing_id,
                "score": float(p.score),
                "match_weight": float(p.match_weight),
                "decision": LinkDecision(p.decision).value,
                "explanation": dict(p.explanation),
                "model_version": p.model_version,
                "found_version": found.version if p.found_version is None else p.found_version,
                "missing_version": (
                    missing.version if p.missing_version is None else p.missing_version
                ),
                "status": ReviewStatus.PENDING.value,
                "found_state": _check_code(places.found_state, "found_state"),
                "found_district": _check_code(places.found_district, "found_district"),
                "found_home_state": _check_code(places.found_home_state, "found_home_state"),
                "found_home_district": _check_code(
                    places.found_home_district, "found_home_district"
                ),
                "missing_state": _check_code(places.missing_state, "missing_state"),
                "missing_district": _check_code(places.missing_district, "missing_district"),
                "created_at": at,
                "updated_at": at,
                "version": 1,
            }
        )
        new_at.append(n)
        existing.add((found.pk, missing.pk))  # the same pair again in this call: one by one
    if new_rows:
        item_ids = _insert_with_ids(session, _review_items, "id", new_rows)
        for n, item_id, values in zip(new_at, item_ids, new_rows, strict=True):
            results[n] = ProposeResult(ProposeOutcome.CREATED, _new_review_item(item_id, values))
    for n in one_by_one:
        p = proposals[n]
        results[n] = propose_pair(
            session,
            p.found_id,
            p.missing_id,
            score=p.score,
            match_weight=p.match_weight,
            decision=p.decision,
            explanation=p.explanation,
            model_version=p.model_version,
            found_version=p.found_version,
            missing_version=p.missing_version,
            jurisdiction=p.jurisdiction,
            now=at,
        )
    return [results[n] for n in range(len(proposals))]


def _new_review_item(item_id: int, row: Mapping[str, Any]) -> ReviewItem:
    """The item just inserted from ``row`` (what :func:`get_review_item` would read back)."""
    return ReviewItem(
        id=item_id,
        found_id=row["found_id"],
        missing_id=row["missing_id"],
        score=row["score"],
        match_weight=row["match_weight"],
        decision=LinkDecision(row["decision"]),
        explanation=row["explanation"],
        model_version=row["model_version"],
        found_version=row["found_version"],
        missing_version=row["missing_version"],
        status=ReviewStatus.PENDING,
        jurisdiction=PairJurisdiction(
            found_state=row["found_state"],
            found_district=row["found_district"],
            found_home_state=row["found_home_state"],
            found_home_district=row["found_home_district"],
            missing_state=row["missing_state"],
            missing_district=row["missing_district"],
        ),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        decided_at=None,
        decided_by=None,
        note=None,
        superseded_at=None,
        superseded_by_id=None,
        version=1,
    )


def list_review_items(
    session: Session,
    *,
    status: ReviewStatus | None = ReviewStatus.PENDING,
    state_codes: Collection[str] | None = None,
    district_codes: Collection[str] | None = None,
    min_score: float | None = None,
    max_score: float | None = None,
    older_than_days: float | None = None,
    found_id: str | None = None,
    missing_id: str | None = None,
    include_superseded: bool = False,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[ReviewItem], int]:
    """A page of review items, highest score first, and the total matching the filters.

    Jurisdiction: with ``state_codes`` and/or ``district_codes`` given, an item
    is listed if any of its six place codes is among them (``None`` = no
    restriction, an empty collection = matches nothing). Score bounds are
    inclusive; ``older_than_days`` keeps items created at least that long
    before ``now``. ``status=None`` lists every status.
    """
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    conditions: list[ColumnElement[bool]] = []
    if status is not None:
        conditions.append(ReviewItemRow.status == ReviewStatus(status).value)
    if not include_superseded:
        conditions.append(ReviewItemRow.superseded_at.is_(None))
    places: list[ColumnElement[bool]] = []
    if state_codes is not None:
        states = list(state_codes)
        places += [
            ReviewItemRow.found_state.in_(states),
            ReviewItemRow.found_home_state.in_(states),
            ReviewItemRow.missing_state.in_(states),
        ]
    if district_codes is not None:
        districts = list(district_codes)
        places += [
            ReviewItemRow.found_district.in_(districts),
            ReviewItemRow.found_home_district.in_(districts),
            ReviewItemRow.missing_district.in_(districts),
        ]
    if places:
        conditions.append(or_(*places))
    if min_score is not None:
        conditions.append(ReviewItemRow.score >= min_score)
    if max_score is not None:
        conditions.append(ReviewItemRow.score <= max_score)
    if older_than_days is not None:
        cutoff = _now(now) - timedelta(days=older_than_days)
        conditions.append(ReviewItemRow.created_at <= cutoff)
    if found_id is not None:
        conditions.append(ReviewItemRow.found_id == found_id)
    if missing_id is not None:
        conditions.append(ReviewItemRow.missing_id == missing_id)
    where = and_(true(), *conditions)
    total = int(
        session.execute(select(func.count()).select_from(ReviewItemRow).where(where)).scalar_one()
    )
    rows = session.scalars(
        select(ReviewItemRow)
        .where(where)
        .order_by(ReviewItemRow.score.desc(), ReviewItemRow.id)
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return [_review_item(row) for row in rows], total


def decide(
    session: Session,
    item_id: int,
    status: ReviewStatus,
    reviewer: Actor,
    note: str | None,
    expected_version: int,
    *,
    now: datetime | None = None,
) -> ReviewItem:
    """Record a caseworker's decision on a review item; exactly one of two racing deciders wins.

    ``expected_version`` is the item version the caseworker saw. Raises
    :class:`DecisionConflict` if the item was decided (``confirmed`` and
    ``rejected`` are final; ``unsure`` may be decided again), superseded or
    changed since; :class:`~matcher.errors.NotFound` if there is no such item.
    Confirming closes both records (missing → ``traced``, found →
    ``reunited``). Writes a decision history row and an audit entry.
    """
    _check_actor(reviewer)
    status = ReviewStatus(status)
    if status is ReviewStatus.PENDING:
        raise ValueError("a decision is confirmed, rejected or unsure, not pending")
    at = _now(now)
    if status is ReviewStatus.CONFIRMED:
        _lock_changes(session)  # closing the records appends changes; lock before any row
    before = _item_row(session, item_id)
    if before is None:
        raise NotFound(f"no review item {item_id}")
    if before.version != expected_version:
        current = _review_item(before)
        raise DecisionConflict(_conflict_message(current, expected_version), current)
    previous_status = before.status
    # The version and status conditions make this the race's referee: of two
    # deciders that both read version N, only the first UPDATE matches a row.
    won = session.execute(
        update(ReviewItemRow)
        .where(
            ReviewItemRow.id == item_id,
            ReviewItemRow.version == expected_version,
            ReviewItemRow.status == previous_status,
            ReviewItemRow.status.in_([s.value for s in OPEN_REVIEW_STATUSES]),
            ReviewItemRow.superseded_at.is_(None),
        )
        .values(
            status=status.value,
            decided_at=at,
            decided_by=reviewer.label,
            note=note,
            updated_at=at,
            version=ReviewItemRow.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if _rowcount(won) != 1:
        current = get_review_item(session, item_id)
        raise DecisionConflict(_conflict_message(current, expected_version), current)
    item = get_review_item(session, item_id)
    session.execute(
        insert(DecisionRow).values(
            item_id=item_id,
            status=status.value,
            previous_status=previous_status,
            item_version=item.version,
            decided_by=reviewer.label,
            note=note,
            decided_at=at,
        )
    )
    if status is ReviewStatus.CONFIRMED:
        for kind, record_id, closed in (
            (RecordKind.MISSING, item.missing_id, RecordStatus.TRACED),
            (RecordKind.FOUND, item.found_id, RecordStatus.REUNITED),
        ):
            row = _record_row(session, kind, record_id, for_update=True)
            assert row is not None  # review items reference records, which are never removed
            _set_record_status(session, row, closed, reviewer, at)
    audit(
        session,
        actor=reviewer,
        action="review.decide",
        target_kind="review_item",
        target_id=str(item_id),
        model_version=item.model_version,
        detail={
            "status": status.value,
            "previous_status": previous_status,
            "score": item.score,
            "decision": item.decision.value,
            "item_version": item.version,
        },
        now=at,
    )
    return item


def _conflict_message(current: ReviewItem, expected_version: int) -> str:
    if current.superseded_at is not None:
        return (
            f"review item {current.id} was superseded"
            + (f" by item {current.superseded_by_id}" if current.superseded_by_id else "")
            + " (a record changed or was deleted); reload the queue"
        )
    if current.status not in OPEN_REVIEW_STATUSES:
        return (
            f"review item {current.id} was already decided: {current.status} by "
            f"{current.decided_by} at {current.decided_at:%Y-%m-%d %H:%M UTC}"
            if current.decided_at
            else f"review item {current.id} was already decided: {current.status}"
        )
    return (
        f"review item {current.id} changed since it was loaded (now version "
        f"{current.version}, status {current.status}; you sent version {expected_version}); "
        "reload it and decide again"
    )


@dataclass(frozen=True, slots=True)
class DecidedPairs:
    """The distinct pairs decided one way, each record as it was when scored and decided."""

    pairs: list[tuple[RawRecord, RawRecord]]
    decisions: int
    """Review items with that decision."""
    records_gone: int
    """Distinct pairs left out because a record has since been deleted."""


def decided_pairs(session: Session, status: ReviewStatus) -> DecidedPairs:
    """Every distinct (found, missing) pair with ``status``, at the versions the item scored.

    A confirmed record is closed (a new version) and may be corrected after
    the reunification; the caseworker decided on the versions the review
    item carries, so those are what a refit must learn from. A pair whose
    record has since been deleted is left out (a deletion may be a request
    to forget the record). One query for the items, then the versions in
    chunks; nothing is loaded per record.
    """
    rows = session.execute(
        select(
            ReviewItemRow.id,
            ReviewItemRow.found_pk,
            ReviewItemRow.found_version,
            ReviewItemRow.missing_pk,
            ReviewItemRow.missing_version,
        )
        .where(ReviewItemRow.status == ReviewStatus(status).value)
        .order_by(ReviewItemRow.id)
    ).all()
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    for _, found_pk, found_version, missing_pk, missing_version in rows:
        latest[(found_pk, missing_pk)] = (found_version, missing_version)
    wanted = {(pk, v) for (f, m), (fv, mv) in latest.items() for pk, v in ((f, fv), (m, mv))}
    records: dict[tuple[int, int], RawRecord] = {}
    pks = sorted({pk for pk, _ in wanted})
    for start in range(0, len(pks), BULK_CHUNK):
        chunk = pks[start : start + BULK_CHUNK]
        result = session.execute(
            select(
                RecordVersionRow.record_pk,
                RecordVersionRow.version,
                RecordVersionRow.fields,
                RecordVersionRow.extra,
                RecordRow.kind,
                RecordRow.record_id,
            )
            .join(RecordRow, RecordRow.pk == RecordVersionRow.record_pk)
            .where(
                _one_of_ints(session, RecordVersionRow.record_pk, chunk),
                RecordRow.deleted_at.is_(None),
            )
        )
        for pk, version, fields, extra, kind, record_id in result:
            if (pk, version) in wanted:
                records[(pk, version)] = _complete_record(
                    RecordKind(kind), record_id, fields, extra
                )
    pairs = [
        (records[(f, fv)], records[(m, mv)])
        for (f, m), (fv, mv) in latest.items()
        if (f, fv) in records and (m, mv) in records
    ]
    return DecidedPairs(pairs=pairs, decisions=len(rows), records_gone=len(latest) - len(pairs))


def list_decisions(session: Session, item_id: int) -> list[DecisionEntry]:
    """The decisions taken on an item, oldest first."""
    rows = session.scalars(
        select(DecisionRow)
        .where(DecisionRow.item_id == item_id)
        .order_by(DecisionRow.id)
        .execution_options(populate_existing=True)
    )
    return [
        DecisionEntry(
            id=row.id,
            item_id=row.item_id,
            status=ReviewStatus(row.status),
            previous_status=ReviewStatus(row.previous_status),
            item_version=row.item_version,
            decided_by=row.decided_by,
            note=row.note,
            decided_at=row.decided_at,
        )
        for row in rows
    ]


def add_reunification_step(
    session: Session,
    item_id: int,
    step: str,
    note: str | None,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> ReunificationStep:
    """Log a step after a confirmed match (``family_contacted``, ``handed_over``, ...).

    ``step`` is a short lowercase code (letters, digits, ``_``, ``-``) because it
    goes into the audit log; free text, which may name people, belongs in ``note``.
    """
    _check_actor(actor)
    if not _STEP_RE.fullmatch(step):
        raise ValueError(
            f"step {step!r} is not a code like 'family_contacted' "
            "(lowercase letters, digits, '_' or '-', at most 64); put free text in note"
        )
    at = _now(now)
    item = get_review_item(session, item_id)
    if item.status is not ReviewStatus.CONFIRMED or item.superseded_at is not None:
        raise Conflict(
            f"review item {item_id} is {item.status}; reunification steps need a confirmed match"
        )
    step_id = session.execute(
        insert(ReunificationStepRow)
        .values(item_id=item_id, step=step, note=note, actor=actor.label, at=at)
        .returning(ReunificationStepRow.id)
    ).scalar_one()
    audit(
        session,
        actor=actor,
        action="reunification.step",
        target_kind="review_item",
        target_id=str(item_id),
        model_version=item.model_version,
        detail={"step": step},
        now=at,
    )
    return ReunificationStep(step_id, item_id, step, note, actor.label, at)


def list_reunification_steps(session: Session, item_id: int) -> list[ReunificationStep]:
    rows = session.scalars(
        select(ReunificationStepRow)
        .where(ReunificationStepRow.item_id == item_id)
        .order_by(ReunificationStepRow.id)
        .execution_options(populate_existing=True)
    )
    return [ReunificationStep(r.id, r.item_id, r.step, r.note, r.actor, r.at) for r in rows]


# ---------------------------------------------------------------------------
# Audit log (append-only: there is deliberately no update or delete here)


def _personal_keys(value: Any) -> set[str]:
    if isinstance(value, Mapping):
        found = {str(k) for k in value if str(k) in _PERSONAL_KEYS}
        for item in value.values():
            found |= _personal_keys(item)
        return found
    if isinstance(value, list | tuple):
        found = set()
        for item in value:
            found |= _personal_keys(item)
        return found
    return set()


def audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    target_kind: str | None = None,
    target_id: str | None = None,
    model_version: str | None = None,
    detail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append an audit entry. ``detail`` holds ids, counts and codes, never personal data.

    As a guard, details with keys such as ``name``, ``father_name``,
    ``guardian_phone``, ``note``, ``fields`` are refused with ``ValueError``.
    """
    if not action or len(action) > 64:
        raise ValueError("action must be 1 to 64 characters, e.g. 'records.import'")
    body = dict(detail or {})
    personal = _personal_keys(body)
    if personal:
        raise ValueError(
            f"audit detail must not carry personal data; refused keys: {sorted(personal)}"
        )
    at = _now(now)
    entry_id = session.execute(
        insert(AuditRow)
        .values(
            at=at,
            actor_key_id=actor.key_id,
            actor_role=actor.role,
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            model_version=model_version,
            detail=body,
        )
        .returning(AuditRow.id)
    ).scalar_one()
    return AuditEntry(
        entry_id, at, actor.key_id, actor.role, action, target_kind, target_id, model_version, body
    )


def list_audit(
    session: Session,
    *,
    action: str | None = None,
    target_kind: str | None = None,
    target_id: str | None = None,
    actor_key_id: int | None = None,
    since: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Audit entries, newest first; page with ``before_id`` = the last entry's id."""
    if limit < 1:
        raise ValueError("limit must be positive")
    statement = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if action is not None:
        statement = statement.where(AuditRow.action == action)
    if target_kind is not None:
        statement = statement.where(AuditRow.target_kind == target_kind)
    if target_id is not None:
        statement = statement.where(AuditRow.target_id == target_id)
    if actor_key_id is not None:
        statement = statement.where(AuditRow.actor_key_id == actor_key_id)
    if since is not None:
        statement = statement.where(AuditRow.at >= _now(since))
    if before_id is not None:
        statement = statement.where(AuditRow.id < before_id)
    rows = session.scalars(statement.execution_options(populate_existing=True))
    return [
        AuditEntry(
            r.id,
            r.at,
            r.actor_key_id,
            r.actor_role,
            r.action,
            r.target_kind,
            r.target_id,
            r.model_version,
            r.detail,
        )
        for r in rows
    ]


# ---------------------------------------------------------------------------
# API keys


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        role=Role(row.role),
        states=tuple(row.states),
        districts=tuple(row.districts),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def _key_row(session: Session, key_id: int) -> ApiKeyRow | None:
    return session.scalars(
        select(ApiKeyRow).where(ApiKeyRow.id == key_id).execution_options(populate_existing=True)
    ).one_or_none()


def create_api_key(
    session: Session,
    name: str,
    role: Role,
    states: Collection[str] = (),
    districts: Collection[str] = (),
    *,
    actor: Actor = SYSTEM,
    now: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Make a key; returns it and the plaintext ``mk_...`` key, which is stored nowhere.

    ``states`` / ``districts`` are the gazetteer codes whose review items the
    key may see (the API applies them; an admin usually has none and sees all).
    """
    role = Role(role)
    if not name.strip() or len(name) > 200:
        raise ValueError("key name must be 1 to 200 characters")
    state_list = [c for c in (_check_code(s, "state") for s in states) if c]
    district_list = [c for c in (_check_code(d, "district") for d in districts) if c]
    at = _now(now)
    plaintext = "mk_" + secrets.token_urlsafe(32)
    key_id = session.execute(
        insert(ApiKeyRow)
        .values(
            name=name,
            prefix=plaintext[:_KEY_PREFIX_LEN],
            key_hash=_hash_key(plaintext),
            role=role.value,
            states=state_list,
            districts=district_list,
            created_at=at,
        )
        .returning(ApiKeyRow.id)
    ).scalar_one()
    audit(
        session,
        actor=actor,
        action="api_key.create",
        target_kind="api_key",
        target_id=str(key_id),
        detail={
            "key_name": name,
            "role": role.value,
            "states": state_list,
            "districts": district_list,
        },
        now=at,
    )
    row = _key_row(session, key_id)
    assert row is not None
    return _api_key(row), plaintext


def authenticate(
    session: Session,
    key: str,
    *,
    now: datetime | None = None,
    touch_every: timedelta = timedelta(minutes=1),
) -> ApiKey | None:
    """The active key matching ``key``, or ``None``. Hashes are compared in constant time.

    Sets ``last_used_at`` when it is older than ``touch_every`` (a write the
    caller commits; throttled so read-only requests do not all write).
    """
    if not key.startswith("mk_") or len(key) > 200:
        return None
    digest = _hash_key(key)
    rows = session.scalars(
        select(ApiKeyRow)
        .where(ApiKeyRow.prefix == key[:_KEY_PREFIX_LEN], ApiKeyRow.revoked_at.is_(None))
        .execution_options(populate_existing=True)
    ).all()
    match: ApiKeyRow | None = None
    for row in rows:
        if hmac.compare_digest(row.key_hash, digest):
            match = row
    if match is None:
        return None
    at = _now(now)
    if match.last_used_at is None or at - match.last_used_at >= touch_every:
        session.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.id == match.id)
            .values(last_used_at=at)
            .execution_options(synchronize_session=False)
        )
        match = _key_row(session, match.id)
        assert match is not None
    return _api_key(match)


def revoke_api_key(
    session: Session, key_id: int, *, actor: Actor = SYSTEM, now: datetime | None = None
) -> ApiKey:
    """Revoke a key (it stops authenticating at once). Revoking twice changes nothing."""
    row = _key_row(session, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id}")
    if row.revoked_at is not None:
        return _api_key(row)
    at = _now(now)
    session.execute(
        update(ApiKeyRow)
        .where(ApiKeyRow.id == key_id)
        .values(revoked_at=at)
        .execution_options(synchronize_session=False)
    )
    audit(
        session,
        actor=actor,
        action="api_key.revoke",
        target_kind="api_key",
        target_id=str(key_id),
        detail={},
        now=at,
    )
    row = _key_row(session, key_id)
    assert row is not None
    return _api_key(row)


def get_api_key(session: Session, key_id: int) -> ApiKey:
    row = _key_row(session, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id}")
    return _api_key(row)


def list_api_keys(session: Session, *, include_revoked: bool = True) -> list[ApiKey]:
    statement = select(ApiKeyRow).order_by(ApiKeyRow.id)
    if not include_revoked:
        statement = statement.where(ApiKeyRow.revoked_at.is_(None))
    return [
        _api_key(r) for r in session.scalars(statement.execution_options(populate_existing=True))
    ]
