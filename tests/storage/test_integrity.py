"""A damaged file, or one that is not ours, is detected on opening, explained, and never changed."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from attendance_desk.errors import DatabaseError
from attendance_desk.storage.db import open_database
from attendance_desk.storage.integrity import DamagedDatabaseError, integrity_report
from attendance_desk.storage.models import Mark, Pupil


def school_file(path: Path, pupils: int = 40) -> Path:
    db = open_database(path)
    with db.session() as s:
        for i in range(pupils):
            pupil = Pupil(legal_surname=f"Surname{i}", legal_forename="Sam")
            s.add(pupil)
            s.flush()
            for d in range(30):
                day = date(2024, 9, 2) + timedelta(days=d)
                s.add(Mark(pupil_id=pupil.id, date=day, session="AM", code="/"))
    db.close()
    return path


def marks_root_page(path: Path) -> int:
    return root_page(path, "marks")


def root_page(path: Path, name: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)
        ).fetchone()[0]
    finally:
        conn.close()


def wreck_page(path: Path, page: int) -> bytes:
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    data[(page - 1) * size + 8 : page * size] = b"\x07" * (size - 8)
    path.write_bytes(bytes(data))
    return bytes(data)


def test_an_intact_file_passes(db_path: Path) -> None:
    school_file(db_path)
    assert integrity_report(db_path, full=True).ok


@pytest.mark.parametrize("damage", ["wrecked table page", "truncated", "wrecked schema"])
def test_a_damaged_file_is_detected_and_not_overwritten(db_path: Path, damage: str) -> None:
    school_file(db_path)
    if damage == "wrecked table page":
        before = wreck_page(db_path, marks_root_page(db_path))
    elif damage == "truncated":
        before = db_path.read_bytes()[: 4096 * 3]
        db_path.write_bytes(before)
    else:
        data = bytearray(db_path.read_bytes())
        data[100:4096] = b"\x55" * (4096 - 100)  # sqlite_master's page after the file header
        before = bytes(data)
        db_path.write_bytes(before)
    with pytest.raises(DamagedDatabaseError) as caught:
        open_and_check(db_path)
    assert caught.value.kind == "damaged"
    assert caught.value.path == db_path
    message = str(caught.value)
    assert "damaged" in message and "not been changed" in message and "restore" in message
    assert db_path.read_bytes() == before
    with pytest.raises(DamagedDatabaseError):
        open_and_check(db_path, read_only=True)
    assert db_path.read_bytes() == before


def open_and_check(path: Path, **kw: bool) -> None:
    """Open (what costs the same for any file is checked at once) and wait for the full check."""
    db = open_database(path, **kw)
    try:
        db.require_intact()
    finally:
        with contextlib.suppress(DamagedDatabaseError):
            db.close()


def test_a_damaged_file_is_never_written(db_path: Path) -> None:
    school_file(db_path)
    before = wreck_page(db_path, marks_root_page(db_path))
    db = open_database(db_path)  # the damage is in a table: the full check finds it
    with pytest.raises(DamagedDatabaseError, match="is damaged"), db.session() as s:
        s.add(Pupil(legal_surname="New", legal_forename="Pupil"))
    with pytest.raises(DamagedDatabaseError):
        db.raw_connection(write=True)
    with pytest.raises(DamagedDatabaseError):  # and closing says so, if nothing did before
        db.close()
    assert db_path.read_bytes() == before


def test_reading_never_waits_for_the_check_and_closing_always_does(db_path: Path) -> None:
    school_file(db_path)
    db = open_database(db_path, check="later")  # as the window opens it
    with db.session() as s:
        assert s.query(Pupil).count() == 40
    conn = db.raw_connection()
    conn.execute("SELECT count(*) FROM marks").fetchone()
    conn.close()
    assert not db.integrity.started  # nothing waited for it
    with db.session() as s:  # a write starts it, waits for it, then commits
        s.add(Pupil(legal_surname="New", legal_forename="Pupil"))
    assert db.integrity.done and db.integrity.report().ok
    db.close()
    db = open_database(db_path)  # as a command opens it: the check starts at once
    assert db.integrity.started
    db.close()
    assert db.integrity.done


def test_a_file_of_another_program_offers_a_restore(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE recipes (name)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(DamagedDatabaseError, match="another program") as caught:
        open_database(db_path)
    assert caught.value.kind == "not_ours"
    assert db_path.read_bytes() == before


def test_a_damaged_file_on_the_command_line_is_one_line_and_exit_2(db_path: Path) -> None:
    school_file(db_path)
    before = wreck_page(db_path, marks_root_page(db_path))
    result = subprocess.run(
        [sys.executable, "-m", "attendance_desk", "--db", str(db_path), "backup"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is damaged" in lines[0] and "restore" in lines[0]
    assert db_path.read_bytes() == before


def test_damage_is_a_database_error(db_path: Path) -> None:
    assert issubclass(DamagedDatabaseError, DatabaseError)


def test_a_command_prints_nothing_from_a_damaged_file(db_path: Path) -> None:
    """The check runs beside the command's work; the command waits for it before printing."""
    school_file(db_path)
    # a page the command never reads (an index it does not use), but the check reads every one
    before = wreck_page(db_path, root_page(db_path, "ix_pupils_mis_person_id"))
    result = subprocess.run(
        [sys.executable, "-m", "attendance_desk", "--db", str(db_path), "pupils"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is damaged" in lines[0]
    assert db_path.read_bytes() == before


def test_the_command_line_starts_the_check_before_its_imports(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attendance_desk.cli import main
    from attendance_desk.storage import db as storage_db
    from attendance_desk.storage import integrity

    school_file(db_path)
    taken: list[integrity.IntegrityCheck] = []

    def take(path: Path) -> integrity.IntegrityCheck | None:
        check = integrity.take_early(path)
        if check is not None:
            taken.append(check)
        return check

    monkeypatch.setattr(storage_db, "take_early", take)
    assert main(["policy", "--db", str(db_path)]) == 0
    # the command's open took over the check the command line had started, and it finished
    assert len(taken) == 1 and taken[0].path == db_path and taken[0].done
    assert not integrity._EARLY  # forgotten once the command is over
