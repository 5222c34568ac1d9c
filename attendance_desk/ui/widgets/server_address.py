"""A PostgreSQL server's address and its password, asked apart so that the password is never
on the screen: typed into a field that shows dots, and, written into the address
(user:password@), moved there as soon as the address is left or set."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from attendance_desk.services.database import (
    is_database_url,
    server_address,
    server_password,
)

ADDRESS_HINT = "postgresql://user@host/dbname"
PASSWORD_HINT = "if the server asks for one"


class ServerAddressFields(QWidget):
    """The address (`address`) above its password (`password`, shown as dots). `text()` is
    the address to connect to, the password written in it; `edited` when either is typed in."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None, hint: str = ADDRESS_HINT) -> None:
        super().__init__(parent)
        self.address = QLineEdit()
        self.address.setPlaceholderText(hint)
        self.address.setAccessibleName("Server address")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(PASSWORD_HINT)
        self.password.setAccessibleName("Password")
        said = QLabel("Pass&word:")
        said.setBuddy(self.password)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(said)
        row.addWidget(self.password, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.address)
        layout.addLayout(row)
        self.setFocusProxy(self.address)
        self.address.editingFinished.connect(self._hide_password)
        self.address.textEdited.connect(lambda _t: self.edited.emit())
        self.password.textEdited.connect(lambda _t: self.edited.emit())

    def setText(self, text: str) -> None:  # noqa: N802 (as QLineEdit's)
        """Show `text` as the address, any password in it moved to the password field."""
        self.address.setText(text)
        self._hide_password()

    def text(self) -> str:
        """The address to connect to: as typed, with the password field's password in it."""
        typed = self.address.text().strip()
        password = self.password.text()
        if not password or not is_database_url(typed):
            return typed
        return server_address(typed, password)

    def _hide_password(self) -> None:
        typed = self.address.text().strip()
        if not is_database_url(typed):
            return
        password = server_password(typed)
        if password:
            self.password.setText(password)
            self.address.setText(server_address(typed, ""))
