"""The trust dashboard: each school's figures (attendance, persistent and severe absence, open
cases by stage, open concerns by rule) beside the others', the trust's and the national
figures; the governors' report for the trust. A SQLite file holds one school: there the
dashboard's school row is the school's own figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from casework_school import DAY, build_school
from trust_school import add_school, copy_school

from attendance_desk.domain.national import NATIONAL_PRIMARY
from attendance_desk.domain.pathway import Stage
from attendance_desk.services.cases import change_stage
from attendance_desk.services.monitoring import group_figures, school_concerns
from attendance_desk.services.trust import (
    governors_report_pdf,
    is_trust,
    list_schools,
    trust_dashboard,
)
from attendance_desk.storage.db import Database


@pytest.fixture
def school(db: Database) -> dict[str, int]:
    ids = build_school(db)
    conn = db.raw_connection(write=True)
    with conn:
        assert add_school(conn, "Oakfield Primary") == 1
    conn.close()
    change_stage(db, ids["ava"], Stage.FORMALISE, date(2024, 9, 20), "Ms Ellis", "Below 90%")
    change_stage(db, ids["dan"], Stage.MONITOR, date(2024, 9, 23), "Ms Ellis", "Below 96%")
    return ids


def test_one_school_the_dashboard_row_is_the_schools_own_figures(
    db: Database, school: dict[str, int]
) -> None:
    assert not is_trust(db)  # one school: the window shows no trust page
    dashboard = trust_dashboard(db, DAY, concerns=True)
    (row,) = dashboard.schools
    (own,) = [g for g in group_figures(db, DAY) if g.kind == "school"]
    assert (row.pupils, row.figures, row.persistent, row.severe) == (
        own.pupils,
        own.figures,
        own.persistent,
        own.severe,
    )
    assert dict(row.cases) == {Stage.FORMALISE.value: 1, Stage.MONITOR.value: 1}
    assert dict(row.concerns or {}) == Counter(c.rule for c in school_concerns(db, DAY))
    assert row.concerns == {"below_expected": 1, "missing_marks": 1}
    assert dashboard.trust.figures == row.figures
    assert dashboard.national is NATIONAL_PRIMARY


def test_two_schools_side_by_side_with_the_trusts_total(
    db: Database, db_path: Path, school: dict[str, int]
) -> None:
    conn = db.raw_connection(write=True)
    with conn:
        riverside = copy_school(conn, 1, "Riverside Primary", 2)
        # Riverside's Ava misses the rest of September: persistent absence there, not here
        conn.execute(
            "UPDATE marks SET code = 'O' WHERE school_id = ? AND date >= '2024-09-16' AND "
            "pupil_id = (SELECT id FROM pupils WHERE school_id = ? AND legal_forename = 'Ava')",
            (riverside, riverside),
        )
    conn.close()
    assert is_trust(db)
    assert [s.name for s in list_schools(db)] == ["Oakfield Primary", "Riverside Primary"]
    dashboard = trust_dashboard(db, DAY)
    here, there = dashboard.school(1), dashboard.school(riverside)
    assert here.pupils == there.pupils == 4
    assert there.persistent == here.persistent + 1
    assert there.figures.unauthorised > here.figures.unauthorised
    assert dict(there.cases) == dict(here.cases)  # the open cases were copied with the pupils
    trust = dashboard.trust
    assert trust.pupils == 8 and trust.persistent == here.persistent + there.persistent
    assert trust.figures == here.figures + there.figures
    assert trust.cases[Stage.FORMALISE.value] == 2
    assert trust.concerns is None  # not asked for: the costly part


def trust_report_text(db: Database, second_school: str, tmp_path: Path) -> str:
    """The trust's governors' report, with the school copied in as a second school, as text
    laid out as on the page (pdftotext -layout)."""
    conn = db.raw_connection(write=True)
    with conn:
        copy_school(conn, 1, second_school, 2)
    conn.close()
    pdf = tmp_path / "trust.pdf"
    pdf.write_bytes(governors_report_pdf(db, DAY))
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_governors_report_for_the_trust_names_each_school_beside_the_national_figures(
    db: Database, school: dict[str, int], tmp_path: Path
) -> None:
    text = trust_report_text(db, "Riverside Primary", tmp_path)
    assert "Attendance across the trust" in text
    assert "Oakfield Primary" in text and "Riverside Primary" in text and "The trust" in text
    assert f"National (primary, {NATIONAL_PRIMARY.year})" in text
    assert "Open cases by stage" in text and "Formalise" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_a_long_school_name_wraps_in_the_trusts_report_and_rules_have_their_names(
    db: Database, school: dict[str, int], tmp_path: Path
) -> None:
    """A real school's long name used to run into its pupils' count ("...Primary School420");
    rule ids were spelled out as "Unresolved n" and "La ten day return"."""
    long_name = "St Bartholomew's Church of England Voluntary Aided Primary School"
    text = trust_report_text(db, long_name, tmp_path)
    figures = text.split("Open cases by stage")[0]
    assert "St Bartholomew's Church of" in figures and "Primary School " in figures  # wrapped
    assert not re.search(r"School\s?\d", figures)  # not run into its pupils' count
    assert "Below expected" in text and "Missing marks" in text  # the rules' own names


def test_a_schools_governors_report_is_its_half_termly_report(
    db: Database, school: dict[str, int]
) -> None:
    pdf = governors_report_pdf(db, DAY, school_id=1)
    assert pdf.startswith(b"%PDF")


def test_the_report_command_makes_the_trusts_report(
    db: Database, db_path: Path, school: dict[str, int], tmp_path: Path
) -> None:
    import sys

    conn = db.raw_connection(write=True)
    with conn:
        copy_school(conn, 1, "Riverside Primary", 2)
    conn.close()
    db.close()
    out = tmp_path / "trust.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "attendance_desk",
            "--db",
            str(db_path),
            "report",
            "--trust",
            "--as-of",
            DAY.isoformat(),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
