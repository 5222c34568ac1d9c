"""Who goes to which meeting: the policy's routes over bands and concerns, on exact fractions."""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction

import pytest

from attendance_desk.domain import concern as R
from attendance_desk.domain.calendar import SchoolCalendar
from attendance_desk.domain.concern import Concern
from attendance_desk.domain.meetings import (
    BAND_REASON,
    Standing,
    agenda_routes,
    band_changes,
    class_teacher_route,
    figures_date,
    last_complete_week_end,
    placements,
    route,
    week_ending,
    weekday_summary,
)
from attendance_desk.domain.policy import Policy, clifford, clifton


def _standing(pid: int, policy: Policy, attendance: Fraction, *rules: str) -> Standing:
    band = policy.band_for(attendance)
    concerns = tuple(Concern(pid, r, f"{r} found") for r in rules)
    return Standing(pid, band.id if band else None, concerns)


def _ids(policy: Policy, meeting: str, standings: list[Standing]) -> list[int]:
    return [p.pupil_id for p in placements(route(policy, meeting), standings, policy)]


def test_clifton_band_edges_send_each_pupil_to_its_owner() -> None:
    policy = clifton()
    pupils = [
        _standing(1, policy, Fraction(96, 100)),  # green: nobody's list
        _standing(2, policy, Fraction(9599, 10000)),  # class teacher (95.99%)
        _standing(3, policy, Fraction(93, 100)),  # class teacher (edge)
        _standing(4, policy, Fraction(9299, 10000)),  # senior leaders
        _standing(5, policy, Fraction(90, 100)),  # senior leaders (edge)
        _standing(6, policy, Fraction(8999, 10000)),  # Family Hub
    ]
    assert _ids(policy, "class_teacher", pupils) == [2, 3]
    assert _ids(policy, "slt", pupils) == [4, 5]
    assert _ids(policy, "family-hub", pupils) == [6]


def test_rules_route_whatever_the_band_and_reasons_name_them() -> None:
    policy = clifton()
    green = Fraction(99, 100)
    pupils = [
        _standing(1, policy, green, R.ABSENT_WEEK),
        _standing(2, policy, Fraction(85, 100), R.FALLING_ATTENDANCE),
        _standing(3, policy, green, R.FREQUENT_ILLNESS),
        _standing(4, policy, green, R.PENALTY_THRESHOLD),  # no meeting takes this rule
    ]
    slt = placements(route(policy, "slt"), pupils, policy)
    assert [p.pupil_id for p in slt] == [1, 2]
    assert [r.kind for r in slt[1].reasons] == [R.FALLING_ATTENDANCE]
    hub = placements(route(policy, "family_hub"), pupils, policy)
    assert [(p.pupil_id, [r.kind for r in p.reasons]) for p in hub] == [
        (2, [BAND_REASON]),
        (3, [R.FREQUENT_ILLNESS]),
    ]


def test_clifford_attendance_team_takes_every_pupil_below_the_expectation() -> None:
    policy = clifford()
    assert [m.id for m in agenda_routes(policy)] == ["attendance_team"]
    assert class_teacher_route(policy) is None
    pupils = [
        _standing(1, policy, Fraction(96, 100)),
        _standing(2, policy, Fraction(9599, 10000), R.BELOW_EXPECTED),
    ]
    assert _ids(policy, "attendance-team", pupils) == [2]


def test_a_school_variant_gets_its_own_meetings() -> None:
    data = json.loads(clifton().to_json())
    data["preset"] = "custom"
    data["bands"][1]["lower_pct"] = "94"  # class teacher from 94%
    data["meetings"][1]["rules"] = ["absent_week"]  # SLT: no falling-attendance route
    policy = Policy.from_json(json.dumps(data))
    pupils = [
        _standing(1, policy, Fraction(935, 1000)),  # now senior leaders
        _standing(2, policy, Fraction(80, 100), R.FALLING_ATTENDANCE),  # Family Hub only
    ]
    assert _ids(policy, "slt", pupils) == [1]
    assert _ids(policy, "class_teacher", pupils) == []
    assert Policy.from_json(policy.to_json()) == policy


