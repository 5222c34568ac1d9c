"""Per pupil: the overview row of each pupil, a pupil's report page, and the school's concerns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from attendance_desk.domain.concern import Concern
from attendance_desk.domain.figures import Figures
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
from attendance_desk.domain.policy import WEEK, BandInfo
from attendance_desk.domain.rule_input import EvaluationContext, RuleInput, figures_from_chars
from attendance_desk.domain.rules import evaluate
from attendance_desk.errors import UserError
from attendance_desk.services.monitoring.evaluation import (
    TREND_POINTS,
    _evaluate,
    _PupilResult,
    _read_for,
    _rules,
)
from attendance_desk.services.monitoring.loading import _load, _Loaded
from attendance_desk.storage.db import Database


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


def monitoring_point_dates(ctx: EvaluationContext) -> list[date]:
    """Monitoring points this year before the date: ends of half terms (Clifford) or the Sunday
    ending each school week (Clifton)."""
    cal, year = ctx.calendar, ctx.year
    if ctx.policy.falling_attendance.monitoring_point == WEEK:
        sundays = [m + timedelta(days=6) for m in cal.school_weeks(year.start, ctx.as_of)]
        return [s for s in sundays if year.start <= s < ctx.as_of]
    return [h.end for h in cal.half_terms_in_year(year.name) if h.end < ctx.as_of]


def _overview(
    p: tuple[Any, ...],
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
