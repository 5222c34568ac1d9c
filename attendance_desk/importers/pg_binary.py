"""New marks in PostgreSQL's binary COPY format, made here a cell at a time rather than a value
at a time.

psycopg's `copy.write_row` dumps each of a row's eight values through its adapters: about 1 µs a
value, 0.55 s of Python for a year's 570,000 marks, while the server needs 0.3 s to store them.
A register's row is one pupil's codes over the same dates and sessions; so a mark's bytes are
the pupil's (made once per pupil), the cell's date, session and code (made once per column and
code met, then reused) and the import's own source, id, time and school (made once). The bytes
are the format PostgreSQL documents for COPY BINARY (big-endian; a date is days since
2000-01-01, a timestamp microseconds since then); the server checks every value as it would
from psycopg (a code longer than its column is refused). tests/importers/test_pg_binary.py
compares the bytes with psycopg's own for the same rows.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
# the columns, in order, and the types the bytes are made for (pg_type names)
COLUMNS = "pupil_id, date, session, code, source, import_id, updated_at, school_id"
TYPES = ("int4", "date", "varchar", "varchar", "varchar", "int4", "timestamp", "int4")
# a big load's COPY: the mark's own four values, the import's four left to the columns'
# defaults, made the import's constants for the load (importers/backend.py: constant_defaults)
CELL_COLUMNS = "pupil_id, date, session, code"
CONSTANT_COLUMNS = ("source", "import_id", "updated_at", "school_id")

_EPOCH_DAY = date(2000, 1, 1).toordinal()
_EPOCH = datetime(2000, 1, 1)
_FIELDS = struct.pack("!h", len(TYPES))
_int4 = struct.Struct("!ii").pack  # length 4, then the value
_int8 = struct.Struct("!iq").pack  # length 8, then the value


def int4(value: int) -> bytes:
    return _int4(4, value)


def day(value: date) -> bytes:
    return _int4(4, value.toordinal() - _EPOCH_DAY)


def text(value: str) -> bytes:
    data = value.encode()
    return struct.pack("!i", len(data)) + data


def timestamp(value: datetime) -> bytes:
    """A timestamp without time zone (the value's own wall-clock time)."""
    delta = value.replace(tzinfo=None) - _EPOCH
    return _int8(8, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


class MarkRows:
    """The COPY bytes of new MIS marks of one import: `grid_row` for a pupil's codes over the
    import's columns, `mark` for a single mark. Each row has the COLUMNS, or with `cells_only`
    the CELL_COLUMNS (the import's source, id, time and school then come from the table's
    defaults)."""

    def __init__(
        self,
        columns: list[tuple[date, str]],
        import_id: int,
        now: datetime,
        school: int,
        *,
        cells_only: bool = False,
    ) -> None:
        self._columns = columns
        self._cells: list[dict[str, bytes]] = [{} for _ in columns]
        if cells_only:
            self._fields, self._tail = struct.pack("!h", 4), b""
        else:
            self._fields = _FIELDS
            self._tail = text("mis") + int4(import_id) + timestamp(now) + int4(school)

    def _cell(self, index: int, code: str) -> bytes:
        when, session = self._columns[index]
        made = self._cells[index][code] = day(when) + text(session) + text(code) + self._tail
        return made

    def grid_row(self, pupil_id: int, codes: Sequence[str | None]) -> bytes:
        """Every mark of the row (a None is no mark), a code for each column, in order."""
        if len(codes) != len(self._cells):
            raise ValueError(f"{len(codes)} codes for {len(self._cells)} columns")
        head = self._fields + int4(pupil_id)
        cells, make = self._cells, self._cell
        found = [
            cells[i].get(code) or make(i, code) for i, code in enumerate(codes) if code is not None
        ]
        return head + head.join(found) if found else b""

    def mark(self, pupil_id: int, when: date, session: str, code: str) -> bytes:
        return self._fields + int4(pupil_id) + day(when) + text(session) + text(code) + self._tail


def framed(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """The whole COPY stream: the signature, the rows' bytes, the trailer."""
    yield SIGNATURE
    yield from blocks
    yield TRAILER
