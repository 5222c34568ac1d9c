"""The monitoring engine over the database: figures, bands and concerns for every pupil.

Marks are read with ONE raw SQL query (a string of dates and a string of codes per pupil, in
time order) and turned into compact arrays (domain/rule_input.py); everything after that is
pure domain code. Results are frozen dataclasses, never ORM objects.
"""

from __future__ import annotations

import sqlite3
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from locale import LC_TIME, setlocale

from attendance_desk.domain.calendar import SchoolCalendar
from attendance_desk.domain.concern import Concern
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.groups import GroupFigures, group_table
from attendance_desk.domain.pathway import CaseContext
from attendance_desk.domain.patterns import (
    BreakAbsence,
    Recovery,
    WeekdaySessions,
    absence_instances,
    absences_next_to_breaks,
    recovery,
    weekday_pattern,
)
from attendance_desk.domain.policy import WEEK, BandInfo, Policy
from attendance_desk.domain.rule_input import (
    CAT_TABLE,
    DECODE,
    ENCODE,
    ENCODER,
    MISSING_CHAR,
    EvaluationContext,
    RuleInput,
    figures_from_chars,
)
from attendance_desk.domain.rules import REGISTER_RULE_FUNCTIONS, case_rule_functions, evaluate
from attendance_desk.errors import UserError
from attendance_desk.services.calendar import load_calendar
from attendance_desk.services.policy import load_policy
from attendance_desk.storage.db import Database

TREND_POINTS = 6
# Single-character codes read as themselves; any other ASCII character is a missing mark.
_SINGLE_CHAR_CODES = str.maketrans(
    {chr(c): (chr(c) if ENCODE.get(chr(c)) == chr(c) else MISSING_CHAR) for c in range(128)}
)

# The last column says whether the pupil is on roll on the date (the same test as the WHERE
# clause of a load without leavers), so one load with leavers serves both.
_PUPIL_SQL = """
SELECT id, upn, legal_surname, legal_forename, preferred_surname, preferred_forename,
       year_group, reg_group, sex, date_of_birth, admission_date, leaving_date,
       pupil_premium, fsm, sen_status, eal, looked_after, child_protection, child_in_need,
       (admission_date IS NULL OR admission_date <= :as_of)
       AND (leaving_date IS NULL OR leaving_date >= :as_of)
FROM pupils {where} ORDER BY id
"""
_ON_ROLL = 19  # index of that column in a pupil row
# The table is clustered on (pupil_id, date, session) (WITHOUT ROWID), so a scan groups by
# pupil with no sort and each group_concat comes in time order; the loader still checks.
_MARKS_SQL = """
SELECT pupil_id, group_concat(date || session, ','), group_concat(code, ',')
FROM marks
WHERE +date >= ? AND +date <= ? {pupil_filter}
GROUP BY pupil_id
"""


@dataclass(frozen=True, slots=True)
class PupilOverview:
    pupil_id: int
    upn: str | None
    surname: str  # preferred name when there is one
    forename: str
    legal_surname: str
    legal_forename: str
    year_group: str | None
    reg_group: str | None
    sex: str | None
    date_of_birth: date | None
    admission_date: date | None
    leaving_date: date | None
    pupil_premium: bool
    fsm: bool
    sen_status: str
    eal: bool
    looked_after: bool
    child_protection: bool
    child_in_need: bool
    on_roll: bool  # on roll on the date
    year: Figures  # 1 September to the date (to the leaving date for a leaver)
    half_term: Figures  # the current half term to the date
    band: BandInfo | None
    concern_rules: tuple[str, ...]
    trend: tuple[tuple[date, float | None], ...]  # ytd % at recent monitoring points, then now

    @property
    def persistent(self) -> bool:
        return self.year.persistent

    @property
    def severe(self) -> bool:
        return self.year.severe

    @property
    def attendance_pct(self) -> float | None:
        return self.year.attendance_pct


@dataclass(frozen=True, slots=True)
class PupilReport:
    """Everything on a pupil's page. Overview fields are reachable directly (report.upn)."""

    overview: PupilOverview
    year: Figures
    term: Figures
    half_term: Figures
    marks: tuple[tuple[date, str, str], ...]  # the academic year to the date
    monitoring_points: tuple[tuple[date, float | None], ...]
    weekday_pattern: tuple[WeekdaySessions, ...]
    break_absences: tuple[BreakAbsence, ...]
    absence_instances: int
    recovery: Recovery
    concerns: tuple[Concern, ...]

    def __getattr__(self, name: str) -> object:
        return getattr(self.overview, name)

    @property
    def sessions_to_90(self) -> int | None:
        return self.recovery.sessions_to_90

    @property
    def sessions_to_96(self) -> int | None:
        return self.recovery.sessions_to_96

    @property
    def projected_year_end_pct(self) -> float | None:
        return self.recovery.projected_year_end_pct


