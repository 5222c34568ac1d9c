"""The penalty notice dialog: the parent is picked from the contacts with parental
responsibility, and the amount, the dates and the threshold show before saving."""

from __future__ import annotations

from datetime import date, timedelta

from casework_school import DAY, build_school
from PySide6.QtCore import QDate

from attendance_desk.domain.events import EventKind
from attendance_desk.storage.models import Mark
from attendance_desk.ui.dialogs.case_dialogs import EventDialog


def test_penalty_dialog_shows_parents_amounts_and_the_threshold(qtbot, db) -> None:  # noqa: ANN001
    ids = build_school(db)
    ben = ids["ben"]
    with db.session() as s:  # 9 G: Mon 30 Sep to Fri 4 Oct AM
        d = date(2024, 9, 30)
        for k in range(9):
            s.get(Mark, (ben, d + timedelta(days=k // 2), ("AM", "PM")[k % 2])).code = "G"
    dialog = EventDialog(db, EventKind.PENALTY_NOTICE, [ben], "Ms Ellis")
    qtbot.addWidget(dialog)
    parent = dialog.form.editors["parent"]
    assert [parent.itemText(i) for i in range(parent.count())] == ["Mrs Sarah Brown"]
    dialog.form.editors["issued"].setDate(QDate(DAY))
    text = dialog.penalty_info.text()
    assert "9 unauthorised sessions in the 10 school weeks to 09/10/2024 (threshold 10)" in text
    assert "£80 if paid by 30/10/2024" in text and "£160 by 06/11/2024" in text
    assert "below the 10" in text
    dialog.date_edit.setDate(QDate(DAY))
    dialog.save()
    assert "give a reason" in dialog.error.text() and dialog.saved is None
    dialog.form.editors["below_threshold_reason"].setPlainText(
        "Nine sessions of holiday taken after the request was refused in writing"
    )
    dialog.save()
    assert dialog.saved is not None and dialog.saved.details.amount == 160
    assert dialog.saved.details.parent == "Mrs Sarah Brown"
