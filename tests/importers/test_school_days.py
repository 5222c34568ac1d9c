"""Marks are checked against the school's calendar at import: a mark on a day that is not a
school day for that pupil stops the whole import (exit 2, the rows named, nothing written)."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

from filemakers import PUPILS, roster_rows, write_csv  # noqa: E402
from test_importing import fingerprint  # noqa: E402

from attendance_desk.cli import main  # noqa: E402
from attendance_desk.errors import ImportFileError  # noqa: E402
from attendance_desk.services.importing import apply_import, preview_import  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402

HEADER = ["UPN", "Surname", "Forename", "Reg Group", "Date", "AM", "PM"]
TERMS = [
    ["half_term", "start", "end"],
    ["Autumn 1", "2024-09-02", "2024-10-25"],
    ["Autumn 2", "2024-11-04", "2024-12-20"],
]


def register(tmp: Path, days: list[tuple[date, str, str]], name: str = "register.csv") -> Path:
    """Every pupil of the file makers gets the same (AM, PM) marks on each day."""
    rows: list[list[Any]] = [HEADER]
    for upn, _, surname, forename, form, _ in PUPILS:
        for day, am, pm in days:
            rows.append([upn, surname, forename, form, day.isoformat(), am, pm])
    return write_csv(tmp / name, rows)


def run_cli(db: Database, *files: Path) -> int:
    return main(["--db", str(db.path), "import", *(str(f) for f in files)])


@pytest.fixture
def school(db: Database, tmp_path: Path) -> Database:
    """Term dates for autumn 2024, a closure on Friday 27 September, the roster."""
    closures = [["date", "kind", "description"], ["2024-09-27", "inset", "INSET day"]]
    apply_import(
        db,
        [
            write_csv(tmp_path / "terms.csv", TERMS),
            write_csv(tmp_path / "closures.csv", closures),
            write_csv(tmp_path / "roster.csv", roster_rows()),
        ],
    )
    return db


def _refused(
    db: Database, capsys: pytest.CaptureFixture[str], *files: Path, expect: list[str]
) -> str:
    before = fingerprint(db)
    assert run_cli(db, *files) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    for text in expect:
        assert text in err, err
    assert fingerprint(db) == before
    return err


def test_a_school_day_goes_in(school: Database, tmp_path: Path) -> None:
    result = apply_import(school, [register(tmp_path, [(date(2024, 9, 26), "/", "\\")])])
    assert result.files[0].marks_added == 6


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2024, 9, 28), "Saturday 28/09/2024 is a weekend"),
        (date(2024, 10, 29), "29/10/2024 is in a holiday"),
        (date(2024, 12, 23), "23/12/2024 is in a holiday"),
        (date(2024, 9, 27), "27/09/2024 is a closure day (only '#' may be recorded)"),
    ],
)
def test_a_mark_on_a_day_without_school_is_refused_naming_the_rows(
    school: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    day: date,
    words: str,
) -> None:
    path = register(tmp_path, [(date(2024, 9, 26), "/", "\\"), (day, "/", "\\")])
    # rows 3, 5 and 7 of the sheet hold the bad day (row 1 is the header)
    _refused(school, capsys, path, expect=[words, "rows 3, 5, 7", "register.csv"])


def test_blanks_on_such_days_and_hash_on_a_closure_are_fine(
    school: Database, tmp_path: Path
) -> None:
    path = register(
        tmp_path,
        [
            (date(2024, 9, 26), "/", "\\"),
            (date(2024, 9, 27), "#", "#"),
            (date(2024, 9, 28), "", ""),
            (date(2024, 10, 30), "", ""),
        ],
    )
    result = apply_import(school, [path])
    assert result.files[0].marks_added == 12


def test_a_closure_declared_in_the_same_import_counts(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    closures = write_csv(
        tmp_path / "closures.csv",
        [["date", "kind", "description"], ["2024-09-13", "other", "Boiler failure"]],
    )
    path = register(tmp_path, [(date(2024, 9, 13), "/", "/")])
    _refused(db, capsys, closures, path, expect=["13/09/2024 is a closure day"])
    hashed = register(tmp_path, [(date(2024, 9, 13), "#", "#")], name="hashed.csv")
    assert apply_import(db, [closures, hashed]).files[1].marks_added == 6


def test_without_term_dates_weekends_and_future_days_are_still_refused(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(
        db,
        capsys,
        register(tmp_path, [(date(2024, 9, 7), "/", "/")]),
        expect=["Saturday 07/09/2024 is a weekend", "rows 2, 3, 4"],
    )
    tomorrow = date.today() + timedelta(days=1)
    while tomorrow.weekday() >= 5:
        tomorrow += timedelta(days=1)
    _refused(
        db,
        capsys,
        register(tmp_path, [(tomorrow, "/", "")], name="future.csv"),
        expect=[f"{tomorrow:%d/%m/%Y} is after today"],
    )
    # no term dates: a weekday in what would be a holiday is a school day
    assert apply_import(db, [register(tmp_path, [(date(2024, 10, 29), "/", "/")])]).files[
        0
    ].marks_added == (6)


def test_marks_before_admission_or_after_leaving_are_refused(
    school: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(school.path)
    with conn:
        conn.execute(
            "UPDATE pupils SET admission_date = '2024-09-25' WHERE upn = ?", (PUPILS[0][0],)
        )
        conn.execute("UPDATE pupils SET leaving_date = '2024-09-25' WHERE upn = ?", (PUPILS[2][0],))
    conn.close()
    path = register(tmp_path, [(date(2024, 9, 24), "/", ""), (date(2024, 9, 26), "/", "/")])
    err = _refused(
        school,
        capsys,
        path,
        expect=[
            f"24/09/2024 is before {PUPILS[0][3]} {PUPILS[0][2]} was admitted (25/09/2024)",
            f"26/09/2024 is after {PUPILS[2][3]} {PUPILS[2][2]} left (25/09/2024)",
        ],
    )
    assert "row 2, column 'AM': 24/09/2024" in err and "row 7, column 'AM': 26/09/2024" in err
    # blanks before admission are fine
    ok = register(
        tmp_path,
        [(date(2024, 9, 24), "", ""), (date(2024, 9, 25), "/", "/")],
        name="ok.csv",
    )
    assert apply_import(school, [ok]).files[0].marks_added == 6


def test_the_preview_refuses_too(school: Database, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="is a weekend"):
        preview_import(school, [register(tmp_path, [(date(2024, 9, 29), "/", "/")])])


def test_a_roster_may_change_a_surname_and_birth_date_shown_and_audited(
    school: Database, tmp_path: Path
) -> None:
    rows = roster_rows()
    rows[1][2] = "Walsh"
    rows[1][4] = date(2017, 1, 6)
    path = write_csv(tmp_path / "roster2.csv", rows)
    preview = preview_import(school, [path])
    notes = preview.files[0].warnings
    assert any(
        f"surname {PUPILS[0][2]} -> Walsh; date of birth 05/01/2017 -> 06/01/2017" in n
        for n in notes
    ), notes
    apply_import(school, [path])
    conn = sqlite3.connect(school.path)
    try:
        pupil = conn.execute(
            "SELECT id, legal_surname, date_of_birth FROM pupils WHERE upn = ?", (PUPILS[0][0],)
        ).fetchone()
        audit = conn.execute(
            "SELECT field, old_json, new_json FROM audit_log WHERE entity = 'pupil' "
            "AND entity_id = ? ORDER BY field",
            (str(pupil[0]),),
        ).fetchall()
    finally:
        conn.close()
    assert pupil[1:] == ("Walsh", "2017-01-06")
    assert [(f, json.loads(o), json.loads(n)) for f, o, n in audit] == [
        ("date_of_birth", "2017-01-05", "2017-01-06"),
        ("legal_surname", PUPILS[0][2], "Walsh"),
    ]


def test_a_register_whose_names_disagree_with_the_upn_stays_a_clash(
    school: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[list[Any]] = [HEADER]
    upn = PUPILS[0][0]
    rows.append([upn, "Walsh", "Peter", "3 Cedar", "2024-09-26", "/", "/"])
    path = write_csv(tmp_path / "register.csv", rows)
    _refused(school, capsys, path, expect=[f"clash: UPN {upn}"])


def test_a_refused_import_keeps_no_backup(school: Database, tmp_path: Path) -> None:
    from attendance_desk.services.backup import list_backups

    before = [b.path for b in list_backups(school)]
    with pytest.raises(ImportFileError, match="is a weekend"):
        apply_import(school, [register(tmp_path, [(date(2024, 9, 29), "/", "/")])])
    assert [b.path for b in list_backups(school)] == before
    apply_import(school, [register(tmp_path, [(date(2024, 9, 26), "/", "/")], name="ok.csv")])
    assert len(list_backups(school)) == len(before) + 1  # a good import still takes one
