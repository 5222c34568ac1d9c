"""The termly Targeted Support Meeting list for the local authority: every persistently or
severely absent pupil with their figures, the pattern of absence, the support in place and the
next steps. As a PDF or an Excel workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from attendance_desk import private_files
from attendance_desk.domain import concern as R
from attendance_desk.domain.dates import numeric
from attendance_desk.domain.letter_fields import percent
from attendance_desk.domain.meetings import weekday_summary
from attendance_desk.domain.wording import count
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database

TERMS = ("autumn", "spring", "summer")


@dataclass(frozen=True)
class TsmRow:
    pupil_id: int
    name: str
    class_name: str
    upn: str
    attendance: str  # year to date
    term_attendance: str
    possible: int
    authorised: int
    unauthorised: int
    level: str  # "Severe" | "Persistent"
    pattern: str
    support: str
    next_steps: str


@dataclass(frozen=True)
class TsmList:
    school_name: str
    title: str
    intro: str
    term_name: str
    as_of: date
    rows: tuple[TsmRow, ...]


def term_dates(db: Database, term: str | None, on: date) -> tuple[str, date, date]:
    """(name, first day, date the figures run to) of the term: the term of `on`, or the named
    term (autumn, spring, summer) of `on`'s academic year, to its end or to `on`."""
    from attendance_desk.services.calendar import get_calendar

    calendar = get_calendar(db)
    if term is None:
        current = calendar.term_of(on)
        if current is None:
            raise UserError(f"there are no term dates or registers on or before {numeric(on)}")
        return current.name, current.start, min(current.end, on)
    wanted = term.strip().lower()
    if wanted not in TERMS:
        raise UserError(f"'{term}' is not a term (choose autumn, spring or summer)")
    year = calendar.academic_year_of(on)
    halves = calendar.half_terms_in_year(year.name)
    k = TERMS.index(wanted)
    pair = [h for h in halves if h.index in (2 * k + 1, 2 * k + 2)]
    if not pair:
        raise UserError(f"the {wanted} term of {year.name} has no dates (enter the term dates)")
    if pair[0].start > on:
        raise UserError(f"the {wanted} term of {year.name} has not started by {numeric(on)}")
    name = f"{wanted.capitalize()} {year.name}"
    return name, pair[0].start, min(pair[-1].end, on)


def tsm_list(db: Database, on: date, term: str | None = None) -> TsmList:
    from attendance_desk.services.cases import case_contexts, open_cases, support_on_record
    from attendance_desk.services.letter_sources import school_source
    from attendance_desk.services.monitoring import pupil_overviews, pupil_report
    from attendance_desk.services.policy import get_policy
    from attendance_desk.services.tasks import pupil_tasks

    policy = get_policy(db)
    term_name, start, as_of = term_dates(db, term, on)
    persistent = policy.thresholds.fraction("persistent_pct")
    severe = policy.thresholds.fraction("severe_pct")
    contexts = case_contexts(db, as_of)
    overviews = [
        o
        for o in pupil_overviews(db, as_of, case_contexts=contexts)
        if o.year.attendance is not None and o.year.attendance <= persistent
    ]
    overviews.sort(key=lambda o: (o.year.attendance, o.surname.casefold(), o.forename.casefold()))
    cases = open_cases(db)
    rows = []
    for o in overviews:
        report = pupil_report(db, o.pupil_id, as_of)
        term_figures = _figures_between(report.marks, start, as_of)
        pattern = weekday_summary(
            [(w.name, w.missed, w.am_possible + w.pm_possible) for w in report.weekday_pattern]
        )
        pattern += f"; {count(report.absence_instances, 'spell')} of absence"
        if report.break_absences:
            pattern += f"; {len(report.break_absences)} beside a holiday or weekend"
        support = [f"{numeric(s.date)} {s.description}" for s in support_on_record(db, o.pupil_id)]
        case = cases.get(o.pupil_id)
        if case is not None:
            head = f"Case: {case.stage.label}"
            head += f"; key person {case.key_person}" if case.key_person else ""
            support.insert(0, head)
        tasks = [t for t in pupil_tasks(db, o.pupil_id, include_done=False)]
        steps = [f"{t.title} (by {numeric(t.due)})" for t in tasks]
        is_severe = o.year.attendance is not None and o.year.attendance <= severe
        if not steps:  # nothing agreed yet: what the policy asks for
            rule = R.SEVERE_ABSENCE if is_severe else R.PERSISTENT_ABSENCE
            steps = [policy.action_for(rule).action]
        level = "Severe" if is_severe else "Persistent"
        rows.append(
            TsmRow(
                pupil_id=o.pupil_id,
                name=f"{o.forename} {o.surname}",
                class_name=o.reg_group or "",
                upn=o.upn or "",
                attendance=percent(o.year.attended, o.year.possible),
                term_attendance=percent(*term_figures) or "\u2013",
                possible=o.year.possible,
                authorised=o.year.authorised,
                unauthorised=o.year.unauthorised,
                level=level,
                pattern=pattern,
                support="\n".join(support) or "none recorded",
                next_steps="\n".join(steps) or "to agree",
            )
        )
    with db.session() as s:
        school = school_source(s)
    return TsmList(
        school_name=school.facts.name,
        title=f"Targeted Support Meeting: {term_name}",
        intro=(
            f"Pupils on roll on {as_of:%a %-d %b %Y} with year-to-date attendance at or below "
            f"{policy.thresholds.persistent_pct}% (persistent absence) or "
            f"{policy.thresholds.severe_pct}% (severe absence), lowest first. "
            f"Missed sessions are year to date, authorised/unauthorised."
        ),
        term_name=term_name,
        as_of=as_of,
        rows=tuple(rows),
    )


