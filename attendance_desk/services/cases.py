"""Cases on the support-first pathway: opening, moving stage (with the Enforce gate), key person,
barriers, families, and the CaseContext each pupil's case-based rules read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from attendance_desk.domain.casework import SupportItem, check_move, stage_support
from attendance_desk.domain.events import (
    SUPPORT_KINDS,
    Meeting,
    Referral,
    details_from_dict,
    summarise,
)
from attendance_desk.domain.pathway import Stage
from attendance_desk.errors import UserError
from attendance_desk.services.case_context import ATTEMPT_KINDS as ATTEMPT_KINDS
from attendance_desk.services.case_context import case_contexts as case_contexts
from attendance_desk.services.staff import require_can_change, require_headteacher
from attendance_desk.services.versions import check_version, conflicts
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Pupil
from attendance_desk.storage.models.cases import (
    Case,
    EventPupil,
    StageChange,
    TimelineEvent,
)
from attendance_desk.storage.settings import read_setting, write_setting


class CaseError(UserError):
    """A case cannot be changed as asked."""


@dataclass(frozen=True)
class StageChangeInfo:
    id: int
    date: date
    from_stage: Stage | None
    to_stage: Stage
    decided_by: str
    reason: str
    support_offered: str
    support_not_appropriate: str
    support_considered: tuple[str, ...] = ()
    signed_off_by: str = ""


@dataclass(frozen=True)
class CaseInfo:
    case_id: int
    pupil_id: int
    stage: Stage
    stage_started: date
    key_person: str
    barriers: str
    opened_on: date
    closed_on: date | None
    history: tuple[StageChangeInfo, ...]
    owner: str = ""
    next_review: date | None = None
    version: int = 1  # what an edit names (services/versions.py)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


def _info(case: Case) -> CaseInfo:
    return CaseInfo(
        case_id=case.id,
        pupil_id=case.pupil_id,
        stage=Stage(case.stage),
        stage_started=case.stage_started,
        key_person=case.key_person,
        barriers=case.barriers,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        history=tuple(
            StageChangeInfo(
                c.id,
                c.date,
                Stage(c.from_stage) if c.from_stage else None,
                Stage(c.to_stage),
                c.decided_by,
                c.reason,
                c.support_offered,
                c.support_not_appropriate,
                tuple(line for line in c.support_considered.splitlines() if line),
                c.signed_off_by,
            )
            for c in case.stage_changes
        ),
        owner=case.owner,
        next_review=case.next_review,
        version=case.version,
    )


_WITH_MOVES = selectinload(Case.stage_changes)


def _open_case(s: Session, pupil_id: int) -> Case | None:
    return s.scalars(
        select(Case).where(Case.pupil_id == pupil_id, Case.closed_on.is_(None))
    ).first()


def _require_pupil(s: Session, pupil_id: int) -> Pupil:
    pupil = s.get(Pupil, pupil_id)
    if pupil is None:
        raise CaseError(f"There is no pupil with id {pupil_id}")
    return pupil


def get_case(db: Database, pupil_id: int) -> CaseInfo | None:
    """The pupil's open case, or None."""
    with db.session() as s:
        case = _open_case(s, pupil_id)
        return _info(case) if case else None


def case_history(db: Database, pupil_id: int) -> tuple[CaseInfo, ...]:
    """Every case the pupil has had, oldest first."""
    with db.session() as s:
        cases = s.scalars(
            select(Case).where(Case.pupil_id == pupil_id).order_by(Case.id).options(_WITH_MOVES)
        ).all()
        return tuple(_info(c) for c in cases)


def open_cases(db: Database) -> dict[int, CaseInfo]:
    """Every open case by pupil id."""
    with db.session() as s:
        query = select(Case).where(Case.closed_on.is_(None))
        # every case's stage moves in one more query, not one per case
        return {c.pupil_id: _info(c) for c in s.scalars(query.options(_WITH_MOVES))}


def _support_items(
    s: Session, pupil_id: int, case: Case | None, on: date | None = None
) -> list[SupportItem]:
    """Support on the record up to `on`: support events that happened (a meeting still
    planned is not support yet) and earlier support stages."""
    rows = s.execute(
        select(TimelineEvent.date, TimelineEvent.kind, TimelineEvent.details_json)
        .join(EventPupil, EventPupil.event_id == TimelineEvent.id)
        .where(EventPupil.pupil_id == pupil_id)
        .where(TimelineEvent.kind.in_([k.value for k in SUPPORT_KINDS]))
    ).all()
    items = []
    for d, kind, details_json in rows:
        details = details_from_dict(kind, json.loads(details_json))
        if (on is not None and d > on) or (
            isinstance(details, Meeting) and details.attended is None
        ):
            continue
        if isinstance(details, Referral) and details.agency == "la_cme":
            continue  # telling the LA a child is missing is not support
        items.append(SupportItem(d, summarise(details)))
    if case is not None:
        moves = [(c.date, Stage(c.to_stage)) for c in case.stage_changes]
        items += stage_support([m for m in moves if on is None or m[0] <= on])
    return sorted(items, key=lambda i: i.date)


