"""What an officer acts on for one pupil: weekday patterns, absences beside weekends and
holidays, absence instances, and what it takes to recover (sessions to 90% / 96%)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from attendance_desk.domain.calendar import SchoolCalendar
from attendance_desk.domain.rule_input import ABSENCE_RUN, RuleInput

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
RECENT_WEEKS = 4


@dataclass(frozen=True, slots=True)
class WeekdaySessions:
    """Absences (authorised or unauthorised) and possible sessions on one weekday, AM and PM."""

    weekday: int  # 0 Monday .. 4 Friday
    name: str
    am_missed: int
    pm_missed: int
    am_possible: int
    pm_possible: int

    @property
    def missed(self) -> int:
        return self.am_missed + self.pm_missed


@dataclass(frozen=True, slots=True)
class BreakAbsence:
    """An absence on a school day next to a weekend or a holiday (or closure)."""

    date: date
    session: str
    code: str
    next_to: str  # "weekend" | "holiday"


@dataclass(frozen=True, slots=True)
class Recovery:
    """Sessions of unbroken attendance from now needed to reach a line this academic year.

    `sessions_to_90` / `sessions_to_96`: 0 when already there; None when the sessions left in
    the year are not enough ("not possible"). The projection continues the pupil's rate over
    the last RECENT_WEEKS school weeks (or the year's rate when there is none) to the year end.
    """

    sessions_left: int
    sessions_to_90: int | None
    sessions_to_96: int | None
    projected_year_end: Fraction | None

    @property
    def projected_year_end_pct(self) -> float | None:
        p = self.projected_year_end
        return None if p is None else float(p * 100)


def weekday_pattern(inp: RuleInput, start: date, end: date) -> tuple[WeekdaySessions, ...]:
    i, j = inp.bounds(start, end)
    missed = [[0, 0] for _ in range(7)]
    possible = [[0, 0] for _ in range(7)]
    slots, cats = inp.slots, inp.cats
    for k in range(i, j):
        c = cats[k]
        if c in "XV-P":
            if c in "PV":
                s = slots[k]
                possible[((s >> 1) - 1) % 7][s & 1] += 1
            continue
        s = slots[k]
        wd = ((s >> 1) - 1) % 7
        possible[wd][s & 1] += 1
        missed[wd][s & 1] += 1
    return tuple(
        WeekdaySessions(
            wd, WEEKDAYS[wd], missed[wd][0], missed[wd][1], possible[wd][0], possible[wd][1]
        )
        for wd in range(5)
    )


def absences_next_to_breaks(inp: RuleInput, start: date, end: date) -> tuple[BreakAbsence, ...]:
    """Absences on a school day whose neighbouring day (before or after) is not a school day."""
    cal = inp.calendar
    i, j = inp.bounds(start, end)
    out: list[BreakAbsence] = []
    for k in inp.possible_indexes(i, j, "IAU"):
        d = inp.date_at(k)
        if not cal.is_school_day(d):
            continue
        kind = _break_beside(cal, d)
        if kind:
            out.append(BreakAbsence(d, inp.session_at(k), inp.code_at(k), kind))
    return tuple(out)


def _break_beside(cal: SchoolCalendar, d: date) -> str:
    """ "holiday" when a weekday next to d (before the previous or after the next school day)
    is not a school day, "weekend" when only a weekend separates them, "" otherwise."""
    kinds = {
        _gap_kind(cal.previous_school_day(d), d),
        _gap_kind(d, cal.next_school_day(d)),
    }
    if "holiday" in kinds:
        return "holiday"
    return "weekend" if "weekend" in kinds else ""


def _gap_kind(a: date | None, b: date | None) -> str:
    if a is None or b is None:
        return ""  # the calendar does not reach that far: nothing to say
    days = (b - a).days
    if days <= 1:
        return ""
    between = (a + timedelta(days=k) for k in range(1, days))
    return "holiday" if any(x.weekday() < 5 for x in between) else "weekend"


def absence_instances(inp: RuleInput, start: date, end: date) -> int:
    """Runs of absence (any possible sessions in a row that are absences) starting start..end."""
    lo, hi = start.toordinal() * 2, end.toordinal() * 2 + 1
    return sum(1 for m in ABSENCE_RUN.finditer(inp.cats) if lo <= inp.slots[m.start()] <= hi)


def sessions_to_reach(attended: int, possible: int, line: Fraction, left: int) -> int | None:
    """Fewest sessions k, all attended, with (attended + k) / (possible + k) >= line; None
    when k would exceed the sessions left in the year."""
    if possible and Fraction(attended, possible) >= line:
        return 0
    if line >= 1:
        return None if attended < possible else 0
    need = (line * possible - attended) / (1 - line)
    k = -((-need.numerator) // need.denominator)  # ceiling
    k = max(k, 0)
    return k if k <= left else None


def recovery(inp: RuleInput) -> Recovery:
    cal = inp.calendar
    as_of = inp.as_of
    end = inp.year.end if inp.leaving is None else min(inp.year.end, inp.leaving)
    left_days = cal.school_days_left_in_year(as_of) - (
        cal.school_days_after(end, inp.year.end) if end < inp.year.end else 0
    )
    left = 2 * max(left_days, 0)
    ytd = inp.year_to_date
    a, p = ytd.attended, ytd.possible
    weeks = cal.school_weeks_ending(as_of, RECENT_WEEKS)
    recent = inp.attendance(max(weeks[0], inp.year.start), as_of) if weeks else None
    rate = recent if recent is not None else ytd.attendance
    projected = None if rate is None or p + left == 0 else (a + rate * left) / (p + left)
    return Recovery(
        sessions_left=left,
        sessions_to_90=sessions_to_reach(a, p, Fraction(9, 10), left),
        sessions_to_96=sessions_to_reach(a, p, Fraction(24, 25), left),
        projected_year_end=projected,
    )
