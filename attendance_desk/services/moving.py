"""Moving a school from its SQLite file to a PostgreSQL database, or back, with every row kept.

`move_school` copies every row of the source into an empty target (storage/transfer.py), in one
transaction on the target, then counts each table on both sides and compares them: the result
lists the rows per table. The source is left as it was (the school goes on using whichever the
officer chooses). A target that already holds a school's data is refused, untouched, except a
trust's PostgreSQL database: there the school is added beside the schools already in it, as a
new school with every row kept and its ids the trust's (storage/joining.py), moved by the
trust's owner. Back from a trust's database that holds several schools, one school is taken
out to a new file (storage/leaving.py), or to a server's database by way of such a file, the
trust's database left as it was: the school named (`school`: its name, URN or number), else the
one the connection acts for.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from attendance_desk.errors import DatabaseError, UserError
from attendance_desk.storage.db import Database, is_database_url, open_database
from attendance_desk.storage.joining import holds_schools, join_school, refuse_to_join
from attendance_desk.storage.leaving import leave_school
from attendance_desk.storage.transfer import Progress as TableProgress
from attendance_desk.storage.transfer import copy_school, refuse_school_data, school_rows
from attendance_desk.storage.trust import act_for_no_school, school_url

if TYPE_CHECKING:
    from attendance_desk.services.trust import SchoolInfo

Progress = Callable[[int, str], None]  # percent 0-100, what is happening
T = TypeVar("T")


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
    taken_out: bool = False  # one school of a trust's database taken out (its number there)
    joined_as: int | None = None  # taken out into another trust's database: its number there
    left_with: int | None = None  # taken out by way of a file: the staff that went with it

    @property
    def staff_went(self) -> int:
        """Of the trust's staff list, how many went with a school taken out (a trust it went
        on to join may have had some of them already: not copied twice, still theirs)."""
        return self.rows.get("staff", 0) if self.left_with is None else self.left_with

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def added(self) -> str:
        """How the school was added to a trust's database ("" when moved into an empty one)."""
        if self.school_id is None or self.taken_out:
            return ""
        return f'as school {self.school_id} "{self.school_name}" beside {_listed(self.beside)}'

    @property
    def arrived(self) -> str:
        """What the school taken out of a trust became where it went."""
        if self.joined_as is None:
            return "as its one school"
        return f"as school {self.joined_as} beside {_listed(self.beside)}"

    @property
    def left_behind(self) -> str:
        """What became of the trust a school was taken out of ("" otherwise)."""
        if not self.taken_out:
            return ""
        return (
            f'The trust\'s database is unchanged: "{self.school_name}" is still school '
            f"{self.school_id} there. Removing it from the trust is the trust's own decision, "
            "made apart from this move (Remove from the trust in File > Move to another "
            "database, or the command `attendance-desk remove-school`). Of the trust's staff "
            f"list, {self.staff_went} went with the school: those its records name (add any "
            "other of its staff in Settings > Staff)."
        )

    def summary(self) -> str:
        pupils, marks = self.rows.get("pupils", 0), self.rows.get("marks", 0)
        if self.taken_out:
            return (
                f'Moved school {self.school_id} "{self.school_name}" out of {self.source} to '
                f"{self.target} {self.arrived}: {self.total:,} rows in {len(self.rows)} "
                f"tables ({pupils:,} pupils, {marks:,} marks), every table's count checked as "
                "the school's rows in the trust"
            )
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


