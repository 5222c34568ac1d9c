"""Assigning a task from the caseload, with the keyboard as a person would: the task chosen
with the arrow keys, Tab to Assign, Space; in the dialog a name typed, the due date chosen
with the arrow keys (this week, later, a date typed in), Enter."""

from __future__ import annotations

from datetime import date

from casework_school import DAY, build_school
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from attendance_desk import clock
from attendance_desk.domain.staff import Role
from attendance_desk.services.staff import add_staff
from attendance_desk.services.tasks import TaskInfo, add_task, pupil_tasks
from attendance_desk.ui import workers
from attendance_desk.ui.dialogs.task_dialog import TaskAssignDialog
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.caseload import CaseloadWidget

# DAY is Wed 9 Oct 2024: "this week" is Fri 11 Oct, "later" Fri 18 Oct.
TITLE = "Ring Mrs Brown about the N codes"


def _wait(qtbot, widget: CaseloadWidget) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: not widget.loading and widget.current is not None, timeout=10000)


def _school(db) -> int:  # noqa: ANN001
    ava = build_school(db)["ava"]
    for name, role in (
        ("Jo Patel", Role.ATTENDANCE_OFFICER),
        ("Sam Okafor", Role.DSL),
        ("Ms Class", Role.CLASS_TEACHER),
    ):
        add_staff(db, name, role)
    add_task(db, ava, TITLE, date(2024, 10, 8), owner="Jo Patel")
    return ava


def _mine(db, pupil_id: int) -> list[TaskInfo]:  # noqa: ANN001
    return [t for t in pupil_tasks(db, pupil_id) if t.title == TITLE]


def _open_dialog(qtbot, db) -> tuple[CaseloadWidget, TaskAssignDialog]:  # noqa: ANN001
    with clock.fixed(DAY):
        widget = CaseloadWidget(db, SignalHub())
    qtbot.addWidget(widget)
    widget.set_today(DAY)
    widget.show()
    qtbot.waitExposed(widget)
    _wait(qtbot, widget)
    widget.activateWindow()
    widget.tree.setFocus()
    assert not widget.assign_button.isEnabled()  # no task chosen yet
    for _ in range(10):  # down the list to the first task (past the "Overdue" heading)
        qtbot.keyClick(widget.tree, Qt.Key.Key_Down)
        if widget.chosen_task() is not None:
            break
    task = widget.chosen_task()
    assert isinstance(task, TaskInfo) and task.title == TITLE
    assert widget.assign_button.isEnabled()
    qtbot.keyClick(widget.tree, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is widget.assign_button
    qtbot.keyClick(widget.assign_button, Qt.Key.Key_Space)
    dialog = widget.assign_dialog
    assert isinstance(dialog, TaskAssignDialog)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # the window manager's part: the new dialog has the keyboard
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    assert QApplication.focusWidget() is dialog.owner_combo
    return widget, dialog


def test_hand_a_task_on_with_a_date_typed_in(qtbot, db) -> None:  # noqa: ANN001
    ava = _school(db)
    widget, dialog = _open_dialog(qtbot, db)
    # the class teacher, who can only look, is not offered
    names = [dialog.owner_combo.itemText(i) for i in range(dialog.owner_combo.count())]
    assert names == ["Jo Patel", "Sam Okafor"]
    assert dialog.owner_combo.currentText() == "Jo Patel"
    assert dialog.this_week.isChecked()  # overdue (Tue 8 Oct): this week unless told otherwise
    assert dialog.this_week.text() == "This &week (Fri 11 Oct 2024)"
    assert dialog.later.text() == "&Later (Fri 18 Oct 2024)"
    qtbot.keyClicks(dialog.owner_combo, "Sam")
    assert dialog.owner_combo.currentText() == "Sam Okafor"
    qtbot.keyClick(dialog.owner_combo, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.this_week
    qtbot.keyClick(dialog.this_week, Qt.Key.Key_Down)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    assert dialog.on_date.isChecked() and dialog.date_edit.isEnabled()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.date_edit
    qtbot.keyClicks(dialog.date_edit, "23102024")
    assert dialog.date_edit.date().toPython() == date(2024, 10, 23)
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.error.text() == ""
    (task,) = _mine(db, ava)
    assert (task.owner, task.due) == ("Sam Okafor", date(2024, 10, 23))
    # the caseload shows it with its new owner, under Later
    qtbot.waitUntil(
        lambda: widget.current is not None and any(t.title == TITLE for t in widget.current.later),
        timeout=10000,
    )
    _wait(qtbot, widget)
    (later,) = [t for t in widget.current.later if t.title == TITLE]
    assert (later.owner, later.due) == ("Sam Okafor", date(2024, 10, 23))
    workers.wait_all()


def test_this_week_and_later_with_the_arrow_keys(qtbot, db) -> None:  # noqa: ANN001
    ava = _school(db)
    widget, dialog = _open_dialog(qtbot, db)
    qtbot.keyClick(dialog.owner_combo, Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.this_week, Qt.Key.Key_Down)  # Later
    assert dialog.later.isChecked() and not dialog.date_edit.isEnabled()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    (task,) = _mine(db, ava)
    assert (task.owner, task.due) == ("Jo Patel", date(2024, 10, 18))
    _wait(qtbot, widget)
    workers.wait_all()


def test_refused_when_no_one_is_chosen(qtbot, db) -> None:  # noqa: ANN001
    _school(db)
    widget, dialog = _open_dialog(qtbot, db)
    dialog.owner_combo.setCurrentIndex(-1)
    qtbot.keyClick(dialog.owner_combo, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error.text() == "Choose the member of staff the task is for"
    dialog.reject()
    workers.wait_all()
