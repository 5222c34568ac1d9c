"""Every register rule: a hit and a narrow miss, worked out by hand on the 2024/25 calendar.

Calendar (engine_helpers): Autumn 1 3 Sep-25 Oct 2024 (2 Sep INSET), Autumn 2 4 Nov-20 Dec,
Spring 1 7 Jan-14 Feb 2025 (6 Jan INSET), Spring 2 25 Feb-4 Apr (24 Feb INSET), Summer 1
22 Apr-23 May (5 May bank holiday), Summer 2 2 Jun-18 Jul.
"""

from __future__ import annotations

from datetime import date

from engine_helpers import days, fill, make_input

from attendance_desk.domain import concern as R
from attendance_desk.domain import rules
from attendance_desk.domain.policy import clifton

D = date


def rule_ids(inp) -> set[str]:  # noqa: ANN001
    return {c.rule for c in rules.evaluate(inp, rules.REGISTER_RULE_FUNCTIONS)}


# --- below_expected: exactly 96.00% against 95.99% ---------------------------------------------
def test_exactly_96_percent_is_not_below_expected() -> None:
    school = days(D(2024, 9, 3), D(2025, 8, 31))[:50]  # 100 sessions
    marks = fill(school[0], school[-1], overrides={(d, "AM"): "I" for d in school[:4]})
    inp = make_input(marks, school[-1])
    assert inp.year_to_date.attendance_pct == 96.0
    assert rules.below_expected(inp) is None


def test_95_99_percent_is_below_expected() -> None:
    school = days(D(2024, 9, 3), D(2025, 8, 31))[:187]  # 374 sessions, 15 absent: 95.99%
    marks = fill(school[0], school[-1], overrides={(d, "PM"): "M" for d in school[:15]})
    inp = make_input(marks, school[-1])
    concern = rules.below_expected(inp)
    assert concern is not None and "95.99%" in concern.detail
    assert len(concern.evidence) == 15 and {e.code for e in concern.evidence} == {"M"}
    assert concern.owner == "Attendance Team"


def test_clifton_below_expected_takes_the_band_owner_and_actions() -> None:
    school = days(D(2024, 9, 3), D(2024, 12, 20))[:50]
    marks = fill(school[0], school[-1], overrides={(d, "AM"): "I" for d in school[:5]})  # 95%
    concern = rules.below_expected(make_input(marks, school[-1], clifton()))
    assert concern.owner == "Class teacher" and "Weekly report" in concern.action


# --- persistent and severe: exactly 90% and 50% ------------------------------------------------
def test_exactly_90_percent_is_persistent_absence() -> None:
    school = days(D(2024, 9, 3), D(2024, 9, 30))[:10]  # 20 sessions, 2 absent
    marks = fill(school[0], school[-1], overrides={(school[0], "AM"): "O", (school[1], "PM"): "I"})
    inp = make_input(marks, school[-1])
    assert R.PERSISTENT_ABSENCE in rule_ids(inp)
    assert R.SEVERE_ABSENCE not in rule_ids(inp)


def test_just_above_90_percent_is_not_persistent() -> None:
    school = days(D(2024, 9, 3), D(2025, 8, 31))[:101]
    marks = fill(school[0], school[99], overrides={(d, "AM"): "I" for d in school[:20]})
    assert R.PERSISTENT_ABSENCE in rule_ids(make_input(marks, school[99]))  # 180/200 = 90%
    marks.append((school[100], "AM", "/"))
    inp = make_input(marks, school[100])
    f = inp.year_to_date
    assert (f.attended, f.possible) == (181, 201)  # 90.05%
    assert R.PERSISTENT_ABSENCE not in rule_ids(inp)


def test_exactly_50_percent_is_severe_absence() -> None:
    school = days(D(2024, 9, 3), D(2024, 9, 30))[:10]
    hit = fill(school[0], school[-1], overrides={(d, "AM"): "G" for d in school})
    assert {R.SEVERE_ABSENCE, R.PERSISTENT_ABSENCE} <= rule_ids(make_input(hit, school[-1]))
    miss = hit + [(days(D(2024, 10, 1), D(2024, 10, 1))[0], "AM", "/")]
    assert R.SEVERE_ABSENCE not in rule_ids(make_input(miss, D(2024, 10, 1)))  # 11/21


