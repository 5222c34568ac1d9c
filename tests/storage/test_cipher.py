"""Encryption at rest: with a password set, the database and every backup are SQLCipher files a
copy of which reveals nothing; without one, plain SQLite as before. Setting and removing the
password re-encrypts in place: a kill -9 at any moment leaves the old file or the new one, and
a full disk leaves the old one with a message saying the disk is full."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from attendance_desk.errors import DatabaseError
from attendance_desk.services import access
from attendance_desk.services.backup import list_backups, make_backup
from attendance_desk.storage.cipher import PasswordNeededError, is_encrypted
from attendance_desk.storage.db import open_database
from attendance_desk.storage.models import Pupil

PASSWORD = "correct horse battery"
NAME = "Przybylski"  # a surname that appears nowhere else in a file


def _school(path: Path) -> None:
    db = open_database(path)
    with db.session() as s:
        s.add(Pupil(legal_surname=NAME, legal_forename="Ala"))
    db.close()


def _plain_names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT legal_surname FROM pupils")]
    finally:
        conn.close()


def test_a_password_encrypts_the_file_and_every_backup_and_removing_it_undoes_that(
    db_path: Path, tmp_path: Path
) -> None:
    _school(db_path)
    db = open_database(db_path)
    make_backup(db)  # taken before the password: re-encrypted with the rest
    access.set_password(db, PASSWORD)
    with db.session() as s:
        assert [p.legal_surname for p in s.query(Pupil)] == [NAME]  # still in use
    backups = [b.path for b in list_backups(db)]
    db.close()
    assert len(backups) == 2  # the one above and the one taken before encrypting
    copy = tmp_path / "copied.sqlite3"
    shutil.copy(db_path, copy)
    for path in (db_path, copy, *backups):
        assert is_encrypted(path)
        assert NAME.encode() not in path.read_bytes()
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            _plain_names(path)
    with pytest.raises(PasswordNeededError, match="is locked with the school's password, or"):
        open_database(db_path)
    with pytest.raises(DatabaseError, match="cannot be opened with this password"):
        open_database(db_path, password="not the password")
    db = open_database(db_path, password=PASSWORD)
    access.clear_password(db, PASSWORD)
    assert not db.encrypted
    db.close()
    assert _plain_names(db_path) == [NAME]
    assert all(_plain_names(p) == [NAME] for p in backups)


KILLED = textwrap.dedent(
    """
    import sys
    from attendance_desk.storage.db import open_database
    from attendance_desk.services import access
    db = open_database(sys.argv[1])
    print("open", flush=True)
    access.set_password(db, sys.argv[2])
    print("done", flush=True)
    """
)


def test_a_kill_while_the_password_is_set_leaves_the_old_file_or_the_new_one(
    db_path: Path,
) -> None:
    _school(db_path)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(db_path), PASSWORD],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    time.sleep(random.uniform(0.2, 2.5))  # somewhere in: backup, hash, key, copy, move
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    if is_encrypted(db_path):
        db = open_database(db_path, password=PASSWORD)
    else:
        db = open_database(db_path)
    with db.session() as s:
        assert [p.legal_surname for p in s.query(Pupil)] == [NAME]
    db.close()
    # at most the killed process's own unfinished copy (and its journal) is left beside it
    leftovers = [p.name for p in db_path.parent.iterdir() if ".rekey" in p.name]
    assert all(n.startswith(f".{db_path.name}.rekey-{proc.pid}") for n in leftovers)


def test_a_full_disk_while_encrypting_says_so_and_keeps_the_database(small_disk: Path) -> None:
    path = small_disk / "school.sqlite3"
    db = open_database(path)
    with db.session() as s:
        s.add_all(Pupil(legal_surname=f"{NAME}{i}", legal_forename="x" * 90) for i in range(9000))
    db.close()
    before = _plain_names(path)
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * max(0, free - 200_000))  # room for the backup, not the copy
    db = open_database(path)
    try:
        with pytest.raises(DatabaseError) as caught:
            db.change_key(PASSWORD)
    finally:
        db.close()
    assert str(caught.value) == (
        f"the disk holding {path} is full: free some space and try again "
        "(the database is unchanged)"
    )
    assert not is_encrypted(path) and _plain_names(path) == before
    assert [p.name for p in small_disk.iterdir() if "rekey" in p.name] == []
    os.remove(filler)