# --- loading ----------------------------------------------------------------------------------
class _SlotMap(dict):
    """ "YYYY-MM-DDAM" -> date ordinal * 2 + session, computed once per distinct key."""

    def __missing__(self, key: str) -> int:
        value = date.fromisoformat(key[:10]).toordinal() * 2 + (key[10:] == "PM")
        self[key] = value
        return value


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


@dataclass(frozen=True, slots=True)
class _Loaded:
    ctx: EvaluationContext
    pupils: list[tuple]  # rows of _PUPIL_SQL with dates parsed
    inputs: dict[int, RuleInput]
    sessions: dict[str, list[int]]  # each distinct string of sessions read -> its slots


class _PupilResult:
    """One pupil's inputs at the last evaluation, with what was worked out from them."""

    __slots__ = ("row", "slots", "chars", "case", "concerns", "overview")

    def __init__(self, row: tuple, inp: RuleInput, concerns: tuple[Concern, ...]) -> None:
        self.row = row
        self.slots = inp.slots
        self.chars = inp.chars
        self.case = inp.case
        self.concerns = concerns
        self.overview: PupilOverview | None = None

    def same_input(self, row: tuple, inp: RuleInput) -> bool:
        return (
            # most slots lists are the very same object between loads (see _read_from)
            (self.slots is inp.slots or self.slots == inp.slots)
            and self.chars == inp.chars
            and self.row == row
            and self.case == inp.case
        )


@dataclass(frozen=True, slots=True)
class _Results:
    """The last evaluation of one database: the inputs every result depends on, and the results.

    Reuse is decided by comparing the freshly read INPUTS (marks, pupil rows, cases, policy,
    calendar, date, rules) with the stored ones, never by a version number or a time, so an
    import, an office edit or a restored backup always shows in the next call; only the work
    after the read is saved (the rules and the overview, for pupils whose inputs are unchanged).
    """

    context: tuple
    sessions: dict[str, list[int]]
    pupils: dict[int, _PupilResult]


_RESULTS: dict[str, _Results] = {}  # by database path, most recent last
_RESULTS_KEPT = 4
_RESULTS_LOCK = threading.Lock()


def _context_key(ctx: EvaluationContext, rules: tuple) -> tuple:
    return (
        ctx.as_of,
        ctx.policy,
        ctx.calendar.fingerprint(),
        ctx.non_school_mark_days,
        rules,
        TREND_POINTS,
        setlocale(LC_TIME),  # the rules name days and months with strftime
    )


@dataclass(frozen=True, slots=True)
class _Raw:
    """What one read of the database gives, before any evaluation context is built."""

    as_of: date
    calendar: SchoolCalendar
    policy: Policy
    pupils: list[tuple]  # rows of _PUPIL_SQL with dates parsed
    marks: dict[int, tuple[list[int], str]]  # pupil -> (slots, chars) as read (not trimmed)
    sessions: dict[str, list[int]]  # each distinct string of sessions read -> its slots


def _load(
    db: Database,
    as_of: date,
    *,
    leavers: bool,
    pupil_id: int | None = None,
    case_contexts: Mapping[int, CaseContext] | None = None,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
    known_sessions: Mapping[str, list[int]] | None = None,
) -> _Loaded:
    raw = _read(db, as_of, leavers, pupil_id, policy, calendar, known_sessions)
    return _inputs(raw, raw.pupils, case_contexts)


def _read(
    db: Database,
    as_of: date,
    leavers: bool,
    pupil_id: int | None = None,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
    known_sessions: Mapping[str, list[int]] | None = None,
) -> _Raw:
    conn = db.raw_connection()
    try:
        return _read_from(conn, as_of, leavers, pupil_id, policy, calendar, known_sessions)
    finally:
        conn.close()


