"""Dates are written one way: UK order, English names, whatever the computer's locale."""

from __future__ import annotations

from datetime import date, datetime

from attendance_desk.domain.dates import DASH, day_text, letter_date, numeric, numeric_time


def test_the_four_forms() -> None:
    assert day_text(date(2025, 2, 3)) == "Mon 3 Feb 2025"
    assert day_text(date(2024, 12, 31)) == "Tue 31 Dec 2024"
    assert numeric(date(2025, 2, 3)) == "03/02/2025"
    assert numeric_time(datetime(2025, 2, 3, 9, 5, 7)) == "03/02/2025 09:05"
    assert numeric_time(datetime(2025, 2, 3, 9, 5, 7), seconds=True) == "03/02/2025 09:05:07"
    assert letter_date(date(2025, 9, 1)) == "1 September 2025"


def test_no_date_is_a_dash_or_what_the_caller_asks() -> None:
    assert day_text(None) == DASH == numeric(None) == numeric_time(None)
    assert numeric(None, empty="?") == "?"
