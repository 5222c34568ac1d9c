"""The whole school: figures for its groups, weekly attendance, the class league, and the
snapshot that gives the pupil list and the dashboard from one read."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from attendance_desk.domain.calendar import year_start as academic_year_start
from attendance_desk.domain.concern import Concern
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.groups import GroupFigures, group_table
from attendance_desk.domain.pathway import CaseContext
from attendance_desk.domain.rule_input import DECODE, RuleInput
from attendance_desk.services.monitoring.evaluation import _evaluate, _read_for
from attendance_desk.services.monitoring.loading import _ON_ROLL, _inputs, _load, _Loaded
from attendance_desk.services.monitoring.pupils import PupilOverview, _concerns, _overviews
from attendance_desk.storage.db import Database
from attendance_desk.storage.dialect import is_postgres


@dataclass(frozen=True, slots=True)
class _Member:
    year_group: str | None
    reg_group: str | None
    sex: str | None
    pupil_premium: bool
    fsm: bool
    sen_status: str
    eal: bool
    year: Figures


def group_figures(db: Database, as_of: date, include_reception: bool = True) -> list[GroupFigures]:
    """Year-to-date figures for the school and its groups; every pupil on roll at any time
    from 1 September to the date counts (a leaver up to the leaving date)."""
    loaded = _load(db, as_of, leavers=True)
    return group_table(_members(loaded), include_reception)


def _members(loaded: _Loaded) -> list[_Member]:
    return [
        _Member(
            p[6],
            p[7],
            p[8],
            bool(p[12]),
            bool(p[13]),
            p[14] or "N",
            bool(p[15]),
            loaded.inputs[p[0]].year_to_date,
        )
        for p in loaded.pupils
    ]


# Pupils first, then each pupil's marks by the primary key (pupil_id, date, session): reading
# the marks through the date index and looking each pupil up is about 4 times slower. Grouped
# by day, not by week: the weeks are worked out in Python from a few hundred rows.
_WEEKLY_SQL = """
SELECT m.date, m.code, count(*)
FROM pupils p CROSS JOIN marks m
WHERE m.pupil_id = p.id AND m.date >= ? AND m.date <= ?
  AND (p.admission_date IS NULL OR m.date >= p.admission_date)
  AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
GROUP BY m.date, m.code
"""


def weekly_attendance(db: Database, as_of: date) -> list[tuple[date, Figures]]:
    """Whole-school figures for each school week of the academic year up to the date."""
    year_start = academic_year_start(as_of)
    counts: dict[date, dict[str, int]] = {}
    mondays: dict[str, date] = {}
    conn = db.raw_connection()
    try:
        for day, code, n in conn.execute(_WEEKLY_SQL, (year_start.isoformat(), as_of.isoformat())):
            monday = mondays.get(day)
            if monday is None:
                d = date.fromisoformat(day[:10])
                monday = mondays[day] = d - timedelta(days=d.weekday())
            week = counts.setdefault(monday, {})
            week[code] = week.get(code, 0) + n
    finally:
        conn.close()
    weeks = [(m, Figures.from_code_counts(c)) for m, c in sorted(counts.items())]
    return [(m, f) for m, f in weeks if f.possible > 0]


_LEAGUE_SQL = """
SELECT p.reg_group, m.code, count(*)
FROM pupils p CROSS JOIN marks m
WHERE m.pupil_id = p.id AND m.date >= ? AND m.date <= ? AND p.reg_group IS NOT NULL
  AND (p.admission_date IS NULL OR m.date >= p.admission_date)
  AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
GROUP BY p.reg_group, m.code
"""
# PostgreSQL: each pupil's week a range of the marks' key too, a LATERAL subquery kept apart by
# OFFSET 0: left to itself the planner scans every mark when a week's marks look many enough
# (the demo school: 13 ms against 4; services/calls.py: day_marks does the same for the days)
_PG_LEAGUE_SQL = """
SELECT p.reg_group, m.code, count(*)
FROM pupils p CROSS JOIN LATERAL (
  SELECT w.date, w.code FROM marks w
  WHERE w.pupil_id = p.id AND w.date >= ? AND w.date <= ? OFFSET 0
) m
WHERE p.reg_group IS NOT NULL
  AND (p.admission_date IS NULL OR m.date >= p.admission_date)
  AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
GROUP BY p.reg_group, m.code
"""


def class_league(db: Database, as_of: date) -> list[tuple[str, Figures]]:
    """Each class's figures for the week of the date (Monday to the date), best first."""
    monday = as_of - timedelta(days=as_of.weekday())
    counts: dict[str, dict[str, int]] = {}
    conn = db.raw_connection()
    try:
        sql = _PG_LEAGUE_SQL if is_postgres(conn) else _LEAGUE_SQL
        for group, code, n in conn.execute(sql, (monday.isoformat(), as_of.isoformat())):
            counts.setdefault(group, {})[code] = n
    finally:
        conn.close()
    rows = [(g, Figures.from_code_counts(c)) for g, c in counts.items()]
    rows = [(g, f) for g, f in rows if f.possible > 0]
    rows.sort(key=lambda r: (-(r[1].attendance or 0), r[0]))
    return rows


