"""What the readers hand to the importing service: plain, immutable values, no database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from operator import itemgetter
from typing import Any


class Kind(StrEnum):
    REGISTER = "register"
    ROSTER = "roster"
    TERM_DATES = "term_dates"
    CLOSURES = "closures"


class Layout(StrEnum):
    WIDE_SESSIONS = "wide_sessions"  # one column per session, one-cell header
    WIDE_TWO_ROW = "wide_two_row"  # a date row over an AM/PM row
    WIDE_DAY_PAIRS = "wide_day_pairs"  # one column per day holding both marks
    LONG_SESSION = "long_session"  # one row per pupil and session
    LONG_DAY = "long_day"  # one row per pupil and day: date, AM, PM
    ROSTER = "roster"
    TERM_DATES = "term_dates"
    CLOSURES = "closures"

    @property
    def kind(self) -> Kind:
        if self is Layout.ROSTER:
            return Kind.ROSTER
        if self is Layout.TERM_DATES:
            return Kind.TERM_DATES
        if self is Layout.CLOSURES:
            return Kind.CLOSURES
        return Kind.REGISTER

    @property
    def label(self) -> str:
        return LAYOUT_LABELS[self]


LAYOUT_LABELS = {
    Layout.WIDE_SESSIONS: "Register: one column per session",
    Layout.WIDE_TWO_ROW: "Register: date row over an AM/PM row",
    Layout.WIDE_DAY_PAIRS: "Register: one column per day (both marks in a cell)",
    Layout.LONG_SESSION: "Register: one row per pupil and session",
    Layout.LONG_DAY: "Register: one row per pupil and day (AM and PM columns)",
    Layout.ROSTER: "Pupil details with contacts",
    Layout.TERM_DATES: "Term dates",
    Layout.CLOSURES: "Closures (INSET days, bank holidays)",
}


@dataclass(frozen=True)
class SheetData:
    """One sheet as a list of rows of raw cell values (str, float, int, bool, date, datetime)."""

    name: str
    rows: list[list[Any]]
    notes: tuple[str, ...] = ()  # how it was read, for the preview ('Windows-1252 text')
    hidden: bool = False


@dataclass(frozen=True)
class ColumnMapping:
    """The user's (or the detector's) reading of a sheet: layout, header row, column roles.

    `header_row` is 0-based; `roles` maps a 0-based column to a role name (see columns.ROLES).
    """

    layout: Layout
    header_row: int
    roles: dict[int, str] = field(default_factory=dict)
    sheet: str | None = None


@dataclass(frozen=True)
class Detection:
    """What the detector found in a file, and whether it is sure."""

    file_name: str
    sheet: str
    mapping: ColumnMapping | None
    confident: bool
    reason: str
    headers: tuple[str, ...]
    preview_rows: tuple[tuple[str, ...], ...]
    unusable: tuple[str, ...] = ()  # identity-looking headings the importer cannot use
    header_too_low: bool = False  # the header is below the rows looked at: no mapping can help


@dataclass(frozen=True)
class PupilRow:
    """Who a row of the file is about, as the file says it; `row` is the sheet row (1-based)."""

    row: int
    upn: str | None = None
    adno: str | None = None
    person_id: str | None = None  # the MIS's own id for the person
    any_id: str | None = None  # 'Student ID': an admission number or a person id, not yet known
    surname: str | None = None
    forename: str | None = None
    preferred_forename: str | None = None
    preferred_surname: str | None = None
    dob: date | None = None
    reg_group: str | None = None
    year_group: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    contacts: tuple[dict[str, Any], ...] = ()

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.forename, self.surname) if p)
        return name or self.upn or self.adno or self.person_id or self.any_id or f"row {self.row}"


@dataclass
class WideGrid:
    """A wide register kept as the sheet's rows: no per-cell objects until marks are written.

    `row_pupils` pairs a 0-based sheet row with its pupil index; `columns` holds (0-based
    column, ISO date, session) with session '' for a day column holding both marks; `codes`
    maps every distinct cell value to its code (or to an (AM, PM) pair for day columns).
    """

    rows: list[list[Any]]
    row_pupils: list[tuple[int, int]]
    columns: list[tuple[int, str, str]]
    codes: dict[Any, Any]
    pairs: bool

    def session_keys(self) -> list[tuple[str, str]]:
        return [(iso, session) for _, iso, session in self.columns]

    def getter(self) -> Callable[[list[Any]], tuple[Any, ...]]:
        cols = [c for c, _, _ in self.columns]
        if len(cols) == 1:
            col = cols[0]
            return lambda row: (row[col],)
        return itemgetter(*cols)

    def iter_marks(self) -> Iterator[tuple[int, str, str, str, int, int]]:
        """(pupil index, ISO date, session, code, row, column) for every mark in the grid."""
        get = self.getter()
        codes = self.codes
        for r, pupil in self.row_pupils:
            for (col, iso, session), value in zip(self.columns, get(self.rows[r]), strict=True):
                code = codes[value]
                if code is None:
                    continue
                if session:
                    yield pupil, iso, session, code, r, col
                else:
                    if code[0] is not None:
                        yield pupil, iso, "AM", code[0], r, col
                    if code[1] is not None:
                        yield pupil, iso, "PM", code[1], r, col


@dataclass
class RegisterData:
    """Marks from a register: a wide `grid`, or for long layouts `marks` as (pupil index, ISO
    date, session, code, row, column) tuples, row and column 0-based."""

    pupils: list[PupilRow]
    marks: list[tuple[int, str, str, str, int, int]]
    column_names: dict[int, str]
    skipped: list[tuple[int, str]]
    legacy: dict[str, int]
    dates: set[str]
    grid: WideGrid | None = None

    @property
    def first_date(self) -> str | None:
        return min(self.dates) if self.dates else None

    @property
    def last_date(self) -> str | None:
        return max(self.dates) if self.dates else None

    def iter_marks(self) -> Iterator[tuple[int, str, str, str, int, int]]:
        if self.grid is not None:
            return self.grid.iter_marks()
        return iter(self.marks)


@dataclass(frozen=True)
class HalfTermRow:
    row: int
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class ClosureRow:
    row: int
    day: date
    kind: str
    description: str


@dataclass
class ParsedFile:
    """A file read and understood, ready to compare with the database."""

    path: str
    file_name: str
    content_hash: str
    sheet: str
    layout: Layout
    register: RegisterData | None = None
    roster: list[PupilRow] | None = None
    half_terms: list[HalfTermRow] | None = None
    closures: list[ClosureRow] | None = None
    warnings: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    any_id_header: str = "Student ID"  # the heading of a column that may be Adno or person id
    # further sheets holding a register (a sheet per week, class or half term): (sheet, marks)
    more: list[tuple[str, RegisterData]] = field(default_factory=list)
    recognised: list[str] = field(default_factory=list)  # what the reader found, for the preview
    mapping_used: str | None = None  # the name of a remembered mapping that was applied

    def registers(self) -> list[tuple[str, RegisterData]]:
        """Every register sheet read from the file, the first one first."""
        first = [(self.sheet, self.register)] if self.register is not None else []
        return first + self.more

    @property
    def kind(self) -> Kind:
        return self.layout.kind
