"""The pupil page's Leave requests tab: record a request, refuse it, see it in the register."""

from __future__ import annotations

from datetime import date

from casework_school import build_school
from PySide6.QtCore import QDate

from attendance_desk.services.leave import leave_register
from attendance_desk.ui.widgets.leave_panel import LeavePanel


def test_record_and_refuse_a_request(qtbot, db) -> None:  # noqa: ANN001
    ava = build_school(db)["ava"]
    panel = LeavePanel(db)
    qtbot.addWidget(panel)
    panel.set_pupil(ava)
    assert panel.table.rowCount() == 0
    panel.asked_edit.setDate(QDate(2024, 9, 2))
    panel.first_edit.setDate(QDate(2024, 9, 30))
    panel.last_edit.setDate(QDate(2024, 10, 4))
    qtbot.keyClicks(panel.reason_edit, "Family holiday")
    panel.add()
    assert panel.error.text() == "" and panel.table.rowCount() == 1
    assert panel.table.item(0, 4).text() == "Not decided"
    panel.table.selectRow(0)
    panel.decided_by_edit.setText("Mr Krabbendam")
    panel.decide()
    assert panel.table.item(0, 4).text().startswith("Refused")
    (info,) = leave_register(db, ava)
    assert (info.decision, info.decided_by, info.first_day) == (
        "refused",
        "Mr Krabbendam",
        date(2024, 9, 30),
    )
