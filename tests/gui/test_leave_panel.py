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


def test_authorise_a_request_and_print_its_letter(qtbot, db, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import shutil
    import subprocess

    import pytest
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog

    from attendance_desk.storage.models import School

    ben = build_school(db)["ben"]
    with db.session() as s:
        s.add(School(name="Clifton Primary", phone="0117 496 0000", headteacher="Mr Krabbendam"))
    panel = LeavePanel(db)
    qtbot.addWidget(panel)
    panel.set_pupil(ben)
    panel.asked_edit.setDate(QDate(2024, 9, 10))
    panel.first_edit.setDate(QDate(2024, 10, 3))
    panel.last_edit.setDate(QDate(2024, 10, 3))
    qtbot.keyClicks(panel.reason_edit, "Grandfather's funeral")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    panel.table.selectRow(0)
    panel.decision_combo.setCurrentIndex(panel.decision_combo.findData("authorised"))
    panel.decided_by_edit.setText("Mr Krabbendam")
    qtbot.keyClicks(panel.note_edit, "Funeral of a close relative abroad, one day only")
    qtbot.mouseClick(panel.decide_button, Qt.MouseButton.LeftButton)
    assert panel.table.item(0, 4).text().startswith("Authorised")
    target = tmp_path / "reply.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(panel.letter_button, Qt.MouseButton.LeftButton)
    assert panel.error.text() == "The letter is in the letters register and on the timeline."
    assert target.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler is not installed")
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(target), "-"], capture_output=True, text=True
        ).stdout.split()
    )
    assert "The leave is authorised from 3 October 2024 to 3 October 2024" in text
    assert "cannot be authorised" not in text
