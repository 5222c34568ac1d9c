"""The school calendar: school days, half terms, terms, school weeks, inference from marks."""

from __future__ import annotations

from datetime import date, timedelta

from engine_helpers import CALENDAR, HALF_TERMS

from attendance_desk.domain.calendar import AcademicYear, SchoolCalendar


def test_school_days_skip_weekends_closures_and_holidays() -> None:
    assert not CALENDAR.is_school_day(date(2024, 9, 2))  # INSET
    assert CALENDAR.is_school_day(date(2024, 9, 3))
    assert not CALENDAR.is_school_day(date(2024, 9, 7))  # Saturday
    assert not CALENDAR.is_school_day(date(2024, 10, 28))  # half-term holiday
    assert not CALENDAR.is_school_day(date(2025, 5, 5))  # bank holiday
    assert CALENDAR.school_day_count(date(2024, 9, 1), date(2024, 10, 25)) == 39
    total = CALENDAR.school_day_count(date(2024, 9, 1), date(2025, 8, 31))
    assert total == len(CALENDAR.school_day_ordinals)


def test_half_term_is_the_containing_one_or_the_last_ended() -> None:
    assert CALENDAR.half_term_of(date(2024, 11, 4)).name == "Autumn 2"
    assert CALENDAR.half_term_of(date(2024, 12, 27)).name == "Autumn 2"  # holiday
    assert CALENDAR.half_term_of(date(2024, 8, 1)) is None
    assert CALENDAR.half_term_of(date(2025, 1, 7)).index == 3


def test_terms_pair_the_half_terms() -> None:
    term = CALENDAR.term_of(date(2025, 3, 3))
    assert term.name == "Spring 2024/25"
    assert (term.start, term.end) == (date(2025, 1, 6), date(2025, 4, 4))
    assert CALENDAR.academic_year_of(date(2025, 3, 3)) == AcademicYear.containing(date(2024, 9, 1))


def test_school_weeks_reach_back_across_christmas() -> None:
    weeks = CALENDAR.school_weeks_ending(date(2025, 2, 14), 10)
    assert weeks[0] == date(2024, 11, 25)
    assert weeks[-1] == date(2025, 2, 10)
    assert date(2024, 12, 23) not in weeks and date(2024, 12, 30) not in weeks
    # a Sunday belongs to the week of the Monday before it
    assert CALENDAR.school_weeks_ending(date(2025, 2, 16), 1) == [date(2025, 2, 10)]


def test_school_days_after_counts_after_the_day_up_to_and_including_until() -> None:
    assert CALENDAR.school_days_after(date(2025, 1, 13), date(2025, 1, 20)) == 5
    assert CALENDAR.school_days_after(date(2025, 1, 13), date(2025, 1, 13)) == 0
    assert CALENDAR.school_days_after(date(2025, 5, 1), date(2025, 5, 6)) == 2  # 2 May, 6 May


def test_half_terms_are_inferred_from_the_register_when_no_dates() -> None:
    sessions = []
    for _, start, end in HALF_TERMS:
        d = start
        while d <= end:
            if d.weekday() < 5:
                sessions.append(d)
            d += timedelta(days=1)
    sessions.remove(date(2025, 5, 5))  # a bank holiday: one weekday, not a holiday break
    cal = SchoolCalendar((), (), sessions)
    names = [(h.name, h.start, h.end, h.inferred) for h in cal.half_terms]
    assert [n[0] for n in names] == [
        "Autumn 1",
        "Autumn 2",
        "Spring 1",
        "Spring 2",
        "Summer 1",
        "Summer 2",
    ]
    assert names[4][1:3] == (date(2025, 4, 22), date(2025, 5, 23))
    assert not cal.is_school_day(date(2025, 5, 5))
    assert cal.is_school_day(date(2025, 5, 6))
    assert cal.half_term_of(date(2025, 5, 5)).name == "Summer 1"


def test_entered_years_ignore_register_days_and_other_years_are_inferred() -> None:
    last_year = [date(2024, 6, 3) + timedelta(days=k) for k in range(5)]
    cal = SchoolCalendar(HALF_TERMS, [], last_year + [date(2024, 10, 28)])
    assert not cal.is_school_day(date(2024, 10, 28))  # 2024/25 has entered dates
    assert cal.is_school_day(date(2024, 6, 3))  # 2023/24 inferred
    assert cal.school_weeks_ending(date(2024, 9, 6), 2) == [date(2024, 6, 3), date(2024, 9, 2)]


def test_the_academic_year_starts_on_1_september_and_ends_on_31_august() -> None:
    from attendance_desk.domain.calendar import academic_start_year, year_start

    assert academic_start_year(date(2025, 8, 31)) == 2024
    assert academic_start_year(date(2025, 9, 1)) == 2025
    assert year_start(date(2025, 3, 14)) == date(2024, 9, 1)
    year = AcademicYear.starting(2024)
    assert (year.name, year.start, year.end) == ("2024/25", date(2024, 9, 1), date(2025, 8, 31))
    assert year.previous == AcademicYear.containing(date(2024, 8, 31))
    assert AcademicYear.starting(2027).end == date(2028, 8, 31)  # 2028 is a leap year
