"""Reading and writing files in the exchange format (``shared/spec/records.md``).

Imports arrive as CSV or JSON lines from many systems: Excel exports in
Windows-1252 or UTF-16, files with a byte-order mark, ragged rows, quoted
newlines. Reading is streaming and row by row: a bad row becomes a
:class:`~matcher.errors.RecordError` naming the file, row, record id and field,
and the rows after it go on. Only a file that cannot be read at all (no ``id``
column, not text) raises :class:`~matcher.errors.ExchangeError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from matcher.errors import ExchangeError, RecordError
from matcher.records import RawRecord, RecordKind, fields_of, make_record

#: The largest cell we accept. A 10 MB "name" is an export gone wrong, not a name.
MAX_CELL_CHARS = 100_000
#: Longest record id we accept; ids are keys, not documents.
MAX_ID_CHARS = 200

FileFormat = Literal["csv", "jsonl"]

csv.field_size_limit(64 * 1024 * 1024)


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252, byte by byte.

    Excel on Windows writes CSV in Windows-1252; some files mix both (a UTF-8
    export later edited in Excel). Decoding per byte keeps streaming possible
    and never loses a row to one stray byte.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


codecs.register_error("matcher-cp1252", _cp1252_fallback)


def sniff_encoding(head: bytes) -> str:
    """Choose an encoding from the first bytes of a file.

    A BOM decides (UTF-8, UTF-16 LE/BE). UTF-16 without a BOM shows up as a
    NUL byte in every other position of ASCII text. Everything else is read
    as UTF-8 with a per-byte Windows-1252 fallback.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:200]
    if len(sample) >= 4:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_nuls > half * 0.6 and even_nuls == 0:
            return "utf-16-le"
        if even_nuls > half * 0.6 and odd_nuls == 0:
            return "utf-16-be"
    return "utf-8"


def open_text(raw: IO[bytes]) -> IO[str]:
    """Wrap a binary stream as text in the encoding :func:`sniff_encoding` chooses."""
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[type-var]
    head = buffered.peek(4096)[:4096]
    encoding = sniff_encoding(head)
    errors = "matcher-cp1252" if encoding == "utf-8" else "replace"
    return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline="")


def format_of(path: Path | str) -> FileFormat:
    """The file format from a file name: ``.jsonl``/``.ndjson``/``.json`` or CSV."""
    suffix = Path(str(path)).suffix.lower()
    return "jsonl" if suffix in {".jsonl", ".ndjson", ".json"} else "csv"


def _check_row(
    kind: RecordKind, row: Mapping[str, object], source: str, row_number: int
) -> RawRecord | RecordError:
    """Turn one row into a record, or the first reason it cannot be one."""
    record = make_record(kind, row)
    if not record.id:
        return RecordError("the id is empty", source=source, row=row_number, field="id")
    if len(record.id) > MAX_ID_CHARS:
        return RecordError(
            f"the id is longer than {MAX_ID_CHARS} characters",
            source=source,
            row=row_number,
            field="id",
        )
    longest = max(map(len, record.fields.values()), default=0)
    if record.extra:
        longest = max(longest, *map(len, record.extra.values()))
    if longest <= MAX_CELL_CHARS:  # the common case, checked in one pass in C
        return record
    for name, value in (*record.fields.items(), *record.extra.items()):
        if len(value) > MAX_CELL_CHARS:
            return RecordError(
                f"the value is longer than {MAX_CELL_CHARS:,} characters",
                source=source,
                row=row_number,
                record_id=record.id,
                field=name,
            )
    return record


def _clean_header(header: Sequence[str], kind: RecordKind) -> list[str]:
    """The header's names, a spec field written in capitals or with spaces as its spec name.

    Spreadsheets get their headers retyped: "Name", "Father Name", " SEX ".
    Read as written, those columns were unknown extra columns and the records
    arrived without a name or sex, silently. A name that is a spec field once
    lower-cased, with spaces and hyphens as underscores, is that field, unless
    the header also has the field as written.
    """
    names = [h.strip().lstrip("\ufeff").strip() for h in header]
    fields = set(fields_of(kind))
    present = set(names)
    spelled = []
    for name in names:
        field = "_".join(name.lower().replace("-", " ").split())
        use_field = name not in fields and field in fields and field not in present
        spelled.append(field if use_field else name)
    return spelled


