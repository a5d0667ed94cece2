"""Request and response bodies of the HTTP API (pydantic v2).

Naming: ``XCreate`` / ``XUpdate`` come in, ``XPublic`` goes out. Every
response is built from domain values (``StoredRecord``, ``ReviewItem``...),
never from ORM rows. Record bodies carry the exchange-format fields of
``shared/spec/records.md`` under their spec names; columns the spec does not
know travel in an explicit ``extra`` object, and any other unknown key is
refused with 422, so a typo (``fathers_name``) never disappears silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.records import RecordKind, fields_of
from matcher.storage import repository as repo

#: The longest value accepted in one field (the exchange reader's limit too).
MAX_FIELD_CHARS = 100_000
#: Extra columns accepted per record.
MAX_EXTRA_COLUMNS = 100

FieldText = Annotated[str | None, Field(default=None, max_length=MAX_FIELD_CHARS)]
RecordId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f\s](?:[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s])?$",
        description="The source system's id, unique within the kind (no padding, no control "
        "characters).",
        examples=["MP/KHA/2017/1490"],
    ),
]
Extra = Annotated[
    dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=MAX_FIELD_CHARS)]],
    Field(
        default_factory=dict,
        max_length=MAX_EXTRA_COLUMNS,
        description="Columns the exchange format does not define, kept with the record as "
        "text and never used for matching.",
        examples=[{"fir_number": "112/2017"}],
    ),
]

_MISSING_EXAMPLE: dict[str, Any] = {
    "name": "Radha",
    "aliases": "Sonu",
    "sex": "female",
    "age": "14 yrs",
    "father_name": "Suresh Patel",
    "village": "Fatehkhera",
    "police_station": "PS Salemkhera",
    "district": "Khargone",
    "state": "Madhya Pradesh",
    "languages": "Hindi",
    "height_cm": "150",
    "missing_date": "04/06/2017",
    "extra": {"fir_number": "112/2017"},
}
_FOUND_EXAMPLE: dict[str, Any] = {
    "name": "Radha Kumari",
    "sex": "F",
    "age": "approx 15",
    "father_name": "Suresh",
    "village": "Fatehkheda",
    "district": "Khargon",
    "state": "MP",
    "languages": "Hindi",
    "found_date": "2018-01-12",
    "found_district": "Bhopal",
    "found_state": "Madhya Pradesh",
    "care_institution": "Govt. Children Home, Bhopal",
}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class _CommonFields(_Body):
    """The fields both kinds of record carry, as text in the exchange format."""

    name: FieldText = None
    aliases: FieldText = None
    sex: FieldText = None
    age: FieldText = None
    birth_date: FieldText = None
    father_name: FieldText = None
    mother_name: FieldText = None
    guardian_name: FieldText = None
    guardian_phone: FieldText = None
    village: FieldText = None
    police_station: FieldText = None
    district: FieldText = None
    state: FieldText = None
    languages: FieldText = None
    marks: FieldText = None
    height_cm: FieldText = None
    extra: Extra

    def spec_fields(self, *, only_set: bool = False) -> dict[str, str]:
        """The spec fields as text (``None`` becomes ``""``); only those sent, if asked."""
        values = self.model_dump(exclude={"extra", "id", "kind"}, exclude_unset=only_set)
        return {name: "" if value is None else str(value) for name, value in values.items()}


class MissingFields(_CommonFields):
    """A missing report's fields (PUT replaces all of them, PATCH the ones sent)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MISSING_EXAMPLE]})
    missing_date: FieldText = None


class FoundFields(_CommonFields):
    """A found child's fields (PUT replaces all of them, PATCH the ones sent)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_FOUND_EXAMPLE]})
    found_date: FieldText = None
    found_district: FieldText = None
    found_state: FieldText = None
    operation: FieldText = None
    care_institution: FieldText = None


class MissingRecordCreate(MissingFields):
    """A new missing report."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "MP/KHA/2017/1490", **_MISSING_EXAMPLE}]}
    )
    id: RecordId


class FoundRecordCreate(FoundFields):
    """A new found child."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": "CWC/BPL/2018/0042", **_FOUND_EXAMPLE}]}
    )
    id: RecordId


class MissingQuery(MissingFields):
    """An ad-hoc missing report to match against the found children (nothing is stored)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "missing", **_MISSING_EXAMPLE}]}
    )
    kind: Literal["missing"]
    id: str = Field(default="query", max_length=200)


