"""Reading marks out of a register sheet in any of the five layouts.

The hot loop (a full year is ~570,000 cells) looks each distinct cell value up once in a cache,
so a cell costs a dict lookup and a tuple; no per-cell objects beyond that.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import date
from operator import itemgetter
from typing import Any

from attendance_desk.domain.codes import CODES, UnknownCodeError, normalise, split_day_cell
from attendance_desk.importers.cells import (
    BadDate,
    clean_text,
    has_control,
    parse_date_value,
    parse_session,
    parse_session_header,
)
from attendance_desk.importers.model import (
    ColumnMapping,
    Layout,
    PupilRow,
    RegisterData,
    WideGrid,
)
from attendance_desk.importers.problems import Problems
from attendance_desk.importers.pupils import read_pupil

_BAD = object()
_MARK_ROLES = frozenset({"date", "session", "mark", "am", "pm"})
LEGACY = frozenset(c for c, code in CODES.items() if code.legacy)
Progress = Callable[[int, int], None]


class _Codes:
    """Cell value -> code (or None for no mark), cached; unknown values are recorded."""

    def __init__(self, pairs: bool) -> None:
        self.pairs = pairs
        self.cache: dict[Any, Any] = {"": (None, None) if pairs else None, None: None}
        self.cleaned = 0

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str) and has_control(value):
            self.cleaned += 1
            return self._parse(clean_text(value))  # not cached: each such cell is counted
        result = self._parse(value if isinstance(value, str) else clean_text(value))
        with contextlib.suppress(TypeError):
            self.cache[value] = result
        return result

    def _parse(self, text: str) -> Any:
        try:
            return split_day_cell(text) if self.pairs else normalise(text)
        except UnknownCodeError:
            return _BAD


def _identity_cols(mapping: ColumnMapping) -> dict[str, int]:
    cols: dict[str, int] = {}
    for col, role in sorted(mapping.roles.items()):
        if role not in ("session_column", "day_column", "ignore"):
            cols.setdefault(role, col)
    return cols


class _PupilIndex:
    """One PupilRow per distinct identity, so a long file does not repeat a pupil per row."""

    def __init__(self) -> None:
        self.pupils: list[PupilRow] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def add(self, pupil: PupilRow) -> int:
        key = (pupil.upn, pupil.adno, pupil.surname, pupil.forename, pupil.dob)
        index = self._index.get(key)
        if index is None:
            index = len(self.pupils)
            self.pupils.append(pupil)
            self._index[key] = index
        return index


def read_register(
    rows: list[list[Any]],
    mapping: ColumnMapping,
    problems: Problems,
    progress: Progress | None = None,
) -> RegisterData:
    layout = mapping.layout
    cols = _identity_cols(mapping)
    header = mapping.header_row
    first_data = header + (2 if layout is Layout.WIDE_TWO_ROW else 1)
    index = _PupilIndex()
    skipped: list[tuple[int, str]] = []
    codes = _Codes(pairs=layout is Layout.WIDE_DAY_PAIRS)
    wide = layout in (Layout.WIDE_SESSIONS, Layout.WIDE_TWO_ROW, Layout.WIDE_DAY_PAIRS)
    if wide:
        columns = _wide_columns(rows, mapping, problems)
        if not columns and not problems.count:
            raise problems.error("no sessions found: no column is headed by a date or a session")
    else:
        has_marks = {"session", "mark"} <= cols.keys() or {"am", "pm"} & cols.keys()
        if "date" not in cols or not has_marks:
            raise problems.error(
                "no sessions found: a register with one row per session needs Date, Session "
                "and Mark columns (or Date, AM and PM)"
            )
        columns = []
    width = max((len(row) for row in rows), default=0)
    row_pupils: list[tuple[int, int]] = []
    marks: list[tuple[int, str, str, str, int, int]] = []
    # A long file repeats each pupil on every row: read an identity once per distinct cells.
    identity_cols = [c for role, c in cols.items() if role not in _MARK_ROLES]
    get_identity = itemgetter(*identity_cols) if identity_cols else (lambda _row: ())
    known: dict[Any, int | None] = {}
    needs_id = bool({"upn", "adno"} & cols.keys())
    long_reader = _LongReader(cols, codes, marks, problems)
    total = len(rows) - first_data
    for r in range(first_data, len(rows)):
        row = rows[r]
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        key = get_identity(row)
        try:
            pupil_index = known[key]
        except (KeyError, TypeError):
            pupil = read_pupil(row, r + 1, cols, problems, full=False)
            if pupil is not None and needs_id and not (pupil.upn or pupil.adno):
                pupil = None  # a totals or notes row under a register keyed by UPN/Adno
            pupil_index = None if pupil is None else index.add(pupil)
            with contextlib.suppress(TypeError):
                known[key] = pupil_index
        if pupil_index is None:
            if any(clean_text(v) for v in row):
                why = (
                    "no UPN or admission number" if needs_id else "no UPN, admission number or name"
                )
                skipped.append((r + 1, f"the row names no pupil ({why})"))
            continue
        if wide:
            row_pupils.append((r, pupil_index))
        else:
            long_reader.read(row, r, pupil_index)
        if progress is not None and (r - first_data) % 2000 == 0:
            progress(r - first_data, total)
    grid = None
    if wide:
        grid = WideGrid(rows, row_pupils, columns, codes.cache, codes.pairs)
        _resolve_grid(grid, codes, problems)
        dates = {iso for _, iso, _ in columns}
    else:
        dates = {m[1] for m in marks}
    data = RegisterData(
        pupils=index.pupils,
        marks=marks,
        column_names=problems.column_names,
        skipped=skipped,
        legacy={},
        dates=dates,
        grid=grid,
    )
    if problems.count:
        return data
    if codes.cleaned:
        problems.warnings.append(f"{codes.cleaned} cells had stray control characters removed")
    if _any_legacy(codes):
        data.legacy = dict(Counter(m[3] for m in data.iter_marks() if m[3] in LEGACY))
    if (grid is not None and not _grid_has_marks(grid)) or (grid is None and not marks):
        raise problems.error("no marks found: every session cell is empty")
    return data


def _resolve_grid(grid: WideGrid, codes: _Codes, problems: Problems) -> None:
    """Look every distinct cell value up once; locate the cells of values that are not codes."""
    get = grid.getter()
    values: set[Any] = set()
    for r, _ in grid.row_pupils:
        values.update(get(grid.rows[r]))
    bad: set[Any] = set()
    dirty: set[Any] = set()
    for value in values:
        if value in codes.cache:
            continue
        result = codes.resolve(value)
        if isinstance(value, str) and has_control(value):
            dirty.add(value)
            codes.cache[value] = result
        if result is _BAD:
            bad.add(value)
    if not bad and not dirty:
        return
    codes.cleaned = 0
    for r, _ in grid.row_pupils:
        for (col, _, _), value in zip(grid.columns, get(grid.rows[r]), strict=True):
            if value in dirty:
                codes.cleaned += 1
            if value in bad:
                problems.add(r + 1, col, _not_a_code(value, codes.pairs))


def _grid_has_marks(grid: WideGrid) -> bool:
    return any(v is not None and v != (None, None) for v in grid.codes.values()) and any(
        True for _ in grid.iter_marks()
    )


def _any_legacy(codes: _Codes) -> bool:
    for value in codes.cache.values():
        if isinstance(value, tuple):
            if any(v in LEGACY for v in value):
                return True
        elif value in LEGACY:
            return True
    return False


def _wide_columns(
    rows: list[list[Any]], mapping: ColumnMapping, problems: Problems
) -> list[tuple[int, str, str]]:
    """(column, ISO date, session) per session column; session '' for a day-pairs column."""
    header_row = rows[mapping.header_row]
    out: list[tuple[int, str, str]] = []
    r = mapping.header_row + 1
    if mapping.layout is Layout.WIDE_TWO_ROW:
        below = rows[mapping.header_row + 1] if mapping.header_row + 1 < len(rows) else []
        last: date | None = None
        for col in range(max(len(header_row), len(below))):
            value = header_row[col] if col < len(header_row) else ""
            try:
                day = parse_date_value(value)
            except BadDate as exc:
                problems.add(r, col, str(exc))
                day = None
            if day is not None:
                last = day
            elif clean_text(value):
                last = None  # a named column ends a merged date
            if mapping.roles.get(col) != "session_column":
                continue
            session = parse_session(below[col]) if col < len(below) else None
            if last is None or session is None:
                problems.add(r + 1, col, "the column has no date above its AM/PM heading")
                continue
            out.append((col, last.isoformat(), session))
        return out
    for col, role in sorted(mapping.roles.items()):
        value = header_row[col] if col < len(header_row) else ""
        try:
            if role == "session_column":
                found = parse_session_header(value)
                if found is None:
                    problems.add(r, col, f"'{clean_text(value)}' is not a date and session")
                    continue
                out.append((col, found[0].isoformat(), found[1]))
            elif role == "day_column":
                day = parse_date_value(value)
                if day is None:
                    problems.add(r, col, f"'{clean_text(value)}' is not a date")
                    continue
                out.append((col, day.isoformat(), ""))
        except BadDate as exc:
            problems.add(r, col, str(exc))
    return out


def _not_a_code(value: Any, pairs: bool) -> str:
    text = clean_text(value)
    if pairs:
        return f"'{text}' is not a morning and an afternoon attendance code"
    return f"'{text}' is not an attendance code"


class _LongReader:
    """One row of a long register (per session or per day) into marks; caches dates and
    session names by cell value, since a year's file repeats them on every pupil's rows."""

    def __init__(
        self,
        cols: dict[str, int],
        codes: _Codes,
        marks: list[tuple[int, str, str, str, int, int]],
        problems: Problems,
    ) -> None:
        self.cols = cols
        self.codes = codes
        self.marks = marks
        self.problems = problems
        self.dates: dict[Any, str | None] = {}
        self.sessions: dict[Any, str | None] = {}
        self.per_session = "session" in cols and "mark" in cols
        self.day_targets = [(cols[s.lower()], s) for s in ("AM", "PM") if s.lower() in cols]

    def _date(self, value: Any, r: int) -> str | None:
        try:
            return self.dates[value]
        except (KeyError, TypeError):
            pass
        col = self.cols["date"]
        try:
            day = parse_date_value(value)
        except BadDate as exc:
            self.problems.add(r + 1, col, str(exc))
            return None
        if day is None:
            self.problems.add(r + 1, col, f"'{clean_text(value)}' is not a date (use dd/mm/yyyy)")
            return None
        iso = day.isoformat()
        with contextlib.suppress(TypeError):
            self.dates[value] = iso
        return iso

    def read(self, row: list[Any], r: int, pupil: int) -> None:
        iso = self._date(row[self.cols["date"]], r)
        if iso is None:
            return
        if self.per_session:
            value = row[self.cols["session"]]
            session = self.sessions.get(value) if isinstance(value, str) else None
            if session is None:
                session = parse_session(value)
                if session is None:
                    self.problems.add(
                        r + 1, self.cols["session"], f"'{clean_text(value)}' is not AM or PM"
                    )
                    return
                self.sessions[value] = session
            targets = [(self.cols["mark"], session)]
        else:
            targets = self.day_targets
        codes = self.codes
        for col, session in targets:
            cell = row[col]
            try:
                code = codes.cache[cell]
            except (KeyError, TypeError):
                code = codes.resolve(cell)
            if code is None:
                continue
            if code is _BAD:
                self.problems.add(r + 1, col, _not_a_code(cell, False))
                continue
            self.marks.append((pupil, iso, session, code, r, col))
