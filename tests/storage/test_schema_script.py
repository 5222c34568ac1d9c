"""A new database is made from one script (storage/schema_script.py), not by replaying the
migrations: the two must give the identical database, and the script is used only while it is
the migrations' own."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from attendance_desk.storage import migrations, schema_head, schema_script
from attendance_desk.storage.db import make_engine, open_database

PRAGMAS = ("user_version", "application_id", "auto_vacuum", "page_size", "encoding")


def everything(path: Path) -> dict[str, object]:
    """The schema as SQLite keeps it (creation order, names, SQL text), every row of every
    table, and the file-level settings."""
    conn = sqlite3.connect(path)
    try:
        master = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
        ).fetchall()
        rows = {
            name: sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"')))
            for kind, name, _, _ in master
            if kind == "table"
        }
        pragmas = {p: conn.execute(f"PRAGMA {p}").fetchone()[0] for p in PRAGMAS}
    finally:
        conn.close()
    return {"sqlite_master": master, "rows": rows, "pragmas": pragmas}


def by_migrations(path: Path) -> Path:
    engine = make_engine(path)
    try:
        migrations.upgrade(engine)
    finally:
        engine.dispose()
    return path


def by_script(path: Path) -> Path:
    conn = sqlite3.connect(path)
    try:
        assert schema_script.create(conn)
    finally:
        conn.close()
    return path


def test_the_script_is_the_migrations_as_they_are_now() -> None:
    assert schema_script.is_current(), (
        "storage/schema_head.py is not the schema of the migrations as they are now (a "
        "migration or an audit trigger changed): run `python -m "
        "attendance_desk.storage.schema_script` and commit attendance_desk/storage/schema_head.py"
    )
    assert migrations.head_revision() == schema_head.REVISION


def test_the_script_and_the_migrations_make_the_identical_database(tmp_path: Path) -> None:
    migrated = everything(by_migrations(tmp_path / "migrated.sqlite3"))
    scripted = everything(by_script(tmp_path / "scripted.sqlite3"))
    assert scripted["sqlite_master"] == migrated["sqlite_master"]
    assert scripted == migrated
    names = {name for _, name, _, _ in migrated["sqlite_master"]}  # type: ignore[attr-defined]
    assert {"marks", "pupils", "audit_log", "alembic_version", "audit_marks_insert_v1"} <= names
    assert migrated["rows"]["alembic_version"] == [repr((migrations.head_revision(),))]  # type: ignore[index]


def test_a_school_opened_either_way_has_the_same_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through open_database (audit triggers, who is working, the file's identity): only the
    identity, a random id, differs."""
    open_database(tmp_path / "scripted.sqlite3").close()
    monkeypatch.setattr(schema_script, "is_current", lambda: False)  # out of date: Alembic
    open_database(tmp_path / "migrated.sqlite3").close()
    scripted = everything(tmp_path / "scripted.sqlite3")
    migrated = everything(tmp_path / "migrated.sqlite3")
    assert scripted["sqlite_master"] == migrated["sqlite_master"]
    assert scripted["pragmas"] == migrated["pragmas"]
    for table in ("alembic_version", "audit_session", "audit_log"):
        assert scripted["rows"][table] == migrated["rows"][table]  # type: ignore[index]


def test_an_out_of_date_script_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema_head, "FINGERPRINT", "0" * 64)
    conn = sqlite3.connect(tmp_path / "new.sqlite3")
    try:
        assert not schema_script.create(conn)
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    finally:
        conn.close()
    db = open_database(tmp_path / "school.sqlite3")  # migrated by Alembic instead
    db.close()
    assert everything(tmp_path / "school.sqlite3")["rows"]["alembic_version"] == [  # type: ignore[index]
        repr((migrations.head_revision(),))
    ]


def test_the_script_never_writes_into_a_database_that_has_tables(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.commit()
        assert not schema_script.create(conn)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    finally:
        conn.close()
    assert names == ["notes"]


def test_a_new_school_is_made_without_alembic_or_sqlalchemy(tmp_path: Path) -> None:
    """What a first import pays for: creating the file loads neither library."""
    path = tmp_path / "school.sqlite3"
    code = (
        "import sys; from pathlib import Path\n"
        "from attendance_desk.storage.db import open_database\n"
        f"open_database(Path({str(path)!r})).close()\n"
        "print(sorted(m for m in ('alembic', 'sqlalchemy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    conn = sqlite3.connect(path)
    try:
        assert migrations.stored_revision(conn) == migrations.head_revision()
    finally:
        conn.close()
