"""Moving a school from its SQLite file to PostgreSQL and back keeps every row (issue 17)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from trust_school import trust_owner_database

from attendance_desk.demo import create_demo_database
from attendance_desk.errors import UserError
from attendance_desk.services.moving import move_between
from attendance_desk.storage import transfer
from attendance_desk.storage.audit_chain import verify_chain
from attendance_desk.storage.db import open_database
from tests.conftest import postgres_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo school (pupils, a year and a term of marks, casework, letters, the audit log)."""
    path = tmp_path_factory.mktemp("move") / "demo.sqlite3"
    create_demo_database(path, seed=7, as_of=date(2026, 3, 20))
    return path


def _plain(value: Any, kind: str) -> Any:
    """One value as both backends mean it (PostgreSQL gives booleans and drops a timestamp's
    trailing zeros; SQLite keeps 1/0 and SQLAlchemy's text)."""
    if value is None:
        return None
    if kind == "timestamp":
        return datetime.fromisoformat(str(value)).isoformat(sep=" ", timespec="microseconds")
    if kind == "date":
        return str(value)[:10]
    if kind == "boolean":
        return int(value)
    return value


def canonical(target: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, by column name, sorted: the dump two backends must agree on."""
    db = open_database(target)
    conn = db.raw_connection()
    try:
        dump = {}
        for table in transfer.tables(conn):
            cols = sorted(transfer.columns(conn, table), key=lambda c: c.name)
            rows = transfer.read_rows(conn, table, [c.name for c in cols])
            plain = [
                tuple(_plain(v, c.kind) for v, c in zip(row, cols, strict=True)) for row in rows
            ]
            dump[table] = sorted(plain, key=repr)
        return dump
    finally:
        conn.close()
        db.close()


def raw_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The SQLite file's rows exactly as stored, by column name, sorted."""
    conn = sqlite3.connect(path)
    try:
        dump = {}
        for table in transfer.tables(conn):
            names = sorted(r[1] for r in conn.execute(f'PRAGMA table_info("{table}")'))
            listed = ", ".join(f'"{n}"' for n in names)
            dump[table] = sorted(conn.execute(f'SELECT {listed} FROM "{table}"'), key=repr)
        return dump
    finally:
        conn.close()


def chain_intact(target: Path | str) -> bool:
    db = open_database(target)
    conn = db.raw_connection()
    try:
        return verify_chain(conn).intact
    finally:
        conn.close()
        db.close()


def _forced(url: str) -> set[str]:
    """The tables whose row-level security binds their owner too."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT relname FROM pg_class WHERE relforcerowsecurity").fetchall()
    return {str(r[0]) for r in rows}


@pytest.mark.parametrize("mover", ["the server's role", "the trust's login"])
def test_a_school_moves_to_postgresql_and_back_with_every_row_kept(
    demo_school: Path, tmp_path: Path, mover: str
) -> None:
    """Into a database made for it, and back to a file, moved by the server's role (a
    superuser) or by the login that owns the database and is not a superuser (row-level
    security, forced on the owner, allows it no COPY: lifted inside the move's transaction)."""
    original = canonical(demo_school)
    counts = {table: len(rows) for table, rows in original.items()}
    assert counts["pupils"] > 400 and counts["marks"] > 100_000 and counts["audit_log"] > 0
    made = postgres_database() if mover == "the server's role" else trust_owner_database()
    with made as url:
        open_database(url).close()  # made to the latest schema by its owner
        forced_before = _forced(url)
        assert "pupils" in forced_before
        there = move_between(demo_school, url)
        assert there.rows == counts
        # named as user@host:port/dbname; opened again (--db) by its URL, with no password
        user, _, host = url.split("://", 1)[1].partition("@")
        no_password = f"{user.split(':', 1)[0]}@{host}"
        assert (there.target, there.target_address) == (no_password, f"postgresql://{no_password}")
        assert canonical(url) == original
        assert chain_intact(url)
        back = tmp_path / "back.sqlite3"
        again = move_between(url, back)
        if mover == "the trust's login":  # put back as it was: forced on the owner
            assert _forced(url) == forced_before
            db = open_database(url)
            try:
                assert len(canonical(url)["pupils"]) == counts["pupils"]
                assert not db.for_all_schools()
            finally:
                db.close()
    assert again.rows == counts
    assert raw_rows(back) == raw_rows(demo_school)  # byte for byte, value for value
    assert chain_intact(back)
    assert "every table's count the same on both sides" in again.summary()


def test_a_school_moves_between_files_and_a_school_is_never_moved_over_another(
    demo_school: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.sqlite3"
    result = move_between(demo_school, copy)
    assert raw_rows(copy) == raw_rows(demo_school)
    assert result.rows["marks"] == len(raw_rows(demo_school)["marks"])
    before = raw_rows(copy)
    with pytest.raises(UserError, match="already holds a school's data"):
        move_between(demo_school, copy)
    assert raw_rows(copy) == before
    with pytest.raises(UserError, match="the same database"):
        move_between(copy, copy)


def test_a_move_into_a_new_file_that_fails_part_way_leaves_no_file(
    demo_school: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = transfer.read_rows

    def failing(conn: Any, table: str, names: list[str], into_postgres: bool = False) -> Any:
        if table == "marks":
            raise OSError("the network went down")
        return read(conn, table, names, into_postgres)

    monkeypatch.setattr(transfer, "read_rows", failing)
    target = tmp_path / "new.sqlite3"
    with pytest.raises(OSError, match="network"):
        move_between(demo_school, target)
    assert not target.exists()


def test_a_move_into_postgresql_that_fails_writes_nothing(
    demo_school: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = transfer.read_rows

    def failing(conn: Any, table: str, names: list[str], into_postgres: bool = False) -> Any:
        if table == "marks":
            raise OSError("the network went down")
        return read(conn, table, names, into_postgres)

    with postgres_database() as url:
        monkeypatch.setattr(transfer, "read_rows", failing)
        with pytest.raises(OSError, match="network"):
            move_between(demo_school, url)
        monkeypatch.undo()
        db = open_database(url)
        conn = db.raw_connection()
        try:
            held = {t: n for t, n in transfer.school_rows(conn).items() if n}
        finally:
            conn.close()
            db.close()
        assert held == {}


def test_the_command_moves_and_says_what_it_moved(demo_school: Path, tmp_path: Path) -> None:
    target = tmp_path / "moved.sqlite3"
    command = [sys.executable, "-m", "attendance_desk", "move", "--from", str(demo_school)]
    done = subprocess.run([*command, "--to", str(target)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"Moved {demo_school} to {target}" in done.stdout
    assert "marks" in done.stdout and raw_rows(target) == raw_rows(demo_school)
    again = subprocess.run([*command, "--to", str(target)], capture_output=True, text=True)
    assert again.returncode == 2
    assert "already holds a school's data" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
