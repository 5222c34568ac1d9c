"""Timeline events: add (with the tasks they make), edit (keeping the earlier version), read.

An event may cover several pupils of a family. A penalty notice is checked against the national
cap and priced by domain.penalty; a Notice to Improve's end is counted in school weeks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from attendance_desk.domain import penalty
from attendance_desk.domain.events import (
    Details,
    EventKind,
    Meeting,
    NoticeToImprove,
    PenaltyNotice,
    details_from_dict,
    details_to_dict,
    kind_of,
    summarise,
    validate,
)
from attendance_desk.domain.pathway import Stage
from attendance_desk.domain.school_age import require_school_age
from attendance_desk.domain.tasks import closures_for_event, tasks_for_event
from attendance_desk.errors import UserError
from attendance_desk.services.penalties import (
    _penalty_notices,
    require_parent,
    require_threshold_or_reason,
)
from attendance_desk.services.penalties import (
    penalty_decision as penalty_decision,  # callers ask the timeline too
)
from attendance_desk.services.policy import policy_in
from attendance_desk.services.staff import require_can_change
from attendance_desk.services.versions import check_version, conflicts
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Pupil
from attendance_desk.storage.models.base import utcnow
from attendance_desk.storage.models.cases import (
    Case,
    EventPupil,
    EventRevision,
    StageChange,
    Task,
    TimelineEvent,
)
from attendance_desk.user import current_user

STAGE_CHANGE = "stage_change"  # the kind of a timeline entry that is a stage move


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a pupil's chronology: an event, or a stage move (kind STAGE_CHANGE)."""

    kind: str  # an EventKind value or STAGE_CHANGE
    date: date
    recorded_by: str
    summary: str
    event_id: int | None = None
    details: Details | None = None
    pupil_ids: tuple[int, ...] = ()
    revision: int = 1
    recorded_at: datetime | None = None
    stage: Stage | None = None  # the stage moved to, for STAGE_CHANGE
    reason: str = ""
    version: int = 1  # what an edit names (services/versions.py)

    @property
    def edited(self) -> bool:
        return self.revision > 1

    @property
    def planned(self) -> bool:
        """A meeting not yet held (its outcome is not recorded)."""
        return isinstance(self.details, Meeting) and self.details.attended is None

    @property
    def label(self) -> str:
        if self.kind == STAGE_CHANGE:
            return "Stage change"
        label = EventKind(self.kind).label
        return f"{label} (planned)" if self.planned else label


@dataclass(frozen=True)
class EventRevisionInfo:
    revision: int
    date: date
    recorded_by: str
    summary: str
    details: Details
    replaced_at: datetime
    replaced_by: str
    edit_reason: str


def _entry(event: TimelineEvent) -> TimelineEntry:
    details = details_from_dict(event.kind, json.loads(event.details_json))
    return TimelineEntry(
        kind=event.kind,
        date=event.date,
        recorded_by=event.recorded_by,
        summary=event.summary,
        event_id=event.id,
        details=details,
        pupil_ids=tuple(sorted(p.pupil_id for p in event.pupils)),
        revision=event.revision,
        recorded_at=event.created_at,
        version=event.version,
    )


def _check_pupils(s: Session, pupil_ids: Sequence[int]) -> list[int]:
    ids = sorted(set(pupil_ids))
    if not ids:
        raise UserError("An event must be about at least one pupil")
    found = set(s.scalars(select(Pupil.id).where(Pupil.id.in_(ids))))
    missing = [i for i in ids if i not in found]
    if missing:
        raise UserError(f"There is no pupil with id {missing[0]}")
    return ids


def _prepare(
    s: Session, details: Details, pupil_ids: Sequence[int], event_id: int | None
) -> Details:
    """Fill in what the rules decide: a penalty notice's amount, a Notice to Improve's end."""
    validate(details)
    if isinstance(details, PenaltyNotice):
        assert details.issued is not None
        births = s.execute(select(Pupil.id, Pupil.date_of_birth).where(Pupil.id.in_(pupil_ids)))
        for _pid, born in births:
            require_school_age(born, details.issued, "a penalty notice")
        sequence = max(
            penalty.require_allowed(
                _penalty_notices(s, pid, exclude=event_id), details.parent, details.issued
            ).sequence
            for pid in pupil_ids
        )
        amount = penalty.amount_due(sequence, details.issued, details.paid_on)
        if details.status == "paid" and details.paid_on is None:
            raise UserError("Give the date the penalty notice was paid")
        details = replace(details, amount=amount)
    return details


