"""Moving a school from its SQLite file to a PostgreSQL database, or back, with every row kept.

`move_school` copies every row of the source into an empty target (storage/transfer.py), in one
transaction on the target, then counts each table on both sides and compares them: the result
lists the rows per table. The source is left as it was (the school goes on using whichever the
officer chooses). A target that already holds a school's data is refused, untouched, except a
trust's PostgreSQL database: there the school is added beside the schools already in it, as a
new school with every row kept and its ids the trust's (storage/joining.py), moved by the
trust's owner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from attendance_desk.errors import DatabaseError, UserError
from attendance_desk.storage.db import Database, is_database_url, open_database
from attendance_desk.storage.joining import holds_schools, join_school
from attendance_desk.storage.transfer import copy_school, school_rows
from attendance_desk.storage.trust import school_url

Progress = Callable[[int, str], None]  # percent 0-100, what is happening


@dataclass(frozen=True)
class MoveResult:
    source: str
    target: str
    rows: dict[str, int]  # rows per table, the same on both sides
    target_address: str = ""  # what opens the target again (`--db`; a school added to a
    # trust's database: working in it): no password
    school_id: int | None = None  # added to a trust's database: the new school's number
    school_name: str = ""
    beside: tuple[str, ...] = ()  # the schools already there

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def added(self) -> str:
        """How the school was added to a trust's database ("" when moved into an empty one)."""
        if self.school_id is None:
            return ""
        return f'as school {self.school_id} "{self.school_name}" beside {_listed(self.beside)}'

    def summary(self) -> str:
        pupils, marks = self.rows.get("pupils", 0), self.rows.get("marks", 0)
        added = f" {self.added}" if self.added else ""
        checked = (
            "every table's count checked as the new school's"
            if self.added
            else "every table's count the same on both sides"
        )
        return (
            f"Moved {self.source} to {self.target}{added}: {self.total:,} rows in "
            f"{len(self.rows)} tables ({pupils:,} pupils, {marks:,} marks), {checked}"
        )


def _listed(names: tuple[str, ...]) -> str:
    quoted = [f'"{n}"' for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def is_server(where: str | Path) -> bool:
    return is_database_url(where)


def describe(db: Database) -> str:
    """The database as a person reads it: the file, or user@host:port/dbname on a server."""
    return str(getattr(db, "shown", None) or db.path)


def _address(db: Database) -> str:
    """What opens the database again: the file, or the server's URL without a password."""
    return str(getattr(db, "label", None) or db.path)


def move_school(source: Database, target: Database, progress: Progress | None = None) -> MoveResult:
    """Copy every row of `source` into the empty `target` (both open); compare the counts."""
    if _address(source) == _address(target):
        raise UserError("the source and the target are the same database")
    if target.read_only:
        raise DatabaseError(f"{describe(target)} is open read-only: it cannot be moved into")
    report = progress or (lambda _p, _m: None)
    source.require_intact()  # a damaged file is never copied
    target.require_intact()
    _refuse_trust_source(source)
    if target.backend == "postgresql" and _holds_schools(target):
        return _join(source, target, report)
    target.require_one_school("move a school into it")  # plain SQL: no unit of work checks it

    def tick(table: str, done: int, total: int) -> None:
        report(int(5 + 90 * done / max(total, 1)), f"Copying {table}" if table else "Checking")

    report(0, "Reading the source")
    src = source.raw_connection()
    dst = target.raw_connection(write=True)
    try:
        copied = copy_school(src, dst, tick)
        report(95, "Counting the rows on both sides")
        theirs, ours = school_rows(dst), school_rows(src)
    finally:
        src.close()
        dst.close()
    differ = sorted(t for t in ours if ours[t] != theirs.get(t))
    if differ:
        raise DatabaseError(f"after the move the counts differ in: {', '.join(differ)}")
    report(100, "Done")
    return MoveResult(describe(source), describe(target), copied, _address(target))


def _refuse_trust_source(source: Database) -> None:
    """A trust's database is not moved out, whole or one school of it: a file holds one school
    (school 1), and row-level security would leave out what the connection does not see (or,
    acting for one school, let in the whole audit log)."""
    if source.backend != "postgresql":
        return
    conn = source.raw_connection()
    try:
        acting, schools, first = conn.execute(
            "SELECT current_setting('attendance_desk.school', true), count(*), min(id) FROM schools"
        ).fetchone()
    finally:
        conn.close()
    if (acting or "").strip() or int(schools) > 1 or (schools and int(first) != 1):
        raise UserError(
            f"{describe(source)} is a trust's database: a school is moved from a database "
            "holding that one school (moving a school out of a trust is not done by a move); "
            "nothing was moved"
        )


def _holds_schools(target: Database) -> bool:
    conn = target.raw_connection()
    try:
        return holds_schools(conn)
    finally:
        conn.close()


def _join(source: Database, target: Database, report: Progress) -> MoveResult:
    """Add the source's school to the trust's database `target` beside its schools."""

    def tick(table: str, done: int, total: int) -> None:
        report(int(5 + 90 * done / max(total, 1)), f"Copying {table}" if table else "Sealing")

    report(0, "Reading the source")
    src = source.raw_connection()
    dst = target.raw_connection(write=True)
    try:
        joined = join_school(src, dst, tick, describe(source))
    finally:
        src.close()
        dst.close()
    report(100, "Done")
    return MoveResult(
        describe(source),
        describe(target),
        joined.rows,
        school_url(_address(target), joined.school_id),
        joined.school_id,
        joined.name,
        joined.beside,
    )


def move_between(
    source: str | Path, target: str | Path, progress: Progress | None = None
) -> MoveResult:
    """Open the source (a file path or a postgresql:// URL; a file with a password asks for it
    as any command does), move it into the target, close both."""
    from attendance_desk.services.access import open_for_command_line

    if not is_server(source):
        if not Path(source).expanduser().is_file():
            raise UserError(f"{source} does not exist: name the school's database file to move")
        if not is_server(target) and _same_file(source, target):
            raise UserError("the source and the target are the same database")
    src = open_database(str(source)) if is_server(source) else open_for_command_line(Path(source))
    try:
        return move_to(src, target, progress)
    finally:
        src.close()


def move_to(source: Database, target: str | Path, progress: Progress | None = None) -> MoveResult:
    """Move the open `source` into `target` (a file path, made if new, or a postgresql:// URL
    of an empty database). A target file this made is removed again when the move fails:
    nothing is left half-made."""
    new_file = None
    if not is_server(target):
        target_path = Path(target).expanduser().absolute()
        if source.backend == "sqlite" and _same_file(source.path, target_path):
            raise UserError("the source and the target are the same database")
        if not target_path.exists():
            new_file = target_path
    try:
        dst = open_database(str(target) if is_server(target) else Path(target))
    except BaseException:
        _remove(new_file)
        raise
    try:
        result = move_school(source, dst, progress)
    except BaseException:
        dst.close()
        _remove(new_file)
        raise
    dst.close()
    return result


def _same_file(a: str | Path, b: str | Path) -> bool:
    return Path(a).expanduser().absolute() == Path(b).expanduser().absolute()


def _remove(path: Path | None) -> None:
    if path is None:
        return
    for each in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", ".lock"))):
        each.unlink(missing_ok=True)
