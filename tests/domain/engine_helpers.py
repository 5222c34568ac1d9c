"""Helpers for the monitoring-engine tests: the 2024/25 calendar of the sample school and a
RuleInput built from plain (date, session, code) marks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from attendance_desk.domain.calendar import SchoolCalendar
from attendance_desk.domain.pathway import CaseContext
from attendance_desk.domain.policy import Policy, clifford
from attendance_desk.domain.rule_input import EvaluationContext, RuleInput

HALF_TERMS = [
    ("Autumn 1", date(2024, 9, 2), date(2024, 10, 25)),
    ("Autumn 2", date(2024, 11, 4), date(2024, 12, 20)),
    ("Spring 1", date(2025, 1, 6), date(2025, 2, 14)),
    ("Spring 2", date(2025, 2, 24), date(2025, 4, 4)),
    ("Summer 1", date(2025, 4, 22), date(2025, 5, 23)),
    ("Summer 2", date(2025, 6, 2), date(2025, 7, 18)),
]
CLOSURES = [date(2024, 9, 2), date(2025, 1, 6), date(2025, 2, 24), date(2025, 5, 5)]
CALENDAR = SchoolCalendar(HALF_TERMS, CLOSURES)

Mark = tuple[date, str, str | None]


def days(start: date, end: date) -> list[date]:
    return CALENDAR.school_days(start, end)


def fill(
    start: date, end: date, code: str = "/", overrides: Mapping[tuple[date, str], str] | None = None
) -> list[Mark]:
    """A mark for every school session from start to end; overrides[(day, "AM")] = code."""
    overrides = overrides or {}
    out: list[Mark] = []
    for d in days(start, end):
        for s in ("AM", "PM"):
            out.append((d, s, overrides.get((d, s), code if s == "AM" or code != "/" else "\\")))
    return out


def make_input(
    marks: Iterable[Mark],
    as_of: date,
    policy: Policy | None = None,
    admission: date | None = None,
    leaving: date | None = None,
    case: CaseContext | None = None,
    calendar: SchoolCalendar = CALENDAR,
    taken: frozenset[str] | None = None,
    born: date | None = None,
) -> RuleInput:
    """`taken`: the sessions of `as_of` whose register was taken (None: not known, all)."""
    ctx = EvaluationContext.build(calendar, policy or clifford(), as_of, taken_on_as_of=taken)
    return RuleInput.from_marks(1, marks, ctx, admission, leaving, case, born=born)
