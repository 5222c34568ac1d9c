"""A command that only reads reuses the verdict of a full integrity check of the very same file
state; any change of the file, any write, a day passing, or the window means a full check."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from attendance_desk.cli import main
from attendance_desk.storage import integrity
from attendance_desk.storage.db import open_database
from attendance_desk.storage.integrity import IntegrityCheck, Verdict, file_state
from tests.storage.test_integrity import root_page, school_file


@pytest.fixture
def full_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Every full check that reads the file's pages, as it happens; and no wait for the file
    system's clock (see RACY_SECONDS, tested on its own below)."""
    done: list[Path] = []
    real = integrity.integrity_report

    def counted(path: Path, *, full: bool = False) -> integrity.IntegrityReport:
        if full:
            done.append(path)
        return real(path, full=full)

    monkeypatch.setattr(integrity, "integrity_report", counted)
    monkeypatch.setattr(integrity, "RACY_SECONDS", 0.0)
    yield done


def pupils(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["pupils", "--db", str(path), "--as-of", "2024-10-01"])
    out, err = capsys.readouterr()
    return code, out, err


def damage_in_place(path: Path, page: int) -> None:
    """Overwrite one page with garbage, the file keeping its size (and, as a careless tool
    would, its modification time)."""
    before = os.stat(path)
    with path.open("r+b") as fh:
        size = int.from_bytes(fh.read(18)[16:18], "big")
        fh.seek((page - 1) * size + 8)
        fh.write(b"\x07" * (size - 8))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert after.st_size == before.st_size and after.st_mtime_ns == before.st_mtime_ns


def test_a_reading_command_reuses_the_verdict_while_the_file_is_unchanged(
    db_path: Path, full_checks: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    school_file(db_path)
    time.sleep(0.01)
    code, first, _ = pupils(db_path, capsys)
    assert code == 0 and "Surname1" in first
    assert len(full_checks) == 1  # the first command checks every page, and keeps the verdict
    for _ in range(2):
        code, again, _ = pupils(db_path, capsys)
        assert code == 0 and again == first
    assert len(full_checks) == 1  # the same bytes: the verdict stands, nothing re-read


def test_damage_after_a_passing_check_is_found_by_the_next_reading_command(
    db_path: Path, full_checks: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    school_file(db_path)
    time.sleep(0.01)
    assert pupils(db_path, capsys)[0] == 0
    assert pupils(db_path, capsys)[0] == 0
    assert len(full_checks) == 1  # the verdict is there and reused
    state = file_state(db_path)
    damage_in_place(db_path, root_page(db_path, "ix_pupils_mis_person_id"))  # never read
    # Same size, same modification time: the status-change time (which no program can set
    # back) still changes, so the state differs and the verdict no longer applies.
    assert file_state(db_path) != state
    damaged = db_path.read_bytes()
    code, out, err = pupils(db_path, capsys)
    assert code == 2 and out == ""
    assert "is damaged" in err and "restore" in err.lower()
    assert len(full_checks) == 2
    assert db_path.read_bytes() == damaged  # and the file is left as it was
    assert not Verdict(db_path).file.exists()  # a failed check leaves no verdict


@pytest.mark.skipif(sys.platform == "win32", reason="the status-change time is POSIX's")
def test_every_part_of_the_state_that_a_write_changes_is_in_the_key(db_path: Path) -> None:
    school_file(db_path)
    state = file_state(db_path)
    assert state is not None
    st = os.stat(db_path)
    assert state["file"] == [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    time.sleep(0.02)  # past the file system's clock tick
    db = open_database(db_path)
    conn = db.raw_connection(write=True)
    with conn:
        conn.execute("UPDATE marks SET code = 'N' WHERE date = '2024-09-02' AND session = 'AM'")
    while_open = file_state(db_path)  # the change is in the write-ahead log: it counts
    assert while_open is not None and while_open["wal"] is not None and while_open != state
    conn.close()
    db.close()
    assert file_state(db_path) not in (state, while_open)


def test_a_write_never_takes_a_reused_verdict(db_path: Path, full_checks: list[Path]) -> None:
    school_file(db_path)
    time.sleep(0.01)
    IntegrityCheck(db_path).report()  # a full check that passes: its verdict is kept
    assert len(full_checks) == 1
    check = IntegrityCheck(db_path, reuse=True)
    assert check.report().reused and len(full_checks) == 1
    check.require()  # reading: the verdict stands
    check.require(for_write=True)  # writing: a full check of its own
    assert len(full_checks) == 2 and not check.report().reused
    # and through the database: a command that reads opens it; its write checks in full
    db = open_database(db_path, check="later")
    db.integrity = IntegrityCheck(db_path, reuse=True)
    db.integrity.start()
    assert db.integrity.report().reused
    with db.session() as s:
        from attendance_desk.storage.models import Pupil

        s.add(Pupil(legal_surname="New", legal_forename="Pupil"))
    assert len(full_checks) == 3
    db.close()


def test_the_window_always_checks_in_full(db_path: Path, full_checks: list[Path]) -> None:
    school_file(db_path)
    time.sleep(0.01)
    IntegrityCheck(db_path).report()
    db = open_database(db_path, check="later")  # as the window opens it
    db.integrity.start()  # once its first screen is up
    assert db.integrity.report().ok and not db.integrity.report().reused
    db.close()
    assert len(full_checks) == 2


def test_a_verdict_older_than_a_day_is_not_reused(db_path: Path, full_checks: list[Path]) -> None:
    school_file(db_path)
    time.sleep(0.01)
    IntegrityCheck(db_path).report()
    verdict = Verdict(db_path)
    assert IntegrityCheck(db_path, reuse=True).report().reused
    stored = json.loads(verdict.file.read_text())
    stored["checked_at"] -= integrity.VERDICT_MAX_AGE + 60
    verdict.file.write_text(json.dumps(stored))
    assert not IntegrityCheck(db_path, reuse=True).report().reused
    assert len(full_checks) == 2
    verdict.file.write_text("{not json")  # an unreadable verdict is no verdict
    assert not IntegrityCheck(db_path, reuse=True).report().reused
    assert len(full_checks) == 3


def test_a_file_written_moments_before_its_check_gets_no_verdict(db_path: Path) -> None:
    """A write within the same tick of a coarse file-system clock (FAT: 2 s) could leave every
    time unchanged: a state newer than RACY_SECONDS before the check is never recorded."""
    school_file(db_path)
    assert IntegrityCheck(db_path).report().ok
    assert not Verdict(db_path).file.exists()
    assert not IntegrityCheck(db_path, reuse=True).report().reused


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_the_verdict_is_private_and_holds_no_school_data(
    db_path: Path, full_checks: list[Path]
) -> None:
    school_file(db_path)
    time.sleep(0.01)
    IntegrityCheck(db_path).report()
    file = Verdict(db_path).file
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert file.parent != db_path.parent  # in the app-data folder, not beside the school's file
    text = file.read_text()
    assert "Surname" not in text and set(json.loads(text)) == {"path", "state", "checked_at"}
