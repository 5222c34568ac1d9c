"""The import window: pick files, (map columns when detection is unsure), preview, import.

In one move: opened from Ctrl+I it asks for the files straight away; a chosen or dropped file
goes straight to its preview; Enter imports; after an import that succeeded the window closes
(and the main window shows the day's calls).

Reading, previewing and importing run on a thread pool; the window shows progress and can
cancel. The dialog only calls `services.importing`: it never opens files or the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.dates import day_text, numeric
from attendance_desk.errors import ImportDecisionNeeded, UserError
from attendance_desk.importers import SUPPORTED_SUFFIXES, ColumnMapping, Detection
from attendance_desk.services.database import Database
from attendance_desk.services.import_mappings import remember_mapping
from attendance_desk.services.importing import (
    FileChangedError,
    FileOutcome,
    ImportPreview,
    ImportResult,
    import_previewed,
    inspect,
    preview_import,
)
from attendance_desk.ui import file_places
from attendance_desk.ui.dialogs.import_mapping import MappingPanel
from attendance_desk.ui.screen_fit import resize_to_fit
from attendance_desk.ui.workers import Worker, run_async

PREVIEW_COLUMNS = ["File", "What", "Pupil", "Date", "Session", "Old", "New"]
MAX_PREVIEW_ROWS = 3000
MAX_WHAT_WIDTH = 520
CONFLICT_COLOUR = QColor("#fde2e1")


class ImportDialog(QDialog):
    """Import registers, pupil details, term dates and closures. Emits `imported(result)`."""

    imported = Signal(object)  # ImportResult
    _noted = Signal(int, str)  # percent, what is happening: from the worker to the window

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        files: list[Path] | None = None,
        pick: bool = False,
        close_when_done: bool = True,
    ):
        super().__init__(parent)
        self.close_when_done = close_when_done
        self.picker: QFileDialog | None = None
        self.setAcceptDrops(True)
        self.db = db
        self.setWindowTitle("Import registers and pupil details")
        resize_to_fit(self, 960, 640)
        self.files: list[Path] = []
        self.mappings: dict[Path, ColumnMapping] = {}
        self.preview: ImportPreview | None = None
        self.import_result: ImportResult | None = None
        self._job: Worker | None = None
        self._noted.connect(self._progress)
        self._build()
        if files:
            self.add_files(files)
        elif pick:  # Ctrl+I: the file picker straight away, once the window is up
            QTimer.singleShot(0, self._pick_files)

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        files_row = QHBoxLayout()
        self.file_list = QListWidget()
        self.file_list.setMaximumHeight(90)
        files_row.addWidget(self.file_list, 1)
        buttons = QVBoxLayout()
        self.add_button = QPushButton("Add files…")
        self.add_button.clicked.connect(self._pick_files)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove_selected)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        files_row.addLayout(buttons)
        layout.addLayout(files_row)

        self.mapping_box = MappingPanel()
        self.mapping_box.chosen.connect(self._use_mapping)
        self.mapping_box.hide()
        layout.addWidget(self.mapping_box, 1)
        # the mapping step's controls, as a person sees them in this window
        self.layout_combo = self.mapping_box.layout_combo
        self.header_spin = self.mapping_box.header_spin
        self.mapping_table = self.mapping_box.mapping_table
        self.use_mapping_button = self.mapping_box.use_button

        self.summary_label = QLabel("Add the files exported from your MIS, then press Preview.")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)
        self.preview_table = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.preview_table.setHorizontalHeaderLabels(PREVIEW_COLUMNS)
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.setSortingEnabled(False)
        self.preview_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        layout.addWidget(self.preview_table, 2)
        self.overwrite_check = QCheckBox(
            "Replace marks the office entered with the file's marks (normally keep them)"
        )
        self.overwrite_check.hide()
        layout.addWidget(self.overwrite_check)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #a4000f;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        bottom = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.hide()
        self.status_label = QLabel()
        bottom.addWidget(self.progress_bar, 1)
        bottom.addWidget(self.status_label, 1)
        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.start_preview)
        self.import_button = QPushButton("Import")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel_clicked)
        for button in (self.preview_button, self.import_button, self.cancel_button):
            bottom.addWidget(button)
        # Enter always means the default button (Import once there is a preview), wherever
        # the focus is
        for button in (self.add_button, self.remove_button, self.preview_button,
                       self.cancel_button):  # fmt: skip
            button.setAutoDefault(False)
        layout.addLayout(bottom)
        self._update_buttons()

    # -- files -------------------------------------------------------------------------------
    def add_files(self, files: list[Path]) -> None:
        """Add files and go straight to their preview."""
        for path in (Path(f) for f in files):
            if path not in self.files:
                self.files.append(path)
                self.file_list.addItem(path.name)
        self._reset_preview()
        if self.files and self._job is None:
            self.start_preview()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths and self._job is None:
            event.acceptProposedAction()
            self.add_files(paths)

    def _pick_files(self) -> None:
        """The file picker, window-modal over this window; the chosen files go to preview."""
        patterns = " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES)
        self.picker = QFileDialog(
            self,
            "Choose files to import",
            file_places.start_in(file_places.REGISTERS),
            f"Registers and pupil details ({patterns})",
        )
        self.picker.setFileMode(QFileDialog.FileMode.ExistingFiles)
        self.picker.filesSelected.connect(self._files_chosen)
        self.picker.open()

    def _files_chosen(self, names: list[str]) -> None:
        if names:
            file_places.remember(file_places.REGISTERS, names[0])
        self.add_files([Path(n) for n in names])

    def _remove_selected(self) -> None:
        row = self.file_list.currentRow()
        if 0 <= row < len(self.files):
            self.mappings.pop(self.files.pop(row), None)
            self.file_list.takeItem(row)
            self._reset_preview()

    def _reset_preview(self) -> None:
        self.preview = None
        self.import_result = None
        self.preview_table.setRowCount(0)
        self.overwrite_check.hide()
        self._update_buttons()

    # -- running work ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._job is not None

    def _run(self, fn: Callable[..., Any], on_done: Callable[[Any], None], what: str) -> None:
        """Run `fn(progress=..., cancel=...)` on the worker pool, one piece of work at a time."""
        self.error_label.hide()
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.status_label.setText(what)
        self._job = run_async(
            fn,
            progress=self._noted.emit,
            on_finished=lambda result: self._finished(on_done, result),
            on_error=lambda message, _detail: self._failed(message),
        )
        self._update_buttons()

    def _progress(self, percent: int, message: str) -> None:
        self.progress_bar.setValue(percent)
        self.status_label.setText(message)

    def _finished(self, on_done: Callable[[Any], None], result: Any) -> None:
        self._job = None
        self.progress_bar.hide()
        on_done(result)
        self._update_buttons()

    def _failed(self, message: str) -> None:
        self._job = None
        self.progress_bar.hide()
        self.status_label.setText("")
        self.error_label.setText(message)
        self.error_label.show()
        self._update_buttons()

    def _cancel_clicked(self) -> None:
        if self._job is not None:
            self._job.request_stop()
            self.status_label.setText("Cancelling…")
        else:
            self.reject()

    def _update_buttons(self) -> None:
        idle = self._job is None
        self.add_button.setEnabled(idle)
        self.remove_button.setEnabled(idle and bool(self.files))
        self.preview_button.setEnabled(idle and bool(self.files))
        self.import_button.setEnabled(
            idle and self.preview is not None and self.import_result is None
        )
        self.cancel_button.setText("Cancel" if not idle or self.import_result is None else "Close")

    # -- preview -----------------------------------------------------------------------------
    def start_preview(self) -> None:
        files, mappings = list(self.files), dict(self.mappings)
        db = self.db

        def work(*, progress: Callable[[int, str], None], cancel: Callable[[], bool]) -> Any:
            for path in files:
                if path in mappings:
                    continue
                detection = inspect(path, db)
                if not detection.confident:
                    return detection
            try:
                return preview_import(
                    db, files, mappings=mappings, progress=progress, cancel=cancel
                )
            except ImportDecisionNeeded as exc:  # a column only the user can say the meaning of
                path = next((p for p in files if p.name == exc.file_name), files[0])
                return replace(inspect(path, db), confident=False, reason=str(exc))

        self._reset_preview()
        self._run(work, self._preview_ready, "Reading the files…")

    def _preview_ready(self, result: Any) -> None:
        if isinstance(result, Detection):
            self._show_mapping(result)
            return
        self.mapping_box.hide()
        self.preview = result
        self._fill_preview(result.files, preview=True)
        conflicts = result.conflicts_total
        self.overwrite_check.setVisible(conflicts > 0)
        self.status_label.setText(
            "Nothing to change." if result.nothing_to_do else "Check the changes, then Import."
        )
        if not result.nothing_to_do:  # Enter imports
            self.preview_button.setDefault(False)
            self.import_button.setEnabled(True)
            self.import_button.setDefault(True)
            self.import_button.setFocus()

    def _fill_preview(self, files: tuple[FileOutcome, ...], *, preview: bool) -> None:
        self.summary_label.setText("\n".join(f.summary(preview=preview) for f in files))
        rows: list[tuple[list[str], bool]] = []
        added, updated = ("to add", "to update") if preview else ("added", "updated")
        for f in files:
            for line in f.recognised:  # what the reader found: sheets, header, columns
                rows.append(([f.file_name, f"Recognised: {line}", "", "", "", "", ""], False))
            for name in f.pupils_added:
                rows.append(([f.file_name, f"Pupil {added}", name, "", "", "", ""], False))
            for name in f.pupils_changed:
                rows.append(
                    ([f.file_name, f"Pupil details {updated}", name, "", "", "", ""], False)
                )
            for c in f.conflicts:
                what = "Office mark differs (kept unless you tick the box)"
                rows.append(([f.file_name, what, c.pupil, f"{day_text(c.date)}", c.session,
                              c.old_code or "", c.new_code or ""], True))  # fmt: skip
            for c in f.changes:
                if c.office:
                    continue
                rows.append(([f.file_name, "Mark changes" if preview else "Mark changed", c.pupil, f"{day_text(c.date)}",
                              c.session, c.old_code or "", c.new_code or ""], False))  # fmt: skip
            if f.marks_added:
                span = f"{numeric(f.first_date)} – {numeric(f.last_date)}" if f.first_date else ""
                rows.append(
                    ([f.file_name, f"{f.marks_added:,} marks {added}", "", span, "", "", ""], False)
                )
            for row, why in f.skipped:
                rows.append(([f.file_name, f"Row {row} skipped: {why}", "", "", "", "", ""], False))
            for warning in f.warnings:
                rows.append(([f.file_name, f"Note: {warning}", "", "", "", "", ""], False))
        rows = rows[:MAX_PREVIEW_ROWS]
        self.preview_table.setRowCount(len(rows))
        for r, (values, conflict) in enumerate(rows):
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 1 and len(value) > 60:
                    item.setToolTip(value)
                if conflict:
                    item.setBackground(QBrush(CONFLICT_COLOUR))
                self.preview_table.setItem(r, col, item)
        self.preview_table.resizeColumnsToContents()
        # long lines (what was recognised, why a row was skipped) wrap and show whole on hover,
        # so the pupil, date and marks columns stay in view
        what_width: int = self.preview_table.columnWidth(1)
        self.preview_table.setColumnWidth(1, min(what_width, MAX_WHAT_WIDTH))
        self.preview_table.resizeRowsToContents()

    # -- mapping -----------------------------------------------------------------------------
    def _show_mapping(self, detection: Detection) -> None:
        self.mapping_box.show_detection(detection)
        self.status_label.setText("Say which column is what, then press Use this mapping.")

    def _use_mapping(self, file_name: str, mapping: ColumnMapping) -> None:
        path = next((p for p in self.files if p.name == file_name), None)
        if path is not None:
            self.mappings[path] = mapping
            name = self.mapping_box.remember_as()
            if name:
                try:
                    saved = remember_mapping(self.db, path, mapping, name)
                    self.status_label.setText(f"Mapping remembered as '{saved}'.")
                except UserError as exc:
                    self.error_label.setText(str(exc))
                    self.error_label.show()
        self.mapping_box.hide()
        self.start_preview()

    # -- import ------------------------------------------------------------------------------
    def start_import(self) -> None:
        """Import exactly what the preview showed (the files as it read them); a file changed
        since is not imported, and the window says so."""
        preview = self.preview
        if preview is None:
            return
        overwrite = self.overwrite_check.isChecked()
        db = self.db

        def work(*, progress: Callable[[int, str], None], cancel: Callable[[], bool]) -> Any:
            try:
                return import_previewed(
                    db, preview, overwrite_office=overwrite, progress=progress, cancel=cancel
                )
            except FileChangedError as exc:
                return exc

        self._run(work, self._import_done, "Importing…")

    def _import_done(self, result: ImportResult | FileChangedError) -> None:
        if isinstance(result, FileChangedError):  # the preview no longer shows the file
            self._reset_preview()
            self.summary_label.setText("Preview the files again to see what they hold now.")
            self.status_label.setText("")
            self.error_label.setText(str(result))
            self.error_label.show()
            self.import_button.setDefault(False)
            self.preview_button.setDefault(True)
            self.preview_button.setFocus()
            return
        self.import_result = result
        self._fill_preview(result.files, preview=False)
        self.overwrite_check.hide()
        self.status_label.setText("Imported." if not result.nothing_changed else "Nothing changed.")
        self.imported.emit(result)
        if self.close_when_done and not result.nothing_changed:
            self.accept()

    # -- closing -----------------------------------------------------------------------------
    def _stop_and_wait(self) -> None:
        if self._job is not None:
            self._job.request_stop()
            self._job.wait(30000)

    def done(self, code: int) -> None:
        self._stop_and_wait()
        super().done(code)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._stop_and_wait()
        super().closeEvent(event)
