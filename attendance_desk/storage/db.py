"""Opening the school's SQLite database: checks, pragmas, and migrations to the latest schema."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from attendance_desk.errors import DatabaseError
from attendance_desk.storage.integrity import connect_read_only, require_usable
from attendance_desk.storage.writer_lock import WriterLock, acquire_writer_lock
from attendance_desk.user import current_user


@dataclass
class Database:
    """An open database: the engine and a session factory. `close()` when done."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    read_only: bool = False
    # Held while open for writing: a second process cannot open the file for changes.
    writer_lock: WriterLock | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits once on success, rolls back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection for bulk reads and writes (the caller closes it)."""
        if self.read_only:
            conn = connect_read_only(self.path)
        else:
            conn = sqlite3.connect(self.path, timeout=30)
        _apply_pragmas(conn, self.read_only)
        return conn

    def close(self) -> None:
        self.engine.dispose()
        if self.writer_lock is not None:
            self.writer_lock.release()
            self.writer_lock = None


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
    probe = folder / f".attendance-desk-probe-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DatabaseError(
            f"{path} cannot be written: its folder is read-only ({exc.strerror}); "
            "choose another place with --db"
        ) from None


def make_engine(path: Path, read_only: bool = False) -> Engine:
    if read_only:
        url = f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
    else:
        url = f"sqlite:///{path.as_posix()}"
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        _apply_pragmas(dbapi_conn, read_only)

    return engine


def open_database(path: Path | str, *, migrate: bool = True, read_only: bool = False) -> Database:
    """Open (creating if needed) the database at `path` and bring its schema up to date.

    Before anything is written the file is checked (storage/integrity.py): a damaged file or
    one that is not an Attendance Desk database raises DamagedDatabaseError and is left as it
    is. Opening for changes takes the writer lock (storage/writer_lock.py): when another
    process holds it, DatabaseInUseError says who; `read_only=True` needs no lock.

    Raises DatabaseError with a message a person can act on when the path is unusable or the
    file is not an Attendance Desk database.
    """
    path = Path(path).expanduser().absolute()
    if read_only:
        if not path.is_file():
            raise DatabaseError(f"{path} does not exist")
    else:
        check_database_path(path)
    require_usable(path)
    from attendance_desk.storage import migrations  # late: Alembic is only needed here

    lock = None if read_only else acquire_writer_lock(path)
    engine: Engine | None = None
    try:
        if not read_only:
            migrations.check_is_ours(path)
            with sqlite3.connect(path, timeout=30) as conn:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise DatabaseError(f"{path} cannot use a write-ahead journal (got {mode})")
            conn.close()
        engine = make_engine(path, read_only)
        if not read_only:
            if migrate:
                migrations.upgrade(engine)
            _prepare_audit(engine)
    except BaseException as exc:
        if engine is not None:
            engine.dispose()
        if lock is not None:
            lock.release()
        if isinstance(exc, sqlite3.DatabaseError):
            raise DatabaseError(f"{path} cannot be opened as a database: {exc}") from None
        raise
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Database(
        path=path, engine=engine, sessions=sessions, read_only=read_only, writer_lock=lock
    )


def _prepare_audit(engine: Engine) -> None:
    """Make sure the audit triggers exist and name who is making changes (writes only if new)."""
    from attendance_desk.storage.audit_triggers import install_audit_triggers

    with engine.begin() as conn:
        tables = {
            r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if "audit_log" not in tables or "audit_session" not in tables:
            return  # an older schema opened with migrate=False
        install_audit_triggers(conn.exec_driver_sql, tables)
        conn.exec_driver_sql(
            "INSERT INTO audit_session (id, who) VALUES (1, ?) ON CONFLICT (id) DO UPDATE "
            "SET who = excluded.who WHERE who IS NOT excluded.who",
            (current_user(),),
        )
