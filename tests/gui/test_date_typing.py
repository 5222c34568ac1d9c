"""A date typed into a date field after clicking into it is taken (ui/date_typing.py): Qt left
the cursor between the digits of the part clicked and refused every digit typed there, so a
leave request's dates stayed as they were (seen under Xvfb)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from attendance_desk.ui import date_typing
from attendance_desk.ui.widgets.leave_panel import _date_edit, _py


def _click_then_type(qtbot, edit, x: int, text: str) -> None:  # noqa: ANN001
    box = edit.findChild(QLineEdit)  # where a person's click lands
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(x, box.height() // 2))
    qtbot.waitUntil(lambda: edit.hasFocus() and box.hasSelectedText(), timeout=2000)
    qtbot.keyClicks(box, text)


def test_a_date_typed_after_a_click_is_taken(qtbot) -> None:  # noqa: ANN001
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    date_typing.install(app)  # as the application does when it starts
    edit = _date_edit(date(2026, 12, 7))
    qtbot.addWidget(edit)
    edit.resize(160, 30)
    edit.show()
    qtbot.waitExposed(edit)

    _click_then_type(qtbot, edit, 6, "18122026")  # on the day: the whole date typed
    assert _py(edit) == date(2026, 12, 18)

    box = edit.findChild(QLineEdit)
    month_at = box.fontMetrics().horizontalAdvance("18/1")  # on the month's digits
    _click_then_type(qtbot, edit, month_at, "01")
    assert _py(edit) == date(2026, 1, 18)
