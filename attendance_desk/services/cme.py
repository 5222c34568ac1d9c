"""Children missing education: who needs a referral to the LA (domain/cme.py), the referral
with the record of the attempts to reach the family, and removal from roll with its grounds;
each writes the notification document for the LA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from attendance_desk.documents.record_pdf import PdfSection, write_record_pdf
from attendance_desk.domain.cme import CmeFinding, attempts_text, check_removal, cme_finding
from attendance_desk.domain.events import Note, Referral
from attendance_desk.domain.staff import Role
from attendance_desk.domain.tasks import TaskKind
from attendance_desk.errors import UserError
from attendance_desk.services.staff import can_change, list_staff, require_can_change
from attendance_desk.services.timeline import TimelineEntry, add_event, add_event_in
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Pupil
from attendance_desk.storage.models.cases import Task
from attendance_desk.storage.trust import this_school
from attendance_desk.user import current_user


@dataclass(frozen=True)
class CmeCase:
    finding: CmeFinding
    pupil_name: str
    upn: str
    reg_group: str


def cme_cases(db: Database, as_of: date) -> tuple[CmeCase, ...]:
    """Pupils on roll whose continuous unauthorised absence of 10 school days or more is still
    going on, with the family not reached (the children_missing_education rule's finding)."""
    from attendance_desk.services.cases import case_contexts
    from attendance_desk.services.monitoring.loading import _load

    loaded = _load(db, as_of, leavers=False, case_contexts=case_contexts(db, as_of))
    names = {p[0]: p for p in loaded.pupils}
    out = []
    for pid, inp in loaded.inputs.items():
        finding = cme_finding(inp)
        if finding is not None:
            p = names[pid]
            name = f"{p[5] or p[3]} {p[4] or p[2]}"
            out.append(CmeCase(finding, name, p[1] or "", p[7] or ""))
    return tuple(sorted(out, key=lambda c: (c.reg_group, c.pupil_name)))


AUTOMATIC_BY = "Attendance Desk (automatic)"  # "by" of the note the concern writes
CME_TASK_TITLE = "Missing education? Family not reached: refer to the LA's CME team"


def _officer(db: Database) -> str:
    """Who a children-missing-education task is for: the (first) attendance officer on the
    staff list, else no one named."""
    officers = [m.name for m in list_staff(db) if m.role is Role.ATTENDANCE_OFFICER]
    return officers[0] if officers else ""


def sync_cme_tasks(db: Database, as_of: date) -> int:
    """Raise each new children-missing-education concern on the pupil's timeline (a note with
    the record of attempts) with a task for the attendance officer; close the open tasks of
    pupils no longer missing. Run whenever the figures are evaluated (the caseload, after an
    import). Nothing is written for a user who may only look, on a read-only copy, or looking
    at all of a trust's schools (each school's are raised by someone working on it).

    Returns how many concerns were raised."""
    if not can_change(db):  # looking at all a trust's schools: each school's waits for it
        return 0
    cases = cme_cases(db, as_of)
    owner = _officer(db) if cases else ""
    try:
        return _write_cme_tasks(db, cases, owner, as_of)
    except IntegrityError:  # another sync (a second reload on the worker pool) got there first
        return 0


def _write_cme_tasks(db: Database, cases: tuple[CmeCase, ...], owner: str, as_of: date) -> int:
    raised = 0
    with db.session() as s:
        # the school worked for: its pupils' concerns are its rows (in a trust's database the
        # owner, or a member of staff working in all their schools, sees other schools' too)
        here = text(this_school(db.backend))
        ours = set(s.scalars(select(Pupil.id).where(here)))
        cases = tuple(c for c in cases if c.finding.pupil_id in ours)
        tasks = s.scalars(select(Task).where(Task.kind == TaskKind.CME_REFERRAL.value, here)).all()
        existing = {t.source_key: t for t in tasks}
        current = set()
        for case in cases:
            f = case.finding
            current.add(f.key)
            if f.key in existing:
                continue
            assert f.raised_on is not None
            reached = (
                f"since {f.reached_on:%d/%m/%Y}, when last reached"
                if f.reached_on is not None
                else "since the absence began"
            )
            note = Note(
                f"Children missing education concern: unauthorised absence every session from "
                f"{f.run_start:%d/%m/%Y}, {f.school_days} school days by {f.run_end:%d/%m/%Y}, "
                f"and the family not reached {reached}. Attempts: {attempts_text(f.attempts)}. "
                "Next: refer to the local authority's children missing education team "
                "(Tools, Children missing education)."
            )
            entry = add_event_in(s, [f.pupil_id], note, f.raised_on, AUTOMATIC_BY)
            s.add(
                Task(
                    pupil_id=f.pupil_id,
                    event_id=entry.event_id,
                    kind=TaskKind.CME_REFERRAL.value,
                    title=CME_TASK_TITLE,
                    due=f.raised_on,
                    source_key=f.key,
                    owner=owner,
                )
            )
            raised += 1
        for key, task in existing.items():
            if task.done_on is None and key not in current:
                task.done_on, task.done_by = as_of, "register"
                task.outcome = (
                    "No longer missing: the child is back, the family was reached, or the "
                    "absence is no longer unauthorised"
                )
    return raised


def _pupil_rows(p: Pupil) -> list[tuple[str, str]]:
    return [
        ("Name", f"{p.legal_forename} {p.legal_surname}"),
        ("UPN", p.upn or ""),
        ("Date of birth", f"{p.date_of_birth:%d/%m/%Y}" if p.date_of_birth else ""),
        ("Class", f"{p.reg_group or ''} (Year {p.year_group or '?'})"),
        ("Admitted", f"{p.admission_date:%d/%m/%Y}" if p.admission_date else ""),
    ]


def _contacts(p: Pupil) -> list[tuple[str, str, str]]:
    return [
        (
            f"{c.title or ''} {c.name}".strip(),
            c.relationship_to_pupil or "",
            ", ".join(x for x in (c.phone_mobile, c.phone_home, c.address_line1, c.postcode) if x),
        )
        for c in p.contacts
    ]


def raise_cme_referral(
    db: Database, pupil_id: int, as_of: date, folder: Path | str
) -> tuple[TimelineEntry, Path]:
    """Refer a pupil to the LA's children missing education team: a referral on the timeline
    with the attempts made, and the notification document (PDF) in `folder`."""
    require_can_change("refer a pupil")
    case = next((c for c in cme_cases(db, as_of) if c.finding.pupil_id == pupil_id), None)
    if case is None:
        raise UserError(
            "No referral is due: the pupil has no continuous unauthorised absence of 10 school "
            "days still going on, or the family has been reached since it began"
        )
    f = case.finding
    attempts = "; ".join(f"{a.date:%d/%m/%Y} {a.what}" for a in f.attempts) or "none recorded"
    entry = add_event(
        db,
        [pupil_id],
        Referral(
            "la_cme",
            "not_needed",
            f"Absent (unauthorised) since {f.run_start:%d/%m/%Y}, {f.school_days} school days; "
            f"family not reached. Attempts: {attempts}",
        ),
        as_of,
        current_user(),
    )
    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        assert pupil is not None
        details, contacts = _pupil_rows(pupil), _contacts(pupil)
    path = Path(folder) / f"CME referral {case.upn or pupil_id} {as_of:%Y-%m-%d}.pdf"
    write_record_pdf(
        path,
        "Children missing education: referral to the local authority",
        f"{case.pupil_name}, made {as_of:%d/%m/%Y} by {current_user() or 'the school'}",
        [
            PdfSection("Pupil", ("Field", "Value"), details),
            PdfSection(
                "Absence",
                ("First day", "Last day", "School days", "Kind"),
                [(f.run_start, f.run_end, f.school_days, "Continuous unauthorised absence")],
            ),
            PdfSection("Contacts on record", ("Name", "Relationship", "How to reach"), contacts),
            PdfSection(
                "Attempts to reach the family since the absence began",
                ("Date", "What", "Reached"),
                [(a.date, a.what, a.reached) for a in f.attempts],
                note="" if f.attempts else "No attempt is on record.",
            ),
        ],
    )
    return entry, path


def remove_from_roll(
    db: Database, pupil_id: int, leaving: date, ground: str, folder: Path | str, note: str = ""
) -> Path:
    """Take the pupil off roll on `leaving` for one of the regulation's grounds: the leaving
    date, a note on the timeline with the grounds, and the LA notification (PDF) in `folder`."""
    require_can_change("remove a pupil from roll")
    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        if pupil is None:
            raise UserError(f"There is no pupil with id {pupil_id}")
        wording = check_removal(ground, leaving, pupil.admission_date)
        pupil.leaving_date = leaving
        details, contacts = _pupil_rows(pupil), _contacts(pupil)
        name, upn = f"{pupil.legal_forename} {pupil.legal_surname}", pupil.upn
    text = f"Removed from roll on {leaving:%d/%m/%Y}: {wording}" + (
        f". {note.strip()}" if note.strip() else ""
    )
    add_event(db, [pupil_id], Note(text), leaving, current_user())
    path = Path(folder) / f"Removal from roll {upn or pupil_id} {leaving:%Y-%m-%d}.pdf"
    write_record_pdf(
        path,
        "Removal from the admission register: notification to the local authority",
        f"{name}, off roll from {leaving:%d/%m/%Y}",
        [
            PdfSection("Pupil", ("Field", "Value"), details),
            PdfSection("Grounds", ("Ground", "Detail"), [(wording, note.strip())]),
            PdfSection("Contacts on record", ("Name", "Relationship", "How to reach"), contacts),
        ],
    )
    return path
