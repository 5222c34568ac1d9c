"""The half-termly attendance report for the head and governors (figures, groups, charts, lists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from attendance_desk import clock
from attendance_desk.domain.calendar import year_start as academic_year_start
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.letter_fields import long_date, percent
from attendance_desk.domain.national import NATIONAL_PRIMARY_FULL, NationalFigures
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database


def national_rows(n: NationalFigures = NATIONAL_PRIMARY_FULL) -> tuple[tuple[str, str], ...]:
    """The national figures as the report's table shows them (domain/national.py)."""
    rows = [("Attendance", f"{n.attendance_pct:g}%")]
    if n.authorised_pct is not None:
        rows.append(("Authorised absence", f"{n.authorised_pct:g}%"))
    if n.unauthorised_pct is not None:
        rows.append(("Unauthorised absence", f"{n.unauthorised_pct:g}%"))
    rows.append(("Persistent absence (pupils)", f"{n.persistent_pct:g}%"))
    rows.append(("Severe absence (pupils)", f"{n.severe_pct:g}%"))
    return tuple(rows)


NATIONAL = national_rows()


@dataclass(frozen=True)
class ReportRow:
    kind: str
    name: str
    pupils: int
    attendance: str
    authorised: str
    unauthorised: str
    persistent: int
    severe: int
    persistent_share: str
    attendance_value: float | None  # for charts


@dataclass(frozen=True)
class PupilLine:
    name: str
    class_name: str
    attendance: str
    unauthorised: int
    band: str


@dataclass(frozen=True)
class HalfTermReport:
    school_name: str
    title: str
    period: str
    half_term_name: str
    school: ReportRow
    groups: tuple[ReportRow, ...]
    weekly: tuple[tuple[date, float | None], ...]
    bands: tuple[tuple[str, str, int], ...]  # label, colour, pupils
    persistent: tuple[PupilLine, ...]
    severe: tuple[PupilLine, ...]
    national: tuple[tuple[str, str], ...] = NATIONAL
    national_year: str = NATIONAL_PRIMARY_FULL.year  # the year those figures are of
    national_attendance: float = NATIONAL_PRIMARY_FULL.attendance_pct  # the chart's red line


def _share(part: int, whole: int) -> str:
    return percent(part, whole) if whole else "\u2013"


def _row(kind: str, name: str, fig: Figures, pupils: int, pa: int, sa: int) -> ReportRow:
    return ReportRow(
        kind=kind,
        name=name,
        pupils=pupils,
        attendance=percent(fig.attended, fig.possible) or "\u2013",
        authorised=_share(fig.authorised, fig.possible),
        unauthorised=_share(fig.unauthorised, fig.possible),
        persistent=pa,
        severe=sa,
        persistent_share=_share(pa, pupils),
        attendance_value=float(Fraction(fig.attended * 100, fig.possible))
        if fig.possible
        else None,
    )


def half_term_report(db: Database, as_of: date | None = None) -> HalfTermReport:
    from attendance_desk.services.calendar import get_calendar
    from attendance_desk.services.letter_sources import school_source
    from attendance_desk.services.monitoring import (
        PupilOverview,
        group_figures,
        pupil_overviews,
        weekly_attendance,
    )
    from attendance_desk.services.policy import get_policy

    as_of = as_of or clock.today()
    with db.session() as s:
        school = school_source(s)
    groups = group_figures(db, as_of)
    if not groups:
        raise UserError("there are no pupils with marks to report on yet")
    rows = [_row(g.kind, g.name, g.figures, g.pupils, g.persistent, g.severe) for g in groups]
    overviews = [o for o in pupil_overviews(db, as_of) if o.year.possible]
    policy = get_policy(db)
    band_counts = {b.id: 0 for b in policy.bands}
    for o in overviews:
        if o.band is not None:
            band_counts[o.band.id] = band_counts.get(o.band.id, 0) + 1
    bands = tuple((b.label, b.colour, band_counts.get(b.id, 0)) for b in policy.bands)

    def line(o: PupilOverview) -> PupilLine:
        return PupilLine(
            name=f"{o.forename} {o.surname}",
            class_name=o.reg_group or "",
            attendance=percent(o.year.attended, o.year.possible),
            unauthorised=o.year.unauthorised,
            band=o.band.label if o.band else "",
        )

    by_pct = sorted(overviews, key=lambda o: (o.year.attendance, o.surname, o.forename))
    half = get_calendar(db).half_term_of(as_of)
    year_start = academic_year_start(as_of)
    weekly = tuple(
        (monday, float(f.attendance * 100) if f.attendance is not None else None)
        for monday, f in weekly_attendance(db, as_of)
    )
    return HalfTermReport(
        school_name=school.facts.name,
        title=f"Attendance report{f': {half.name}' if half else ''}",
        period=f"{long_date(year_start)} to {long_date(as_of)}",
        half_term_name=half.name if half else "",
        school=rows[0],
        groups=tuple(rows[1:]),
        weekly=weekly,
        bands=bands,
        persistent=tuple(line(o) for o in by_pct if o.year.persistent and not o.year.severe),
        severe=tuple(line(o) for o in by_pct if o.year.severe),
    )


def half_term_report_pdf(db: Database, as_of: date | None = None) -> bytes:
    from attendance_desk.documents.report import build_report_pdf
    from attendance_desk.services.letter_sources import school_source

    report = half_term_report(db, as_of)
    with db.session() as s:
        school = school_source(s)
    return build_report_pdf(report, school.letterhead, school.logo)
