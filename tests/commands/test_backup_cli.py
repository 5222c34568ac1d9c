"""`attendance-desk backup` and `restore`: real processes, exit 0 or exit 2 with one line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from attendance_desk.storage.db import open_database
from attendance_desk.storage.models import Pupil


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "appdata")}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attendance_desk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def pupils(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
    finally:
        conn.close()


def school(path: Path, n: int) -> None:
    db = open_database(path)
    with db.session() as s:
        s.add_all(Pupil(legal_surname=f"S{i}", legal_forename="F") for i in range(n))
    db.close()


def test_backup_to_a_file_and_restore_it(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "school.sqlite3"
    school(db, 3)
    copy = tmp_path / "copy.sqlite3"
    made = cli(env, "--db", str(db), "backup", "--to", str(copy))
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"Backed up to {copy} (3 pupils, 0 marks)"
    school(db, 2)
    assert pupils(db) == 5
    restored = cli(env, "--db", str(db), "restore", str(copy))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"Restored {db} from {copy}")
    assert "the file it replaced is kept as" in restored.stdout
    assert pupils(db) == 3
    kept = Path(restored.stdout.rsplit("kept as ", 1)[1].strip())
    assert pupils(kept) == 5


def test_backup_into_the_backup_folder(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "school.sqlite3"
    school(db, 1)
    made = cli(env, "--db", str(db), "backup")
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "appdata" / "AttendanceDesk" / "backups" / "school"
    assert str(folder) in made.stdout
    assert len(list(folder.glob("school_manual_*.sqlite3"))) == 1


@pytest.mark.parametrize(
    "case", ["missing backup", "not a backup", "no database", "backup of itself"]
)
def test_mistakes_give_exit_2_and_one_line(tmp_path: Path, env: dict[str, str], case: str) -> None:
    db = tmp_path / "school.sqlite3"
    school(db, 1)
    before = db.read_bytes()
    if case == "missing backup":
        args = ["--db", str(db), "restore", str(tmp_path / "nope.sqlite3")]
    elif case == "not a backup":
        notes = tmp_path / "notes.txt"
        notes.write_text("hello")
        args = ["--db", str(db), "restore", str(notes)]
    elif case == "no database":
        args = ["--db", str(tmp_path / "none.sqlite3"), "backup"]
    else:
        args = ["--db", str(db), "backup", "--to", str(db)]
    result = cli(env, *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("attendance-desk: "), result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder no file can be made in")
def test_a_backup_to_a_place_that_cannot_be_written_is_one_line(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "school.sqlite3"
    school(db, 1)
    result = cli(env, "--db", str(db), "backup", "--to", "/proc/backup.sqlite3")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write" in lines[0], result.stderr


def test_restoring_into_a_folder_is_one_line_and_changes_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "school.sqlite3"
    school(db, 1)
    copy = tmp_path / "copy.sqlite3"
    assert cli(env, "--db", str(db), "backup", "--to", str(copy)).returncode == 0
    folder = tmp_path / "a folder"
    folder.mkdir()
    result = cli(env, "--db", str(folder), "restore", str(copy))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is a folder" in lines[0], result.stderr
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("what", ["text", "damaged", "folder"])
def test_restoring_what_is_not_a_backup_says_so_about_the_backup(
    tmp_path: Path, env: dict[str, str], what: str
) -> None:
    db = tmp_path / "school.sqlite3"
    school(db, 1)
    before = db.read_bytes()
    bad = tmp_path / "bad.sqlite3"
    if what == "text":
        bad.write_text("hello")
    elif what == "damaged":
        copy = tmp_path / "copy.sqlite3"
        assert cli(env, "--db", str(db), "backup", "--to", str(copy)).returncode == 0
        bad.write_bytes(copy.read_bytes()[:20000])
    else:
        bad.mkdir()
    result = cli(env, "--db", str(db), "restore", str(bad))
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line
    # the advice is about the file given, never to restore a backup into it
    expected = {"text": "not an Attendance Desk backup", "damaged": "damaged", "folder": "folder"}
    assert expected[what] in line and "--db " not in line, line
    assert db.read_bytes() == before