def test_settings_saved_before_meetings_take_the_presets_and_bad_ones_are_refused() -> None:
    data = json.loads(clifton().to_json())
    del data["meetings"]
    assert Policy.from_json(json.dumps(data)).meetings == clifton().meetings
    data = json.loads(clifford().to_json())
    data["meetings"][0]["bands"] = ["purple"]
    with pytest.raises(ValueError, match="purple"):
        Policy.from_json(json.dumps(data))
    data["meetings"][0]["bands"] = []
    data["meetings"][0]["rules"] = ["no_such_rule"]
    with pytest.raises(ValueError, match="no_such_rule"):
        Policy.from_json(json.dumps(data))
    with pytest.raises(ValueError, match="attendance-team"):
        route(clifford(), "slt")


def test_band_changes_and_weeks() -> None:
    changes = band_changes({1: "a", 2: "b", 3: "a"}, {1: "a", 2: "a", 4: "b"})
    assert [(c.pupil_id, c.before, c.after) for c in changes] == [
        (2, "b", "a"),
        (3, "a", None),
        (4, None, "b"),
    ]
    week = week_ending(date(2025, 3, 28))
    assert (week.start, week.previous_end) == (date(2025, 3, 24), date(2025, 3, 23))


def test_a_half_term_review_counts_to_the_end_of_the_half_term() -> None:
    calendar = SchoolCalendar(
        [("Autumn 1", date(2024, 9, 2), date(2024, 10, 25))], session_dates=()
    )
    review = route(clifford(), "attendance_team")
    assert figures_date(review, calendar, date(2024, 10, 30)) == date(2024, 10, 25)
    assert figures_date(review, calendar, date(2024, 10, 18)) == date(2024, 10, 18)
    assert figures_date(route(clifton(), "slt"), calendar, date(2024, 10, 30)) == date(2024, 10, 30)


def test_weekday_summary_puts_the_worst_day_first() -> None:
    assert weekday_summary([("Monday", 3, 10), ("Tuesday", 0, 10), ("Friday", 5, 10)]) == (
        "Fri 5/10, Mon 3/10"
    )
    assert weekday_summary([("Monday", 0, 10)]) == "no absence"


def test_the_weekly_report_defaults_to_the_last_complete_school_week() -> None:
    """Autumn 2024: Autumn 1 Mon 2 Sep to Fri 25 Oct, Autumn 2 from Mon 4 Nov; Fri 11 Oct an
    INSET day. Worked out by hand."""
    calendar = SchoolCalendar(
        [
            ("Autumn 1", date(2024, 9, 2), date(2024, 10, 25)),
            ("Autumn 2", date(2024, 11, 4), date(2024, 12, 20)),
        ],
        closures=[date(2024, 10, 11)],
    )
    # a Monday: last week's Friday (the week just begun is not a week yet)
    assert last_complete_week_end(date(2024, 10, 7), calendar) == date(2024, 10, 4)
    # Wednesday: still last week
    assert last_complete_week_end(date(2024, 10, 2), calendar) == date(2024, 9, 27)
    # a Friday: that day; the weekend after: that Friday
    assert last_complete_week_end(date(2024, 10, 4), calendar) == date(2024, 10, 4)
    assert last_complete_week_end(date(2024, 10, 6), calendar) == date(2024, 10, 4)
    # Thursday before the INSET Friday: no school day left this week, so this Thursday
    assert last_complete_week_end(date(2024, 10, 10), calendar) == date(2024, 10, 10)
    # the Monday after half term: the last day before the holiday, across the holiday week
    assert last_complete_week_end(date(2024, 11, 4), calendar) == date(2024, 10, 25)
    # the first Monday of the year, with nothing before it: the day itself
    assert last_complete_week_end(date(2024, 9, 2), calendar) == date(2024, 9, 2)


def test_without_term_dates_a_week_is_not_over_before_friday() -> None:
    """Days inferred from the marks so far: Monday 7 Oct's marks are in, the rest of the week
    is unknown, so the report is last week's, not a one-day week."""
    marked = [date(2024, 9, 30) + timedelta(days=d) for d in range(5)]
    calendar = SchoolCalendar(session_dates=[*marked, date(2024, 10, 7)])
    assert last_complete_week_end(date(2024, 10, 7), calendar) == date(2024, 10, 4)
    assert last_complete_week_end(date(2024, 10, 4), calendar) == date(2024, 10, 4)
