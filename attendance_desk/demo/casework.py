"""Casework for the demo school: a plausible handful of cases, calls, meetings, a contract, a
Frequent Illness plan, a part-time timetable and a penalty notice, on pupils whose register
suits them. Deterministic for a seed."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from attendance_desk.domain.codes import CODES, Category
from attendance_desk.domain.events import (
    AttendanceContract,
    IllnessPlan,
    LetterSent,
    Meeting,
    Note,
    PartTimeTimetableDetails,
    PenaltyNotice,
    PhoneCall,
    Referral,
)
from attendance_desk.domain.pathway import Stage
from attendance_desk.errors import UserError
from attendance_desk.services.calls import first_day_calls, log_call
from attendance_desk.services.cases import change_stage, update_case
from attendance_desk.services.families import derive_families
from attendance_desk.services.school import on_roll_filter
from attendance_desk.services.timeline import add_event
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark, Pupil, School

_UNAUTHORISED = [c for c, info in CODES.items() if info.category is Category.UNAUTHORISED]
_ABSENT = [c for c, info in CODES.items() if info.category.is_absence]


def _worst_pupils(db: Database, as_of: date, start: date) -> list[tuple[int, str, int, int]]:
    """(pupil id, first contact's name, absences, unauthorised) for the most absent pupils."""
    each_pupil = Mark.pupil_id.in_(select(Pupil.id))  # each pupil's range of the marks' key
    with db.session() as s:
        absences = dict(
            s.execute(
                select(Mark.pupil_id, func.count())
                .where(each_pupil, Mark.date >= start, Mark.date <= as_of, Mark.code.in_(_ABSENT))
                .group_by(Mark.pupil_id)
            ).all()
        )
        unauth = dict(
            s.execute(
                select(Mark.pupil_id, func.count())
                .where(
                    each_pupil, Mark.date >= start, Mark.date <= as_of, Mark.code.in_(_UNAUTHORISED)
                )
                .group_by(Mark.pupil_id)
            ).all()
        )
        pupils = s.scalars(select(Pupil).where(on_roll_filter(as_of))).all()
        rows = [
            (
                p.id,
                p.contacts[0].name if p.contacts else "Parent",
                absences.get(p.id, 0),
                unauth.get(p.id, 0),
            )
            for p in pupils
        ]
    rows.sort(key=lambda r: (-(r[2] + 2 * r[3]), r[0]))
    return rows


def seed_casework(db: Database, as_of: date, seed: int = 2024) -> str:
    from attendance_desk.services.calendar import get_calendar

    rng = random.Random(seed)
    calendar = get_calendar(db)
    # The last 75 school days before the date (reaching back over a holiday when needed).
    days = calendar.school_days(as_of - timedelta(days=400), as_of)[-75:]
    if len(days) < 75:
        return "no casework: too few school days before the date"
    with db.session() as s:
        school = s.scalars(select(School).limit(1)).first()
        officer = (school.attendance_officer if school else "") or "Attendance Officer"
        head = (school.headteacher if school else "") or "Headteacher"
    families = derive_families(db)
    worst = _worst_pupils(db, as_of, days[0])[:12]
    rng.shuffle(worst)
    if len(worst) < 5:
        return "no casework: too few pupils"

    def d(k: int) -> date:
        """k school days into the window."""
        return days[k]

    # 1. Listen and Understand -> Facilitate Support tier 2 with a Frequent Illness plan.
    pid, parent, *_ = worst[0]
    change_stage(db, pid, Stage.MONITOR, d(5), officer, "Below 96% at the end of the half term")
    add_event(
        db, [pid], PhoneCall(parent, "", "out", "spoke", "Poorly a lot this term"), d(7), officer
    )
    change_stage(db, pid, Stage.LISTEN_AND_UNDERSTAND, d(8), officer, "Frequent illness absences")
    add_event(
        db,
        [pid],
        Meeting("informal", "09:00", "Family room", (officer, parent), True, "GP visit advised"),
        d(12),
        officer,
    )
    update_case(
        db, pid, key_person="Mrs Hughes (class teacher)", barriers="Asthma; mornings are hard"
    )
    change_stage(db, pid, Stage.SUPPORT_TIER_2, d(13), officer, "Frequent Illness Protocol")
    add_event(
        db,
        [pid],
        IllnessPlan(d(13), d(13) + timedelta(weeks=6), "GP visit; morning check-in", True),
        d(13),
        officer,
    )

    # 2. Formalise Support: FAM missed, then an attendance contract.
    pid, parent, *_ = worst[1]
    change_stage(db, pid, Stage.MONITOR, d(2), officer, "Falling attendance")
    change_stage(db, pid, Stage.SUPPORT_TIER_1, d(6), officer, "Meeting offered")
    add_event(
        db, [pid], Referral("early_help", "given", "Early Help Assessment started"), d(9), officer
    )
    change_stage(
        db, pid, Stage.FORMALISE, d(20), head, "Unauthorised absence continued after support"
    )
    add_event(db, [pid], LetterSent("FAM invitation"), d(20), officer)
    add_event(
        db, [pid], Meeting("fam", "14:30", "Head's office", (head, officer), False), d(25), officer
    )
    add_event(
        db,
        [pid],
        Meeting("fam", "09:15", "Head's office", (head, officer, parent), True, "Contract agreed"),
        d(30),
        officer,
    )
    add_event(
        db,
        [pid],
        AttendanceContract(
            d(30),
            "On time every day; call by 9:00 if ill",
            (d(40), d(50)),
            d(70) if len(days) > 70 else None,
        ),
        d(30),
        officer,
    )

    # 3. Enforce after support: a penalty notice to the first contact.
    pid, parent, *_ = worst[2]
    change_stage(db, pid, Stage.SUPPORT_TIER_2, d(1), officer, "Persistent absence")
    add_event(
        db,
        [pid],
        Meeting(
            "family_hub", "10:00", "Family Hub", (officer, parent), True, "Travel advice given"
        ),
        d(3),
        officer,
    )
    change_stage(db, pid, Stage.FORMALISE, d(15), head, "No improvement")
    change_stage(db, pid, Stage.ENFORCE, d(35), head, "10 unauthorised sessions in 10 school weeks")
    try:  # the demo's pupil may be below the threshold or have no parent on record
        notice = PenaltyNotice(
            parent,
            d(36),
            la_reference=f"PN/{d(36):%Y}/{pid:04d}",
            below_threshold_reason="Agreed with the LA attendance team after the contract was broken",
        )
        add_event(db, [pid], notice, d(36), officer)
    except UserError:
        add_event(db, [pid], Note("Penalty notice considered; not issued"), d(36), officer)

    # 4. A part-time timetable for a pupil at tier 3.
    pid, parent, *_ = worst[3]
    change_stage(db, pid, Stage.SUPPORT_TIER_3, d(len(days) - 15), officer, "Anxiety about school")
    start = d(len(days) - 14)
    add_event(
        db,
        [pid],
        PartTimeTimetableDetails(
            start,
            start + timedelta(weeks=6),
            "Mornings only",
            (start + timedelta(days=14), start + timedelta(days=28)),
        ),
        start,
        officer,
    )

    # 5. A note on a monitored pupil.
    pid, parent, *_ = worst[4]
    change_stage(db, pid, Stage.MONITOR, d(len(days) - 10), officer, "Below 96%")
    add_event(
        db,
        [pid],
        Note("Mum says the bus is unreliable; travel assistance leaflet sent."),
        d(len(days) - 9),
        officer,
    )

    # First-day calls today: a reason from some families, no answer from one.
    calls = 0
    call_day = days[-1]  # the last school day on or before the date
    for entry in first_day_calls(db, call_day)[:4]:
        if not entry.contacts or not entry.contacts[0].phones:
            continue
        contact = entry.contacts[0]
        number = contact.phones[0][1]
        if calls % 2 == 0:
            reason, code = rng.choice(
                [("Temperature overnight", "I"), ("Dentist this morning", "M")]
            )
            log_call(
                db,
                entry.pupil_id,
                call_day,
                "spoke",
                contact.name,
                number,
                reason,
                code,
                True,
                recorded_by=officer,
                at=datetime.combine(call_day, time(9, 15 + 5 * calls)),  # the morning's calls
            )
        else:
            log_call(
                db,
                entry.pupil_id,
                call_day,
                "no_answer",
                contact.name,
                number,
                follow_up=True,
                recorded_by=officer,
                at=datetime.combine(call_day, time(9, 15 + 5 * calls)),
            )
        calls += 1
    return f"5 cases, {calls} calls, {families} families"
