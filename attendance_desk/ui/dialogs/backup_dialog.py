"""Backups in the window: the list (date, kind, pupils, marks), back up now, restore; and the
offer to restore the latest backup when the database cannot be opened."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.dates import day_text
from attendance_desk.errors import UserError
from attendance_desk.services import backup as backups
from attendance_desk.services.backup import BackupInfo
from attendance_desk.services.database import (
    DamagedDatabaseError,
    Database,
    DatabaseInUseError,
    open_database,
    set_aside,
)
from attendance_desk.ui.models.table import Column, RowTableModel
from attendance_desk.ui.screen_fit import resize_to_fit

KIND_NAMES = {
    backups.DAILY: "Daily",
    backups.PRE_IMPORT: "Before an import",
    backups.MANUAL: "By hand",
    backups.PRE_RESTORE: "Before a restore",
    "": "Other",
}

COLUMNS: list[Column[BackupInfo]] = [
    Column("Taken", lambda b: b.taken_at, display=lambda t: f"{day_text(t)} {t:%H:%M}"),
    Column("Kind", lambda b: KIND_NAMES.get(b.kind, b.kind)),
    Column("Pupils", lambda b: b.pupils, kind="number"),
    Column("Marks", lambda b: b.marks, kind="number"),
    Column("Size", lambda b: b.size_bytes, kind="number", display=lambda n: f"{n / 1e6:.1f} MB"),
    Column("File", lambda b: b.path.name),
]


def _busy(on: bool) -> None:
    if on:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    else:
        QApplication.restoreOverrideCursor()


class BackupDialog(QDialog):
    """Lists the backups; "Back up now"; "Restore…" the selected one after a confirmation."""

    restored = Signal(object)  # RestoreResult: every view must reload

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Backups")
        resize_to_fit(self, 820, 420)
        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model: RowTableModel[BackupInfo] = RowTableModel(COLUMNS, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.backup_button = QPushButton("Back up now")
        self.restore_button = QPushButton("Restore…")
        self.close_button = QPushButton("Close")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.close_button.clicked.connect(self.accept)
        self.backup_button.setEnabled(not db.read_only)
        self.restore_button.setEnabled(not db.read_only)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self.folder_label.setText(f"Backups are kept in {backups.backup_folder(self.db)}")
        self.model.set_rows(backups.list_backups(self.db))
        if self.model.rowCount():
            self.table.selectRow(0)

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def back_up_now(self) -> BackupInfo | None:
        _busy(True)
        try:
            info = backups.make_backup(self.db)
        except UserError as exc:
            _busy(False)
            QMessageBox.warning(self, "Backup", str(exc))
            return None
        _busy(False)
        self.reload()
        return info

    def restore_selected(self, *, confirm: bool = True) -> backups.RestoreResult | None:
        info = self.selected()
        if info is None:
            return None
        question = (
            f"Replace the school's data with the backup taken {day_text(info.taken_at)} at {info.taken_at:%H:%M}"
            f" ({info.pupils} pupils, {info.marks:,} marks)?\n\n"
            "Everything entered since then is set aside: a copy of the data as it is now is "
            "kept in the backup folder first."
        )
        if confirm and QMessageBox.question(self, "Restore a backup", question) != (
            QMessageBox.StandardButton.Yes
        ):
            return None
        _busy(True)
        try:
            result = backups.restore_in_place(self.db, info.path)
        except UserError as exc:
            _busy(False)
            QMessageBox.warning(self, "Restore a backup", str(exc))
            return None
        _busy(False)
        self.reload()
        self.restored.emit(result)
        return result


def open_with_recovery(
    path: Path | str, parent: QWidget | None = None, password: str | None = None
) -> Database | None:
    """Open the database for the window, explaining what stops it and offering the way on.

    Another copy holding it: offer to open it read-only. Damaged, or not an Attendance Desk
    database: offer to restore the latest backup (the file itself is kept as it is). Returns
    None when the person declines; other UserErrors propagate.
    """
    try:
        # the full check runs after the first screen
        db = open_database(path, check="later", password=password)
        for notice in db.notices:  # what opening did (a half-upgraded file put back)
            QMessageBox.information(parent, "The database was put back", notice)
        return db
    except DatabaseInUseError as exc:
        answer = QMessageBox.question(
            parent, "Already open", f"{exc}.\n\nOpen it read-only (look, but change nothing)?"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return open_database(path, read_only=True, check="later", password=password)
    except DamagedDatabaseError as exc:
        latest = backups.latest_backup_for(exc.path)
        if exc.kind in ("empty", "not_ours"):
            return _new_school_or_restore(exc, latest, parent)
        if latest is None:
            QMessageBox.critical(parent, "Cannot open the database", f"{exc}.\n\nNo backup found.")
            return None
        answer = QMessageBox.question(
            parent,
            "Cannot open the database",
            f"{exc}.\n\nRestore the latest backup, taken {day_text(latest.taken_at)} at {latest.taken_at:%H:%M}"
            f" ({latest.pupils} pupils, {latest.marks:,} marks)? The file that cannot be "
            "opened is kept beside it, unchanged.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        backups.restore_backup(exc.path, latest.path)
        return open_database(path)


class UnusableFileBox(QMessageBox):
    """An empty file, or another program's, where the school's database should be: start a
    new school (the file is moved aside, kept) or restore a backup, or quit."""

    def __init__(
        self, exc: DamagedDatabaseError, latest: BackupInfo | None, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        empty = exc.kind == "empty"
        self.setWindowTitle("Empty database file" if empty else "Not a school's database")
        what = (
            f"{exc.path} is an empty file (0 bytes): a crash or a failed copy may have emptied it."
            if empty
            else f"{exc.path} is not an Attendance Desk database: it belongs to another program, "
            "or another file was saved over it."
        )
        if latest is not None:
            restore = (
                f"Restore a backup: the latest, taken {day_text(latest.taken_at)} at "
                f"{latest.taken_at:%H:%M} ({latest.pupils} pupils, {latest.marks:,} marks)."
            )
        else:
            restore = "Restore a backup: no backup of it was found; choose a backup file."
        self.setText(what)
        self.setInformativeText(
            "Start a new school: the file is moved aside (kept, not deleted) and a new, empty "
            f"school is made in its place.\n\n{restore}"
        )
        self.new_button = self.addButton("Start a new school", QMessageBox.ButtonRole.AcceptRole)
        self.restore_button = self.addButton(
            "Restore a backup\u2026", QMessageBox.ButtonRole.ActionRole
        )
        self.quit_button = self.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.restore_button if latest is not None else self.new_button)
        self.setEscapeButton(self.quit_button)

    def choice(self) -> str:
        """'new', 'restore' or 'quit', once the box has closed."""
        clicked = self.clickedButton()
        if clicked is self.new_button:
            return "new"
        if clicked is self.restore_button:
            return "restore"
        return "quit"


def _new_school_or_restore(
    exc: DamagedDatabaseError, latest: BackupInfo | None, parent: QWidget | None
) -> Database | None:
    path = exc.path
    box = UnusableFileBox(exc, latest, parent)
    box.exec()
    choice = box.choice()
    if choice == "new":
        aside = set_aside(path)
        db = open_database(path, check="later")
        QMessageBox.information(
            parent,
            "A new school",
            f"A new, empty school was made in {path.name}. The file that was there is kept as "
            f"{aside}.",
        )
        return db
    if choice == "restore":
        source = latest.path if latest is not None else _pick_backup(parent, path)
        if source is None:
            return None
        backups.restore_backup(path, source)
        return open_database(path, check="later")
    return None


def _pick_backup(parent: QWidget | None, path: Path) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(
        parent,
        "Choose a backup to restore",
        str(backups.backup_folder_for_path(path)),
        "Attendance Desk backups (*.sqlite3);;All files (*)",
    )
    return Path(chosen) if chosen else None
