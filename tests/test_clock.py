"""The one clock: a test fixes the date, and everything that reads "today" sees it."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from attendance_desk import clock
from attendance_desk.services.school import school_summary
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Pupil

ADMITTED = date(2025, 3, 14)


def test_a_fixed_date_is_today_and_now_inside_the_block_only() -> None:
    real = date.today()
    with clock.fixed(date(2024, 9, 2)):
        assert clock.today() == date(2024, 9, 2)
        assert clock.now().date() == date(2024, 9, 2)
        assert clock.utc_now().date() == date(2024, 9, 2)
    assert clock.today() == real


def test_the_environment_fixes_the_date_for_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.TODAY_VARIABLE, "2025-02-03")
    assert clock.today() == date(2025, 2, 3)
    code = "from attendance_desk import clock; print(clock.today())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2025-02-03"


def test_services_default_to_the_clocks_today(db: Database) -> None:
    with db.session() as s:
        s.add(Pupil(legal_surname="Brown", legal_forename="Ava", admission_date=ADMITTED))
    with clock.fixed(date(2025, 3, 13)):  # the day before she starts
        assert school_summary(db).pupils_on_roll == 0
    with clock.fixed(ADMITTED):
        assert school_summary(db).pupils_on_roll == 1
