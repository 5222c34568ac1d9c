"""Recovery (sessions to 90% / 96%, projection), weekday patterns and absences by breaks."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from engine_helpers import fill, make_input

from attendance_desk.domain.patterns import (
    absence_instances,
    absences_next_to_breaks,
    recovery,
    sessions_to_reach,
    weekday_pattern,
)

D = date


def test_sessions_to_reach_worked_by_hand() -> None:
    # 80/100: (80 + k) / (100 + k) >= 9/10 -> k >= 100; >= 24/25 -> k >= 400
    assert sessions_to_reach(80, 100, Fraction(9, 10), 1000) == 100
    assert sessions_to_reach(80, 100, Fraction(24, 25), 1000) == 400
    assert sessions_to_reach(80, 100, Fraction(24, 25), 399) is None  # not possible
    assert sessions_to_reach(90, 100, Fraction(9, 10), 0) == 0  # already there
    assert sessions_to_reach(89, 100, Fraction(9, 10), 10) == 10  # 99/110 = 90% exactly


def test_recovery_counts_the_sessions_left_in_the_year() -> None:
    marks = fill(D(2025, 7, 7), D(2025, 7, 11), code="I")  # 0 of 10 this year so far
    r = recovery(make_input(marks, D(2025, 7, 11)))
    assert r.sessions_left == 10  # 14-18 July
    assert r.sessions_to_90 is None and r.sessions_to_96 is None
    assert r.projected_year_end == 0


def test_projection_continues_the_recent_rate() -> None:
    marks = fill(D(2025, 6, 2), D(2025, 7, 4), overrides={(D(2025, 7, 4), "PM"): "I"})
    r = recovery(make_input(marks, D(2025, 7, 4)))
    # 49/50 now; last 4 school weeks 39/40; 20 sessions left: (49 + 20 * 39/40) / 70
    assert r.sessions_left == 20
    assert r.projected_year_end == Fraction(49 * 40 + 20 * 39, 70 * 40)
    assert r.sessions_to_90 == 0 and r.sessions_to_96 == 0


def test_weekday_pattern_breaks_and_instances() -> None:
    over = {(D(2024, 11, 8), "PM"): "I", (D(2024, 11, 11), "AM"): "I", (D(2024, 11, 13), "AM"): "G"}
    inp = make_input(fill(D(2024, 11, 4), D(2024, 11, 15), overrides=over), D(2024, 11, 15))
    pattern = weekday_pattern(inp, D(2024, 9, 1), D(2024, 11, 15))
    assert [(w.name, w.am_missed, w.pm_missed) for w in pattern if w.missed] == [
        ("Mon", 1, 0),
        ("Wed", 1, 0),
        ("Fri", 0, 1),
    ]
    assert pattern[0].am_possible == 2
    breaks = absences_next_to_breaks(inp, D(2024, 9, 1), D(2024, 11, 15))
    assert [(b.date, b.next_to) for b in breaks] == [
        (D(2024, 11, 8), "weekend"),
        (D(2024, 11, 11), "weekend"),
    ]
    assert absence_instances(inp, D(2024, 9, 1), D(2024, 11, 15)) == 2  # Fri PM + Mon AM, Wed


def test_an_absence_after_half_term_is_next_to_a_holiday() -> None:
    inp = make_input(fill(D(2024, 11, 4), D(2024, 11, 4), code="G"), D(2024, 11, 4))
    assert {b.next_to for b in absences_next_to_breaks(inp, D(2024, 9, 1), D(2024, 11, 4))} == {
        "holiday"
    }


def test_weekday_pattern_never_misses_more_than_was_possible() -> None:
    # Two weeks, 4-15 Nov 2024. Both Friday afternoons missed (I, O): 2 of 2 = 100%, not more.
    # Monday 11 Nov AM is X (not possible): it is neither possible nor missed.
    over = {
        (D(2024, 11, 8), "PM"): "I",
        (D(2024, 11, 15), "PM"): "O",
        (D(2024, 11, 11), "AM"): "X",
        (D(2024, 11, 4), "AM"): "V",  # approved activity: possible, attended
    }
    inp = make_input(fill(D(2024, 11, 4), D(2024, 11, 15), overrides=over), D(2024, 11, 15))
    mon, *_, fri = weekday_pattern(inp, D(2024, 9, 1), D(2024, 11, 15))
    assert (fri.pm_missed, fri.pm_possible) == (2, 2)
    assert (fri.am_missed, fri.am_possible) == (0, 2)
    assert (mon.am_missed, mon.am_possible) == (0, 1)
    assert (mon.pm_missed, mon.pm_possible) == (0, 2)
