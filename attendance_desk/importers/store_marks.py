"""Comparing a register's marks with the database in bulk and writing the difference.

One dict holds the existing marks of the file's date range; each file mark is looked up once.
New marks go in with one executemany; changed marks are updated and recorded in mark_changes
(old, new, when, which import). Office marks are kept unless the caller says to overwrite.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

from attendance_desk.domain.dates import numeric
from attendance_desk.importers import backend
from attendance_desk.importers.bulk_write import write_changes
from attendance_desk.importers.mis_audit import mis_marks_unaudited
from attendance_desk.importers.model import PupilRow, RegisterData, WideGrid
from attendance_desk.importers.problems import Problems
from attendance_desk.importers.tables import (
    ACADEMIC_YEARS,
    DAY_REASONS,
    INSERT_MARK,
    INSERT_MARK_CHANGE,
    MARKS,
    MIS_CHANGES,
)
from attendance_desk.importers.tally import MAX_DETAIL, MarkDetail, Tally
from attendance_desk.storage.dialect import backend_of
from attendance_desk.storage.trust import this_school

Tick = Callable[[float], None]


def check_academic_years(conn: sqlite3.Connection, data: RegisterData, problems: Problems) -> None:
    """When term dates are set up, every mark must fall inside an academic year."""
    here = this_school(backend_of(conn))  # the school's own years, not another's
    years = conn.execute(
        f"SELECT name, start_date, end_date FROM {ACADEMIC_YEARS} WHERE {here}"
    ).fetchall()
    if not years or not data.dates:
        return
    outside = {d for d in data.dates if not any(start <= d <= end for _, start, end in years)}
    if not outside:
        return
    span = ", ".join(
        f"{name}: {_uk(start)} - {_uk(end)}"
        for name, start, end in sorted(years, key=lambda y: y[1])
    )
    reported: set[str] = set()
    for _, iso, _, _, r, c in data.iter_marks():
        if iso in outside and iso not in reported:
            reported.add(iso)
            problems.add(r + 1, c, f"{_uk(iso)} is outside the academic years set up ({span})")


def _uk(iso: str) -> str:
    return numeric(date.fromisoformat(iso))


# pupil id -> "YYYY-MM-DDAM" -> code; office marks are listed apart (they are few)
State = dict[int, dict[str, str]]
# pupil id -> "YYYY-MM-DD" -> (code, reason, who): a reason from a call that covers the day
Covers = dict[int, dict[str, tuple[str, str, str]]]
UNRESOLVED = "N"
MAX_COVER_NOTES = 20


def _load_covers(conn: sqlite3.Connection, data: RegisterData) -> Covers:
    covers: Covers = {}
    for pid, iso, code, reason, who in conn.execute(
        f"SELECT pupil_id, date, code, reason, recorded_by FROM {DAY_REASONS} "
        "WHERE date BETWEEN ? AND ?",
        (data.first_date, data.last_date),
    ):
        covers.setdefault(pid, {})[str(iso)[:10]] = (code, reason, who)
    return covers


def _load_state(
    conn: sqlite3.Connection, data: RegisterData, pupil_ids: list[int]
) -> tuple[State, set[tuple[int, str]]]:
    """The marks already held for the file's pupils and dates: each pupil's as one JSON object
    made by the database from a range of the primary key (a year of 1,500 pupils is read in
    half the time of a row per mark)."""
    ids = json.dumps(sorted({p for p in pupil_ids if p}))
    span = (data.first_date, data.last_date)
    ids_table, key = backend.json_ints(conn), backend.mark_key(conn)
    held = backend.json_object_of(conn, key, "m.code")
    rows = conn.execute(
        f"SELECT j.value, (SELECT {held} FROM {MARKS} AS m WHERE m.pupil_id = j.value "
        f"AND m.date BETWEEN ? AND ?) FROM {ids_table}",
        (*span, ids),
    )
    state: State = {}
    for pupil_id, marks in rows:
        found = backend.json_object(marks)
        if found:
            state[int(pupil_id)] = found
    office = set(
        conn.execute(
            f"SELECT m.pupil_id, {key} FROM {ids_table} JOIN {MARKS} AS m "
            "ON m.pupil_id = j.value AND m.date BETWEEN ? AND ? WHERE m.source = 'office'",
            (ids, *span),
        )
    )
    return state, office


class MarksDiff:
    """Accumulates what the file changes; `take` handles one pupil's marks.

    The office's marks and the days a call covered are few: a pupil with either goes through
    `_office_first`, which keeps the office's code for an `N` on a covered day and notes what
    the MIS holds for each office mark (so the changes for the MIS can be settled)."""

    def __init__(
        self,
        tally: Tally,
        overwrite_office: bool,
        office: set[tuple[int, str]],
        covers: Covers | None = None,
    ) -> None:
        self.tally = tally
        self.overwrite = overwrite_office
        self.office = office
        self.office_by_pupil: dict[int, set[str]] = {}
        for pid, key in office:
            self.office_by_pupil.setdefault(pid, set()).add(key)
        self.covers = covers or {}
        # office marks written for a covered day: (pupil, date, session, old code, code, why, who)
        self.office_writes: list[tuple[int, str, str, str | None, str, str, str]] = []
        self.mis_seen: list[tuple[int, str, str, str]] = []  # what the MIS holds for office marks
        self.covered = 0
        self.inserts: list[tuple[int, str, str, str]] = []
        # whole grid rows of pupils with no marks yet in the range: (pupil id, JSON codes)
        self.bulk: list[tuple[int, str]] = []
        self.bulk_count = 0
        self.updates: list[tuple[str, int, str, str]] = []
        self.history: list[tuple[int, str, str, str, str, str]] = []
        self.unchanged = 0

    def take(
        self,
        pupil_id: int,
        name: str,
        marks: list[tuple[str, str]],
        existing: dict[str, str] | None,
    ) -> None:
        """`marks` holds ("YYYY-MM-DDAM", code) pairs."""
        office, covers = self.office_by_pupil.get(pupil_id), self.covers.get(pupil_id)
        if office or covers:
            marks = self._office_first(pupil_id, name, marks, existing or {}, office, covers)
        if not existing:
            self.inserts.extend([(pupil_id, k[:10], k[10:], code) for k, code in marks])
            return
        get = existing.get
        for key, code in marks:
            old = get(key)
            if old is None:
                self.inserts.append((pupil_id, key[:10], key[10:], code))
            elif old == code:
                self.unchanged += 1
            else:
                self._change(pupil_id, name, key, old, code)

    def _office_first(
        self,
        pupil_id: int,
        name: str,
        marks: list[tuple[str, str]],
        existing: dict[str, str],
        office: set[str] | None,
        covers: dict[str, tuple[str, str, str]] | None,
    ) -> list[tuple[str, str]]:
        """Handle the marks a call's reason covers; return the rest for the usual comparison."""
        office, covers = office or set(), covers or {}
        rest: list[tuple[str, str]] = []
        for key, code in marks:
            iso, session = key[:10], key[10:]
            cover = covers.get(iso) if code == UNRESOLVED else None
            if cover is not None and not (key in office and self.overwrite):
                self.mis_seen.append((pupil_id, iso, session, code))
                self.covered += 1
                kept, why, who = cover
                if len(self.tally.notes) < MAX_COVER_NOTES:
                    self.tally.notes.append(
                        f"{name} {_uk(iso)} {session}: N in the file; the office's code {kept} "
                        "is kept (a first-day call gave the reason for the day)"
                    )
                if key in office:
                    self.unchanged += 1
                else:
                    self.office_writes.append(
                        (pupil_id, iso, session, existing.get(key), kept, why, who)
                    )
                continue
            if key in office:
                self.mis_seen.append((pupil_id, iso, session, code))
            rest.append((key, code))
        return rest

    def _change(self, pupil_id: int, name: str, key: str, old_code: str, code: str) -> None:
        tally = self.tally
        office = (pupil_id, key) in self.office
        iso, session = key[:10], key[10:]
        detail = MarkDetail(pupil_id, name, iso, session, old_code, code, office)
        if office:
            tally.conflicts_total += 1
            if len(tally.conflicts) < MAX_DETAIL:
                tally.conflicts.append(detail)
            if not self.overwrite:
                return
            tally.office_overwritten += 1
        self.updates.append((code, pupil_id, iso, session))
        self.history.append((pupil_id, iso, session, old_code, code, "office" if office else "mis"))
        if len(tally.changes) < MAX_DETAIL:
            tally.changes.append(detail)


