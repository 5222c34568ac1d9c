"""Crash safety: an import killed (SIGKILL) half way leaves the database exactly as it was.

A real `python -m attendance_desk --db X import BIG.xlsx` process is started on a big register
made here with openpyxl, killed while it is writing, and the file is compared with before.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from attendance_desk.storage.db import open_database
from attendance_desk.storage.integrity import integrity_report

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"),
]


def upn(n: int) -> str:
    digits = f"873331{24:02d}{n:04d}"
    total = sum(int(d) * weight for weight, d in enumerate(digits, start=2))
    return UPN_LETTERS[total % 23] + digits


def school_days(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def big_register(path: Path, pupils: int, days: int) -> int:
    """The wide single-header layout of the sample files; returns the number of marks."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Marks")
    dates = school_days(date(2024, 9, 2), days)
    ws.append([f"Attendance marks {dates[0]:%d/%m/%Y} - {dates[-1]:%d/%m/%Y}"])
    header = ["UPN", "Surname", "Forename", "Form", "Year"]
    for d in dates:
        header += [f"{d:%a %d/%m/%Y} AM", f"{d:%a %d/%m/%Y} PM"]
    ws.append(header)
    codes = ["/", "\\", "/", "\\", "/", "\\", "I", "M", "N", "L", "/", "\\"]
    for n in range(pupils):
        year = 1 + n % 6
        row = [upn(n), f"Surname{n:04d}", f"Forename{n % 97}", f"{year} Class", f"Year {year}"]
        row += [codes[(n + k) % len(codes)] for k in range(2 * days)]
        ws.append(row)
    wb.save(path)
    return pupils * days * 2


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    finally:
        conn.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_import_killed_half_way_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "appdata")}
    db_path = tmp_path / "school.sqlite3"
    register = tmp_path / "BIG.xlsx"
    total = big_register(register, pupils=600, days=190)  # 228,000 marks
    command = [sys.executable, "-m", "attendance_desk", "--db", str(db_path), "import"]

    # a school with data already: the first few weeks imported and committed
    small = tmp_path / "first-weeks.xlsx"
    big_register(small, pupils=600, days=10)
    first = subprocess.run([*command, str(small)], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    db = open_database(db_path)  # a clean close folds the write-ahead log into the file
    db.close()
    wal = Path(f"{db_path}-wal")
    assert not wal.exists()
    before_bytes, before_rows = sha256(db_path), dump(db_path)
    assert len(before_rows["marks"]) == 600 * 10 * 2

    proc = subprocess.Popen(
        [*command, str(register)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    deadline = time.monotonic() + 300
    # kill as soon as the import is writing: its uncommitted pages spill into the log
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if wal.stat().st_size > 512 * 1024:
                break
        except FileNotFoundError:
            pass  # not written yet (or just folded back in)
        time.sleep(0.005)
    assert proc.poll() is None, "the import finished before it could be killed: make it bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    assert sha256(db_path) == before_bytes  # the file itself was never touched
    assert integrity_report(db_path, full=True).ok
    assert dump(db_path) == before_rows  # and what SQLite reads, log and all, is as before

    # the same file imports completely when left alone (so the kill really was mid-import)
    done = subprocess.run([*command, str(register)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM marks").fetchone()[0] == total
    conn.close()
