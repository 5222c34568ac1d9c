"""Upgrades: a database made at each earlier schema revision, with rows in every table that
revision has, opens with open_database (migrating to the latest) with every row kept."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from attendance_desk.storage import migrations
from attendance_desk.storage.db import make_engine, open_database

# tables a later revision renamed (0014: the school becomes one of the trust's `schools`)
RENAMED = {"school": "schools"}
EARLIER = [
    "0001",
    "0002",
    "0003",
    "0004",
    "0007",
    "0006",
    "0008",
    "0009",
    "0010",
    "0005",
    "0014",
    "0015",
    "0016",
    "0017",
    "0018",
    "0019",
]


def table_names(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
        if r[0] != "alembic_version"
    ]


def in_fk_order(conn: sqlite3.Connection, tables: list[str]) -> list[str]:
    parents = {
        t: {r[2] for r in conn.execute(f'PRAGMA foreign_key_list("{t}")')} - {t} for t in tables
    }
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = sorted(t for t in tables if t not in ordered and parents[t] <= set(ordered))
        assert ready, f"foreign key cycle among {set(tables) - set(ordered)}"
        ordered += ready
    return ordered


def _checks(sql: str) -> tuple[dict[str, str], dict[str, str]]:
    choices = {
        m[0]: m[1].split(",")[0].strip()
        for m in re.findall(r"CHECK\s*\(\s*\"?(\w+)\"?\s+IN\s*\(([^)]*)\)\s*\)", sql, re.I)
    }
    equals = {m[0]: m[1] for m in re.findall(r"CHECK\s*\(\s*\"?(\w+)\"?\s*=\s*(\d+)\s*\)", sql)}
    return choices, equals


def value_for(table: str, column: str, kind: str, i: int) -> object:
    kind = kind.upper()
    if kind.startswith(("INTEGER", "BIGINT", "SMALLINT")):
        return i + 1
    if kind.startswith("BOOLEAN"):
        return i % 2
    if kind.startswith(("FLOAT", "REAL", "NUMERIC", "DECIMAL")):
        return i + 0.5
    if kind == "DATE":
        return f"2024-09-{i + 2:02d}"
    if kind.startswith(("DATETIME", "TIMESTAMP")):
        return f"2024-09-{i + 2:02d} 08:45:00.000000"
    if kind.startswith("BLOB"):
        return bytes([i, 1, 2, 3])
    if column.endswith("json"):
        return json.dumps({"n": i})
    size = re.search(r"\((\d+)\)", kind)
    text = f"{column[:4]}{i}"
    return text[: int(size[1])] if size else f"{table} {column} {i}"


def fill(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Two rows in every table (one where a CHECK allows only one); returns what was written."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    # the audit triggers (0004 on) would log these rows into audit_log, which this fills
    # too; opening the database installs them again
    triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for (name,) in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    written: dict[str, tuple[list[str], list[tuple]]] = {}
    keys: dict[tuple[str, str], list[object]] = {}
    for table in in_fk_order(conn, table_names(conn)):
        info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        fks = {r[3]: (r[2], r[4]) for r in conn.execute(f'PRAGMA foreign_key_list("{table}")')}
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        choices, equals = _checks(sql)
        columns = [r[1] for r in info]
        rows = []
        for i in range(1 if equals else 2):
            row = []
            for _cid, name, kind, _notnull, _default, _pk in info:
                if name in fks:
                    parent, parent_col = fks[name]
                    parent_values = keys[(parent, parent_col or "id")]
                    value = parent_values[i % len(parent_values)]
                elif name in equals:
                    value = int(equals[name])
                elif name in choices:
                    value = choices[name].strip("'\"")
                    value = int(value) if value.isdigit() else value
                else:
                    value = value_for(table, name, kind or "TEXT", i)
                row.append(value)
            rows.append(tuple(row))
        marks = ", ".join("?" * len(columns))
        names = ", ".join(f'"{c}"' for c in columns)
        conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        for c, column in enumerate(columns):
            keys[(table, column)] = [r[c] for r in rows]
        written[table] = (columns, rows)
    conn.commit()
    conn.close()
    return written


@pytest.mark.parametrize("revision", EARLIER)
def test_a_database_from_an_earlier_revision_keeps_every_row(tmp_path: Path, revision: str) -> None:
    path = tmp_path / f"made-at-{revision}.sqlite3"
    engine = make_engine(path)
    migrations.upgrade(engine, revision)
    assert migrations.current_revision(engine) == revision
    engine.dispose()
    written = fill(path)
    assert written["pupils"][1] and written["marks"][1]

    db = open_database(path)
    assert migrations.current_revision(db.engine) == migrations.head_revision()
    db.close()

    conn = sqlite3.connect(path)
    try:
        for table, (columns, rows) in written.items():
            names = ", ".join(f'"{c}"' for c in columns)
            now = conn.execute(f'SELECT {names} FROM "{RENAMED.get(table, table)}"').fetchall()
            if table == "audit_session":  # who is using the database now: set at every open
                continue
            if table in ("audit_log", "app_settings"):  # opening may add; what was there stays
                assert set(rows) <= set(now), table
                continue
            if table == "register_sessions":  # the fill dropped its triggers: counted again
                continue
            assert sorted(now, key=repr) == sorted(rows, key=repr), table
        if "register_sessions" in written:  # exactly the marks, counted
            held = conn.execute(
                "SELECT school_id, date, session, marks, blank, closed FROM register_sessions"
            ).fetchall()
            assert sorted(held) == sorted(
                conn.execute(
                    "SELECT school_id, date, session, count(*), sum(code IN ('-', '')), "
                    "sum(code = '#') FROM marks GROUP BY school_id, date, session"
                ).fetchall()
            )
            assert held
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_every_earlier_revision_is_covered() -> None:
    assert set(migrations.known_revisions()) == {*EARLIER, migrations.head_revision()}


def test_revisions_read_without_alembic_agree_with_alembic() -> None:
    """Opening a database reads the revision ids as text (Alembic is imported only to
    migrate); that reading must be Alembic's."""
    from alembic.script import ScriptDirectory

    from attendance_desk.storage import migrations

    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert migrations.head_revision() == script.get_current_head()
    assert migrations.known_revisions() == {s.revision for s in script.walk_revisions()}


