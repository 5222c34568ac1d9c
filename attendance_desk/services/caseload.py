"""The caseload of open cases: stage, days at stage, key person, owner, next review, last
contact with the family and attendance this year, for the officer's weekly look at casework."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import func, select, text

from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.domain.events import EventKind
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.pathway import Stage
from attendance_desk.domain.tasks import REVIEW_KINDS
from attendance_desk.errors import UserError
from attendance_desk.services.staff import require_can_change
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Pupil
from attendance_desk.storage.models.cases import Case, EventPupil, Task, TimelineEvent

# Events that are contact with the family (the caseload's "last contact").
CONTACT_KINDS = (
    EventKind.PHONE_CALL.value,
    EventKind.MEETING.value,
    EventKind.HOME_VISIT.value,
    EventKind.LETTER_SENT.value,
)


@dataclass(frozen=True)
class CaseRow:
    case_id: int
    pupil_id: int
    pupil_name: str
    reg_group: str
    stage: Stage
    stage_started: date
    days_at_stage: int  # calendar days from the move to `today` (0 for a move after it)
    key_person: str
    owner: str
    next_review: date | None  # the case's own review date, else its earliest open review task
    last_contact: date | None  # the latest call, meeting, visit or letter on or before today
    attendance: Fraction | None  # this academic year to today, while on roll


_COUNTS_SQL = """
SELECT m.pupil_id, m.code, count(*)
FROM pupils p CROSS JOIN marks m
WHERE m.pupil_id = p.id AND m.date >= :start AND m.date <= :end AND p.id IN ({ids})
  AND (p.admission_date IS NULL OR m.date >= p.admission_date)
  AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
GROUP BY m.pupil_id, m.code
"""


def open_case_rows(db: Database, today: date) -> tuple[CaseRow, ...]:
    """Every open case, in pathway order then by days at stage (longest first)."""
    year = AcademicYear.containing(today)
    with db.session() as s:
        rows = s.execute(
            select(Case, Pupil)
            .join(Pupil, Pupil.id == Case.pupil_id)
            .where(Case.closed_on.is_(None))
        ).all()
        ids = [p.id for _, p in rows]
        last = dict(
            s.execute(
                select(EventPupil.pupil_id, func.max(TimelineEvent.date))
                .join(TimelineEvent, TimelineEvent.id == EventPupil.event_id)
                .where(
                    EventPupil.pupil_id.in_(ids),
                    TimelineEvent.kind.in_(CONTACT_KINDS),
                    TimelineEvent.date <= today,
                )
                .group_by(EventPupil.pupil_id)
            ).all()
        )
        reviews = dict(
            s.execute(
                select(Task.pupil_id, func.min(Task.due))
                .where(
                    Task.pupil_id.in_(ids),
                    Task.kind.in_([k.value for k in REVIEW_KINDS]),
                    Task.done_on.is_(None),
                )
                .group_by(Task.pupil_id)
            ).all()
        )
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        if ids:
            sql = _COUNTS_SQL.format(ids=",".join(str(int(i)) for i in ids))
            params = {"start": year.start.isoformat(), "end": today.isoformat()}
            for pid, code, n in s.execute(text(sql), params):
                counts[pid][code] = n
        out = []
        for case, pupil in rows:
            fig = Figures.from_code_counts(counts.get(pupil.id, {}))
            out.append(
                CaseRow(
                    case.id,
                    pupil.id,
                    f"{pupil.forename} {pupil.surname}",
                    pupil.reg_group or "",
                    Stage(case.stage),
                    case.stage_started,
                    # a move recorded after the caseload's date (the figures are as of the
                    # last register, the move dated today) is at its stage 0 days, not -1
                    max(0, (today - case.stage_started).days),
                    case.key_person,
                    case.owner,
                    case.next_review or reviews.get(pupil.id),
                    last.get(pupil.id),
                    Fraction(fig.attended, fig.possible) if fig.possible else None,
                )
            )
    order = list(Stage)
    out.sort(key=lambda r: (order.index(r.stage), -r.days_at_stage, r.pupil_name))
    return tuple(out)


def set_case_owner(
    db: Database, pupil_id: int, owner: str | None = None, next_review: date | None = None
) -> None:
    """Who owns the pupil's open case, and when it is next reviewed."""
    require_can_change("change a case")
    with db.session() as s:
        case = s.scalars(
            select(Case).where(Case.pupil_id == pupil_id, Case.closed_on.is_(None))
        ).first()
        if case is None:
            raise UserError("The pupil has no open case")
        if owner is not None:
            case.owner = owner.strip()
        if next_review is not None:
            case.next_review = next_review
