"""The register-based concern rules (policy-rules.md), and the registry every rule plugs into.

A rule is a function `(RuleInput) -> Concern | None` (see domain/rule_input.py for what it
receives). Register rules are in REGISTER_RULE_FUNCTIONS; the case-based rules are in
`domain/case_rules.py` (CASE_RULE_FUNCTIONS), which builds on this module. Rules run only for
pupils on roll on the date. Every comparison is on exact fractions.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from attendance_desk.domain import concern as R
from attendance_desk.domain.concern import Concern, Evidence
from attendance_desk.domain.dates import day_text
from attendance_desk.domain.figures import pct_2dp
from attendance_desk.domain.rule_input import (
    ABSENCE_RUN,
    ENCODE,
    ILLNESS_RUN,
    SESSIONS,
    UNAUTHORISED_RUN,
    RuleInput,
    date_of_slot,
    session_of_slot,
)
from attendance_desk.domain.wording import count

RuleFunction = Callable[[RuleInput], Concern | None]


def pct(frac: Fraction | None) -> str:
    return "-" if frac is None else f"{pct_2dp(frac)}%"


def when(d: date) -> str:
    """`Mon 3 Feb 2025` (domain.dates.day_text)."""
    return day_text(d)


def make_concern(
    inp: RuleInput, rule: str, detail: str, evidence: Sequence[Evidence] = ()
) -> Concern:
    """A concern with the action and owner the policy gives for this rule."""
    action = inp.policy.action_for(rule)
    if not isinstance(evidence, tuple):
        evidence = tuple(evidence)
    return Concern(inp.pupil_id, rule, detail, action.action, action.owner, evidence)


def _absences_evidence(inp: RuleInput, start: date, end: date) -> tuple[Evidence, ...]:
    if start == inp.year.start and end == inp.as_of:
        return inp.absences_evidence()
    i, j = inp.bounds(start, end)
    return inp.evidence_list(inp.possible_indexes(i, j, "IAU"))


# --- rules on year-to-date attendance ---------------------------------------------------------
@lru_cache(maxsize=64)
def line_of(pct_value: Decimal | int) -> Fraction:
    """A percentage setting (96, 95.99) as an exact fraction of 1, made once."""
    return Fraction(pct_value) / 100


def below(attended: int, possible: int, line: Fraction) -> bool:
    """attended / possible < line, exactly, in integers (possible > 0)."""
    return attended * line.denominator < line.numerator * possible


def below_expected(inp: RuleInput) -> Concern | None:
    ytd = inp.year_to_date
    expected = inp.policy.thresholds.expected_pct
    if ytd.possible == 0 or not below(ytd.attended, ytd.possible, line_of(expected)):
        return None
    frac = Fraction(ytd.attended, ytd.possible)
    half = inp.half_term
    at = f" at the end of {half.name}" if half is not None and inp.as_of >= half.end else ""
    detail = (
        f"Year to date {pct(frac)} ({ytd.attended} of {ytd.possible} sessions){at}, "
        f"below the expected {expected}%"
    )
    action = inp.policy.action_for(R.BELOW_EXPECTED)
    text, owner = action.action, action.owner
    band = inp.policy.band_for(frac)
    if band is not None and band.owner and band.actions:  # Clifton: the band says who and what
        text, owner = "; ".join(band.actions), band.owner
    return Concern(inp.pupil_id, R.BELOW_EXPECTED, detail, text, owner, inp.absences_evidence())


def falling_attendance(inp: RuleInput) -> Concern | None:
    point = inp.ctx.previous_point
    if point is None:
        return None
    setting = inp.policy.falling_attendance
    ytd = inp.year_to_date
    if ytd.possible == 0 or not below(ytd.attended, ytd.possible, line_of(setting.line_pct)):
        return None
    attended, possible = inp.counts(inp.year.start, point)
    if possible == 0 or not ytd.attended * possible < attended * ytd.possible:  # now < before
        return None
    now, before = Fraction(ytd.attended, ytd.possible), Fraction(attended, possible)
    detail = (
        f"Year to date {pct(now)}, down from {pct(before)} on {when(point)}, "
        f"under the {setting.line_pct}% line"
    )
    nxt = point + timedelta(days=1)
    return make_concern(inp, R.FALLING_ATTENDANCE, detail, _absences_evidence(inp, nxt, inp.as_of))


def _at_or_below(inp: RuleInput, rule: str, label: str, line_pct: Decimal) -> Concern | None:
    ytd = inp.year_to_date
    line = line_of(line_pct)
    if ytd.possible == 0 or ytd.attended * line.denominator > line.numerator * ytd.possible:
        return None
    detail = (
        f"{label}: year to date {pct(Fraction(ytd.attended, ytd.possible))} "
        f"({ytd.absent} of {ytd.possible} sessions missed), at or below {line_pct}%"
    )
    return make_concern(inp, rule, detail, inp.absences_evidence())


def persistent_absence(inp: RuleInput) -> Concern | None:
    t = inp.policy.thresholds
    return _at_or_below(inp, R.PERSISTENT_ABSENCE, "Persistent absence", t.persistent_pct)


def severe_absence(inp: RuleInput) -> Concern | None:
    t = inp.policy.thresholds
    return _at_or_below(inp, R.SEVERE_ABSENCE, "Severe absence", t.severe_pct)


# --- runs and instances -----------------------------------------------------------------------
def _run_text(inp: RuleInput, i: int, j: int, n: int) -> str:
    return f"{n} sessions from {when(inp.date_at(i))} {inp.session_at(i)} to {when(inp.date_at(j - 1))} {inp.session_at(j - 1)}"


def absent_week(inp: RuleInput) -> Concern | None:
    half = inp.half_term
    minimum = inp.policy.thresholds.absent_week_sessions
    if half is None or inp.cats.count("I") + inp.cats.count("A") + inp.cats.count("U") < minimum:
        return None
    start_slot = half.start.toordinal() * 2
    since = bisect_left(inp.slots, start_slot)  # runs whose last mark is in the half term
    runs = [r for r in inp.runs(ABSENCE_RUN, minimum, since) if inp.slots[r[1] - 1] >= start_slot]
    if not runs:
        return None
    i, j, n = runs[-1]
    detail = f"Absent for {_run_text(inp, i, j, n)} in a row"
    evidence = [e for a, b, _ in runs for e in inp.evidence_list(inp.possible_indexes(a, b))]
    return make_concern(inp, R.ABSENT_WEEK, detail, evidence)


def frequent_illness(inp: RuleInput) -> Concern | None:
    half, term = inp.half_term, inp.term
    t = inp.policy.thresholds
    if (
        half is None
        or term is None
        or inp.cats.count("I") < min(t.illness_instances_half_term, t.illness_instances_term)
    ):
        return None
    as_of_slot = inp.as_of.toordinal() * 2 + 1
    half_lo, half_hi = half.start.toordinal() * 2, min(half.end.toordinal() * 2 + 1, as_of_slot)
    term_lo, term_hi = term.start.toordinal() * 2, min(term.end.toordinal() * 2 + 1, as_of_slot)
    in_half: list[tuple[int, int]] = []
    in_term: list[tuple[int, int]] = []
    slots = inp.slots
    pos = inp.run_scan_start(ILLNESS_RUN, bisect_left(slots, term_lo))
    for m in ILLNESS_RUN.finditer(inp.cats, pos):
        s = slots[m.start()]
        if s > term_hi:
            break
        if term_lo <= s:
            in_term.append(m.span())
            if half_lo <= s <= half_hi:
                in_half.append(m.span())
    if len(in_half) >= t.illness_instances_half_term:
        chosen, where = in_half, half.name
    elif len(in_term) >= t.illness_instances_term:
        chosen, where = in_term, term.name
    else:
        return None
    starts = ", ".join(when(inp.date_at(i)) for i, _ in chosen)
    detail = f"{len(chosen)} instances of illness starting in {where} (on {starts})"
    evidence = [e for a, b in chosen for e in inp.evidence_list(inp.possible_indexes(a, b, "I"))]
    return make_concern(inp, R.FREQUENT_ILLNESS, detail, evidence)


def la_ten_day_return(inp: RuleInput) -> Concern | None:
    """20 or more consecutive possible sessions, all unauthorised, in a run that ends in the
    current academic year.

    Only sessions on or after the day the pupil reaches compulsory school age count (the first
    31 December, 31 March or 31 August on or after the fifth birthday; see
    domain/school_age.py): a run that began earlier is counted from that day, and nothing is
    raised before it.
    """
    minimum = inp.policy.thresholds.la_return_sessions
    if inp.cats.count("U") < minimum:
        return None
    year_slot = inp.year.start.toordinal() * 2
    since = bisect_left(inp.slots, year_slot)
    school_age = inp.school_age_from
    from_age = ""
    if school_age is not None and school_age > inp.date_at(0):
        if school_age > inp.as_of:
            return None
        first = bisect_left(inp.slots, school_age.toordinal() * 2)
        runs = [r for r in _runs_from(inp, UNAUTHORISED_RUN, minimum, first) if r[1] > since]
        from_age = f", counted from {when(school_age)} when compulsory school age began"
    else:
        runs = inp.runs(UNAUTHORISED_RUN, minimum, since)
    runs = [r for r in runs if inp.slots[r[1] - 1] >= year_slot]
    if not runs:
        return None
    i, j, n = runs[-1]
    detail = f"Unauthorised absence for {_run_text(inp, i, j, n)} in a row ({n // 2} school days or more){from_age}"
    evidence = [e for a, b, _ in runs for e in inp.evidence_list(inp.possible_indexes(a, b))]
    return make_concern(inp, R.LA_TEN_DAY_RETURN, detail, evidence)


def _runs_from(
    inp: RuleInput, pattern: re.Pattern[str], minimum: int, first: int
) -> list[tuple[int, int, int]]:
    """Runs of `pattern` over the marks from index `first` on (a run that began earlier is cut
    at `first`), with at least `minimum` possible sessions."""
    cats, out = inp.cats, []
    for m in pattern.finditer(cats, first):
        i, j = m.span()
        n = j - i - cats.count("X", i, j) - cats.count("-", i, j)
        if n >= minimum:
            out.append((i, j, n))
    return out


# --- counts in windows ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PenaltyWindow:
    """The unauthorised sessions the penalty framework counts as of a date."""

    start: date  # the first day counted
    sessions: int
    first: int  # index range [first, after) of the marks counted
    after: int
    from_age: bool  # the window was cut at the day compulsory school age began


def penalty_window(inp: RuleInput) -> PenaltyWindow | None:
    """The 10 school weeks ending with the week of the date, from the day compulsory school
    age began if later; None when there is no window or the pupil is not yet of school age."""
    start = inp.ctx.penalty_start
    if start is None:
        return None
    school_age = inp.school_age_from
    from_age = school_age is not None and school_age > start
    if school_age is not None and from_age:
        if school_age > inp.as_of:
            return None
        start = school_age
    i, j = inp.bounds(start, inp.as_of)
    return PenaltyWindow(start, inp.cats.count("U", i, j), i, j, from_age)


def penalty_threshold(inp: RuleInput) -> Concern | None:
    """10 or more unauthorised sessions (G N O U) in the 10 school weeks ending with the week
    of the date, counting only sessions on or before the date.

    The framework applies to children of compulsory school age only: sessions before the day
    the pupil reaches it (the first 31 December, 31 March or 31 August on or after the fifth
    birthday; domain/school_age.py) do not count, and nothing is raised before that day. An
    unknown date of birth counts every session.
    """
    window = penalty_window(inp)
    t = inp.policy.thresholds
    if window is None or window.sessions < t.penalty_sessions:
        return None
    start, n, i, j = window.start, window.sessions, window.first, window.after
    from_age = " (counted from the day compulsory school age began)" if window.from_age else ""
    detail = (
        f"{n} unauthorised sessions in the {t.penalty_weeks} school weeks from {when(start)} "
        f"to {when(inp.as_of)}{from_age}"
    )
    return make_concern(
        inp, R.PENALTY_THRESHOLD, detail, inp.evidence_list(inp.possible_indexes(i, j, "U"))
    )


def unresolved_n(inp: RuleInput) -> Concern | None:
    ch = ENCODE["N"]
    chars = inp.chars
    k = chars.find(ch)
    if k < 0:
        return None
    days = inp.calendar.school_day_ordinals
    limit = inp.policy.thresholds.unresolved_n_school_days
    as_of_pos = bisect_right(days, inp.as_of.toordinal())
    found: list[Evidence] = []
    while k >= 0:
        day = inp.slots[k] >> 1
        after = as_of_pos - bisect_right(days, day)
        if after > limit:
            found.append(inp.evidence(k, f"{after} school days ago"))
        k = chars.find(ch, k + 1)
    if not found:
        return None
    detail = f"{count(len(found), 'session')} still coded N more than {limit} school days later, the oldest from {when(found[0].date)}"
    return make_concern(inp, R.UNRESOLVED_N, detail, found)


def sickness_return(inp: RuleInput) -> Concern | None:
    """30 or more illness (I) sessions in the academic year to date, counting only sessions
    on or after the day the pupil reaches compulsory school age (domain/school_age.py)."""
    minimum = inp.policy.thresholds.sickness_return_sessions
    start = inp.year.start
    school_age = inp.school_age_from
    from_age = ""
    if school_age is not None and school_age > start:
        if school_age > inp.as_of:
            return None
        start = school_age
        from_age = f" since {when(school_age)} when compulsory school age began"
    i, j = inp.bounds(start, inp.as_of)
    n = inp.cats.count("I", i, j)
    if n < minimum:
        return None
    detail = f"{n} sessions of illness this year{from_age} ({n / 2:g} school days)"
    return make_concern(
        inp, R.SICKNESS_RETURN, detail, inp.evidence_list(inp.possible_indexes(i, j, "I"))
    )


def frequent_lateness(inp: RuleInput) -> Concern | None:
    half = inp.half_term
    if half is None:
        return None
    minimum = inp.policy.thresholds.lateness_half_term
    i, j = inp.bounds(half.start, min(half.end, inp.as_of))
    n = inp.chars.count("L", i, j) + inp.chars.count("U", i, j)
    if n < minimum:
        return None
    detail = f"{n} late marks (L or U) in {half.name}"
    late = [k for k in range(i, j) if inp.chars[k] in "LU"]
    return make_concern(inp, R.FREQUENT_LATENESS, detail, inp.evidence_list(late))


def improved(inp: RuleInput) -> Concern | None:
    half, prev = inp.half_term, inp.ctx.previous_half_term
    if half is None or prev is None:
        return None
    t = inp.policy.thresholds
    a1, p1 = inp.counts(half.start, min(half.end, inp.as_of))
    a2, p2 = inp.counts(prev.start, prev.end)
    a3, p3 = inp.counts(inp.year.start, prev.end)
    if not p1 or not p2 or not p3:
        return None
    if not below(a3, p3, line_of(t.expected_pct)):  # year to date already at the expectation
        return None
    points = line_of(t.improved_points)
    # this - before < points, exactly: (a1/p1 - a2/p2) < n/d, every denominator positive
    if (a1 * p2 - a2 * p1) * points.denominator < points.numerator * p1 * p2:
        return None
    this, before, ytd_before = Fraction(a1, p1), Fraction(a2, p2), Fraction(a3, p3)
    detail = (
        f"{half.name} {pct(this)} against {prev.name} {pct(before)} "
        f"(year to date {pct(ytd_before)} at the end of {prev.name})"
    )
    return make_concern(inp, R.IMPROVED, detail)


def missing_marks(inp: RuleInput) -> Concern | None:
    cal = inp.calendar
    start = inp.year.start if inp.admission is None else max(inp.year.start, inp.admission)
    end = inp.as_of if inp.leaving is None else min(inp.as_of, inp.leaving)
    if end < start:
        return None
    days = cal.school_day_ordinals
    lo, hi = bisect_left(days, start.toordinal()), bisect_right(days, end.toordinal())
    # On the date of the figures a register not yet taken is not missing (not taken yet).
    taken = inp.ctx.taken_on_as_of
    not_taken: set[int] = set()
    if taken is not None and end == inp.as_of and hi > lo and days[hi - 1] == end.toordinal():
        o = end.toordinal()
        not_taken = {o * 2 + k for k, session in enumerate(SESSIONS) if session not in taken}
    expected = 2 * (hi - lo) - len(not_taken)
    if expected <= 0:
        return None
    i, j = inp.bounds(start, end)
    marked = j - i - inp.chars.count("-", i, j) - _marks_on_non_school_days(inp, i, j)
    if not_taken:  # a mark in a session said to be not taken counts for nothing here
        marked -= sum(
            1 for k in range(max(i, j - 2), j) if inp.slots[k] in not_taken and inp.chars[k] != "-"
        )
    if marked >= expected:
        return None
    have = {s for s, ch in zip(inp.slots[i:j], inp.chars[i:j], strict=True) if ch != "-"}
    gaps = [
        Evidence(date_of_slot(s), session_of_slot(s), None, "no mark")
        for o in days[lo:hi]
        for s in (o * 2, o * 2 + 1)
        if s not in have and s not in not_taken
    ]
    if not gaps:
        return None
    first = gaps[0]
    detail = f"{count(len(gaps), 'school session')} with no mark, the first on {when(first.date)} {first.session}"
    return make_concern(inp, R.MISSING_MARKS, detail, gaps)


def _marks_on_non_school_days(inp: RuleInput, i: int, j: int) -> int:
    """Real marks in [i, j) dated on days that are not school days (INSET `#` days ...)."""
    cal, slots, chars = inp.calendar, inp.slots, inp.chars
    extra = inp.ctx.non_school_mark_days
    if extra is None:
        return sum(
            1 for k in range(i, j) if chars[k] != "-" and not cal.is_school_ordinal(slots[k] >> 1)
        )
    n = 0
    for o in extra:
        a = max(i, bisect_left(slots, o * 2))
        b = min(j, bisect_right(slots, o * 2 + 1))
        n += sum(1 for k in range(a, b) if chars[k] != "-")
    return n


REGISTER_RULE_FUNCTIONS: tuple[RuleFunction, ...] = (
    below_expected,
    falling_attendance,
    persistent_absence,
    severe_absence,
    absent_week,
    frequent_illness,
    penalty_threshold,
    unresolved_n,
    la_ten_day_return,
    sickness_return,
    frequent_lateness,
    improved,
    missing_marks,
)


def evaluate(inp: RuleInput, rules: Sequence[RuleFunction]) -> list[Concern]:
    """Every concern the rules raise for one pupil (none when not on roll on the date)."""
    if not inp.on_roll:
        return []
    out = []
    for rule in rules:
        found = rule(inp)
        if found is not None:
            out.append(found)
    return out
