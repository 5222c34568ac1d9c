"""File > Move to another database: the school's records copied, every row, into an empty
PostgreSQL database (one database for several PCs), a trust's database beside its schools, or a
new file; this one is left as it is. Open on a trust's database, it asks which school to take
out (to a new file, or a server's database by way of one)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.services.database import Database
from attendance_desk.services.moving import (
    MoveResult,
    describe,
    is_server,
    move_to,
    trust_schools,
)
from attendance_desk.services.school_removal import RemovalOutcome, remove_from_trust, same_name
from attendance_desk.ui import file_places, workers
from attendance_desk.ui.screen_fit import resize_to_fit
from attendance_desk.ui.widgets.server_address import ADDRESS_HINT, ServerAddressFields

T = TypeVar("T")

INTRO = (
    "Copy every record of this school into another database, in one step: all of it or, if "
    "anything goes wrong, nothing. The database open now is left exactly as it is.\n\n"
    "A PostgreSQL server lets the office's PCs share one database. Ask whoever looks after "
    "the server for an empty database and its address; to join a trust whose database holds "
    "its schools already, its address as the trust's owner: the school is added beside them. "
    "A new file moves the school back to a single PC."
)
TRUST_INTRO = (
    "This is a trust's database: one of its schools is taken out, every record of that school "
    "and only that school (the trust's audit log is checked first, and the school's entries "
    "sealed as its own), to a new file of its own, or to a PostgreSQL database: an empty one, "
    "or another trust's beside its schools. The trust's database is left exactly as it is: "
    "the school stays in it until the trust removes it, a decision of its own (Remove from "
    "the trust, once the school has left)."
)
REMOVE_WARNING = (
    'This deletes school {school} "{name}" and every record of it from the trust\'s database: '
    "its pupils, marks, casework, letters and settings. Do it once the school has left the "
    "trust and its records have been taken out to a file of its own (Move).\n\n"
    "A backup of the whole database is taken first; the school's audit entries are cleared "
    "with their seals kept, and one entry records the removal.\n\n"
    "Type the school's &name to remove it:"
)


class _Progress(QObject):
    """How far the move or removal is, told from its worker thread to the dialog's."""

    changed = Signal(int, str)


