"""File > Move to another database, driven by hand: the school goes to a new file (and to a
PostgreSQL database when a test server is named), every row kept; a school is never moved over
another, and the window says why."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Pupil
from attendance_desk.ui.dialogs.move_dialog import MoveDialog
from tests.conftest import postgres_database


def add_pupils(db: Database, n: int) -> None:
    with db.session() as s:
        s.add_all(Pupil(legal_surname=f"Surname{i}", legal_forename="Ann") for i in range(n))


def test_the_school_moves_to_a_new_file_and_not_over_another(
    qtbot,  # noqa: ANN001
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_pupils(db, 3)
    dialog = MoveDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.to_server.isChecked()  # from a file, the usual move is to a server
    target = tmp_path / "moved.sqlite3"
    qtbot.keyClicks(dialog.file, str(target))
    assert dialog.to_file.isChecked()
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    assert "Moved:" in dialog.status.text() and "3 pupils" in dialog.status.text()
    assert f"--db {target}" in dialog.status.text()
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 3
    conn.close()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)  # the same file again
    assert "already holds a school's data" in dialog.status.text()
    assert warned and "nothing was changed" in warned[0]


def test_a_server_address_is_checked_then_the_school_moves_there(
    qtbot,  # noqa: ANN001
    db: Database,
) -> None:
    add_pupils(db, 2)
    dialog = MoveDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.server, "db.school.local/attendance")
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    assert "starts postgresql://" in dialog.status.text()
    with postgres_database() as url:
        dialog.server.setText(url)
        qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
        QApplication.processEvents()
        assert dialog.result_ is not None and dialog.result_.rows["pupils"] == 2
        assert "Moved:" in dialog.status.text()
