"""`import FILE` as a whole process: what it loads, so a re-import costs little more than the
database's integrity check (the file is known by its content hash before any parsing)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import expected_marks, wide_rows, write_xlsx  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "openpyxl", "reportlab", "PySide6")
CODE = (
    "import sys\n"
    "from attendance_desk.cli import main\n"
    "code = main(['--db', sys.argv[1], 'import', sys.argv[2]])\n"
    f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    "print(sorted(m for m in sys.modules if m.startswith('attendance_desk.storage.models')))\n"
    "sys.exit(code)\n"
)


def run_import(db: Path, register: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", CODE, str(db), str(register)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def marks(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM marks").fetchone()[0])
    finally:
        conn.close()


def test_import_into_a_current_database_loads_no_orm_and_a_reimport_nothing_heavy(
    tmp_path: Path,
) -> None:
    db, register = tmp_path / "school.sqlite3", tmp_path / "register.xlsx"
    write_xlsx(register, wide_rows())
    # the database exists at the latest schema (made by a command, as the window would)
    from attendance_desk.services.database import open_database

    open_database(db).close()

    first = run_import(db, register)
    assert "marks added" in first[0]
    assert first[-2:] == ["[]", "[]"]  # written with plain SQL: no SQLAlchemy, no models
    assert marks(db) == len(expected_marks())

    again = run_import(db, register)
    assert "register.xlsx: already imported on" in again[0]
    assert "nothing changed" in again[0]
    assert again[-2:] == ["[]", "[]"]
    assert marks(db) == len(expected_marks())

    # the import history holds the file once: the second run wrote nothing
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
    finally:
        conn.close()
