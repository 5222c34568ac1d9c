"""Attendance Desk on PostgreSQL: the same schema, the same audit rows, the same answers."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from attendance_desk.errors import DatabaseError
from attendance_desk.storage import migrations
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.pg_connection import translate
from attendance_desk.storage.postgres import password_in, safe_label, shown_name, with_password
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
    with pytest.raises(DatabaseError, match="cannot connect to nobody@127.0.0.1:9/school: "):
        open_database("postgresql://nobody:secret@127.0.0.1:9/school")


def test_the_label_never_shows_the_password() -> None:
    assert safe_label("postgresql://ann:pw@host:5432/school") == "postgresql://ann@host:5432/school"
    assert safe_label("postgresql://ann@host/school?password=pw&sslmode=require") == (
        "postgresql://ann@host/school?sslmode=require"
    )


def test_a_password_typed_apart_is_written_into_the_address_in_place_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert password_in("postgresql://ann:p%40ss@host/school") == "p@ss"
    assert password_in("postgresql://ann@host/school?password=pw&sslmode=require") == "pw"
    assert password_in("postgresql://ann@host/school") == ""
    assert with_password("postgresql://ann@host:5432/school", "p@ss:/") == (
        "postgresql://ann:p%40ss%3A%2F@host:5432/school"
    )
    assert password_in(with_password("postgresql://ann@host/school", "p@ss:/")) == "p@ss:/"
    assert with_password(
        "postgresql://ann:old@host/school?password=older&sslmode=require", "new"
    ) == ("postgresql://ann:new@host/school?sslmode=require")
    assert with_password("postgresql://ann:old@host/school", "") == "postgresql://ann@host/school"
    monkeypatch.setattr("getpass.getuser", lambda: "office")  # libpq's user where none is named
    assert with_password("postgresql://host/school", "pw") == "postgresql://office:pw@host/school"


def test_a_database_on_a_server_is_shown_as_user_at_host_port_and_name() -> None:
    from attendance_desk.storage.trust import school_url

    acting = school_url("postgresql://ann:pw@db.trust.local:6543/trust?sslmode=require", 2)
    assert "options=" in acting
    assert shown_name(acting) == "ann@db.trust.local:6543/trust"
    assert shown_name("postgresql+psycopg://ann@host/school?password=pw") == "ann@host:5432/school"
    assert shown_name("postgresql:///school?host=/run/postgresql&user=bob") == (
        "bob@localhost:5432/school"
    )


def test_placeholders_are_translated_outside_strings() -> None:
    assert translate("SELECT ? , 'a?b', x::text", False) == "SELECT %s , 'a?b', x::text"
    assert translate("SELECT :a, ':b' WHERE k LIKE 'x%'", True) == (
        "SELECT %(a)s, ':b' WHERE k LIKE 'x%%'"
    )
    assert translate("SELECT 'x%'", None) == "SELECT 'x%'"


# --- the audit: the same rows on both backends, a chain that holds with several writers -------
def _changes(db: Database) -> list[tuple[object, ...]]:
    """The same changes made on either backend; the audit rows they left, as plain values."""
    from datetime import date

    from attendance_desk.services.cases import open_case
    from attendance_desk.services.policy import set_preset
    from attendance_desk.storage.models import Pupil
    from attendance_desk.storage.settings import write_setting
    from tests.casework_school import build_school

    ids = build_school(db)
    with db.session() as s:
        ava = s.get(Pupil, ids["ava"])
        assert ava is not None
        ava.legal_surname = "Brown-Okafor"
        ava.looked_after = True
    conn = db.raw_connection()
    try:
        with conn:
            conn.execute(
                "UPDATE marks SET code = 'I', source = 'office' WHERE pupil_id = ? AND date = ?",
                (ids["ava"], "2024-10-08"),
            )
            conn.execute(
                "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) "
                "VALUES (?, '2024-10-09', 'AM', 'L', 'office', '2024-10-09 09:30:00')",
                (ids["ben"],),
            )
            conn.execute(
                "DELETE FROM marks WHERE pupil_id = ? AND date = ?", (ids["dan"], "2024-10-09")
            )
    finally:
        conn.close()
    write_setting(db, "letters.signature", "Ms Ellis")
    write_setting(db, "letters.signature", None)
    set_preset(db, "clifton")
    open_case(db, ids["ava"], date(2024, 10, 9), "Ms Ellis", "Below 96%")
    conn = db.raw_connection()
    try:
        rows = conn.execute(
            "SELECT action, entity, entity_id, pupil_id, field, old_json, new_json, who "
            "FROM audit_log WHERE entity <> 'setting' OR entity_id <> 'database.identity' "
            "ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    out = []
    for action, entity, entity_id, pupil_id, field, old, new, who in rows:
        old_v, new_v = (json.loads(v) if v else None for v in (old, new))
        if entity == "policy":  # the policy's own JSON text: compared as values
            for v in (old_v, new_v):
                if isinstance(v, dict) and isinstance(v.get("settings"), str):
                    v["settings"] = json.loads(v["settings"])
        out.append((action, entity, entity_id, pupil_id, field, old_v, new_v, bool(who)))
    return out


def test_the_audit_rows_are_the_same_on_both_backends(tmp_path: Path) -> None:
    lite = open_database(tmp_path / "school.sqlite3")
    try:
        expected = _changes(lite)
    finally:
        lite.close()
    with postgres_database() as url:
        pg = open_database(url)
        try:
            got = _changes(pg)
        finally:
            pg.close()
    assert {r[1] for r in expected} >= {"pupil", "mark", "setting", "policy", "case"}
    # (the triggers of one statement may fire in another order: compared as a set of rows)
    assert sorted(map(repr, got)) == sorted(map(repr, expected))


def test_the_chain_holds_with_several_pcs_writing_at_once() -> None:
    import threading

    from attendance_desk.storage.audit_chain import verify_chain
    from attendance_desk.storage.settings import write_setting

    with postgres_database() as url:
        pcs = [open_database(url) for _ in range(3)]
        try:

            def work(n: int) -> None:
                for i in range(15):
                    write_setting(pcs[n], f"pc{n}.setting", i)

            threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            conn = pcs[0].raw_connection()
            try:
                report = verify_chain(conn)
                count = conn.execute(
                    "SELECT count(*) FROM audit_log WHERE entity_id LIKE 'pc%'"
                ).fetchone()[0]
            finally:
                conn.close()
        finally:
            for db in pcs:
                db.close()
    assert count == 45
    assert report.intact and report.unsealed == 0, report.reason


def test_a_changed_audit_row_breaks_the_chain_on_postgresql(backend_db: Database) -> None:
    from attendance_desk.storage.audit_chain import verify_chain
    from attendance_desk.storage.settings import write_setting

    write_setting(backend_db, "a", 1)
    write_setting(backend_db, "a", 2)
    conn = backend_db.raw_connection()
    try:
        assert verify_chain(conn).intact
        with conn:
            conn.execute(
                "UPDATE audit_log SET new_json = '3' WHERE entity_id = 'a' AND new_json = '2'"
            )
        report = verify_chain(conn)
    finally:
        conn.close()
    assert not report.intact and "changed after it was written" in report.reason


# --- the integrity check and backups on PostgreSQL ------------------------------------------
def test_the_check_finds_a_missing_audit_trigger_and_writes_wait_for_it() -> None:
    import psycopg
    from sqlalchemy import text

    from attendance_desk.storage.integrity import DamagedDatabaseError
    from attendance_desk.storage.settings import write_setting

    with postgres_database() as url:
        db = open_database(url)
        assert db.integrity.report().ok
        db.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            conn.execute("ALTER TABLE marks DISABLE TRIGGER audit_marks_update_v1")
        db = open_database(url, migrate=False)
        try:
            report = db.integrity.report()
            assert not report.ok
            assert "audit_marks_update_v1" in report.problems[0]
            with pytest.raises(DamagedDatabaseError) as refused:
                write_setting(db, "x", 1)
            said = str(refused.value)  # the server's words and a way back that works there
            assert "PostgreSQL reports" in said and "SQLite" not in said
            assert "File > Backup and restore" in said and "restore BACKUP-FILE" not in said
            with db.session() as s:  # what only reads goes on (a page of the window opens)
                assert s.execute(text("SELECT count(*) FROM pupils")).scalar() == 0
        finally:
            with contextlib.suppress(DamagedDatabaseError):
                db.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER TABLE marks ENABLE TRIGGER audit_marks_update_v1")
        db = open_database(url)
        try:
            assert db.integrity.report().ok
            result = db.integrity.result  # type: ignore[attr-defined]
            assert result.amcheck and result.indexes_checked > 20  # every B-tree index
        finally:
            db.close()


def test_a_database_whose_audit_rows_would_not_take_their_school_is_not_intact() -> None:
    """Without migration 0017's trigger an audit row about a pupil of one school of a trust
    takes the connection's school: the check says so, and writes are refused, as for a missing
    audit trigger."""
    import psycopg

    from attendance_desk.storage.integrity import DamagedDatabaseError
    from attendance_desk.storage.settings import write_setting

    with postgres_database(empty=False) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TRIGGER audit_log_school_v1 ON audit_log")
        db = open_database(url)
        try:
            report = db.integrity.report()
            assert not report.ok
            assert any("audit_log_school_v1" in p for p in report.problems)
            with pytest.raises(DamagedDatabaseError):
                write_setting(db, "x", 1)
        finally:
            with contextlib.suppress(DamagedDatabaseError):
                db.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE TRIGGER audit_log_school_v1 BEFORE INSERT ON audit_log FOR EACH ROW "
                "EXECUTE FUNCTION audit_log_school_v1()"
            )
        db = open_database(url)
        try:
            assert db.integrity.report().ok
        finally:
            db.close()


def test_a_backup_is_a_dump_listed_with_the_others_and_restores_in_one_step(
    tmp_path: Path,
) -> None:
    from attendance_desk.services.backup import list_backups, make_backup, restore_in_place
    from attendance_desk.storage.settings import read_setting, write_setting

    with postgres_database() as url:
        db = open_database(url)
        try:
            write_setting(db, "kept", "before")
            taken = make_backup(db)
            assert taken.path.suffix == ".pgdump" and taken.path.stat().st_mode & 0o077 == 0
            assert [b.path for b in list_backups(db)] == [taken.path]
            write_setting(db, "kept", "after")
            result = restore_in_place(db, taken.path)
            assert read_setting(db, "kept") == "before"
            assert result.previous_kept_as is not None and result.previous_kept_as.exists()
            to = make_backup(db, to=tmp_path / "copy.pgdump")
            assert to.path.is_file()
        finally:
            db.close()


def test_without_the_client_tools_a_backup_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from attendance_desk.services.backup import make_backup

    with postgres_database() as url:
        db = open_database(url)
        try:
            monkeypatch.setenv("PATH", str(tmp_path))
            with pytest.raises(DatabaseError, match="need pg_dump, which is not found: install"):
                make_backup(db)
            assert not list(tmp_path.glob("**/*.part"))
        finally:
            db.close()