# --- absent_week -------------------------------------------------------------------------------
def _autumn2(overrides: dict, as_of: date) -> list:
    return fill(D(2024, 11, 4), as_of, overrides=overrides)


def test_ten_absences_in_a_row_across_a_weekend_and_a_not_possible_mark() -> None:
    # Thu 14 Nov, Fri 15 Nov, Mon 18, Tue 19, Wed 20 Nov: 10 sessions; a Y1 mark between.
    run = [D(2024, 11, 14), D(2024, 11, 15), D(2024, 11, 18), D(2024, 11, 19), D(2024, 11, 20)]
    over = {(d, s): ("I" if d.day < 18 else "O") for d in run for s in ("AM", "PM")}
    marks = _autumn2(over, D(2024, 11, 22))
    marks.append((D(2024, 11, 16), "AM", "Y1"))  # a Saturday club: not possible, no break
    inp = make_input(marks, D(2024, 11, 22))
    concern = rules.absent_week(inp)
    assert concern is not None and concern.detail.startswith("Absent for 10 sessions")
    assert len(concern.evidence) == 10


def test_nine_absences_then_a_present_mark_is_not_a_week() -> None:
    run = [D(2024, 11, 14), D(2024, 11, 15), D(2024, 11, 18), D(2024, 11, 19), D(2024, 11, 20)]
    over = {(d, s): "I" for d in run for s in ("AM", "PM")}
    over[(D(2024, 11, 18), "PM")] = "L"  # late, so present: breaks the run into 5 and 4
    assert rules.absent_week(make_input(_autumn2(over, D(2024, 11, 22)), D(2024, 11, 22))) is None


def test_a_week_absent_in_the_previous_half_term_is_not_raised() -> None:
    over = {(d, s): "I" for d in days(D(2024, 10, 21), D(2024, 10, 25)) for s in ("AM", "PM")}
    marks = fill(D(2024, 10, 14), D(2024, 11, 8), overrides=over)
    assert rules.absent_week(make_input(marks, D(2024, 11, 8))) is None
    # ... but a run that carries on into this half term is (holidays do not break runs)
    over[(D(2024, 11, 4), "AM")] = "I"
    concern = rules.absent_week(
        make_input(fill(D(2024, 10, 14), D(2024, 11, 8), overrides=over), D(2024, 11, 8))
    )
    assert concern is not None and "11 sessions" in concern.detail


# --- frequent_illness: instances, joined across a weekend --------------------------------------
def test_three_illness_instances_in_the_half_term() -> None:
    over = {
        (D(2024, 11, 5), "AM"): "I",  # 1
        (D(2024, 11, 7), "PM"): "I",  # 2
        (D(2024, 11, 15), "PM"): "I",  # 3: Fri PM ...
        (D(2024, 11, 18), "AM"): "I",  # ... and Mon AM: the same instance
    }
    inp = make_input(_autumn2(over, D(2024, 11, 22)), D(2024, 11, 22))
    concern = rules.frequent_illness(inp)
    assert concern is not None and concern.detail.startswith("3 instances")
    assert len(concern.evidence) == 4


def test_an_illness_run_across_a_weekend_is_one_instance() -> None:
    over = {
        (D(2024, 11, 5), "AM"): "I",
        (D(2024, 11, 15), "PM"): "I",
        (D(2024, 11, 18), "AM"): "I",
    }
    assert (
        rules.frequent_illness(make_input(_autumn2(over, D(2024, 11, 22)), D(2024, 11, 22))) is None
    )


def test_an_appointment_is_not_illness_and_breaks_an_instance() -> None:
    over = {
        (D(2024, 11, 5), "AM"): "I",
        (D(2024, 11, 5), "PM"): "M",
        (D(2024, 11, 6), "AM"): "I",
        (D(2024, 11, 7), "AM"): "M",
    }
    # I, M, I: two instances (the M is a possible session that is not illness); M alone: none
    assert (
        rules.frequent_illness(make_input(_autumn2(over, D(2024, 11, 8)), D(2024, 11, 8))) is None
    )


