"""The password (salted scrypt hash only), and the idle lock driven as a person would."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow

from attendance_desk.errors import UserError
from attendance_desk.services import access
from attendance_desk.services.audit import audit_rows
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import AppSetting
from attendance_desk.ui.dialogs.password_dialog import AccessSettingsDialog, PasswordDialog
from attendance_desk.ui.idle_lock import IdleLock, install_idle_lock

PASSWORD = "correct horse"


def test_no_password_by_default(db: Database) -> None:
    assert not access.password_required(db)
    assert access.verify_password(db, "anything")


def test_a_password_is_stored_only_as_a_salted_hash(db: Database) -> None:
    access.set_password(db, PASSWORD)
    assert access.verify_password(db, PASSWORD)
    assert not access.verify_password(db, "correct horsE")
    assert not access.verify_password(db, "")
    with db.session() as s:
        stored = json.loads(s.get(AppSetting, access.PASSWORD_KEY).value_json)
    assert stored["scheme"] == "scrypt" and len(bytes.fromhex(stored["salt"])) == 16
    assert (stored["n"], stored["r"], stored["p"]) == (2**17, 8, 1)  # OWASP's scrypt cost
    assert PASSWORD not in json.dumps(stored)
    first_hash = stored["hash"]
    access.set_password(db, PASSWORD, current=PASSWORD)  # a new salt each time
    with db.session() as s:
        assert json.loads(s.get(AppSetting, access.PASSWORD_KEY).value_json)["hash"] != first_hash
    changes = [r for r in audit_rows(db, entity="setting") if r.entity_id == access.PASSWORD_KEY]
    assert changes and all(first_hash not in (r.new_json or "") for r in changes)


def test_changing_or_clearing_needs_the_current_password(db: Database) -> None:
    access.set_password(db, PASSWORD)
    with pytest.raises(UserError, match="current password"):
        access.set_password(db, "another password")
    with pytest.raises(UserError, match="current password"):
        access.clear_password(db, "wrong one")
    with pytest.raises(UserError, match="at least 8"):
        access.set_password(db, "short", current=PASSWORD)
    access.clear_password(db, PASSWORD)
    assert not access.password_required(db)


def test_idle_lock_minutes(db: Database) -> None:
    assert access.idle_lock_minutes(db) == access.DEFAULT_IDLE_MINUTES
    access.set_idle_lock_minutes(db, 3)
    assert access.access_settings(db) == access.AccessSettings(False, 3)
    with pytest.raises(UserError):
        access.set_idle_lock_minutes(db, -1)


def test_the_window_locks_when_idle_and_unlocks_with_the_password(qtbot, db: Database) -> None:  # noqa: ANN001
    access.set_password(db, PASSWORD)
    window = QMainWindow()
    window.setCentralWidget(QLabel("Pupil: Zoë O'Brien, 84.2%"))
    qtbot.addWidget(window)
    window.show()
    lock = IdleLock(
        window, lambda text: access.verify_password(db, text), minutes=10, interval_ms=300
    )
    with qtbot.waitSignal(lock.locked, timeout=5000):
        pass
    assert lock.is_locked and lock.overlay.isVisible()
    assert not window.centralWidget().isEnabled()
    assert lock.overlay.geometry() == window.rect()  # the content is covered

    qtbot.keyClicks(lock.overlay.password, "wrong password")
    qtbot.mouseClick(lock.overlay.unlock_button, Qt.MouseButton.LeftButton)
    assert lock.is_locked and "not right" in lock.overlay.message.text()
    assert lock.overlay.password.text() == ""

    qtbot.keyClicks(lock.overlay.password, PASSWORD)
    with qtbot.waitSignal(lock.unlocked, timeout=5000):
        qtbot.keyClick(lock.overlay.password, Qt.Key.Key_Return)
    assert not lock.is_locked and not lock.overlay.isVisible()
    assert window.centralWidget().isEnabled()
    with qtbot.waitSignal(lock.locked, timeout=5000):  # idle again: locks again
        pass


def test_activity_keeps_the_window_unlocked(qtbot, db: Database) -> None:  # noqa: ANN001
    window = QMainWindow()
    window.setCentralWidget(QLabel("content"))
    qtbot.addWidget(window)
    window.show()
    lock = IdleLock(window, lambda _text: True, minutes=10, interval_ms=800)
    for _ in range(6):
        qtbot.wait(250)
        qtbot.keyClick(window.centralWidget(), Qt.Key.Key_Shift)
    assert not lock.is_locked
    qtbot.waitUntil(lambda: lock.is_locked, timeout=5000)


def test_no_idle_lock_without_a_password(qtbot, db: Database) -> None:  # noqa: ANN001
    window = QMainWindow()
    qtbot.addWidget(window)
    assert install_idle_lock(window, db) is None
    access.set_password(db, PASSWORD)
    assert isinstance(install_idle_lock(window, db), IdleLock)


def test_the_password_dialog(qtbot, db: Database) -> None:  # noqa: ANN001
    access.set_password(db, PASSWORD)
    dialog = PasswordDialog(lambda t: access.verify_password(db, t), "Enter the password")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password, "nope")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "not right" in dialog.message.text()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == PasswordDialog.DialogCode.Accepted


def test_setting_the_password_in_the_settings_dialog(qtbot, db: Database) -> None:  # noqa: ANN001
    dialog = AccessSettingsDialog(db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.new, PASSWORD)
    qtbot.keyClicks(dialog.confirm, "different!")
    dialog._save()
    assert "not the same" in dialog.message.text() and not access.password_required(db)
    dialog.confirm.clear()
    qtbot.keyClicks(dialog.confirm, PASSWORD)
    dialog.minutes.setValue(5)
    dialog._save()
    assert access.verify_password(db, PASSWORD) and access.password_required(db)
    assert access.idle_lock_minutes(db) == 5
