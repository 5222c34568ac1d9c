"""Cases on the support-first pathway: opening, moving stage (with the Enforce gate), key person,
barriers, families, and the CaseContext each pupil's case-based rules read."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.domain.casework import SupportItem, check_move, stage_support
from attendance_desk.domain.events import (
    SUPPORT_KINDS,
    AttendanceContract,
    EventKind,
    IllnessPlan,
    Meeting,
    PartTimeTimetableDetails,
    Referral,
    details_from_dict,
    reached_family,
    summarise,
)
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.pathway import (
    SUPPORT_STAGES,
    CaseContext,
    FamilyContact,
    PartTimeTimetable,
    Stage,
)
from attendance_desk.domain.tasks import default_illness_review
from attendance_desk.errors import UserError
from attendance_desk.services.policy import get_policy
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


# -- what the case-based rules read ---------------------------------------------------------------


def case_contexts(db: Database, as_of: date, pupil_id: int | None = None) -> dict[int, CaseContext]:
    """Each pupil's CaseContext as of `as_of`: stage, contracts, plans, timetables, last year.
    With `pupil_id`, only that pupil's (a pupil's page need not read the whole school)."""
    prev_year = AcademicYear.containing(as_of).previous
    weeks = get_policy(db).thresholds.medical_review_weeks  # a Frequent Illness plan's review
    with db.session() as s:
        case_query = select(Case).where(Case.opened_on <= as_of).options(_WITH_MOVES)
        event_query = (
            select(EventPupil.pupil_id, TimelineEvent.kind, TimelineEvent.details_json)
            .join(TimelineEvent, EventPupil.event_id == TimelineEvent.id)
            .where(
                TimelineEvent.kind.in_(
                    [
                        EventKind.ATTENDANCE_CONTRACT.value,
                        EventKind.ILLNESS_PLAN.value,
                        EventKind.PART_TIME_TIMETABLE.value,
                    ]
                )
            )
        )
        if pupil_id is not None:
            case_query = case_query.where(Case.pupil_id == pupil_id)
            event_query = event_query.where(EventPupil.pupil_id == pupil_id)
        cases = s.scalars(case_query).all()
        events = s.execute(event_query).all()
        last_year = _year_counts(s, prev_year, pupil_id)
        contacts = _family_contacts(s, prev_year.start, as_of, pupil_id)
        pupil_query = select(Pupil.id)
        if pupil_id is not None:
            pupil_query = pupil_query.where(Pupil.id == pupil_id)
        every_pupil = set(s.scalars(pupil_query))
        stage_rows: dict[int, list[tuple[date, Stage]]] = defaultdict(list)
        open_at_year_end: set[int] = set()
        current: dict[int, tuple[Stage, date]] = {}
        for case in cases:
            moves = [(c.date, Stage(c.to_stage)) for c in case.stage_changes if c.date <= as_of]
            stage_rows[case.pupil_id].extend(moves)
            if moves and moves[-1][1] is not Stage.CLOSED:
                current[case.pupil_id] = (moves[-1][1], moves[-1][0])
            at_end = [m for m in case.stage_changes if m.date <= prev_year.end]
            if at_end and at_end[-1].to_stage != Stage.CLOSED.value:
                open_at_year_end.add(case.pupil_id)

    contracts: dict[int, list[date]] = defaultdict(list)
    plans: dict[int, list[date]] = defaultdict(list)
    plan_reviews: dict[int, list[date]] = defaultdict(list)
    timetables: dict[int, list[PartTimeTimetable]] = defaultdict(list)
    for owner, kind, details_json in events:
        details = details_from_dict(kind, json.loads(details_json))
        if isinstance(details, AttendanceContract) and details.signed and details.signed <= as_of:
            contracts[owner].append(details.signed)
        elif isinstance(details, IllnessPlan) and details.started and details.started <= as_of:
            plans[owner].append(details.started)
            review = details.review_date or default_illness_review(details.started, weeks)
            plan_reviews[owner].append(review)
        elif (
            isinstance(details, PartTimeTimetableDetails)
            and details.start
            and details.start <= as_of
        ):
            timetables[owner].append(
                PartTimeTimetable(details.start, details.end, tuple(sorted(details.review_dates)))
            )

    pupils = set(stage_rows) | set(contracts) | set(plans) | set(timetables) | set(last_year)
    pupils |= every_pupil  # each has its family contacts (children missing education)
    out: dict[int, CaseContext] = {}
    for pid in pupils:
        stage, started = current.get(pid, (None, None))
        support_ended = None
        if stage in SUPPORT_STAGES and started is not None:
            ended = [r for r in plan_reviews.get(pid, []) if started <= r <= as_of]
            support_ended = max(ended) if ended else None
        out[pid] = CaseContext(
            pupil_id=pid,
            stage=stage,
            stage_started=started,
            contracts_signed=tuple(sorted(contracts.get(pid, []))),
            illness_plans_started=tuple(sorted(plans.get(pid, []))),
            part_time_timetables=tuple(sorted(timetables.get(pid, []), key=lambda t: t.start)),
            open_case_at_previous_year_end=pid in open_at_year_end,
            previous_year_attendance=last_year.get(pid),
            history=tuple(sorted(stage_rows.get(pid, []), key=lambda m: m[0])),
            support_ended=support_ended,
            family_contacts=tuple(contacts.get(pid, ())),
        )
    return out


# Events that are a try to reach the family (children missing education's record of attempts).
ATTEMPT_KINDS = (
    EventKind.PHONE_CALL.value,
    EventKind.HOME_VISIT.value,
    EventKind.MEETING.value,
    EventKind.LETTER_SENT.value,
)


def _family_contacts(
    s: Session, start: date, as_of: date, pupil_id: int | None = None
) -> dict[int, list[FamilyContact]]:
    """Each pupil's calls, meetings, visits and letters dated start..as_of, oldest first."""
    query = (
        select(
            EventPupil.pupil_id,
            TimelineEvent.date,
            TimelineEvent.kind,
            TimelineEvent.summary,
            TimelineEvent.details_json,
        )
        .join(TimelineEvent, EventPupil.event_id == TimelineEvent.id)
        .where(
            TimelineEvent.kind.in_(ATTEMPT_KINDS),
            TimelineEvent.date >= start,
            TimelineEvent.date <= as_of,
        )
        .order_by(TimelineEvent.date, TimelineEvent.id)
    )
    if pupil_id is not None:
        query = query.where(EventPupil.pupil_id == pupil_id)
    out: dict[int, list[FamilyContact]] = defaultdict(list)
    for pid, day, kind, summary, details_json in s.execute(query):
        reached = kind != EventKind.LETTER_SENT.value and reached_family(
            details_from_dict(kind, json.loads(details_json))
        )
        out[pid].append(FamilyContact(day, summary, reached))
    return out


