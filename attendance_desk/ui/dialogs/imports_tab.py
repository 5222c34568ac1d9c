"""Settings > Imports: the watched export folder and the mappings remembered per file shape."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.services.database import Database
from attendance_desk.services.import_mappings import list_mappings, remove_mapping
from attendance_desk.services.watched_folder import set_watch_folder, watch_folder
from attendance_desk.ui import file_places

MAPPING_COLUMNS = ["Name", "Headings", "Layout", "Last used"]


class ImportsTab(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        layout = QVBoxLayout(self)
        folder_box = QGroupBox("Watched export folder", self)
        form = QFormLayout(folder_box)
        row = QHBoxLayout()
        self.folder_edit = QLineEdit(self)
        self.folder_edit.setObjectName("watchFolder")
        self.folder_edit.setPlaceholderText("None: files are imported only by hand")
        folder = watch_folder(db)
        self.folder_edit.setText(str(folder) if folder else "")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._browse)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        form.addRow("Folder:", row)
        note = QLabel(
            "While the application runs, each new file your MIS exports here is checked like any "
            "import and imported if it needs no decision; a file that needs one stays in the "
            "folder and the window says why. For a scheduled task without the window: "
            "attendance-desk import --watch FOLDER.",
            self,
        )
        note.setWordWrap(True)
        form.addRow(note)
        layout.addWidget(folder_box)

        maps_box = QGroupBox("Remembered mappings (one per file shape)", self)
        maps = QVBoxLayout(maps_box)
        self.mapping_table = QTableWidget(0, len(MAPPING_COLUMNS), self)
        self.mapping_table.setObjectName("savedMappings")
        self.mapping_table.setHorizontalHeaderLabels(MAPPING_COLUMNS)
        self.mapping_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.mapping_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        maps.addWidget(self.mapping_table)
        buttons = QHBoxLayout()
        self.remove_button = QPushButton("Remove mapping", self)
        self.remove_button.clicked.connect(self._remove)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        maps.addLayout(buttons)
        layout.addWidget(maps_box, 1)
        self.reload()

    def reload(self) -> None:
        saved = list_mappings(self.db)
        self.mapping_table.setRowCount(len(saved))
        for r, m in enumerate(saved):
            used = f"{m.last_used_at:%d/%m/%Y %H:%M}" if m.last_used_at else "not yet"
            for c, text in enumerate((m.name, m.headers, m.layout.replace("_", " "), used)):
                self.mapping_table.setItem(r, c, QTableWidgetItem(text))
        self.mapping_table.resizeColumnToContents(0)
        self.remove_button.setEnabled(bool(saved))

    def _browse(self) -> None:
        chosen = file_places.choose_folder(
            self, "The folder your MIS exports to", file_places.REGISTERS
        )
        if chosen is not None:
            self.folder_edit.setText(str(chosen))

    def _remove(self) -> None:
        row = self.mapping_table.currentRow()
        item = self.mapping_table.item(row, 0) if row >= 0 else None
        if item is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove mapping",
            f"Forget the mapping '{item.text()}'? Files of that shape will ask again.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            remove_mapping(self.db, item.text())
            self.reload()

    def save(self) -> None:
        text = self.folder_edit.text().strip()
        set_watch_folder(self.db, Path(text) if text else None)