def write_marks(
    conn: sqlite3.Connection,
    data: RegisterData,
    pupil_ids: list[int],
    problems: Problems,
    tally: Tally,
    *,
    overwrite_office: bool,
    tick: Tick | None = None,
) -> None:
    """Compare and write; the same session twice with two marks is a problem (nothing written)."""
    if not data.dates:
        return
    tally.first_date, tally.last_date = data.first_date, data.last_date
    state, office = _load_state(conn, data, pupil_ids)
    if tick:
        tick(0.2)
    diff = MarksDiff(tally, overwrite_office, office, _load_covers(conn, data))
    grid = data.grid
    if grid is not None and _grid_is_simple(grid, pupil_ids):
        _diff_grid(grid, data, pupil_ids, state, diff)
    else:
        _diff_marks(data, pupil_ids, state, diff, problems)
    del state
    new_office = sum(1 for w in diff.office_writes if w[3] is None)
    tally.marks_added += len(diff.inserts) + diff.bulk_count + new_office
    tally.marks_changed += len(diff.updates) + len(diff.office_writes) - new_office
    tally.marks_unchanged += diff.unchanged
    if diff.covered > MAX_COVER_NOTES:
        tally.notes.append(
            f"{diff.covered} N marks in all keep the office's code (a call covered the day)"
        )
    if problems.count:
        return
    if tick:
        tick(0.4)
    columns = _flat_columns(grid) if grid is not None else []
    with mis_marks_unaudited(conn):  # it inserts MIS marks only
        write_changes(conn, tally, diff, columns, tick)
    write_office_marks(conn, tally, diff)


