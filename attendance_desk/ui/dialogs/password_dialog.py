"""Asking for the password (on opening), and setting or changing it with the idle lock minutes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import APP_NAME
from attendance_desk.errors import UserError
from attendance_desk.services import access
from attendance_desk.services.database import Database


def password_field(parent: QWidget | None = None) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class PasswordDialog(QDialog):
    """Asks for the password until it is right (accepted) or the person gives up (rejected)."""

    def __init__(
        self, verify: Callable[[str], bool], prompt: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._verify = verify
        self.setWindowTitle(APP_NAME)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        self.password = password_field(self)
        self.password.setObjectName("password")
        layout.addWidget(self.password)
        self.message = QLabel("")
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #b00020")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self._try)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _try(self) -> None:
        if self._verify(self.password.text()):
            self.password.clear()
            self.accept()
            return
        self.password.clear()
        self.message.setText("That password is not right. Try again.")
        self.password.setFocus()


def ask_for_password(db: Database, parent: QWidget | None = None) -> bool:
    """On opening: True if no password is set or the right one was given."""
    if db.encrypted or not access.password_required(db):
        return True  # an encrypted database was opened with its password already
    dialog = PasswordDialog(
        lambda text: access.verify_password(db, text),
        f"Enter the password to open {APP_NAME}.",
        parent,
    )
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask_for_file_password(path: Path, parent: QWidget | None = None) -> str | None:
    """Before opening an encrypted database: the password that opens it, or None (cancelled)."""
    opened: list[str] = []

    def verify(text: str) -> bool:
        if access.password_opens(path, text):
            opened.append(text)
            return True
        return False

    dialog = PasswordDialog(verify, f"Enter the password to open {APP_NAME}.", parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not opened:
        return None
    return opened[-1]


class AccessSettingsDialog(QDialog):
    """Set, change or remove the password, and choose the idle lock minutes."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Password and lock")
        settings = access.access_settings(db)
        form = QFormLayout()
        self.current = password_field(self)
        self.current.setEnabled(settings.password_set)
        form.addRow("Current password", self.current)
        self.new = password_field(self)
        form.addRow("New password", self.new)
        self.confirm = password_field(self)
        form.addRow("New password again", self.confirm)
        self.remove = QCheckBox("Remove the password")
        self.remove.setEnabled(settings.password_set)
        form.addRow("", self.remove)
        self.minutes = QSpinBox(self)
        self.minutes.setRange(0, 240)
        self.minutes.setSpecialValueText("never")
        self.minutes.setSuffix(" minutes")
        self.minutes.setValue(settings.idle_lock_minutes)
        form.addRow("Lock when idle for", self.minutes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.on_server = getattr(db, "backend", "sqlite") == "postgresql"
        note = QLabel(
            f"With a password set, {APP_NAME} asks for it on opening and after the idle time. "
            f"Passwords need at least {access.MIN_PASSWORD_LENGTH} characters."
        )
        if self.on_server:  # said before anything is typed, not after (seen under Xvfb)
            note.setText(
                "A database on a PostgreSQL server is protected by the server's own accounts "
                f"(each person's login) and its encryption, not by an {APP_NAME} password, so "
                "there is no password or idle lock to set here: lock the PC itself when you "
                "leave it (Windows key + L)."
            )
            for field in (self.current, self.new, self.confirm, self.remove, self.minutes):
                field.setEnabled(False)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _save(self) -> None:
        if self.on_server:
            self.accept()  # nothing here applies to a server's database
            return
        try:
            if self.remove.isChecked():
                access.clear_password(self.db, self.current.text())
            elif self.new.text() or self.confirm.text():
                if self.new.text() != self.confirm.text():
                    raise UserError("the two new passwords are not the same")
                access.set_password(self.db, self.new.text(), current=self.current.text())
            access.set_idle_lock_minutes(self.db, self.minutes.value())
        except UserError as exc:
            self.message.setText(str(exc)[:1].upper() + str(exc)[1:] + ".")
            return
        self.accept()
