"""The class teacher's weekly report, hand-worked on tests/meetings_school.py."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from meetings_school import WEEK_END, make_school  # noqa: E402

from attendance_desk.errors import UserError  # noqa: E402
from attendance_desk.services.weekly_report import weekly_report  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


def test_each_class_has_its_figures_band_pupils_runs_lates_and_changes(db: Database) -> None:
    make_school(db)
    report = weekly_report(db, WEEK_END)
    assert [c.class_name for c in report.classes] == ["3B", "4K"]
    assert report.band_labels == ("Class teacher (93-95.99%)",)
    b3, k4 = report.classes
    # 3B this week: Ada, Ben, Cara, Kim, Lou 10 each; Dan 9, Eve 9, Fay 7, Gus 8 -> 83/90
    # year: 3 x 260 + (93 + 96 + 90 + 89 + 79 + 80) - 3 - 2 = 1302 of 3 x 260 + 6 x 100 = 1380
    assert (b3.pupils, b3.week, b3.year) == (9, "92.2%", "94.3%")
    assert b3.week_below_expected and b3.year_below_expected
    assert [(p.name, p.year, p.week) for p in b3.band_pupils] == [("Ben Edge", "93.0%", "100.0%")]
    assert b3.band_pupils[0].letter == "Class teacher's supportive letter: offer (not printed yet)"
    assert b3.absent_week == () and b3.lates == ()
    assert [(c.name, c.text) for c in b3.changes] == [
        ("Ben Edge", "Senior leaders (90-92.99%) \u2192 Class teacher (93-95.99%)"),
        ("Cara Miss", "Class teacher (93-95.99%) \u2192 96% and above"),
    ]
    # 4K this week: Hal 0, Ivy 1, Jo 10 -> 11/30; year 250 + 251 + 248 = 749/780 = 96.03%
    assert (k4.week, k4.year, k4.year_below_expected) == ("36.7%", "96.0%", False)
    assert [(p.name, p.year) for p in k4.band_pupils] == [("Jo Late", "95.4%")]
    assert [p.name for p in k4.absent_week] == ["Hal Run"]
    assert [(p.name, p.text) for p in k4.lates] == [("Jo Late", "2 late marks this week")]
    assert k4.changes == ()


def test_one_class_and_clear_errors(db: Database) -> None:
    make_school(db)
    assert [c.class_name for c in weekly_report(db, WEEK_END, "4k").classes] == ["4K"]
    with pytest.raises(UserError, match="no class '5Z'"):
        weekly_report(db, WEEK_END, "5Z")


def test_the_first_week_of_the_year_has_no_last_week(db: Database) -> None:
    make_school(db)
    first = weekly_report(db, date(2024, 9, 6))
    b3 = first.classes[0]
    assert b3.pupils == 3  # the January admissions are not on roll yet
    assert (b3.week, b3.year) == ("100.0%", "100.0%")
    assert b3.changes == ()


def test_a_run_of_absence_is_on_the_page_of_the_weeks_it_touches(db: Database) -> None:
    make_school(db)
    # Hal's run is Mon 24-Fri 28 Mar; the next week's page (no marks yet) does not repeat it,
    # though the SLT agenda still carries it while it is in the half term
    assert [p.name for p in weekly_report(db, WEEK_END, "4K").classes[0].absent_week] == ["Hal Run"]
    next_week = weekly_report(db, date(2025, 4, 4), "4K").classes[0]
    assert next_week.absent_week == ()
    from attendance_desk.services.meetings import agenda

    assert "Hal Run" in [p.name for p in agenda(db, "slt", date(2025, 4, 4)).pupils]


def test_under_a_policy_without_a_class_teacher_band_the_page_has_no_band_list(
    db: Database,
) -> None:
    make_school(db, preset="clifford")
    report = weekly_report(db, WEEK_END)
    assert report.band_labels == () and report.title == "Class teacher's weekly report"
    assert all(c.band_pupils == () for c in report.classes)
    assert [p.name for p in report.classes[1].absent_week] == ["Hal Run"]  # still reported
