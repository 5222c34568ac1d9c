"""Meeting agendas (SLT, Family Hub, the Attendance Team's half-term review) and the actions
agreed at them.

Who is on an agenda comes from the policy's meeting routes (domain/meetings.py). After the
meeting, the agreed actions are recorded in one sitting: each becomes a task with its owner and
due date and a note on the pupil's timeline, and the next agenda shows them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import TextClause, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from attendance_desk.domain.concern import Concern, rule_title
from attendance_desk.domain.dates import numeric
from attendance_desk.domain.events import (
    EventKind,
    Note,
    details_from_dict,
    details_to_dict,
    summarise,
)
from attendance_desk.domain.letter_fields import percent
from attendance_desk.domain.meetings import (
    Standing,
    agenda_routes,
    figures_date,
    placements,
    route,
    weekday_summary,
)
from attendance_desk.domain.pathway import Stage
from attendance_desk.domain.policy import HALF_TERM, MeetingRoute
from attendance_desk.domain.tasks import TaskKind
from attendance_desk.errors import UserError
from attendance_desk.services.monitoring import PupilOverview
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Pupil
from attendance_desk.storage.models.cases import EventPupil, Task, TimelineEvent
from attendance_desk.storage.models.meetings import AgreedAction, MeetingRecord
from attendance_desk.storage.trust import this_school

DASH = "\u2013"
# Timeline kinds that count as contact with the family, for "last contact".
CONTACT_KINDS = (
    EventKind.PHONE_CALL,
    EventKind.MEETING,
    EventKind.HOME_VISIT,
    EventKind.LETTER_SENT,
)


@dataclass(frozen=True)
class ActionInfo:
    action_id: int
    meeting_kind: str
    meeting_date: date
    pupil_id: int
    action: str
    owner: str
    due: date
    done_on: date | None

    def line(self) -> str:
        state = f"done {numeric(self.done_on)}" if self.done_on else "open"
        return f"{self.action} ({self.owner}, by {numeric(self.due)}; {state})"


@dataclass(frozen=True)
class AgendaPupil:
    pupil_id: int
    name: str
    class_name: str
    reasons: tuple[str, ...]
    reason_kinds: tuple[str, ...]  # "band" or concern rule ids
    year: str
    half_term: str
    band: str
    persistent: bool
    severe: bool
    weekday: str
    case: str
    last_contact: str
    last_actions: tuple[str, ...]  # agreed at the last meeting of this kind, with their state


@dataclass(frozen=True)
class Agenda:
    meeting_id: str
    title: str
    owner: str
    on: date  # the meeting's date
    figures_to: date
    school_name: str
    intro: str
    pupils: tuple[AgendaPupil, ...]  # the pupils the policy sends to the meeting
    follow_ups: tuple[AgendaPupil, ...]  # not on the list now, with actions still open


@dataclass(frozen=True)
class ActionInput:
    """One action agreed for one pupil (what the record-agreed-actions sitting collects)."""

    pupil_id: int
    action: str
    owner: str
    due: date


def meeting_choices(db: Database) -> tuple[tuple[str, str], ...]:
    """(id, label) of the policy's meetings that have an agenda."""
    from attendance_desk.services.policy import get_policy

    return tuple((m.id, m.label) for m in agenda_routes(get_policy(db)))


def _route(db: Database, meeting_id: str) -> MeetingRoute:
    from attendance_desk.services.policy import get_policy

    policy = get_policy(db)
    try:
        meeting = route(policy, meeting_id)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if meeting.per_class:
        raise UserError(
            f"'{meeting_id}' is the class teacher's weekly report, not a meeting "
            "(use weekly-report)"
        )
    return meeting


