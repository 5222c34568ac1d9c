"""First-day calls: who is absent with no reason today, whom to ring, and logging the call.

A pupil is on the list for a date when, in a session whose register was taken (some pupil has
a mark), the pupil has `N` or no mark at all. `days_unreached` counts the school days, ending
with the date, on which the pupil was on that list and nobody in the family was spoken to;
two or more running is a safeguarding flag.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, literal_column, select, true
from sqlalchemy.orm import Session

from attendance_desk import clock
from attendance_desk.domain.characteristics import SAFEGUARDING, flags_of
from attendance_desk.domain.codes import LATE_CODES, UNRESOLVED_CODE, UnknownCodeError, normalise
from attendance_desk.domain.events import EventKind, PhoneCall
from attendance_desk.errors import UserError
from attendance_desk.services.school import contact_name, contact_phones, on_roll_filter
from attendance_desk.services.timeline import TimelineEntry, add_event_in
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import (
    Contact,
    DayReason,
    Mark,
    MarkChange,
    MisChange,
    Pupil,
    RegisterSession,
)
from attendance_desk.storage.models.base import utcnow
from attendance_desk.storage.models.cases import EventPupil, FamilyMember, TimelineEvent

UNREACHED_FLAG_DAYS = 2
LOOK_BACK_SCHOOL_DAYS = 10
CALL_COLUMNS = (
    "upn",
    "surname",
    "forename",
    "reg_group",
    "contact_name",
    "phone",
    "days_unreached",
)


@dataclass(frozen=True)
class CallContact:
    name: str
    relationship: str
    priority: int
    phones: tuple[tuple[str, str], ...]  # (kind, number) in the order to try


@dataclass(frozen=True)
class CallListEntry:
    pupil_id: int
    upn: str
    surname: str
    forename: str
    reg_group: str
    sessions: tuple[tuple[str, str | None], ...]  # (session, code or None) with no reason
    contacts: tuple[CallContact, ...]
    days_unreached: int
    unreached_flag: bool  # not reached for two school days running: a safeguarding concern
    calls_today: tuple[str, ...]  # summaries of today's calls for the family
    reached_today: bool
    family_id: int | None
    flags: tuple[str, ...] = ()  # "CP", "CIN", "LAC": shown beside the not-reached flag
    next_step: str = ""  # what the policy asks when the family is not reached
    siblings: tuple[int, ...] = ()  # other pupils of the family on the same day's list

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"


@dataclass(frozen=True)
class Recode:
    session: str
    old_code: str | None
    new_code: str


@dataclass(frozen=True)
class LoggedCall:
    entry: TimelineEntry
    recoded: tuple[Recode, ...]


def _taken_sessions(s: Session, days: list[date]) -> dict[date, set[str]]:
    out: dict[date, set[str]] = defaultdict(set)
    rows = s.execute(
        select(RegisterSession.date, RegisterSession.session)
        .where(RegisterSession.date.in_(days))
        .distinct()
    )
    for d, session in rows:
        out[d].add(session)
    return out


def _reached_days(s: Session, pupil_ids: set[int], start: date, end: date) -> dict[int, set[date]]:
    """Days on which a call covering the pupil reached someone."""
    rows = s.execute(
        select(EventPupil.pupil_id, TimelineEvent.date, TimelineEvent.details_json)
        .join(TimelineEvent, TimelineEvent.id == EventPupil.event_id)
        .where(TimelineEvent.kind == EventKind.PHONE_CALL.value)
        .where(TimelineEvent.date >= start, TimelineEvent.date <= end)
        .where(EventPupil.pupil_id.in_(pupil_ids))
    ).all()
    out: dict[int, set[date]] = defaultdict(set)
    for pid, d, text in rows:
        if json.loads(text).get("outcome") == "spoke":
            out[pid].add(d)
    return out


def day_marks(backend: str, on: date, days: list[date]) -> Select[int, date, str, str]:
    """The marks of `days` of the pupils on roll on `on`: (pupil, date, session, code). Each
    pupil's few steps of the marks' primary key (pupil_id, date, session) a day, never a walk
    of every mark. On PostgreSQL each pupil's steps are a LATERAL subquery kept apart by
    OFFSET 0: left to itself the planner joins a scan of every mark to the pupils whenever the
    days' marks look many enough (a year and a half of registers: 17 ms, against 2 ms; seven
    years: 52 ms against 3). tests/services/test_history.py and test_pg_plans.py pin the plans."""
    if backend != "postgresql":
        return select(Mark.pupil_id, Mark.date, Mark.session, Mark.code).where(
            Mark.pupil_id.in_(select(Pupil.id).where(on_roll_filter(on))),
            Mark.date.in_(days),
        )
    steps = (
        select(Mark.date, Mark.session, Mark.code)
        .where(Mark.pupil_id == Pupil.id, Mark.date.in_(days))
        .offset(literal_column("0"))
        .lateral("m")
    )
    return (
        select(Pupil.id, steps.c.date, steps.c.session, steps.c.code)
        .join_from(Pupil, steps, true())
        .where(on_roll_filter(on))
    )


def first_day_calls(db: Database, on: date) -> tuple[CallListEntry, ...]:
    """The day's call list, by class then name, contacts in priority order."""
    from attendance_desk.services.calendar import get_calendar

    # This academic year and the one before: ten school days back never leave them.
    calendar = get_calendar(
        db, since=date(on.year - 1 if on.month >= 9 else on.year - 2, 9, 1), until=on
    )
    days = [on]
    day: date | None = on
    for _ in range(LOOK_BACK_SCHOOL_DAYS):
        day = calendar.previous_school_day(day) if day else None
        if day is None:
            break
        days.append(day)
    with db.session() as s:
        taken = _taken_sessions(s, days)
        if not taken.get(on):
            return ()
        pupils = s.scalars(select(Pupil).where(on_roll_filter(on))).all()
        marks: dict[tuple[int, date], dict[str, str]] = defaultdict(dict)
        for pid, d, session, code in s.execute(day_marks(db.backend, on, days)):
            marks[(pid, d)][session] = code

        def unexplained(pid: int, d: date) -> list[tuple[str, str | None]]:
            got = marks.get((pid, d), {})
            return [
                (sess, got.get(sess))
                for sess in ("AM", "PM")
                if sess in taken.get(d, set()) and got.get(sess) in (None, UNRESOLVED_CODE, "-", "")
            ]

        covered = set(s.scalars(select(DayReason.pupil_id).where(DayReason.date == on)))
        listed = [p for p in pupils if p.id not in covered and unexplained(p.id, on)]
        ids = {p.id for p in listed}
        contacts: dict[int, list[CallContact]] = defaultdict(list)
        for c in s.scalars(  # the listed pupils' contacts in one query, not one per pupil
            select(Contact)
            .where(Contact.pupil_id.in_(ids))
            .order_by(Contact.pupil_id, Contact.priority, Contact.id)
        ):
            contacts[c.pupil_id].append(_contact(c))
        fam = dict(s.execute(select(FamilyMember.pupil_id, FamilyMember.family_id)).all())
        members: dict[int, set[int]] = defaultdict(set)
        for pid, fid in fam.items():
            members[fid].add(pid)
        everyone = set(ids)
        for pid in ids:
            if pid in fam:
                everyone |= members[fam[pid]]
        reached = _reached_days(s, everyone, days[-1], on)
        calls_today: dict[int, list[str]] = defaultdict(list)
        for pid, summary in s.execute(
            select(EventPupil.pupil_id, TimelineEvent.summary)
            .join(TimelineEvent, TimelineEvent.id == EventPupil.event_id)
            .where(TimelineEvent.kind == EventKind.PHONE_CALL.value, TimelineEvent.date == on)
            .where(EventPupil.pupil_id.in_(everyone))
            .order_by(TimelineEvent.created_at)
        ):
            calls_today[pid].append(summary)

        out = []
        for p in listed:
            family = members[fam[p.id]] if p.id in fam else {p.id}
            family_reached = set().union(*(reached.get(m, set()) for m in family))
            count = 0
            for d in days:
                if d in family_reached or not unexplained(p.id, d):
                    break
                count += 1
            out.append(
                CallListEntry(
                    pupil_id=p.id,
                    upn=p.upn or "",
                    surname=p.surname,
                    forename=p.forename,
                    reg_group=p.reg_group or "",
                    sessions=tuple(unexplained(p.id, on)),
                    contacts=tuple(contacts.get(p.id, ())),
                    days_unreached=count,
                    unreached_flag=count >= UNREACHED_FLAG_DAYS,
                    calls_today=tuple(x for m in sorted(family) for x in calls_today.get(m, [])),
                    reached_today=on in family_reached,
                    family_id=fam.get(p.id),
                    flags=_flags(p),
                    next_step=unreached_step(_flags(p)) if count >= UNREACHED_FLAG_DAYS else "",
                    siblings=tuple(sorted((family & ids) - {p.id})),
                )
            )
    out.sort(key=lambda e: (not e.unreached_flag, e.reg_group, e.surname.casefold(), e.forename))
    return tuple(_families_together(out))