def test_five_instances_in_the_term_across_two_half_terms() -> None:
    starts = [D(2024, 10, 1), D(2024, 10, 8), D(2024, 10, 15), D(2024, 11, 12), D(2024, 11, 19)]
    over = {(d, "AM"): "I" for d in starts}
    marks = fill(D(2024, 9, 3), D(2024, 11, 22), overrides=over)
    concern = rules.frequent_illness(make_input(marks, D(2024, 11, 22)))
    assert concern is not None and "Autumn 2024/25" in concern.detail
    del over[(D(2024, 10, 1), "AM")]
    marks = fill(D(2024, 9, 3), D(2024, 11, 22), overrides=over)
    assert rules.frequent_illness(make_input(marks, D(2024, 11, 22))) is None


# --- penalty_threshold: 10 school weeks across Christmas ---------------------------------------
def _penalty_marks(first: date) -> list:
    feb = days(D(2025, 2, 10), D(2025, 2, 14))  # 9 more unauthorised sessions in February
    over = {(d, s): "G" for d in feb for s in ("AM", "PM")}
    del over[(feb[-1], "PM")]
    over[(first, "AM")] = "O"
    return fill(D(2024, 11, 18), D(2025, 2, 14), overrides=over)


def test_ten_unauthorised_in_ten_school_weeks_spanning_christmas() -> None:
    # weeks of 25 Nov, 2, 9, 16 Dec, 6, 13, 20, 27 Jan, 3, 10 Feb: ten school weeks
    concern = rules.penalty_threshold(make_input(_penalty_marks(D(2024, 11, 25)), D(2025, 2, 14)))
    assert concern is not None and concern.detail.startswith("10 unauthorised sessions")
    assert "Mon 25 Nov 2024" in concern.detail
    assert {e.code for e in concern.evidence} == {"O", "G"}


def test_the_same_over_eleven_school_weeks_is_not_raised() -> None:
    assert (
        rules.penalty_threshold(make_input(_penalty_marks(D(2024, 11, 22)), D(2025, 2, 14))) is None
    )


def test_sessions_after_the_date_do_not_count() -> None:
    marks = _penalty_marks(D(2024, 11, 25))
    assert rules.penalty_threshold(make_input(marks, D(2025, 2, 13))) is None  # 7 by Thursday


# --- unresolved_n: exactly 5 school days -------------------------------------------------------
def test_an_n_five_school_days_old_is_not_yet_raised() -> None:
    marks = fill(D(2025, 1, 7), D(2025, 1, 21), overrides={(D(2025, 1, 13), "AM"): "N"})
    assert rules.unresolved_n(make_input(marks, D(2025, 1, 20))) is None  # 14-17, 20: 5 days


def test_an_n_six_school_days_old_is_raised() -> None:
    marks = fill(D(2025, 1, 7), D(2025, 1, 21), overrides={(D(2025, 1, 13), "AM"): "N"})
    concern = rules.unresolved_n(make_input(marks, D(2025, 1, 21)))
    assert concern is not None and concern.evidence[0].date == D(2025, 1, 13)
    assert concern.evidence[0].note == "6 school days ago"


def test_closures_are_not_school_days_for_n() -> None:
    # N on Wed 30 Apr 2025: 1, 2 May, (5 May bank holiday), 6, 7 May -> 4 school days on 7 May
    marks = fill(D(2025, 4, 22), D(2025, 5, 9), overrides={(D(2025, 4, 30), "PM"): "N"})
    assert rules.unresolved_n(make_input(marks, D(2025, 5, 8))) is None  # 5 days
    assert rules.unresolved_n(make_input(marks, D(2025, 5, 9))) is not None  # 6 days


# --- la_ten_day_return and sickness_return -----------------------------------------------------
def test_twenty_unauthorised_sessions_in_a_row() -> None:
    run = days(D(2025, 3, 3), D(2025, 3, 14))  # 10 school days
    over = {(d, s): "O" for d in run for s in ("AM", "PM")}
    marks = fill(D(2025, 2, 25), D(2025, 3, 21), overrides=over)
    concern = rules.la_ten_day_return(make_input(marks, D(2025, 3, 21)))
    assert concern is not None and "20 sessions" in concern.detail
    over[(run[-1], "PM")] = "I"  # authorised: the unauthorised run is 19
    marks = fill(D(2025, 2, 25), D(2025, 3, 21), overrides=over)
    assert rules.la_ten_day_return(make_input(marks, D(2025, 3, 21))) is None


