"""The children-missing-education dialog lists the pupil and refers them to the LA; the
removal dialog takes a pupil off roll with the ground and writes the notification."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from casework_school import build_school

from attendance_desk.services.timeline import timeline
from attendance_desk.storage.models import Mark
from attendance_desk.ui.dialogs.cme_dialog import CmeDialog, RemoveFromRollDialog

FRI = date(2024, 10, 4)


def test_refer_and_remove(qtbot, db, tmp_path: Path) -> None:  # noqa: ANN001
    dan = build_school(db, last_day=FRI)["dan"]
    with db.session() as s:  # O every session from Mon 23 Sep to Fri 4 Oct: 10 school days
        d = date(2024, 9, 23)
        while d <= FRI:
            if d.weekday() < 5:
                for session in ("AM", "PM"):
                    s.get(Mark, (dan, d, session)).code = "O"
            d += timedelta(days=1)
    dialog = CmeDialog(db, FRI, folder=str(tmp_path))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in (0, 2, 3)] == ["Dan Smith", "23/09/2024", "10"]
    dialog.table.selectRow(0)
    dialog.refer()
    assert "Referral recorded" in dialog.message.text()
    assert timeline(db, dan)[0].summary.startswith("Referral to LA children missing education")
    remove = RemoveFromRollDialog(db, dan, folder=str(tmp_path))
    qtbot.addWidget(remove)
    remove.date_edit.setDate(FRI)
    remove.ground_combo.setCurrentIndex(remove.ground_combo.findData("missing_20_days"))
    remove.save()
    assert remove.error.text() == "" and Path(remove.path).exists()
