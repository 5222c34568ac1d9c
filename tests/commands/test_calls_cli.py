"""`attendance-desk --db PATH calls --date ... --format csv|json`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from casework_school import build_school

from attendance_desk.cli import main
from attendance_desk.storage.db import open_database

COLUMNS = ["upn", "surname", "forename", "reg_group", "contact_name", "phone", "days_unreached"]


def _school(path: Path) -> None:
    db = open_database(path)
    build_school(db)
    db.close()


def test_calls_as_csv(db_path: Path, capsys) -> None:  # noqa: ANN001
    _school(db_path)
    assert main(["--db", str(db_path), "calls", "--date", "2024-10-09"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == COLUMNS
    assert rows[1] == [
        "A100000000001",
        "Brown",
        "Ava",
        "3 Oak",
        "Mrs Sarah Brown",
        "07700 900001",
        "2",
    ]
    assert len(rows) == 1 + 3 + 1 + 2  # header, Ava 3 numbers, Dan none (one row), Ben 2
    assert {r[2] for r in rows[1:]} == {"Ava", "Ben", "Dan"}


def test_calls_as_json(db_path: Path, capsys) -> None:  # noqa: ANN001
    _school(db_path)
    assert main(["--db", str(db_path), "calls", "--date", "2024-10-09", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data[0]) == COLUMNS
    assert data[0]["days_unreached"] == 2
    dan = [r for r in data if r["forename"] == "Dan"]
    assert dan == [
        dict(zip(COLUMNS, ["A100000000004", "Smith", "Dan", "4 Ash", "", "", 1], strict=True))
    ]


def test_a_bad_date_is_one_line_and_exit_2(db_path: Path, capsys) -> None:  # noqa: ANN001
    assert main.__module__ == "attendance_desk.cli"
    try:
        main(["--db", str(db_path), "calls", "--date", "9/10/2024"])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err
    assert "YYYY-MM-DD" in err and len(err.strip().splitlines()) == 1
