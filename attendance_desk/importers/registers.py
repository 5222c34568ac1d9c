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
    us_order_dates,
)
from attendance_desk.importers.columns import ID_ROLES
from attendance_desk.importers.model import (
    ColumnMapping,
    Layout,
    PupilRow,
    RegisterData,
    WideGrid,
)
from attendance_desk.importers.problems import Problems, column_letter
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
    value_cols = (
        [c for c, _, _ in columns]
        if wide
        else [cols[role] for role in ("mark", "am", "pm") if role in cols]
    )
    get_values = _getter(value_cols)
    known: dict[Any, int | None] = {}
    needs_id = bool(ID_ROLES & cols.keys())
    long_reader = _LongReader(cols, codes, marks, problems)
    blank_rows: list[int] = []
    last_pupil = -1
    total = len(rows) - first_data
    for r in range(first_data, len(rows)):
        row = rows[r]
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        key = get_identity(row)
        try:
            pupil_index = known[key]
        except (KeyError, TypeError):
            pupil_index = _new_pupil(row, r, cols, problems, index, codes, get_values, needs_id)
            if pupil_index is not None or not _has_numbers(get_values(row)):
                with contextlib.suppress(TypeError):
                    known[key] = pupil_index
        if pupil_index is None or pupil_index < 0:
            if any(clean_text(v) for v in row):
                skipped.append((r + 1, _why_skipped(row, get_values(row), needs_id)))
            else:
                blank_rows.append(r + 1)
            continue
        last_pupil = r
        if wide:
            row_pupils.append((r, pupil_index))
        else:
            long_reader.read(row, r, pupil_index)
        if progress is not None and (r - first_data) % 2000 == 0:
            progress(r - first_data, total)
    skipped.extend((b, "a blank row between pupils") for b in blank_rows if b - 1 < last_pupil)
    skipped.sort()
    grid = None
    if wide:
        grid = WideGrid(rows, row_pupils, columns, codes.cache, codes.pairs)
        _resolve_grid(grid, codes, problems)
        _present_by_session(grid)
        dates = {iso for _, iso, _ in columns}
    else:
        dates = {m[1] for m in marks}
        us_order = us_order_dates(v for v in long_reader.dates if isinstance(v, str))
        if us_order:
            problems.add(None, cols["date"], us_order)
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


def _getter(cols: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    if not cols:
        return lambda _row: ()
    if len(cols) == 1:
        col = cols[0]
        return lambda row: (row[col],)
    return itemgetter(*cols)


def _has_numbers(values: tuple[Any, ...]) -> bool:
    """Numbers where marks would be: a totals or count row, never a pupil's marks."""
    return any(
        (type(v) is int or type(v) is float) or (isinstance(v, str) and v.strip().isdigit())
        for v in values
    )


def _holds_marks(values: tuple[Any, ...], codes: _Codes) -> bool:
    for value in values:
        code = codes.cache[value] if _hashable_in(value, codes.cache) else codes.resolve(value)
        if code is not None and code is not _BAD and code != (None, None):
            return True
    return False


def _hashable_in(value: Any, cache: dict[Any, Any]) -> bool:
    try:
        return value in cache
    except TypeError:
        return False


def _new_pupil(
    row: list[Any],
    r: int,
    cols: dict[str, int],
    problems: Problems,
    index: _PupilIndex,
    codes: _Codes,
    get_values: Callable[[list[Any]], tuple[Any, ...]],
    needs_id: bool,
) -> int | None:
    """The index of the pupil a row names; None for a row that names nobody (a title, total,
    footer or key row), which is skipped. A row whose identity is wrong but that holds marks is
    a problem (a mistyped UPN is an error, never a new child)."""
    local = problems.child()
    pupil = read_pupil(row, r + 1, cols, local, full=False)
    if pupil is None:
        return None
    if needs_id and not (pupil.upn or pupil.adno or pupil.person_id or pupil.any_id):
        return None  # a totals or notes row under a register keyed by an identity
    values = get_values(row)
    if local.count:
        if _holds_marks(values, codes):
            problems.absorb(local)
            return -1
        return None  # 'Number of pupils: 11' under the UPN column: a footer, not a pupil
    if not needs_id and _has_numbers(values) and not _holds_marks(values, codes):
        return None  # 'Present 28 27 ...': a totals row in a register keyed by name
    return index.add(pupil)


_LABELS = ("total", "present", "absent", "number of", "no. of", "count", "key", "late")


def _why_skipped(row: list[Any], values: tuple[Any, ...], needs_id: bool) -> str:
    text = next((clean_text(v) for v in row if clean_text(v)), "")
    shown = f"'{text[:50]}'" if text else "no text"
    if _has_numbers(values):
        return f"a totals or count row (numbers where marks would be): {shown}"
    if text.lower().startswith(_LABELS):
        return f"a footer or key row, not a pupil: {shown}"
    why = (
        "no UPN, admission number or person id" if needs_id else "no UPN, admission number or name"
    )
    return f"the row names no pupil ({why}): {shown}"


def _present_by_session(grid: WideGrid) -> None:
    """'/' is the morning's present mark and '\\' the afternoon's; some products (Arbor)
    write '/' for both. Each session column gets its own session's mark."""
    cache = grid.codes
    if grid.pairs:
        for value, pair in list(cache.items()):
            if isinstance(pair, tuple) and (pair[0] == "\\" or pair[1] == "/"):
                am = "/" if pair[0] == "\\" else pair[0]
                pm = "\\" if pair[1] == "/" else pair[1]
                cache[value] = (am, pm)
        return
    for wrong, right, session in (("/", "\\", "PM"), ("\\", "/", "AM")):
        wrong_values = {v for v, c in cache.items() if c == wrong}
        cols = [c for c, _, s in grid.columns if s == session]
        if not wrong_values or not cols:
            continue
        get = _getter(cols)
        for r, _ in grid.row_pupils:
            row = grid.rows[r]
            values = get(row)
            for wrong_value in wrong_values:  # found by the tuple's own search: a year's grid
                at = -1  # is 285,000 cells, of which a few hold the other session's mark
                for _ in range(values.count(wrong_value)):
                    at = values.index(wrong_value, at + 1)
                    row[cols[at]] = right
        cache.setdefault(right, right)


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
        _check_columns(out, header_row, r, problems)
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
    _check_columns(out, header_row, r, problems)
    return out


def _check_columns(
    out: list[tuple[int, str, str]], header_row: list[Any], r: int, problems: Problems
) -> None:
    """The same session in two columns is an error; so are header dates that only make sense
    in US order (month/day)."""
    first: dict[tuple[str, str], int] = {}
    for col, iso, session in out:
        earlier = first.setdefault((iso, session), col)
        if earlier != col:
            when = f"{iso[8:10]}/{iso[5:7]}/{iso[:4]} {session}".strip()
            problems.add(
                r,
                col,
                f"the same session ({when}) as column {column_letter(earlier)}: a session "
                "may have only one column",
            )
    texts = [header_row[c] for c, _, _ in out if c < len(header_row)]
    us_order = us_order_dates(
        clean_text(t).split()[0] for t in texts if isinstance(t, str) and t.strip()
    )
    if us_order:
        problems.add(r, None, us_order)


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
            if code == "/" and session == "PM":
                code = "\\"
            elif code == "\\" and session == "AM":
                code = "/"
            self.marks.append((pupil, iso, session, code, r, col))
