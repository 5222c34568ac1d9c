"""The meeting papers as the window offers them: one list of papers (the class teacher's weekly
report, each of the policy's meetings, the Targeted Support Meeting list, the governors' report),
and for each a PDF with the rows the window shows beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from attendance_desk.domain.wording import count
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database

WEEKLY = "weekly_report"
TSM = "tsm_list"
GOVERNORS = "governors_report"
MEETING = "meeting:"  # followed by the policy's meeting id


@dataclass(frozen=True)
class PaperChoice:
    id: str
    label: str
    by_class: bool = False  # one class or all
    excel: bool = False  # can also be saved as a workbook
    agenda: bool = False  # agreed actions can be recorded against it


@dataclass(frozen=True)
class Paper:
    choice: PaperChoice
    title: str
    summary: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    pupils: tuple[tuple[int, str], ...]  # (id, name) for recording agreed actions
    pdf: bytes
    landscape: bool = False


def paper_choices(db: Database) -> tuple[PaperChoice, ...]:
    from attendance_desk.domain.meetings import agenda_routes, class_teacher_route
    from attendance_desk.services.policy import get_policy

    policy = get_policy(db)
    route = class_teacher_route(policy)
    choices = [PaperChoice(WEEKLY, route.label if route else "Class teacher's weekly report", True)]
    choices += [
        PaperChoice(MEETING + m.id, f"Agenda: {m.label}", agenda=True)
        for m in agenda_routes(policy)
    ]
    choices += [
        PaperChoice(TSM, "Targeted Support Meeting list (termly, for the LA)", excel=True),
        PaperChoice(GOVERNORS, "Attendance report for the head and governors"),
    ]
    return tuple(choices)


def _choice(db: Database, choice_id: str) -> PaperChoice:
    for choice in paper_choices(db):
        if choice.id == choice_id:
            return choice
    raise UserError(f"'{choice_id}' is not a paper the policy offers")


def make_paper(db: Database, choice_id: str, on: date, class_name: str | None = None) -> Paper:
    """The paper for the date (a week ending, a meeting's date, or figures to the date)."""
    choice = _choice(db, choice_id)
    if choice.id == WEEKLY:
        from attendance_desk.services.weekly_report import render_weekly_report, weekly_report

        report = weekly_report(db, on, class_name)
        rows = tuple(
            (c.class_name, p.name, p.year, p.week, p.letter)
            for c in report.classes
            for p in c.band_pupils
        )
        return Paper(
            choice,
            report.title,
            report.summary(),
            ("Class", "Pupil", "Year to date", "This week", "Letter"),
            rows,
            (),
            render_weekly_report(report),
        )
    if choice.agenda:
        from attendance_desk.services.meetings import agenda, render_agenda

        paper = agenda(db, choice.id.removeprefix(MEETING), on)
        everyone = paper.pupils + paper.follow_ups
        return Paper(
            choice,
            paper.title,
            f"{count(len(paper.pupils), 'pupil')} on the agenda"
            + (f", {len(paper.follow_ups)} with actions to review" if paper.follow_ups else ""),
            ("Pupil", "Class", "Why", "Year to date", "Agreed last time"),
            tuple(
                (
                    p.name,
                    p.class_name,
                    "; ".join(p.reasons) or "actions to review",
                    p.year,
                    "; ".join(p.last_actions),
                )
                for p in everyone
            ),
            tuple((p.pupil_id, p.name) for p in everyone),
            render_agenda(paper),
        )
    if choice.id == TSM:
        from attendance_desk.services.tsm import render_tsm, tsm_list

        tsm = tsm_list(db, on)
        return Paper(
            choice,
            tsm.title,
            f"{count(len(tsm.rows), 'pupil')} persistently or severely absent",
            ("Pupil", "Class", "Attendance", "Level", "Next steps"),
            tuple(
                (r.name, r.class_name, r.attendance, r.level, r.next_steps.replace("\n", "; "))
                for r in tsm.rows
            ),
            (),
            render_tsm(tsm),
            landscape=True,
        )
    from attendance_desk.services.reports import half_term_report, half_term_report_pdf

    governors = half_term_report(db, on)
    summary_rows = (
        ("Attendance", governors.school.attendance),
        ("Pupils", str(governors.school.pupils)),
        (
            "Persistent absence",
            f"{governors.school.persistent} ({governors.school.persistent_share})",
        ),
        ("Severe absence", str(governors.school.severe)),
    )
    return Paper(
        choice,
        governors.title,
        f"Figures from {governors.period}",
        ("", "This school"),
        summary_rows,
        (),
        half_term_report_pdf(db, on),
    )


def save_paper_excel(db: Database, choice_id: str, path: Path, on: date) -> Path:
    """The Targeted Support Meeting list as a workbook (the only paper that has one)."""
    if _choice(db, choice_id).id != TSM:
        raise UserError("only the Targeted Support Meeting list is saved as Excel")
    from attendance_desk.services.tsm import write_tsm

    write_tsm(db, path, on)
    return path
