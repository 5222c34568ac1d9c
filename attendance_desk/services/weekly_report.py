"""The class teacher's weekly report: for each class, the week ending on a date.

The class's attendance this week and year to date against the expectation; the pupils in the
band (or bands) the policy gives class teachers, with their figures and the supportive letter
offered; pupils absent a week or more; lates; and the band changes since last week.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from attendance_desk.domain import concern as R
from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.domain.concern import Concern
from attendance_desk.domain.dates import numeric
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.letter_fields import percent
from attendance_desk.domain.meetings import (
    Week,
    band_changes,
    class_teacher_route,
    last_complete_week_end,
    week_ending,
)
from attendance_desk.domain.policy import Policy
from attendance_desk.domain.wording import count
from attendance_desk.errors import UserError
from attendance_desk.services.monitoring import PupilOverview
from attendance_desk.storage.db import Database

DASH = "\u2013"


@dataclass(frozen=True)
class BandPupil:
    pupil_id: int
    name: str
    band: str
    year: str  # year-to-date attendance, e.g. "94.3%"
    week: str  # this week's attendance
    missed_this_week: int  # sessions
    letter: str  # the supportive letter offered, and when it was last printed


@dataclass(frozen=True)
class NamedLine:
    pupil_id: int
    name: str
    text: str


@dataclass(frozen=True)
class ClassWeek:
    class_name: str
    pupils: int  # on roll on the week-ending date
    week: str  # the class's attendance this week
    year: str  # year to date
    week_below_expected: bool
    year_below_expected: bool
    band_pupils: tuple[BandPupil, ...]
    absent_week: tuple[NamedLine, ...]
    lates: tuple[NamedLine, ...]
    changes: tuple[NamedLine, ...]


@dataclass(frozen=True)
class WeeklyReport:
    school_name: str
    policy_name: str
    title: str
    week: Week
    expected: str  # "96%"
    band_labels: tuple[str, ...]  # the class teacher's band(s); empty when the policy has none
    classes: tuple[ClassWeek, ...]

    def summary(self, joiner: str = "; ") -> str:
        """What the report holds, in a line: "14 class pages; 3 pupils in the band Amber", or
        that the policy gives class teachers no band (the window and the command line say it)."""
        pages = count(len(self.classes), "class page")
        if not self.band_labels:
            return f"{pages}{joiner}the policy gives class teachers no band"
        pupils = count(sum(len(c.band_pupils) for c in self.classes), "pupil")
        return f"{pages}{joiner}{pupils} in the band {' and '.join(self.band_labels)}"


def class_order(name: str) -> tuple[tuple[int, int, str], ...]:
    """Classes in natural order (3B before 10A), as the book-bag letter batches are sorted."""
    return tuple(
        (0, int(c), "") if c.isdigit() else (1, 0, c) for c in re.split(r"(\d+)", name.casefold())
    )


def week_figures(now: Figures, before: Figures | None) -> Figures:
    """This week's figures: year to date now less year to date at the end of last week."""
    if before is None:
        return now
    return Figures(
        possible=now.possible - before.possible,
        present=now.present - before.present,
        approved_activity=now.approved_activity - before.approved_activity,
        authorised=now.authorised - before.authorised,
        unauthorised=now.unauthorised - before.unauthorised,
        late=now.late - before.late,
    )


def _total(figures: Iterable[Figures]) -> Figures:
    """The sum of pupils' figures (a class's)."""
    items = list(figures)
    return Figures(
        possible=sum(f.possible for f in items),
        present=sum(f.present for f in items),
        approved_activity=sum(f.approved_activity for f in items),
        authorised=sum(f.authorised for f in items),
        unauthorised=sum(f.unauthorised for f in items),
        late=sum(f.late for f in items),
    )


def _name(o: PupilOverview) -> str:
    return f"{o.forename} {o.surname}"


def _sort_key(o: PupilOverview) -> tuple[str, str, int]:
    return (o.surname.casefold(), o.forename.casefold(), o.pupil_id)


