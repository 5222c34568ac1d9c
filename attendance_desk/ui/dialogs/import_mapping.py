"""The import window's mapping step: when detection is unsure, the user says which layout
the file has, which row holds the headings, and what each column holds."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.importers import ColumnMapping, Detection, Layout
from attendance_desk.importers.columns import ROLE_LABELS
from attendance_desk.importers.layouts import HEADER_SCAN_ROWS, guess_roles
from attendance_desk.importers.problems import column_letter


class MappingPanel(QGroupBox):
    """Shows one file's detection; emits `chosen(file name, ColumnMapping)`."""

    chosen = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Which column is what?", parent)
        self.detection: Detection | None = None
        box = QVBoxLayout(self)
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        box.addWidget(self.reason_label)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layout:"))
        self.layout_combo = QComboBox()
        for item in Layout:
            self.layout_combo.addItem(item.label, item.value)
        row.addWidget(self.layout_combo, 1)
        row.addWidget(QLabel("Header row:"))
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, HEADER_SCAN_ROWS)
        self.header_spin.valueChanged.connect(lambda value: self._fill(value - 1, None))
        row.addWidget(self.header_spin)
        self.use_button = QPushButton("Use this mapping")
        self.use_button.clicked.connect(self._use)
        row.addWidget(self.use_button)
        box.addLayout(row)
        remember_row = QHBoxLayout()
        self.remember_check = QCheckBox("Remember it for files shaped like this one, as:")
        self.remember_check.setChecked(True)
        self.remember_name = QLineEdit()
        self.remember_name.setObjectName("mappingName")
        remember_row.addWidget(self.remember_check)
        remember_row.addWidget(self.remember_name, 1)
        box.addLayout(remember_row)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels(["Column", "Heading", "Holds"])
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        box.addWidget(self.mapping_table)

    def show_detection(self, detection: Detection) -> None:
        self.detection = detection
        self.setTitle(f"Which column is what in {detection.file_name}?")
        self.remember_name.setText(detection.file_name.rsplit(".", 1)[0])
        self.reason_label.setText(
            f"{detection.reason.rstrip('.')}. Choose the layout and what each column holds "
            "(a column left as '(ignore)' is confirmed as not needed)."
        )
        mapping = detection.mapping
        layout = mapping.layout if mapping else Layout.WIDE_SESSIONS
        self.layout_combo.setCurrentIndex(self.layout_combo.findData(layout.value))
        header = mapping.header_row if mapping else 0
        self.header_spin.blockSignals(True)
        self.header_spin.setValue(header + 1)
        self.header_spin.blockSignals(False)
        self._fill(header, mapping.roles if mapping else None)
        self.show()

    def _fill(self, header_row: int, roles: dict[int, str] | None) -> None:
        if self.detection is None:
            return
        rows = self.detection.preview_rows
        cells = rows[header_row] if header_row < len(rows) else ()
        roles = roles if roles is not None else guess_roles(cells)
        sample = rows[header_row + 1] if header_row + 1 < len(rows) else ()
        self.mapping_table.setRowCount(len(cells))
        for col, text in enumerate(cells):
            self.mapping_table.setItem(col, 0, QTableWidgetItem(column_letter(col)))
            example = sample[col] if col < len(sample) else ""
            shown = text + (f"   (e.g. {example})" if example else "")
            self.mapping_table.setItem(col, 1, QTableWidgetItem(shown))
            combo = QComboBox()
            for key, label in ROLE_LABELS.items():
                combo.addItem(label, key)
            index = combo.findData(roles.get(col, "ignore"))
            combo.setCurrentIndex(max(index, 0))
            self.mapping_table.setCellWidget(col, 2, combo)

    def remember_as(self) -> str | None:
        """The name to remember the mapping under, or None when it is for this file only."""
        name = self.remember_name.text().strip()
        return name if self.remember_check.isChecked() and name else None

    def mapping(self) -> ColumnMapping:
        roles: dict[int, str] = {}
        for col in range(self.mapping_table.rowCount()):
            combo = self.mapping_table.cellWidget(col, 2)
            if isinstance(combo, QComboBox) and combo.currentData() != "ignore":
                roles[col] = str(combo.currentData())
        sheet = self.detection.sheet if self.detection else None
        layout = Layout(self.layout_combo.currentData())
        return ColumnMapping(layout, self.header_spin.value() - 1, roles, sheet)

    def _use(self) -> None:
        if self.detection is not None:
            self.chosen.emit(self.detection.file_name, self.mapping())