def test_thirty_illness_sessions_in_the_year() -> None:
    ill = days(D(2024, 9, 3), D(2025, 3, 31))[::3][:30]
    assert len(ill) == 30
    over = {(d, "AM"): "I" for d in ill}
    marks = fill(D(2024, 9, 3), D(2025, 3, 31), overrides=over)
    assert rules.sickness_return(make_input(marks, D(2025, 3, 31))) is not None
    del over[(ill[0], "AM")]
    marks = fill(D(2024, 9, 3), D(2025, 3, 31), overrides=over)
    assert rules.sickness_return(make_input(marks, D(2025, 3, 31))) is None


# --- frequent_lateness -------------------------------------------------------------------------
def test_five_late_marks_in_the_half_term() -> None:
    lates = [D(2025, 1, 7), D(2025, 1, 8), D(2025, 1, 9), D(2025, 1, 10), D(2025, 1, 13)]
    over = {(d, "AM"): "L" for d in lates[:4]}
    over[(lates[4], "AM")] = "U"
    marks = fill(D(2024, 12, 16), D(2025, 1, 17), overrides=over)
    assert rules.frequent_lateness(make_input(marks, D(2025, 1, 17))) is not None
    # one of them in the previous half term instead: 4 this half term
    del over[(lates[4], "AM")]
    over[(D(2024, 12, 20), "AM")] = "L"
    marks = fill(D(2024, 12, 16), D(2025, 1, 17), overrides=over)
    assert rules.frequent_lateness(make_input(marks, D(2025, 1, 17))) is None


# --- improved ----------------------------------------------------------------------------------
def _improved_marks(this_present: int, this_possible: int) -> tuple[list, date]:
    autumn1 = days(D(2024, 9, 3), D(2024, 10, 25))[:10]  # 20 sessions, 17 present: 85%
    marks = fill(autumn1[0], autumn1[-1], overrides={(d, "AM"): "I" for d in autumn1[:3]})
    autumn2 = [(d, s) for d in days(D(2024, 11, 4), D(2024, 12, 20)) for s in ("AM", "PM")]
    sessions = autumn2[:this_possible]
    for k, (d, s) in enumerate(sessions):
        marks.append((d, s, "/" if k < this_present else "O"))
    return marks, sessions[-1][0]


def test_improved_by_exactly_three_points() -> None:
    marks, as_of = _improved_marks(22, 25)  # 88% against 85%
    concern = rules.improved(make_input(marks, as_of))
    assert concern is not None and "88.00%" in concern.detail and "85.00%" in concern.detail


def test_improved_by_less_than_three_points_is_not_raised() -> None:
    marks, as_of = _improved_marks(21, 24)  # 87.5%
    assert rules.improved(make_input(marks, as_of)) is None


def test_improved_needs_the_pupil_below_the_expectation_before() -> None:
    autumn1 = fill(D(2024, 9, 3), D(2024, 10, 25))  # 100%
    autumn2 = fill(D(2024, 11, 4), D(2024, 11, 8))
    assert rules.improved(make_input(autumn1 + autumn2, D(2024, 11, 8))) is None


# --- falling_attendance ------------------------------------------------------------------------
def test_clifford_falling_below_96_since_the_end_of_the_last_half_term() -> None:
    a1 = days(D(2024, 9, 3), D(2024, 10, 25))[:10]
    a2 = days(D(2024, 11, 4), D(2024, 11, 8))  # 5 days
    base = fill(a1[0], a1[-1])  # 20 sessions, 100%
    one_day = base + fill(a2[0], a2[0], overrides={(a2[0], "AM"): "I"})  # 21/22 = 95.45%
    concern = rules.falling_attendance(make_input(one_day, a2[0]))
    assert concern is not None and "down from 100.00%" in concern.detail


def test_clifford_exactly_96_is_not_falling() -> None:
    a1 = days(D(2024, 9, 3), D(2024, 10, 25))[:10]
    a2 = days(D(2024, 11, 4), D(2024, 11, 8))  # 20 + 5 = 25 sessions, 1 absent: 96%
    marks = (
        fill(a1[0], a1[-1])
        + [(d, s, "I" if (d, s) == (a2[0], "AM") else "/") for d in a2[:2] for s in ("AM", "PM")]
        + [(a2[2], "AM", "/")]
    )
    inp = make_input(marks, a2[2])
    assert inp.year_to_date.attendance_pct == 96.0
    assert rules.falling_attendance(inp) is None


