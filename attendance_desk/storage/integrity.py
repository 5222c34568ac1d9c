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

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendance_desk.domain.wording import count
from attendance_desk.errors import DatabaseError

SQLITE_HEADER = b"SQLite format 3\x00"
RESTORE_HINT = (
    "It has not been changed. Restore the latest backup (the window offers it, or run "
    "`attendance-desk --db {path} restore BACKUP-FILE`)"
)

# a server's database: the command line's `restore` takes files only; the window restores a
# dump over it in one transaction (services/backup.py), taking a dump of it first
SERVER_HINT = (
    "It has not been changed. Restore the latest backup in the window (File > Backup and "
    "restore\u2026), or ask the server's administrator to restore one with pg_restore"
)


NOT_OURS_HINT = (
    "It has not been changed. To start a new school in its place, move that file elsewhere "
    "(the window offers to, keeping it) and run the command again; to get the school's data "
    "back, restore a backup (`attendance-desk --db {path} restore BACKUP-FILE`)"
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
    reused: bool = False  # the verdict of a full check of this very file state (see Verdict)
    server: bool = False  # a database on a PostgreSQL server (storage/pg_integrity.py)


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
            f"{path} is not an Attendance Desk database (it is not a SQLite file). "
            + NOT_OURS_HINT.format(path=path),
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
            f"{path} is a SQLite file of another program, not an Attendance Desk database. "
            + NOT_OURS_HINT.format(path=path),
            "not_ours",
        )


def damage_error(report: IntegrityReport) -> DamagedDatabaseError:
    """The error that says, in words, what a failed check found and how to get the data back."""
    detail = report.problems[0]
    if len(report.problems) > 1:
        detail += f", and {count(len(report.problems) - 1, 'more problem')}"
    path = report.path
    if report.server:
        return DamagedDatabaseError(
            path,
            f"{path} is damaged (PostgreSQL reports: {detail}). {SERVER_HINT}",
            "damaged",
            detail,
        )
    hint = RESTORE_HINT.format(path=path)
    return DamagedDatabaseError(
        path, f"{path} is damaged (SQLite reports: {detail}). {hint}", "damaged", detail
    )


VERDICT_MAX_AGE = 24 * 3600  # seconds: a full check at least once a day
RACY_SECONDS = 3.0  # a state this recent may hide a later write in the same clock tick


def file_state(path: Path) -> dict[str, Any] | None:
    """What shows a file's bytes are unchanged (see the module's docstring); None when the file
    is missing or cannot be read."""
    try:
        st = os.stat(path)
        with path.open("rb") as fh:
            header = fh.read(100)
        wal: list[Any] | None = None
        try:
            ws = os.stat(path.with_name(path.name + "-wal"))
        except FileNotFoundError:
            ws = None
        if ws is not None and ws.st_size > 0:  # an empty log holds no pages
            with path.with_name(path.name + "-wal").open("rb") as fh:
                wal_header = fh.read(32)
            wal = [ws.st_dev, ws.st_ino, ws.st_size, ws.st_mtime_ns, ws.st_ctime_ns]
            wal.append(wal_header.hex())
    except OSError:
        return None
    return {
        "file": [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns],
        "header": header.hex(),
        "wal": wal,
        "sqlite": sqlite3.sqlite_version,
    }


def _newest_time(state: dict[str, Any]) -> float:
    """The newest modification or status-change time in a state, in seconds."""
    times = state["file"][3:5] + (state["wal"][3:5] if state["wal"] else [])
    return max(times) / 1e9


