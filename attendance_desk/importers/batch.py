"""Writing parsed files into the database in one SQLite transaction (raw sqlite3).

`write_files` runs BEGIN IMMEDIATE, writes each file in dependency order (term dates,
closures, pupil details, registers) with its `imports` history row, then commits, or rolls
back for a preview or on any error: the files land whole or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from attendance_desk import clock
from attendance_desk.importers import backend
from attendance_desk.importers.model import Kind, Layout, ParsedFile, RegisterData
from attendance_desk.importers.problems import Problems, column_letter
from attendance_desk.importers.sources import read_source
from attendance_desk.importers.store_calendar import apply_closures, apply_half_terms
from attendance_desk.importers.store_marks import check_academic_years, write_marks
from attendance_desk.importers.store_pupils import (
    PupilMatcher,
    apply_roster,
    resolve_register_pupils,
    settle_any_ids,
)
from attendance_desk.importers.tables import IMPORTS, INSERT_IMPORT
from attendance_desk.importers.tally import Tally, db_now
from attendance_desk.storage.dialect import backend_of
from attendance_desk.storage.trust import this_school

ORDER = {Kind.TERM_DATES: 0, Kind.CLOSURES: 1, Kind.ROSTER: 2, Kind.REGISTER: 3}
Tick = Callable[[float], None]
# A check on a register's marks once its pupils are known: (connection, register, pupil ids,
# problems); it adds problems, and any problem stops the import before a mark is written.
RegisterCheck = Callable[[sqlite3.Connection, RegisterData, list[int], Problems], None]


@dataclass
class Written:
    """What writing one file did; `already_at` is set when its content was imported before."""

    item: ParsedFile
    tally: Tally
    import_id: int | None
    already_at: datetime | None = None


def parse_timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def file_digests(paths: Sequence[Path]) -> dict[Path, str]:
    """The sha256 of each file's content (each file checked first: a clear error, not a hash)."""
    return {Path(raw): read_source(Path(raw)).digest for raw in paths}


def previous_imports(conn: sqlite3.Connection, digests: Mapping[Path, str]) -> dict[Path, Written]:
    """Files whose exact content (sha256) was imported before: they need not be read again."""
    found: dict[Path, Written] = {}
    for path, digest in digests.items():
        row = conn.execute(
            f"SELECT imported_at, layout FROM {IMPORTS} WHERE content_hash = ? "
            f"AND {this_school(backend_of(conn))} ORDER BY id DESC LIMIT 1",
            (digest,),
        ).fetchone()
        if row is not None:
            layout = Layout(row[1]) if row[1] in Layout.__members__.values() else Layout.ROSTER
            item = ParsedFile(str(path), path.name, digest, "", layout)
            when = parse_timestamp(row[0]) or datetime.min
            found[path] = Written(item, Tally(0, ""), None, when)
    return found


def write_files(
    conn: sqlite3.Connection,
    parsed: Sequence[ParsedFile],
    *,
    commit: bool,
    overwrite_office: bool,
    reimport: bool,
    user: str,
    tick_for: Callable[[int, str], Tick],
    summarise: Callable[[Written], str],
    check_register: RegisterCheck | None = None,
    before_commit: Callable[[list[Written]], None] | None = None,
) -> list[Written]:
    """Write every file in one transaction; `tick_for(n, name)` gives file n's progress tick.
    `before_commit` is given what was written just before the transaction commits (another
    connection still reads the database as it was: the pre-import backup is taken there)."""
    written: list[Written] = []
    parts = sum(len(p.registers()) for p in parsed)
    seen = SeenMarks() if parts > 1 else None
    try:
        backend.begin_import(conn)
        for n, item in enumerate(sorted(parsed, key=lambda p: ORDER[p.kind])):
            tick = tick_for(n, item.file_name)
            tick(0.0)
            written.append(
                _write_one(
                    conn,
                    item,
                    overwrite_office,
                    reimport,
                    user,
                    tick,
                    summarise,
                    seen,
                    check_register,
                )
            )
        tick_for(len(parsed), "")(0.0)
        if commit and before_commit is not None:
            before_commit(written)
        backend.end_import(conn, commit)
    except BaseException:
        backend.abandon_import(conn)
        raise
    finally:
        backend.after_import(conn)
    if not commit:
        for entry in written:
            entry.import_id = None
    return written