class FoundQuery(FoundFields):
    """An ad-hoc found child to match against the missing reports (nothing is stored)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "found", **_FOUND_EXAMPLE}]})
    kind: Literal["found"]
    id: str = Field(default="query", max_length=200)


MatchQuery = Annotated[FoundQuery | MissingQuery, Field(discriminator="kind")]

FIELDS_SCHEMA: dict[RecordKind, type[_CommonFields]] = {
    RecordKind.MISSING: MissingFields,
    RecordKind.FOUND: FoundFields,
}
assert all(
    set(schema.model_fields) - {"extra"} == set(fields_of(kind)[1:])
    for kind, schema in FIELDS_SCHEMA.items()
), "the record schemas must carry exactly the spec's fields"


# --- responses ---------------------------------------------------------------


class ErrorPublic(BaseModel):
    """Every error response: a message for people and a stable code for programs."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"error": "not_found", "detail": "no review item 7"}]}
    )
    error: str
    detail: Any


class FieldProblemPublic(BaseModel):
    """A field whose value could not be read (the record is stored; the field is not used)."""

    field: str
    reason: str


class RecordPublic(BaseModel):
    """A stored record: spec fields (non-empty ones), extra columns and bookkeeping."""

    kind: RecordKind
    id: str
    version: int
    status: repo.RecordStatus
    fields: dict[str, str]
    extra: dict[str, str]
    state_code: str | None = Field(description="Gazetteer code of the record's state")
    district_code: str | None = Field(description="Gazetteer code of the record's district")
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def of(cls, record: repo.StoredRecord) -> RecordPublic:
        return cls(
            kind=record.kind,
            id=record.id,
            version=record.version,
            status=record.status,
            fields=dict(record.fields),
            extra=dict(record.extra),
            state_code=record.state_code,
            district_code=record.district_code,
            created_at=record.created_at,
            updated_at=record.updated_at,
            deleted_at=record.deleted_at,
        )


class RecordWritten(BaseModel):
    """The outcome of a create or update, and the review items it proposed."""

    outcome: repo.UpsertOutcome
    record: RecordPublic
    review_items: list[int] = Field(
        description="Review items created or refreshed because of this write"
    )
    problems: list[FieldProblemPublic]


class RecordPage(BaseModel):
    items: list[RecordPublic]
    total: int
    limit: int
    offset: int


class RecordVersionPublic(BaseModel):
    version: int
    action: repo.HistoryAction
    status: repo.RecordStatus
    fields: dict[str, str]
    extra: dict[str, str]
    state_code: str | None
    district_code: str | None
    deleted: bool
    actor: str
    at: datetime


class ImportRowError(BaseModel):
    """One row that was not stored, and why."""

    row: int | None = Field(description="Line where the row starts (the CSV header is line 1)")
    record_id: str | None
    field: str | None
    reason: str


class ImportReport(BaseModel):
    """What an import did. With ``atomic`` and any error, nothing was stored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "missing",
                    "format": "csv",
                    "atomic": False,
                    "stored": True,
                    "rows": 3,
                    "created": 2,
                    "updated": 0,
                    "unchanged": 0,
                    "rejected": 1,
                    "review_items": 1,
                    "errors": [
                        {"row": 3, "record_id": None, "field": "id", "reason": "the id is empty"}
                    ],
                    "errors_truncated": False,
                }
            ]
        }
    )
    kind: RecordKind
    format: Literal["csv", "jsonl"]
    atomic: bool
    stored: bool = Field(description="False when an atomic import was refused")
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    review_items: int = Field(description="Review items created or refreshed by the import")
    errors: list[ImportRowError]
    errors_truncated: bool


class FieldExplanationPublic(BaseModel):
    """One comparison's part of a score (log2 Bayes factor, term frequency included)."""

    field: str
    level: str
    weight: float
    tf_adjustment: float
    detail: str


class CandidatePublic(BaseModel):
    rank: int
    found_id: str
    missing_id: str
    candidate_id: str = Field(description="The id of the record of the other kind")
    match_probability: float
    match_weight: float
    prior_weight: float
    decision: Literal["match", "review"] | None = Field(
        description="match / review by the thresholds; null below the review threshold"
    )
    explanation: list[FieldExplanationPublic]


class MatchPublic(BaseModel):
    model_version: str
    searched: RecordKind = Field(description="The kind of record searched")
    searched_count: int = Field(description="How many records of that kind were searchable")
    candidates: list[CandidatePublic]
    problems: list[FieldProblemPublic] = Field(description="Fields of the query that were unread")


class JurisdictionPublic(BaseModel):
    found_state: str | None
    found_district: str | None
    found_home_state: str | None
    found_home_district: str | None
    missing_state: str | None
    missing_district: str | None