class Verdict:
    """The recorded verdict of the last full check that passed on a database file, keyed on
    its exact state (see the module's docstring): one small private file per database path."""

    def __init__(self, path: Path) -> None:
        from attendance_desk.paths import user_data_dir

        self.path = Path(path).absolute()
        name = hashlib.sha256(os.fsencode(self.path)).hexdigest()[:32]
        self.file = user_data_dir() / "integrity" / f"{name}.json"

    def matches(self, state: dict[str, Any] | None) -> bool:
        """Whether a full check passed on exactly this state less than a day ago."""
        if state is None:
            return False
        try:
            stored = json.loads(self.file.read_text(encoding="utf-8"))
            age = time.time() - float(stored["checked_at"])
            return bool(
                stored["path"] == str(self.path)
                and stored["state"] == state
                and 0 <= age < VERDICT_MAX_AGE
            )
        except (OSError, ValueError, KeyError, TypeError):
            return False  # none, or unreadable: no verdict

    def record(self, state: dict[str, Any], checked_at: float) -> None:
        """Keep the verdict of a full check that passed (started at `checked_at`)."""
        body = json.dumps({"path": str(self.path), "state": state, "checked_at": checked_at})
        folder = self.file.parent
        part = folder / f".{self.file.name}.{os.getpid()}.{threading.get_ident()}"
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body)
            os.replace(part, self.file)
        except OSError:  # no verdict kept: the next command checks in full, nothing worse
            with contextlib.suppress(OSError):
                part.unlink()

    def forget(self) -> None:
        with contextlib.suppress(OSError):
            self.file.unlink()


class IntegrityCheck:
    """The full `PRAGMA integrity_check` of one open database, on its own read-only connection
    in a thread of its own (SQLite works with Python's lock released, so it runs beside the
    command's or the window's work). `start()` once; `report()` waits for the verdict;
    `require()` raises DamagedDatabaseError when the file is damaged.

    With `reuse` (a command that only reads), `start()` first looks for the verdict of a full
    check of this very file state (`Verdict`) and, found, takes it instead of reading every
    page; `require(for_write=True)` (what every write asks) never accepts a reused verdict: it
    runs the full check. A full check that passes records its verdict for the next command."""

    def __init__(self, path: Path, *, reuse: bool = False) -> None:
        self.path = path
        self.reuse = reuse
        self._report: IntegrityReport | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is not None or self._report is not None:
                return
            if self.reuse and Verdict(self.path).matches(file_state(self.path)):
                self._report = IntegrityReport(self.path, True, (), reused=True)
                return
            self._thread = threading.Thread(target=self._run, name="integrity-check", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        if not self.path.exists() or self.path.stat().st_size == 0:
            self._report = IntegrityReport(self.path, True, ())
            return
        started = time.time()
        before = file_state(self.path)
        report = integrity_report(self.path, full=True)
        verdict = Verdict(self.path)
        if not report.ok:
            verdict.forget()
        elif (
            before is not None
            and _newest_time(before) < started - RACY_SECONDS
            and file_state(self.path) == before  # the bytes checked are the bytes there
        ):
            verdict.record(before, started)
        self._report = report

    @property
    def started(self) -> bool:
        return self._thread is not None or self._report is not None

    @property
    def done(self) -> bool:
        return self._report is not None

    def report(self) -> IntegrityReport:
        self.start()
        if self._thread is not None:
            self._thread.join()
        assert self._report is not None
        return self._report

    def require(self, *, for_write: bool = False) -> None:
        """Raise DamagedDatabaseError if the file is damaged. `for_write`: by a full check of
        the file as it is now, never a reused verdict."""
        report = self.report()
        if for_write and report.reused:
            with self._lock:
                if self._report is report:  # once: the full check replaces the reused verdict
                    self._report = None
                    self._thread = threading.Thread(
                        target=self._run, name="integrity-check", daemon=True
                    )
                    self._thread.start()
            report = self.report()
        if not report.ok:
            raise damage_error(report)


# A command line knows its database before it has imported what its command needs: the check
# starts then (start_early) and the command's open_database takes it over (take_early), so it
# runs beside the imports as well as the work. Forgotten at the end of the command (forget_early).
_EARLY: dict[Path, IntegrityCheck] = {}


def start_early(path: Path, *, reuse: bool = False) -> None:
    path = Path(path).expanduser().absolute()
    if path in _EARLY or not path.is_file() or path.stat().st_size == 0:
        return
    check = IntegrityCheck(path, reuse=reuse)
    check.start()
    _EARLY[path] = check


def take_early(path: Path) -> IntegrityCheck | None:
    return _EARLY.pop(path, None)


def forget_early() -> None:
    _EARLY.clear()
