"""Compulsory school age, worked by hand, and the national rules that follow it.

The calendar is the sample school's 2024/25 (engine_helpers): Autumn 2 ends Fri 20 Dec 2024,
Spring 1 starts Tue 7 Jan 2025 (Mon 6 Jan is INSET), Spring 2 runs 24 Feb to Fri 4 Apr,
Summer 1 starts Tue 22 Apr 2025.
"""

from __future__ import annotations

from datetime import date as D

import pytest
from engine_helpers import days, fill, make_input

from attendance_desk.domain import rules
from attendance_desk.domain.school_age import (
    NotOfSchoolAge,
    compulsory_school_age_from,
    of_compulsory_school_age,
    require_school_age,
)

JUNE_2019 = D(2019, 6, 1)  # 5 on 1 Jun 2024 -> school age from 31 Aug 2024 (all of 2024/25)
JUNE_2020 = D(2020, 6, 1)  # 5 on 1 Jun 2025 -> 31 Aug 2025 (none of 2024/25)
NOVEMBER = D(2019, 11, 1)  # 5 on 1 Nov 2024 -> 31 Dec 2024
FEBRUARY = D(2020, 2, 1)  # 5 on 1 Feb 2025 -> 31 Mar 2025


@pytest.mark.parametrize(
    ("born", "school_age"),
    [
        (JUNE_2019, D(2024, 8, 31)),
        (JUNE_2020, D(2025, 8, 31)),
        (NOVEMBER, D(2024, 12, 31)),
        (FEBRUARY, D(2025, 3, 31)),
        # birthdays on a prescribed day reach school age that very day
        (D(2019, 12, 31), D(2024, 12, 31)),
        (D(2020, 3, 31), D(2025, 3, 31)),
        (D(2020, 8, 31), D(2025, 8, 31)),
        # the day after a prescribed day waits for the next one
        (D(2020, 1, 1), D(2025, 3, 31)),
        (D(2020, 4, 1), D(2025, 8, 31)),
        (D(2020, 9, 1), D(2025, 12, 31)),
        (D(2020, 2, 29), D(2025, 3, 31)),  # leap day: 5 on 28 Feb 2025
    ],
)
def test_compulsory_school_age_begins_on_the_next_prescribed_day(born: D, school_age: D) -> None:
    assert compulsory_school_age_from(born) == school_age


def test_of_school_age_from_that_day_inclusive() -> None:
    assert not of_compulsory_school_age(NOVEMBER, D(2024, 12, 30))
    assert of_compulsory_school_age(NOVEMBER, D(2024, 12, 31))
    assert of_compulsory_school_age(None, D(2024, 12, 30))  # unknown: the rules apply


def test_a_penalty_notice_is_refused_before_school_age() -> None:
    with pytest.raises(NotOfSchoolAge, match="reaches compulsory school age on 31/03/2025"):
        require_school_age(FEBRUARY, D(2025, 3, 28), "a penalty notice")
    require_school_age(FEBRUARY, D(2025, 3, 31), "a penalty notice")


# --- penalty_threshold ----------------------------------------------------------------------
def _penalty_marks(first: D) -> list:
    """One O on `first` and 9 G in the week of 10 Feb 2025: 10 in the 10 school weeks from
    Mon 25 Nov 2024 to Fri 14 Feb 2025 when `first` is in them."""
    feb = days(D(2025, 2, 10), D(2025, 2, 14))
    over = {(d, s): "G" for d in feb for s in ("AM", "PM")}
    del over[(feb[-1], "PM")]
    over[(first, "AM")] = "O"
    return fill(D(2024, 11, 18), D(2025, 2, 14), overrides=over)


def test_penalty_threshold_november_child_counts_from_31_december() -> None:
    # the O on Mon 25 Nov is before school age: 9 count, not raised ...
    before = _penalty_marks(D(2024, 11, 25))
    assert rules.penalty_threshold(make_input(before, D(2025, 2, 14), born=NOVEMBER)) is None
    # ... the same marks for a child of school age (or of unknown birth) are 10
    assert rules.penalty_threshold(make_input(before, D(2025, 2, 14), born=JUNE_2019))
    assert rules.penalty_threshold(make_input(before, D(2025, 2, 14)))
    # the O on Tue 7 Jan, after 31 Dec: 10 count
    after = _penalty_marks(D(2025, 1, 7))
    concern = rules.penalty_threshold(make_input(after, D(2025, 2, 14), born=NOVEMBER))
    assert concern is not None and concern.detail.startswith("10 unauthorised sessions")
    assert "from Tue 31 Dec 2024" in concern.detail
    assert min(e.date for e in concern.evidence) == D(2025, 1, 7)