def default_week_end(db: Database, on: date) -> date:
    """The week-ending date a weekly report is offered for on `on`: the last complete school
    week's last day (domain.meetings.last_complete_week_end), by the school's calendar."""
    from attendance_desk.services.calendar import get_calendar

    return last_complete_week_end(on, get_calendar(db, since=on - LOOK_BACK, until=on))


LOOK_BACK = timedelta(days=70)  # the calendar read for it: back past a summer holiday's start


def weekly_report(db: Database, week_end: date, class_name: str | None = None) -> WeeklyReport:
    """The report for the week ending on `week_end` (Monday of its week to that date), for every
    class (natural order) or one class."""
    from attendance_desk.services.cases import case_contexts
    from attendance_desk.services.letter_sources import school_source
    from attendance_desk.services.monitoring import pupil_overviews, school_concerns
    from attendance_desk.services.policy import get_policy

    policy = get_policy(db)
    week = week_ending(week_end)
    contexts = case_contexts(db, week.end)
    now = pupil_overviews(db, week.end, include_leavers=True, case_contexts=contexts)
    same_year = AcademicYear.containing(week.previous_end) == AcademicYear.containing(week.end)
    before: dict[int, PupilOverview] = {}
    if same_year:
        before = {
            o.pupil_id: o
            for o in pupil_overviews(
                db, week.previous_end, case_contexts=case_contexts(db, week.previous_end)
            )
        }
    concerns: dict[int, list[Concern]] = {}
    for c in school_concerns(db, week.end, contexts):
        concerns.setdefault(c.pupil_id, []).append(c)
    names = sorted({o.reg_group for o in now if o.reg_group and o.on_roll}, key=class_order)
    if class_name is not None:
        wanted = class_name.strip().casefold()
        names = [n for n in names if n.casefold() == wanted]
        if not names:
            raise UserError(
                f"there is no class '{class_name}' with pupils on roll on {numeric(week.end)}"
            )
    if not names:
        raise UserError(f"there are no pupils on roll in a class on {numeric(week.end)}")
    route = class_teacher_route(policy)
    band_ids = route.bands if route else ()
    letters = _letters_offered(db, band_ids)
    classes = tuple(
        _class_week(
            n,
            [o for o in now if o.reg_group == n],
            before,
            concerns,
            policy,
            band_ids,
            letters,
            week.start,
        )
        for n in names
    )
    with db.session() as s:
        school = school_source(s)
    return WeeklyReport(
        school_name=school.facts.name,
        policy_name=policy.name,
        title=route.label if route else "Class teacher's weekly report",
        week=week,
        expected=f"{policy.thresholds.expected_pct}%",
        band_labels=tuple(b.label for b in policy.bands if b.id in band_ids),
        classes=classes,
    )


