"""Children missing education, worked by hand on the casework school: Dan Smith has O marks
every session from Mon 23 Sep to Fri 4 Oct 2024, 10 school days (20 sessions); registers are in
to Fri 4 Oct. Removal from roll records the grounds and writes the LA notification."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from casework_school import build_school

from attendance_desk.domain.cme import RemovalError
from attendance_desk.domain.events import HomeVisit, PhoneCall
from attendance_desk.errors import UserError
from attendance_desk.services.cme import cme_cases, raise_cme_referral, remove_from_roll
from attendance_desk.services.timeline import add_event, timeline
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark, Pupil


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


FRI = date(2024, 10, 4)


def _absent(db, pid: int, first: date, first_session: str = "AM") -> None:  # noqa: ANN001
    with db.session() as s:
        d = first
        while d <= FRI:
            if d.weekday() < 5:
                for session in ("AM", "PM"):
                    if (d, session) != (first, "AM") or first_session == "AM":
                        s.get(Mark, (pid, d, session)).code = "O"
            d += timedelta(days=1)


@pytest.fixture
def school(db) -> dict[str, int]:  # noqa: ANN001
    return build_school(db, last_day=FRI)


def _due(db) -> list[int]:  # noqa: ANN001
    return [c.finding.pupil_id for c in cme_cases(db, FRI)]


def test_ten_school_days_with_the_family_not_reached_raise_a_referral(db, school) -> None:  # noqa: ANN001
    dan = school["dan"]
    _absent(db, dan, date(2024, 9, 23))
    add_event(db, [dan], PhoneCall("Mr Smith", outcome="no_answer"), date(2024, 9, 24))
    add_event(db, [dan], PhoneCall("Mr Smith", outcome="wrong_number"), date(2024, 9, 30))
    (case,) = cme_cases(db, FRI)
    f = case.finding
    assert (f.pupil_id, f.run_start, f.run_end, f.school_days) == (dan, date(2024, 9, 23), FRI, 10)
    assert [(a.date, a.reached) for a in f.attempts] == [
        (date(2024, 9, 24), False),
        (date(2024, 9, 30), False),
    ]


def test_nineteen_sessions_are_a_narrow_miss(db, school) -> None:  # noqa: ANN001
    _absent(db, school["dan"], date(2024, 9, 23), first_session="PM")
    assert _due(db) == []


def test_a_family_reached_is_not_missing(db, school) -> None:  # noqa: ANN001
    dan = school["dan"]
    _absent(db, dan, date(2024, 9, 23))
    add_event(db, [dan], HomeVisit(("Ms Ellis",), child_seen=True), date(2024, 10, 2))
    assert _due(db) == []


def test_a_run_that_has_ended_is_not_missing(db, school) -> None:  # noqa: ANN001
    dan = school["dan"]
    _absent(db, dan, date(2024, 9, 23))
    with db.session() as s:  # back on Friday afternoon
        s.get(Mark, (dan, FRI, "PM")).code = "/"
    assert _due(db) == []


def test_the_referral_and_its_document(db, school, tmp_path: Path) -> None:  # noqa: ANN001
    dan = school["dan"]
    _absent(db, dan, date(2024, 9, 23))
    add_event(db, [dan], PhoneCall("Mr Smith", outcome="no_answer"), date(2024, 9, 24))
    with pytest.raises(UserError, match="No referral is due"):
        raise_cme_referral(db, school["ava"], FRI, tmp_path)
    entry, path = raise_cme_referral(db, dan, FRI, tmp_path)
    assert entry.summary.startswith("Referral to LA children missing education team")
    assert "24/09/2024 Call to Mr Smith: no answer" in entry.details.outcome
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler is not installed")
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split()
    )
    assert "Children missing education" in text and "Dan Smith" in text
    assert "23/09/2024" in text and "Call to Mr Smith: no answer" in text


def test_removal_from_roll_records_the_grounds(db, school, tmp_path: Path) -> None:  # noqa: ANN001
    dan = school["dan"]
    with pytest.raises(RemovalError, match="not a ground"):
        remove_from_roll(db, dan, FRI, "fell out with the head", tmp_path)
    path = remove_from_roll(db, dan, FRI, "other_school", tmp_path, "Now at Elm Park Primary")
    with db.session() as s:
        assert s.get(Pupil, dan).leaving_date == FRI
    assert timeline(db, dan)[0].summary.startswith(
        "Removed from roll on 04/10/2024: Registered as a pupil at another school"
    )
    assert path.exists() and path.read_bytes().startswith(b"%PDF")


# -- raised automatically: a concern, a note on the timeline and a task for the officer ---------


def test_the_concern_raises_a_note_and_a_task_once(db, school) -> None:  # noqa: ANN001
    from attendance_desk.domain.staff import Role
    from attendance_desk.services.cases import case_contexts
    from attendance_desk.services.cme import AUTOMATIC_BY, sync_cme_tasks
    from attendance_desk.services.monitoring import school_concerns
    from attendance_desk.services.staff import add_staff
    from attendance_desk.services.tasks import caseload, pupil_tasks

    dan = school["dan"]
    add_staff(db, "Jo Patel", Role.ATTENDANCE_OFFICER)
    _absent(db, dan, date(2024, 9, 23))
    add_event(db, [dan], PhoneCall("Mr Smith", outcome="no_answer"), date(2024, 9, 24))
    concerns = school_concerns(db, FRI, case_contexts(db, FRI))
    (cme,) = [c for c in concerns if c.rule == "children_missing_education"]
    assert cme.pupil_id == dan and len(cme.evidence) == 20
    assert "24/09/2024 Call to Mr Smith: no answer" in cme.detail

    load = caseload(db, date(2024, 10, 7))  # the next school day: the caseload syncs
    (task,) = [t for t in load.overdue if t.pupil_id == dan]
    assert task.kind.value == "cme_referral" and task.owner == "Jo Patel"
    assert task.due == FRI  # the day the 10th school day was reached
    (note,) = [e for e in timeline(db, dan) if e.recorded_by == AUTOMATIC_BY]
    assert note.date == FRI and note.event_id == task.event_id
    assert "Children missing education concern" in note.summary
    assert "Attempts: 24/09/2024 Call to Mr Smith: no answer" in note.summary
    assert sync_cme_tasks(db, date(2024, 10, 7)) == 0  # once per absence
    assert len(pupil_tasks(db, dan)) == 1

    # reaching the family closes it, kept in the history with the outcome
    add_event(db, [dan], PhoneCall("Mr Smith", outcome="spoke"), date(2024, 10, 7))
    (done,) = pupil_tasks(db, dan)
    assert done.done_on == date(2024, 10, 7) and "Family reached" in done.outcome
    assert sync_cme_tasks(db, date(2024, 10, 7)) == 0


def test_the_referral_closes_the_task(db, school, tmp_path: Path) -> None:  # noqa: ANN001
    from attendance_desk.services.cme import sync_cme_tasks
    from attendance_desk.services.tasks import pupil_tasks

    dan = school["dan"]
    _absent(db, dan, date(2024, 9, 23))
    assert sync_cme_tasks(db, FRI) == 1
    raise_cme_referral(db, dan, FRI, tmp_path)
    (done,) = pupil_tasks(db, dan)
    assert done.done_on == FRI and "Referred to the LA" in done.outcome


def test_back_in_school_closes_the_task(db, school) -> None:  # noqa: ANN001
    from attendance_desk.services.cme import sync_cme_tasks
    from attendance_desk.services.tasks import pupil_tasks

    dan = school["dan"]
    _absent(db, dan, date(2024, 9, 23))
    assert sync_cme_tasks(db, FRI) == 1
    with db.session() as s:
        s.add(Mark(pupil_id=dan, date=date(2024, 10, 7), session="AM", code="/"))
    assert sync_cme_tasks(db, date(2024, 10, 7)) == 0
    (done,) = pupil_tasks(db, dan)
    assert done.done_on == date(2024, 10, 7) and done.outcome.startswith("No longer missing")


def test_a_class_teacher_or_a_read_only_copy_writes_nothing(db, school) -> None:  # noqa: ANN001
    from attendance_desk.services.cme import sync_cme_tasks
    from attendance_desk.services.tasks import pupil_tasks
    from attendance_desk.user import act_as, stop_acting

    _absent(db, school["dan"], date(2024, 9, 23))
    act_as("Ms Class", "class_teacher")
    try:
        assert sync_cme_tasks(db, FRI) == 0
    finally:
        stop_acting()
    assert pupil_tasks(db, school["dan"]) == ()
