"""One school day in the real window, as the officer lives it.

The school (tests/casework_school.py) has registers up to Tue 8 Oct 2024 (Ava N N that day).
Wed 9 Oct: the morning export has N for Ava, her brother Ben, Łucja and Dan. The officer
imports it (Ctrl+I, the file, Enter), lands on the day's calls, prints the call sheet, logs
three calls by keyboard (Ava's covers Ben too), imports the afternoon export in which the MIS
still has N for all of them, and finds nobody back on the call list, the office's codes kept,
and every changed mark on the changes for the MIS (exported to Excel).
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtPrintSupport import QPrinter

from attendance_desk.services.calls import first_day_calls
from attendance_desk.services.database import Database
from attendance_desk.services.families import derive_families
from attendance_desk.storage.models import Pupil
from attendance_desk.ui import window_actions, workers
from attendance_desk.ui.dialogs.import_dialog import ImportDialog
from attendance_desk.ui.main_window import CALLS, MIS, MainWindow
from tests.casework_school import DAY, build_school

HEADER = ["UPN", "Surname", "Forename", "Reg Group", "Date", "AM", "PM"]
PUPILS = {
    "ava": ("R100000000001", "Brown", "Ava", "3 Oak"),
    "ben": ("F100000000002", "Brown", "Ben", "5 Elm"),
    "lucja": ("V100000000003", "Nguyễn", "Łucja", "3 Oak"),
    "dan": ("J100000000004", "Smith", "Dan", "4 Ash"),
}


def export(path: Path, am: str, pm: str) -> Path:
    """The MIS's export of Wed 9 Oct: every pupil with the same AM and PM cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for pupil in PUPILS.values():
        writer.writerow([*pupil, f"{DAY:%d/%m/%Y}", am, pm])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


class Steps:
    """Answers the import window the way a person would: each step waits for its moment. If a
    moment never comes, the window is closed after `limit` seconds and the test fails."""

    def __init__(
        self,
        steps: list[tuple[Callable[[], bool], Callable[[], None]]],
        give_up: Callable[[], None],
        limit: float = 60,
    ) -> None:
        self.steps = steps
        self.give_up = give_up
        self.ticks_left = int(limit * 20)
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(50)

    def _tick(self) -> None:
        self.ticks_left -= 1
        if not self.steps or self.ticks_left <= 0:
            self.timer.stop()
            if self.steps:
                self.give_up()
            return
        ready, act = self.steps[0]
        if ready():
            self.steps.pop(0)
            act()