# One row per pupil with the year's codes joined by a control character no code holds
# (counted in Python): grouping by pupil AND
# code would make SQLite sort every mark of the year in a temporary B-tree (2.5x slower).
_YEAR_COUNTS_SQL = """
SELECT p.id, group_concat(m.code, :sep)
FROM pupils p CROSS JOIN marks m
WHERE m.pupil_id = p.id AND m.date >= :start AND m.date <= :end{pupil}
  AND (p.admission_date IS NULL OR m.date >= p.admission_date)
  AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
GROUP BY p.id
"""


def _year_counts(
    s: Session, year: AcademicYear, pupil_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """(attended, possible) per pupil over an academic year, counting sessions while on roll.

    Read as one row per pupil (its codes joined), counted in Python: a year of marks for 2,000
    pupils is 800,000 rows, seconds as ORM rows. CROSS JOIN keeps SQLite walking each pupil's marks
    along the primary key (pupil, date) rather than the date index, which is 4x slower.
    """
    params: dict[str, object] = {
        "start": year.start.isoformat(),
        "end": year.end.isoformat(),
        "sep": "\x1f",
    }
    if pupil_id is not None:
        params["pupil"] = pupil_id
    sql = _YEAR_COUNTS_SQL.format(pupil="" if pupil_id is None else " AND p.id = :pupil")
    rows = s.execute(text(sql), params).all()
    out: dict[int, tuple[int, int]] = {}
    for pid, codes in rows:
        fig = Figures.from_code_counts(Counter(codes.split("\x1f")))
        if fig.possible:
            out[pid] = (fig.attended, fig.possible)
    return out
