"""Registers shaped as the MIS products export them: every shape imports with no mapping and
gives the same marks; the rules that protect the record hold (issue 11). Each test runs on
SQLite and on PostgreSQL (issue 17): the same marks from the same file, and a bad file writes
nothing, on both."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import (  # noqa: E402
    PUPILS,
    class_sheets,
    expected_marks,
    long_export,
    one_cell_sessions,
    roster_rows,
    roster_with_person_ids,
    sims_two_row,
    student_id_rows,
    weekly_sheets,
    write_csv,
    write_workbook,
    write_xlsx,
)

from attendance_desk.errors import ImportDecisionNeeded, ImportFileError  # noqa: E402
from attendance_desk.importers import ColumnMapping, Layout  # noqa: E402
from attendance_desk.services.importing import apply_import, preview_import  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402


@pytest.fixture
def db(backend_db: Database) -> Database:
    return backend_db


def held_marks(db: Database) -> dict[tuple[str, str, str], str]:
    conn = db.raw_connection()
    try:
        rows = conn.execute(
            "SELECT p.upn, m.date, m.session, m.code FROM marks m JOIN pupils p ON p.id = m.pupil_id"
        ).fetchall()
    finally:
        conn.close()
    return {(u, d, s): c for u, d, s, c in rows}


def counts(db: Database) -> tuple[int, int]:
    conn = db.raw_connection()
    try:
        return (
            conn.execute("SELECT count(*) FROM pupils").fetchone()[0],
            conn.execute("SELECT count(*) FROM marks").fetchone()[0],
        )
    finally:
        conn.close()


def with_roster(db: Database, tmp_path: Path, rows: list[list[Any]] | None = None) -> None:
    apply_import(db, [write_xlsx(tmp_path / "roster.xlsx", rows or roster_rows(), "Pupils")])


def _sims(tmp_path: Path, dates: str) -> Path:
    rows, merges = sims_two_row(dates)
    return write_xlsx(tmp_path / f"sims_{dates}.xlsx", rows, merges=merges)


SHAPES = {
    "sims weekday text headers": lambda t: _sims(t, "weekday"),
    "sims real date headers": lambda t: _sims(t, "date"),
    "sims serial headers": lambda t: _sims(t, "serial"),
    "sims dd/mm/yyyy text headers": lambda t: _sims(t, "text"),
    "one cell per session, adno without zeros": lambda t: write_xlsx(
        t / "sessions.xlsx", one_cell_sessions()
    ),
    "sheet per week": lambda t: write_workbook(t / "weekly.xlsx", weekly_sheets()),
    "sheet per class, person ids": lambda t: write_workbook(t / "classes.xlsx", class_sheets()),
    "long, ISO date-times": lambda t: write_csv(t / "long_iso.csv", long_export()),
    "long, dd/mm/yyyy, am/pm": lambda t: write_csv(
        t / "long_text.csv", long_export(when="text", words=("am", "pm"), upn_header="upn")
    ),
    "long, serial date-times, 1/2, Arbor slashes": lambda t: write_xlsx(
        t / "long_serial.xlsx",
        long_export(when="serial", words=("1", "2"), arbor=True, upn_header="Pupil UPN"),
    ),
    "long, Morning/Afternoon, Excel CSV (BOM, semicolons, CRLF)": lambda t: write_csv(
        t / "long_excel.csv",
        long_export(words=("Morning", "Afternoon"), upn_header="UPN"),
        delimiter=";",
        bom=True,
    ),
    "Student ID (admission numbers), per day": lambda t: write_csv(
        t / "student_id.csv", student_id_rows(), bom=True
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_real_shape_imports_the_same_marks_with_no_mapping(
    db: Database, tmp_path: Path, shape: str
) -> None:
    with_roster(db, tmp_path, roster_with_person_ids())
    path = SHAPES[shape](tmp_path)
    result = apply_import(db, [path])
    outcome = result.files[0]
    assert outcome.pupils_added == ()  # every row found its child by identity
    assert held_marks(db) == expected_marks()
    assert outcome.marks_added == len(expected_marks())
    assert outcome.recognised  # the preview says what it recognised
    assert counts(db)[0] == len(PUPILS)


def test_a_windows_1252_csv_with_stray_nuls_is_read_and_said(db: Database, tmp_path: Path):
    with_roster(db, tmp_path)
    rows = long_export(words=("Morning", "Afternoon"), upn_header="UPN")
    keep = [rows[0]] + [r for r in rows[1:] if r[0] != PUPILS[1][0]]  # Łucja is not in cp1252
    path = write_csv(tmp_path / "excel.csv", keep, encoding="cp1252", delimiter=";")
    path.write_bytes(path.read_bytes().replace(b"MORNING", b"Morning").replace(b";-", b";-\x00"))
    outcome = apply_import(db, [path]).files[0]
    assert any("Windows-1252" in w for w in outcome.warnings)
    assert any("stray NUL bytes removed" in w for w in outcome.warnings)
    assert held_marks(db) == {k: c for k, c in expected_marks().items() if k[0] != PUPILS[1][0]}


def test_skipped_rows_and_sheets_are_listed_with_why(db: Database, tmp_path: Path) -> None:
    with_roster(db, tmp_path)
    preview = preview_import(db, [_sims(tmp_path, "weekday")])
    skipped = dict(preview.files[0].skipped)
    assert skipped[1] == "a title above the header: 'Ashgrove Primary School'"
    assert skipped[3].startswith("a title above the header: 'Printed: 05/09/2024")
    assert skipped[11] == "a footer or key row, not a pupil: 'Number of pupils: 3'"
    assert skipped[12].startswith("a footer or key row, not a pupil: 'Key: /")
    recognised = " | ".join(preview.files[0].recognised)
    assert "date row over an am/pm row, header on row 5" in recognised
    assert "'Poss', 'Pres', 'Att %'" in recognised

    weekly = preview_import(db, [write_workbook(tmp_path / "weekly.xlsx", weekly_sheets())])
    f = weekly.files[0]
    assert (6, "sheet Week 1: a totals or count row (numbers where marks would be): 'Total'") in (
        f.skipped
    )
    text = " | ".join(f.recognised)
    assert "sheet 'Summary' skipped" in text and "sheet 'Key' skipped" in text
    assert f.marks_added == len(expected_marks())


def test_the_phantom_pupil_is_a_clash_and_nothing_is_written(db: Database, tmp_path: Path):
    """A long register keyed on STUDENT_UPN whose forename differs from the roster: the UPN is
    read, the names disagree, the import stops naming both children."""
    with_roster(db, tmp_path)
    before = counts(db)
    path = write_csv(tmp_path / "phantom.csv", long_export(forename_of={0: "Chloe"}))
    for run in (preview_import, apply_import):
        with pytest.raises(ImportFileError) as error:
            run(db, [path])
        message = str(error.value)
        assert "phantom.csv, sheet phantom, row" in message
        assert "clash: UPN A123456789012 is held for Zoë O'Brien, but the file names Chloe O'Brien"
        assert "Chloe O'Brien" in message and "Zoë O'Brien" in message
    assert counts(db) == before


def test_identity_columns_are_always_read_never_names_alone(db: Database, tmp_path: Path):
    """A pupil held without a UPN and a register keyed on UPN: no guess by name."""
    apply_import(db, [write_csv(tmp_path / "names.csv", [r[1:] for r in long_export()])])
    assert counts(db)[0] == len(PUPILS)
    with pytest.raises(ImportFileError, match="is not held, but a pupil of that name is"):
        apply_import(db, [write_csv(tmp_path / "keyed.csv", long_export(when="text"))])


def test_an_identity_looking_heading_that_cannot_be_used_stops_until_mapped(
    db: Database, tmp_path: Path
) -> None:
    rows = long_export()
    rows[0].append("Former UPN")
    for row in rows[1:]:
        row.append("")
    path = write_csv(tmp_path / "former.csv", rows)
    with pytest.raises(ImportDecisionNeeded, match="'Former UPN' looks like a pupil identity"):
        preview_import(db, [path])
    assert counts(db) == (0, 0)
    roles = {0: "upn", 1: "forename", 2: "surname", 3: "reg_group", 4: "date", 5: "session"}
    mapping = ColumnMapping(Layout.LONG_SESSION, 0, {**roles, 6: "mark"}, "former")
    apply_import(db, [path], mappings={path: mapping})
    assert held_marks(db) == expected_marks()


def test_a_student_id_that_is_neither_held_adno_nor_person_id_needs_a_decision(
    db: Database, tmp_path: Path
) -> None:
    with pytest.raises(ImportDecisionNeeded, match="column 'Student ID' looks like"):
        preview_import(db, [write_csv(tmp_path / "sid.csv", student_id_rows())])


def test_a_roster_keeps_the_person_id_and_a_register_keyed_on_it_matches(
    db: Database, tmp_path: Path
) -> None:
    with_roster(db, tmp_path, roster_with_person_ids())
    conn = db.raw_connection()
    held = dict(conn.execute("SELECT upn, mis_person_id FROM pupils").fetchall())
    conn.close()
    assert held[PUPILS[1][0]] == "P9101"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda rows: rows[0].__setitem__(4, "Mon 09/02/2024 AM"),
            "bad.xlsx, sheet Marks, row 1, column 'Mon 09/02/2024 AM': 'Mon 09/02/2024 AM' says "
            "Monday, but 09/02/2024 "
            "(day/month/year) is a Friday: are the dates in US order (month/day)?",
        ),
        (
            lambda rows: rows[0].__setitem__(5, rows[0][4]),
            "bad.xlsx, sheet Marks, row 1, column 'Mon 02/09/2024 AM': the same session "
            "(02/09/2024 AM) as column E",
        ),
        (
            lambda rows: rows[2].__setitem__(0, "B223456789012"),
            "bad.xlsx, sheet Marks, row 3, column 'UPN': UPN 'B223456789012' has the wrong check "
            "letter",
        ),
    ],
)
def test_bad_registers_name_the_cell_and_write_nothing(
    db: Database, tmp_path: Path, change: Any, expected: str
) -> None:
    from filemakers import wide_rows

    rows = wide_rows(title=False)
    change(rows)
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    with pytest.raises(ImportFileError) as error:
        apply_import(db, [path])
    assert expected in str(error.value)
    assert counts(db) == (0, 0)


def test_us_order_dates_are_refused_not_guessed(db: Database, tmp_path: Path) -> None:
    rows = long_export(when="text")
    for row in rows[1:]:  # 02/09/2024 written as 09/02/2024 ...
        day, month, year = row[4].split("/")
        row[4] = f"{month}/{day}/{year}"
    with pytest.raises(ImportFileError, match="only make sense as month/day"):
        apply_import(db, [write_csv(tmp_path / "us.csv", rows)])
    rows[1][4] = "09/13/2024"
    with pytest.raises(ImportFileError, match="'09/13/2024' is not a real date as day/month"):
        apply_import(db, [write_csv(tmp_path / "us2.csv", rows)])
    assert counts(db) == (0, 0)


def test_disagreements_between_files_and_within_a_file_are_errors(
    db: Database, tmp_path: Path
) -> None:
    first = write_csv(tmp_path / "a.csv", long_export(when="text"))
    other = long_export(when="text")
    target = next(r for r in other[1:] if r[0] == PUPILS[0][0] and r[5] == "MORNING")
    target[6] = "G"
    second = write_csv(tmp_path / "b.csv", other)
    with pytest.raises(ImportFileError) as error:
        apply_import(db, [first, second])
    assert "b.csv, sheet b, row" in str(error.value)
    assert "for the same session" in str(error.value) and "in a.csv, sheet a, row" in str(
        error.value
    )
    twice = long_export(when="text")
    twice.append(list(target))
    with pytest.raises(ImportFileError, match="has two different marks for"):
        apply_import(db, [write_csv(tmp_path / "twice.csv", twice)])
    assert counts(db) == (0, 0)


def test_a_quote_that_runs_over_later_rows_is_refused(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "quote.csv", long_export(when="text"))
    lines = path.read_bytes().split(b"\r\n")
    lines[3] = lines[3].replace(b"Elm,", b'Elm,"', 1)
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ImportFileError, match=r"quote.csv: row 4 \(line 4\), field 5: a quote"):
        apply_import(db, [path])
    assert counts(db) == (0, 0)


def test_the_command_line_exits_2_for_a_clash(tmp_path: Path) -> None:
    db_file = tmp_path / "cli.sqlite3"
    roster = write_xlsx(tmp_path / "roster.xlsx", roster_rows(), "Pupils")
    phantom = write_csv(tmp_path / "phantom.csv", long_export(forename_of={0: "Chloe"}))
    base = [sys.executable, "-m", "attendance_desk", "--db", str(db_file), "import"]
    assert subprocess.run([*base, str(roster)], capture_output=True).returncode == 0
    run = subprocess.run([*base, str(phantom)], capture_output=True, text=True)
    assert run.returncode == 2
    assert "Zoë O'Brien" in run.stderr and "Chloe O'Brien" in run.stderr