def test_falling_is_strict_and_needs_a_point_this_year() -> None:
    a1 = days(D(2024, 9, 3), D(2024, 10, 25))[:5]
    a2 = days(D(2024, 11, 4), D(2024, 11, 8))
    over = {(a1[0], "AM"): "I", (a2[0], "AM"): "I"}
    marks = fill(a1[0], a1[-1], overrides=over) + fill(a2[0], a2[-1], overrides=over)
    assert rules.falling_attendance(make_input(marks, a2[-1])) is None  # 90% then 90%
    early = fill(a1[0], a1[-1], overrides={(a1[0], "AM"): "I"})
    assert rules.falling_attendance(make_input(early, a1[-1])) is None  # Autumn 1: no point


def test_clifton_compares_with_the_end_of_the_previous_school_week() -> None:
    before = fill(D(2024, 11, 4), D(2024, 11, 8))  # 10 sessions, 100% to Sun 10 Nov
    week = fill(D(2024, 11, 11), D(2024, 11, 13), code="I")  # 6 absent: 10/16 = 62.5%
    concern = rules.falling_attendance(make_input(before + week, D(2024, 11, 13), clifton()))
    assert concern is not None and "Sun 10 Nov 2024" in concern.detail
    assert concern.owner == "Senior leaders and Family Hub"
    # the same week seen as of the Sunday before: no later week yet
    assert rules.falling_attendance(make_input(before, D(2024, 11, 10), clifton())) is None


def test_clifton_line_is_93_percent() -> None:
    a = fill(D(2024, 9, 9), D(2024, 10, 4))  # 40 sessions
    over = {(D(2024, 10, 7), "AM"): "I", (D(2024, 10, 7), "PM"): "I", (D(2024, 10, 8), "AM"): "I"}
    b = fill(D(2024, 10, 7), D(2024, 10, 11), overrides=over)  # 47/50 = 94%
    assert rules.falling_attendance(make_input(a + b, D(2024, 10, 11), clifton())) is None
    over[(D(2024, 10, 8), "PM")] = "I"  # 46/50 = 92%
    b = fill(D(2024, 10, 7), D(2024, 10, 11), overrides=over)
    assert rules.falling_attendance(make_input(a + b, D(2024, 10, 11), clifton())) is not None


# --- missing_marks -----------------------------------------------------------------------------
def test_a_school_session_with_no_mark_is_reported() -> None:
    marks = [m for m in fill(D(2024, 9, 3), D(2024, 9, 13)) if m[:2] != (D(2024, 9, 10), "PM")]
    marks.append((D(2024, 9, 2), "AM", "#"))  # INSET: not a school day, not a gap
    concern = rules.missing_marks(make_input(marks, D(2024, 9, 13)))
    assert concern is not None and [(e.date, e.session) for e in concern.evidence] == [
        (D(2024, 9, 10), "PM")
    ]


def test_a_complete_register_has_no_gaps() -> None:
    marks = fill(D(2024, 9, 3), D(2024, 9, 13)) + [
        (D(2024, 9, 2), "AM", "#"),
        (D(2024, 9, 2), "PM", "#"),
    ]
    assert rules.missing_marks(make_input(marks, D(2024, 9, 13))) is None


def test_a_dash_is_a_missing_mark() -> None:
    marks = fill(D(2024, 9, 3), D(2024, 9, 13), overrides={(D(2024, 9, 4), "AM"): "-"})
    concern = rules.missing_marks(make_input(marks, D(2024, 9, 13)))
    assert concern is not None and len(concern.evidence) == 1


# A register not yet taken is not missing. Fri 13 Sep 2024: the morning register is taken
# (AM marks imported), the afternoon one not yet.
MORNING_ONLY = frozenset({"AM"})


def _to_friday_morning() -> list:
    return [m for m in fill(D(2024, 9, 3), D(2024, 9, 13)) if m[:2] != (D(2024, 9, 13), "PM")]