def _read_from(
    conn: sqlite3.Connection,
    as_of: date,
    leavers: bool,
    pupil_id: int | None,
    policy: Policy | None,
    calendar: SchoolCalendar | None,
    known_sessions: Mapping[str, list[int]] | None = None,
) -> _Raw:
    calendar = calendar or load_calendar(conn)
    policy = policy or load_policy(conn)
    year_start = date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)
    # Pupils on roll on the date, or (with leavers) at any time from 1 September to the date.
    first_day = year_start if leavers else as_of
    where = "WHERE (admission_date IS NULL OR admission_date <= :as_of) AND (leaving_date IS NULL OR leaving_date >= :first_day)"
    params: dict[str, object] = {"as_of": as_of.isoformat(), "first_day": first_day.isoformat()}
    if pupil_id is not None:  # one pupil's page: whatever their dates
        where = "WHERE id = :pupil_id"
        params["pupil_id"] = pupil_id
    pupils = []
    for row in conn.execute(_PUPIL_SQL.format(where=where), params):
        row = list(row)
        row[9], row[10], row[11] = _d(row[9]), _d(row[10]), _d(row[11])
        row[_ON_ROLL] = bool(row[_ON_ROLL])
        pupils.append(tuple(row))
    wanted = {p[0]: p for p in pupils}
    load_start = date(year_start.year - 1, 9, 1)
    # One pupil's page reads only that pupil's marks (a range of the primary key).
    pupil_filter = "AND pupil_id = ?" if pupil_id is not None else ""
    mparams: list[object] = [load_start.isoformat(), as_of.isoformat()]
    if pupil_id is not None:
        mparams.append(pupil_id)
    slot_map = _SlotMap()
    enc = ENCODER.__getitem__
    shared: dict[str, list[int]] = {}  # most pupils share one string of sessions
    known = known_sessions or {}  # from an earlier load: the same list for the same string
    raw: dict[int, tuple[list[int], str]] = {}
    for pid, keys, codes in conn.execute(_MARKS_SQL.format(pupil_filter=pupil_filter), mparams):
        if pid not in wanted:
            continue
        slots = shared.get(keys)
        if slots is None:
            slots = list(map(slot_map.__getitem__, keys.split(",")))
            if known.get(keys) == slots:  # the list an earlier load made: the same object
                slots = known[keys]
            if slots != sorted(slots):  # SQL does not promise the order: check, and sort
                order = sorted(range(len(slots)), key=slots.__getitem__)
                codes = ",".join([codes.split(",")[k] for k in order])
                slots = [slots[k] for k in order]
                raw[pid] = (slots, "".join(map(enc, codes.split(","))))
                continue
            shared[keys] = slots
        n = len(slots)
        # Every code one character exactly when the commas sit at every odd position.
        if len(codes) == 2 * n - 1 and codes[1::2].count(",") == n - 1 and codes.isascii():
            chars = codes[::2].translate(_SINGLE_CHAR_CODES)
        else:
            chars = "".join(map(enc, codes.split(",")))
        raw[pid] = (slots, chars)
    return _Raw(as_of, calendar, policy, pupils, raw, shared)


def _context(raw: _Raw, pupils: Sequence[tuple]) -> EvaluationContext:
    """The evaluation context for these pupils: the days with marks that are not school days
    are worked out from THEIR marks (as a load of just these pupils would)."""
    days: set[int] = set()
    seen: set[int] = set()
    for p in pupils:
        slots = raw.marks.get(p[0], ((), ""))[0]
        if id(slots) not in seen:  # most pupils share one list
            seen.add(id(slots))
            days.update(s >> 1 for s in slots)
    is_school = raw.calendar.is_school_ordinal
    non_school = tuple(sorted(d for d in days if not is_school(d)))
    return EvaluationContext.build(raw.calendar, raw.policy, raw.as_of, non_school)


def _inputs(
    raw: _Raw,
    pupils: Sequence[tuple],
    case_contexts: Mapping[int, CaseContext] | None,
    ctx: EvaluationContext | None = None,
) -> _Loaded:
    """Each pupil's RuleInput: the marks while on roll, from 1 September of the previous year."""
    ctx = ctx or _context(raw, pupils)
    load_start = ctx.load_start
    as_of = raw.as_of
    cases = case_contexts or {}
    inputs: dict[int, RuleInput] = {}
    for p in pupils:
        pid, admission, leaving = p[0], p[10], p[11]
        slots, chars = raw.marks.get(pid, ([], ""))
        if slots and (
            (admission is not None and admission > load_start)
            or (leaving is not None and leaving < as_of)
        ):
            lo = 0 if admission is None else bisect_left(slots, admission.toordinal() * 2)
            hi = len(slots) if leaving is None else bisect_left(slots, leaving.toordinal() * 2 + 2)
            slots, chars = slots[lo:hi], chars[lo:hi]
        inputs[pid] = RuleInput(
            pid, slots, chars, ctx, admission, leaving, cases.get(pid), chars.translate(CAT_TABLE)
        )
    return _Loaded(ctx, list(pupils), inputs, raw.sessions)


