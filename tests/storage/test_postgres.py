"""Attendance Desk on PostgreSQL: the same schema, the same audit rows, the same answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attendance_desk.errors import DatabaseError
from attendance_desk.storage import migrations
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.pg_connection import translate
from attendance_desk.storage.postgres import safe_label
from tests.conftest import postgres_database


def tables(db: Database) -> set[str]:
    conn = db.raw_connection()
    try:
        return {
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("sqlite_")
        }
    finally:
        conn.close()


def test_both_backends_are_built_to_the_same_schema(backend_db: Database, tmp_path: Path) -> None:
    other = open_database(tmp_path / "reference.sqlite3")
    try:
        assert tables(backend_db) == tables(other)
    finally:
        other.close()
    conn = backend_db.raw_connection()
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            migrations.head_revision(),
        )
    finally:
        conn.close()


def test_the_backend_is_named(backend_db: Database, backend: str) -> None:
    assert backend_db.backend == backend


def test_a_setting_change_is_audited_alike(backend_db: Database) -> None:
    from attendance_desk.storage.settings import read_setting, write_setting

    write_setting(backend_db, "report.title", {"a": 1})
    write_setting(backend_db, "report.title", {"a": 2})
    assert read_setting(backend_db, "report.title") == {"a": 2}
    conn = backend_db.raw_connection()
    try:
        rows = conn.execute(
            "SELECT action, entity, entity_id, field, old_json, new_json, chain FROM audit_log "
            "WHERE entity = 'setting' AND entity_id = ? ORDER BY id",
            ("report.title",),
        ).fetchall()
    finally:
        conn.close()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("insert", "setting", "report.title", "report.title"),
        ("update", "setting", "report.title", "report.title"),
    ]
    assert json.loads(rows[1][4]) == {"a": 1} and json.loads(rows[1][5]) == {"a": 2}
    assert all(r[6] is not None for r in rows)  # sealed into the chain


def test_reopening_keeps_the_data_and_migrates_nothing() -> None:
    from attendance_desk.storage.settings import read_setting, write_setting

    with postgres_database() as url:
        db = open_database(url)
        write_setting(db, "x", 1)
        db.close()
        db = open_database(url)
        try:
            assert read_setting(db, "x") == 1
        finally:
            db.close()


def test_a_database_of_another_program_is_refused() -> None:
    import psycopg

    with postgres_database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE invoices (id int)")
        with pytest.raises(DatabaseError, match="another program"):
            open_database(url)


def test_no_server_is_a_clear_message() -> None:
    with pytest.raises(DatabaseError, match="cannot connect to postgresql://nobody@127.0.0.1:9/"):
        open_database("postgresql://nobody:secret@127.0.0.1:9/school")


def test_the_label_never_shows_the_password() -> None:
    assert safe_label("postgresql://ann:pw@host:5432/school") == "postgresql://ann@host:5432/school"


def test_placeholders_are_translated_outside_strings() -> None:
    assert translate("SELECT ? , 'a?b', x::text", False) == "SELECT %s , 'a?b', x::text"
    assert translate("SELECT :a, ':b' WHERE k LIKE 'x%'", True) == (
        "SELECT %(a)s, ':b' WHERE k LIKE 'x%%'"
    )
    assert translate("SELECT 'x%'", None) == "SELECT 'x%'"
