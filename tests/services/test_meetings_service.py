"""Meeting agendas and agreed actions over a real SQLite file (tests/meetings_school.py)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from meetings_school import WEEK_END, make_school  # noqa: E402

from attendance_desk.domain import concern as R  # noqa: E402
from attendance_desk.errors import UserError  # noqa: E402
from attendance_desk.services.meetings import (  # noqa: E402
    ActionInput,
    agenda,
    agreed_actions,
    meeting_choices,
    record_agreed_actions,
)
from attendance_desk.storage.db import Database  # noqa: E402


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


NEXT_WEEK = date(2025, 4, 4)


def names(paper: object) -> list[str]:
    return [p.name for p in paper.pupils]  # type: ignore[attr-defined]


def test_slt_agenda_holds_exactly_the_pupils_the_policy_sends(db: Database) -> None:
    make_school(db)
    slt = agenda(db, "slt", WEEK_END)
    # Fay: falling 80% -> 79% (Family Hub band); Dan: 90.00% (band edge); Hal: 10-session run.
    # Not: Gus (80% -> 80%, level), Ben (93.00%), Eve (89%, rising), Ivy (a run of 9).
    assert names(slt) == ["Fay Falling", "Dan Ninety", "Hal Run"]
    kinds = {p.name: p.reason_kinds for p in slt.pupils}
    assert kinds == {
        "Fay Falling": (R.FALLING_ATTENDANCE,),
        "Dan Ninety": ("band",),
        "Hal Run": (R.ABSENT_WEEK,),
    }
    dan = slt.pupils[1]
    assert (dan.year, dan.persistent, dan.weekday) == ("90.0%", True, "Mon 10/20")
    assert slt.follow_ups == ()


def test_family_hub_agenda_takes_its_band_and_illness_not_the_90_edge(db: Database) -> None:
    make_school(db)
    hub = agenda(db, "family-hub", WEEK_END)
    assert names(hub) == ["Fay Falling", "Gus Flat", "Eve Hub", "Kim Ill"]
    assert hub.pupils[-1].reason_kinds == (R.FREQUENT_ILLNESS,)  # 3 spells; Lou's 2 are not


def test_actions_agreed_at_one_meeting_show_on_the_next(db: Database) -> None:
    ids = make_school(db)
    record_agreed_actions(
        db,
        "slt",
        WEEK_END,
        [
            ActionInput(ids["Dan Ninety"], "SLT phone call to parents", "Mrs Head", NEXT_WEEK),
            ActionInput(ids["Hal Run"], "Home visit", "Mr Officer", date(2025, 3, 31)),
            ActionInput(ids["Hal Run"], "Ask for medical evidence", "Office", NEXT_WEEK),
        ],
        recorded_by="officer",
        attendees="Mrs Head, Mr Officer",
    )
    following = agenda(db, "slt", NEXT_WEEK)
    lines = {p.name: p.last_actions for p in following.pupils + following.follow_ups}
    assert lines["Dan Ninety"] == ("SLT phone call to parents (Mrs Head, by 04/04/2025; open)",)
    assert lines["Hal Run"] == (
        "Home visit (Mr Officer, by 31/03/2025; open)",
        "Ask for medical evidence (Office, by 04/04/2025; open)",
    )
    # the same day's agenda does not show today's actions as "last time"
    assert all(not p.last_actions for p in agenda(db, "slt", WEEK_END).pupils)
    # they are tasks with owners, and on the timeline
    from attendance_desk.services.tasks import pupil_tasks, set_task_done
    from attendance_desk.services.timeline import timeline

    tasks = pupil_tasks(db, ids["Hal Run"])
    assert sorted(t.title for t in tasks) == [
        "Ask for medical evidence (Office; agreed at Weekly SLT meeting)",
        "Home visit (Mr Officer; agreed at Weekly SLT meeting)",
    ]
    entries = timeline(db, ids["Hal Run"])
    assert [e.summary for e in entries if "SLT" in e.summary] == [
        "Weekly SLT meeting: agreed Home visit (Mr Officer, by 31/03/2025); "
        "Ask for medical evidence (Office, by 04/04/2025)"
    ]
    assert sorted(t.owner for t in tasks) == ["Mr Officer", "Office"]
    home_visit = next(t for t in tasks if t.title.startswith("Home visit"))
    set_task_done(db, home_visit.task_id, True, date(2025, 3, 31), "officer")
    assert [a.done_on for a in agreed_actions(db, ids["Hal Run"])] == [date(2025, 3, 31), None]
    lines = {p.name: p.last_actions for p in agenda(db, "slt", NEXT_WEEK).pupils}
    assert lines["Hal Run"][0] == "Home visit (Mr Officer, by 31/03/2025; done 31/03/2025)"
    # not the Family Hub's business
    assert all(not p.last_actions for p in agenda(db, "family_hub", NEXT_WEEK).pupils)


def test_a_pupil_off_the_list_with_open_actions_is_followed_up(db: Database) -> None:
    ids = make_school(db)
    record_agreed_actions(
        db,
        "slt",
        WEEK_END,
        [ActionInput(ids["Ada Green"], "Praise call", "Class teacher", NEXT_WEEK)],
    )
    following = agenda(db, "slt", NEXT_WEEK)
    assert "Ada Green" not in names(following)
    assert [p.name for p in following.follow_ups] == ["Ada Green"]
    assert following.follow_ups[0].reasons == ()


def test_incomplete_actions_write_nothing(db: Database) -> None:
    ids = make_school(db)
    good = ActionInput(ids["Dan Ninety"], "Call", "Mrs Head", NEXT_WEEK)
    for bad, message in (
        (ActionInput(ids["Hal Run"], " ", "Mrs Head", NEXT_WEEK), "write what was agreed"),
        (ActionInput(ids["Hal Run"], "Call", "", NEXT_WEEK), "owner"),
        (ActionInput(ids["Hal Run"], "Call", "Mrs Head", date(2025, 3, 1)), "before the meeting"),
        (ActionInput(999, "Call", "Mrs Head", NEXT_WEEK), "no pupil with id 999"),
    ):
        with pytest.raises(UserError, match=message):
            record_agreed_actions(db, "slt", WEEK_END, [good, bad])
    assert agreed_actions(db, ids["Dan Ninety"]) == ()
    with pytest.raises(UserError, match="attendance-team"):
        agenda(db, "attendance-team", WEEK_END)  # not a Clifton meeting
    with pytest.raises(UserError, match="weekly-report"):
        agenda(db, "class_teacher", WEEK_END)


def test_clifford_attendance_team_reviews_everyone_below_96_at_the_half_terms_end(
    db: Database,
) -> None:
    make_school(db, preset="clifford")
    assert meeting_choices(db) == (("attendance_team", "Attendance Team half-term review"),)
    # the meeting in the Easter holiday reviews Spring 2 to its end (Fri 4 Apr): the marks end
    # on 28 Mar, so the figures are as on WEEK_END
    review = agenda(db, "attendance-team", date(2025, 4, 9))
    assert review.figures_to == date(2025, 4, 4)
    below = ["Ben Edge", "Gus Flat", "Fay Falling", "Eve Hub", "Jo Late", "Dan Ninety"]
    assert sorted(names(review)) == sorted(below)  # Hal 96.15%, Ivy, Cara 96.00%: not below
    assert all(R.BELOW_EXPECTED in p.reason_kinds for p in review.pupils)


def test_a_class_teacher_can_read_the_agenda_but_not_record_actions(db: Database) -> None:
    from attendance_desk.domain.staff import NotAllowed, Role
    from attendance_desk.services.staff import add_staff, sign_in, sign_out

    ids = make_school(db)
    add_staff(db, "Mrs Hughes", Role.CLASS_TEACHER)
    sign_in(db, "Mrs Hughes")
    try:
        assert names(agenda(db, "slt", WEEK_END)) == ["Fay Falling", "Dan Ninety", "Hal Run"]
        with pytest.raises(NotAllowed, match="class teacher"):
            record_agreed_actions(
                db, "slt", WEEK_END, [ActionInput(ids["Dan Ninety"], "Call", "SLT", NEXT_WEEK)]
            )
    finally:
        sign_out(db)
    assert agreed_actions(db, ids["Dan Ninety"]) == ()


def test_agenda_shows_the_case_key_person_and_the_last_contact_before_the_meeting(
    db: Database,
) -> None:
    from attendance_desk.domain.events import PhoneCall
    from attendance_desk.domain.pathway import Stage
    from attendance_desk.services.cases import open_case
    from attendance_desk.services.timeline import add_event

    ids = make_school(db)
    dan = ids["Dan Ninety"]
    open_case(
        db, dan, date(2025, 3, 3), "officer", "Mondays", Stage.LISTEN_AND_UNDERSTAND, "Mrs Cole"
    )
    add_event(db, [dan], PhoneCall("Mrs Ninety", outcome="no_answer"), date(2025, 3, 10))
    add_event(db, [dan], PhoneCall("Mrs Ninety", reason_given="clinic"), date(2025, 3, 24))
    add_event(db, [dan], PhoneCall("Mrs Ninety"), date(2025, 3, 31))  # after the meeting
    entry = next(p for p in agenda(db, "slt", WEEK_END).pupils if p.pupil_id == dan)
    assert entry.case == "Listen and Understand since 03/03/2025; key person Mrs Cole"
    assert entry.last_contact == "24/03/2025: Call to Mrs Ninety: spoke to contact; reason: clinic"
    others = [p for p in agenda(db, "slt", WEEK_END).pupils if p.pupil_id != dan]
    assert {p.case for p in others} == {"no open case"} and {p.last_contact for p in others} == {""}
