"""One writer: a second copy of the application (a real second process) is refused, with a
message saying who holds the database; it may still open the file read-only."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from attendance_desk.services.backup import make_backup
from attendance_desk.storage.db import open_database
from attendance_desk.storage.models import Pupil
from attendance_desk.storage.writer_lock import DatabaseInUseError, lock_path

HOLDER = textwrap.dedent(
    """
    import sys
    from attendance_desk.storage.db import open_database
    db = open_database(sys.argv[1])
    print("open", flush=True)
    sys.stdin.readline()  # hold the database until told to stop
    """
)


def start_holder(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
    return proc


def test_a_second_process_is_refused_and_told_who_holds_it(db_path: Path) -> None:
    db = open_database(db_path)
    with db.session() as s:
        s.add(Pupil(legal_surname="Khan", legal_forename="Ali"))
    db.close()
    holder = start_holder(db_path)
    try:
        with pytest.raises(DatabaseInUseError) as caught:
            open_database(db_path)
        message = str(caught.value)
        assert "another copy of Attendance Desk" in message
        assert f"process {holder.pid}" in message
        assert "read-only" in message
        # read-only opening is allowed and sees the data
        reader = open_database(db_path, read_only=True)
        with reader.session() as s:
            assert s.query(Pupil).count() == 1
        copy = make_backup(reader, to=db_path.with_name("copy.sqlite3")).path
        reader.close()
        # a restore over it is refused by the command line in one line, exit 2
        before = db_path.read_bytes()
        result = subprocess.run(
            [sys.executable, "-m", "attendance_desk", "--db", str(db_path), "restore", str(copy)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "another copy of Attendance Desk" in result.stderr
        assert db_path.read_bytes() == before
    finally:
        holder.stdin.close()  # type: ignore[union-attr]
        holder.wait(timeout=60)
    open_database(db_path).close()  # free again once the other copy has gone


def test_a_killed_holder_leaves_no_stale_lock(db_path: Path) -> None:
    open_database(db_path).close()
    holder = start_holder(db_path)
    holder.kill()
    holder.wait()
    assert lock_path(db_path).exists()
    open_database(db_path).close()


def test_the_same_process_may_open_the_file_twice(db_path: Path) -> None:
    first = open_database(db_path)
    second = open_database(db_path)
    second.close()
    holder = subprocess.run(
        [sys.executable, "-c", HOLDER, str(db_path)], input="", capture_output=True, text=True
    )
    assert holder.returncode != 0 and "another copy" in holder.stderr  # still held by `first`
    first.close()


def test_the_lock_holds_through_a_symlink_and_another_spelling(db_path: Path) -> None:
    open_database(db_path).close()
    link = db_path.with_name("link.sqlite3")
    link.symlink_to(db_path)
    (db_path.parent / "sub").mkdir()
    spelled = db_path.parent / "sub" / ".." / db_path.name
    holder = start_holder(link)
    try:
        for other in (db_path, link, spelled):
            with pytest.raises(DatabaseInUseError, match="another copy of Attendance Desk"):
                open_database(other)
    finally:
        holder.stdin.close()  # type: ignore[union-attr]
        holder.wait(timeout=60)
    open_database(spelled).close()
