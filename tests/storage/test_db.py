"""Opening a database: migrations from empty, pragmas, and clear refusals of bad paths."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from attendance_desk.errors import DatabaseError
from attendance_desk.storage import migrations
from attendance_desk.storage.db import open_database
from attendance_desk.storage.models import Base, Mark, Pupil


def test_migrations_build_the_whole_schema_from_an_empty_file(db_path: Path) -> None:
    db = open_database(db_path)
    db.close()
    conn = sqlite3.connect(db_path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    conn.close()
    assert set(Base.metadata.tables) <= tables
    assert version == migrations.head_revision()


def test_foreign_keys_and_wal_are_on(db) -> None:  # noqa: ANN001
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_deleting_a_pupil_removes_their_marks(db) -> None:  # noqa: ANN001
    with db.session() as s:
        pupil = Pupil(upn="A123456789012", legal_surname="Smith", legal_forename="Ann")
        s.add(pupil)
        s.flush()
        s.add(Mark(pupil_id=pupil.id, date=date(2024, 9, 3), session="AM", code="/"))
    with db.session() as s:
        s.delete(s.get(Pupil, pupil.id))
    with db.session() as s:
        assert s.query(Mark).count() == 0


def test_reopening_keeps_data_and_does_not_migrate_again(db_path: Path) -> None:
    db = open_database(db_path)
    with db.session() as s:
        s.add(Pupil(legal_surname="Jones", legal_forename="Bea"))
    db.close()
    db = open_database(db_path)
    with db.session() as s:
        assert [p.legal_surname for p in s.query(Pupil)] == ["Jones"]
    db.close()


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="is a folder"):
        open_database(tmp_path)


def test_a_text_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    with pytest.raises(DatabaseError, match="not an Attendance Desk database"):
        open_database(notes)
    assert notes.read_text() == "not a database\n"


def test_another_programs_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(DatabaseError, match="another program"):
        open_database(other)
    assert other.read_bytes() == before


def _read_only_location(tmp_path: Path) -> Path:
    if os.geteuid() == 0:  # root writes through permissions; /proc is read-only for everyone
        return Path("/proc/attendance-desk.sqlite3")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    return folder / "school.sqlite3"


def test_a_read_only_location_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="cannot be written|cannot create"):
        open_database(_read_only_location(tmp_path))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attendance_desk", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("kind", ["folder", "text file", "read-only location"])
def test_command_line_gives_exit_2_and_one_clear_line(tmp_path: Path, kind: str) -> None:
    if kind == "folder":
        target = tmp_path
    elif kind == "text file":
        target = tmp_path / "notes.txt"
        target.write_text("hello")
    else:
        target = _read_only_location(tmp_path)
    result = _cli("--db", str(target), "demo", "--as-of", "2025-01-10")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(target) in lines[0]
    assert "Traceback" not in result.stderr


def test_an_empty_file_is_not_silently_made_a_new_school(db_path: Path) -> None:
    from attendance_desk.storage.integrity import DamagedDatabaseError

    db_path.write_bytes(b"")
    with pytest.raises(DamagedDatabaseError, match="is an empty file") as caught:
        open_database(db_path)
    assert caught.value.kind == "empty" and db_path.read_bytes() == b""
    result = subprocess.run(
        [sys.executable, "-m", "attendance_desk", "--db", str(db_path), "import", "x.csv"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "is an empty file (0 bytes)" in result.stderr
    assert db_path.read_bytes() == b""
    open_database(db_path, new_school=True).close()  # the person chose a new school
    assert db_path.stat().st_size > 0
