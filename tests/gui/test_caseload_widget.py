"""The caseload widget: open cases grouped by stage, filterable by owner; a case just moved to
Enforce through the stage dialog shows under Enforce."""

from __future__ import annotations

from datetime import date

from casework_school import DAY, build_school

from attendance_desk.domain.pathway import Stage
from attendance_desk.services.cases import change_stage
from attendance_desk.ui import workers
from attendance_desk.ui.dialogs.case_dialogs import StageChangeDialog
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.caseload import CaseloadWidget


def _wait(qtbot, widget: CaseloadWidget) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: not widget.loading and widget.current is not None, timeout=10000)


def test_a_case_just_moved_to_enforce_shows_under_enforce(qtbot, db) -> None:  # noqa: ANN001
    ids = build_school(db)
    ava, dan = ids["ava"], ids["dan"]
    change_stage(db, ava, Stage.FORMALISE, date(2024, 9, 20), "Ms Ellis", "Below 90%")
    change_stage(db, dan, Stage.MONITOR, date(2024, 9, 23), "Mr Hawkins", "Below 96%")
    hub = SignalHub()
    widget = CaseloadWidget(db, hub)
    qtbot.addWidget(widget)
    widget.set_today(DAY)
    _wait(qtbot, widget)
    assert [r.pupil_id for r in widget.stage_rows(Stage.FORMALISE)] == [ava]
    assert widget.stage_rows(Stage.ENFORCE) == []

    dialog = StageChangeDialog(db, ava, "Ms Ellis")
    qtbot.addWidget(dialog)
    assert dialog.stage_combo.currentData() == Stage.ENFORCE  # the next stage is offered
    dialog.date_edit.setDate(DAY)
    dialog.review_edit.setDate(date(2024, 10, 16))  # weekly reviews at Enforce
    dialog.reason_edit.setPlainText("12 unauthorised sessions in 10 school weeks")
    dialog.tick("Early Help Assessment offered", "Home visit")
    dialog.not_appropriate_edit.setText(
        "Holiday taken after the request was refused; the family named no barriers"
    )
    dialog.save()
    assert dialog.error.text() == ""
    hub.case_changed.emit(ava)
    qtbot.waitUntil(lambda: bool(widget.stage_rows(Stage.ENFORCE)), timeout=10000)
    _wait(qtbot, widget)
    (row,) = widget.stage_rows(Stage.ENFORCE)
    assert (row.pupil_id, row.days_at_stage, row.owner) == (ava, 0, "Ms Ellis")
    assert row.next_review == date(2024, 10, 16)
    assert widget.stage_rows(Stage.FORMALISE) == []
    groups = [widget.case_tree.topLevelItem(i) for i in range(widget.case_tree.topLevelItemCount())]
    assert [g.text(0) for g in groups] == ["Monitor (1)", "Enforce (1)"]
    # Ava: 56 sessions to Wed 9 Oct, N N on 8 and 9 Oct: 52 of 56 = 92.857...%
    assert [groups[1].child(0).text(c) for c in (0, 2, 4, 5, 7)] == [
        "Ava Brown",
        "0",
        "Ms Ellis",
        "Wed 16 Oct 2024",
        "92.9%",
    ]

    # filter by owner: Mr Hawkins owns Dan's case only
    widget.owner_filter.setCurrentText("Mr Hawkins")
    assert widget.stage_rows(Stage.ENFORCE) == []
    assert [r.pupil_id for r in widget.stage_rows(Stage.MONITOR)] == [dan]
    assert widget.cases_summary.text() == "1 open case"
    workers.wait_all()


def test_after_an_import_a_child_missing_education_is_a_task_in_the_caseload(qtbot, db) -> None:  # noqa: ANN001
    """Dan absent (O) every session from Mon 23 Sep to Fri 4 Oct 2024, 10 school days, with
    his family not reached: once the import lands the caseload has the task, and his timeline
    the note with the attempts."""
    from attendance_desk import clock
    from attendance_desk.services.timeline import timeline
    from attendance_desk.storage.models import Mark

    dan = build_school(db, last_day=date(2024, 10, 4))["dan"]
    fri = date(2024, 10, 4)
    hub = SignalHub()
    with clock.fixed(date(2024, 10, 7)):
        widget = CaseloadWidget(db, hub)
    qtbot.addWidget(widget)
    widget.set_today(date(2024, 10, 7))
    _wait(qtbot, widget)
    assert not [t for t in widget.current.overdue if t.pupil_id == dan]
    with db.session() as s:  # the registers of the fortnight, as an import writes them
        for mark in s.query(Mark).filter(Mark.pupil_id == dan, Mark.date >= date(2024, 9, 23)):
            mark.code = "O"
    hub.marks_imported.emit()
    qtbot.waitUntil(
        lambda: (
            widget.current is not None and any(t.pupil_id == dan for t in widget.current.overdue)
        ),
        timeout=10000,
    )
    _wait(qtbot, widget)
    (task,) = [t for t in widget.current.overdue if t.pupil_id == dan]
    assert task.kind.value == "cme_referral" and task.due == fri
    assert task.title.startswith("Missing education? Family not reached")
    (note,) = [e for e in timeline(db, dan) if e.recorded_by == "Attendance Desk (automatic)"]
    assert "no attempt to reach the family is on record" in note.summary
    workers.wait_all()


def test_the_caseload_opens_on_a_database_opened_read_only(qtbot, db_path) -> None:  # noqa: ANN001
    """A second copy opened beside the window is read-only: the caseload brought the
    register's tasks up to date first (two Ns of Ava's were due a task on 16 Oct) and said
    "Something went wrong: attempt to write a readonly database", with the SQL, in place of
    the tasks. It shows the tasks as last brought up to date."""
    from attendance_desk.services.tasks import add_task
    from attendance_desk.storage.db import open_database

    writer = open_database(db_path)
    ids = build_school(writer)
    add_task(writer, ids["dan"], "Ring Dan's mum", date(2024, 10, 15))
    writer.close()
    reader = open_database(db_path, read_only=True)
    try:
        widget = CaseloadWidget(reader, SignalHub())
        qtbot.addWidget(widget)
        widget.set_today(date(2024, 10, 16))
        qtbot.waitUntil(lambda: not widget.loading, timeout=10000)
        assert "went wrong" not in widget.summary.text(), widget.summary.text()
        assert widget.current is not None
        assert [t.title for t in widget.current.overdue] == ["Ring Dan's mum"]
    finally:
        workers.wait_all()
        reader.close()
