"""The backup and audit dialogs, and the restore offer on a damaged database, driven by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from attendance_desk.services import backup as backups
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.models import AppSetting, Pupil
from attendance_desk.ui.dialogs.audit_dialog import AuditDialog
from attendance_desk.ui.dialogs.backup_dialog import BackupDialog, open_with_recovery


@pytest.fixture(autouse=True)
def app_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "appdata"))


def add_pupils(db: Database, n: int) -> None:
    with db.session() as s:
        s.add_all(Pupil(legal_surname=f"Surname{i}", legal_forename="Ann") for i in range(n))


def pupil_count(db: Database) -> int:
    with db.session() as s:
        return s.query(Pupil).count()


def answer_next_question(button: QMessageBox.StandardButton) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(50, click)

    QTimer.singleShot(50, click)


def test_back_up_now_and_restore_from_the_list(qtbot, db: Database) -> None:  # noqa: ANN001
    add_pupils(db, 2)
    dialog = BackupDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 0
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 1
    texts = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert texts[1:4] == ["By hand", "2", "0"]
    add_pupils(db, 5)
    with qtbot.waitSignal(dialog.restored, timeout=10000) as signal:
        answer_next_question(QMessageBox.StandardButton.Yes)
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert signal.args[0].restored_from.pupils == 2
    assert pupil_count(db) == 2  # the same Database object, now on the restored file
    kinds = {dialog.model.index(r, 1).data() for r in range(dialog.model.rowCount())}
    assert kinds == {"By hand", "Before a restore"}


def test_the_audit_dialog_filters_and_exports(qtbot, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    with db.session() as s:
        s.add(AppSetting(key="backup.folder", value_json='"D:/Backups"'))
        s.add(AppSetting(key="letters.signature", value_json='"Mrs Patel"'))
    dialog = AuditDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.proxy.rowCount() == 2
    qtbot.keyClicks(dialog.search, "patel")
    assert dialog.proxy.rowCount() == 1
    assert dialog.count_label.text() == "1 of 2 changes"
    with qtbot.waitSignal(dialog.exported, timeout=30000) as written:
        out = dialog.export(tmp_path / "audit.xlsx")  # on a worker thread, not the GUI's
    assert written.args[0].path == out and written.args[0].rows == 1
    rows = list(load_workbook(out).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and "Mrs Patel" in rows[0]


def test_a_damaged_database_is_offered_the_latest_backup(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "school.sqlite3"
    db = open_database(path)
    add_pupils(db, 3)
    backups.make_backup(db, kind=backups.DAILY)
    db.close()
    damaged = bytearray(path.read_bytes())
    damaged[100:4096] = b"\x55" * (4096 - 100)  # the schema's page wrecked, the header intact
    path.write_bytes(bytes(damaged))
    answer_next_question(QMessageBox.StandardButton.Yes)
    reopened = open_with_recovery(path)
    assert reopened is not None
    assert pupil_count(reopened) == 3
    reopened.close()
    kept = list(tmp_path.glob("school.damaged-*.sqlite3"))
    assert len(kept) == 1 and kept[0].read_bytes() == bytes(damaged)


def test_a_file_found_damaged_after_opening_is_mended_by_a_restore_in_the_window(
    qtbot,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The full check finds a wrecked page after the window is up: it says so and turns off
    what writes. File > Backup and restore…, Restore…, Yes: the restored file is checked
    afresh, writing is on again (its tooltip as before) and the officer's next change is
    kept, where it used to be refused for the old verdict until the program was restarted."""
    from PySide6.QtCore import QSettings

    from attendance_desk.services.backup import daily_backup_if_due
    from attendance_desk.ui import integrity_watch, workers
    from attendance_desk.ui.dialogs import backup_dialog
    from attendance_desk.ui.main_window import MainWindow
    from tests.storage.test_integrity import root_page, school_file, wreck_page

    path = school_file(tmp_path / "school.sqlite3", pupils=3)
    db = open_database(path)
    backups.make_backup(db, kind=backups.DAILY)
    db.close()
    wreck_page(path, root_page(path, "ix_pupils_mis_person_id"))  # opens; the check fails
    db = open_database(path, check="later")
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, _text: said.append(title))
    win = MainWindow(db, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    integrity_watch.watch_integrity(win, db, daily_backup_if_due)
    try:
        qtbot.waitUntil(lambda: said == ["The database is damaged"], timeout=20000)
        assert not win.act_import.isEnabled()
        assert win.act_import.toolTip().endswith("(the database is damaged)")

        def restore_the_latest() -> None:  # as a person does, in the dialog File opens
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, backup_dialog.BackupDialog):
                QTimer.singleShot(50, restore_the_latest)
                return
            answer_next_question(QMessageBox.StandardButton.Yes)
            qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
            dialog.close_button.click()

        QTimer.singleShot(0, restore_the_latest)
        win.act_backup.trigger()
        assert win.act_import.isEnabled() and "damaged" not in win.act_import.toolTip()
        assert win.statusBar().currentMessage().startswith("Restored the backup taken ")
        qtbot.waitUntil(lambda: db.integrity.done, timeout=20000)
        assert db.integrity.report().ok and said == ["The database is damaged"]
        add_pupils(db, 1)  # a change is kept again
        assert pupil_count(db) == 4
    finally:
        workers.wait_all()
        win.close()
        db.close()
