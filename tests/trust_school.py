"""A trust for the tests and the trust benchmark: copies of a school as further schools of the
same database (pupils with new UPNs, their marks and open cases), by plain SQL that runs on
SQLite and on PostgreSQL alike (`?` placeholders: sqlite3 and the PostgreSQL adapter)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

_PUPIL_COLUMNS = (
    "admission_number, legal_surname, legal_forename, preferred_surname, preferred_forename, "
    "date_of_birth, sex, year_group, reg_group, admission_date, leaving_date, pupil_premium, "
    "fsm, sen_status, eal, looked_after, child_protection, child_in_need, created_at, "
    "updated_at, mis_person_id"
)


def add_school(conn: Any, name: str, urn: str = "") -> int:
    conn.execute(
        "INSERT INTO schools (name, address, postcode, phone, email, urn, headteacher, "
        "attendance_officer) VALUES (?, '', '', '', '', ?, '', '')",
        (name, urn),
    )
    return int(conn.execute("SELECT max(id) FROM schools").fetchone()[0])


def copy_school(conn: Any, source: int, name: str, number: int, with_marks: bool = True) -> int:
    """A new school `name` holding a copy of school `source`'s pupils (UPNs starting with
    `T` and the two digits of `number`), their marks and their open cases; returns its id.
    The caller commits."""
    new = add_school(conn, name, f"9{number:05d}")
    prefix = f"T{number:02d}"
    conn.execute(
        f"INSERT INTO pupils (upn, {_PUPIL_COLUMNS}, school_id) "
        f"SELECT ? || substr(upn, 4), {_PUPIL_COLUMNS}, ? FROM pupils WHERE school_id = ? "
        "ORDER BY id",
        (prefix, new, source),
    )
    pairs = "FROM pupils op JOIN pupils np ON np.upn = ? || substr(op.upn, 4) AND np.school_id = ? "
    if with_marks:
        conn.execute(
            "INSERT INTO marks (pupil_id, date, session, code, source, import_id, updated_at, "
            "school_id) SELECT np.id, m.date, m.session, m.code, m.source, NULL, m.updated_at, ? "
            + pairs
            + "JOIN marks m ON m.pupil_id = op.id WHERE op.school_id = ?",
            (new, prefix, new, source),
        )
    conn.execute(
        "INSERT INTO cases (pupil_id, stage, stage_started, key_person, barriers, opened_on, "
        "opened_by, closed_on, created_at, owner, next_review, school_id) "
        "SELECT np.id, c.stage, c.stage_started, c.key_person, c.barriers, c.opened_on, "
        "c.opened_by, c.closed_on, c.created_at, c.owner, c.next_review, ? "
        + pairs
        + "JOIN cases c ON c.pupil_id = op.id WHERE op.school_id = ? AND c.closed_on IS NULL",
        (new, prefix, new, source),
    )
    return new


def two_schools(owner: Any) -> dict[str, int]:
    """Oakfield and Riverside (a copy of its pupils, marks and open cases, UPNs starting T02)
    added to the database `owner` has open, in one commit: the trust most tests work with."""
    conn = owner.raw_connection(write=True)
    try:
        with conn:
            oakfield = add_school(conn, "Oakfield Primary")
            riverside = copy_school(conn, oakfield, "Riverside Primary", 2)
    finally:
        conn.close()
    return {"oakfield": oakfield, "riverside": riverside}


def _login_url(url: str, login: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{login}:{password}@{host}"))


def server_role_url(url: str) -> str:
    """The same database as the test server's role (ATTENDANCE_DESK_TEST_PG: a superuser that
    may create roles), whoever `url` connects as."""
    import os

    from tests.conftest import PG_ENV

    server = urlsplit(os.environ[PG_ENV].strip())
    return urlunsplit(server._replace(path=urlsplit(url).path))


def _drop_role(login: str) -> None:
    import os

    import psycopg

    from tests.conftest import PG_ENV

    server = psycopg.connect(os.environ[PG_ENV].strip(), autocommit=True)
    try:
        server.execute(f"DROP ROLE IF EXISTS {login}")
    except psycopg.Error:
        pass  # still holding grants elsewhere: it goes with the test's database
    finally:
        server.close()


# the tables and functions of the public schema given to another login (by a superuser)
HAND_OVER = """
DO $$ DECLARE r record; BEGIN
    FOR r IN SELECT c.oid::regclass AS t FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', r.t, 'LOGIN');
    END LOOP;
    FOR r IN SELECT p.oid::regprocedure AS f, p.prokind FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I',
                       CASE WHEN r.prokind = 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, r.f, 'LOGIN');
    END LOOP;
END $$"""


@contextmanager
def trust_owner_database(empty: bool = True) -> Iterator[str]:
    """On PostgreSQL: a fresh test database (empty, or built to the latest schema) handed to a
    new login role that is not a superuser, as a trust's administrator has it: the database,
    its tables and functions its own, so row-level security keeps it to the school it works in
    (a superuser is never kept to one, and only looks at a trust). The URL that connects as it
    (the role dropped afterwards)."""
    import psycopg

    from tests.conftest import postgres_database

    login, password = f"trust_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    made = False  # no server: the test is skipped (postgres_database says why), no role made
    try:
        with postgres_database(empty=empty) as built:
            with psycopg.connect(built, autocommit=True) as admin:
                admin.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}'")
                made = True
                admin.execute(f'ALTER DATABASE "{built.rsplit("/", 1)[1]}" OWNER TO {login}')
                admin.execute(HAND_OVER.replace("LOGIN", login))
            yield _login_url(built, login, password)
    finally:
        if made:  # after its database is gone (a role owning one cannot be dropped)
            _drop_role(login)


def built_trust(url: str) -> dict[str, int]:
    """The trust most tests work with, built in the database at `url` (as whoever it connects
    as): Oakfield (the casework school) and Riverside (a copy, UPNs starting T02)."""
    from attendance_desk.storage.db import open_database
    from tests.casework_school import build_school

    owner = open_database(url)
    try:
        build_school(owner)
        return two_schools(owner)
    finally:
        owner.close()


@contextmanager
def staff_login(url: str, school_ids: list[int]) -> Iterator[str]:
    """On PostgreSQL: a new login role given these schools of the trust at `url` (whoever it
    connects as: the trust's owner grants them, the test server's role makes the role); the
    URL that connects as it (the role dropped afterwards)."""
    import psycopg

    from attendance_desk.storage.db import open_database
    from attendance_desk.storage.trust import grant_schools

    login, password = f"staff_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    admin = psycopg.connect(server_role_url(url), autocommit=True)
    try:
        admin.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}'")
        owner = open_database(url)
        conn = owner.raw_connection(write=True)
        with conn:
            grant_schools(conn.execute, login, school_ids)
        conn.close()
        owner.close()
        yield _login_url(url, login, password)
    finally:
        admin.execute(f"REASSIGN OWNED BY {login} TO CURRENT_USER")
        admin.execute(f"DROP OWNED BY {login}")
        admin.close()
        _drop_role(login)
