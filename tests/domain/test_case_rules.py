"""The five case-based concern rules, each with a hit and a narrow miss worked out by hand.

Calendar (2024/25): Autumn 1 Mon 2 Sep - Fri 25 Oct 2024, half term 28 Oct - 1 Nov,
Autumn 2 Mon 4 Nov - Fri 20 Dec 2024; last year's Summer 2 Mon 3 Jun - Fri 19 Jul 2024.
Every school session is present unless a test says otherwise.
"""

from __future__ import annotations

from datetime import date

from attendance_desk.domain import concern as R
from attendance_desk.domain.calendar import SchoolCalendar
from attendance_desk.domain.case_rules import (
    contract_breach,
    contract_window,
    focus_family,
    medical_review,
    part_time_review,
    unauthorised_after_warning,
)
from attendance_desk.domain.pathway import CaseContext, PartTimeTimetable, Stage
from attendance_desk.domain.policy import preset
from attendance_desk.domain.rule_input import ENCODE, EvaluationContext, RuleInput, slot_of

CAL = SchoolCalendar(
    [
        ("Summer 2", date(2024, 6, 3), date(2024, 7, 19)),
        ("Autumn 1", date(2024, 9, 2), date(2024, 10, 25)),
        ("Autumn 2", date(2024, 11, 4), date(2024, 12, 20)),
    ]
)
POLICY = preset("clifton")


def make_input(
    as_of: date, overrides: dict[tuple[date, str], str], case: CaseContext | None = None
) -> RuleInput:
    marks: dict[tuple[date, str], str] = {}
    for day in CAL.school_days(date(2023, 9, 1), as_of):
        marks[(day, "AM")] = "/"
        marks[(day, "PM")] = "\\"
    marks.update(overrides)
    keys = sorted(k for k in marks if k[0] <= as_of)
    slots = [slot_of(d, s) for d, s in keys]
    chars = "".join(ENCODE[marks[k]] for k in keys)
    ctx = EvaluationContext.build(CAL, POLICY, as_of)
    return RuleInput(1, slots, chars, ctx, case=case)


def sessions(*days: date, code: str = "N") -> dict[tuple[date, str], str]:
    return {(d, s): code for d in days for s in ("AM", "PM")}


# -- unauthorised_after_warning --------------------------------------------------------------
FORMALISE = CaseContext(1, stage=Stage.FORMALISE, stage_started=date(2024, 10, 7))


def test_one_unauthorised_session_after_formalise_began_is_a_concern() -> None:
    inp = make_input(date(2024, 10, 10), {(date(2024, 10, 8), "AM"): "N"}, FORMALISE)
    found = unauthorised_after_warning(inp)
    assert found is not None and found.rule == R.UNAUTHORISED_AFTER_WARNING
    assert [(e.date, e.session, e.code) for e in found.evidence] == [(date(2024, 10, 8), "AM", "N")]
    assert "formal attendance meeting" in found.action


def test_a_session_on_the_day_the_stage_began_is_not_after_it() -> None:
    inp = make_input(date(2024, 10, 10), {(date(2024, 10, 7), "PM"): "U"}, FORMALISE)
    assert unauthorised_after_warning(inp) is None


def test_authorised_absence_after_formalise_is_not_a_concern() -> None:
    inp = make_input(date(2024, 10, 10), sessions(date(2024, 10, 8), code="I"), FORMALISE)
    assert unauthorised_after_warning(inp) is None


def test_at_the_end_of_facilitate_support() -> None:
    case = CaseContext(
        1,
        stage=Stage.SUPPORT_TIER_2,
        stage_started=date(2024, 9, 16),
        support_ended=date(2024, 10, 15),
    )
    hit = make_input(date(2024, 10, 18), {(date(2024, 10, 16), "AM"): "G"}, case)
    miss = make_input(date(2024, 10, 18), {(date(2024, 10, 15), "AM"): "G"}, case)
    assert unauthorised_after_warning(hit) is not None
    assert unauthorised_after_warning(miss) is None
    still_supporting = CaseContext(1, stage=Stage.SUPPORT_TIER_2, stage_started=date(2024, 9, 16))
    assert (
        unauthorised_after_warning(
            make_input(date(2024, 10, 18), {(date(2024, 10, 16), "AM"): "G"}, still_supporting)
        )
        is None
    )