def _flags(p: Pupil) -> tuple[str, ...]:
    return flags_of(p, SAFEGUARDING)


def unreached_step(flags: tuple[str, ...]) -> str:
    """The next step when a family has not been reached for two school days running."""
    if flags:
        return f"Tell the DSL today ({', '.join(flags)}); arrange a home visit"
    return "Arrange a home visit; tell the DSL if the child is not seen"


def _families_together(entries: list[CallListEntry]) -> list[CallListEntry]:
    """Siblings next to each other, at the place of the first of them: a family is rung once."""
    out: list[CallListEntry] = []
    placed: set[int] = set()
    by_id = {e.pupil_id: e for e in entries}
    for e in entries:
        if e.pupil_id in placed:
            continue
        for member in (e, *(by_id[i] for i in e.siblings if i in by_id)):
            if member.pupil_id not in placed:
                placed.add(member.pupil_id)
                out.append(member)
    return out


def _contact(c: Contact) -> CallContact:
    return CallContact(
        contact_name(c), c.relationship_to_pupil or "", c.priority, contact_phones(c)
    )


def call_rows(entries: tuple[CallListEntry, ...]) -> list[dict[str, Any]]:
    """One row per number to try, in order (CALL_COLUMNS); a pupil with none gets one row."""
    rows: list[dict[str, Any]] = []
    for e in entries:
        base = {
            "upn": e.upn,
            "surname": e.surname,
            "forename": e.forename,
            "reg_group": e.reg_group,
            "days_unreached": e.days_unreached,
        }
        numbers = [(c.name, n) for c in e.contacts for _, n in c.phones]
        for name, number in numbers or [("", "")]:
            rows.append(base | {"contact_name": name, "phone": number})
    return rows


