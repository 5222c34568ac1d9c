"""Attendance Desk on a PostgreSQL server: `open_database("postgresql://user@host/dbname")`.

`PostgresDatabase` has the interface of storage/db.py's `Database` (it is one, to the code that
uses it): `engine`, `sessions`, `session()`, `raw_connection(write=)`, `require_intact()`,
`seal_audit()`, `close()`, `read_only`, `backend == "postgresql"`. SQLAlchemy talks to the
server through psycopg 3 (`postgresql+psycopg://`).

`raw_connection()` returns a `PgConnection` (storage/pg_connection.py): the few sqlite3
manners the plain-SQL code relies on, over one psycopg connection; a few are kept idle for the
next caller.

Several PCs may have the database open at once: there is no single-writer lock on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from attendance_desk.errors import DatabaseError
from attendance_desk.storage.db import Database
from attendance_desk.storage.pg_connection import PgConnection, text_dates
from attendance_desk.storage.pg_integrity import PgIntegrityCheck
from attendance_desk.storage.trust import SCHOOL_SETTING
from attendance_desk.user import current_user

if TYPE_CHECKING:
    import sqlite3

    import psycopg
    from sqlalchemy import Engine

from attendance_desk.storage.db import URL_SCHEMES as SCHEMES

WHO_SETTING = "attendance_desk.who"
ONE_SCHOOL_FOR = 60.0  # seconds a connection seeing one school is taken to see one still


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.lower().startswith(SCHEMES)


def libpq_url(url: str) -> str:
    """The URL as libpq (psql, pg_dump, psycopg) reads it."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest


def safe_label(url: str) -> str:
    """The URL without its password (neither after the user nor as `?password=`): the
    address File > Recent keeps to open it again, with the school it acts for (`options`)."""
    parts = urlsplit(libpq_url(url))
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "password"]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, quote_via=quote), ""))


def password_in(url: str) -> str:
    """The password written in a server's address (after the user, or as `?password=`)."""
    parts = urlsplit(libpq_url(url))
    if parts.password:
        return unquote(parts.password)
    return next((v for k, v in parse_qsl(parts.query) if k.lower() == "password"), "")


def with_password(url: str, password: str) -> str:
    """The address without its own password and with `password` after the user (libpq's
    default user, the login, written where the address names none, as libpq would take it);
    the address without a password when `password` is empty."""
    bare = safe_label(url)
    if not password:
        return bare
    import getpass

    parts = urlsplit(bare)
    user, _, host = parts.netloc.rpartition("@")
    if not user:
        user = quote(getpass.getuser(), safe="")
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


DEFAULT_PORT = 5432  # libpq's, where the URL names none


def shown_name(url: str) -> str:
    """The database as a person reads it: `user@host:port/dbname` (what a URL's query adds,
    such as the school a connection acts for, or a password, never shown). The user, host and
    database are libpq's defaults where the URL leaves them out: the login, this computer, the
    user's name."""
    import getpass

    parts = urlsplit(libpq_url(url))
    query = {k.lower(): v for k, v in parse_qsl(parts.query)}
    user = unquote(parts.username or "") or query.get("user", "")
    if not user:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = ""
    host = parts.hostname or query.get("host", "") or "localhost"
    if host.startswith("/"):
        host = "localhost"  # a Unix socket's folder: this computer
    try:
        port = parts.port or int(query.get("port", "") or DEFAULT_PORT)
    except ValueError:
        port = DEFAULT_PORT
    dbname = unquote(parts.path.lstrip("/")) or query.get("dbname", "") or user
    return f"{user + '@' if user else ''}{host}:{port}/{dbname}"