# -- contract_breach -------------------------------------------------------------------------
SIGNED = date(2024, 9, 18)  # Wed; counting starts Thu 19 Sep
CONTRACT = CaseContext(1, stage=Stage.FORMALISE, stage_started=SIGNED, contracts_signed=(SIGNED,))


def test_contract_window_is_ten_school_weeks_skipping_half_term() -> None:
    # Weeks from Mon 16 Sep: 16, 23, 30 Sep, 7, 14, 21 Oct, (28 Oct holiday), 4, 11, 18, 25 Nov.
    first, last = contract_window(make_input(date(2024, 9, 20), {}), SIGNED)
    assert first == date(2024, 9, 19)
    assert last == date(2024, 12, 1)


def test_ten_unauthorised_sessions_after_the_day_after_signing_within_ten_weeks() -> None:
    # 19 and 20 Sep (4 sessions) + 25, 26, 27 Nov (6 sessions) = 10.
    marks = sessions(date(2024, 9, 19), date(2024, 9, 20))
    marks |= sessions(date(2024, 11, 25), date(2024, 11, 26), date(2024, 11, 27))
    found = contract_breach(make_input(date(2024, 11, 29), marks, CONTRACT))
    assert found is not None and found.rule == R.CONTRACT_BREACH
    assert len(found.evidence) == 10


def test_nine_sessions_is_not_a_breach_when_one_falls_on_the_signing_day() -> None:
    marks = sessions(date(2024, 9, 18), date(2024, 9, 19))  # 18 Sep is the signing day
    marks[(date(2024, 9, 20), "AM")] = "N"
    marks |= sessions(date(2024, 11, 25), date(2024, 11, 26), date(2024, 11, 27))
    assert contract_breach(make_input(date(2024, 11, 29), marks, CONTRACT)) is None


def test_a_session_after_the_tenth_school_week_does_not_count() -> None:
    marks = sessions(date(2024, 9, 19), date(2024, 9, 20))
    marks |= sessions(date(2024, 11, 25), date(2024, 11, 26))
    marks[(date(2024, 11, 27), "AM")] = "O"
    marks[(date(2024, 12, 2), "AM")] = "O"  # week 11
    assert contract_breach(make_input(date(2024, 12, 6), marks, CONTRACT)) is None


# -- medical_review --------------------------------------------------------------------------
PLAN = CaseContext(
    1,
    stage=Stage.SUPPORT_TIER_3,
    stage_started=date(2024, 10, 7),
    illness_plans_started=(date(2024, 10, 7),),
)
# Before the plan: 2 Sep - 4 Oct, 25 days, 50 sessions. During: 7-25 Oct and 4-15 Nov, 50 sessions.
# Review on Mon 18 Nov (start + 6 weeks); year to date then has 102 sessions.