def test_penalty_threshold_june_children_either_side_of_a_year() -> None:
    marks = _penalty_marks(D(2025, 1, 7))
    assert rules.penalty_threshold(make_input(marks, D(2025, 2, 14), born=JUNE_2019))
    assert rules.penalty_threshold(make_input(marks, D(2025, 2, 14), born=JUNE_2020)) is None


def test_penalty_threshold_february_child_is_never_raised_before_31_march() -> None:
    # 20 G in the fortnight before Easter: all before school age on Mon 31 Mar
    over = {(d, s): "G" for d in days(D(2025, 3, 17), D(2025, 3, 28)) for s in ("AM", "PM")}
    marks = fill(D(2025, 2, 25), D(2025, 3, 28), overrides=over)
    assert rules.penalty_threshold(make_input(marks, D(2025, 3, 28), born=FEBRUARY)) is None
    assert rules.penalty_threshold(make_input(marks, D(2025, 3, 28), born=JUNE_2019))
    # from 31 Mar: 9 more G is a narrow miss, 10 a hit
    over.update({(d, s): "G" for d in days(D(2025, 3, 31), D(2025, 4, 4)) for s in ("AM", "PM")})
    over[(D(2025, 4, 4), "PM")] = "/"
    marks = fill(D(2025, 2, 25), D(2025, 4, 4), overrides=over)
    assert rules.penalty_threshold(make_input(marks, D(2025, 4, 4), born=FEBRUARY)) is None
    over[(D(2025, 4, 4), "PM")] = "G"
    marks = fill(D(2025, 2, 25), D(2025, 4, 4), overrides=over)
    concern = rules.penalty_threshold(make_input(marks, D(2025, 4, 4), born=FEBRUARY))
    assert concern is not None and concern.detail.startswith("10 unauthorised sessions")


# --- la_ten_day_return ----------------------------------------------------------------------
def _run(first: D, first_session: str, last: D, last_session: str) -> list:
    """O from (first, session) to (last, session) over school sessions; present around it."""
    sessions = [(d, s) for d in days(D(2025, 3, 24), D(2025, 5, 2)) for s in ("AM", "PM")]
    a, b = sessions.index((first, first_session)), sessions.index((last, last_session))
    over = dict.fromkeys(sessions[a : b + 1], "O")
    return fill(D(2025, 3, 24), D(2025, 5, 2), overrides=over)


def test_la_return_february_child_counts_the_run_from_31_march() -> None:
    # Fri 28 Mar (2) + 31 Mar-4 Apr (10) + Tue 22-Fri 25 Apr (8) + Mon 28 Apr AM (1): 21 in a
    # row, 19 of them from 31 Mar: a narrow miss; of school age it is 21, a hit.
    marks = _run(D(2025, 3, 28), "AM", D(2025, 4, 28), "AM")
    assert rules.la_ten_day_return(make_input(marks, D(2025, 5, 2), born=FEBRUARY)) is None
    assert rules.la_ten_day_return(make_input(marks, D(2025, 5, 2), born=JUNE_2019))
    # one more session, Mon 28 Apr PM: 20 from 31 Mar
    marks = _run(D(2025, 3, 28), "AM", D(2025, 4, 28), "PM")
    concern = rules.la_ten_day_return(make_input(marks, D(2025, 5, 2), born=FEBRUARY))
    assert concern is not None and "20 sessions from Mon 31 Mar 2025 AM" in concern.detail
    assert min(e.date for e in concern.evidence) == D(2025, 3, 31)


def test_la_return_not_raised_for_a_child_not_yet_of_school_age() -> None:
    marks = _run(D(2025, 3, 24), "AM", D(2025, 4, 28), "PM")  # 26 in a row
    assert rules.la_ten_day_return(make_input(marks, D(2025, 5, 2), born=JUNE_2020)) is None
    assert rules.la_ten_day_return(make_input(marks, D(2025, 5, 2), born=JUNE_2019))
    assert rules.la_ten_day_return(make_input(marks, D(2025, 3, 28), born=FEBRUARY)) is None