def _with_period_end(db: Database, details: Details) -> Details:
    """A Notice to Improve's period ends with the last school day of its Nth school week."""
    if not isinstance(details, NoticeToImprove) or details.period_end is not None:
        return details
    from attendance_desk.services.calendar import get_calendar

    validate(details)
    assert details.issued is not None
    calendar = get_calendar(db)
    weeks = calendar.school_weeks(details.issued, date.max)
    end = details.issued + timedelta(weeks=details.period_weeks)
    if len(weeks) > details.period_weeks:
        end = (
            calendar.last_school_day_on_or_before(weeks[details.period_weeks] - timedelta(days=1))
            or end
        )
    return replace(details, period_end=end)


def _make_tasks(
    s: Session, event: TimelineEvent, details: Details, pupil_ids: Iterable[int]
) -> None:
    weeks = policy_in(s).thresholds.medical_review_weeks
    specs = tasks_for_event(details, event.date, weeks)
    existing: dict[str | None, Task] = {
        t.source_key: t for t in s.scalars(select(Task).where(Task.event_id == event.id))
    }
    wanted: set[str] = set()
    for pid in pupil_ids:
        for spec in specs:
            key = f"event:{event.id}:{pid}:{spec.key}"
            wanted.add(key)
            task = existing.get(key)
            if task is None:
                s.add(
                    Task(
                        pupil_id=pid,
                        event_id=event.id,
                        kind=spec.kind.value,
                        title=spec.title,
                        due=spec.due,
                        source_key=key,
                        owner=event.recorded_by,
                    )
                )
            elif task.done_on is None:
                task.due, task.title = spec.due, spec.title
    for source_key, task in existing.items():
        if source_key not in wanted and task.done_on is None:
            s.delete(task)


AUTOMATIC = "(automatic)"  # done_by of a task closed by what it waited for


def _close_tasks(
    s: Session, event: TimelineEvent, details: Details, pupil_ids: Iterable[int]
) -> None:
    """Close the open tasks this event completes (domain.tasks.closures_for_event), with the
    outcome saying what closed them; the tasks stay in the history."""
    for closure in closures_for_event(details, event.date):
        tasks = s.scalars(
            select(Task).where(
                Task.pupil_id.in_(list(pupil_ids)),
                Task.done_on.is_(None),
                Task.kind.in_([k.value for k in closure.kinds]),
                Task.due <= closure.due_by,
                (Task.event_id.is_(None)) | (Task.event_id != event.id),
            )
        ).all()
        for task in tasks:
            task.done_on, task.done_by, task.outcome = event.date, AUTOMATIC, closure.outcome


def add_event(
    db: Database,
    pupil_ids: Sequence[int],
    details: Details,
    on: date,
    recorded_by: str = "",
    summary: str | None = None,
) -> TimelineEntry:
    """Record an event for one pupil or several (a family), with the tasks it makes."""
    require_can_change("record events")
    details = _with_period_end(db, details)
    if isinstance(details, PenaltyNotice) and details.status != "withdrawn":
        _check_penalty(db, pupil_ids, details)
    with db.session() as s:
        return add_event_in(s, pupil_ids, details, on, recorded_by, summary)


def _check_penalty(db: Database, pupil_ids: Sequence[int], details: PenaltyNotice) -> None:
    """A new penalty notice: to a parent with parental responsibility, at the threshold or
    with a reason (services/penalties.py)."""
    validate(details)
    assert details.issued is not None
    for pid in pupil_ids:
        require_parent(db, pid, details.parent)
        require_threshold_or_reason(db, pid, details.issued, details.below_threshold_reason)


def add_event_in(
    s: Session,
    pupil_ids: Sequence[int],
    details: Details,
    on: date,
    recorded_by: str = "",
    summary: str | None = None,
) -> TimelineEntry:
    """add_event inside a unit of work another service owns (it commits)."""
    require_can_change("record events")
    ids = _check_pupils(s, pupil_ids)
    details = _prepare(s, details, ids, None)
    event = TimelineEvent(
        kind=kind_of(details).value,
        date=on,
        recorded_by=recorded_by.strip() or current_user(),
        summary=(summary or summarise(details)).strip(),
        details_json=json.dumps(details_to_dict(details), ensure_ascii=False),
        pupils=[EventPupil(pupil_id=pid) for pid in ids],
    )
    s.add(event)
    s.flush()
    _make_tasks(s, event, details, ids)
    _close_tasks(s, event, details, ids)
    s.flush()
    return _entry(event)