class ConfirmRemoval(QDialog):
    """Says what removing the school deletes and asks for its name: Remove is pressed only
    once the name typed is the school's."""

    def __init__(self, school_id: int, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Remove a school from the trust")
        self.school_name = name
        warning = QLabel(REMOVE_WARNING.format(name=name, school=school_id))
        warning.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText(name)
        warning.setBuddy(self.name)
        buttons = QDialogButtonBox()
        self.remove_button = buttons.addButton(
            "&Remove", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.remove_button.setEnabled(False)
        self.remove_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.remove_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._typed)
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addWidget(self.name)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def _typed(self, text: str) -> None:
        self.remove_button.setEnabled(same_name(text, self.school_name))


class MoveDialog(QDialog):
    """Choose the target (a server's URL or a new file), Move, then read what was copied."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.result_: MoveResult | None = None
        self.removed_: RemovalOutcome | None = None
        self.work: workers.Worker | None = None  # the move or removal running, or last run
        self.working = False
        self.setWindowTitle("Move to another database")
        resize_to_fit(self, 640, 420)
        self.trust = trust_schools(db)  # None: the database is moved whole
        intro = QLabel(TRUST_INTRO if self.trust else INTRO)
        intro.setWordWrap(True)
        whose = "The trust's database" if self.trust else "This school's database"
        source = QLabel(f"{whose}: <b>{describe(db)}</b>")
        source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.to_server = QRadioButton("A &PostgreSQL database on a server")
        self.to_file = QRadioButton("A new database &file")
        group = QButtonGroup(self)
        group.addButton(self.to_server)
        group.addButton(self.to_file)
        self.server = ServerAddressFields()  # its password never shown
        self.file = QLineEdit()
        self.file.setPlaceholderText("school.sqlite3")
        choose = QPushButton("Choose\u2026")
        choose.clicked.connect(self._choose_file)
        self.school = QComboBox()  # the school taken out of a trust's database
        grid = QGridLayout()
        top = 0
        if self.trust is not None:  # first the school, then where it goes: a new file
            for each in self.trust.schools:
                self.school.addItem(f"{each.school_id} {each.name}", each.school_id)
            if self.trust.acting is not None:
                self.school.setCurrentIndex(max(self.school.findData(self.trust.acting), 0))
            school_label = QLabel("&School to take out:")
            school_label.setBuddy(self.school)
            grid.addWidget(school_label, 0, 0)
            grid.addWidget(self.school, 0, 1, 1, 2)
            top = 1
        grid.addWidget(self.to_server, top, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.server, top, 1, 1, 2)
        grid.addWidget(self.to_file, top + 1, 0)
        grid.addWidget(self.file, top + 1, 1)
        grid.addWidget(choose, top + 1, 2)
        (self.to_file if db.backend != "sqlite" else self.to_server).setChecked(True)
        # a choice made with its key (Alt+P, Alt+F) goes on to the address it needs
        self.to_server.clicked.connect(lambda: self.server.setFocus())
        self.to_file.clicked.connect(lambda: self.file.setFocus())
        self.server.edited.connect(lambda: self.to_server.setChecked(True))
        self.file.textEdited.connect(lambda _t: self.to_file.setChecked(True))
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.remove_button: QPushButton | None = None
        if self.trust is not None:  # a school that has left: removed from the trust's database
            self.remove_button = buttons.addButton(
                "&Remove from the trust\u2026", QDialogButtonBox.ButtonRole.ActionRole
            )
            self.remove_button.setToolTip(
                "Delete the chosen school and all its records from the trust's database, once it "
                "has left (a backup of the whole database is taken first)"
            )
            self.remove_button.clicked.connect(self.remove_school)
        self.move_button = buttons.addButton("&Move", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.move_button.clicked.connect(self.move_now)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(source)
        layout.addLayout(grid)
        layout.addWidget(self.progress)
        layout.addWidget(self.status, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        (self.server if self.to_server.isChecked() else self.file).setFocus()

    def target(self) -> str:
        return (self.server if self.to_server.isChecked() else self.file).text().strip()

    def _choose_file(self) -> None:
        chosen = file_places.save_file(
            self,
            "The new database file",
            file_places.DATABASES,
            "school.sqlite3",
            "Attendance Desk database (*.sqlite3)",
        )
        if chosen is not None:
            self.file.setText(str(chosen))
            self.to_file.setChecked(True)

    def move_now(self) -> workers.Worker | None:
        """Check the target, then move on a worker thread (the biggest trust's leave or join
        takes seconds): the dialog shows how far it is and cannot be closed meanwhile."""
        target = self.target()
        if not target:
            self.status.setText("Say where to move the school: a server's address or a new file.")
            return None
        if self.to_server.isChecked() and not is_server(target):
            self.status.setText(f"A server's address starts postgresql:// (e.g. {ADDRESS_HINT}).")
            return None
        school = self.school.currentData() if self.trust is not None else None
        self.status.setText("")
        self.work = self._run(
            move_to, self.db, target, school=school, done=self._moved, verb="moved"
        )
        return self.work

    def _moved(self, result: MoveResult) -> None:
        self.result_ = result
        listed = ", ".join(
            f"{result.rows.get(t, 0):,} {label}"
            for t, label in (
                ("pupils", "pupils"),
                ("marks", "marks"),
                ("letters", "letters"),
                ("cases", "cases"),
                ("audit_log", "audit entries"),
            )
            if result.rows.get(t)
        )
        address = result.target_address or result.target
        added = f" {result.added}" if result.added else ""
        if result.taken_out:
            added = (
                f' school {result.school_id} "{result.school_name}" out of the trust to '
                f"{result.target} {result.arrived}"
            )
        left = f"\n\n{result.left_behind}" if result.left_behind else ""
        self.status.setText(
            f"Moved{added}: {result.total:,} records in {len(result.rows)} tables ({listed}), "
            f"each table's count checked.{left}\n\nTo work on the moved school, open it: "
            f"File > Open database, or start Attendance Desk with --db {address}"
        )

    def remove_school(self) -> workers.Worker | None:
        """Ask for the chosen school's name typed in full, then remove it from the trust."""
        if self.trust is None:
            return None
        school_id = int(self.school.currentData())
        name = next((s.name for s in self.trust.schools if s.school_id == school_id), "")
        confirm = ConfirmRemoval(school_id, name, self)
        if confirm.exec() != QDialog.DialogCode.Accepted:
            self.status.setText("Nothing was removed.")
            return None
        return self.remove_typed(school_id, confirm.name.text())

    def remove_typed(self, school_id: int, typed: str) -> workers.Worker:
        """Remove the school on a worker thread (the backup of a big trust takes a while)."""

        def removed(outcome: RemovalOutcome) -> None:
            self.removed_ = outcome
            self.school.removeItem(self.school.findData(school_id))
            if self.trust is not None:  # the schools still there, without asking the server
                left = tuple(s for s in self.trust.schools if s.school_id != school_id)
                self.trust = replace(self.trust, schools=left)
            if self.remove_button is not None and self.school.count() <= 1:
                self.remove_button.setEnabled(False)  # a trust's last school stays
            self.status.setText(outcome.summary())

        self.work = self._run(
            remove_from_trust, self.db, school_id, typed, done=removed, verb="removed"
        )
        return self.work

    def _run(
        self,
        fn: Callable[..., T],
        *args: Any,
        done: Callable[[T], None],
        verb: str,
        **kwargs: Any,
    ) -> workers.Worker:
        """Run the move or the removal on a worker thread, its progress shown here; the
        dialog's buttons wait, and it cannot be closed, until it ends."""
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress.show()
        self._busy(True)
        told = _Progress(self)
        told.changed.connect(self._show_progress)

        def finished(result: T) -> None:
            self._busy(False)
            self.progress.setValue(100)
            done(result)

        def refused(message: str, detail: str) -> None:
            self._busy(False)
            self.progress.hide()
            self.status.setText(f"Nothing was {verb}: {message}")
            if not self.isVisible():
                return
            if detail:  # not a refusal but a fault: what went wrong, for whoever supports it
                box = QMessageBox(QMessageBox.Icon.Warning, f"Not {verb}", message, parent=self)
                box.setDetailedText(detail)
                box.open()
            else:
                QMessageBox.warning(self, f"Not {verb}", message)

        return workers.run_async(
            fn, *args, progress=told.changed.emit, on_finished=finished, on_error=refused, **kwargs
        )

    def _busy(self, busy: bool) -> None:
        self.working = busy
        for button in (self.move_button, self.close_button, self.remove_button):
            if button is not None:
                button.setEnabled(not busy)
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QApplication.restoreOverrideCursor()

    def reject(self) -> None:
        if not self.working:  # not closed while a school is being moved or removed
            super().reject()

    def _show_progress(self, percent: int, what: str) -> None:
        self.progress.setValue(percent)
        self.progress.setFormat(f"{what} %p%")
