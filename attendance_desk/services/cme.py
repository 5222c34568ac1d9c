"""Children missing education: who needs a referral to the LA (domain/cme.py), the referral
with the record of the attempts to reach the family, and removal from roll with its grounds;
each writes the notification document for the LA."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from attendance_desk.documents.record_pdf import PdfSection, write_record_pdf
from attendance_desk.domain.cme import Attempt, CmeFinding, check_removal, cme_finding
from attendance_desk.domain.events import (
    EventKind,
    HomeVisit,
    Meeting,
    Note,
    PhoneCall,
    Referral,
    details_from_dict,
    summarise,
)
from attendance_desk.domain.rule_input import UNAUTHORISED_RUN
from attendance_desk.errors import UserError
from attendance_desk.services.staff import require_can_change
from attendance_desk.services.timeline import TimelineEntry, add_event
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Pupil
from attendance_desk.storage.models.cases import EventPupil, TimelineEvent
from attendance_desk.user import current_user

ATTEMPT_KINDS = (
    EventKind.PHONE_CALL.value,
    EventKind.HOME_VISIT.value,
    EventKind.MEETING.value,
    EventKind.LETTER_SENT.value,
)


@dataclass(frozen=True)
class CmeCase:
    finding: CmeFinding
    pupil_name: str
    upn: str
    reg_group: str


def _attempts(db: Database, pupil_id: int, upto: date) -> list[Attempt]:
    with db.session() as s:
        rows = s.execute(
            select(TimelineEvent.date, TimelineEvent.kind, TimelineEvent.details_json)
            .join(EventPupil, EventPupil.event_id == TimelineEvent.id)
            .where(
                EventPupil.pupil_id == pupil_id,
                TimelineEvent.kind.in_(ATTEMPT_KINDS),
                TimelineEvent.date <= upto,
            )
        ).all()
    out = []
    for day, kind, details_json in rows:
        details = details_from_dict(kind, json.loads(details_json))
        reached = (
            (isinstance(details, PhoneCall) and details.reached)
            or (isinstance(details, Meeting) and details.attended is True)
            or (isinstance(details, HomeVisit) and details.child_seen)
        )
        out.append(Attempt(day, summarise(details), reached))
    return out


def cme_cases(db: Database, as_of: date) -> tuple[CmeCase, ...]:
    """Pupils on roll whose continuous unauthorised absence of 10 school days or more is still
    going on, with the family not reached since it began."""
    from attendance_desk.services.monitoring.loading import _load

    loaded = _load(db, as_of, leavers=False)
    minimum = loaded.ctx.policy.thresholds.la_return_sessions
    names = {p[0]: p for p in loaded.pupils}
    out = []
    for pid, inp in loaded.inputs.items():
        if inp.cats.count("U") < minimum or not inp.on_roll:
            continue
        if inp.school_age_from is not None and inp.school_age_from > as_of:
            continue  # the duty is for children of compulsory school age
        runs = inp.runs(UNAUTHORISED_RUN, minimum)
        if not runs:
            continue
        i, j, n = runs[-1]
        going_on = not inp.possible_indexes(j, len(inp.slots))
        last = inp.date_at(j - 1) if going_on else None
        finding = cme_finding(
            pid, (inp.date_at(i), inp.date_at(j - 1), n), _attempts(db, pid, as_of), minimum, last
        )
        if finding is not None:
            p = names[pid]
            name = f"{p[5] or p[3]} {p[4] or p[2]}"
            out.append(CmeCase(finding, name, p[1] or "", p[7] or ""))
    return tuple(sorted(out, key=lambda c: (c.reg_group, c.pupil_name)))


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