class ReviewItemPublic(BaseModel):
    id: int
    found_id: str
    missing_id: str
    score: float = Field(description="match_probability when proposed or last refreshed")
    match_weight: float
    decision: repo.LinkDecision
    status: repo.ReviewStatus
    model_version: str
    found_version: int
    missing_version: int
    jurisdiction: JurisdictionPublic
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    note: str | None
    superseded: bool
    version: int = Field(description="Send back as expected_version when deciding")

    @classmethod
    def of(cls, item: repo.ReviewItem) -> ReviewItemPublic:
        j = item.jurisdiction
        return cls(
            id=item.id,
            found_id=item.found_id,
            missing_id=item.missing_id,
            score=item.score,
            match_weight=item.match_weight,
            decision=item.decision,
            status=item.status,
            model_version=item.model_version,
            found_version=item.found_version,
            missing_version=item.missing_version,
            jurisdiction=JurisdictionPublic(
                found_state=j.found_state,
                found_district=j.found_district,
                found_home_state=j.found_home_state,
                found_home_district=j.found_home_district,
                missing_state=j.missing_state,
                missing_district=j.missing_district,
            ),
            created_at=item.created_at,
            updated_at=item.updated_at,
            decided_at=item.decided_at,
            decided_by=item.decided_by,
            note=item.note,
            superseded=item.superseded_at is not None,
            version=item.version,
        )


class ReviewPage(BaseModel):
    items: list[ReviewItemPublic]
    total: int
    limit: int
    offset: int


class DecisionPublic(BaseModel):
    id: int
    status: repo.ReviewStatus
    previous_status: repo.ReviewStatus
    item_version: int
    decided_by: str
    note: str | None
    decided_at: datetime


class StepCreate(_Body):
    """A reunification step after a confirmed match."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"step": "family_contacted", "note": "father reached by phone"}]
        }
    )
    step: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
        description="A short code such as family_contacted, handed_over (it is audited)",
    )
    note: str | None = Field(default=None, max_length=4000)


class StepPublic(BaseModel):
    id: int
    item_id: int
    step: str
    note: str | None
    actor: str
    at: datetime


class ExplanationPublic(BaseModel):
    prior_weight: float | None
    fields: list[FieldExplanationPublic]


class ReviewItemDetail(BaseModel):
    """A review item with both records side by side and the score's explanation."""

    item: ReviewItemPublic
    explanation: ExplanationPublic
    found: RecordPublic
    missing: RecordPublic
    decisions: list[DecisionPublic]
    steps: list[StepPublic]


class DecisionCreate(_Body):
    """A caseworker's decision on a review item."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "confirmed", "note": "father identified photo", "expected_version": 1}
            ]
        }
    )
    status: Literal["confirmed", "rejected", "unsure"]
    note: str | None = Field(default=None, max_length=4000)
    expected_version: int = Field(
        ge=1, description="The item's version as loaded; a newer one means someone decided first"
    )


class DecisionConflictPublic(BaseModel):
    """409: someone else decided (or the item changed) first; ``current`` is the item now."""

    error: Literal["decision_conflict"] = "decision_conflict"
    detail: str
    current: ReviewItemPublic


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor_key_id: int | None
    actor_role: str
    action: str
    target_kind: str | None
    target_id: str | None
    model_version: str | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntryPublic]
    next_before_id: int | None = Field(description="Pass as before_id for the next (older) page")


class ApiKeyCreate(_Body):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "cwc-bhopal", "role": "caseworker", "states": [], "districts": ["IN-379"]}
            ]
        }
    )
    name: str = Field(min_length=1, max_length=200)
    role: repo.Role
    states: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list, description="Gazetteer state codes a caseworker may see"
    )
    districts: list[Annotated[str, Field(max_length=32)]] = Field(
        default_factory=list, description="Gazetteer district codes a caseworker may see"
    )


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it")
    role: repo.Role
    states: list[str]
    districts: list[str]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool

    @classmethod
    def of(cls, key: repo.ApiKey) -> ApiKeyPublic:
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            role=key.role,
            states=list(key.states),
            districts=list(key.districts),
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
            active=key.active,
        )


class ApiKeyCreated(BaseModel):
    """A new key. ``secret`` is shown this once and stored nowhere (only its hash)."""

    key: ApiKeyPublic
    secret: str


class HealthPublic(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyPublic(BaseModel):
    status: Literal["ready", "not_ready"]
    database: bool
    index_loaded: bool
    missing_indexed: int
    found_indexed: int
    change_seq: int
    model_version: str | None
