"""Settings > This PC: which database Attendance Desk opens when it starts on this PC (and
every command run without --db): the school file in the user's folder, this database, or a
database on a PostgreSQL server the office's PCs share. Kept per PC user, not in the school's
database."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.services.database import (
    Database,
    choose_start_database,
    chosen_database,
    database_shown,
    default_database_path,
)
from attendance_desk.ui.dialogs.start_dialog import connect_for_this_pc


def _same(a: object, b: object) -> bool:
    return str(a) == str(b)


class ThisPcTab(QWidget):
    """What this PC opens at start; `open_now`: a server's database chosen here, for the
    window to open when Settings closes ("" when none was)."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.open_now = ""
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>When Attendance Desk starts on this PC it opens:</b>", self))
        self.start_label = QLabel(self)
        self.start_label.setObjectName("startDatabase")
        self.start_label.setWordWrap(True)
        layout.addWidget(self.start_label)
        self.this_one = QCheckBox(
            f"Open this database ({database_shown(db.label)}) when Attendance Desk starts", self
        )
        self.this_one.setObjectName("openThisAtStart")
        self.this_one.setChecked(_same(chosen_database(), db.label))
        layout.addWidget(self.this_one)
        row = QHBoxLayout()
        self.server_button = QPushButton("Use a database on a server…", self)
        self.server_button.setObjectName("useServer")
        self.server_button.setToolTip(
            "A PostgreSQL database the office's PCs share: connect to it, open it now, and "
            "open it whenever Attendance Desk starts here"
        )
        self.server_button.clicked.connect(self._use_server)
        row.addWidget(self.server_button)
        row.addStretch(1)
        layout.addLayout(row)
        note = QLabel(
            "This is kept for you on this PC (the commands run without --db follow it too); "
            "a server's password is not kept here: it comes from the server's password file "
            "(pgpass) or PGPASSWORD.",
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        layout.addStretch(1)
        self._show_start()

    def _show_start(self) -> None:
        start = chosen_database()
        shown = database_shown(str(start))
        if _same(start, default_database_path()):
            text = f"the school file in your user folder ({shown})"
        elif isinstance(start, str):
            text = f"{shown}, a database on a PostgreSQL server"
        else:
            text = f"the school file {shown}"
        self.start_label.setText(text)

    def _use_server(self) -> None:
        address = connect_for_this_pc(self)
        if address is None:
            return
        self.open_now = address
        self.this_one.setChecked(False)  # the server's, not this one
        self.this_one.setEnabled(False)
        self._show_start()

    def save(self) -> None:
        """Keep the choice (nothing to do when a server's database was chosen: it is kept)."""
        if self.open_now or not self.this_one.isEnabled():
            return
        here = _same(chosen_database(), self.db.label)
        if self.this_one.isChecked() and not here:
            choose_start_database(self.db.label)
        elif not self.this_one.isChecked() and here:
            choose_start_database(None)
