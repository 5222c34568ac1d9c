"""Named staff: records carry the staff name, a class teacher can look and not change, and the
Enforce sign-off (when the school requires it) is the headteacher's."""

from __future__ import annotations

from datetime import date

import pytest
from casework_school import DAY, build_school

from attendance_desk.domain.casework import EnforceGateError
from attendance_desk.domain.events import Meeting, Note
from attendance_desk.domain.pathway import Stage
from attendance_desk.domain.staff import NotAllowed, Role
from attendance_desk.errors import UserError
from attendance_desk.services.cases import (
    change_stage,
    get_case,
    set_enforce_signoff_required,
)
from attendance_desk.services.staff import add_staff, list_staff, sign_in, sign_out
from attendance_desk.services.tasks import caseload, set_task_done
from attendance_desk.services.timeline import add_event, timeline
from attendance_desk.storage.db import Database
from attendance_desk.user import current_user


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


@pytest.fixture
def school(db) -> dict[str, int]:  # noqa: ANN001
    ids = build_school(db)
    add_staff(db, "Ms K Ellis", Role.ATTENDANCE_OFFICER)
    add_staff(db, "Mr Krabbendam", Role.HEADTEACHER)
    add_staff(db, "Mrs Hughes", Role.CLASS_TEACHER)
    return ids


def test_the_staff_list_and_its_mistakes(db, school) -> None:  # noqa: ANN001
    assert [(m.name, m.role) for m in list_staff(db)] == [
        ("Mr Krabbendam", Role.HEADTEACHER),
        ("Mrs Hughes", Role.CLASS_TEACHER),
        ("Ms K Ellis", Role.ATTENDANCE_OFFICER),
    ]
    with pytest.raises(UserError, match="already on the staff list"):
        add_staff(db, "Ms  K Ellis", Role.DSL)
    with pytest.raises(UserError, match="not a role"):
        add_staff(db, "Mr Hawkins", "caretaker")
    with pytest.raises(UserError, match="not on the staff list"):
        sign_in(db, "Mr Nobody")


def test_records_carry_the_staff_name_and_the_audit_names_them(db, school) -> None:  # noqa: ANN001
    sign_in(db, "Ms K Ellis")
    assert current_user() == "Ms K Ellis"
    entry = add_event(db, [school["ava"]], Note("Mum rang"), DAY)  # no "by" given
    assert entry.recorded_by == "Ms K Ellis"
    with db.session() as s:
        from sqlalchemy import text

        # the audit row of the note names her (on PostgreSQL from the connection's setting)
        last = text(
            "SELECT who FROM audit_log WHERE entity = 'case_event' ORDER BY id DESC LIMIT 1"
        )
        assert s.execute(last).scalar() == "Ms K Ellis"
    sign_out(db)
    assert current_user() != "Ms K Ellis"


def test_a_class_teacher_can_look_but_not_change(db, school) -> None:  # noqa: ANN001
    ava = school["ava"]
    change_stage(db, ava, Stage.MONITOR, date(2024, 9, 20), "Ms K Ellis", "Below 96%")
    add_event(db, [ava], Meeting("fam", attended=False), date(2024, 10, 4))
    sign_in(db, "Mrs Hughes")
    with pytest.raises(NotAllowed, match="class teacher, who can look but not move a case"):
        change_stage(db, ava, Stage.FORMALISE, DAY, "Mrs Hughes", "No change")
    with pytest.raises(NotAllowed):
        add_event(db, [ava], Note("x"), DAY)
    (task,) = caseload(db, DAY).due_today  # looking is fine
    with pytest.raises(NotAllowed):
        set_task_done(db, task.task_id, True, DAY)
    assert get_case(db, ava).stage is Stage.MONITOR
    assert len(timeline(db, ava)) == 2  # nothing was added


def test_the_enforce_sign_off_is_the_headteachers(db, school) -> None:  # noqa: ANN001
    ava = school["ava"]
    change_stage(db, ava, Stage.FORMALISE, date(2024, 9, 20), "Ms K Ellis", "Below 90%")
    set_enforce_signoff_required(db, True)
    gate = dict(
        support_not_appropriate="Holiday taken after the request was refused in writing",
        support_considered=("Home visit",),
    )
    with pytest.raises(EnforceGateError, match="headteacher's sign-off"):
        change_stage(db, ava, Stage.ENFORCE, DAY, "Ms K Ellis", "12 G", **gate)
    with pytest.raises(NotAllowed, match="not a headteacher"):
        change_stage(
            db, ava, Stage.ENFORCE, DAY, "Ms K Ellis", "12 G", signed_off_by="Ms K Ellis", **gate
        )
    case = change_stage(
        db, ava, Stage.ENFORCE, DAY, "Ms K Ellis", "12 G", signed_off_by="Mr Krabbendam", **gate
    )
    assert case.history[-1].signed_off_by == "Mr Krabbendam"
    (entry,) = [e for e in timeline(db, ava) if e.stage is Stage.ENFORCE]
    assert "Signed off by the headteacher: Mr Krabbendam" in entry.reason


def test_the_same_person_opening_again_writes_nothing_to_the_file(tmp_path) -> None:  # noqa: ANN001
    """The window names the last person who signed in at this login before it opens the file,
    so the officer opening the school again changes no byte of it (the integrity verdict of
    the file stays good for the commands that read it); another person is named at sign-in."""
    from attendance_desk.storage.db import open_database
    from attendance_desk.storage.integrity import file_state
    from attendance_desk.user import audit_name, expect_sign_in

    path = tmp_path / "school.sqlite3"
    db = open_database(path)
    add_staff(db, "Ms K Ellis", Role.ATTENDANCE_OFFICER)
    add_staff(db, "Mrs Hughes", Role.CLASS_TEACHER)
    sign_in(db, "Ms K Ellis")
    sign_out(db)
    db.close()

    def who() -> str:
        import sqlite3

        conn = sqlite3.connect(path)
        try:
            return str(conn.execute("SELECT who FROM audit_session").fetchone()[0])
        finally:
            conn.close()

    try:
        expect_sign_in("Ms K Ellis")
        db = open_database(path)
        sign_in(db, "Ms K Ellis")
        db.close()
        assert who() == "Ms K Ellis"
        before = file_state(path)
        for _ in range(2):
            expect_sign_in("Ms K Ellis")
            db = open_database(path)
            sign_in(db, "Ms K Ellis")
            db.close()
            assert file_state(path) == before
        expect_sign_in("Ms K Ellis")
        db = open_database(path)
        sign_in(db, "Mrs Hughes")  # someone else at the keyboard: the audit names them
        assert who() == "Mrs Hughes"
        db.close()
    finally:
        from attendance_desk.user import stop_acting

        expect_sign_in(None)
        stop_acting()
    assert audit_name() != "Mrs Hughes"
