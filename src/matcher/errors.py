"""One exception tree for the whole library.

::

    MatcherError
    ├── InvalidFieldValue      a single field's text cannot be understood
    │                          (an impossible date, an age of 250)
    ├── RecordError            a record is unusable (no id, unknown kind);
    │                          names the source, row, record id and field
    ├── ExchangeError          a whole file cannot be read (encoding, header)
    ├── ModelError             a model file is missing, of another version or broken
    └── NotFound / Conflict    storage-level outcomes the service maps to HTTP

Domain errors carry no HTTP status: ``api/errors.py`` maps them in one place.
Messages never include a child's personal data beyond the record id and the
field name, because they end up in logs.
"""

from __future__ import annotations


class MatcherError(Exception):
    """Base of every error matcher raises on purpose."""


class InvalidFieldValue(MatcherError, ValueError):
    """A field's value cannot be parsed into anything trustworthy.

    Raised by ``parse_*`` functions for impossible values (31 February, an age
    of 250) rather than guessing; ``field`` may be filled in by the caller.
    """

    def __init__(self, reason: str, *, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class RecordError(MatcherError):
    """A record (one row of an import) that cannot be used as it stands."""

    def __init__(
        self,
        reason: str,
        *,
        source: str | None = None,
        row: int | None = None,
        record_id: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.source = source
        self.row = row
        self.record_id = record_id
        self.field = field

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.record_id:
            where.append(f"id {self.record_id!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason


class ExchangeError(MatcherError):
    """A whole import file cannot be read (undecodable, no header, no ``id`` column)."""


class ModelError(MatcherError):
    """A model file is missing, broken or written for another format version."""


class NotFound(MatcherError):
    """A record, review item or key that does not exist."""


class Conflict(MatcherError):
    """A write that lost a race or contradicts what is stored (e.g. a second decision)."""


class StoreError(MatcherError):
    """The database cannot be used as asked: unreachable, absent, or at another schema."""
