"""At start: who is at the keyboard. Their name goes on every record; the choice is
remembered for this computer login (QSettings), so next time it is one keypress."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.staff import list_staff, sign_in, sign_out
from attendance_desk.user import audit_name, expect_sign_in, login_name

SETTING = "staff/name"


class SignInDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Who is using Attendance Desk?")
        self.combo = QComboBox(self)
        self.combo.setObjectName("staff_choice")
        for member in list_staff(db):
            self.combo.addItem(f"{member.name} ({member.role.label})", member.name)
        remembered = QSettings().value(SETTING)
        if remembered:
            self.combo.setCurrentIndex(max(self.combo.findData(str(remembered)), 0))
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.choose)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Your name goes on every record you make."))
        layout.addWidget(self.combo)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def choose(self) -> None:
        name = self.combo.currentData()
        try:
            sign_in(self.db, str(name))
        except UserError as exc:
            self.error.setText(str(exc))
            return
        QSettings().setValue(SETTING, name)
        self.accept()


def ask_who(db: Database, parent: QWidget | None = None) -> bool:
    """Ask who is at the keyboard when the school keeps a staff list; False if cancelled."""
    if not list_staff(db):
        # no staff on record yet: records, and the audit, carry the computer's login name
        if audit_name() != login_name():  # the audit was named for a sign-in that won't come
            sign_out(db)
        return True
    return SignInDialog(db, parent).exec() == QDialog.DialogCode.Accepted


def expect_the_last_sign_in() -> None:
    """Before the file is opened: the audit names the member of staff who signed in last at
    this login, so the same person opening again writes nothing to the file (its integrity
    verdict stays good for the commands that read it)."""
    remembered = QSettings().value(SETTING)
    expect_sign_in(str(remembered) if remembered else None)