def _illness(before: int, during: int) -> dict[tuple[date, str], str]:
    before_days = CAL.school_days(date(2024, 9, 2), date(2024, 10, 4))
    during_days = CAL.school_days(date(2024, 10, 7), date(2024, 11, 17))
    marks: dict[tuple[date, str], str] = {}
    for days, n in ((before_days, before), (during_days, during)):
        for k in range(n):
            marks[(days[k // 2], ("AM", "PM")[k % 2])] = "I"
    return marks


def test_no_improvement_and_below_85_after_six_weeks() -> None:
    # 42/50 before, 42/50 during (no improvement), year to date 86/102 = 84.31%.
    found = medical_review(make_input(date(2024, 11, 18), _illness(8, 8), PLAN))
    assert found is not None and found.rule == R.MEDICAL_REVIEW
    assert "84.31%" in found.detail


def test_improvement_is_not_a_medical_review() -> None:
    # 42/50 before, 43/50 during: improved.
    assert medical_review(make_input(date(2024, 11, 18), _illness(8, 7), PLAN)) is None


def test_no_improvement_but_85_29_percent_is_not_below_85() -> None:
    # 43/50 before, 42/50 during: worse, but year to date 87/102 = 85.29%.
    assert medical_review(make_input(date(2024, 11, 18), _illness(7, 8), PLAN)) is None


def test_exactly_85_percent_is_not_below_85() -> None:
    # Mon 18 Nov is X (not possible) both sessions, so the year to date has 100 possible
    # sessions. 43/50 before, 42/50 during (worse); 15 absences: 85/100 = exactly 85%, which is
    # not below 85%. One more illness session before the plan: 84/100, a review.
    not_possible = {(date(2024, 11, 18), "AM"): "X", (date(2024, 11, 18), "PM"): "X"}
    exact = make_input(date(2024, 11, 18), _illness(7, 8) | not_possible, PLAN)
    assert exact.year_to_date.possible == 100 and exact.year_to_date.attended == 85
    assert medical_review(exact) is None
    below = make_input(date(2024, 11, 18), _illness(8, 8) | not_possible, PLAN)
    found = medical_review(below)
    assert found is not None and "84.00%" in found.detail


def test_before_the_six_weeks_are_up_there_is_no_review() -> None:
    assert medical_review(make_input(date(2024, 11, 15), _illness(8, 8), PLAN)) is None


# -- part_time_review ------------------------------------------------------------------------
C2_WEEK = {(date(2024, 10, d), "PM"): "C2" for d in range(7, 12)}
C2_WEEKS = (
    C2_WEEK
    | {(date(2024, 10, d), "PM"): "C2" for d in range(14, 19)}
    | {(date(2024, 10, 21), "PM"): "C2"}
)


def test_c2_with_no_timetable_on_record() -> None:
    found = part_time_review(make_input(date(2024, 10, 11), C2_WEEK, CaseContext(1)))
    assert found is not None and found.rule == R.PART_TIME_REVIEW
    assert len(found.evidence) == 5
    assert part_time_review(make_input(date(2024, 10, 11), C2_WEEK, None)) is not None


def test_c2_covered_by_a_timetable_with_a_review_to_come() -> None:
    tt = PartTimeTimetable(date(2024, 10, 7), date(2024, 10, 25), (date(2024, 10, 18),))
    assert (
        part_time_review(
            make_input(date(2024, 10, 11), C2_WEEK, CaseContext(1, part_time_timetables=(tt,)))
        )
        is None
    )


def test_one_c2_the_day_before_the_timetable_started() -> None:
    tt = PartTimeTimetable(date(2024, 10, 8), date(2024, 10, 25), (date(2024, 10, 18),))
    found = part_time_review(
        make_input(date(2024, 10, 11), C2_WEEK, CaseContext(1, part_time_timetables=(tt,)))
    )
    assert found is not None
    assert [e.date for e in found.evidence] == [date(2024, 10, 7)]


def test_review_date_passed() -> None:
    tt = PartTimeTimetable(date(2024, 10, 7), date(2024, 10, 25), (date(2024, 10, 18),))
    case = CaseContext(1, part_time_timetables=(tt,))
    assert part_time_review(make_input(date(2024, 10, 21), C2_WEEKS, case)) is not None
    assert part_time_review(make_input(date(2024, 10, 18), C2_WEEKS, case)) is None


# -- focus_family ----------------------------------------------------------------------------
def _last_year(absent: int) -> dict[tuple[date, str], str]:
    # Only Summer 2 2023/24 is in the calendar: 7 weeks, 35 days, 70 sessions.
    days = CAL.school_days(date(2024, 6, 3), date(2024, 7, 19))
    assert len(days) == 35
    return {(days[k // 2], ("AM", "PM")[k % 2]): "O" for k in range(absent)}


def test_ended_last_year_below_96_percent() -> None:
    # 67/70 = 95.71% < 96%.
    found = focus_family(make_input(date(2024, 9, 10), _last_year(3), CaseContext(1)))
    assert found is not None and found.rule == R.FOCUS_FAMILY
    assert "95.71%" in found.detail


def test_ended_last_year_at_97_percent_is_not_a_focus_family() -> None:
    # 68/70 = 97.14%.
    assert focus_family(make_input(date(2024, 9, 10), _last_year(2), None)) is None


def test_exactly_96_percent_is_not_below() -> None:
    case = CaseContext(1, previous_year_attendance=(96, 100))
    assert focus_family(make_input(date(2024, 9, 10), {}, case)) is None
    case = CaseContext(1, previous_year_attendance=(2399, 2500))  # 95.96%
    assert focus_family(make_input(date(2024, 9, 10), {}, case)) is not None


def test_open_case_at_the_end_of_last_year() -> None:
    case = CaseContext(1, open_case_at_previous_year_end=True, previous_year_attendance=(70, 70))
    found = focus_family(make_input(date(2024, 9, 10), {}, case))
    assert found is not None and "open case" in found.detail


def test_no_case_context_no_case_concerns() -> None:
    inp = make_input(date(2024, 10, 10), sessions(date(2024, 10, 8)))
    for rule in (unauthorised_after_warning, contract_breach, medical_review):
        assert rule(inp) is None
