"""File > Move to another database, driven by hand: the school goes to a new file (and to a
PostgreSQL database when a test server is named), every row kept; a school is never moved over
another, and the window says why."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox

from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Pupil
from attendance_desk.ui.dialogs.move_dialog import MoveDialog
from tests.conftest import postgres_database
from tests.trust_school import trust_owner_database


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
    # moving on a worker thread: the dialog stays open and its buttons wait
    assert dialog.working and not dialog.move_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.working, timeout=30000)
    assert dialog.move_button.isEnabled() and dialog.close_button.isEnabled()
    assert "Moved:" in dialog.status.text() and "3 pupils" in dialog.status.text()
    assert f"--db {target}" in dialog.status.text()
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 3
    conn.close()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)  # the same file again
    qtbot.waitUntil(lambda: not dialog.working, timeout=30000)
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
    qtbot.keyClicks(dialog.server.address, "db.school.local/attendance")
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    assert "starts postgresql://" in dialog.status.text()
    with postgres_database() as url:
        dialog.server.setText(url)
        qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.working, timeout=30000)
        assert dialog.result_ is not None and dialog.result_.rows["pupils"] == 2
        assert "Moved:" in dialog.status.text()


def test_the_server_s_password_is_typed_apart_and_never_shown(
    qtbot,  # noqa: ANN001
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server's login has a password: typed in its own field (dots), a wrong one is
    refused by the server and the right one moves the school; the password is never in the
    address field or anything the dialog says. Written into an address, it is moved out of it
    into the password field."""
    add_pupils(db, 2)
    dialog = MoveDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    with trust_owner_database() as url:  # an empty database, its login's password in the URL
        password = urlsplit(url).password or ""
        assert len(password) > 8
        bare = url.replace(f":{password}@", "@")
        assert dialog.server.password.echoMode() == QLineEdit.EchoMode.Password
        qtbot.keyClicks(dialog.server.address, bare)
        qtbot.keyClicks(dialog.server.password, "not-the-password")
        qtbot.keyClick(dialog.server.password, Qt.Key.Key_Return)  # Enter: Move
        qtbot.waitUntil(lambda: not dialog.working, timeout=30000)
        assert dialog.result_ is None and "Nothing was moved" in dialog.status.text()
        assert "password" in dialog.status.text()  # the server's refusal, said
        assert "not-the-password" not in dialog.status.text() + "".join(warned)
        dialog.server.password.clear()
        qtbot.keyClicks(dialog.server.password, password)
        qtbot.keyClick(dialog.server.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.working, timeout=30000)
        assert dialog.result_ is not None and dialog.result_.rows["pupils"] == 2
        said = dialog.status.text()
        assert "Moved:" in said and password not in said
        assert dialog.server.address.text() == bare
        dialog.server.setText(url)  # written into the address: taken out of it
        assert dialog.server.address.text() == bare
        assert dialog.server.password.text() == password
        assert dialog.server.text() == url


def test_a_school_that_left_is_removed_from_the_trust_with_its_name_typed(
    qtbot,  # noqa: ANN001
) -> None:
    """On a trust's database, Remove from the trust says what goes and asks for the chosen
    school's name: Remove stays off until it is typed in full; Escape removes nothing; typed
    and Enter pressed, the school is removed (a backup first), the list of schools loses it
    and the trust's last school cannot be removed."""
    from trust_school import built_trust, trust_owner_database

    from attendance_desk.storage.db import open_database
    from attendance_desk.ui.dialogs.move_dialog import ConfirmRemoval

    def when_asked(act: Callable[[ConfirmRemoval], None]) -> None:
        def look() -> None:
            shown = QApplication.activeModalWidget()
            if isinstance(shown, ConfirmRemoval):
                act(shown)
            else:
                QTimer.singleShot(50, look)

        QTimer.singleShot(50, look)

    seen: list[str] = []

    def type_part_then_escape(confirm: ConfirmRemoval) -> None:
        seen.append(confirm.findChild(QLabel).text())
        qtbot.keyClicks(confirm.name, "Riverside")
        seen.append(str(confirm.remove_button.isEnabled()))
        qtbot.keyClick(confirm.name, Qt.Key.Key_Escape)

    def type_all_then_enter(confirm: ConfirmRemoval) -> None:
        qtbot.keyClicks(confirm.name, " riverside primary")
        seen.append(str(confirm.remove_button.isEnabled()))
        qtbot.keyClick(confirm.name, Qt.Key.Key_Return)

    with trust_owner_database() as url:
        schools = built_trust(url)
        db = open_database(url)
        try:
            dialog = MoveDialog(db)
            qtbot.addWidget(dialog)
            dialog.show()
            assert dialog.remove_button is not None and dialog.school.count() == 2
            dialog.school.setFocus()
            qtbot.keyClicks(dialog.school, "2")  # the school chosen by its number, as typed
            assert dialog.school.currentData() == schools["riverside"]
            when_asked(type_part_then_escape)
            qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
            assert '"Riverside Primary"' in seen[0] and "backup" in seen[0]
            assert seen[1] == "False" and dialog.status.text() == "Nothing was removed."
            assert dialog.school.count() == 2
            when_asked(type_all_then_enter)
            qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
            assert seen[2] == "True"
            # removing on a worker thread: the dialog stays open and its buttons wait
            assert dialog.working and not dialog.close_button.isEnabled()
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
            assert dialog.isVisible()
            qtbot.waitUntil(lambda: dialog.removed_ is not None, timeout=30000)
            assert 'Removed school 2 "Riverside Primary"' in dialog.status.text()
            assert dialog.close_button.isEnabled() and not dialog.working
            assert dialog.school.count() == 1 and not dialog.remove_button.isEnabled()
            conn = db.raw_connection()
            try:
                with conn:
                    conn.execute("SELECT set_config('attendance_desk.school', '', true)")
                    names = conn.execute("SELECT name FROM schools").fetchall()
            finally:
                conn.close()
            assert [n[0] for n in names] == ["Oakfield Primary"]
        finally:
            db.close()
