"""Penalty notices: amounts, the cap of two per parent per child in a rolling 3 years."""

from __future__ import annotations

from datetime import date

import pytest

from attendance_desk.domain.penalty import (
    NEXT_STEPS,
    IssuedNotice,
    PenaltyCapReached,
    amount_due,
    decide,
    require_allowed,
)

MUM = "Mrs Anna Kowalska"


def test_first_notice_is_80_if_paid_within_21_days_else_160() -> None:
    d = decide([], MUM, date(2025, 1, 10))
    assert d.allowed and d.sequence == 1
    assert (d.amount_if_paid_early, d.amount) == (80, 160)
    assert amount_due(1, date(2025, 1, 10), date(2025, 1, 31)) == 80  # day 21
    assert amount_due(1, date(2025, 1, 10), date(2025, 2, 1)) == 160  # day 22
    assert amount_due(1, date(2025, 1, 10), None) == 160


def test_second_notice_within_3_years_is_160_even_paid_early() -> None:
    d = decide([IssuedNotice(MUM, date(2025, 1, 10))], MUM, date(2026, 3, 2))
    assert d.allowed and d.sequence == 2 and d.amount == 160 and d.amount_if_paid_early is None
    assert amount_due(2, date(2026, 3, 2), date(2026, 3, 3)) == 160


def test_third_notice_within_3_years_is_refused_with_next_steps() -> None:
    notices = [IssuedNotice(MUM, date(2025, 1, 10)), IssuedNotice(MUM, date(2026, 3, 2))]
    d = decide(notices, MUM, date(2027, 6, 1))
    assert not d.allowed and d.next_steps == NEXT_STEPS
    assert any("Prosecution" in s for s in d.next_steps)
    assert any("Attendance Panel" in s for s in d.next_steps)
    with pytest.raises(PenaltyCapReached) as err:
        require_allowed(notices, MUM, date(2027, 6, 1))
    assert "10/01/2028" in str(err.value)  # the first drops out 3 years after it was issued


def test_the_window_rolls_a_notice_older_than_3_years_drops_out() -> None:
    notices = [IssuedNotice(MUM, date(2025, 1, 10)), IssuedNotice(MUM, date(2026, 3, 2))]
    assert not decide(notices, MUM, date(2028, 1, 9)).allowed
    d = decide(notices, MUM, date(2028, 1, 10))  # 3 years on, the first no longer counts
    assert d.allowed and d.sequence == 2 and d.amount == 160


def test_withdrawn_notices_and_notices_before_19_august_2024_do_not_count() -> None:
    notices = [
        IssuedNotice(MUM, date(2024, 8, 18)),
        IssuedNotice(MUM, date(2025, 1, 10), withdrawn=True),
        IssuedNotice(MUM, date(2025, 5, 1)),
    ]
    d = decide(notices, MUM, date(2025, 9, 1))
    assert d.allowed and d.sequence == 2
    assert d.counted == (date(2025, 5, 1),)


def test_the_cap_is_per_parent() -> None:
    notices = [IssuedNotice(MUM, date(2025, 1, 10)), IssuedNotice(MUM, date(2026, 3, 2))]
    d = decide(notices, "Mr Piotr Kowalski", date(2026, 6, 1))
    assert d.allowed and d.sequence == 1
    assert not decide(notices, "  mrs anna   KOWALSKA ", date(2026, 6, 1)).allowed


def test_a_title_does_not_make_another_parent() -> None:
    from attendance_desk.domain.penalty import IssuedNotice, decide

    notices = [IssuedNotice("Louise Kemp", date(2026, 10, 5))]
    assert decide(notices, "Mrs Louise Kemp", date(2026, 12, 4)).sequence == 2
    assert decide(notices, "MRS.  louise kemp", date(2026, 12, 4)).sequence == 2
    assert decide(notices, "Mrs Laura Kemp", date(2026, 12, 4)).sequence == 1