# --- everything a window shows, from one read ----------------------------------------------
@dataclass(frozen=True, slots=True)
class SchoolSnapshot:
    """The pupil list and the dashboard from ONE read of the marks: the same results as
    pupil_overviews, school_concerns, group_figures (with and without Reception),
    weekly_attendance and class_league called one by one on the same date."""

    as_of: date
    overviews: tuple[PupilOverview, ...]  # pupils on roll on the date
    concerns: tuple[Concern, ...]
    groups: tuple[GroupFigures, ...]
    groups_without_reception: tuple[GroupFigures, ...]
    weekly: tuple[tuple[date, Figures], ...]
    league: tuple[tuple[str, Figures], ...]


def school_snapshot(
    db: Database, as_of: date, case_contexts: Mapping[int, CaseContext] | None = None
) -> SchoolSnapshot:
    """Figures, bands and concerns for the pupils on roll, and the school's groups, weeks and
    class league, from one read of the pupils and marks (leavers included: groups and weeks
    count a leaver up to the leaving date)."""
    raw = _read_for(db, as_of, True)
    on_roll = [p for p in raw.pupils if p[_ON_ROLL]]
    loaded, results = _evaluate(db, raw, on_roll, case_contexts)
    # Everyone read (leavers too), with the on-roll pupils' inputs as evaluated.
    rest = [p for p in raw.pupils if not p[_ON_ROLL]]
    everyone = _inputs(raw, rest, None, loaded.ctx) if rest else loaded
    inputs = {**loaded.inputs, **everyone.inputs} if rest else loaded.inputs
    members = _members(_Loaded(loaded.ctx, raw.pupils, inputs, raw.sessions))
    year_start = loaded.ctx.year.start
    monday = as_of - timedelta(days=as_of.weekday())
    if monday >= year_start:
        league = _league(raw.pupils, inputs, monday, as_of)
    else:  # the week began last academic year: pupils who left since then count too
        league = class_league(db, as_of)
    return SchoolSnapshot(
        as_of=as_of,
        overviews=tuple(_overviews(loaded, results)),
        concerns=tuple(_concerns(loaded, results)),
        groups=tuple(group_table(members, True)),
        groups_without_reception=tuple(group_table(members, False)),
        weekly=tuple(_weekly(inputs.values(), year_start, as_of)),
        league=tuple(league),
    )


def _code_figures(counts: Mapping[str, int]) -> Figures:
    """Figures from a count per encoded character (as figures_from_chars)."""
    return Figures.from_code_counts({DECODE[ch]: n for ch, n in counts.items() if ch in DECODE})


def _weekly(inputs: Iterable[RuleInput], start: date, end: date) -> list[tuple[date, Figures]]:
    """weekly_attendance from the pupils' inputs: the marks of each week, school-wide."""
    lo, hi = start.toordinal() * 2, end.toordinal() * 2 + 1
    by_slots: dict[int, tuple[Sequence[int], list[str]]] = {}
    for inp in inputs:  # pupils with the same sessions share one list of slots
        entry = by_slots.get(id(inp.slots))
        if entry is None:
            entry = by_slots[id(inp.slots)] = (inp.slots, [])
        entry[1].append(inp.chars)
    counts: dict[int, Counter[str]] = {}
    for slots, texts in by_slots.values():
        i, j = bisect_left(slots, lo), bisect_right(slots, hi)
        while i < j:
            day = slots[i] >> 1
            monday = day - (day + 6) % 7  # ordinal 1 (1 January of year 1) was a Monday
            k = bisect_left(slots, (monday + 7) * 2, i, j)
            week = counts.get(monday)
            if week is None:
                week = counts[monday] = Counter()
            week.update("".join([t[i:k] for t in texts]))
            i = k
    weeks = [(date.fromordinal(m), _code_figures(c)) for m, c in sorted(counts.items())]
    return [(m, f) for m, f in weeks if f.possible > 0]


def _league(
    pupils: Sequence[tuple[Any, ...]], inputs: Mapping[int, RuleInput], monday: date, as_of: date
) -> list[tuple[str, Figures]]:
    """class_league from the pupils' inputs: each class's marks from Monday to the date."""
    texts: dict[str, list[str]] = {}
    for p in pupils:
        group = p[7]
        if group is None:
            continue
        inp = inputs[p[0]]
        i, j = inp.bounds(monday, as_of)
        if i < j:
            texts.setdefault(group, []).append(inp.chars[i:j])
    rows = [(g, _code_figures(Counter("".join(t)))) for g, t in texts.items()]
    rows = [(g, f) for g, f in rows if f.possible > 0]
    rows.sort(key=lambda r: (-(r[1].attendance or 0), r[0]))
    return rows
