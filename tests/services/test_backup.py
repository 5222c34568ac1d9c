"""Backups: consistent while another process writes, rotated, listed, verified, restored."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from attendance_desk.errors import DatabaseError
from attendance_desk.services import backup as backups
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.models import Mark, Pupil


@pytest.fixture(autouse=True)
def app_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "appdata"
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    return folder


def add_pupils(db: Database, n: int, days: int = 5, start: int = 0) -> None:
    with db.session() as s:
        for i in range(start, start + n):
            pupil = Pupil(upn=f"A{i:012d}", legal_surname=f"Surname{i}", legal_forename="Kim")
            s.add(pupil)
            s.flush()
            for d in range(days):
                for session in ("AM", "PM"):
                    s.add(
                        Mark(
                            pupil_id=pupil.id,
                            date=date(2024, 9, 2) + timedelta(days=d),
                            session=session,
                            code="/",
                        )
                    )


def counts(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("SELECT count(*) FROM pupils").fetchone()[0],
            conn.execute("SELECT count(*) FROM marks").fetchone()[0],
        )
    finally:
        conn.close()


WRITER = textwrap.dedent(
    """
    import sys, time
    from attendance_desk.storage.db import open_database
    db = open_database(sys.argv[1])
    conn = db.raw_connection()
    print("ready", flush=True)
    deadline = time.monotonic() + 60
    n = 0
    while time.monotonic() < deadline:
        with conn:  # one transaction: a pupil and exactly 20 marks
            cur = conn.execute(
                "INSERT INTO pupils (legal_surname, legal_forename, pupil_premium, fsm, sen_status,"
                " eal, looked_after, child_protection, child_in_need, created_at, updated_at)"
                " VALUES ('W', ?, 0, 0, 'N', 0, 0, 0, 0, '2024-09-01', '2024-09-01')", (str(n),))
            pid = cur.lastrowid
            conn.executemany(
                "INSERT INTO marks (pupil_id, date, session, code, source, updated_at)"
                " VALUES (?, ?, ?, '/', 'mis', '2024-09-01')",
                [(pid, f"2024-09-{d:02d}", s) for d in range(1, 11) for s in ("AM", "PM")])
        n += 1
    """
)


def test_a_backup_taken_while_another_process_writes_restores_consistent(tmp_path: Path) -> None:
    path = tmp_path / "school.sqlite3"
    open_database(path).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        reader = open_database(path, read_only=True)  # the writer holds the writer lock
        taken = []
        for _ in range(4):
            time.sleep(0.3)
            taken.append(backups.make_backup(reader))
        reader.close()
    finally:
        writer.kill()
        writer.wait()
    assert taken[-1].pupils > taken[0].pupils > 0, "the writer was writing during the backups"
    for n, info in enumerate(taken):
        restored = tmp_path / f"restored{n}.sqlite3"
        backups.restore_backup(restored, info.path)
        pupils, marks = counts(restored)
        assert (pupils, marks) == (info.pupils, info.marks)
        assert marks == 20 * pupils  # never half a transaction
        db = open_database(restored)
        db.close()


def test_backups_are_listed_newest_first_with_counts(db: Database) -> None:
    add_pupils(db, 3)
    first = backups.make_backup(db)
    add_pupils(db, 2, start=10)
    second = backups.make_backup(db, kind=backups.PRE_IMPORT)
    listed = backups.list_backups(db)
    assert [b.path for b in listed] == [second.path, first.path]
    assert [(b.kind, b.pupils, b.marks) for b in listed] == [
        ("pre-import", 5, 50),
        ("manual", 3, 30),
    ]
    assert listed[0].path.parent == backups.default_backup_folder(db.path)
    assert not Path(str(second.path) + "-wal").exists()  # a backup is one self-contained file


def test_rotation_keeps_the_last_14_daily_and_10_pre_import(db: Database) -> None:
    add_pupils(db, 1)
    daily = [backups.make_backup(db, kind=backups.DAILY).taken_at for _ in range(16)]
    pre = [backups.make_backup(db, kind=backups.PRE_IMPORT).taken_at for _ in range(12)]
    manual = [backups.make_backup(db).taken_at for _ in range(3)]
    listed = backups.list_backups(db)
    kept = {kind: {b.taken_at for b in listed if b.kind == kind} for kind in backups.KINDS}
    assert kept[backups.DAILY] == set(daily[2:])
    assert kept[backups.PRE_IMPORT] == set(pre[2:])
    assert kept[backups.MANUAL] == set(manual)
    folder = backups.backup_folder(db)
    assert len(list(folder.glob("*.sqlite3"))) == len(list(folder.glob("*.json"))) == 14 + 10 + 3


def test_the_pre_import_backup(db: Database) -> None:
    add_pupils(db, 2)
    path = backups.backup_before_import(db)
    assert path.name.startswith("school_pre-import_") and counts(path) == (2, 20)


def test_the_daily_backup_is_taken_once_a_day(db: Database) -> None:
    add_pupils(db, 1)
    first = backups.daily_backup_if_due(db)
    assert first is not None and first.exists()
    assert backups.daily_backup_if_due(db) is None
    tomorrow = backups.daily_backup_if_due(db, today=date.today() + timedelta(days=1))
    assert tomorrow is not None


def test_the_backup_folder_comes_from_settings(db: Database, tmp_path: Path) -> None:
    chosen = tmp_path / "usb stick" / "backups"
    assert backups.set_backup_folder(db, chosen) == chosen
    info = backups.make_backup(db)
    assert info.path.parent == chosen
    assert backups.backup_folder(db) == chosen
    db.close()
    # found again without opening the database, for a restore after damage
    assert backups.latest_backup_for(db.path).path == info.path
    db2 = open_database(db.path)
    assert backups.set_backup_folder(db2, None) == backups.default_backup_folder(db.path)
    db2.close()


def test_backup_to_a_named_file(db: Database, tmp_path: Path) -> None:
    add_pupils(db, 2)
    info = backups.make_backup(db, to=tmp_path / "copy.sqlite3")
    assert info.path == tmp_path / "copy.sqlite3" and counts(info.path) == (2, 20)
    with pytest.raises(Exception, match="the database itself"):
        backups.make_backup(db, to=db.path)


def test_restore_brings_back_the_backup_and_keeps_the_current_file(db: Database) -> None:
    add_pupils(db, 3)
    info = backups.make_backup(db)
    add_pupils(db, 4, start=20)  # committed, still in the write-ahead log
    db.engine.dispose()
    result = backups.restore_backup(db.path, info.path)
    assert counts(db.path) == (3, 30)
    assert result.previous_kept_as is not None
    assert counts(result.previous_kept_as) == (7, 70)
    assert not Path(str(db.path) + "-wal").exists()
    with db.session() as s:  # the same Database carries on, on the restored file
        assert s.query(Pupil).count() == 3
    kinds = {b.kind for b in backups.list_backups(db)}
    assert kinds == {"manual", "pre-restore"}


def test_a_damaged_backup_is_refused_and_nothing_changes(db: Database, tmp_path: Path) -> None:
    add_pupils(db, 3)
    info = backups.make_backup(db)
    data = bytearray(info.path.read_bytes())
    data[4096 * 2 : 4096 * 3] = b"\xff" * 4096  # wreck a page
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(bytes(data))
    db.close()
    before = db.path.read_bytes()
    with pytest.raises(DatabaseError, match="damaged|malformed|not an Attendance Desk"):
        backups.restore_backup(db.path, bad)
    assert db.path.read_bytes() == before


def test_restoring_over_a_damaged_database_moves_it_aside_unchanged(
    db: Database, tmp_path: Path
) -> None:
    add_pupils(db, 2)
    info = backups.make_backup(db)
    db.close()
    db.path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 5000)  # a wreck
    wreck = db.path.read_bytes()
    result = backups.restore_backup(db.path, info.path)
    assert result.previous_kept_as is not None
    assert result.previous_kept_as.read_bytes() == wreck
    assert counts(db.path) == (2, 20)
    open_database(db.path).close()


def test_a_full_disk_while_restoring_says_so_and_leaves_the_database(small_disk: Path) -> None:
    path = small_disk / "school.sqlite3"
    db = open_database(path)
    with db.session() as s:
        s.add_all(Pupil(legal_surname=f"Surname{i}", legal_forename="x" * 90) for i in range(3000))
    backup = backups.make_backup(db, to=small_disk / "copy.sqlite3").path
    with db.session() as s:
        s.add(Pupil(legal_surname="Added after the backup", legal_forename="Ann"))
    db.close()
    before = path.read_bytes()
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * max(0, free - 100_000))
    with pytest.raises(DatabaseError) as caught:
        backups.restore_backup(path, backup)
    assert "disk is full" in str(caught.value) and "damaged" not in str(caught.value)
    assert path.read_bytes() == before  # never moved aside, never touched
    assert [p.name for p in small_disk.iterdir() if "restoring" in p.name] == []
