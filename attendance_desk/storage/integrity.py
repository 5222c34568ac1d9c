"""Checking a database file before anything writes to it.

A damaged file, or a file that is not an Attendance Desk database, is refused with a
`DamagedDatabaseError` that says so and says how to get the school's data back (restore a
backup). The file is only ever opened read-only here, so it is never changed or overwritten.

On opening, two checks (storage/db.py):
  - at once, `require_structure`: the header, the schema readable, an Attendance Desk schema;
    its cost does not grow with the file;
  - in the background, `IntegrityCheck`: SQLite's full `PRAGMA integrity_check` (every page,
    every index entry against its row, the free list), never skipped. It costs about 0.2 s
    for the demo school and grows with every year kept, so nothing waits for it except what
    must: every write waits for its verdict before it commits (a damaged file is never
    written), and a command waits for it before it prints anything.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from attendance_desk.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"
RESTORE_HINT = (
    "It has not been changed. Restore the latest backup (the window offers it, or run "
    "`attendance-desk --db {path} restore BACKUP-FILE`)"
)


class DamagedDatabaseError(DatabaseError):
    """The file is damaged or is not an Attendance Desk database; restoring a backup is the way on.

    `kind` is "damaged" or "not_ours"; `detail` is what SQLite reported about a damaged file.
    """

    def __init__(self, path: Path, message: str, kind: str, detail: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class IntegrityReport:
    path: Path
    ok: bool
    problems: tuple[str, ...]


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection that can never write to the file."""
    return sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True, timeout=30)


def integrity_report(path: Path, *, full: bool = False) -> IntegrityReport:
    """Run SQLite's quick_check (or the slower, thorough integrity_check) without writing."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        conn = connect_read_only(path)
        try:
            conn.execute("PRAGMA foreign_keys = OFF")
            # No memory map: the pages pass through SQLite's small page cache, so the memory
            # the check takes does not grow with the file (a map of it would).
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(20)")]
            if full:
                rows += [f"foreign key: {r}" for r in conn.execute("PRAGMA foreign_key_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return IntegrityReport(path, False, (str(exc),))
    lines = [line for r in rows if r != "ok" for line in str(r).splitlines() if line]
    # "*** in database main ***" heads the problems: a heading, not a problem to show first
    problems = tuple(x for x in lines if not x.startswith("*** in database")) or tuple(lines)
    return IntegrityReport(path, not problems, problems)


def require_usable(path: Path, *, full: bool = False) -> None:
    """Raise DamagedDatabaseError unless `path` is empty, new, or an intact Attendance Desk file:
    the fixed-cost checks of `require_structure`, then SQLite's own check of every page."""
    require_structure(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    report = integrity_report(path, full=full)
    if not report.ok:
        raise damage_error(report)


def require_structure(path: Path) -> None:
    """The checks on opening that cost the same for any size of file: raise
    DamagedDatabaseError unless `path` is empty, new, or a SQLite file whose schema can be read
    and is an Attendance Desk schema. The rest is IntegrityCheck's."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    hint = RESTORE_HINT.format(path=path)
    if header != SQLITE_HEADER:
        raise DamagedDatabaseError(
            path,
            f"{path} is not an Attendance Desk database (it is not a SQLite file). {hint}",
            "not_ours",
        )
    try:
        conn = connect_read_only(path)
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "alembic_version" in tables:
                conn.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabaseError(
            path, f"{path} is damaged (SQLite reports: {exc}). {hint}", "damaged", str(exc)
        ) from None
    if tables and "alembic_version" not in tables:
        raise DamagedDatabaseError(
            path,
            f"{path} is a SQLite file of another program, not an Attendance Desk database. {hint}",
            "not_ours",
        )


def damage_error(report: IntegrityReport) -> DamagedDatabaseError:
    """The error that says, in words, what a failed check found and how to get the data back."""
    detail = report.problems[0]
    if len(report.problems) > 1:
        detail += f", and {len(report.problems) - 1} more problem(s)"
    path = report.path
    hint = RESTORE_HINT.format(path=path)
    return DamagedDatabaseError(
        path, f"{path} is damaged (SQLite reports: {detail}). {hint}", "damaged", detail
    )


class IntegrityCheck:
    """The full `PRAGMA integrity_check` of one open database, on its own read-only connection
    in a thread of its own (SQLite works with Python's lock released, so it runs beside the
    command's or the window's work). `start()` once; `report()` waits for the verdict;
    `require()` raises DamagedDatabaseError when the file is damaged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._report: IntegrityReport | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="integrity-check", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        if not self.path.exists() or self.path.stat().st_size == 0:
            self._report = IntegrityReport(self.path, True, ())
            return
        self._report = integrity_report(self.path, full=True)

    @property
    def started(self) -> bool:
        return self._thread is not None

    @property
    def done(self) -> bool:
        return self._report is not None

    def report(self) -> IntegrityReport:
        self.start()
        assert self._thread is not None
        self._thread.join()
        assert self._report is not None
        return self._report

    def require(self) -> None:
        report = self.report()
        if not report.ok:
            raise damage_error(report)


# A command line knows its database before it has imported what its command needs: the check
# starts then (start_early) and the command's open_database takes it over (take_early), so it
# runs beside the imports as well as the work. Forgotten at the end of the command (forget_early).
_EARLY: dict[Path, IntegrityCheck] = {}


def start_early(path: Path) -> None:
    path = Path(path).expanduser().absolute()
    if path in _EARLY or not path.is_file() or path.stat().st_size == 0:
        return
    check = IntegrityCheck(path)
    check.start()
    _EARLY[path] = check


def take_early(path: Path) -> IntegrityCheck | None:
    return _EARLY.pop(path, None)


def forget_early() -> None:
    _EARLY.clear()
