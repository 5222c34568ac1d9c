"""Two people editing the same casework from two PCs: the second is told who changed it and
what, and nothing is overwritten silently (a version on each case, event, task)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from casework_school import DAY, build_school
from sqlalchemy.orm.exc import StaleDataError

from attendance_desk.domain.events import PhoneCall
from attendance_desk.domain.pathway import Stage
from attendance_desk.domain.tasks import TaskKind
from attendance_desk.services.cases import change_stage, get_case, open_case, update_case
from attendance_desk.services.tasks import add_task, pupil_tasks, set_task_done
from attendance_desk.services.timeline import add_event, edit_event, event_revisions, timeline
from attendance_desk.services.versions import EditConflictError
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.models.cases import Case


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test runs on SQLite and on PostgreSQL (backend_db)."""
    return backend_db


@pytest.fixture
def school(db: Database) -> dict[str, int]:
    return build_school(db)


@pytest.fixture
def other_pc(db: Database, backend_target: Path | str) -> Iterator[Database]:
    """A second Database object on the same database: what another PC's window holds (on
    SQLite, a second object on the same file: one PC's window holds the writer lock)."""
    other = (
        open_database(backend_target)
        if isinstance(backend_target, str)
        else Database(backend_target)
    )
    yield other
    other.close()


def test_a_second_editor_of_a_case_is_told_who_changed_what_and_nothing_is_lost(
    db: Database, other_pc: Database, school: dict[str, int]
) -> None:
    ava = school["ava"]
    open_case(db, ava, date(2024, 9, 20), "Ms Ellis", "Below 96%")
    seen_here = get_case(db, ava)
    seen_there = get_case(other_pc, ava)
    assert seen_here is not None and seen_there is not None
    assert seen_here.version == seen_there.version

    update_case(other_pc, ava, key_person="Mrs Hughes", expected_version=seen_there.version)
    with pytest.raises(EditConflictError) as told:
        update_case(db, ava, barriers="Young carer", expected_version=seen_here.version)
    message = str(told.value)
    assert "changed this case at" in message
    assert "changed the key person" in message
    assert "was not saved" in message
    now = get_case(db, ava)
    assert now is not None
    assert (now.key_person, now.barriers) == ("Mrs Hughes", "")  # theirs kept, mine not written
    # made again on what is there now, the change is saved
    update_case(db, ava, barriers="Young carer", expected_version=now.version)
    final = get_case(other_pc, ava)
    assert final is not None and (final.key_person, final.barriers) == ("Mrs Hughes", "Young carer")


def test_a_stage_move_made_on_another_pc_is_named(
    db: Database, other_pc: Database, school: dict[str, int]
) -> None:
    ava = school["ava"]
    open_case(db, ava, date(2024, 9, 20), "Ms Ellis", "Below 96%")
    seen = get_case(db, ava)
    assert seen is not None
    change_stage(
        other_pc, ava, Stage.LISTEN_AND_UNDERSTAND, date(2024, 9, 27), "Mr Patel", "Call made"
    )
    with pytest.raises(EditConflictError, match="Mr Patel changed this case .* moved it to"):
        change_stage(
            db,
            ava,
            Stage.CLOSED,
            date(2024, 9, 30),
            "Ms Ellis",
            "Recovered",
            expected_version=seen.version,
        )
    now = get_case(db, ava)
    assert now is not None and now.stage is Stage.LISTEN_AND_UNDERSTAND
    # a case opened on another PC while this one showed none is not opened twice
    ben = school["ben"]
    open_case(other_pc, ben, date(2024, 9, 20), "Mr Patel", "Below 90%")
    with pytest.raises(EditConflictError):
        change_stage(
            db, ben, Stage.MONITOR, date(2024, 9, 20), "Ms Ellis", "Below 96%", expected_version=0
        )


def test_two_writes_racing_on_one_case_the_later_is_refused_by_its_version(
    db: Database, other_pc: Database, school: dict[str, int]
) -> None:
    """The version is checked by the write itself (SQLAlchemy version_id_col), not only by
    what the window remembered: a session that read the case before the other PC wrote it
    cannot overwrite it."""
    ava = school["ava"]
    case_id = open_case(db, ava, date(2024, 9, 20), "Ms Ellis", "Below 96%").case_id
    with pytest.raises(StaleDataError), db.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        update_case(other_pc, ava, key_person="Mrs Hughes")
        case.key_person = "Mr Jones"
        s.flush()
    now = get_case(db, ava)
    assert now is not None and now.key_person == "Mrs Hughes"


def test_a_call_edited_on_two_pcs_keeps_the_first_edit_and_tells_the_second(
    db: Database, other_pc: Database, school: dict[str, int]
) -> None:
    ava = school["ava"]
    call = add_event(db, [ava], PhoneCall("Mrs Brown", outcome="no_answer"), DAY, "Ms Ellis")
    assert call.event_id is not None
    edit_event(
        other_pc,
        call.event_id,
        PhoneCall("Mrs Brown", outcome="spoke", reason_given="Ava was ill"),
        DAY,
        "Mr Patel",
        "she rang back",
        expected_version=call.version,
    )
    with pytest.raises(
        EditConflictError, match="Mr Patel changed this timeline entry .* edited it.*she rang back"
    ):
        edit_event(
            db,
            call.event_id,
            PhoneCall("Mrs Brown", outcome="left_message"),
            DAY,
            "Ms Ellis",
            "left a message",
            expected_version=call.version,
        )
    (entry,) = [e for e in timeline(db, ava) if e.event_id == call.event_id]
    assert entry.details == PhoneCall("Mrs Brown", outcome="spoke", reason_given="Ava was ill")
    assert len(event_revisions(db, call.event_id)) == 1  # the first state, kept once


def test_a_task_ticked_off_on_another_pc_is_not_ticked_again(
    db: Database, other_pc: Database, school: dict[str, int]
) -> None:
    ava = school["ava"]
    task = add_task(db, ava, "Ring Mrs Brown back", DAY, TaskKind.OTHER)
    set_task_done(other_pc, task.task_id, True, DAY, "Mr Patel", "spoke to her", task.version)
    with pytest.raises(EditConflictError, match="Mr Patel changed this task .* ticked it off"):
        set_task_done(db, task.task_id, True, DAY, "Ms Ellis", "no answer", task.version)
    (now,) = [t for t in pupil_tasks(db, ava) if t.task_id == task.task_id]
    assert (now.done_by, now.outcome) == ("Mr Patel", "spoke to her")