def write_office_marks(conn: sqlite3.Connection, tally: Tally, diff: MarksDiff) -> None:
    """The office's codes kept on covered days, and what the MIS holds for the office's marks:
    a change for the MIS is settled once the MIS holds the mark's code."""
    import_id, now = int(tally.import_id), tally.now
    for pid, iso, session, old, code, why, who in diff.office_writes:
        conn.execute(
            INSERT_MARK
            + "VALUES (?, ?, ?, ?, 'office', ?, ?) ON CONFLICT (pupil_id, date, session) DO "
            "UPDATE SET code = excluded.code, source = 'office', import_id = excluded.import_id, "
            "updated_at = excluded.updated_at",
            (pid, iso, session, code, import_id, now),
        )
        conn.execute(
            INSERT_MARK_CHANGE + "VALUES (?, ?, ?, ?, ?, 'office', ?, ?, ?, ?)",
            (pid, iso, session, old, code, import_id, now, who, f"{why} (the MIS has N)"),
        )
        conn.execute(
            f"INSERT INTO {MIS_CHANGES} (pupil_id, date, session, mis_code, office_code, reason, "
            "changed_by, changed_at) VALUES (?, ?, ?, 'N', ?, ?, ?, ?) "
            "ON CONFLICT (pupil_id, date, session) DO UPDATE SET mis_code = 'N', "
            "office_code = excluded.office_code, reason = excluded.reason, "
            "changed_by = excluded.changed_by, changed_at = excluded.changed_at, "
            "agreed_at = NULL, agreed_import_id = NULL",
            (pid, iso, session, code, why, who, now),
        )
    if not diff.mis_seen:
        return
    conn.executemany(
        f"UPDATE {MIS_CHANGES} SET mis_code = CAST(:code AS VARCHAR), "
        "agreed_at = CASE WHEN m.code = CAST(:code AS VARCHAR) "
        f"THEN {backend.timestamp(conn, ':now')} END, "
        "agreed_import_id = CASE WHEN m.code = CAST(:code AS VARCHAR) THEN :import_id END "
        f"FROM {MARKS} AS m WHERE m.pupil_id = :pupil AND m.date = :date "
        f"AND m.session = :session AND {MIS_CHANGES}.pupil_id = :pupil "
        f"AND {MIS_CHANGES}.date = :date AND {MIS_CHANGES}.session = :session "
        f"AND {MIS_CHANGES}.agreed_at IS NULL",
        [
            {
                "code": code,
                "pupil": pid,
                "date": iso,
                "session": session,
                "now": now,
                "import_id": import_id,
            }
            for pid, iso, session, code in diff.mis_seen
        ],
    )


