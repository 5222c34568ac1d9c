"""The pupils, concerns, policy and groups commands over a real database file."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from attendance_desk.cli import main
from attendance_desk.storage.db import open_database

NOW = "2024-10-01 12:00:00"


@pytest.fixture
def school_db(tmp_path: Path) -> Path:
    path = tmp_path / "school.sqlite3"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO academic_years (id, name, start_date, end_date) VALUES (1, '2024/25', '2024-09-01', '2025-08-31')"
    )
    conn.execute(
        "INSERT INTO half_terms (academic_year_id, name, start_date, end_date) VALUES (1, 'Autumn 1', '2024-09-02', '2024-10-25')"
    )
    for pid, surname in ((1, "Ames"), (2, "Bell")):
        conn.execute(
            "INSERT INTO pupils (id, upn, legal_surname, legal_forename, year_group, reg_group, pupil_premium, fsm,"
            " sen_status, eal, looked_after, child_protection, child_in_need, created_at, updated_at)"
            " VALUES (?, ?, ?, 'Kit', '2', '2 Birch', 0, 0, 'N', 0, 0, 0, 0, ?, ?)",
            (pid, f"A{pid:012d}", surname, NOW, NOW),
        )
    d, rows = date(2024, 9, 2), []
    while d <= date(2024, 9, 13):  # 10 school days
        if d.weekday() < 5:
            for s in ("AM", "PM"):
                rows.append((1, d.isoformat(), s, "/", "mis", NOW))
                code = "I" if (d.day, s) in ((2, "AM"), (2, "PM"), (3, "AM"), (3, "PM")) else "/"
                rows.append((2, d.isoformat(), s, code, "mis", NOW))
        d += timedelta(days=1)
    conn.executemany(
        "INSERT INTO marks (pupil_id, date, session, code, source, import_id, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    return path


def test_pupils_csv(school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(school_db), "pupils", "--as-of", "2024-09-13"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "upn,surname,forename,year_group,reg_group,possible,attended,authorised,unauthorised,"
        "late,attendance_pct,band,persistent,severe"
    )
    assert lines[1] == "A000000000001,Ames,Kit,2,2 Birch,20,20,0,0,0,100.00,green,false,false"
    assert lines[2] == "A000000000002,Bell,Kit,2,2 Birch,20,16,4,0,0,80.00,red,true,false"


def test_concerns_json(school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--db", str(school_db), "concerns", "--as-of", "2024-09-13", "--format", "json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert {(r["upn"], r["rule"]) for r in rows} == {
        ("A000000000002", "below_expected"),
        ("A000000000002", "persistent_absence"),
    }
    assert all(set(r) == {"upn", "rule", "detail"} for r in rows)


def test_policy_show_and_set(school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(school_db), "policy"]) == 0
    assert "Clifford All Saints" in capsys.readouterr().out
    assert main(["--db", str(school_db), "policy", "--preset", "clifton"]) == 0
    assert "family_hub" in capsys.readouterr().out
    assert main(["--db", str(school_db), "pupils", "--as-of", "2024-09-13"]) == 0
    assert ",family_hub," in capsys.readouterr().out


def test_groups_csv(school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(school_db), "groups", "--as-of", "2024-09-13"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("school,Whole school,2,40,36,4,0,90.00,1,50.00,0,0.00")


def test_bad_input_exits_2_with_one_line(
    school_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(school_db), "pupils", "--as-of", "13/09/2024"])
    assert exc.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(school_db), "policy", "--preset", "other"])
    assert exc.value.code == 2