def _class_week(
    name: str,
    members: Sequence[PupilOverview],
    before: Mapping[int, PupilOverview],
    concerns: Mapping[int, Sequence[Concern]],
    policy: Policy,
    band_ids: Sequence[str],
    letters: Mapping[str, tuple[str, dict[int, date]]],
    week_start: date,
) -> ClassWeek:
    expected = policy.thresholds.fraction("expected_pct")
    weeks = {
        o.pupil_id: week_figures(o.year, before[o.pupil_id].year if o.pupil_id in before else None)
        for o in members
    }
    week_total = _total(weeks.values())
    year_total = _total(o.year for o in members)
    on_roll = sorted((o for o in members if o.on_roll), key=_sort_key)
    band_pupils = []
    for o in on_roll:
        if o.band is None or o.band.id not in band_ids:
            continue
        w = weeks[o.pupil_id]
        band_pupils.append(
            BandPupil(
                o.pupil_id,
                _name(o),
                o.band.label,
                percent(o.year.attended, o.year.possible) or DASH,
                percent(w.attended, w.possible) or DASH,
                w.absent,
                _letter_line(letters, o.band.id, o.pupil_id),
            )
        )
    absent_week = [
        NamedLine(o.pupil_id, _name(o), c.detail)
        for o in on_roll
        for c in concerns.get(o.pupil_id, ())
        if c.rule == R.ABSENT_WEEK and _touches(c, week_start)
    ]
    lates = [
        NamedLine(o.pupil_id, _name(o), f"{count(weeks[o.pupil_id].late, 'late mark')} this week")
        for o in on_roll
        if weeks[o.pupil_id].late
    ]
    labels = {b.id: b.label for b in policy.bands}
    moved = band_changes(
        {o.pupil_id: o.band.id if o.band else None for o in before.values() if o.reg_group == name},
        {o.pupil_id: o.band.id if o.band else None for o in on_roll},
    )
    by_id = {o.pupil_id: o for o in members} | {
        pid: o for pid, o in before.items() if o.reg_group == name
    }
    changes = []
    if not any(o.year.possible for o in before.values()):
        moved = []  # the first week of the year: nothing to compare with
    for m in moved:
        o = by_id[m.pupil_id]
        if m.after is None and m.pupil_id not in {p.pupil_id for p in on_roll}:
            text = "left the class"
        elif m.before is None and m.pupil_id not in before:
            text = f"joined the class: {labels.get(m.after or '', 'no figures yet')}"
        else:
            old = labels.get(m.before or "", "no figures")
            new = labels.get(m.after or "", "no figures")
            text = f"{old} \u2192 {new}"
        changes.append(NamedLine(m.pupil_id, _name(o), text))
    changes.sort(key=lambda line: _sort_key(by_id[line.pupil_id]))
    return ClassWeek(
        class_name=name,
        pupils=len(on_roll),
        week=percent(week_total.attended, week_total.possible) or DASH,
        year=percent(year_total.attended, year_total.possible) or DASH,
        week_below_expected=week_total.attendance is not None and week_total.attendance < expected,
        year_below_expected=year_total.attendance is not None and year_total.attendance < expected,
        band_pupils=tuple(band_pupils),
        absent_week=tuple(absent_week),
        lates=tuple(lates),
        changes=tuple(changes),
    )


def _touches(concern: Concern, week_start: date) -> bool:
    """A run of absence with a session this week (older runs were on earlier weeks' pages)."""
    return not concern.evidence or any(e.date >= week_start for e in concern.evidence)


def _letters_offered(
    db: Database, band_ids: Sequence[str]
) -> dict[str, tuple[str, dict[int, date]]]:
    """For each class-teacher band, the letter template written for it (its title) and the date
    each pupil was last sent it."""
    from sqlalchemy import func, select

    from attendance_desk.services.letters import list_templates
    from attendance_desk.storage.models.letters import LetterRecord

    out: dict[str, tuple[str, dict[int, date]]] = {}
    templates = list_templates(db)
    with db.session() as s:
        for band_id in band_ids:
            fitting = [t for t in templates if band_id in t.bands]
            fitting.sort(key=lambda t: t.signed_by != "class_teacher")
            template = fitting[0] if fitting else None
            if template is None:
                continue
            rows = s.execute(
                select(LetterRecord.pupil_id, func.max(LetterRecord.letter_date))
                .where(LetterRecord.template_id == template.id)
                .group_by(LetterRecord.pupil_id)
            ).all()
            out[band_id] = (template.title, {pid: d for pid, d in rows})
    return out


def _letter_line(
    letters: Mapping[str, tuple[str, dict[int, date]]], band_id: str, pupil_id: int
) -> str:
    if band_id not in letters:
        return "no letter for this band"
    title, sent = letters[band_id]
    when = sent.get(pupil_id)
    return f"{title}: printed {numeric(when)}" if when else f"{title}: offer (not printed yet)"


def render_weekly_report(report: WeeklyReport) -> bytes:
    """The report as a PDF: a page per class."""
    from attendance_desk.documents.meetings import build_weekly_report_pdf

    return build_weekly_report_pdf(report)


def weekly_report_pdf(db: Database, week_end: date, class_name: str | None = None) -> bytes:
    return render_weekly_report(weekly_report(db, week_end, class_name))
