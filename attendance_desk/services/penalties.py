"""Penalty notices by the national rules: who may receive one, whether the pupil has reached
the threshold, and what the notice costs and when it must be paid (domain/penalty.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from attendance_desk.domain import penalty
from attendance_desk.domain.casework import MIN_REASON_WORDS, substantive
from attendance_desk.domain.dates import numeric
from attendance_desk.domain.events import EventKind, PenaltyNotice, details_from_dict
from attendance_desk.domain.rules import penalty_window
from attendance_desk.domain.school_age import NotOfSchoolAge, compulsory_school_age_from
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Contact, Pupil
from attendance_desk.storage.models.cases import EventPupil, TimelineEvent


class BelowThreshold(UserError):
    """A penalty notice for a pupil below the threshold, with no reason given."""


@dataclass(frozen=True)
class PenaltyPreview:
    """What the penalty dialog shows before anything is recorded."""

    parents: tuple[str, ...]  # contacts with parental responsibility, "Mrs Sarah Brown"
    sessions: int  # unauthorised sessions the framework counts as of the date
    threshold: int
    weeks: int
    window_start: date | None
    school_age_from: date | None  # None: the date of birth is unknown
    of_school_age: bool
    decision: penalty.PenaltyDecision | None  # for the parent asked about

    @property
    def below_threshold(self) -> bool:
        return self.sessions < self.threshold

    def warning(self) -> str:
        if not self.of_school_age and self.school_age_from is not None:
            return (
                f"Not of compulsory school age until {numeric(self.school_age_from)}: "
                "no penalty notice can be recorded"
            )
        if self.below_threshold:
            return (
                f"Only {self.sessions} unauthorised sessions in the {self.weeks} school weeks "
                f"to the date, below the {self.threshold} the national framework asks for: "
                "give a reason to record a notice anyway"
            )
        return ""


def parent_name(contact: Contact) -> str:
    return f"{contact.title} {contact.name}".strip() if contact.title else contact.name


def penalty_parents(db: Database, pupil_id: int) -> tuple[str, ...]:
    """The pupil's contacts with parental responsibility, in calling order."""
    with db.session() as s:
        contacts = s.scalars(
            select(Contact)
            .where(Contact.pupil_id == pupil_id, Contact.parental_responsibility.is_(True))
            .order_by(Contact.priority, Contact.id)
        ).all()
        return tuple(parent_name(c) for c in contacts)


def require_parent(db: Database, pupil_id: int, parent: str) -> None:
    """A penalty notice goes to a contact of the pupil with parental responsibility."""
    parents = penalty_parents(db, pupil_id)
    if not parents:
        raise UserError(
            "The pupil has no contact with parental responsibility: add the parent to the "
            "pupil's contacts before recording a penalty notice"
        )
    with db.session() as s:
        names = {
            n
            for c in s.scalars(
                select(Contact).where(
                    Contact.pupil_id == pupil_id, Contact.parental_responsibility.is_(True)
                )
            )
            for n in (c.name, parent_name(c))
        }
    if not any(penalty.same_parent(parent, n) for n in names):
        raise UserError(
            f"'{parent}' is not one of the pupil's contacts with parental responsibility "
            f"({', '.join(parents)})"
        )


def _window(db: Database, pupil_id: int, on: date) -> tuple[int, date | None]:
    from attendance_desk.services.monitoring.loading import _load

    loaded = _load(db, on, leavers=True, pupil_id=pupil_id)
    inp = loaded.inputs.get(pupil_id)
    if inp is None:
        return 0, None
    window = penalty_window(inp)
    return (0, None) if window is None else (window.sessions, window.start)


def penalty_preview(
    db: Database,
    pupil_id: int,
    on: date,
    parent: str = "",
    notices: penalty.PenaltyDecision | None = None,
) -> PenaltyPreview:
    """The parents who may receive a notice, the count against the threshold, and (for
    `parent`) whether a notice is allowed and what it costs."""
    from attendance_desk.services.policy import get_policy

    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        if pupil is None:
            raise UserError(f"There is no pupil with id {pupil_id}")
        born = pupil.date_of_birth
    t = get_policy(db).thresholds
    sessions, start = _window(db, pupil_id, on)
    school_age = compulsory_school_age_from(born) if born else None
    return PenaltyPreview(
        parents=penalty_parents(db, pupil_id),
        sessions=sessions,
        threshold=t.penalty_sessions,
        weeks=t.penalty_weeks,
        window_start=start,
        school_age_from=school_age,
        of_school_age=school_age is None or school_age <= on,
        decision=notices or (penalty_decision(db, pupil_id, parent, on) if parent else None),
    )


def require_threshold_or_reason(db: Database, pupil_id: int, on: date, reason: str) -> None:
    """Below the threshold a notice needs a reason in words (BelowThreshold otherwise)."""
    preview = penalty_preview(db, pupil_id, on)
    if not preview.of_school_age:
        raise NotOfSchoolAge(preview.warning())
    if preview.below_threshold and not substantive(reason):
        raise BelowThreshold(
            preview.warning()
            + f" (at least {MIN_REASON_WORDS} words; '{reason.strip() or 'nothing'}' given)"
        )


def _penalty_notices(s: Session, pupil_id: int, exclude: int | None) -> list[penalty.IssuedNotice]:
    rows = s.execute(
        select(TimelineEvent.id, TimelineEvent.details_json)
        .join(EventPupil, EventPupil.event_id == TimelineEvent.id)
        .where(
            EventPupil.pupil_id == pupil_id, TimelineEvent.kind == EventKind.PENALTY_NOTICE.value
        )
    ).all()
    out = []
    for event_id, text in rows:
        if event_id == exclude:
            continue
        d = details_from_dict(EventKind.PENALTY_NOTICE, json.loads(text))
        assert isinstance(d, PenaltyNotice) and d.issued is not None
        out.append(penalty.IssuedNotice(d.parent, d.issued, withdrawn=d.status == "withdrawn"))
    return out


def penalty_decision(db: Database, pupil_id: int, parent: str, on: date) -> penalty.PenaltyDecision:
    """May a penalty notice go to `parent` for this pupil on `on`, and for how much?"""
    with db.session() as s:
        return penalty.decide(_penalty_notices(s, pupil_id, None), parent, on)
