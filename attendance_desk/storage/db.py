"""Opening the school's SQLite database: checks, pragmas, and migrations to the latest schema."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_desk import private_files
from attendance_desk.errors import DatabaseError
from attendance_desk.storage import cipher
from attendance_desk.storage.audit_chain import seal_chain
from attendance_desk.storage.integrity import (
    NOT_OURS_HINT,
    DamagedDatabaseError,
    IntegrityCheck,
    connect_read_only,
    require_structure,
    take_early,
)
from attendance_desk.storage.writer_lock import WriterLock, acquire_writer_lock
from attendance_desk.user import audit_name

if TYPE_CHECKING:  # SQLAlchemy is imported when a unit of work first needs it
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker


class Database:
    """An open database: the engine and a session factory. `close()` when done.

    The SQLAlchemy engine is made on first use: a command that reads with plain SQL (the
    monitoring engine does) never imports SQLAlchemy. `integrity` is the full integrity check
    of the file (storage/integrity.py): every write waits for its verdict, and `close()` too.
    On a PostgreSQL server the database is a `storage.postgres.PostgresDatabase` instead.
    """

    backend = "sqlite"

    def __init__(
        self,
        path: Path,
        read_only: bool = False,
        writer_lock: WriterLock | None = None,
        integrity: IntegrityCheck | None = None,
        key: str | None = None,
    ) -> None:
        self.path = path
        self.label = str(path)  # its address: the file, or a server's URL without its password
        self.shown = str(path)  # its name to show: the file, or user@host:port/dbname
        self.read_only = read_only
        # Held while open for writing: a second process cannot open the file for changes.
        self.writer_lock = writer_lock
        self.integrity = integrity or IntegrityCheck(path)
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self.audit_chained: bool | None = None  # the schema has the audit chain (asked once)
        # SQLCipher raw key when the school has a password (storage/cipher.py); None: plain
        self.key = key
        # what opening did that the person should be told (a half-upgraded file put back)
        self.notices: list[str] = []

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.path, self.read_only, self.key)
        return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits once on success, rolls back on any error. Nothing commits
        before the integrity check has passed."""
        session = self.sessions()
        try:
            yield session
            session.flush()
            if _has_written(session):
                self.require_intact()
                self._refuse_across_schools(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        self.seal_audit()

    def seal_audit(self) -> None:
        """Seal the audit rows written since the last seal into the chain (cheap when none:
        one look at the newest row, over a pooled connection)."""
        if self.read_only or self.audit_chained is False:
            return
        conn = self.raw_connection()
        try:
            if self.audit_chained is None:
                self.audit_chained = _has_audit_chain(conn)
            if not self.audit_chained:
                return
            newest = conn.execute("SELECT chain FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            if newest is None or newest[0] is not None:
                return
            self.require_intact()  # sealing writes: only to a file found intact
            seal_chain(conn)
        finally:
            conn.close()

    def for_all_schools(self) -> bool:
        """Whether the connection looks at several schools of a trust at once, acting for none
        of them (storage/postgres.py): it reads and compares, but changes nothing. A SQLite file
        is one school's."""
        return False

    def require_one_school(self, what: str = "make changes") -> None:
        """Refuse a change (AllSchoolsError) while looking at all of a trust's schools: a new
        row would be the connection's default school's, not its pupil's. Every unit of work
        that writes is checked as it commits; a service that writes otherwise (plain SQL), or
        does something first that would be wasted (a PDF, a backup), asks here itself."""
        if self.for_all_schools():
            from attendance_desk.errors import AllSchoolsError

            raise AllSchoolsError(self.changes_refusal(what))

    def unbound_in_trust(self) -> bool:
        """Whether the connection's role sees every school of a trust's database whatever it
        acts for (a PostgreSQL superuser: storage/postgres.py), and so only looks there."""
        return False

    def changes_refusal(self, what: str = "make changes") -> str:
        """The sentence a change (`what`) is refused with while looking at all of a trust's
        schools (for the window's tooltips and notes, and require_one_school)."""
        from attendance_desk.storage.trust import all_schools_refusal

        return all_schools_refusal(what)

    def _refuse_across_schools(self, session: Session) -> None:
        """The check of a unit of work that has written, as it commits (one school: none)."""

    def check_again(self) -> None:
        """The data was replaced under this object (a restore): a full check of it as it is
        now, started at once; writes wait for its verdict, not the one before."""
        self.integrity = (
            cipher.KeyedIntegrityCheck(self.path, self.key)
            if self.key is not None
            else IntegrityCheck(self.path)
        )
        self.integrity.start()

    def require_intact(self) -> None:
        """Wait for the full integrity check (starting it if it has not started) and raise
        DamagedDatabaseError if the file is damaged. What writes asks: a full check of the
        file as it is, never a verdict reused from an earlier one (storage/integrity.py)."""
        self.integrity.require(for_write=True)

    def raw_connection(self, write: bool = False) -> sqlite3.Connection:
        """A plain sqlite3 connection for bulk reads and writes (the caller closes it); with
        `write`, only once the integrity check has passed."""
        if write:
            self.require_intact()
        if self.key is not None:
            conn = cipher.connect(self.path, self.key, read_only=self.read_only)
        elif self.read_only:
            conn = connect_read_only(self.path)
        else:
            conn = sqlite3.connect(self.path, timeout=30)
        _apply_pragmas(conn, self.read_only)
        return conn

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def change_key(self, password: str | None) -> None:
        """Re-encrypt the file under `password` (None: plain SQLite), in place and safely: the
        new file is written beside it, checked in full, then moved over it in one step. Take
        a backup first (services.access does). Every connection of this object is closed."""
        if self.read_only:
            raise DatabaseError(f"{self.path} is open read-only")
        self.require_intact()
        new = cipher.new_key(password) if password else None
        work = self.path.with_name(f".{self.path.name}.rekey-{os.getpid()}")
        self._drop_engine()
        try:
            cipher.rewrite(self.path, self.key, new, work)
            for sidecar in _sidecars(self.path):
                sidecar.unlink(missing_ok=True)
            os.replace(work, self.path)
        except BaseException as exc:
            work.unlink(missing_ok=True)
            if disk_full(exc):
                raise DatabaseError(
                    f"the disk holding {self.path} is full: free some space and try again "
                    "(the database is unchanged)"
                ) from None
            if isinstance(exc, OSError) or cipher.is_database_error(exc):
                raise DatabaseError(
                    f"the database could not be re-encrypted ({exc}); it is unchanged"
                ) from None
            raise
        _fsync_folder(self.path.parent)
        self.key = new
        _use_wal(self.path, new)

    def _drop_engine(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._sessions = None

    def reopen_as(self, key: str | None) -> None:
        """After the file was replaced (a restore): use `key` from now on."""
        self._drop_engine()
        self.key = key

    def close(self) -> None:
        """Close; the integrity check is finished first (never skipped), and a damaged file
        raises DamagedDatabaseError here if nothing said so before."""
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error, DatabaseError):
                self.seal_audit()
        try:
            self.integrity.report()  # started now if it had not been: never skipped
        finally:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
                self._sessions = None
            if not self.read_only and self.path.with_name(self.path.name + "-wal").exists():
                # The last connection to close folds the write-ahead log into the file (the
                # check's read-only one cannot): close one more, once everything else has.
                with contextlib.closing(_connect(self.path, self.key)) as conn:
                    conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            if self.writer_lock is not None:
                self.writer_lock.release()
                self.writer_lock = None
        self.integrity.require()


# The openers of databases on a server, by URL scheme (storage/postgres.py registers its own).
DATABASE_OPENERS: dict[str, Callable[..., Database]] = {}
URL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_database_url(target: object) -> bool:
    """Whether `target` names a database on a server (a URL) rather than a file."""
    return isinstance(target, str) and target.lower().startswith(URL_SCHEMES)


class EmptyDatabaseError(DamagedDatabaseError):
    """A 0-byte file where the database should be: never silently made into a new school."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path,
            f"{path} is an empty file (0 bytes), not a school's database: a crash or a failed "
            "copy may have emptied it. Restore a backup (the window offers it, or run "
            f"`attendance-desk --db {path} restore BACKUP-FILE`), or start a new school in its "
            "place (the window offers it; on the command line move the empty file elsewhere "
            "and run the command again)",
            "empty",
        )


def disk_full(exc: BaseException) -> bool:
    """A write failed because the disk is full (SQLite's message, or the operating system's)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG):
        return True
    text = str(exc).lower()
    return "disk is full" in text or "no space" in text


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def _fsync_folder(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _connect(path: Path, key: str | None) -> sqlite3.Connection:
    return cipher.connect(path, key) if key else sqlite3.connect(path, timeout=30)


def _use_wal(path: Path, key: str | None) -> str | None:
    """Switch the file to a write-ahead journal; returns its schema revision."""
    from attendance_desk.storage import migrations

    conn = _connect(path, key)
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        current = migrations.stored_revision(conn)
    finally:
        conn.close()
    if str(mode).lower() != "wal":
        raise DatabaseError(f"{path} cannot use a write-ahead journal (got {mode})")
    return current


def _has_audit_chain(conn: sqlite3.Connection) -> bool:
    """Whether the database has the audit chain columns (one opened without migrating may be
    older)."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(audit_log)")}
    return {"digest", "chain"} <= columns


def _has_written(session: Session) -> bool:
    """Whether the unit of work has changed anything (a read-only unit never waits for the
    check). The sqlite3 driver opens a transaction only for a statement that writes;
    PostgreSQL opens one for a read too, but gives it an id only once it writes (or locks a
    row). Another driver: taken as written."""
    if not session.in_transaction():
        return False
    connection = session.connection()
    driver = connection.connection.driver_connection
    opened = getattr(driver, "in_transaction", None)
    if isinstance(opened, bool):
        return opened
    if connection.dialect.name == "postgresql":
        assigned = connection.exec_driver_sql("SELECT pg_current_xact_id_if_assigned()")
        return assigned.scalar() is not None
    return True


def make_private(path: Path) -> None:
    """Readable and writable by its owner only (POSIX; on Windows the user's profile folder
    already keeps the file to its owner)."""
    if os.name == "posix":
        for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if each.exists():
                os.chmod(each, 0o600)


def _apply_pragmas(conn: sqlite3.Connection, read_only: bool) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    if not read_only:
        conn.execute("PRAGMA synchronous = NORMAL")


def check_database_path(path: Path) -> None:
    """Refuse, with one clear sentence, a path that cannot be this application's database."""
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file: give a file name with --db")
    if path.exists():
        if not os.access(path, os.R_OK):
            raise DatabaseError(f"{path} cannot be read: check the file's permissions")
        # whether the content is an intact SQLite file is checked by integrity.require_usable
        try:
            with path.open("r+b"):
                pass
        except OSError as exc:
            raise DatabaseError(f"{path} cannot be written to ({exc.strerror})") from None
        _probe_folder_writable(path)
    else:
        parent = path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create the folder {parent} ({exc.strerror})") from None
        if not parent.is_dir():
            raise DatabaseError(f"{parent} is not a folder")
        _probe_folder_writable(path)


def _probe_folder_writable(path: Path) -> None:
    """SQLite writes journal files beside the database, so the folder must be writable too."""
    folder = path.parent
    # one name per thread: two threads opening databases in one folder must not share it
    probe = folder / f".attendance-desk-probe-{os.getpid()}-{threading.get_ident()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DatabaseError(
            f"{path} cannot be written: its folder is read-only ({exc.strerror}); "
            "choose another place with --db"
        ) from None


def make_engine(path: Path, read_only: bool = False, key: str | None = None) -> Engine:
    from sqlalchemy import create_engine, event

    if key is not None:
        engine = create_engine(
            "sqlite://",
            module=cipher.dbapi(),
            creator=lambda: cipher.connect(path, key, read_only=read_only),
        )
    else:
        if read_only:
            url = f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
        else:
            url = f"sqlite:///{path.as_posix()}"
        engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        _apply_pragmas(dbapi_conn, read_only)

    return engine


def open_database(
    path: Path | str,
    *,
    migrate: bool = True,
    read_only: bool = False,
    check: str = "now",
    password: str | None = None,
    new_school: bool = False,
    name_audit: bool = True,
) -> Database:
    """Open (creating if needed) the database at `path` and bring its schema up to date.

    Before anything is written the file is checked (storage/integrity.py): at once, what costs
    the same for any file (a file that is not an Attendance Desk database, or whose schema
    cannot be read, raises DamagedDatabaseError and is left as it is); and the full
    integrity check, which starts now in the background (`check="now"`) or when the caller
    says (`check="later"`: the window starts it once its first screen is up). Every write, and
    `close()`, waits for its verdict. Opening for changes takes the writer lock
    (storage/writer_lock.py): when another process holds it, DatabaseInUseError says who;
    `read_only=True` needs no lock.

    Raises DatabaseError with a message a person can act on when the path is unusable or the
    file is not an Attendance Desk database. An encrypted database (the school set a password)
    opens only with `password`: without one, PasswordNeededError (a DamagedDatabaseError: the
    file may as well be damaged; either way it is left as it is).

    `name_audit=False` (a command that only reads, opened for changes only so an older schema
    can be brought up to date) leaves the audit's "who" as it is: reading never writes.

    A `postgresql://user@host/dbname` URL opens that database on a PostgreSQL server instead
    (storage/postgres.py; `check`, `password` and `new_school` do not apply there).
    """
    if isinstance(path, str) and is_database_url(path):
        opener = DATABASE_OPENERS.get("postgresql")
        if opener is None:  # storage/__init__.py registers it
            raise DatabaseError("PostgreSQL is not available in this installation")
        return opener(path, migrate=migrate, read_only=read_only)
    path = Path(path).expanduser().absolute()
    if read_only:
        if not path.is_file():
            raise DatabaseError(f"{path} does not exist")
    else:
        check_database_path(path)
    if not new_school and path.is_file() and path.stat().st_size == 0:
        raise EmptyDatabaseError(path)
    key = _unlock(path, password) if cipher.is_encrypted(path) else None
    if read_only and migrate and key is None:
        require_structure(path)
        older, uncounted = _needs_upgrade(path)
        if older:
            # A file from an earlier version is brought up to date once (under the writer
            # lock, after its check) before it is read: as it is, it lacks newer columns.
            open_database(path, check=check).close()
        elif uncounted:
            # its register's sessions counted again once (a lost trigger left them wrong)
            open_database(path, check=check, name_audit=False).close()
    early = take_early(path)  # a plain check started early cannot read an encrypted file
    if key is None:
        require_structure(path)
        integrity = early or IntegrityCheck(path)
    else:
        integrity = cipher.KeyedIntegrityCheck(path, key)
    if check == "now":
        integrity.start()
    from attendance_desk.storage import migrations  # Alembic itself only if a migration runs

    lock = None if read_only else acquire_writer_lock(path)
    db = Database(path, read_only=read_only, writer_lock=lock, integrity=integrity, key=key)
    try:
        if not read_only:
            if key is None:
                migrations.check_is_ours(path)
            if not path.exists():
                # the owner's only from the start; SQLite gives its journal files this mode
                private_files.create(path, exclusive=True)
            current = _use_wal(path, key)
            if migrate and current != migrations.head_revision():
                if current is not None:
                    db.require_intact()  # a damaged file is never migrated
                    _recover_half_upgrade(db, current)
                    _backup_before_upgrade(db, current)
                if current is not None or not _create_schema(path, key):
                    migrations.upgrade(db.engine)
            _prepare_audit(db, name_audit)
            db.seal_audit()  # what opening logged is sealed at once: reading never writes
    except BaseException as exc:
        if db._engine is not None:
            db._engine.dispose()
        if lock is not None:
            lock.release()
        if isinstance(exc, sqlite3.DatabaseError) or (
            key is not None and cipher.is_database_error(exc)
        ):
            raise DatabaseError(f"{path} cannot be opened as a database: {exc}") from None
        raise
    return db


def _create_schema(path: Path, key: str | None) -> bool:
    """A new, empty file gets the latest schema from the migrations' script in one transaction
    (no Alembic, no SQLAlchemy: storage/schema_script.py); False when the script is out of
    date or the file is not empty, and the migrations run instead."""
    from attendance_desk.storage import schema_script

    conn = _connect(path, key)
    try:
        return schema_script.create(conn)
    finally:
        conn.close()


def _pg_uncounted(conn: Any) -> list[str]:
    """PostgreSQL: the counting triggers lost or turned off, where this connection's role owns
    the marks' table (only it may make them again; for a member of staff the integrity check
    says so)."""
    from attendance_desk.storage.session_counts import pg_lost_triggers
    from attendance_desk.storage.trust import owns_table

    lost = pg_lost_triggers(conn)
    return lost if lost and owns_table(conn, "marks") else []


def _needs_upgrade(path: Path) -> tuple[bool, bool]:
    """Whether the file's schema is older than this version's, and whether a trigger that
    counts the register's sessions is missing from it (read without taking a lock)."""
    from attendance_desk.storage import migrations
    from attendance_desk.storage.session_counts import lost_triggers

    conn = connect_read_only(path)
    try:
        current = migrations.stored_revision(conn)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    older = current is not None and current != migrations.head_revision()
    return older, not older and bool(lost_triggers(names))


def _recover_half_upgrade(db: Database, revision: str) -> None:
    """A file an older version left half-upgraded is put back from the copy taken before that
    upgrade (storage/upgrade_recovery.py), and checked again; `db.notices` says so."""
    from attendance_desk.storage import upgrade_recovery

    key = db.key
    with contextlib.closing(_connect(db.path, key)) as conn:
        found = upgrade_recovery.half_upgrade(conn, revision)
    if found is None:
        return
    db._drop_engine()
    notice = upgrade_recovery.recover(db.path, found, lambda p: _connect(p, key))
    make_private(db.path)
    db.integrity = cipher.KeyedIntegrityCheck(db.path, key) if key else IntegrityCheck(db.path)
    db.integrity.start()
    _use_wal(db.path, key)
    db.require_intact()
    db.notices.append(notice)


def _backup_before_upgrade(db: Database, revision: str) -> Path:
    """A whole copy of the file as it is, beside it, before its schema is upgraded
    (`school.before-upgrade-0004.sqlite3`, the owner's only; encrypted like the file)."""
    path = db.path
    target = path.with_name(f"{path.stem}.before-upgrade-{revision}{path.suffix}")
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    private_files.create(part, exclusive=True)
    try:
        source = db.raw_connection()
        try:
            dest = _connect(part, db.key)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        os.replace(part, target)
    except BaseException as exc:
        part.unlink(missing_ok=True)
        if disk_full(exc):
            raise DatabaseError(
                f"the disk holding {path} is full: the schema upgrade needs room for a backup "
                "first; free some space (the database is unchanged)"
            ) from None
        raise
    return target


def _unlock(path: Path, password: str | None) -> str:
    """The key of an encrypted file, checked: the file opens with it and is ours (its full
    integrity check runs like a plain file's, in the background)."""
    if not password:
        raise cipher.PasswordNeededError(path)
    key = cipher.key_for_file(path, password)
    conn = cipher.connect(path, key, read_only=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    if tables and "alembic_version" not in tables:
        raise DamagedDatabaseError(
            path,
            f"{path} is not an Attendance Desk database. {NOT_OURS_HINT.format(path=path)}",
            "not_ours",
        )
    return key


def set_aside(path: Path) -> Path:
    """Move a file that is not a school's database (empty, or another program's) out of the
    way, with its journal files, so a new school can be made at `path`; returns where it went.
    It is kept, byte for byte, never deleted."""
    from attendance_desk import clock

    path = Path(path).expanduser().absolute()
    why = "empty" if path.stat().st_size == 0 else "not-a-school-database"
    aside = path.with_name(f"{path.stem}.{why}-{clock.now():%Y-%m-%d_%H%M%S}{path.suffix}")
    n = 1
    while aside.exists():
        n += 1
        aside = aside.with_name(f"{path.stem}.{why}-{clock.now():%Y-%m-%d_%H%M%S}-{n}{path.suffix}")
    lock = acquire_writer_lock(path)
    try:
        for old, new in zip(_sidecars(path), _sidecars(aside), strict=True):
            if old.exists():
                os.replace(old, new)
        os.replace(path, aside)
        _fsync_folder(path.parent)
    finally:
        lock.release()
    return aside


IDENTITY_KEY = "database.identity"


def _prepare_audit(db: Database, name_audit: bool = True) -> None:
    """Make sure the audit triggers exist and name who is making changes (writes only when
    something is missing or another person opens the file, and then after the check). On
    SQLite, and on PostgreSQL for the tables' owner, the triggers that count the register's
    sessions too: a lost one (on PostgreSQL, or one turned off) is made again and the sessions
    counted again from the marks (storage/session_counts.py)."""
    from attendance_desk.storage import session_counts
    from attendance_desk.storage.audit_triggers import install_audit_triggers, trigger_names

    conn = db.raw_connection()
    try:
        names = {r[0]: r[1] for r in conn.execute("SELECT name, type FROM sqlite_master")}
        tables = {n for n, kind in names.items() if kind == "table"}
        if "audit_log" not in tables or "audit_session" not in tables:
            return  # an older schema opened with migrate=False
        who = audit_name()
        row = conn.execute("SELECT who FROM audit_session WHERE id = 1").fetchone()
        postgres = db.backend == "postgresql"
        missing = [t for t in trigger_names() if t not in names]
        uncounted = _pg_uncounted(conn) if postgres else session_counts.lost_triggers(names)
        missing += uncounted
        if postgres:
            from attendance_desk.storage.pg_audit import ORDER_TRIGGER, SEAL_FUNCTION

            missing += [ORDER_TRIGGER] if ORDER_TRIGGER not in names else []
            # the function a trust's staff seal with, made by the tables' owner (only it may)
            owner_lacks_seal = conn.execute(
                f"SELECT to_regprocedure('{SEAL_FUNCTION}()') IS NULL AND pg_has_role("
                "(SELECT relowner FROM pg_class WHERE oid = to_regclass('audit_log')), 'USAGE')"
            ).fetchone()
            missing += [SEAL_FUNCTION] if owner_lacks_seal and owner_lacks_seal[0] else []
        identity = conn.execute(
            "SELECT 1 FROM app_settings WHERE key = ?", (IDENTITY_KEY,)
        ).fetchone()
        same_who = postgres or not name_audit or (row is not None and row[0] == who)
        if not missing and row is not None and same_who and identity is not None:
            return
        if postgres and not missing and row is not None:
            # a member of staff's role (not the owner) may not create triggers, and sees only
            # its schools' settings: the owner made the triggers and the identity
            return
        db.require_intact()
        with conn:
            if postgres:  # several PCs: who made a change is each connection's own setting
                from attendance_desk.storage.pg_audit import install_pg_audit_triggers

                if uncounted:
                    session_counts.pg_restore_counting(conn, uncounted)
                install_pg_audit_triggers(conn.execute, tables)
                conn.execute(
                    "INSERT INTO audit_session (id, who) VALUES (1, '') ON CONFLICT DO NOTHING"
                )
            else:
                if uncounted:  # first: the whole repair is one transaction
                    session_counts.restore_counting(conn, uncounted)
                install_audit_triggers(conn.execute, tables)
                conn.execute(
                    "INSERT INTO audit_session (id, who) VALUES (1, ?) ON CONFLICT (id) DO "
                    "UPDATE SET who = excluded.who WHERE who IS NOT excluded.who",
                    (who,),
                )
            # the database's own identity, made once: its backups are told by it, not by name
            if identity is None:
                conn.execute(
                    "INSERT INTO app_settings (key, value_json) VALUES (?, ?)",
                    (IDENTITY_KEY, json.dumps(uuid.uuid4().hex)),
                )
                # not a change anyone made: the settings trigger's row for it goes (unsealed)
                conn.execute(
                    "DELETE FROM audit_log WHERE entity = 'setting' AND entity_id = ? "
                    "AND chain IS NULL",
                    (IDENTITY_KEY,),
                )
    finally:
        conn.close()