def test_an_upgrade_that_fails_part_way_leaves_the_old_schema_and_a_backup(
    tmp_path: Path,
) -> None:
    path = tmp_path / "school.sqlite3"
    engine = make_engine(path)
    migrations.upgrade(engine, "0004")
    engine.dispose()
    fill(path)
    conn = sqlite3.connect(path)
    with conn:  # the upgrade fails once 0007 and 0006 are done and 0008 has begun
        conn.execute(
            "CREATE TRIGGER fail_at_0008 BEFORE UPDATE ON alembic_version "
            "WHEN NEW.version_num = '0008' BEGIN SELECT RAISE(ABORT, 'failed in 0008'); END"
        )
    tables_before = table_names(conn)
    conn.close()
    with pytest.raises(Exception, match="failed in 0008"):
        open_database(path)
    conn = sqlite3.connect(path)
    try:
        assert migrations.stored_revision(conn) == "0004"
        assert table_names(conn) == tables_before  # 0007's new tables rolled back too
    finally:
        conn.close()
    backup = path.with_name("school.before-upgrade-0004.sqlite3")
    conn = sqlite3.connect(backup)
    try:
        assert migrations.stored_revision(conn) == "0004"
    finally:
        conn.close()


def test_a_read_only_command_upgrades_a_database_from_the_last_release(tmp_path: Path) -> None:
    """A school's file from the previous release (schema 0004), first opened by a command
    that only reads (`concerns`), is brought up to date and read, not failed on a new column."""
    import subprocess
    import sys

    path = tmp_path / "school-0004.sqlite3"
    engine = make_engine(path)
    migrations.upgrade(engine, "0004")
    engine.dispose()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "attendance_desk",
            "--db",
            str(path),
            "concerns",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            migrations.head_revision()
        )
    finally:
        conn.close()