def log_call(
    db: Database,
    pupil_id: int,
    on: date,
    outcome: str,
    contact_name: str = "",
    number: str = "",
    reason_given: str = "",
    code: str | None = None,
    recode: bool = False,
    follow_up: bool = False,
    notes: str = "",
    recorded_by: str = "",
    direction: str = "out",
    also_pupil_ids: tuple[int, ...] = (),
    at: datetime | None = None,
) -> LoggedCall:
    """Log a call on the pupil's timeline (and siblings'), with the time of day (`at`, local;
    now by default). With `recode`, the reason covers the day: the day's `N` or missing marks
    become `code` as the office's change (kept in the mark's history and listed for the MIS),
    and an `N` imported later for that day takes the same code."""
    if code is not None and code.strip():
        try:
            code = normalise(code)
        except UnknownCodeError as exc:
            raise UserError(str(exc)) from None
    else:
        code = None
    if recode and code is None:
        raise UserError("Give the code the reason suggests to re-code the mark")
    if recode and code == UNRESOLVED_CODE:
        raise UserError("Re-code the N with a real code (I, M, O ...)")
    details = PhoneCall(
        contact_name=contact_name.strip(),
        number=number.strip(),
        direction=direction,
        outcome=outcome,
        reason_given=reason_given.strip(),
        suggested_code=code,
        follow_up=follow_up,
        notes=notes.strip(),
        time=(at or clock.now()).strftime("%H:%M"),
    )
    with db.session() as s:
        entry = add_event_in(s, (pupil_id, *also_pupil_ids), details, on, recorded_by)
        changes: list[Recode] = []
        if recode and code is not None:
            taken = _taken_sessions(s, [on]).get(on, set())
            reason = f"First-day call: {reason_given.strip() or entry.summary}"[:2000]
            for pid in (pupil_id, *also_pupil_ids):
                _cover_day(s, pid, on, code, reason, recorded_by, entry.event_id)
                changes += _recode(s, pid, on, taken, code, recorded_by, reason)
    return LoggedCall(entry, tuple(changes))