def _write_register(
    conn: sqlite3.Connection,
    item: ParsedFile,
    register: RegisterData,
    problems: Problems,
    tally: Tally,
    overwrite_office: bool,
    tick: Tick,
    seen: SeenMarks | None,
    check_register: RegisterCheck | None,
) -> None:
    check_academic_years(conn, register, problems)
    problems.raise_if_any()
    matcher = PupilMatcher(conn)
    pupils = settle_any_ids(
        matcher, register.pupils, roster=False, header=item.any_id_header, file_name=item.file_name
    )
    ids = resolve_register_pupils(matcher, pupils, problems, tally)
    problems.raise_if_any()
    if check_register is not None:
        check_register(conn, register, ids, problems)
        problems.raise_if_any()
    if seen is not None:
        seen.check(register, ids, problems)
        problems.raise_if_any()
    first, last = tally.first_date, tally.last_date
    write_marks(conn, register, ids, problems, tally, overwrite_office=overwrite_office, tick=tick)
    problems.raise_if_any()
    if first:
        tally.first_date = min(first, tally.first_date or first)
        tally.last_date = max(last or first, tally.last_date or first)


class SeenMarks:
    """The marks of every register sheet of every file in one import, so two that disagree
    about the same pupil and session are an error naming both, never 'the last one wins'."""

    def __init__(self) -> None:
        # (pupil id, date, session) -> (code, where: file and sheet, row, column)
        self.marks: dict[tuple[int, str, str], tuple[str, str, int, int]] = {}

    def check(self, register: RegisterData, ids: list[int], problems: Problems) -> None:
        marks = self.marks
        here = f"{problems.file_name}, sheet {problems.sheet}"
        for pupil, iso, session, code, r, c in register.iter_marks():
            key = (ids[pupil], iso, session)
            first = marks.setdefault(key, (code, here, r, c))
            if first[0] != code and first[1] != here:
                problems.add(
                    r + 1,
                    c,
                    f"{register.pupils[pupil].display_name} has '{code}' here but '{first[0]}' "
                    f"for the same session ({iso[8:10]}/{iso[5:7]}/{iso[:4]} {session}) in "
                    f"{first[1]}, row {first[2] + 1}, column {column_letter(first[3])}",
                )


def _write_one(
    conn: sqlite3.Connection,
    item: ParsedFile,
    overwrite_office: bool,
    reimport: bool,
    user: str,
    tick: Tick,
    summarise: Callable[[Written], str],
    seen: SeenMarks | None = None,
    check_register: RegisterCheck | None = None,
) -> Written:
    previous = conn.execute(
        f"SELECT imported_at FROM {IMPORTS} WHERE content_hash = ? "
        f"AND {this_school(backend_of(conn))} ORDER BY id DESC LIMIT 1",
        (item.content_hash,),
    ).fetchone()
    if previous is not None and not reimport:  # the same file twice in one batch
        return Written(item, Tally(0, ""), None, parse_timestamp(previous[0]) or datetime.min)
    now = db_now(clock.utc_now())
    import_id = int(
        conn.execute(
            INSERT_IMPORT + "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, '') RETURNING id",
            (
                item.file_name[:260],
                item.content_hash,
                item.kind.value,
                item.layout.value,
                now,
                user,
            ),
        ).fetchone()[0]
    )
    tally = Tally(import_id, now)
    problems = Problems(
        item.file_name, item.sheet, item.register.column_names if item.register else {}
    )
    if item.kind is Kind.TERM_DATES:
        apply_half_terms(conn, item.half_terms or [], problems, tally)
    elif item.kind is Kind.CLOSURES:
        apply_closures(conn, item.closures or [], problems, tally)
    elif item.kind is Kind.ROSTER:
        matcher = PupilMatcher(conn)
        roster = settle_any_ids(
            matcher,
            item.roster or [],
            roster=True,
            header=item.any_id_header,
            file_name=item.file_name,
        )
        apply_roster(matcher, roster, problems, tally)
    elif item.register is not None:
        for sheet, register in item.registers():
            problems = Problems(item.file_name, sheet, register.column_names)
            _write_register(
                conn, item, register, problems, tally, overwrite_office, tick, seen, check_register
            )
    problems.raise_if_any()
    result = Written(item, tally, import_id)
    conn.execute(
        f"UPDATE {IMPORTS} SET pupils_added = ?, pupils_changed = ?, marks_added = ?, "
        "marks_changed = ?, rows_skipped = ?, summary = ? WHERE id = ?",
        (
            len(tally.pupils_added),
            len(tally.pupils_changed),
            tally.marks_added,
            tally.marks_changed,
            len(item.skipped),
            summarise(result),
            import_id,
        ),
    )
    return result