def _flat_columns(grid: WideGrid) -> list[tuple[str, str]]:
    """(date, session) for each code of a bulk row, in the order of the JSON array."""
    if grid.pairs:
        return [(iso, session) for iso, _ in grid.session_keys() for session in ("AM", "PM")]
    return grid.session_keys()


def _grid_is_simple(grid: WideGrid, pupil_ids: list[int]) -> bool:
    """No pupil on two rows and no session in two columns: no duplicate marks possible."""
    keys = grid.session_keys()
    ids = [pupil_ids[p] for _, p in grid.row_pupils]
    return len(set(keys)) == len(keys) and len(set(ids)) == len(ids)


def _diff_grid(
    grid: WideGrid, data: RegisterData, pupil_ids: list[int], state: State, diff: MarksDiff
) -> None:
    get = grid.getter()
    codes = grid.codes
    keys = grid.session_keys()
    skeys = [iso + session for iso, session in keys]
    rows = grid.rows
    # each distinct cell value once: its codes as JSON array items, and how many marks it holds
    token, held = _json_items(codes, grid.pairs)
    as_json, marks_in = token.__getitem__, held.__getitem__
    for r, pupil in grid.row_pupils:
        values = get(rows[r])
        pupil_id = pupil_ids[pupil]
        existing = state.get(pupil_id)
        if not existing:  # the common first import: the row goes to the database as it is
            count = sum(map(marks_in, values))
            if count:
                diff.bulk.append((pupil_id, "[" + ",".join(map(as_json, values)) + "]"))
                diff.bulk_count += count
            continue
        if grid.pairs:
            marks = []
            for (iso, _), value in zip(keys, values, strict=True):
                am, pm = codes[value]
                if am is not None:
                    marks.append((iso + "AM", am))
                if pm is not None:
                    marks.append((iso + "PM", pm))
        else:
            marks = [
                (k, c) for k, v in zip(skeys, values, strict=True) if (c := codes[v]) is not None
            ]
        diff.take(pupil_id, data.pupils[pupil].display_name, marks, existing)


def _json_items(codes: dict[Any, Any], pairs: bool) -> tuple[dict[Any, str], dict[Any, int]]:
    """For each cell value of the grid: its code(s) as items of a JSON array (`null` for no
    mark; a day cell's two), and the number of marks it holds."""
    token: dict[Any, str] = {}
    held: dict[Any, int] = {}
    for value, code in codes.items():
        found = (code if code is not None else (None, None)) if pairs else (code,)
        if not all(c is None or isinstance(c, str) for c in found):
            continue  # not a code (the reader stopped the file for it): never looked up here
        token[value] = ",".join(json.dumps(c) for c in found)
        held[value] = sum(c is not None for c in found)
    return token, held


def _diff_marks(
    data: RegisterData, pupil_ids: list[int], state: State, diff: MarksDiff, problems: Problems
) -> None:
    seen: dict[tuple[int, str], str] = {}
    by_pupil: dict[int, list[tuple[str, str]]] = {}
    names: dict[int, str] = {}
    for pupil, iso, session, code, r, c in data.iter_marks():
        pupil_id = pupil_ids[pupil]
        key = iso + session
        first = seen.get((pupil_id, key))
        if first is not None:
            if first != code:
                _duplicate(problems, data.pupils[pupil], iso, session, r, c, first, code)
            continue
        seen[(pupil_id, key)] = code
        by_pupil.setdefault(pupil_id, []).append((key, code))
        names.setdefault(pupil_id, data.pupils[pupil].display_name)
    for pupil_id, marks in by_pupil.items():
        diff.take(pupil_id, names[pupil_id], marks, state.get(pupil_id))


def _duplicate(
    problems: Problems,
    pupil: PupilRow,
    iso: str,
    session: str,
    r: int,
    c: int,
    first_code: str,
    code: str,
) -> None:
    problems.add(
        r + 1,
        c,
        f"{pupil.display_name} has two different marks for {_uk(iso)} {session} "
        f"('{first_code}' and '{code}')",
    )