def agenda(db: Database, meeting_id: str, on: date) -> Agenda:
    """The agenda of the meeting held on `on`: who the policy sends there, with their figures."""
    from attendance_desk.services.calendar import get_calendar
    from attendance_desk.services.cases import case_contexts
    from attendance_desk.services.letter_sources import school_source
    from attendance_desk.services.monitoring import pupil_overviews, school_concerns
    from attendance_desk.services.policy import get_policy

    policy = get_policy(db)
    meeting = _route(db, meeting_id)
    as_of = figures_date(meeting, get_calendar(db), on)
    contexts = case_contexts(db, as_of)
    overviews = {o.pupil_id: o for o in pupil_overviews(db, as_of, case_contexts=contexts)}
    concerns: dict[int, list[Concern]] = {}
    for c in school_concerns(db, as_of, contexts):
        concerns.setdefault(c.pupil_id, []).append(c)
    ordered = sorted(overviews.values(), key=_sort_key)
    standings = [
        Standing(o.pupil_id, o.band.id if o.band else None, tuple(concerns.get(o.pupil_id, ())))
        for o in ordered
    ]
    placed = placements(meeting, standings, policy)
    with db.session() as s:
        earlier = _last_actions(s, meeting.id, on)
        open_ids = {
            pid for pid, actions in earlier.items() if any(a.done_on is None for a in actions)
        }
        on_list = [p.pupil_id for p in placed]
        follow = sorted(
            (overviews[pid] for pid in open_ids - set(on_list) if pid in overviews), key=_sort_key
        )
        everyone = on_list + [o.pupil_id for o in follow]
        cases = _cases(s, everyone)
        contacts = _last_contacts(s, everyone, on)
        school = school_source(s)
    reasons = {p.pupil_id: p.reasons for p in placed}

    def entry(o: PupilOverview) -> AgendaPupil:
        rs = reasons.get(o.pupil_id, ())
        return AgendaPupil(
            pupil_id=o.pupil_id,
            name=f"{o.forename} {o.surname}",
            class_name=o.reg_group or "",
            reasons=tuple(r.text for r in rs),
            reason_kinds=tuple(r.kind for r in rs),
            year=percent(o.year.attended, o.year.possible) or DASH,
            half_term=percent(o.half_term.attended, o.half_term.possible) or DASH,
            band=o.band.label if o.band else "",
            persistent=o.persistent,
            severe=o.severe,
            weekday=_weekday(db, o.pupil_id, as_of, contexts),
            case=cases.get(o.pupil_id, "no open case"),
            last_contact=contacts.get(o.pupil_id, ""),
            last_actions=tuple(a.line() for a in earlier.get(o.pupil_id, ())),
        )

    if meeting.cadence == HALF_TERM:
        intro = f"Figures to {as_of:%a %-d %b %Y} (the end of the half term, or to date)."
    else:
        intro = f"Figures to {as_of:%a %-d %b %Y}."
    intro += f" Led by: {meeting.owner}. Under {policy.name}: " + _route_words(meeting, policy)
    return Agenda(
        meeting_id=meeting.id,
        title=meeting.label,
        owner=meeting.owner,
        on=on,
        figures_to=as_of,
        school_name=school.facts.name,
        intro=intro,
        pupils=tuple(entry(overviews[pid]) for pid in on_list),
        follow_ups=tuple(entry(o) for o in follow),
    )


def _route_words(meeting: MeetingRoute, policy: object) -> str:
    from attendance_desk.domain.policy import Policy

    assert isinstance(policy, Policy)
    bands = [b.label for b in policy.bands if b.id in meeting.bands]
    rules = [rule_title(r) for r in meeting.rules]
    parts = []
    if bands:
        parts.append("every pupil in " + " and ".join(bands))
    if rules:
        parts.append("every pupil with a concern: " + ", ".join(rules))
    return ("; ".join(parts) or "nobody (the policy names no band or concern)") + "."


def _sort_key(o: PupilOverview) -> tuple[str, str, int]:
    return (o.surname.casefold(), o.forename.casefold(), o.pupil_id)


def _weekday(db: Database, pupil_id: int, as_of: date, contexts: Mapping[int, object]) -> str:
    from attendance_desk.services.monitoring import pupil_report

    report = pupil_report(db, pupil_id, as_of)
    return weekday_summary(
        [(w.name, w.missed, w.am_possible + w.pm_possible) for w in report.weekday_pattern]
    )


def _cases(s: Session, pupil_ids: Sequence[int]) -> dict[int, str]:
    from attendance_desk.storage.models.cases import Case

    rows = s.scalars(
        select(Case).where(Case.pupil_id.in_(pupil_ids), Case.closed_on.is_(None))
    ).all()
    out = {}
    for case in rows:
        text = f"{Stage(case.stage).label} since {numeric(case.stage_started)}"
        text += f"; key person {case.key_person}" if case.key_person else "; no key person named"
        out[case.pupil_id] = text
    return out


def _last_contacts(s: Session, pupil_ids: Sequence[int], on: date) -> dict[int, str]:
    rows = s.execute(
        select(
            EventPupil.pupil_id, TimelineEvent.date, TimelineEvent.kind, TimelineEvent.details_json
        )
        .join(TimelineEvent, EventPupil.event_id == TimelineEvent.id)
        .where(
            EventPupil.pupil_id.in_(pupil_ids),
            TimelineEvent.kind.in_([k.value for k in CONTACT_KINDS]),
            TimelineEvent.date <= on,
        )
        .order_by(TimelineEvent.date, TimelineEvent.id)
    ).all()
    out = {}
    for pid, day, kind, text in rows:  # the latest wins
        summary = summarise(details_from_dict(kind, json.loads(text)))
        out[pid] = f"{numeric(day)}: {summary}"
    return out


def _last_actions(s: Session, kind: str, before: date) -> dict[int, list[ActionInfo]]:
    """For each pupil, the actions agreed at the last meeting of this kind before the date."""
    rows = s.execute(
        select(AgreedAction, MeetingRecord.kind, MeetingRecord.date, Task.done_on)
        .join(MeetingRecord, MeetingRecord.id == AgreedAction.meeting_id)
        .outerjoin(Task, Task.id == AgreedAction.task_id)
        .where(MeetingRecord.kind == kind, MeetingRecord.date < before, _here(s, "meetings"))
        .order_by(MeetingRecord.date, AgreedAction.id)
    ).all()
    latest: dict[int, date] = {}
    for a, _k, day, _done in rows:
        latest[a.pupil_id] = max(day, latest.get(a.pupil_id, day))
    out: dict[int, list[ActionInfo]] = {}
    for a, k, day, done in rows:
        if day == latest[a.pupil_id]:
            out.setdefault(a.pupil_id, []).append(
                ActionInfo(a.id, k, day, a.pupil_id, a.action, a.owner, a.due, done)
            )
    return out