def move_school(
    source: Database,
    target: Database,
    progress: Progress | None = None,
    school: str | int | None = None,
) -> MoveResult:
    """Copy every row of `source` into the empty `target` (both open); compare the counts.
    From a trust's database holding several schools, the school `school` (its name, URN or
    number; None: the one the connection acts for) is taken out to the new file `target`."""
    if _address(source) == _address(target):
        raise UserError("the source and the target are the same database")
    if target.read_only:
        raise DatabaseError(f"{describe(target)} is open read-only: it cannot be moved into")
    report = progress or (lambda _p, _m: None)
    source.require_intact()  # a damaged file is never copied
    target.require_intact()
    leaving = leaving_school(source, school)
    if leaving is not None:
        return _leave(source, target, leaving, report)
    if target.backend == "postgresql" and _holds_schools(target):
        return _join(source, target, report)
    target.require_one_school("move a school into it")  # plain SQL: no unit of work checks it

    def copy(src: Any, dst: Any, tick: TableProgress) -> tuple[dict[str, int], ...]:
        copied = copy_school(src, dst, tick)
        report(95, "Counting the rows on both sides")
        return copied, school_rows(dst), school_rows(src)

    copied, theirs, ours = _copy_between(source, target, report, "Reading the source", copy)
    differ = sorted(t for t in ours if ours[t] != theirs.get(t))
    if differ:
        raise DatabaseError(f"after the move the counts differ in: {', '.join(differ)}")
    report(100, "Done")
    return MoveResult(describe(source), describe(target), copied, _address(target))


@dataclass(frozen=True)
class TrustSchools:
    """The schools of a trust's database a move out of it chooses from, and the one the
    connection acts for (None: all of them)."""

    schools: tuple[SchoolInfo, ...]
    acting: int | None


def trust_schools(source: Database) -> TrustSchools | None:
    """The schools of the database `source`, when a move out of it takes one school (a trust's
    PostgreSQL database: more than one school, or one that is not school 1); None when it is
    moved whole (a file, or a database holding school 1 alone). Read acting for no school."""
    found = _schools_in(source)
    return None if found is None or found[1] else found[0]