# --- sickness_return ------------------------------------------------------------------------
def test_sickness_return_november_child_counts_from_31_december() -> None:
    spring = days(D(2025, 1, 7), D(2025, 3, 31))
    over = {(d, "AM"): "I" for d in spring[:30]}  # 30 from 7 Jan: a hit
    marks = fill(D(2024, 9, 3), D(2025, 3, 31), overrides=over)
    concern = rules.sickness_return(make_input(marks, D(2025, 3, 31), born=NOVEMBER))
    assert concern is not None and concern.detail.startswith("30 sessions of illness")
    # 29 after 31 Dec and 5 in December: 34 this year, 29 of school age: a narrow miss
    del over[(spring[29], "AM")]
    over.update({(d, "AM"): "I" for d in days(D(2024, 12, 16), D(2024, 12, 20))})
    marks = fill(D(2024, 9, 3), D(2025, 3, 31), overrides=over)
    assert rules.sickness_return(make_input(marks, D(2025, 3, 31), born=NOVEMBER)) is None
    assert rules.sickness_return(make_input(marks, D(2025, 3, 31), born=JUNE_2019))
    assert rules.sickness_return(make_input(marks, D(2025, 3, 31), born=JUNE_2020)) is None


# --- each child (1 June, 1 November, 1 February) against each rule: a hit and a narrow miss --
def test_penalty_threshold_june_child_hit_and_narrow_miss() -> None:
    ten = _penalty_marks(D(2025, 1, 7))  # of school age all year: all 10 count
    assert rules.penalty_threshold(make_input(ten, D(2025, 2, 14), born=JUNE_2019))
    nine = [(d, s, "/" if (d, s) == (D(2025, 1, 7), "AM") else c) for d, s, c in ten]
    assert rules.penalty_threshold(make_input(nine, D(2025, 2, 14), born=JUNE_2019)) is None


def _winter_run(last: D, last_session: str) -> list:
    """O from Mon 16 Dec 2024 AM (the last week of Autumn 2) to (last, session), present
    around it; Spring 1 starts Tue 7 Jan 2025 (Mon 6 Jan is INSET)."""
    sessions = [(d, s) for d in days(D(2024, 12, 9), D(2025, 1, 24)) for s in ("AM", "PM")]
    a, b = sessions.index((D(2024, 12, 16), "AM")), sessions.index((last, last_session))
    return fill(D(2024, 12, 9), D(2025, 1, 24), overrides=dict.fromkeys(sessions[a : b + 1], "O"))


def test_la_return_november_child_counts_the_run_from_31_december() -> None:
    # to Fri 17 Jan: 10 sessions in December, then 7-10 Jan and 13-17 Jan (9 days, 18
    # sessions) from 31 Dec: a narrow miss; of school age all year it is 28, a hit
    marks = _winter_run(D(2025, 1, 17), "PM")
    assert rules.la_ten_day_return(make_input(marks, D(2025, 1, 24), born=NOVEMBER)) is None
    assert rules.la_ten_day_return(make_input(marks, D(2025, 1, 24), born=JUNE_2019))
    # to Mon 20 Jan: 20 from 31 Dec, a hit
    marks = _winter_run(D(2025, 1, 20), "PM")
    concern = rules.la_ten_day_return(make_input(marks, D(2025, 1, 24), born=NOVEMBER))
    assert concern is not None and "20 sessions from Tue 7 Jan 2025 AM" in concern.detail


def test_la_return_june_child_hit_and_narrow_miss() -> None:
    # of school age all year: Mon 16 Dec to Fri 20 Dec (10) + 7-10 Jan (8) + Mon 13 Jan AM
    marks = _winter_run(D(2025, 1, 13), "AM")  # 19 in a row
    assert rules.la_ten_day_return(make_input(marks, D(2025, 1, 24), born=JUNE_2019)) is None
    marks = _winter_run(D(2025, 1, 13), "PM")  # 20
    assert rules.la_ten_day_return(make_input(marks, D(2025, 1, 24), born=JUNE_2019))


def test_sickness_return_february_child_counts_from_31_march() -> None:
    after = days(D(2025, 3, 31), D(2025, 6, 13))
    over = {(d, "AM"): "I" for d in after[:30]}  # 30 from Mon 31 Mar: a hit
    marks = fill(D(2024, 9, 3), D(2025, 6, 13), overrides=over)
    concern = rules.sickness_return(make_input(marks, D(2025, 6, 13), born=FEBRUARY))
    assert concern is not None and concern.detail.startswith("30 sessions of illness")
    # 29 from 31 Mar and 5 in the week of 3 Mar: 34 this year, 29 of school age: a narrow miss
    del over[(after[29], "AM")]
    over.update({(d, "AM"): "I" for d in days(D(2025, 3, 3), D(2025, 3, 7))})
    marks = fill(D(2024, 9, 3), D(2025, 6, 13), overrides=over)
    assert rules.sickness_return(make_input(marks, D(2025, 6, 13), born=FEBRUARY)) is None
    assert rules.sickness_return(make_input(marks, D(2025, 6, 13), born=JUNE_2019))