def _here(s: Session, table: str) -> TextClause:
    """The connection's school's rows of `table` (a trust's schools each hold a meeting of a
    kind on a day: storage/trust.py `this_school`)."""
    return sql_text(this_school(s.get_bind().dialect.name, table))


def agreed_actions(db: Database, pupil_id: int) -> tuple[ActionInfo, ...]:
    """Every action agreed for a pupil at any meeting, oldest first."""
    with db.session() as s:
        rows = s.execute(
            select(AgreedAction, MeetingRecord.kind, MeetingRecord.date, Task.done_on)
            .join(MeetingRecord, MeetingRecord.id == AgreedAction.meeting_id)
            .outerjoin(Task, Task.id == AgreedAction.task_id)
            .where(AgreedAction.pupil_id == pupil_id)
            .order_by(MeetingRecord.date, AgreedAction.id)
        ).all()
        return tuple(
            ActionInfo(a.id, k, d, a.pupil_id, a.action, a.owner, a.due, done)
            for a, k, d, done in rows
        )


def record_agreed_actions(
    db: Database,
    meeting_id: str,
    on: date,
    actions: Sequence[ActionInput],
    recorded_by: str = "",
    attendees: str = "",
) -> int:
    """Record the actions agreed at a meeting, all in one go: each becomes a task (owner in its
    title, due date) and each pupil gets one note on the timeline. Nothing is written when any
    action is incomplete. Returns the number of actions recorded."""
    from attendance_desk.services.staff import require_can_change

    require_can_change("record agreed actions")
    meeting = _route(db, meeting_id)
    if not actions:
        raise UserError("no actions to record: write at least one agreed action")
    for n, a in enumerate(actions, start=1):
        where = f"action {n} (pupil id {a.pupil_id})"
        if not a.action.strip():
            raise UserError(f"{where}: write what was agreed")
        if not a.owner.strip():
            raise UserError(f"{where}: name who will do it (the owner)")
        if a.due < on:
            raise UserError(f"{where}: the due date {numeric(a.due)} is before the meeting")
    with db.session() as s:
        ids = {a.pupil_id for a in actions}
        found = set(s.scalars(select(Pupil.id).where(Pupil.id.in_(ids))))
        missing = sorted(ids - found)
        if missing:
            raise UserError(f"there is no pupil with id {missing[0]}")
        record = s.scalars(
            select(MeetingRecord).where(
                MeetingRecord.kind == meeting.id, MeetingRecord.date == on, _here(s, "meetings")
            )
        ).first()
        if record is None:
            record = MeetingRecord(
                kind=meeting.id, date=on, attendees=attendees.strip(), recorded_by=recorded_by
            )
            s.add(record)
            s.flush()
        by_pupil: dict[int, list[ActionInput]] = {}
        for a in actions:
            by_pupil.setdefault(a.pupil_id, []).append(a)
        for pid, items in by_pupil.items():
            lines = [f"{a.action.strip()} ({a.owner.strip()}, by {numeric(a.due)})" for a in items]
            note = Note(f"{meeting.label}: agreed actions\n" + "\n".join(f"- {x}" for x in lines))
            event = TimelineEvent(
                kind=EventKind.NOTE.value,
                date=on,
                recorded_by=recorded_by,
                summary=f"{meeting.label}: agreed " + "; ".join(lines),
                details_json=json.dumps(details_to_dict(note)),
            )
            event.pupils = [EventPupil(pupil_id=pid)]
            s.add(event)
            s.flush()
            for a in items:
                task = Task(
                    pupil_id=pid,
                    event_id=event.id,
                    kind=TaskKind.OTHER.value,
                    title=f"{a.action.strip()} ({a.owner.strip()}; agreed at {meeting.label})",
                    due=a.due,
                    owner=a.owner.strip()[:100],
                )
                s.add(task)
                s.flush()
                s.add(
                    AgreedAction(
                        meeting_id=record.id,
                        pupil_id=pid,
                        action=a.action.strip(),
                        owner=a.owner.strip(),
                        due=a.due,
                        task_id=task.id,
                        event_id=event.id,
                    )
                )
    return len(actions)


def render_agenda(paper: Agenda) -> bytes:
    """The agenda as a PDF: a block per pupil with room for today's actions."""
    from attendance_desk.documents.meetings import build_agenda_pdf

    return build_agenda_pdf(paper)


def agenda_pdf(db: Database, meeting_id: str, on: date) -> bytes:
    return render_agenda(agenda(db, meeting_id, on))