def import_through_the_dialog(window: MainWindow, file: Path, seen: dict) -> None:  # noqa: ANN001
    """Ctrl+I, type the file's path in the picker and Enter, then Enter: the import window
    closes by itself."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QLineEdit

    def dialog() -> ImportDialog | None:
        found = window.import_dialog
        return found if isinstance(found, ImportDialog) else None

    def picker_open() -> bool:
        d = dialog()
        return d is not None and d.picker is not None and d.picker.isVisible()

    def choose() -> None:
        picker = dialog().picker
        name = picker.findChild(QLineEdit, "fileNameEdit")
        name.setText(str(file))
        QTest.keyClick(name, Qt.Key.Key_Return)
        if picker.isVisible():  # the offscreen picker's completer kept the Enter: choose it
            picker.filesSelected.emit([str(file)])
            picker.hide()

    def press_enter() -> None:
        d = dialog()
        seen["preview"] = [
            d.preview_table.item(r, 1).text() for r in range(d.preview_table.rowCount())
        ]
        seen["default"] = d.import_button.isDefault()
        QTest.keyClick(d, Qt.Key.Key_Return)

    def give_up() -> None:
        d = dialog()
        seen["stuck"] = d and (d.files, d.error_label.text(), d.status_label.text(), d.busy)
        if d is not None:
            if d.picker is not None:
                d.picker.reject()
            d.reject()

    steps = Steps(
        [
            (picker_open, choose),
            (lambda: (d := dialog()) is not None and d.preview is not None, press_enter),
        ],
        give_up,
    )
    window.act_import.trigger()  # returns when the import window has closed
    assert not steps.steps, f"picker -> preview -> import did not happen: {seen.get('stuck')}"


@pytest.fixture
def window(qtbot, db: Database, tmp_path: Path):  # noqa: ANN001, ANN201
    ids = build_school(db, last_day=date(2024, 10, 8))
    with db.session() as s:  # UPNs with their right DfE check letters, as an import needs
        for key, (upn, *_rest) in PUPILS.items():
            s.get(Pupil, ids[key]).upn = upn
    derive_families(db)  # Ava and Ben share their mother's mobile: one family
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, settings=settings)
    win.ids = ids
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.pupil_list.model.rows and win.pupil_list.model.rows[0].loaded)
    yield win
    workers.wait_all()


def test_one_school_day_in_the_window(qtbot, window: MainWindow, tmp_path: Path) -> None:  # noqa: ANN001
    assert window.as_of == date(2024, 10, 8)  # the register ends yesterday

    # Morning: Ctrl+I, the file, Enter -> today's calls
    seen: dict = {}
    import_through_the_dialog(window, export(tmp_path / "morning.csv", "N", ""), seen)
    assert seen["default"]  # Enter imported
    assert window.as_of == DAY and window.as_of_edit.date().toPython() == DAY
    assert window.current_page() == CALLS
    # what was done, in a line the status bar has room for (the preview showed it all)
    message = window.statusBar().currentMessage()
    assert message.startswith("Imported morning.csv: ") and "marks added" in message
    assert len(message) < 80, message
    calls = window.pages[CALLS].ensure()
    qtbot.waitUntil(lambda: not calls.loading and calls.model.rowCount() == 4)
    assert calls.title.text() == "Calls for Wed 9 Oct 2024"
    names = [f"{e.forename} {e.surname}" for e in calls.model.rows]
    # Ava not reached since yesterday comes first, her brother beside her
    assert names == ["Ava Brown", "Ben Brown", "Łucja Nguyễn", "Dan Smith"]
    ava = calls.model.rows[0]
    assert ava.unreached_flag and "home visit" in ava.next_step
    assert calls.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole).name() == "#c62828"
    assert calls.summary_label.text() == (
        "Absent with no reason: 4 (3 Oak 2, 4 Ash 1, 5 Elm 1)  ·  Reasons given: 0  ·  Late: 0"
    )

    # The call sheet, through QPrinter to a PDF
    sheet = tmp_path / "call-sheet.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(sheet))
    window_actions.printout_of(window).paint(printer)
    text = subprocess.run(["pdftotext", str(sheet), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    for name in ("Brown, Ava", "Brown, Ben", "Nguyễn, Łucja", "Smith, Dan", "07700 900001"):
        assert name in text

    # Three calls by keyboard: reason, Tab, code, Enter
    code_edit = calls.code_combo.lineEdit()
    for reason, code, expect_left in (
        ("Sickness bug, both children", "I", 2),  # Ava's call covers Ben
        ("Dentist this morning", "M", 1),
        ("Chickenpox", "I", 0),
    ):
        qtbot.keyClicks(calls.reason_edit, reason)
        qtbot.keyClick(calls.reason_edit, Qt.Key.Key_Tab)
        qtbot.keyClicks(code_edit, code)
        qtbot.keyClick(code_edit, Qt.Key.Key_Return)
        assert calls.last_logged is not None and calls.last_logged.entry.summary.endswith(
            f"reason: {reason} (code {code})"
        )
        qtbot.waitUntil(lambda n=expect_left: not calls.loading and calls.model.rowCount() == n)
        assert calls.reason_edit.text() == "" and calls.outcome_combo.currentIndex() == 0
        if expect_left:
            # the next pupil is chosen, ready for the next call
            assert calls.selected() is not None
    assert "Reasons given: 4" in calls.summary_label.text()

    # Afternoon: the MIS still has N for all four, morning and afternoon
    seen = {}
    import_through_the_dialog(window, export(tmp_path / "afternoon.csv", "N", "N"), seen)
    notes = [t for t in seen["preview"] if "office's code" in t]
    assert len(notes) == 8  # four pupils, two sessions: each keeps the office's code
    assert any("Ava Brown 09/10/2024 PM: N in the file; the office's code I is kept" in t
               for t in notes)  # fmt: skip
    qtbot.waitUntil(lambda: not calls.loading)
    assert calls.model.rowCount() == 0 and first_day_calls(window.db, DAY) == ()
    conn = window.db.raw_connection()
    codes = dict(
        conn.execute(
            "SELECT p.legal_forename || ' ' || m.session, m.code || ' ' || m.source FROM marks m "
            "JOIN pupils p ON p.id = m.pupil_id WHERE m.date = '2024-10-09'"
        ).fetchall()
    )
    conn.close()
    assert codes == {
        "Ava AM": "I office", "Ava PM": "I office", "Ben AM": "I office", "Ben PM": "I office",
        "Łucja AM": "M office", "Łucja PM": "M office", "Dan AM": "I office", "Dan PM": "I office",
    }  # fmt: skip

    # The changes for the MIS: all eight marks, with the MIS's N and the office's code
    window.show_page(MIS)
    page = window.pages[MIS].ensure()
    qtbot.waitUntil(lambda: not page.loading and page.model.rowCount() == 8)
    rows = [(c.pupil, c.session, c.mis_code, c.office_code) for c in page.model.rows]
    assert ("Brown, Ava", "PM", "N", "I") in rows and ("Nguyễn, Łucja", "AM", "N", "M") in rows
    assert all(c.why.startswith("First-day call: ") and c.who for c in page.model.rows)
    workbook = tmp_path / "changes.xlsx"
    window_actions.export_current(window, workbook)
    qtbot.waitUntil(lambda: workbook.exists())
    workers.wait_all()
    sheet_rows = list(load_workbook(workbook).active.iter_rows(values_only=True))
    assert sheet_rows[0][:7] == ("Pupil", "Class", "UPN", "Date", "Session", "MIS code",
                                 "Office code")  # fmt: skip
    assert len(sheet_rows) == 9
    assert {r[0] for r in sheet_rows[1:]} == {"Brown, Ava", "Brown, Ben", "Nguyễn, Łucja",
                                              "Smith, Dan"}  # fmt: skip


def test_a_date_chosen_by_hand_stays(qtbot, window: MainWindow, tmp_path: Path) -> None:  # noqa: ANN001
    window.set_date(date(2024, 10, 7))  # the officer looks at Monday
    assert window.date_by_hand
    import_through_the_dialog(window, export(tmp_path / "morning.csv", "N", ""), {})
    assert window.as_of == date(2024, 10, 7)


def test_f1_opens_the_guide(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.act_help.trigger()
    text = window.help_dialog.browser.toPlainText()
    for words in ("Morning: today's calls", "Listen and Understand", "Ctrl+I", "N\tReason"):
        assert words.split("\t")[0] in text
    window.help_dialog.close()


def test_codes_are_offered_where_a_code_is_typed(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    calls = window.pages[CALLS].ensure()
    completer = calls.code_combo.lineEdit().completer()
    assert completer is not None
    completer.setCompletionPrefix("c")
    found = [completer.completionModel().index(i, 0).data()
             for i in range(completer.completionCount())]  # fmt: skip
    assert found[0].startswith("C\u2003Leave of absence") and any(t.startswith("C2") for t in found)
    assert "Illness" in calls.code_combo.toolTip()