# --- the database ------------------------------------------------------------------------------
class PostgresDatabase(Database):
    """An open PostgreSQL database (see the module's note). `close()` when done."""

    backend = "postgresql"

    def __init__(self, url: str, read_only: bool = False) -> None:
        self.url = libpq_url(url)
        label = safe_label(url)
        check = PgIntegrityCheck(shown_name(url), self._connect)
        super().__init__(Path(label), read_only=read_only, integrity=cast(Any, check))
        self.label = label
        self.shown = shown_name(url)
        self._idle: list[psycopg.Connection[Any]] = []
        self._who: dict[int, str] = {}  # id of an idle connection -> the name it carries
        self._lock = threading.Lock()
        self._all_schools: bool | None = None  # None: not known for good yet (see below)
        self._one_seen_at = -ONE_SCHOOL_FOR  # when it last saw one school (time.monotonic)
        self._superuser = False  # its role is one row-level security never restricts
        # the server processes of this window's own connections: a change they make is
        # announced to every listener (0015), this window's too, which is told only of others'
        self.own_backends: set[int] = set()
        self._backend_of: dict[int, int] = {}  # id of a raw connection -> its server process

    # one school, or all of them
    def for_all_schools(self) -> bool:
        """Whether the connection acts for no school (no `attendance_desk.school` in its URL)
        while it sees more than one: the trust's owner, or a member of staff given several
        schools, looking at all of them. Acting for one school, or seeing only one (a member
        of staff given one, a database holding one), it changes that school's rows. A role that
        row-level security never restricts (a superuser, or BYPASSRLS) sees every school
        whatever it acts for, so in a database holding several it only ever looks. Known for
        good once it acts for one or sees several; one seeing a single school asks again after
        a minute (the trust may add a second while it is open), not at each change."""
        if self._all_schools is not None:
            return self._all_schools
        if time.monotonic() - self._one_seen_at < ONE_SCHOOL_FOR:
            return False
        conn = self.raw_connection()
        try:
            row = conn.execute(
                f"SELECT current_setting('{SCHOOL_SETTING}', true), (SELECT count(*) FROM schools),"
                " (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)"
            ).fetchone()
        finally:
            conn.close()
        acting, seen, unbound = (
            (str(row[0] or "").strip(), int(row[1] or 0), bool(row[2])) if row else ("", 0, False)
        )
        if seen > 1 and unbound:
            self._superuser = self._all_schools = True
        elif acting:
            self._all_schools = False
        elif seen > 1:
            self._all_schools = True
        else:
            self._one_seen_at = time.monotonic()
        return bool(self._all_schools)

    def unbound_in_trust(self) -> bool:
        return self.for_all_schools() and self._superuser

    def changes_refusal(self, what: str = "make changes") -> str:
        from attendance_desk.storage.trust import all_schools_refusal

        return all_schools_refusal(what, superuser=self.unbound_in_trust())

    def _refuse_across_schools(self, session: Any) -> None:
        """A unit of work that changed a row, looking at all the trust's schools, is refused
        (its transaction is given an id only by a change: a read-only one commits as before)."""
        if not self.for_all_schools():
            return
        from sqlalchemy import text

        if session.execute(text("SELECT txid_current_if_assigned()")).scalar() is not None:
            self.require_one_school()

    # connections
    def _connect(self) -> psycopg.Connection[Any]:
        import psycopg

        try:
            pg = psycopg.connect(self.url, autocommit=True)
        except psycopg.Error as exc:
            raise DatabaseError(f"cannot connect to {self.shown}: {_first_line(exc)}") from None
        pg.execute("SET DateStyle = 'ISO, YMD'")
        if self.read_only:
            pg.execute("SET default_transaction_read_only = on")
        text_dates(pg)
        self._backend_of[id(pg)] = pg.info.backend_pid  # not to be read once it is closed
        self.own_backends.add(pg.info.backend_pid)
        return pg

    def _forget(self, pg: psycopg.Connection[Any]) -> None:
        """A raw connection closed: its server process id may be given to another PC's."""
        self.own_backends.discard(self._backend_of.pop(id(pg), -1))

    def _give_back(self, pg: psycopg.Connection[Any]) -> None:
        with self._lock:
            if len(self._idle) < 4:
                self._idle.append(pg)
                return
            self._who.pop(id(pg), None)
        self._forget(pg)
        pg.close()

    def raw_connection(self, write: bool = False) -> sqlite3.Connection:
        if write and self.read_only:
            raise DatabaseError(f"{self.shown} is open read-only")
        with self._lock:
            pg = self._idle.pop() if self._idle else None
        if pg is None or pg.closed or pg.broken:
            if pg is not None:
                self._forget(pg)
            pg = self._connect()
        who = current_user()
        if self._who.get(id(pg)) != who:  # the audit triggers name who made a change
            pg.execute("SELECT set_config(%s, %s, false)", (WHO_SETTING, who))
            self._who[id(pg)] = who
        return cast("sqlite3.Connection", PgConnection(pg, self))

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_pg_engine(
                self.url, self.read_only, self.own_backends.add, self.own_backends.discard
            )
        return self._engine

    def check_again(self) -> None:
        check = PgIntegrityCheck(self.shown, self._connect)
        self.integrity = cast(Any, check)
        check.start()

    def require_intact(self) -> None:
        """Wait for the check started at open (storage/pg_integrity.py), and refuse to write
        when it found the database not as this version left it."""
        if self.integrity.started:
            self.integrity.require()

    def seal_audit(self) -> None:
        super().seal_audit()

    @property
    def encrypted(self) -> bool:
        return False

    def change_key(self, password: str | None) -> None:
        raise DatabaseError(
            "a database on a PostgreSQL server is protected by the server's own accounts and "
            "encryption, not by an Attendance Desk password"
        )

    def close(self) -> None:
        if not self.read_only:
            with contextlib.suppress(Exception):
                self.seal_audit()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._sessions = None
        if self.integrity.started:
            with contextlib.suppress(Exception):
                self.integrity.report()  # its thread ends before the connections go
        with self._lock:
            idle, self._idle = self._idle, []
            self._who.clear()
        for pg in idle:
            with contextlib.suppress(Exception):
                pg.close()
        self.own_backends.clear()
        self._backend_of.clear()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def make_pg_engine(
    url: str,
    read_only: bool = False,
    connected: Callable[[int], None] | None = None,
    closed: Callable[[int], None] | None = None,
) -> Engine:
    """The SQLAlchemy engine over psycopg; `connected` and `closed` are told the server process
    id of each connection it makes and closes."""
    from sqlalchemy import create_engine, event

    engine = create_engine(
        "postgresql+psycopg://" + url.split("://", 1)[1], pool_pre_ping=False, pool_size=4
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.autocommit = True
        dbapi_conn.execute("SET DateStyle = 'ISO, YMD'")
        if read_only:
            dbapi_conn.execute("SET default_transaction_read_only = on")
        dbapi_conn.autocommit = False
        record.info["backend_pid"] = dbapi_conn.info.backend_pid  # unreadable once closed
        if connected is not None:
            connected(record.info["backend_pid"])

    @event.listens_for(engine, "close")
    def _on_close(dbapi_conn: Any, record: Any) -> None:
        if closed is not None and "backend_pid" in record.info:
            closed(record.info["backend_pid"])

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        who = current_user()
        if record.info.get("who") != who:
            cur = dbapi_conn.cursor()
            cur.execute("SELECT set_config(%s, %s, false)", (WHO_SETTING, who))
            cur.close()
            dbapi_conn.commit()
            record.info["who"] = who

    return engine


def open_postgres(url: str, *, migrate: bool = True, read_only: bool = False) -> PostgresDatabase:
    """Open the database at `url` on a PostgreSQL server, bringing its schema up to date."""
    from attendance_desk.storage import migrations

    db = PostgresDatabase(url, read_only=read_only)
    try:
        conn = db.raw_connection()  # says clearly when the server cannot be reached
        try:
            current = migrations.stored_revision(conn)
            tables = _tables(conn)
        finally:
            conn.close()
        if current is None and tables - {"alembic_version"}:
            raise DatabaseError(
                f"{db.shown} holds tables of another program, not an Attendance Desk database"
            )
        if current is not None and current not in migrations.known_revisions():
            raise DatabaseError(
                f"{db.shown} was made by a newer version of Attendance Desk (schema {current}): "
                "install the newer version to open it"
            )
        if migrate and current != migrations.head_revision():
            if read_only:  # brought up to date once, then read (as an older SQLite file is)
                open_postgres(url).close()
            else:
                migrations.upgrade(db.engine)
        if not read_only:
            from attendance_desk.storage.db import _prepare_audit

            _prepare_audit(db)
            db.seal_audit()
        db.integrity.start()  # in the background; every write waits for its verdict
    except BaseException:
        db.close()
        raise
    return db


def _tables(conn: Any) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _register() -> None:
    from attendance_desk.storage import db

    db.DATABASE_OPENERS["postgresql"] = open_postgres


_register()
