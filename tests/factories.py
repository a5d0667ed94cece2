"""One tiny factory per record kind: ``found(name="Irfan", age="12")``."""

from __future__ import annotations

import itertools

from matcher.records import RawRecord, RecordKind, make_record

_ids = itertools.count(1)


def found(id: str | None = None, **fields: str) -> RawRecord:
    """A found-child record with the given fields (everything else empty)."""
    return make_record(RecordKind.FOUND, {"id": id or f"F-{next(_ids)}", **fields})


def missing(id: str | None = None, **fields: str) -> RawRecord:
    """A missing-child report with the given fields (everything else empty)."""
    return make_record(RecordKind.MISSING, {"id": id or f"M-{next(_ids)}", **fields})
