"""A class teacher signed in can look at a case but not change it: the buttons are off, the
dialogs do not open, tasks cannot be ticked; the sign-in dialog remembers the choice."""

from __future__ import annotations

from datetime import date

from casework_school import DAY, build_school

from attendance_desk.domain.events import Meeting
from attendance_desk.domain.pathway import Stage
from attendance_desk.domain.staff import Role
from attendance_desk.services.cases import change_stage, get_case
from attendance_desk.services.staff import add_staff
from attendance_desk.services.timeline import add_event
from attendance_desk.ui import workers
from attendance_desk.ui.dialogs.sign_in_dialog import SignInDialog
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.case_timeline import CaseTimelineWidget
from attendance_desk.ui.widgets.caseload import CaseloadWidget
from attendance_desk.user import current_user


def test_a_class_teacher_cannot_change_a_case(qtbot, db) -> None:  # noqa: ANN001
    ids = build_school(db)
    ava = ids["ava"]
    change_stage(db, ava, Stage.MONITOR, date(2024, 9, 20), "Ms K Ellis", "Below 96%")
    add_event(db, [ava], Meeting("fam", attended=False), date(2024, 10, 4))
    add_staff(db, "Mrs Hughes", Role.CLASS_TEACHER)
    add_staff(db, "Ms K Ellis", Role.ATTENDANCE_OFFICER)

    sign_in = SignInDialog(db)
    qtbot.addWidget(sign_in)
    sign_in.combo.setCurrentIndex(sign_in.combo.findData("Mrs Hughes"))
    sign_in.choose()
    assert current_user() == "Mrs Hughes"
    again = SignInDialog(db)  # remembered for this computer login
    qtbot.addWidget(again)
    assert again.combo.currentData() == "Mrs Hughes"

    hub = SignalHub()
    widget = CaseTimelineWidget(db, hub)
    qtbot.addWidget(widget)
    widget.set_pupil(ava)
    qtbot.waitUntil(lambda: not widget.loading, timeout=10000)
    assert not widget.stage_button.isEnabled() and not widget.add_button.isEnabled()
    assert widget.change_stage() is None
    assert widget.add_event(widget.add_actions.__iter__().__next__()) is None
    assert widget.list.count() == 2  # she can read the timeline

    caseload = CaseloadWidget(db, hub)
    qtbot.addWidget(caseload)
    caseload.set_today(DAY)
    qtbot.waitUntil(lambda: not caseload.loading and caseload.current is not None, timeout=10000)
    task_item = caseload.tree.topLevelItem(1).child(0)
    assert "Rearrange" in task_item.text(0)
    assert not caseload.outcome_edit.isEnabled()
    from PySide6.QtCore import Qt

    assert not (task_item.flags() & Qt.ItemFlag.ItemIsUserCheckable)
    assert get_case(db, ava).stage is Stage.MONITOR
    workers.wait_all()