# --- per pupil --------------------------------------------------------------------------------
def monitoring_point_dates(ctx: EvaluationContext) -> list[date]:
    """Monitoring points this year before the date: ends of half terms (Clifford) or the Sunday
    ending each school week (Clifton)."""
    cal, year = ctx.calendar, ctx.year
    if ctx.policy.falling_attendance.monitoring_point == WEEK:
        sundays = [m + timedelta(days=6) for m in cal.school_weeks(year.start, ctx.as_of)]
        return [s for s in sundays if year.start <= s < ctx.as_of]
    return [h.end for h in cal.half_terms_in_year(year.name) if h.end < ctx.as_of]


def _overview(
    p: tuple,
    inp: RuleInput,
    points: Sequence[date],
    concerns: Sequence[Concern],
    bands: dict[tuple[int, int], BandInfo | None] | None = None,
) -> PupilOverview:
    ctx = inp.ctx
    ytd = inp.year_to_date
    half = ctx.half_term
    half_figures = (
        figures_from_chars(inp.chars[slice(*inp.bounds(half.start, min(half.end, ctx.as_of)))])
        if half is not None
        else Figures()
    )
    start = ctx.year.start
    trend = tuple((d, _pct_of(*inp.counts(start, d))) for d in points[-(TREND_POINTS - 1) :])
    trend += ((ctx.as_of, ytd.attendance_pct),)
    key = (ytd.attended, ytd.possible)
    if bands is None or key not in bands:
        band = ctx.policy.band_info(ytd.attendance)
        if bands is not None:
            bands[key] = band  # BandInfo is immutable: pupils with the same counts share it
    else:
        band = bands[key]
    return PupilOverview(
        pupil_id=p[0],
        upn=p[1],
        surname=p[4] or p[2],
        forename=p[5] or p[3],
        legal_surname=p[2],
        legal_forename=p[3],
        year_group=p[6],
        reg_group=p[7],
        sex=p[8],
        date_of_birth=p[9],
        admission_date=p[10],
        leaving_date=p[11],
        pupil_premium=bool(p[12]),
        fsm=bool(p[13]),
        sen_status=p[14] or "N",
        eal=bool(p[15]),
        looked_after=bool(p[16]),
        child_protection=bool(p[17]),
        child_in_need=bool(p[18]),
        on_roll=inp.on_roll,
        year=ytd,
        half_term=half_figures,
        band=band,
        concern_rules=tuple(dict.fromkeys(c.rule for c in concerns)),
        trend=trend,
    )


def _pct_of(attended: int, possible: int) -> float | None:
    """float(Fraction(attended, possible)) * 100 without the Fraction: int / int is correctly
    rounded, as float(Fraction) is, so the floats are identical."""
    return attended / possible * 100 if possible else None


def _rules() -> tuple:
    return REGISTER_RULE_FUNCTIONS + case_rule_functions()


# --- public API -------------------------------------------------------------------------------
def pupil_overviews(
    db: Database,
    as_of: date,
    include_leavers: bool = False,
    case_contexts: Mapping[int, CaseContext] | None = None,
) -> list[PupilOverview]:
    """One row per pupil on roll on the date (with leavers: on roll at any time this year)."""
    raw = _read_for(db, as_of, include_leavers)
    loaded, results = _evaluate(db, raw, raw.pupils, case_contexts)
    return _overviews(loaded, results)


def _overviews(loaded: _Loaded, results: Mapping[int, _PupilResult]) -> list[PupilOverview]:
    points = monitoring_point_dates(loaded.ctx)
    bands: dict[tuple[int, int], BandInfo | None] = {}
    out = []
    for p in loaded.pupils:
        r = results[p[0]]
        if r.overview is None:
            r.overview = _overview(p, loaded.inputs[p[0]], points, r.concerns, bands)
        out.append(r.overview)
    return out


def _read_for(db: Database, as_of: date, leavers: bool) -> _Raw:
    """Read the pupils and every mark, sharing the session lists of this database's last read."""
    last = _RESULTS.get(str(db.path))
    known = last.sessions if last is not None else None
    return _read(db, as_of, leavers, known_sessions=known)


