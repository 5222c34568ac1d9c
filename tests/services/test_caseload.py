"""The caseload of open cases, and tasks that close themselves when what they wait for happens,
worked by hand on the casework school (Autumn 1 2024, DAY = Wed 9 Oct)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from casework_school import DAY, build_school

from attendance_desk.domain.events import (
    AttendanceContract,
    Meeting,
    PhoneCall,
)
from attendance_desk.domain.pathway import Stage
from attendance_desk.domain.tasks import TaskKind
from attendance_desk.services.caseload import open_case_rows, set_case_owner
from attendance_desk.services.cases import change_stage
from attendance_desk.services.tasks import (
    add_task,
    caseload,
    pupil_tasks,
    set_task_done,
    task_history,
)
from attendance_desk.services.timeline import AUTOMATIC, add_event, edit_event
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


@pytest.fixture
def school(db) -> dict[str, int]:  # noqa: ANN001
    return build_school(db)


def test_next_review_is_the_earliest_open_review_when_the_case_sets_none(db, school) -> None:  # noqa: ANN001
    dan = school["dan"]
    change_stage(db, dan, Stage.FORMALISE, date(2024, 9, 23), "Mr Hawkins", "No change")
    contract = AttendanceContract(
        date(2024, 9, 23), "terms", (date(2024, 10, 21), date(2024, 10, 7))
    )
    add_event(db, [dan], contract, date(2024, 9, 23))
    [row] = [r for r in open_case_rows(db, DAY) if r.pupil_id == dan]
    assert row.next_review == date(2024, 10, 7)  # overdue on 9 Oct, and shown
    [first] = [t for t in _open(db, dan) if t.due == date(2024, 10, 7)]
    set_task_done(db, first.task_id, True, date(2024, 10, 8), outcome="reviewed with Mum")
    [row] = [r for r in open_case_rows(db, DAY) if r.pupil_id == dan]
    assert row.next_review == date(2024, 10, 21)
    set_case_owner(db, dan, next_review=date(2024, 10, 14))  # a date the officer chose wins
    [row] = [r for r in open_case_rows(db, DAY) if r.pupil_id == dan]
    assert row.next_review == date(2024, 10, 14)


def _open(db, pid: int) -> list:  # noqa: ANN001
    return [t for t in pupil_tasks(db, pid) if not t.done]


def test_open_cases_with_stage_days_owner_contact_and_attendance(db, school) -> None:  # noqa: ANN001
    ava, dan = school["ava"], school["dan"]
    change_stage(db, ava, Stage.MONITOR, date(2024, 9, 20), "Ms Ellis", "Below 96%")
    change_stage(db, dan, Stage.MONITOR, date(2024, 9, 23), "Mr Hawkins", "Below 96%")
    change_stage(db, dan, Stage.FORMALISE, date(2024, 10, 2), "Mr Hawkins", "No change")
    set_case_owner(db, ava, next_review=date(2024, 10, 18))
    add_event(db, [ava], PhoneCall("Mrs Brown", outcome="spoke"), date(2024, 9, 25))
    add_event(db, [ava], Meeting("informal", "09:00", "Office"), date(2024, 10, 16))  # planned
    rows = {r.pupil_id: r for r in open_case_rows(db, DAY)}
    a, d = rows[ava], rows[dan]
    assert (a.stage, a.days_at_stage, a.owner, a.next_review) == (
        Stage.MONITOR,
        19,  # 20 Sep to 9 Oct
        "Ms Ellis",
        date(2024, 10, 18),
    )
    assert a.last_contact == date(2024, 9, 25)  # the planned meeting of 16 Oct is not contact
    # Ava: 28 school days from 2 Sep to 9 Oct, N N on 8 and 9 Oct: 52 of 56
    assert a.attendance == Fraction(52, 56)
    # Dan: / N on 9 Oct: 55 of 56
    assert (d.stage, d.days_at_stage, d.owner, d.attendance) == (
        Stage.FORMALISE,
        7,
        "Mr Hawkins",
        Fraction(55, 56),
    )
    assert [r.stage for r in open_case_rows(db, DAY)] == [Stage.MONITOR, Stage.FORMALISE]
    # moved today (Thu 10 Oct) while the figures are as of the last register (Wed 9 Oct):
    # at its stage 0 days, not -1
    change_stage(db, ava, Stage.LISTEN_AND_UNDERSTAND, date(2024, 10, 10), "Ms Ellis", "Calls")
    assert {r.pupil_id: r.days_at_stage for r in open_case_rows(db, DAY)}[ava] == 0


def test_a_missed_meeting_task_closes_when_a_meeting_is_attended(db, school) -> None:  # noqa: ANN001
    ava = school["ava"]
    add_event(db, [ava], Meeting("fam", attended=False), date(2024, 10, 4))  # rearrange by 9 Oct
    (task,) = _open(db, ava)
    assert task.kind is TaskKind.REARRANGE_MEETING
    # the rearranged meeting is planned first (not held yet): the task stays open
    planned = add_event(db, [ava], Meeting("fam", "09:15", "Office"), date(2024, 10, 11))
    assert [t.kind for t in _open(db, ava)] == [TaskKind.REARRANGE_MEETING]
    # recorded as attended: the task closes itself, with the outcome, and stays in the history
    edit_event(
        db, planned.event_id, Meeting("fam", "09:15", "Office", attended=True), date(2024, 10, 11)
    )
    assert _open(db, ava) == []
    (done,) = task_history(db, ava)
    assert (done.done_on, done.done_by, done.outcome) == (
        date(2024, 10, 11),
        AUTOMATIC,
        "Meeting held on 11/10/2024",
    )


def test_a_review_is_held_by_an_attended_meeting_up_to_a_week_before_it(db, school) -> None:  # noqa: ANN001
    ben = school["ben"]
    add_event(
        db,
        [ben],
        AttendanceContract(date(2024, 10, 1), "terms", (date(2024, 10, 18), date(2024, 10, 19))),
        date(2024, 10, 1),
    )
    # a meeting on Fri 11 Oct holds the review due 18 Oct (7 days on) but not the one due 19 Oct
    add_event(db, [ben], Meeting("informal", attended=True), date(2024, 10, 11))
    assert [t.due for t in _open(db, ben)] == [date(2024, 10, 19)]


def test_a_follow_up_call_closes_when_the_family_is_reached(db, school) -> None:  # noqa: ANN001
    ava = school["ava"]
    add_event(db, [ava], PhoneCall("Mrs Brown", outcome="no_answer", follow_up=True), DAY)
    add_event(db, [ava], PhoneCall("Mrs Brown", outcome="no_answer"), date(2024, 10, 10))
    assert len(_open(db, ava)) == 1  # not reached: still open
    add_event(db, [ava], PhoneCall("Mrs Brown", outcome="spoke"), date(2024, 10, 10))
    assert _open(db, ava) == []
    # a Friday morning's unanswered call, reached that afternoon: nothing to ring on Monday
    friday = date(2024, 10, 11)
    add_event(db, [ava], PhoneCall("Mrs Brown", outcome="no_answer", follow_up=True), friday)
    assert [t.due for t in _open(db, ava)] == [date(2024, 10, 14)]
    add_event(db, [ava], PhoneCall("Mrs Brown", outcome="spoke"), friday)
    assert _open(db, ava) == []


def test_an_n_task_closes_when_the_n_is_replaced(db, school) -> None:  # noqa: ANN001
    ava = school["ava"]
    load = caseload(db, date(2024, 10, 16))
    assert len([t for t in load.due_today if t.kind is TaskKind.UNRESOLVED_N]) == 2
    with db.session() as s:
        s.get(Mark, (ava, date(2024, 10, 8), "AM")).code = "I"
    load = caseload(db, date(2024, 10, 17))
    assert len([t for t in load.overdue if t.kind is TaskKind.UNRESOLVED_N]) == 1
    (done,) = [t for t in task_history(db, ava) if t.kind is TaskKind.UNRESOLVED_N]
    assert (done.done_by, done.outcome) == ("register", "The N was replaced by a real code")


def test_an_older_years_n_task_stays_open_until_its_n_is_replaced(db, school) -> None:  # noqa: ANN001
    """The Ns read each day are those the unresolved_n rule reads (from 1 September of the
    previous academic year); a task raised for an older N is still looked after."""
    from datetime import timedelta

    from attendance_desk.services.tasks import sync_unresolved_n_tasks

    ava = school["ava"]
    ns = {(date(2022, 10, 3), "AM"), (date(2022, 10, 4), "AM")}
    with db.session() as s:
        for k in range(12):  # two weeks of autumn 2022 (that year's days inferred from them)
            day = date(2022, 10, 3) + timedelta(days=k)
            if day.weekday() < 5:
                for session in ("AM", "PM"):
                    code = "N" if (day, session) in ns else "/"
                    s.add(Mark(pupil_id=ava, date=day, session=session, code=code))
    # on Fri 14 Oct 2022 both are more than 5 school days old
    assert sync_unresolved_n_tasks(db, date(2022, 10, 14)) == 2
    with db.session() as s:  # an N written later, on an old register, that no task has
        s.get(Mark, (ava, date(2022, 10, 5), "PM")).code = "N"

    load = caseload(db, date(2024, 10, 16))
    old = [t for t in load.overdue if t.kind is TaskKind.UNRESOLVED_N]
    assert [t.due for t in old] == [date(2022, 10, 11), date(2022, 10, 12)]  # still open
    assert len([t for t in load.due_today if t.kind is TaskKind.UNRESOLVED_N]) == 2
    # the N of 5 Oct 2022 is older than what the rule reads: no concern, and no task either
    assert not [t for t in pupil_tasks(db, ava) if "05/10/2022" in t.title]

    with db.session() as s:
        s.get(Mark, (ava, date(2022, 10, 3), "AM")).code = "O"
    load = caseload(db, date(2024, 10, 17))
    old = [t for t in load.overdue if t.kind is TaskKind.UNRESOLVED_N and t.due.year == 2022]
    assert [t.due for t in old] == [date(2022, 10, 12)]
    [done] = [t for t in task_history(db, ava) if t.done and t.due == date(2022, 10, 11)]
    assert (done.done_by, done.outcome) == ("register", "The N was replaced by a real code")


def test_tasks_later_than_this_week_with_owner_and_outcome(db, school) -> None:  # noqa: ANN001
    later = add_task(
        db, school["dan"], "Check the new routine", date(2024, 10, 21), owner="Mr Hawkins"
    )
    week = add_task(db, school["dan"], "Ring mum", date(2024, 10, 13))  # Sunday of DAY's week
    load = caseload(db, DAY)
    assert [t.task_id for t in load.this_week] == [week.task_id]
    assert [(t.task_id, t.owner) for t in load.later] == [(later.task_id, "Mr Hawkins")]
    set_task_done(db, week.task_id, True, DAY, "Ms Ellis", "Mum says the routine is working")
    assert task_history(db, school["dan"])[0].outcome == "Mum says the routine is working"
    assert caseload(db, DAY).this_week == ()


def test_a_task_is_given_to_a_named_member_of_staff(db) -> None:  # noqa: ANN001
    from attendance_desk.domain.staff import Role
    from attendance_desk.errors import UserError
    from attendance_desk.services.staff import add_staff
    from attendance_desk.services.tasks import assign_task

    ava = build_school(db)["ava"]
    task = add_task(db, ava, "Ring Mrs Brown", date(2024, 10, 8))
    # with no staff list kept, any name does
    assert assign_task(db, task.task_id, " Jo  Patel ", DAY, DAY).owner == "Jo Patel"
    add_staff(db, "Jo Patel", Role.ATTENDANCE_OFFICER)
    add_staff(db, "Ms Class", Role.CLASS_TEACHER)
    with pytest.raises(UserError, match="not on the staff list"):
        assign_task(db, task.task_id, "Someone Else", DAY, DAY)
    with pytest.raises(UserError, match="class teacher, who can look but not change"):
        assign_task(db, task.task_id, "Ms Class", DAY, DAY)
    with pytest.raises(UserError, match="has passed"):
        assign_task(db, task.task_id, "Jo Patel", date(2024, 10, 8), DAY)
    moved = assign_task(db, task.task_id, "Jo Patel", date(2024, 10, 18), DAY)
    assert (moved.owner, moved.due) == ("Jo Patel", date(2024, 10, 18))
    assert [t.task_id for t in caseload(db, DAY, refresh=False).later] == [task.task_id]
    set_task_done(db, task.task_id, True, DAY, "Jo Patel", "Spoke to her")
    with pytest.raises(UserError, match="The task is done"):
        assign_task(db, task.task_id, "Jo Patel", DAY, DAY)
