"""A file an older version left half-upgraded (its alembic_version names the old revision, but
part of the next revision's schema is there: the older version ran each change on its own and
died part-way) is put back from the copy taken before that upgrade, with a message; without
that copy it is refused, unchanged. Real files, made with the real migrations."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from attendance_desk.storage import migrations
from attendance_desk.storage.db import make_engine, open_database
from attendance_desk.storage.integrity import DamagedDatabaseError
from tests.storage.test_upgrades import fill

REPO = Path(__file__).resolve().parents[2]
OLD = "0009"  # the revision the older version was upgrading from


def _made_at(path: Path, revision: str = OLD, rows: bool = True) -> Path:
    engine = make_engine(path)
    migrations.upgrade(engine, revision)
    engine.dispose()
    if rows:
        fill(path)  # rows in every table
    return path


def _copy_before_upgrade(path: Path, revision: str = OLD) -> Path:
    """What the older version did first: a whole copy of the file beside it."""
    copy = path.with_name(f"{path.stem}.before-upgrade-{revision}{path.suffix}")
    source, dest = sqlite3.connect(path), sqlite3.connect(copy)
    source.backup(dest)
    dest.close()
    source.close()
    return copy


def _die_half_way(path: Path, how: str) -> None:
    """The next migration's first steps, each committed on its own, then the process died."""
    conn = sqlite3.connect(path)
    conn.isolation_level = None
    if how == "column added":
        conn.execute("ALTER TABLE audit_log ADD COLUMN digest VARCHAR(64)")
    else:  # a table being rebuilt by Alembic's batch mode: its copy made, the swap not done
        conn.execute("CREATE TABLE _alembic_tmp_audit_log AS SELECT * FROM audit_log")
    conn.close()


def _half_way_signs(conn: sqlite3.Connection) -> set[str]:
    columns = {r[1] for r in conn.execute("PRAGMA table_info(audit_log)")}
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return ({"digest"} & columns) | ({"tmp"} if "_alembic_tmp_audit_log" in tables else set())


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _pupils(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, upn, legal_surname, legal_forename FROM pupils").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("how", ["column added", "table rebuild begun"])
def test_a_half_upgraded_file_is_put_back_from_its_before_upgrade_copy(
    tmp_path: Path, how: str
) -> None:
    path = _made_at(tmp_path / "school.sqlite3")
    _copy_before_upgrade(path)
    _die_half_way(path, how)
    pupils = _pupils(path)
    assert len(pupils) == 2

    db = open_database(path)
    try:
        assert migrations.current_revision(db.engine) == migrations.head_revision()
        (notice,) = db.notices
    finally:
        db.close()
    assert notice.startswith(
        "school.sqlite3 had been left half-upgraded by an earlier version (schema 0009 with "
        "parts of a later one ("
    )
    assert "it was put back from school.before-upgrade-0009.sqlite3" in notice
    assert _pupils(path) == pupils
    kept = sorted(tmp_path.glob("school.half-upgraded-0009-*.sqlite3"))
    assert len(kept) == 1  # kept as it was, never deleted
    conn = sqlite3.connect(kept[0])
    try:
        assert migrations.stored_revision(conn) == OLD
        assert _half_way_signs(conn) == ({"digest"} if how == "column added" else {"tmp"})
    finally:
        conn.close()
    assert _pupils(kept[0]) == pupils
    assert f"kept as {kept[0].name}" in notice
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    db = open_database(path)  # and it stays good: nothing more to say on the next open
    assert db.notices == []
    db.close()


def test_without_the_copy_it_is_refused_unchanged(tmp_path: Path) -> None:
    path = _made_at(tmp_path / "school.sqlite3")
    _die_half_way(path, "column added")
    before = _dump(path)
    with pytest.raises(DamagedDatabaseError) as error:
        open_database(path)
    assert error.value.kind == "half_upgraded"
    assert (
        "was left half-upgraded by an earlier version (schema 0009 with parts of a later one "
        "(column audit_log.digest)), and the copy taken before that upgrade "
        "(school.before-upgrade-0009.sqlite3) is not there. It has not been changed."
        in str(error.value)
    )
    assert _dump(path) == before  # logically unchanged


def test_a_copy_that_is_half_upgraded_too_is_not_used(tmp_path: Path) -> None:
    path = _made_at(tmp_path / "school.sqlite3")
    _die_half_way(path, "column added")
    _copy_before_upgrade(path)  # taken after the damage: no better than the file
    with pytest.raises(DamagedDatabaseError, match="cannot be used: it is half-upgraded too"):
        open_database(path)


def test_an_intact_older_file_upgrades_with_nothing_to_say(tmp_path: Path) -> None:
    path = _made_at(tmp_path / "school.sqlite3", "0004")
    db = open_database(path)
    assert db.notices == []
    db.close()
    assert not list(tmp_path.glob("*half-upgraded*"))


def test_the_command_line_says_what_it_did(tmp_path: Path) -> None:
    path = _made_at(tmp_path / "school.sqlite3", rows=False)
    _copy_before_upgrade(path)
    _die_half_way(path, "column added")
    done = subprocess.run(
        [sys.executable, "-m", "attendance_desk", "--db", str(path), "pupils", "--format", "csv"],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "school.sqlite3 had been left half-upgraded by an earlier version" in done.stderr
    assert done.stdout.startswith("upn,")
