"""Meetings > Meeting papers, driven as a person would: the SLT agenda shown, the actions agreed
recorded in one sitting, and next week's agenda showing them."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from meetings_school import WEEK_END, make_school  # noqa: E402
from PySide6.QtCore import QDate, Qt  # noqa: E402

from attendance_desk.services.meetings import agreed_actions  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402
from attendance_desk.ui.dialogs.meetings_dialog import MeetingPapersDialog  # noqa: E402


def show(qtbot, dialog: MeetingPapersDialog) -> None:  # noqa: ANN001
    qtbot.mouseClick(dialog.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.worker is None and dialog.paper is not None, timeout=30000)


def rows(dialog: MeetingPapersDialog) -> list[str]:
    return [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]


def test_agenda_then_agreed_actions_then_next_weeks_agenda(
    qtbot,
    db: Database,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    ids = make_school(db)
    dialog = MeetingPapersDialog(db, on=WEEK_END, paper_id="meeting:slt")
    qtbot.addWidget(dialog)
    assert dialog.paper_combo.currentText() == "Agenda: Weekly SLT meeting"
    assert not dialog.class_combo.isEnabled()
    show(qtbot, dialog)
    assert rows(dialog) == ["Fay Falling", "Dan Ninety", "Hal Run"]
    assert dialog.document.pageCount() >= 1
    assert dialog.actions_button.isEnabled() and not dialog.excel_button.isEnabled()
    saved = dialog.save_pdf(tmp_path / "slt.pdf")
    assert saved is not None and saved.read_bytes().startswith(b"%PDF")

    sitting = dialog.record_actions(accept=True)
    assert sitting is not None and sitting.table.rowCount() == 3
    sitting.table.setCurrentCell(1, 1)
    qtbot.mouseClick(
        sitting.findChild(type(dialog.show_button), "anotherAction"), Qt.MouseButton.LeftButton
    )
    assert sitting.table.rowCount() == 4 and sitting.pupil_ids[2] == ids["Dan Ninety"]
    sitting.set_row(1, "SLT phone call to parents", "Mrs Head", "04/04/2025")
    sitting.set_row(2, "Invite to a meeting", "", "04/04/2025")  # no owner: refused
    sitting.save()
    assert "Nothing recorded" in sitting.message.text() and "owner" in sitting.message.text()
    assert agreed_actions(db, ids["Dan Ninety"]) == ()
    sitting.set_row(2, "Invite to a meeting", "Mr Officer", "03/04/2025")
    sitting.save()
    assert sitting.result() == sitting.DialogCode.Accepted and sitting.recorded == 2

    dialog.date_edit.setDate(QDate(2025, 4, 4))
    show(qtbot, dialog)
    dan = rows(dialog).index("Dan Ninety")
    agreed = dialog.table.item(dan, 4).text()
    assert "SLT phone call to parents (Mrs Head, by 04/04/2025; open)" in agreed
    assert "Invite to a meeting (Mr Officer, by 03/04/2025; open)" in agreed


def test_weekly_report_for_one_class_and_the_tsm_list_as_excel(
    qtbot,
    db: Database,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    make_school(db)
    dialog = MeetingPapersDialog(db, on=WEEK_END, paper_id="weekly_report")
    qtbot.addWidget(dialog)
    assert dialog.class_combo.isEnabled()
    dialog.class_combo.setCurrentText("4K")
    show(qtbot, dialog)
    assert rows(dialog) == ["4K"] and dialog.table.item(0, 1).text() == "Jo Late"
    assert dialog.document.pageCount() == 1
    assert dialog.summary.text().endswith(
        ": 1 class page; 1 pupil in the band Class teacher (93-95.99%)"
    )
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("tsm_list"))
    show(qtbot, dialog)
    assert rows(dialog) == ["Fay Falling", "Gus Flat", "Eve Hub", "Dan Ninety"]
    assert dialog.summary.text().endswith(": 4 pupils persistently or severely absent")
    out = dialog.save_excel(tmp_path / "tsm.xlsx")
    assert out is not None and out.stat().st_size > 0
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("governors_report"))
    dialog.date_edit.setDate(QDate(2025, 3, 28))
    show(qtbot, dialog)
    assert "Attendance" in rows(dialog)
    assert date(2025, 3, 28) == dialog.on()


def test_on_a_monday_the_weekly_report_is_last_weeks(qtbot, db: Database) -> None:  # noqa: ANN001
    """Opened on Monday 31 Mar 2025 (Spring 2 runs to Fri 4 Apr): the weekly report offers
    the week ending Fri 28 Mar, not a one-day week ending that Monday; an agenda offers the
    meeting's day; a date the officer picks stays whatever the paper."""
    make_school(db)
    monday = date(2025, 3, 31)
    dialog = MeetingPapersDialog(db, on=monday, paper_id="weekly_report")
    qtbot.addWidget(dialog)
    assert dialog.date_label.text() == "Week ending:"
    assert dialog.on() == date(2025, 3, 28)
    show(qtbot, dialog)
    assert dialog.paper is not None and rows(dialog)  # last week's class pages
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("meeting:slt"))
    assert dialog.on() == monday
    dialog.date_edit.setDate(QDate(2025, 3, 26))  # as a person picks one
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("weekly_report"))
    assert dialog.on() == date(2025, 3, 26)


def test_the_meetings_menu_opens_each_paper(qtbot, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    from PySide6.QtCore import QSettings

    from attendance_desk.ui.main_window import MainWindow

    make_school(db)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=WEEK_END, settings=settings, load=False)
    qtbot.addWidget(win)
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Meetings")
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == [
        "Meeting &papers\u2026",
        "Class teacher's &weekly report\u2026",
        "Meeting &agenda and agreed actions\u2026",
        "&Targeted Support Meeting list\u2026",
        "&Governors' report\u2026",
    ]
    expected = {
        1: "Class teacher's weekly report",
        2: "Agenda: Weekly SLT meeting",
        3: "Targeted Support Meeting list (termly, for the LA)",
        4: "Attendance report for the head and governors",
    }
    for index, label in expected.items():
        [a for a in menu.actions() if a.text()][index].trigger()
        dialog = win.meetings_dialog
        assert dialog.paper_combo.currentText() == label
        assert dialog.on() == WEEK_END
        dialog.close()