def _schools_in(source: Database) -> tuple[TrustSchools, bool] | None:
    """A PostgreSQL database's schools, and whether it is moved whole (None: a file)."""
    if source.backend != "postgresql":
        return None
    from attendance_desk.services.trust import SchoolInfo

    conn = source.raw_connection()
    try:
        with conn:  # acting for none inside this transaction only (a pooled connection)
            acting = conn.execute(
                "SELECT nullif(current_setting('attendance_desk.school', true), '')"
            ).fetchone()[0]
            act_for_no_school(conn)
            rows = conn.execute("SELECT id, name, urn FROM schools ORDER BY id").fetchall()
            # a member of staff sees only the schools given it: never a database moved whole
            staff = conn.execute("SELECT attendance_desk_schools() IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    schools = tuple(SchoolInfo(int(r[0]), str(r[1] or ""), str(r[2] or "")) for r in rows)
    whole = not staff and len(schools) <= 1 and all(s.school_id == 1 for s in schools)
    return TrustSchools(schools, int(acting) if acting else None), whole


def leaving_school(source: Database, school: str | int | None = None) -> int | None:
    """The school taken out of the trust's database `source` (its number there), or None when
    `source` is moved whole. UserError when it is a trust's and names no school, or not one
    of its schools."""
    from attendance_desk.services.trust import find_school, listed

    named = school is not None and bool(str(school).strip())
    found = _schools_in(source)
    if found is None:
        if named:
            raise UserError(
                f"{describe(source)} is a file holding one school: --school names the school "
                "to take out of a trust's database; nothing was moved"
            )
        return None
    trust, whole = found
    if whole:
        if named and trust.schools:  # the one school there, named: the database moved whole
            find_school(trust.schools, str(school))
        return None
    if named:
        return find_school(trust.schools, str(school)).school_id
    if trust.acting is not None:
        return trust.acting
    if len(trust.schools) == 1:
        return trust.schools[0].school_id
    raise UserError(
        f"{describe(source)} is a trust's database holding {len(trust.schools)} schools: name "
        f"the school to take out to a file (--school; its schools are {listed(trust.schools)}); "
        "nothing was moved"
    )


def _leave(source: Database, target: Database, school_id: int, report: Progress) -> MoveResult:
    """Take school `school_id` of the trust's database `source` out to the new file `target`,
    or to a server's database (empty, or another trust's) by way of a file."""
    if target.backend != "sqlite":
        return _leave_to_server(source, target, school_id, report)
    left = _copy_between(
        source,
        target,
        report,
        "Checking the trust's audit log",
        lambda src, dst, tick: leave_school(src, dst, school_id, tick, describe(source)),
        last="Sealing",
    )
    report(100, "Done")
    return MoveResult(
        describe(source),
        describe(target),
        left.rows,
        _address(target),
        left.school_id,
        left.name,
        taken_out=True,
    )


def _leave_to_server(
    source: Database, target: Database, school_id: int, report: Progress
) -> MoveResult:
    """The two moves a person would make, in one: the school out of the trust to a file of its
    own, in a folder only this user may open, then that file into the server's database (an
    empty one, or a trust's beside its schools), each checked as it goes; the file is deleted
    after, whether or not the second move went in. The trust's database is left as it was.
    What the second move would refuse is asked first, before the school is copied out."""
    _refuse_before_leaving(source, target, school_id)
    with tempfile.TemporaryDirectory(prefix="attendance-desk-move-") as folder:
        passing = open_database(Path(folder) / "school.sqlite3")
        try:
            left = _leave(source, passing, school_id, _part_of(report, 0, 50))
            moved = move_school(passing, target, _part_of(report, 50, 100))
        finally:
            passing.close()
    return replace(
        moved,
        source=describe(source),
        school_id=left.school_id,
        school_name=left.school_name,
        taken_out=True,
        joined_as=moved.school_id,
        left_with=left.rows.get("staff", 0),
    )


def _refuse_before_leaving(source: Database, target: Database, school_id: int) -> None:
    """A server's database the school cannot go into: one holding a school's data that is not
    a trust's, or a trust's where it is already or that a member of staff would add it to."""
    found = _schools_in(source)
    school = next(s for s in found[0].schools if s.school_id == school_id) if found else None
    conn = target.raw_connection()
    try:
        with conn:
            if not holds_schools(conn):
                refuse_school_data(conn)
            elif school is not None:
                refuse_to_join(conn, school.name, school.urn)
    finally:
        conn.close()


def _part_of(report: Progress, start: int, end: int) -> Progress:
    """Progress of one step told as its share (`start`-`end` percent) of the whole."""
    return lambda percent, what: report(start + (end - start) * percent // 100, what)


def _copy_between(
    source: Database,
    target: Database,
    report: Progress,
    first: str,
    copy: Callable[[Any, Any, TableProgress], T],
    last: str = "Checking",
) -> T:
    """Run `copy` over a raw connection to each side (the target's for writing), telling
    `report` what it does: `first`, each table copied (5-95%), then `last`."""

    def tick(table: str, done: int, total: int) -> None:
        report(int(5 + 90 * done / max(total, 1)), f"Copying {table}" if table else last)

    report(0, first)
    src = source.raw_connection()
    dst = target.raw_connection(write=True)
    try:
        return copy(src, dst, tick)
    finally:
        src.close()
        dst.close()


def _holds_schools(target: Database) -> bool:
    conn = target.raw_connection()
    try:
        return holds_schools(conn)
    finally:
        conn.close()


def _join(source: Database, target: Database, report: Progress) -> MoveResult:
    """Add the source's school to the trust's database `target` beside its schools."""

    joined = _copy_between(
        source,
        target,
        report,
        "Reading the source",
        lambda src, dst, tick: join_school(src, dst, tick, describe(source)),
        last="Sealing",
    )
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
    source: str | Path,
    target: str | Path,
    progress: Progress | None = None,
    school: str | int | None = None,
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
        return move_to(src, target, progress, school)
    finally:
        src.close()


def move_to(
    source: Database,
    target: str | Path,
    progress: Progress | None = None,
    school: str | int | None = None,
) -> MoveResult:
    """Move the open `source` into `target` (a file path, made if new, or a postgresql:// URL
    of an empty database; `school`: the school taken out of a trust's database). A target
    file this made is removed again when the move fails: nothing is left half-made."""
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
        result = move_school(source, dst, progress, school)
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
