"""Tasks and the caseload: overdue, due today, this week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, select, text
from sqlalchemy.orm import Session

from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.domain.codes import UNRESOLVED_CODE
from attendance_desk.domain.dates import numeric
from attendance_desk.domain.tasks import TaskKind, bucket_of, unresolved_n_due
from attendance_desk.errors import UserError
from attendance_desk.services.staff import can_change, list_staff, require_can_change
from attendance_desk.services.versions import check_version, conflicts
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark, Pupil
from attendance_desk.storage.models.cases import Task
from attendance_desk.storage.trust import this_school


@dataclass(frozen=True)
class TaskInfo:
    task_id: int
    pupil_id: int
    pupil_name: str
    reg_group: str
    kind: TaskKind
    title: str
    due: date
    done_on: date | None
    done_by: str
    event_id: int | None
    owner: str = ""
    outcome: str = ""
    version: int = 1  # what an edit names (services/versions.py)

    @property
    def done(self) -> bool:
        return self.done_on is not None


@dataclass(frozen=True)
class Caseload:
    today: date
    overdue: tuple[TaskInfo, ...]
    due_today: tuple[TaskInfo, ...]
    this_week: tuple[TaskInfo, ...]
    later: tuple[TaskInfo, ...] = ()


def _info(task: Task, pupil: Pupil) -> TaskInfo:
    return TaskInfo(
        task.id,
        task.pupil_id,
        f"{pupil.forename} {pupil.surname}",
        pupil.reg_group or "",
        TaskKind(task.kind) if task.kind in TaskKind._value2member_map_ else TaskKind.OTHER,
        task.title,
        task.due,
        task.done_on,
        task.done_by,
        task.event_id,
        task.owner,
        task.outcome,
        task.version,
    )


def _query(s: Session, *where: ColumnElement[bool]) -> list[TaskInfo]:
    rows = s.execute(
        select(Task, Pupil)
        .join(Pupil, Pupil.id == Task.pupil_id)
        .where(*where)
        .order_by(Task.due, Task.id)
    ).all()
    return [_info(t, p) for t, p in rows]


def sync_unresolved_n_tasks(db: Database, as_of: date) -> int:
    """A task for each `N` older than 5 school days; tasks whose `N` was replaced are done.

    The `N`s read are those the unresolved_n rule reads: from 1 September of the previous
    academic year to the date (services/monitoring/loading.py), each pupil's range of the
    marks' key, so the cost follows the two years, never the years of history kept. An open
    task for an older `N` is looked up by its key: it stays open until that `N` is replaced.

    Returns how many tasks were added: none looking at all of a trust's schools (each school's
    wait for someone working on it).
    """
    if db.for_all_schools():
        return 0
    from attendance_desk.services.calendar import get_calendar
    from attendance_desk.services.policy import get_policy

    year = AcademicYear.containing(as_of)
    since = year.previous.start
    calendar = get_calendar(db, since=since, until=year.end)
    limit = get_policy(db).thresholds.unresolved_n_school_days  # as the unresolved_n rule
    added = 0
    with db.session() as s:
        # the school worked for: a new task is its row (in a trust's database the owner, or
        # a member of staff working in all their schools, also sees other schools' marks)
        school = 1  # a SQLite file's (storage/trust.py); on a server the one worked for
        if db.backend == "postgresql":
            school = int(s.scalar(text("SELECT attendance_desk_school()")) or 1)
        marks = s.execute(unresolved_n_marks(school, since, as_of)).all()
        n_tasks = s.scalars(
            select(Task).where(
                Task.kind == TaskKind.UNRESOLVED_N.value, text(this_school(db.backend, "tasks"))
            )
        ).all()
        existing = {t.source_key for t in n_tasks}
        open_n: dict[str | None, Task] = {t.source_key: t for t in n_tasks if t.done_on is None}
        current: set[str] = set()
        for pupil_id, day, session in marks:
            key = _n_key(pupil_id, day, session)
            current.add(key)
            if key in existing:
                continue
            due = unresolved_n_due(day, calendar.next_school_day, limit)
            if due is None or due > as_of:
                continue
            s.add(
                Task(
                    pupil_id=pupil_id,
                    kind=TaskKind.UNRESOLVED_N.value,
                    title=f"Replace the N of {numeric(day)} {session} with a real code",
                    due=due,
                    source_key=key,
                )
            )
            added += 1
        for source_key, task in open_n.items():
            if source_key in current:
                continue
            older = _n_before(source_key, since)
            if older is not None:  # before the marks read: its own mark says
                mark = s.get(Mark, older)
                if mark is not None and mark.code == UNRESOLVED_CODE:
                    continue
            task.done_on, task.done_by = as_of, "register"
            task.outcome = "The N was replaced by a real code"
    return added


def unresolved_n_marks(school: int, since: date, as_of: date) -> Select[int, date, str]:
    """The `N` marks of `school` from `since` to `as_of`: (pupil, date, session). SQLite walks
    each pupil's range of the marks' primary key (pupil_id, date, session), never every mark
    (tests/services/test_history.py checks the plan). The school is a number, not PostgreSQL's
    attendance_desk_school() (storage/trust.py): given the function, the planner walked the
    whole index of the marks' school instead of scanning them (7 years of a school: 73 ms
    against 47)."""
    return select(Mark.pupil_id, Mark.date, Mark.session).where(
        Mark.pupil_id.in_(select(Pupil.id)),
        Mark.date >= since,
        Mark.date <= as_of,
        Mark.code == UNRESOLVED_CODE,
        text("marks.school_id = :school").bindparams(school=school),
    )


def _n_key(pupil_id: int, day: date, session: str) -> str:
    return f"n:{pupil_id}:{day.isoformat()}:{session}"


def _n_before(source_key: str | None, since: date) -> tuple[int, date, str] | None:
    """The mark (pupil, date, session) of an unresolved-N task's key when it is before `since`;
    None when it is not (or the key is not one of ours)."""
    parts = (source_key or "").split(":")
    if len(parts) != 4 or parts[0] != "n":
        return None
    try:
        pupil_id, day = int(parts[1]), date.fromisoformat(parts[2])
    except ValueError:
        return None
    return (pupil_id, day, parts[3]) if day < since else None


def caseload(db: Database, today: date, refresh: bool = True) -> Caseload:
    """Open tasks overdue, due today, due later this week (to Sunday) and later. With
    `refresh`, the register's tasks are brought up to date first: old `N` codes, and children
    missing education (services/cme.py); not where nothing may be written (a database opened
    read-only beside the window that has it, a class teacher who may only look): the tasks
    are then those last brought up to date."""
    if refresh and can_change(db):
        from attendance_desk.services.cme import sync_cme_tasks

        sync_unresolved_n_tasks(db, today)
        sync_cme_tasks(db, today)
    with db.session() as s:
        tasks = _query(s, Task.done_on.is_(None))
    groups: dict[str, list[TaskInfo]] = {
        "overdue": [],
        "due_today": [],
        "this_week": [],
        "later": [],
    }
    for t in tasks:
        groups[bucket_of(t.due, today)].append(t)
    return Caseload(
        today,
        tuple(groups["overdue"]),
        tuple(groups["due_today"]),
        tuple(groups["this_week"]),
        tuple(groups["later"]),
    )


def pupil_tasks(db: Database, pupil_id: int, include_done: bool = True) -> tuple[TaskInfo, ...]:
    with db.session() as s:
        where = [Task.pupil_id == pupil_id]
        if not include_done:
            where.append(Task.done_on.is_(None))
        return tuple(_query(s, *where))


def set_task_done(
    db: Database,
    task_id: int,
    done: bool,
    on: date,
    by: str = "",
    outcome: str = "",
    expected_version: int | None = None,
) -> TaskInfo:
    """Tick a task off with its outcome (or back on); done tasks stay in the history.
    `expected_version`: the version the user saw (EditConflictError when it moved on)."""
    require_can_change("tick off tasks")
    with db.session() as s:
        task = s.get(Task, task_id)
        if task is None:
            raise UserError(f"There is no task {task_id}")
        check_version(db, "task", task.id, task.version, expected_version)
        task.done_on = on if done else None
        task.done_by = by.strip() if done else ""
        task.outcome = outcome.strip() if done else ""
        with conflicts(db, "task", task.id):
            s.flush()
        return _info(task, s.get(Pupil, task.pupil_id))  # type: ignore[arg-type]


def assign_task(db: Database, task_id: int, owner: str, due: date, today: date) -> TaskInfo:
    """Give an open task to a named member of staff (or hand it on), due on `due`. The owner
    must be on the staff list (when the school keeps one) and able to act on it: a class
    teacher may look but not change, so cannot be given a task."""
    require_can_change("assign tasks")
    owner = " ".join(owner.split())
    if not owner:
        raise UserError("Choose the member of staff the task is for")
    staff = {m.name: m for m in list_staff(db)}
    if staff:
        member = staff.get(owner)
        if member is None:
            raise UserError(f"{owner} is not on the staff list (Settings, Staff)")
        if not member.role.may_change:
            raise UserError(
                f"{owner} is a class teacher, who can look but not change: give the task to "
                "someone who can act on it"
            )
    if due < today:
        raise UserError(f"The due date {numeric(due)} has passed: choose today or later")
    with db.session() as s:
        task = s.get(Task, task_id)
        if task is None:
            raise UserError(f"There is no task {task_id}")
        if task.done_on is not None:
            raise UserError("The task is done: tick it back on before giving it to someone")
        task.owner, task.due = owner, due
        with conflicts(db, "task", task.id):
            s.flush()
        return _info(task, s.get(Pupil, task.pupil_id))  # type: ignore[arg-type]


def add_task(
    db: Database,
    pupil_id: int,
    title: str,
    due: date,
    kind: TaskKind = TaskKind.OTHER,
    owner: str = "",
) -> TaskInfo:
    require_can_change("add tasks")
    if not title.strip():
        raise UserError("A task needs a title")
    with db.session() as s:
        pupil = s.get(Pupil, pupil_id)
        if pupil is None:
            raise UserError(f"There is no pupil with id {pupil_id}")
        task = Task(
            pupil_id=pupil_id, kind=kind.value, title=title.strip(), due=due, owner=owner.strip()
        )
        s.add(task)
        s.flush()
        return _info(task, pupil)


def task_history(db: Database, pupil_id: int | None = None) -> tuple[TaskInfo, ...]:
    """Done tasks, newest first, with who or what closed them and the outcome."""
    with db.session() as s:
        where: list[ColumnElement[bool]] = [Task.done_on.is_not(None)]
        if pupil_id is not None:
            where.append(Task.pupil_id == pupil_id)
        return tuple(sorted(_query(s, *where), key=lambda t: (t.done_on, t.task_id), reverse=True))