def _evaluate(
    db: Database,
    raw: _Raw,
    pupils: Sequence[tuple],
    case_contexts: Mapping[int, CaseContext] | None,
) -> tuple[_Loaded, dict[int, _PupilResult]]:
    """Run the rules for these pupils (read in `raw`), only for those whose inputs changed
    since the last evaluation of this database (pupil_overviews then school_concerns, or one
    school_snapshot: the rules run once).
    """
    name = str(db.path)
    last = _RESULTS.get(name)
    loaded = _inputs(raw, pupils, case_contexts or None)
    rules = _rules()
    context = _context_key(loaded.ctx, rules)
    old = last.pupils if last is not None and last.context == context else {}
    results: dict[int, _PupilResult] = {}
    for p in loaded.pupils:
        pid = p[0]
        inp = loaded.inputs[pid]
        r = old.get(pid)
        if r is None or not r.same_input(p, inp):
            r = _PupilResult(p, inp, tuple(evaluate(inp, rules)))
        results[pid] = r
    # Keep this evaluation's pupils (and those the last one had that this one did not read,
    # e.g. leavers after a call without them) for the next call.
    kept = {**old, **results} if old else results
    with _RESULTS_LOCK:
        _RESULTS.pop(name, None)
        while _RESULTS and len(_RESULTS) >= _RESULTS_KEPT:  # the oldest database first
            del _RESULTS[next(iter(_RESULTS))]
        _RESULTS[name] = _Results(context, loaded.sessions, kept)
    return loaded, results


def pupil_report(
    db: Database, pupil_id: int, as_of: date, case_context: CaseContext | None = None
) -> PupilReport:
    contexts = {pupil_id: case_context} if case_context is not None else None
    loaded = _load(db, as_of, leavers=True, pupil_id=pupil_id, case_contexts=contexts)
    if not loaded.pupils:
        raise UserError(f"there is no pupil with id {pupil_id}")
    p = loaded.pupils[0]
    inp = loaded.inputs[pupil_id]
    ctx = loaded.ctx
    points = monitoring_point_dates(ctx)
    concerns = tuple(evaluate(inp, _rules()))
    overview = _overview(p, inp, points, concerns)
    year_start = ctx.year.start
    term = ctx.term
    return PupilReport(
        overview=overview,
        year=overview.year,
        term=inp.figures(term.start, min(term.end, as_of)) if term else Figures(),
        half_term=overview.half_term,
        marks=tuple(inp.marks(year_start, as_of)),
        monitoring_points=tuple((d, _pct_of(*inp.counts(year_start, d))) for d in points)
        + ((as_of, overview.year.attendance_pct),),
        weekday_pattern=weekday_pattern(inp, year_start, as_of),
        break_absences=absences_next_to_breaks(inp, year_start, as_of),
        absence_instances=absence_instances(inp, year_start, as_of),
        recovery=recovery(inp),
        concerns=concerns,
    )


def school_concerns(
    db: Database, as_of: date, case_contexts: Mapping[int, CaseContext] | None = None
) -> list[Concern]:
    """Every concern for every pupil on roll on the date, register rules then case rules."""
    raw = _read_for(db, as_of, False)
    loaded, results = _evaluate(db, raw, raw.pupils, case_contexts)
    return _concerns(loaded, results)


def _concerns(loaded: _Loaded, results: Mapping[int, _PupilResult]) -> list[Concern]:
    out: list[Concern] = []
    for p in loaded.pupils:
        out.extend(results[p[0]].concerns)
    return out


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
FROM pupils p CROSS JOIN marks m ON m.pupil_id = p.id
WHERE m.date >= ? AND m.date <= ?
  AND (p.admission_date IS NULL OR m.date >= p.admission_date)
  AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
GROUP BY m.date, m.code
"""


def weekly_attendance(db: Database, as_of: date) -> list[tuple[date, Figures]]:
    """Whole-school figures for each school week of the academic year up to the date."""
    year_start = date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)
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
FROM marks m JOIN pupils p ON p.id = m.pupil_id
WHERE m.date >= ? AND m.date <= ? AND p.reg_group IS NOT NULL
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
        for group, code, n in conn.execute(_LEAGUE_SQL, (monday.isoformat(), as_of.isoformat())):
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
    pupils: Sequence[tuple], inputs: Mapping[int, RuleInput], monday: date, as_of: date
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