def render_tsm(tsm: TsmList) -> bytes:
    """The list as a landscape A4 PDF."""
    from attendance_desk.documents.meetings import build_tsm_pdf

    return build_tsm_pdf(tsm)


def _figures_between(
    marks: tuple[tuple[date, str, str], ...], start: date, end: date
) -> tuple[int, int]:
    from attendance_desk.domain.figures import Figures

    counts: dict[str, int] = {}
    for day, _session, code in marks:
        if start <= day <= end:
            counts[code] = counts.get(code, 0) + 1
    f = Figures.from_code_counts(counts)
    return f.attended, f.possible


COLUMNS = (
    ("Pupil", "text"),
    ("Class", "text"),
    ("UPN", "text"),
    ("Attendance % (year)", "percent"),
    ("Attendance % (term)", "percent"),
    ("Possible sessions", "number"),
    ("Authorised absence (sessions)", "number"),
    ("Unauthorised absence (sessions)", "number"),
    ("Level", "text"),
    ("Pattern of absence", "text"),
    ("Support in place", "text"),
    ("Next steps", "text"),
)


def _pct_number(text: str) -> float | None:
    return float(text.rstrip("%")) if text.endswith("%") else None


def write_tsm(db: Database, path: Path, on: date, term: str | None = None) -> TsmList:
    """Write the list to `path`: .pdf or .xlsx (the Excel writer keeps text from running as a
    formula). Returns the list written."""
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise UserError(f"--out must name a .pdf or .xlsx file (got {path})")
    tsm = tsm_list(db, on, term)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".pdf":
            private_files.write(path, render_tsm(tsm))
        else:
            from attendance_desk.documents.spreadsheet import Sheet, SheetColumn, write_workbook

            rows = [
                [
                    r.name,
                    r.class_name,
                    r.upn,
                    _pct_number(r.attendance),
                    _pct_number(r.term_attendance),
                    r.possible,
                    r.authorised,
                    r.unauthorised,
                    r.level,
                    r.pattern,
                    r.support.replace("\n", "; "),
                    r.next_steps.replace("\n", "; "),
                ]
                for r in tsm.rows
            ]
            columns = [SheetColumn(h, kind) for h, kind in COLUMNS]
            write_workbook(path, [Sheet(tsm.term_name, columns, rows)])
    except OSError as exc:
        raise UserError(f"cannot write {path} ({exc.strerror})") from None
    return tsm