def test_an_afternoon_not_yet_taken_on_the_date_is_not_missing() -> None:
    inp = make_input(_to_friday_morning(), D(2024, 9, 13), taken=MORNING_ONLY)
    assert rules.missing_marks(inp) is None
    # Neither missing nor possible: Tue 3 - Thu 12 Sep is 8 days x 2 sessions, + Friday AM
    assert inp.year_to_date.possible == 17 and inp.year_to_date.attendance_pct == 100.0


def test_before_any_register_of_the_date_nothing_of_the_date_is_missing() -> None:
    marks = fill(D(2024, 9, 3), D(2024, 9, 12))
    assert rules.missing_marks(make_input(marks, D(2024, 9, 13), taken=frozenset())) is None


def test_the_same_afternoon_missing_on_an_earlier_date_is_reported() -> None:
    # Friday PM still blank on Monday 16 Sep, whose morning only is taken: Friday PM is missing,
    # Monday PM (not taken yet) is not.
    marks = _to_friday_morning() + [(D(2024, 9, 16), "AM", "/")]
    concern = rules.missing_marks(make_input(marks, D(2024, 9, 16), taken=MORNING_ONLY))
    assert concern is not None
    assert [(e.date, e.session) for e in concern.evidence] == [(D(2024, 9, 13), "PM")]
    assert concern.detail.startswith("1 school session with no mark")


def test_once_the_afternoon_is_taken_a_pupil_without_a_mark_is_missing() -> None:
    # Another pupil has a PM mark on the date, so the afternoon register was taken.
    inp = make_input(_to_friday_morning(), D(2024, 9, 13), taken=frozenset({"AM", "PM"}))
    concern = rules.missing_marks(inp)
    assert concern is not None
    assert [(e.date, e.session) for e in concern.evidence] == [(D(2024, 9, 13), "PM")]


def test_a_morning_not_yet_taken_hides_only_the_date_not_the_days_before() -> None:
    # Thu 12 Sep AM blank; on Fri 13 Sep nothing taken yet: Thursday AM is still missing.
    marks = fill(D(2024, 9, 3), D(2024, 9, 12), overrides={(D(2024, 9, 12), "AM"): "-"})
    concern = rules.missing_marks(make_input(marks, D(2024, 9, 13), taken=frozenset()))
    assert concern is not None
    assert [(e.date, e.session) for e in concern.evidence] == [(D(2024, 9, 12), "AM")]


def test_a_leaver_before_the_date_keeps_the_present_rule() -> None:
    # Left on Thu 12 Sep with that afternoon blank; the figures are as of Friday (not taken).
    marks = [m for m in fill(D(2024, 9, 3), D(2024, 9, 12)) if m[:2] != (D(2024, 9, 12), "PM")]
    inp = make_input(marks, D(2024, 9, 12), leaving=D(2024, 9, 12), taken=frozenset({"AM"}))
    assert rules.missing_marks(inp) is None  # the leaving day is the date: PM not taken
    inp = make_input(marks, D(2024, 9, 12), leaving=D(2024, 9, 12), taken=frozenset({"AM", "PM"}))
    assert rules.missing_marks(inp) is not None


# --- on roll: admitted mid-year, leavers, legacy codes -----------------------------------------
def test_a_pupil_admitted_mid_year_counts_from_admission() -> None:
    before = fill(D(2024, 9, 3), D(2025, 1, 10), code="Z")
    after = fill(D(2025, 1, 13), D(2025, 1, 24))
    inp = make_input(before + after, D(2025, 1, 24), admission=D(2025, 1, 13))
    assert inp.year_to_date.possible == 20 and inp.year_to_date.attendance_pct == 100.0
    assert rule_ids(inp) == set()  # no missing marks before admission, nothing else


def test_a_leaver_has_figures_to_the_leaving_date_and_no_concerns() -> None:
    marks = fill(D(2024, 9, 3), D(2024, 10, 25), code="O")
    inp = make_input(marks, D(2024, 11, 8), leaving=D(2024, 9, 13))
    assert inp.year_to_date.possible == 18  # 3-13 Sep: 9 days
    assert not inp.on_roll and rule_ids(inp) == set()
    on_roll = make_input(marks, D(2024, 9, 13), leaving=D(2024, 9, 13))  # leaving day inclusive
    assert on_roll.on_roll and R.SEVERE_ABSENCE in rule_ids(on_roll)


