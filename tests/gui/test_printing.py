"""Printing from the window: Ctrl+P through the print dialog, a preview, and what each page
prints (call sheet, pupil summary, lists as tables), checked in the PDF with pdftotext."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtPrintSupport import (
    QAbstractPrintDialog,
    QPrintDialog,
    QPrinter,
    QPrintPreviewDialog,
)
from PySide6.QtWidgets import QApplication

from attendance_desk.storage.db import Database
from attendance_desk.ui import printing, window_actions, workers
from attendance_desk.ui.main_window import CALLS, PUPILS, MainWindow
from tests.casework_school import DAY, build_school


@pytest.fixture
def window(qtbot, db: Database, tmp_path: Path):  # noqa: ANN001, ANN201
    ids = build_school(db)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=DAY, settings=settings)
    win.ids = ids
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.pupil_list.model.rows and win.pupil_list.model.rows[0].loaded)
    yield win
    workers.wait_all()


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def to_pdf(printout: printing.Printout, path: Path) -> str:
    printer = printing.new_printer(printout)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printout.paint(printer)
    return pdf_text(path)


def calls_page(qtbot, window: MainWindow):  # noqa: ANN001, ANN201
    window.show_page(CALLS)
    page = window.pages[CALLS].ensure()
    qtbot.waitUntil(lambda: not page.loading and page.model.rowCount() > 0)
    return page


def test_ctrl_p_goes_through_the_print_dialog_and_prints_the_call_sheet(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # noqa: ANN001
    calls_page(qtbot, window)
    target = tmp_path / "sheet.pdf"
    seen: dict[str, object] = {}

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QPrintDialog)
        seen["range"] = bool(
            dialog.options() & QAbstractPrintDialog.PrintDialogOption.PrintPageRange
        )
        seen["max"] = dialog.maxPage()
        dialog.accept()

    # A printer that writes to a file, as "Print to file (PDF)" in the dialog would.
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    QTimer.singleShot(200, answer)
    window_actions.print_current(window, printer)
    assert seen == {"range": True, "max": 1}
    text = pdf_text(target)
    # Ava (N N), Ben (no marks) and Dan (PM N) on Wed 9 Oct; Łucja was in school.
    assert "First-day calls — Wed 9 Oct 2024" in text
    for name in ("Brown, Ava", "Brown, Ben", "Smith, Dan", "1. 07700 900001", "Sarah Brown"):
        assert name in text
    assert "Nguy" not in text and "Notes" in text and "3 to call" in text
    # Ava's numbers in order: her mother's mobile, home, then her father's work number
    assert text.index("07700 900001") < text.index("01632 960001") < text.index("01632 960999")


def test_the_pupil_page_prints_as_a_one_page_summary(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # noqa: ANN001
    window.open_pupil(window.ids["ava"])
    qtbot.waitUntil(lambda: window.pupil_page.data is not None)
    target = tmp_path / "pupil.pdf"
    text = to_pdf(window_actions.printout_of(window), target)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert "Ava Brown" in text and "3 Oak" in text and "UPN A100000000001" in text
    assert "Year to date" in text and "Mrs Sarah Brown" in text
    # 2 Sep-9 Oct: 28 school days = 56 possible, 4 N: 52 attended, 92.9%
    assert "56" in text and "52" in text and "92.9%" in text


def words_on_page(path: Path) -> list[tuple[str, float, float]]:
    """Each word of the PDF's first page with its top and its height, in points."""
    out = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', out
    )
    return [(html.unescape(w), float(top), float(bottom) - float(top)) for top, bottom, w in found]


def test_a_list_prints_as_a_table(qtbot, window: MainWindow, tmp_path: Path) -> None:  # noqa: ANN001
    window.show_page(PUPILS)
    target = tmp_path / "list.pdf"
    text = to_pdf(window_actions.printout_of(window), target)
    for name in ("Brown", "Smith", "Nguy", "Figures as of Wed 9 Oct 2024"):
        assert name in text
    words = words_on_page(target)
    # the text is the size the printout says (9pt: DejaVu's box is 1.164 em), not a third
    # bigger, as every printout was (the page measured in points, the text at 96 dpi)
    heights = [h for w, _top, h in words if w == "Figures"]
    assert heights and abs(heights[0] - 9 * 1.164) < 0.3, heights
    # each pupil on one line, no word broken in two (it printed "Ambe r", UPNs in halves)
    lines: dict[int, set[str]] = {}
    for word, top, _h in words:
        lines.setdefault(round(top), set()).add(word)
    for row in window.pupil_list.proxy.visible_rows():
        line = next((words for words in lines.values() if row.upn in words), set())
        assert {f"{row.surname},", row.forename, row.upn} <= line, (row.upn, line)


def test_the_print_preview_shows_the_page(qtbot, window: MainWindow, tmp_path: Path) -> None:  # noqa: ANN001
    """Ctrl+Shift+P as a person presses it: the (modal) preview has the call sheet's pages,
    also once the printout it was made from is referenced by nothing but the dialog."""
    import gc

    from PySide6.QtPrintSupport import QPrintPreviewWidget

    calls_page(qtbot, window)
    seen: dict[str, int] = {}

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QPrintPreviewDialog):
            QTimer.singleShot(100, look)
            return
        gc.collect()
        preview = dialog.findChild(QPrintPreviewWidget)
        preview.updatePreview()
        seen["pages"] = preview.pageCount()
        dialog.grab().save(str(tmp_path / "preview.png"))
        dialog.reject()

    QTimer.singleShot(100, look)
    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert seen.get("pages", 0) >= 1
    assert (tmp_path / "preview.png").stat().st_size > 10_000