def edit_event(
    db: Database,
    event_id: int,
    details: Details,
    on: date,
    edited_by: str = "",
    edit_reason: str = "",
    summary: str | None = None,
    expected_version: int | None = None,
) -> TimelineEntry:
    """Change an event; its previous version is kept in the event's revisions.
    `expected_version`: the version the editor saw; when someone else edited the event since,
    EditConflictError says who and what, and nothing is saved."""
    require_can_change("change records")
    details = _with_period_end(db, details)
    with db.session() as s:
        event = s.get(TimelineEvent, event_id)
        if event is None:
            raise UserError(f"There is no timeline event {event_id}")
        check_version(db, "event", event.id, event.version, expected_version)
        if kind_of(details).value != event.kind:
            raise UserError("An event's kind cannot change: record a new event instead")
        ids = [p.pupil_id for p in event.pupils]
        details = _prepare(s, details, ids, event.id)
        s.add(
            EventRevision(
                event_id=event.id,
                revision=event.revision,
                date=event.date,
                recorded_by=event.recorded_by,
                summary=event.summary,
                details_json=event.details_json,
                replaced_by=edited_by.strip(),
                edit_reason=edit_reason.strip(),
            )
        )
        event.date = on
        event.summary = (summary or summarise(details)).strip()
        event.details_json = json.dumps(details_to_dict(details), ensure_ascii=False)
        event.revision += 1
        event.updated_at = utcnow()
        _make_tasks(s, event, details, ids)
        _close_tasks(s, event, details, ids)
        with conflicts(db, "event", event.id):
            s.flush()
        return _entry(event)


def event_revisions(db: Database, event_id: int) -> tuple[EventRevisionInfo, ...]:
    """Earlier versions of an event, oldest first."""
    with db.session() as s:
        kind = s.scalar(select(TimelineEvent.kind).where(TimelineEvent.id == event_id)) or ""
        rows = s.scalars(
            select(EventRevision)
            .where(EventRevision.event_id == event_id)
            .order_by(EventRevision.revision)
        ).all()
        return tuple(
            EventRevisionInfo(
                r.revision,
                r.date,
                r.recorded_by,
                r.summary,
                details_from_dict(kind, json.loads(r.details_json)),
                r.replaced_at,
                r.replaced_by,
                r.edit_reason,
            )
            for r in rows
        )


def _move_reason(c: StageChange) -> str:
    """Why a case moved, with what the Enforce gate recorded: the support offered, or what was
    considered and why it was not appropriate, and who signed the move off."""
    lines = [c.reason]
    if Stage(c.to_stage) is Stage.ENFORCE:
        if c.support_offered:
            lines.append("Support offered: " + "; ".join(c.support_offered.splitlines()))
        if c.support_not_appropriate:
            considered = "; ".join(x for x in c.support_considered.splitlines() if x)
            if considered:
                lines.append(f"Support considered: {considered}")
            lines.append(f"Support not appropriate because: {c.support_not_appropriate}")
        if c.signed_off_by:
            lines.append(f"Signed off by the headteacher: {c.signed_off_by}")
    return "\n".join(line for line in lines if line)


def timeline(
    db: Database, pupil_id: int, kinds: Iterable[str] | None = None
) -> tuple[TimelineEntry, ...]:
    """The pupil's whole chronology, newest first: events and stage moves of every case."""
    wanted = set(kinds) if kinds is not None else None
    with db.session() as s:
        query = (
            select(TimelineEvent)
            .join(EventPupil, EventPupil.event_id == TimelineEvent.id)
            .where(EventPupil.pupil_id == pupil_id)
            .options(selectinload(TimelineEvent.pupils))  # one query, not one per event
        )
        if wanted is not None:
            query = query.where(TimelineEvent.kind.in_(wanted))
        entries = [_entry(e) for e in s.scalars(query)]
        if wanted is None or STAGE_CHANGE in wanted:
            cases = select(Case).where(Case.pupil_id == pupil_id)
            for case in s.scalars(cases.options(selectinload(Case.stage_changes))):
                for c in case.stage_changes:
                    stage = Stage(c.to_stage)
                    text = f"Stage: {stage.label}"
                    if c.from_stage:
                        text = f"Stage: {Stage(c.from_stage).label} \u2192 {stage.label}"
                    entries.append(
                        TimelineEntry(
                            kind=STAGE_CHANGE,
                            date=c.date,
                            recorded_by=c.decided_by,
                            summary=text,
                            recorded_at=c.recorded_at,
                            stage=stage,
                            reason=_move_reason(c),
                            pupil_ids=(pupil_id,),
                        )
                    )
    entries.sort(key=lambda e: (e.date, e.recorded_at or datetime.min), reverse=True)
    return tuple(entries)
