"""`import --watch FOLDER` as a scheduled task runs it, and `import --mapping NAME`."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import expected_marks, long_export, wide_rows, write_csv, write_xlsx  # noqa: E402

from attendance_desk.importers import ColumnMapping, Layout  # noqa: E402
from attendance_desk.services.database import open_database  # noqa: E402
from attendance_desk.services.import_mappings import list_mappings, remember_mapping  # noqa: E402


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "attendance_desk", "--db", str(db), "import", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def marks(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM marks").fetchone()[0])
    finally:
        conn.close()


def test_watch_imports_what_is_there_and_exits(tmp_path: Path) -> None:
    db = tmp_path / "school.sqlite3"
    folder = tmp_path / "exports"
    folder.mkdir()
    write_xlsx(folder / "register.xlsx", wide_rows())
    (folder / "~$register.xlsx").write_bytes(b"lock")  # Excel's lock file is left alone
    run = cli(db, "--watch", str(folder))
    assert run.returncode == 0, run.stderr
    assert "imported: register.xlsx" in run.stdout
    assert marks(db) == len(expected_marks())
    again = cli(db, "--watch", str(folder))
    assert again.returncode == 0 and "already imported" in again.stdout
    assert marks(db) == len(expected_marks())

    rows = long_export()
    rows[0].append("Former UPN")
    for row in rows[1:]:
        row.append("")
    write_csv(folder / "former.csv", rows)
    waiting = cli(db, "--watch", str(folder))
    assert waiting.returncode == 2
    assert "needs a decision: former.csv" in waiting.stderr
    assert (folder / "former.csv").exists()


def test_a_saved_mapping_is_used_by_name_and_by_shape(tmp_path: Path) -> None:
    db_file = tmp_path / "school.sqlite3"
    rows = long_export()
    rows[0].append("Former UPN")
    for row in rows[1:]:
        row.append("")
    first = write_csv(tmp_path / "monday.csv", rows)
    roles = {0: "upn", 1: "forename", 2: "surname", 3: "reg_group", 4: "date", 5: "session"}
    mapping = ColumnMapping(Layout.LONG_SESSION, 0, {**roles, 6: "mark"}, "monday")
    db = open_database(db_file)
    try:
        remember_mapping(db, first, mapping, "Data platform attendance")
        assert [m.name for m in list_mappings(db)] == ["Data platform attendance"]
    finally:
        db.close()
    # tomorrow's export of the same report: the same headings, other rows
    tomorrow = write_csv(tmp_path / "tuesday.csv", [rows[0], *rows[1:10]])
    run = cli(db_file, str(tomorrow))
    assert run.returncode == 0, run.stderr
    assert "read with the saved mapping 'Data platform attendance'" in run.stdout
    named = cli(db_file, "--mapping", "Data platform attendance", str(first), "--dry-run")
    assert named.returncode == 0, named.stderr
    missing = cli(db_file, "--mapping", "No such", str(first))
    assert missing.returncode == 2 and "no saved mapping called 'No such'" in missing.stderr
