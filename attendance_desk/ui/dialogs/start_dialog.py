"""Where the school's database is: asked at a PC's first start (a new school on this PC, a
database on a PostgreSQL server the office's PCs share, or the demo school), and the address
of a server's database wherever the window asks for one (File > Open a database on a server,
Settings > This PC)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from attendance_desk.services.database import (
    check_server,
    choose_start_database,
    database_shown,
    is_database_url,
    keep_server_password,
    server_password_given,
)
from attendance_desk.ui.widgets.server_address import ServerAddressFields

SERVER_PROMPT = (
    "The school's database on a PostgreSQL server, shared by several PCs: its address "
    "(postgresql://user@server/database), and the password where the server asks for one "
    "and this PC does not keep it (in the server's password file, or PGPASSWORD)."
)


class ServerAddressDialog(QDialog):
    """The address of a server's database, its password asked apart and never shown."""

    def __init__(
        self, parent: QWidget | None, suggested: str, retype_password: bool = False
    ) -> None:
        super().__init__(parent)
        self.retype_password = retype_password  # the server refused it: ready to type again
        self.setWindowTitle("Open a database on a server")
        prompt = QLabel(SERVER_PROMPT)
        prompt.setWordWrap(True)
        self.fields = ServerAddressFields(self)
        self.fields.setText(suggested)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.fields)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self.retype_password:  # the dots selected: what is typed replaces them
            self.fields.password.setFocus(Qt.FocusReason.OtherFocusReason)
            self.fields.password.selectAll()


def ask_server_address(
    parent: QWidget | None, suggested: str = "postgresql://", retype_password: bool = False
) -> str | None:
    """The address of a database on a server, as typed (None: cancelled); asked again, saying
    why, until it is one. `retype_password`: the server refused the one given, so the password
    field comes up focused, its dots selected."""
    text = suggested
    while True:
        dialog = ServerAddressDialog(parent, text, retype_password)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        text = dialog.fields.text().strip()
        dialog.deleteLater()
        if not accepted or not text:
            return None
        if is_database_url(text):
            return text
        QMessageBox.warning(
            parent,
            "Open a database on a server",
            f"{text} is not a PostgreSQL address: it starts postgresql://",
        )


def _why(address: str, exc: Exception) -> str:
    said = (str(exc).strip().splitlines() or [repr(exc)])[0]
    shown = database_shown(address)
    return said if shown in said else f"Could not open {shown}: {said}"


def connect_for_this_pc(parent: QWidget | None, suggested: str = "postgresql://") -> str | None:
    """Ask for a server's database, connect to it (its schema made or upgraded), and keep it
    as the database this PC opens at start; the address as typed (None: cancelled). A server
    not reached, or a password refused, is said and asked again."""
    address = ask_server_address(parent, suggested)
    while address is not None:
        try:
            check_server(address)
        except Exception as exc:  # noqa: BLE001 - whatever stops it is said, then asked again
            QMessageBox.warning(
                parent,
                "Open a database on a server",
                _why(address, exc),
            )
            refused = "password" in str(exc).lower()  # libpq: "password authentication failed"
            address = ask_server_address(parent, address, retype_password=refused)
            continue
        choose_start_database(address)
        if server_password_given(address):
            keep = QMessageBox.question(
                parent,
                "Keep the password?",
                "Keep the password for this PC, so that Attendance Desk opens the database "
                "without asking? It goes in your PostgreSQL password file (pgpass), which only "
                "you can read; the address is kept without it.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes,
            )
            if keep == QMessageBox.StandardButton.Yes:
                keep_server_password(address)
        return address
    return None


def ask_where_the_school_is(
    parent: QWidget | None = None,
    problem: str = "",
    suggested: str = "postgresql://",
    demo_problem: str = "",
) -> str | None:
    """At a PC's first start, or when the server's database chosen for it did not open
    (`problem`, said first) or the demo chosen did not (`demo_problem`): "new" (a new school
    in a file on this PC, kept as the one it opens), "demo", the address of a server's
    database (connected to, and kept for this PC's next starts), or None (the person closed
    the question: nothing is made)."""
    while True:
        box = QMessageBox(parent)
        told = problem or demo_problem
        box.setWindowTitle("Welcome to Attendance Desk" if not told else "Attendance Desk")
        box.setIcon(QMessageBox.Icon.Question if not told else QMessageBox.Icon.Warning)
        where = "<b>Where is your school's attendance database?</b>"
        if problem:
            shown = html.escape(database_shown(suggested))
            where = (
                f"<b>The school's database on the server, {shown}, did not open:</b><br>"
                f"{html.escape(problem)}<br><br>{where}"
            )
        elif demo_problem:
            where = (
                f"<b>The demo school did not open:</b><br>{html.escape(demo_problem)}"
                f"<br><br>{where}"
            )
        box.setText(where)
        box.setInformativeText(
            "<p><b>A new school on this PC</b>: kept in a file in your user folder, readable "
            "only by you. Import the registers your MIS exports next.</p>"
            "<p><b>A database on a server</b>: a PostgreSQL database the office's PCs share, "
            "so several people work at once (or a trust's schools). Your IT support gives "
            "the address.</p>"
            "<p><b>The demo school</b>: made-up children, to look around first.</p>"
        )
        new = box.addButton("A new school on this PC", QMessageBox.ButtonRole.AcceptRole)
        server = box.addButton("A database on a server…", QMessageBox.ButtonRole.ActionRole)
        demo = box.addButton("Try the demo school", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(server if problem else new)
        box.exec()
        clicked = box.clickedButton()
        if clicked is new:
            choose_start_database(None)  # the school file in the data folder from now on
            return "new"
        if clicked is demo:
            return "demo"
        if clicked is not server:
            return None
        address = connect_for_this_pc(
            parent, suggested if is_database_url(suggested) else "postgresql://"
        )
        if address is not None:
            return address
        # cancelled the address: the question again