def test_legacy_codes_count_per_their_category_in_rules() -> None:
    # H (authorised absence) x4 and J (approved activity) in 10 sessions: 6/10 attended
    over = {
        (D(2024, 9, 3), "AM"): "H",
        (D(2024, 9, 3), "PM"): "H",
        (D(2024, 9, 4), "AM"): "F",
        (D(2024, 9, 4), "PM"): "F",
        (D(2024, 9, 5), "AM"): "J",
        (D(2024, 9, 5), "PM"): "Y",
    }
    marks = fill(D(2024, 9, 3), D(2024, 9, 9), overrides=over)
    inp = make_input(marks, D(2024, 9, 9))
    f = inp.year_to_date
    assert (f.possible, f.attended, f.authorised) == (9, 5, 4)
    assert {R.BELOW_EXPECTED, R.PERSISTENT_ABSENCE} <= rule_ids(inp)
    assert R.ABSENT_WEEK not in rule_ids(inp)


# --- hand-worked edges that a changed rule would get wrong ---------------------------------------
def test_a_not_possible_session_does_not_break_an_illness_instance() -> None:
    # I on Tue 5 Nov AM; I on Tue 12 Nov PM, Y1 (not possible) on Wed 13 Nov AM, I on Wed 13
    # Nov PM. Runs skip not-possible sessions, so 12-13 Nov is ONE instance: 2 in Autumn 2, no
    # concern. With a present mark instead of the Y1 the run breaks: 3 instances, a concern.
    over = {
        (D(2024, 11, 5), "AM"): "I",
        (D(2024, 11, 12), "PM"): "I",
        (D(2024, 11, 13), "AM"): "Y1",
        (D(2024, 11, 13), "PM"): "I",
    }
    as_of = D(2024, 11, 15)
    assert rules.frequent_illness(make_input(_autumn2(over, as_of), as_of)) is None
    over[(D(2024, 11, 13), "AM")] = "/"
    concern = rules.frequent_illness(make_input(_autumn2(over, as_of), as_of))
    assert concern is not None and concern.detail.startswith("3 instances")


def test_an_illness_instance_belongs_to_the_half_term_where_it_starts() -> None:
    # Fri 25 Oct PM (last session of Autumn 1) I, then Mon 4 Nov AM (first of Autumn 2) I: one
    # instance over the holiday, starting in Autumn 1. With I on Thu 7 and Tue 12 Nov, Autumn 2
    # has 2 instances starting in it (3 needed) and the Autumn term 3 (5 needed): no concern.
    # Were the instance placed where it ends, Autumn 2 would have 3.
    over = {
        (D(2024, 10, 25), "PM"): "I",
        (D(2024, 11, 4), "AM"): "I",
        (D(2024, 11, 7), "AM"): "I",
        (D(2024, 11, 12), "AM"): "I",
    }
    as_of = D(2024, 11, 15)
    marks = fill(D(2024, 9, 3), as_of, overrides=over)
    assert rules.frequent_illness(make_input(marks, as_of)) is None
    del over[(D(2024, 10, 25), "PM")]  # now the instance starts on 4 Nov: 3 in Autumn 2
    marks = fill(D(2024, 9, 3), as_of, overrides=over)
    concern = rules.frequent_illness(make_input(marks, as_of))
    assert concern is not None and "Autumn 2" in concern.detail


def test_the_leaving_date_itself_must_have_its_marks() -> None:
    # Leaves on Fri 13 Sep (inclusive): marks up to Thu 12 Sep leave Fri 13 AM and PM missing.
    marks = fill(D(2024, 9, 3), D(2024, 9, 12))
    concern = rules.missing_marks(make_input(marks, D(2024, 9, 20), leaving=D(2024, 9, 13)))
    assert concern is not None
    assert [(e.date, e.session) for e in concern.evidence] == [
        (D(2024, 9, 13), "AM"),
        (D(2024, 9, 13), "PM"),
    ]
    marks = fill(D(2024, 9, 3), D(2024, 9, 13))
    assert rules.missing_marks(make_input(marks, D(2024, 9, 20), leaving=D(2024, 9, 13))) is None