def iter_csv(
    text: Iterable[str], kind: RecordKind, *, source: str = "<csv>"
) -> Iterator[RawRecord | RecordError]:
    """Records of one kind from CSV text, with a :class:`RecordError` for each bad row.

    Row numbers are the file's line numbers where the row starts (the header is
    line 1), so a caseworker can find the row in a spreadsheet.
    """
    lines = iter(text)
    first = next(lines, "")
    # Excel's "Unicode text" export is UTF-16 separated by tabs, not commas, and
    # in locales with a decimal comma its CSV is separated by semicolons: the
    # header line decides (the field names contain none of them).
    delimiter = max(("\t", ";", ","), key=lambda d: (first.count(d), d == ","))
    reader = csv.reader(itertools.chain([first] if first else [], lines), delimiter=delimiter)
    try:
        header = _clean_header(next(reader), kind)
    except StopIteration:
        raise ExchangeError(f"{source}: the file is empty") from None
    except csv.Error as exc:
        raise ExchangeError(f"{source}: the header cannot be read: {exc}") from None
    if "id" not in header:
        raise ExchangeError(
            f"{source}: there is no 'id' column; the header must use the field names of the "
            f"exchange format ({', '.join(fields_of(kind)[:5])}, ...)"
        )
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        raise ExchangeError(f"{source}: the header repeats column(s) {', '.join(duplicates)}")
    width = len(header)
    seen: set[str] = set()
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordError(f"the row cannot be read as CSV: {exc}", source=source, row=start)
            continue
        if not "".join(cells).strip():
            continue  # blank lines are common at the end of Excel exports
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            record_id = cells[header.index("id")].strip()
            yield RecordError(
                f"the row has {len(cells)} cells but the header has {width} columns",
                source=source,
                row=start,
                record_id=record_id or None,
            )
            continue
        row = dict(zip(header, cells, strict=False))  # a short row leaves fields empty
        row.pop("", None)
        result = _check_row(kind, row, source, start)
        if isinstance(result, RawRecord):
            if result.id in seen:
                yield RecordError(
                    "the id appears earlier in this file; the first row was kept",
                    source=source,
                    row=start,
                    record_id=result.id,
                    field="id",
                )
                continue
            seen.add(result.id)
        yield result


def iter_jsonl(
    text: Iterable[str], kind: RecordKind, *, source: str = "<jsonl>"
) -> Iterator[RawRecord | RecordError]:
    """Records of one kind from JSON lines (one object per line, the spec's keys)."""
    seen: set[str] = set()
    for number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RecordError(f"the line is not valid JSON: {exc.msg}", source=source, row=number)
            continue
        if not isinstance(obj, dict):
            yield RecordError("the line is not a JSON object", source=source, row=number)
            continue
        nested = [k for k, v in obj.items() if isinstance(v, dict | list)]
        if nested:
            yield RecordError(
                "values must be text, numbers or null",
                source=source,
                row=number,
                record_id=str(obj.get("id") or "") or None,
                field=str(nested[0]),
            )
            continue
        result = _check_row(kind, obj, source, number)
        if isinstance(result, RawRecord):
            if result.id in seen:
                yield RecordError(
                    "the id appears earlier in this file; the first row was kept",
                    source=source,
                    row=number,
                    record_id=result.id,
                    field="id",
                )
                continue
            seen.add(result.id)
        yield result


def iter_records(
    stream: IO[bytes], kind: RecordKind, *, fmt: FileFormat, source: str
) -> Iterator[RawRecord | RecordError]:
    """Records from a binary stream of either format, decoding it as :func:`open_text` does."""
    text = open_text(stream)
    if fmt == "jsonl":
        yield from iter_jsonl(text, kind, source=source)
    else:
        yield from iter_csv(text, kind, source=source)


def read_records(path: Path | str, kind: RecordKind) -> Iterator[RawRecord | RecordError]:
    """Stream the records of a CSV or JSON lines file; bad rows come as errors in line."""
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot open: {exc.strerror}") from None
    with handle:
        yield from iter_records(handle, kind, fmt=format_of(path), source=path.name)


@dataclass(frozen=True, slots=True)
class ReadResult:
    """All the records of a file and the errors of its bad rows."""

    records: list[RawRecord]
    errors: list[RecordError]


def load_records(path: Path | str, kind: RecordKind) -> ReadResult:
    """Read a whole file into memory: the good records and the bad rows' errors."""
    records: list[RawRecord] = []
    errors: list[RecordError] = []
    for item in read_records(path, kind):
        (records if isinstance(item, RawRecord) else errors).append(item)  # type: ignore[arg-type]
    return ReadResult(records, errors)


# Spreadsheet programs execute a cell that starts with one of these; an export
# opened in Excel must not run a formula planted in a child's record.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(value: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with an apostrophe.

    Phone numbers such as ``+91-98765 43210`` are also prefixed: harmless for
    people, and a spreadsheet then shows the text instead of computing it.
    """
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def write_csv(
    path: Path | str | IO[str],
    rows: Iterable[Mapping[str, object]],
    header: Sequence[str],
    *,
    safe_for_spreadsheets: bool = False,
) -> int:
    """Write rows as UTF-8 CSV with the given header; returns the number of rows.

    ``safe_for_spreadsheets`` neutralizes formula injection in text cells,
    for exports that people open in Excel.
    """

    def emit(handle: IO[str]) -> int:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        count = 0
        for row in rows:
            cells = []
            for name in header:
                value = row.get(name, "")
                text = "" if value is None else str(value)
                cells.append(neutralize_formula(text) if safe_for_spreadsheets else text)
            writer.writerow(cells)
            count += 1
        return count

    if isinstance(path, str | Path):
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            return emit(handle)
    return emit(path)
