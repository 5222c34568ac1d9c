"""Cases, stage moves and the Enforce gate, timeline events with revisions, tasks, penalties."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from casework_school import DAY, build_school

from attendance_desk.domain.casework import EnforceGateError, StageMoveError
from attendance_desk.domain.events import (
    AttendanceContract,
    EventDetailsError,
    IllnessPlan,
    Meeting,
    Note,
    NoticeToImprove,
    PartTimeTimetableDetails,
    PenaltyNotice,
)
from attendance_desk.domain.pathway import Stage
from attendance_desk.domain.penalty import PenaltyCapReached
from attendance_desk.domain.tasks import TaskKind
from attendance_desk.services.cases import (
    CaseError,
    case_contexts,
    case_history,
    change_stage,
    get_case,
    open_case,
    update_case,
)
from attendance_desk.services.tasks import caseload, pupil_tasks, set_task_done
from attendance_desk.services.timeline import (
    STAGE_CHANGE,
    add_event,
    edit_event,
    event_revisions,
    penalty_decision,
    timeline,
)
from attendance_desk.storage.db import Database


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


WHY = "Ten days of holiday booked in term time, agreed with the LA before the register"


@pytest.fixture
def school(db) -> dict[str, int]:  # noqa: ANN001
    return build_school(db)


def test_open_move_and_close_a_case_with_its_history(db, school) -> None:  # noqa: ANN001
    ava = school["ava"]
    case = open_case(db, ava, date(2024, 9, 20), "Ms Ellis", "Below 96%", key_person="Mrs Hughes")
    assert (case.stage, case.key_person, case.opened_on) == (
        Stage.MONITOR,
        "Mrs Hughes",
        date(2024, 9, 20),
    )
    with pytest.raises(CaseError, match="already has an open case"):
        open_case(db, ava, date(2024, 9, 21), "Ms Ellis", "again")
    change_stage(
        db, ava, Stage.LISTEN_AND_UNDERSTAND, date(2024, 9, 27), "Ms Ellis", "Phone call made"
    )
    update_case(db, ava, barriers="Young carer")
    case = change_stage(db, ava, Stage.CLOSED, date(2024, 10, 4), "Head", "Attendance recovered")
    assert case.closed_on == date(2024, 10, 4) and get_case(db, ava) is None
    assert [(h.from_stage, h.to_stage, h.decided_by) for h in case.history] == [
        (None, Stage.MONITOR, "Ms Ellis"),
        (Stage.MONITOR, Stage.LISTEN_AND_UNDERSTAND, "Ms Ellis"),
        (Stage.LISTEN_AND_UNDERSTAND, Stage.CLOSED, "Head"),
    ]
    again = open_case(db, ava, date(2024, 10, 7), "Ms Ellis", "Absent again")
    assert again.case_id != case.case_id and len(case_history(db, ava)) == 2
    entries = timeline(db, ava, kinds=[STAGE_CHANGE])
    assert [e.stage for e in entries][:2] == [Stage.MONITOR, Stage.CLOSED]  # newest first


def test_the_database_allows_one_open_case_per_pupil(db, school) -> None:  # noqa: ANN001
    open_case(db, school["ava"], date(2024, 9, 20), "Ms Ellis", "Below 96%")
    conn = db.raw_connection()
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO cases (pupil_id, stage, stage_started, key_person, barriers, opened_on, "
            "opened_by, created_at) VALUES (?, 'monitor', '2024-09-21', '', '', '2024-09-21', '', '2024-09-21')",
            (school["ava"],),
        )
    conn.close()


def test_a_move_needs_who_and_why(db, school) -> None:  # noqa: ANN001
    with pytest.raises(StageMoveError):
        change_stage(db, school["ava"], Stage.MONITOR, DAY, "", "why")
    with pytest.raises(StageMoveError):
        change_stage(db, school["ava"], Stage.MONITOR, DAY, "Ms Ellis", "  ")


def test_enforce_gate_refuses_without_support_on_record(db, school) -> None:  # noqa: ANN001
    open_case(db, school["ava"], date(2024, 9, 20), "Ms Ellis", "Below 96%")
    with pytest.raises(EnforceGateError, match="support"):
        change_stage(db, school["ava"], Stage.ENFORCE, DAY, "Head", "10 unauthorised sessions")
    assert get_case(db, school["ava"]).stage is Stage.MONITOR


def test_enforce_gate_accepts_a_reason_support_was_not_appropriate(db, school) -> None:  # noqa: ANN001
    open_case(db, school["ava"], date(2024, 9, 20), "Ms Ellis", "Below 96%")
    case = change_stage(
        db,
        school["ava"],
        Stage.ENFORCE,
        DAY,
        "Head",
        "Term-time holiday",
        support_not_appropriate="Unauthorised holiday; the family named no barrier to attendance",
        support_considered=("Early Help Assessment offered",),
    )
    assert case.stage is Stage.ENFORCE
    assert case.history[-1].support_not_appropriate.startswith("Unauthorised holiday")
    assert case.history[-1].support_considered == ("Early Help Assessment offered",)
    (entry,) = timeline(db, school["ava"], kinds=[STAGE_CHANGE])[:1]
    assert "Support considered: Early Help Assessment offered" in entry.reason
    assert "not appropriate because: Unauthorised holiday; the family" in entry.reason


def test_enforce_gate_reads_the_support_on_record(db, school) -> None:  # noqa: ANN001
    ava = school["ava"]
    open_case(db, ava, date(2024, 9, 20), "Ms Ellis", "Below 96%")
    add_event(
        db,
        [ava],
        Meeting("informal", "09:00", "Office", ("Ms Ellis",), True, "Plan agreed"),
        date(2024, 9, 25),
        "Ms Ellis",
    )
    case = change_stage(db, ava, Stage.ENFORCE, DAY, "Head", "No improvement")
    assert (
        "25/09/2024: Informal meeting, 09:00, at Office: attended"
        in case.history[-1].support_offered
    )


def test_an_event_for_a_family_shows_on_each_timeline(db, school) -> None:  # noqa: ANN001
    entry = add_event(
        db, [school["ava"], school["ben"]], Note("Family meeting booked"), DAY, "Ms Ellis"
    )
    assert entry.pupil_ids == tuple(sorted((school["ava"], school["ben"])))
    assert timeline(db, school["ben"])[0].summary == "Family meeting booked"
    assert timeline(db, school["lucja"]) == ()


def test_editing_an_event_keeps_the_earlier_version(db, school) -> None:  # noqa: ANN001
    entry = add_event(db, [school["ava"]], Note("Mum rang: car broke down"), DAY, "Ms Ellis")
    edited = edit_event(
        db, entry.event_id, Note("Mum rang: bus late"), DAY, "Mr Hawkins", "wrong reason typed"
    )
    assert edited.revision == 2 and edited.edited and edited.summary == "Mum rang: bus late"
    (old,) = event_revisions(db, entry.event_id)
    assert (old.revision, old.summary, old.replaced_by, old.edit_reason) == (
        1,
        "Mum rang: car broke down",
        "Mr Hawkins",
        "wrong reason typed",
    )


def test_invalid_details_are_refused(db, school) -> None:  # noqa: ANN001
    with pytest.raises(EventDetailsError):
        add_event(db, [school["ava"]], AttendanceContract(None, "terms"), DAY)
    with pytest.raises(EventDetailsError, match="3 to 6"):
        add_event(db, [school["ava"]], NoticeToImprove(DAY, period_weeks=8), DAY)


def test_events_make_tasks_and_the_caseload_buckets_them(db, school) -> None:  # noqa: ANN001
    ava, ben = school["ava"], school["ben"]
    add_event(db, [ava], IllnessPlan(date(2024, 9, 2)), date(2024, 9, 2))  # review 14 Oct
    add_event(db, [ava], Meeting("fam", attended=False), date(2024, 10, 4))  # rearrange by 9 Oct
    add_event(
        db,
        [ben],
        AttendanceContract(date(2024, 10, 1), "terms", (date(2024, 10, 11), date(2024, 11, 8))),
        date(2024, 10, 1),
    )
    tasks = {(t.kind, t.due) for t in pupil_tasks(db, ava)}
    assert tasks == {
        (TaskKind.SIX_WEEK_REVIEW, date(2024, 10, 14)),
        (TaskKind.REARRANGE_MEETING, date(2024, 10, 9)),
    }
    load = caseload(db, DAY)  # Wed 9 Oct
    assert [t.kind for t in load.due_today] == [TaskKind.REARRANGE_MEETING]
    assert [t.due for t in load.this_week] == [date(2024, 10, 11)]
    assert load.overdue == ()
    done = set_task_done(db, load.due_today[0].task_id, True, DAY, "Ms Ellis")
    assert done.done and caseload(db, DAY).due_today == ()


def test_an_n_older_than_5_school_days_becomes_a_task(db, school) -> None:  # noqa: ANN001
    # Ava's N of Tue 8 Oct: 5 school days after it end Tue 15 Oct; on Wed 16 it is older.
    db2 = db
    assert [
        t for t in caseload(db2, date(2024, 10, 15)).due_today if t.kind is TaskKind.UNRESOLVED_N
    ] == []
    load = caseload(db2, date(2024, 10, 16))
    n_tasks = [t for t in load.due_today if t.kind is TaskKind.UNRESOLVED_N]
    assert {(t.pupil_id, t.title[:27]) for t in n_tasks} == {
        (school["ava"], "Replace the N of 08/10/2024")
    }
    assert len(n_tasks) == 2  # AM and PM


def test_the_n_task_follows_the_schools_setting(db, school) -> None:  # noqa: ANN001
    # The school allows 7 school days: Ava's N of Tue 8 Oct is 5 school days old on Tue 15,
    # 7 on Thu 17 and more than 7 on Fri 18 Oct, the day the unresolved_n concern appears too.
    from attendance_desk.services.policy import get_policy, save_policy

    save_policy(db, get_policy(db).with_thresholds(unresolved_n_school_days=7))

    def n_tasks(day: date) -> list:
        return [t for t in caseload(db, day).due_today if t.kind is TaskKind.UNRESOLVED_N]

    assert n_tasks(date(2024, 10, 16)) == []
    assert n_tasks(date(2024, 10, 17)) == []
    assert len(n_tasks(date(2024, 10, 18))) == 2  # AM and PM


def test_a_notice_to_improve_ends_after_its_school_weeks(db, school) -> None:  # noqa: ANN001
    # Issued Wed 9 Oct, 3 school weeks: weeks of 7, 14, 21 Oct; half term follows, so it ends Fri 25 Oct.
    entry = add_event(db, [school["ava"]], NoticeToImprove(DAY, 3, target="95%"), DAY)
    assert entry.details.period_end == date(2024, 10, 25)
    assert [t.due for t in pupil_tasks(db, school["ava"])] == [date(2024, 10, 25)]


def test_penalty_notices_amounts_and_cap(db, school) -> None:  # noqa: ANN001
    ava = school["ava"]
    first = add_event(
        db,
        [ava],
        PenaltyNotice(
            "Mrs Sarah Brown",
            date(2024, 9, 10),
            status="paid",
            paid_on=date(2024, 9, 20),
            below_threshold_reason=WHY,
        ),
        date(2024, 9, 10),
    )
    assert first.details.amount == 80
    second = add_event(
        db,
        [ava],
        PenaltyNotice("Mrs Sarah Brown", date(2024, 10, 1), below_threshold_reason=WHY),
        date(2024, 10, 1),
    )
    assert second.details.amount == 160
    decision = penalty_decision(db, ava, "Mrs Sarah Brown", DAY)
    assert not decision.allowed and decision.next_steps
    with pytest.raises(PenaltyCapReached):
        add_event(db, [ava], PenaltyNotice("Mrs Sarah Brown", DAY, below_threshold_reason=WHY), DAY)
    assert penalty_decision(db, ava, "Mr Tom Brown", DAY).allowed
    edit_event(
        db,
        second.event_id,
        PenaltyNotice("Mrs Sarah Brown", date(2024, 10, 1), status="withdrawn"),
        date(2024, 10, 1),
    )
    third = add_event(
        db, [ava], PenaltyNotice("Mrs Sarah Brown", DAY, below_threshold_reason=WHY), DAY
    )
    assert third.details.amount == 160  # a second counting notice


def test_case_contexts_feed_the_rules(db, school) -> None:  # noqa: ANN001
    ava, ben = school["ava"], school["ben"]
    change_stage(db, ava, Stage.SUPPORT_TIER_2, date(2024, 9, 9), "Ms Ellis", "Illness")
    add_event(db, [ava], IllnessPlan(date(2024, 9, 9)), date(2024, 9, 9))
    change_stage(db, ava, Stage.FORMALISE, date(2024, 10, 21), "Head", "No improvement")
    add_event(db, [ben], AttendanceContract(date(2024, 10, 1), "terms"), date(2024, 10, 1))
    add_event(
        db,
        [ben],
        PartTimeTimetableDetails(
            date(2024, 10, 2), date(2024, 10, 25), "AM", (date(2024, 10, 16),)
        ),
        date(2024, 10, 2),
    )
    ctx = case_contexts(db, DAY)
    a = ctx[ava]
    assert (a.stage, a.stage_started) == (
        Stage.SUPPORT_TIER_2,
        date(2024, 9, 9),
    )  # Formalise is later
    assert a.illness_plans_started == (date(2024, 9, 9),)
    assert a.support_ended is None  # the 6-week review (21 Oct) is after 9 Oct
    assert ctx[ben].contracts_signed == (date(2024, 10, 1),) and ctx[ben].stage is None
    assert ctx[ben].part_time_timetables[0].review_dates == (date(2024, 10, 16),)
    later = case_contexts(db, date(2024, 10, 22))
    assert (later[ava].stage, later[ava].stage_started) == (Stage.FORMALISE, date(2024, 10, 21))
    next_year = case_contexts(db, date(2025, 9, 10))
    assert next_year[ava].open_case_at_previous_year_end
    assert next_year[school["lucja"]].previous_year_attendance is not None


def test_the_illness_plan_review_follows_the_policys_weeks(db, school) -> None:  # noqa: ANN001
    """A school that sets 8 weeks gets the review task, "support ended" and the concern at 8."""
    from attendance_desk.services.policy import get_policy, save_policy

    save_policy(db, get_policy(db).with_thresholds(medical_review_weeks=8))
    ava = school["ava"]
    change_stage(db, ava, Stage.SUPPORT_TIER_2, date(2024, 9, 2), "Ms Ellis", "Illness")
    add_event(db, [ava], IllnessPlan(date(2024, 9, 2)), date(2024, 9, 2))
    # Mon 2 Sep + 8 weeks = Mon 28 Oct (6 weeks would be Mon 14 Oct)
    [task] = pupil_tasks(db, ava)
    assert (task.kind, task.due, task.title) == (
        TaskKind.SIX_WEEK_REVIEW, date(2024, 10, 28), "8-week review of the action plan",
    )  # fmt: skip
    assert case_contexts(db, date(2024, 10, 27))[ava].support_ended is None
    assert case_contexts(db, date(2024, 10, 28))[ava].support_ended == date(2024, 10, 28)
