"""On PostgreSQL a trust keeps its schools in one database, and a member of staff sees only
the schools they are given: a head of one school cannot see another school's pupils, cannot
write into it, and sees only their school on the trust dashboard. The trust's administrator
(the tables' owner) sees every school. Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from casework_school import DAY, build_school
from trust_school import add_school, copy_school

from attendance_desk.services.trust import list_schools, trust_dashboard
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.trust import grant_schools, school_url
from tests.conftest import postgres_database


def _as(url: str, login: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{login}:{password}@{host}"))


@pytest.fixture
def trust() -> Iterator[tuple[str, dict[str, int]]]:
    """A trust database (as its owner) with Oakfield (school 1) and Riverside (a copy)."""
    with postgres_database() as url:
        owner = open_database(url)
        try:
            build_school(owner)
            conn = owner.raw_connection(write=True)
            with conn:
                oakfield = add_school(conn, "Oakfield Primary")
                riverside = copy_school(conn, oakfield, "Riverside Primary", 2)
            conn.close()
        finally:
            owner.close()
        yield url, {"oakfield": oakfield, "riverside": riverside}


@pytest.fixture
def head_of_riverside(trust: tuple[str, dict[str, int]]) -> Iterator[str]:
    """A login role for Riverside's head, given Riverside only; its URL."""
    url, schools = trust
    import psycopg

    login, password = f"head_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    admin = psycopg.connect(url, autocommit=True)
    try:
        admin.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}'")
        owner = open_database(url)
        conn = owner.raw_connection(write=True)
        with conn:
            grant_schools(conn.execute, login, [schools["riverside"]])
        conn.close()
        owner.close()
        yield _as(url, login, password)
    finally:
        admin.execute(f"REASSIGN OWNED BY {login} TO CURRENT_USER")
        admin.execute(f"DROP OWNED BY {login}")
        admin.close()
        # the role is dropped once the test's database is gone (its grants go with it)
        server = psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
        try:
            server.execute(f"DROP ROLE IF EXISTS {login}")
        except psycopg.Error:
            pass
        finally:
            server.close()


def _pupils(db: Database) -> dict[str, int]:
    conn = db.raw_connection()
    try:
        return {r[0]: r[1] for r in conn.execute("SELECT upn, school_id FROM pupils")}
    finally:
        conn.close()


def test_a_trust_user_cannot_see_another_schools_pupils(
    trust: tuple[str, dict[str, int]], head_of_riverside: str
) -> None:
    url, schools = trust
    head = open_database(head_of_riverside)
    try:
        seen = _pupils(head)
        assert len(seen) == 4 and set(seen.values()) == {schools["riverside"]}
        assert [s.name for s in list_schools(head)] == ["Riverside Primary"]
        # an Oakfield pupil looked up by id is not there for them
        owner = open_database(url)
        try:
            everyone = _pupils(owner)
            conn = owner.raw_connection()
            oak_id = conn.execute(
                "SELECT id FROM pupils WHERE school_id = ? ORDER BY id", (schools["oakfield"],)
            ).fetchone()[0]
            conn.close()
        finally:
            owner.close()
        assert len(everyone) == 8
        conn = head.raw_connection()
        try:
            assert conn.execute("SELECT * FROM pupils WHERE id = ?", (oak_id,)).fetchall() == []
            assert (
                conn.execute("SELECT count(*) FROM marks").fetchone()[0]
                == (
                    conn.execute(
                        "SELECT count(*) FROM marks WHERE school_id = ?", (schools["riverside"],)
                    ).fetchone()[0]
                )
            )
        finally:
            conn.close()
        # nor write into it
        conn = head.raw_connection(write=True)
        try:
            with pytest.raises(sqlite3.DatabaseError, match="row-level security"), conn:
                conn.execute(
                    "INSERT INTO pupils (upn, legal_surname, legal_forename, school_id) "
                    "VALUES ('Z999999999999', 'Other', 'Child', ?)",
                    (schools["oakfield"],),
                )
        finally:
            conn.close()
        # the dashboard shows their school only
        dashboard = trust_dashboard(head, DAY)
        assert [s.name for s in dashboard.schools] == ["Riverside Primary"]
        assert dashboard.trust.pupils == 4
    finally:
        head.close()


def test_the_owner_sees_every_school_or_the_one_it_acts_for(
    trust: tuple[str, dict[str, int]],
) -> None:
    url, schools = trust
    owner = open_database(url)
    try:
        assert [s.name for s in list_schools(owner)] == ["Oakfield Primary", "Riverside Primary"]
    finally:
        owner.close()
    acting = open_database(school_url(url, schools["riverside"]))
    try:
        # a superuser (as the tests' server role may be) is never restricted by PostgreSQL
        import psycopg

        with psycopg.connect(url) as c:
            superuser = c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            unrestricted = superuser.fetchone()[0]
        expected = set(schools.values()) if unrestricted else {schools["riverside"]}
        assert set(_pupils(acting).values()) == expected
    finally:
        acting.close()
