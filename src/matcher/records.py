"""Raw records in the exchange format of ``shared/spec/records.md``.

A :class:`RawRecord` is what arrived, as text, field by field, before any
normalization. Field names are fixed by the spec and never renamed; columns the
spec does not know are kept in ``extra`` and never used for matching.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class RecordKind(StrEnum):
    """The two sides of a match: a found child and a missing report."""

    FOUND = "found"
    MISSING = "missing"

    @property
    def other(self) -> RecordKind:
        return RecordKind.MISSING if self is RecordKind.FOUND else RecordKind.FOUND


class Sex(StrEnum):
    """Values of the ``sex`` field after normalization."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"


#: Fields both kinds carry, in the spec's order.
COMMON_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "aliases",
    "sex",
    "age",
    "birth_date",
    "father_name",
    "mother_name",
    "guardian_name",
    "guardian_phone",
    "village",
    "police_station",
    "district",
    "state",
    "languages",
    "marks",
    "height_cm",
)
MISSING_ONLY_FIELDS: tuple[str, ...] = ("missing_date",)
FOUND_ONLY_FIELDS: tuple[str, ...] = (
    "found_date",
    "found_district",
    "found_state",
    "operation",
    "care_institution",
)


def fields_of(kind: RecordKind) -> tuple[str, ...]:
    """The spec's field names for one kind of record, in the spec's order."""
    own = FOUND_ONLY_FIELDS if kind is RecordKind.FOUND else MISSING_ONLY_FIELDS
    return COMMON_FIELDS + own


_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as received: every spec field as text (``""`` when empty).

    ``fields`` holds exactly the spec fields of ``kind`` except ``id``;
    ``extra`` holds unknown columns, kept as-is.
    """

    kind: RecordKind
    id: str
    fields: Mapping[str, str]
    extra: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def get(self, name: str) -> str:
        """The text of a spec field, ``""`` when absent or empty."""
        return self.fields.get(name, "")

    def as_row(self) -> dict[str, str]:
        """The record as an exchange-format row (spec fields first, then extras)."""
        row = {"id": self.id}
        for name in fields_of(self.kind)[1:]:
            row[name] = self.fields.get(name, "")
        row.update(self.extra)
        return row


#: The spec fields of each kind as a set: built once, not for every row read.
_KNOWN: dict[RecordKind, frozenset[str]] = {kind: frozenset(fields_of(kind)) for kind in RecordKind}


def make_record(kind: RecordKind, row: Mapping[str, object]) -> RawRecord:
    """Build a :class:`RawRecord` from a mapping of column name to value.

    Values are turned into stripped text (``None`` becomes ``""``); spec fields
    of the other kind are kept in ``extra`` rather than dropped, because the
    spec says unknown columns are kept with the record.
    """
    known = _KNOWN[kind]
    fields: dict[str, str] = {}
    extra: dict[str, str] = {}
    record_id = ""
    for key, value in row.items():
        text = "" if value is None else str(value).strip()
        name = str(key).strip()
        if name == "id":
            record_id = text
        elif name in known:
            fields[name] = text
        else:
            extra[name] = text
    return RawRecord(
        kind=kind,
        id=record_id,
        fields=MappingProxyType(fields),
        extra=MappingProxyType(extra) if extra else _EMPTY,
    )
