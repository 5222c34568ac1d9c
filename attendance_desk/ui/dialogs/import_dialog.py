"""The import window: pick files, (map columns when detection is unsure), preview, import.

Reading, previewing and importing run on a thread pool; the window shows progress and can
cancel. The dialog only calls `services.importing`: it never opens files or the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.errors import UserError
from attendance_desk.importers import SUPPORTED_SUFFIXES, ColumnMapping, Detection, Layout
from attendance_desk.importers.columns import ROLE_LABELS
from attendance_desk.importers.layouts import guess_roles
from attendance_desk.importers.problems import column_letter
from attendance_desk.services.importing import (
    FileOutcome,
    ImportPreview,
    ImportResult,
    apply_import,
    inspect,
    preview_import,
)
from attendance_desk.storage.db import Database

PREVIEW_COLUMNS = ["File", "What", "Pupil", "Date", "Session", "Old", "New"]
MAX_PREVIEW_ROWS = 3000
CONFLICT_COLOUR = QColor("#fde2e1")


class _Signals(QObject):
    progress = Signal(int, str)
    done = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    """One piece of work off the GUI thread; `fn(progress, cancel)` returns the result."""

    def __init__(self, fn: Callable[[Callable[[int, str], None], Callable[[], bool]], Any]):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.stop = threading.Event()
        self.setAutoDelete(False)

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(self.signals.progress.emit, self.stop.is_set)
        except UserError as exc:
            self.signals.failed.emit(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user, never lost
            self.signals.failed.emit(f"Something went wrong: {exc}")
            return
        self.signals.done.emit(result)


class ImportDialog(QDialog):
    """Import registers, pupil details, term dates and closures. Emits `imported(result)`."""

    imported = Signal(object)  # ImportResult

    def __init__(
        self, db: Database, parent: QWidget | None = None, files: list[Path] | None = None
    ):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Import registers and pupil details")
        self.resize(960, 640)
        self.files: list[Path] = []
        self.mappings: dict[Path, ColumnMapping] = {}
        self.preview: ImportPreview | None = None
        self.result: ImportResult | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._job: _Job | None = None
        self._detection: Detection | None = None
        self._build()
        if files:
            self.add_files(files)

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

        self.mapping_box = QGroupBox("Which column is what?")
        box = QVBoxLayout(self.mapping_box)
        self.mapping_reason = QLabel()
        self.mapping_reason.setWordWrap(True)
        box.addWidget(self.mapping_reason)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layout:"))
        self.layout_combo = QComboBox()
        for item in Layout:
            self.layout_combo.addItem(item.label, item.value)
        row.addWidget(self.layout_combo, 1)
        row.addWidget(QLabel("Header row:"))
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, 30)
        self.header_spin.valueChanged.connect(self._header_row_changed)
        row.addWidget(self.header_spin)
        self.use_mapping_button = QPushButton("Use this mapping")
        self.use_mapping_button.clicked.connect(self._use_mapping)
        row.addWidget(self.use_mapping_button)
        box.addLayout(row)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels(["Column", "Heading", "Holds"])
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        box.addWidget(self.mapping_table)
        self.mapping_box.hide()
        layout.addWidget(self.mapping_box, 1)

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
        layout.addLayout(bottom)
        self._update_buttons()

    # -- files -------------------------------------------------------------------------------
    def add_files(self, files: list[Path]) -> None:
        for path in (Path(f) for f in files):
            if path not in self.files:
                self.files.append(path)
                self.file_list.addItem(path.name)
        self._reset_preview()

    def _pick_files(self) -> None:
        patterns = " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES)
        names, _ = QFileDialog.getOpenFileNames(
            self, "Choose files to import", "", f"Registers and pupil details ({patterns})"
        )
        self.add_files([Path(n) for n in names])

    def _remove_selected(self) -> None:
        row = self.file_list.currentRow()
        if 0 <= row < len(self.files):
            self.mappings.pop(self.files.pop(row), None)
            self.file_list.takeItem(row)
            self._reset_preview()

    def _reset_preview(self) -> None:
        self.preview = None
        self.result = None
        self.preview_table.setRowCount(0)
        self.overwrite_check.hide()
        self._update_buttons()

    # -- running work ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._job is not None

    def _run(self, fn: Callable[..., Any], on_done: Callable[[Any], None], what: str) -> None:
        self.error_label.hide()
        job = _Job(fn)
        job.signals.progress.connect(self._progress)
        job.signals.done.connect(lambda result: self._finished(on_done, result))
        job.signals.failed.connect(self._failed)
        self._job = job
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.status_label.setText(what)
        self._update_buttons()
        self._pool.start(job)

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
            self._job.stop.set()
            self.status_label.setText("Cancelling…")
        else:
            self.reject()

    def _update_buttons(self) -> None:
        idle = self._job is None
        self.add_button.setEnabled(idle)
        self.remove_button.setEnabled(idle and bool(self.files))
        self.preview_button.setEnabled(idle and bool(self.files))
        self.import_button.setEnabled(idle and self.preview is not None and self.result is None)
        self.cancel_button.setText("Cancel" if not idle or self.result is None else "Close")

    # -- preview -----------------------------------------------------------------------------
    def start_preview(self) -> None:
        files, mappings = list(self.files), dict(self.mappings)
        db = self.db

        def work(progress: Callable[[int, str], None], cancel: Callable[[], bool]) -> Any:
            for path in files:
                if path in mappings:
                    continue
                detection = inspect(path)
                if not detection.confident:
                    return detection
            return preview_import(db, files, mappings=mappings, progress=progress, cancel=cancel)

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

    def _fill_preview(self, files: tuple[FileOutcome, ...], *, preview: bool) -> None:
        self.summary_label.setText("\n".join(f.summary(preview=preview) for f in files))
        rows: list[tuple[list[str], bool]] = []
        for f in files:
            for name in f.pupils_added:
                rows.append(([f.file_name, "Pupil added", name, "", "", "", ""], False))
            for name in f.pupils_changed:
                rows.append(([f.file_name, "Pupil details updated", name, "", "", "", ""], False))
            for c in f.conflicts:
                what = "Office mark differs (kept unless you tick the box)"
                rows.append(([f.file_name, what, c.pupil, f"{c.date:%a %d/%m/%Y}", c.session,
                              c.old_code or "", c.new_code or ""], True))  # fmt: skip
            for c in f.changes:
                if c.office:
                    continue
                rows.append(([f.file_name, "Mark changed", c.pupil, f"{c.date:%a %d/%m/%Y}",
                              c.session, c.old_code or "", c.new_code or ""], False))  # fmt: skip
            if f.marks_added:
                span = f"{f.first_date:%d/%m/%Y} – {f.last_date:%d/%m/%Y}" if f.first_date else ""
                rows.append(
                    ([f.file_name, f"{f.marks_added:,} marks added", "", span, "", "", ""], False)
                )
            for row, why in f.skipped:
                rows.append(([f.file_name, f"Row {row} skipped: {why}", "", "", "", "", ""], False))
            for warning in f.warnings:
                rows.append(([f.file_name, f"Note: {warning}", "", "", "", "", ""], False))
        rows = rows[:MAX_PREVIEW_ROWS]
        self.preview_table.setRowCount(len(rows))
        for r, (values, conflict) in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if conflict:
                    item.setBackground(QBrush(CONFLICT_COLOUR))
                self.preview_table.setItem(r, c, item)
        self.preview_table.resizeColumnsToContents()

    # -- mapping -----------------------------------------------------------------------------
    def _show_mapping(self, detection: Detection) -> None:
        self._detection = detection
        self.mapping_box.setTitle(f"Which column is what in {detection.file_name}?")
        self.mapping_reason.setText(
            f"{detection.reason}. Choose the layout and what each column holds."
        )
        mapping = detection.mapping
        layout = mapping.layout if mapping else Layout.WIDE_SESSIONS
        self.layout_combo.setCurrentIndex(self.layout_combo.findData(layout.value))
        header = mapping.header_row if mapping else 0
        self.header_spin.blockSignals(True)
        self.header_spin.setValue(header + 1)
        self.header_spin.blockSignals(False)
        self._fill_mapping(header, mapping.roles if mapping else None)
        self.mapping_box.show()
        self.status_label.setText("Say which column is what, then press Use this mapping.")

    def _header_row_changed(self, value: int) -> None:
        self._fill_mapping(value - 1, None)

    def _fill_mapping(self, header_row: int, roles: dict[int, str] | None) -> None:
        detection = self._detection
        if detection is None:
            return
        rows = detection.preview_rows
        cells = rows[header_row] if header_row < len(rows) else ()
        roles = roles if roles is not None else guess_roles(cells)
        sample = rows[header_row + 1] if header_row + 1 < len(rows) else ()
        self.mapping_table.setRowCount(len(cells))
        for col, text in enumerate(cells):
            self.mapping_table.setItem(col, 0, QTableWidgetItem(column_letter(col)))
            shown = text + (f"   (e.g. {sample[col]})" if col < len(sample) and sample[col] else "")
            self.mapping_table.setItem(col, 1, QTableWidgetItem(shown))
            combo = QComboBox()
            for key, label in ROLE_LABELS.items():
                combo.addItem(label, key)
            role = roles.get(col, "ignore")
            index = combo.findData(role)
            combo.setCurrentIndex(index if index >= 0 else 0)
            self.mapping_table.setCellWidget(col, 2, combo)

    def mapping_from_table(self) -> ColumnMapping:
        roles: dict[int, str] = {}
        for col in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(col, 2)
            if isinstance(combo, QComboBox) and combo.currentData() != "ignore":
                roles[col] = str(combo.currentData())
        sheet = self._detection.sheet if self._detection else None
        return ColumnMapping(
            Layout(self.layout_combo.currentData()), self.header_spin.value() - 1, roles, sheet
        )

    def _use_mapping(self) -> None:
        detection = self._detection
        if detection is None:
            return
        path = next((p for p in self.files if p.name == detection.file_name), None)
        if path is not None:
            self.mappings[path] = self.mapping_from_table()
        self.mapping_box.hide()
        self._detection = None
        self.start_preview()

    # -- import ------------------------------------------------------------------------------
    def start_import(self) -> None:
        files, mappings = list(self.files), dict(self.mappings)
        overwrite = self.overwrite_check.isChecked()
        db = self.db

        def work(progress: Callable[[int, str], None], cancel: Callable[[], bool]) -> Any:
            return apply_import(
                db, files, mappings=mappings, overwrite_office=overwrite, progress=progress,
                cancel=cancel,
            )  # fmt: skip

        self._run(work, self._import_done, "Importing…")

    def _import_done(self, result: ImportResult) -> None:
        self.result = result
        self._fill_preview(result.files, preview=False)
        self.overwrite_check.hide()
        self.status_label.setText("Imported." if not result.nothing_changed else "Nothing changed.")
        self.imported.emit(result)

    # -- closing -----------------------------------------------------------------------------
    def done(self, code: int) -> None:
        if self._job is not None:
            self._job.stop.set()
        self._pool.waitForDone(30000)
        super().done(code)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._job is not None:
            self._job.stop.set()
        self._pool.waitForDone(30000)
        super().closeEvent(event)