def _cover_day(
    s: Session, pupil_id: int, on: date, code: str, reason: str, by: str, event_id: int | None
) -> None:
    """The reason covers the pupil's whole day (a later reason on the same day replaces it)."""
    cover = s.scalars(
        select(DayReason).where(DayReason.pupil_id == pupil_id, DayReason.date == on)
    ).first()
    if cover is None:
        s.add(
            DayReason(
                pupil_id=pupil_id, date=on, code=code, reason=reason, recorded_by=by,
                event_id=event_id,
            )
        )  # fmt: skip
    else:
        cover.code, cover.reason, cover.recorded_by = code, reason, by
        cover.recorded_at, cover.event_id = utcnow(), event_id


def note_for_mis(
    s: Session,
    pupil_id: int,
    on: date,
    session: str,
    mis_code: str | None,
    office_code: str,
    reason: str,
    by: str,
) -> None:
    """List the office's change of a mark for the MIS (one open item per mark)."""
    item = s.scalars(
        select(MisChange).where(
            MisChange.pupil_id == pupil_id, MisChange.date == on, MisChange.session == session
        )
    ).first()
    if item is None:
        s.add(
            MisChange(
                pupil_id=pupil_id, date=on, session=session, mis_code=mis_code,
                office_code=office_code, reason=reason, changed_by=by,
            )
        )  # fmt: skip
        return
    if item.agreed_at is not None:  # agreed before: the MIS holds what the office had then
        item.mis_code = item.office_code
    item.office_code, item.reason, item.changed_by = office_code, reason, by
    item.changed_at, item.agreed_at, item.agreed_import_id = utcnow(), None, None


def _recode(
    s: Session, pupil_id: int, on: date, taken: set[str], code: str, by: str, reason: str
) -> list[Recode]:
    """Replace the pupil's `N` or missing marks in the day's taken sessions by `code`."""
    out = []
    for session in ("AM", "PM"):
        if session not in taken:
            continue
        mark = s.get(Mark, (pupil_id, on, session))
        old = mark.code if mark else None
        if old not in (None, UNRESOLVED_CODE, "-", ""):
            continue
        from_mis = mark is not None and mark.source != "office"
        if mark is None:
            s.add(Mark(pupil_id=pupil_id, date=on, session=session, code=code, source="office"))
        else:
            mark.code, mark.source, mark.updated_at = code, "office", utcnow()
        s.add(
            MarkChange(
                pupil_id=pupil_id,
                date=on,
                session=session,
                old_code=old,
                new_code=code,
                source="office",
                changed_by=by,
                reason=reason,
            )
        )
        mis_code = old if from_mis and old not in ("-", "") else None
        note_for_mis(s, pupil_id, on, session, mis_code, code, reason, by)
        out.append(Recode(session, old, code))
    return out


@dataclass(frozen=True)
class DaySummary:
    """The day at a glance, above the call list."""

    day: date
    no_reason_by_class: tuple[tuple[str, int], ...]  # pupils on the call list, per class
    reasons_given: int  # pupils whose day a call's reason covers
    late: int  # pupils with a late mark (L or U) that day

    @property
    def no_reason(self) -> int:
        return sum(n for _, n in self.no_reason_by_class)

    def text(self) -> str:
        classes = ", ".join(f"{c or 'no class'} {n}" for c, n in self.no_reason_by_class)
        line = f"Absent with no reason: {self.no_reason}"
        if classes:
            line += f" ({classes})"
        return f"{line}  \u00b7  Reasons given: {self.reasons_given}  \u00b7  Late: {self.late}"


def day_summary(db: Database, on: date, entries: tuple[CallListEntry, ...]) -> DaySummary:
    """The summary of `on` for the call list `entries` (first_day_calls of the same day)."""
    by_class: dict[str, int] = defaultdict(int)
    for e in entries:
        by_class[e.reg_group] += 1
    with db.session() as s:
        reasons = len(set(s.scalars(select(DayReason.pupil_id).where(DayReason.date == on))))
        late = len(
            set(
                s.scalars(
                    select(Mark.pupil_id).where(  # a step of each pupil's marks
                        Mark.pupil_id.in_(select(Pupil.id)),
                        Mark.date == on,
                        Mark.code.in_(sorted(LATE_CODES)),
                    )
                )
            )
        )
    return DaySummary(on, tuple(sorted(by_class.items())), reasons, late)


def calls_for_day(db: Database, on: date) -> tuple[tuple[CallListEntry, ...], DaySummary]:
    """The call list and its summary in one go (for the window's worker)."""
    entries = first_day_calls(db, on)
    return entries, day_summary(db, on, entries)
