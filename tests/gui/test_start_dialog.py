"""Where the school's database is: the first start's question, asked again (saying why) when the
server's database this PC opens does not open, and Settings > This PC."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from attendance_desk import app
from attendance_desk.paths import start_database_file
from attendance_desk.services.database import (
    choose_start_database,
    chosen_database,
    default_database_path,
)
from attendance_desk.storage.db import open_database
from attendance_desk.ui.dialogs.settings_dialog import SettingsDialog
from attendance_desk.ui.dialogs.start_dialog import ask_where_the_school_is
from attendance_desk.ui.main_window import MainWindow
from tests.another_copy import another_copy
from tests.casework_school import DAY, build_school


def _press(label: str, seen: list[str]) -> None:
    """Press the button `label` of the question when it shows, noting its text."""

    def press() -> None:
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()
            ),
            None,
        )
        if box is None:
            QTimer.singleShot(50, press)
            return
        seen.append(box.text())
        next(b for b in box.findChildren(QPushButton) if b.text() == label).click()

    QTimer.singleShot(50, press)


def test_the_first_start_asks_and_a_new_school_is_the_file_here(qtbot) -> None:  # noqa: ANN001
    assert app._first_start()  # nothing chosen for this PC, no school file yet
    seen: list[str] = []
    _press("A new school on this PC", seen)
    assert ask_where_the_school_is() == "new"
    assert "Where is your school's attendance database?" in seen[0]
    assert chosen_database() == default_database_path()


def test_a_server_that_did_not_open_is_said_and_a_new_school_can_be_chosen(qtbot) -> None:  # noqa: ANN001
    choose_start_database("postgresql://office@db.school.example:5432/attendance")
    assert not app._first_start()
    seen: list[str] = []
    _press("A new school on this PC", seen)
    chosen = ask_where_the_school_is(
        problem="fe_sendauth: no password supplied", suggested=str(chosen_database())
    )
    assert chosen == "new"
    assert "office@db.school.example:5432/attendance, did not open" in seen[0]
    assert "no password supplied" in seen[0]
    assert not start_database_file().exists()  # the school file here from now on
    _press("Cancel", seen)
    assert ask_where_the_school_is() is None


def test_settings_this_pc_opens_this_database_at_start(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    db = open_database(tmp_path / "office.sqlite3")
    build_school(db)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=DAY, settings=settings)
    qtbot.addWidget(win)
    try:
        dialog = SettingsDialog(db, win.hub, win, as_of=DAY)
        qtbot.addWidget(dialog)
        tab = dialog.this_pc
        assert "the school file in your user folder" in tab.start_label.text()
        assert not tab.this_one.isChecked()
        tab.this_one.setChecked(True)
        dialog.school_tab.edits["name"].setText("Oakfield Primary")  # Settings needs a name
        dialog.save()
        assert str(chosen_database()) == db.label
        again = SettingsDialog(db, win.hub, win, as_of=DAY)
        qtbot.addWidget(again)
        assert again.this_pc.this_one.isChecked()
        assert "office.sqlite3" in again.this_pc.start_label.text()
        again.this_pc.this_one.setChecked(False)
        again.save()
        assert chosen_database() == default_database_path()
    finally:
        win.close()
        db.close()


def _press_in_turn(labels: list[str], seen: list[str]) -> None:
    """Press each of `labels` on each question in turn as it shows, noting its text (until
    `labels` is emptied: a test that failed early stops it)."""

    def press() -> None:
        if not labels:
            return
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible() and w.text() not in seen[-1:]
            ),
            None,
        )
        if box is None:
            QTimer.singleShot(50, press)
            return
        seen.append(box.text())
        label = labels.pop(0)
        next(b for b in box.findChildren(QPushButton) if b.text() == label).click()
        if labels:
            QTimer.singleShot(50, press)

    QTimer.singleShot(50, press)


def test_the_demo_open_in_another_copy_is_said_and_the_question_asked_again(qtbot) -> None:  # noqa: ANN001
    """Chosen at the first start while another copy worked in the demo, the demo did not open
    and the window closed with nothing said (the reason only on the console)."""
    from datetime import date

    from attendance_desk.demo import create_demo_database

    path = app.demo_database_path()
    create_demo_database(path, seed=7, as_of=date(2025, 10, 1))
    with another_copy(path) as holder:
        assert app._first_start()
        seen: list[str] = []
        labels = ["Try the demo school", "Cancel"]
        _press_in_turn(labels, seen)
        try:
            assert app.run_window() == 0
        finally:
            labels.clear()
        assert len(seen) == 2, seen
        assert "The demo school did not open" in seen[1]
        assert "another copy of Attendance Desk" in seen[1] and str(holder.pid) in seen[1]
        assert path.exists()