def support_on_record(db: Database, pupil_id: int) -> tuple[SupportItem, ...]:
    """The support the record shows for the pupil: support events and earlier support stages."""
    with db.session() as s:
        return tuple(_support_items(s, pupil_id, _open_case(s, pupil_id)))


def change_stage(
    db: Database,
    pupil_id: int,
    to_stage: Stage,
    on: date,
    decided_by: str,
    reason: str,
    support_offered: str = "",
    support_not_appropriate: str = "",
    support_considered: Sequence[str] = (),
    signed_off_by: str = "",
    expected_version: int | None = None,
) -> CaseInfo:
    """Move the pupil's case to `to_stage` (opening a case when none is open).

    `expected_version`: the version of the case the mover saw (0: no open case); when someone
    else changed it since, EditConflictError says who and what, and nothing is saved.

    Moving to Enforce needs support on record or a reason it was not appropriate naming what
    was considered (EnforceGateError); when the school requires it (`enforce_signoff_required`)
    the headteacher's sign-off too. Moving to Closed closes the case.
    """
    require_can_change("move a case")
    signoff = to_stage == Stage.ENFORCE and enforce_signoff_required(db)
    if signoff and signed_off_by.strip():
        require_headteacher(db, signed_off_by)
    to_stage = Stage(to_stage)
    with db.session() as s:
        _require_pupil(s, pupil_id)
        case = _open_case(s, pupil_id)
        check_version(
            db, "case", case.id if case else None, case.version if case else 0, expected_version
        )
        if case is None and to_stage is Stage.CLOSED:
            raise CaseError("The pupil has no open case to close")
        move = check_move(
            Stage(case.stage) if case else None,
            case.stage_started if case else None,
            to_stage,
            on,
            decided_by,
            reason,
            support_on_record=_support_items(s, pupil_id, case, on),
            support_offered=support_offered,
            support_not_appropriate=support_not_appropriate,
            support_considered=support_considered,
            signoff_required=signoff,
            signed_off_by=signed_off_by,
        )
        if case is None:
            case = Case(
                pupil_id=pupil_id,
                stage=to_stage.value,
                stage_started=on,
                opened_on=on,
                opened_by=move.decided_by,
                owner=move.decided_by,
                key_person="",
                barriers="",
            )
            s.add(case)
        case.stage_changes.append(
            StageChange(
                date=on,
                from_stage=move.from_stage.value if move.from_stage else None,
                to_stage=to_stage.value,
                decided_by=move.decided_by,
                reason=move.reason,
                support_offered=move.support_offered,
                support_not_appropriate=move.support_not_appropriate,
                support_considered="\n".join(move.support_considered),
                signed_off_by=move.signed_off_by,
            )
        )
        case.stage = to_stage.value
        case.stage_started = on
        if to_stage is Stage.CLOSED:
            case.closed_on = on
        with conflicts(db, "case", case.id):
            s.flush()
        return _info(case)


ENFORCE_SIGNOFF_KEY = "casework.enforce_needs_headteacher"


def enforce_signoff_required(db: Database) -> bool:
    """Whether the school requires the headteacher's sign-off to move a case to Enforce."""
    return bool(read_setting(db, ENFORCE_SIGNOFF_KEY))


def set_enforce_signoff_required(db: Database, required: bool) -> None:
    write_setting(db, ENFORCE_SIGNOFF_KEY, True if required else None)


def open_case(
    db: Database,
    pupil_id: int,
    on: date,
    decided_by: str,
    reason: str,
    stage: Stage = Stage.MONITOR,
    key_person: str = "",
    barriers: str = "",
) -> CaseInfo:
    """Open a case at `stage`; refused when the pupil already has an open case."""
    if get_case(db, pupil_id) is not None:
        raise CaseError("The pupil already has an open case: move its stage instead")
    change_stage(db, pupil_id, stage, on, decided_by, reason)
    if key_person or barriers:
        return update_case(db, pupil_id, key_person=key_person, barriers=barriers)
    info = get_case(db, pupil_id)
    assert info is not None
    return info


def update_case(
    db: Database,
    pupil_id: int,
    key_person: str | None = None,
    barriers: str | None = None,
    expected_version: int | None = None,
) -> CaseInfo:
    """Name the key person and record the barriers found (`expected_version`: as in
    change_stage)."""
    require_can_change("change a case")
    with db.session() as s:
        case = _open_case(s, pupil_id)
        if case is None:
            raise CaseError("The pupil has no open case")
        check_version(db, "case", case.id, case.version, expected_version)
        if key_person is not None:
            case.key_person = key_person.strip()
        if barriers is not None:
            case.barriers = barriers.strip()
        with conflicts(db, "case", case.id):
            s.flush()
        return _info(case)
