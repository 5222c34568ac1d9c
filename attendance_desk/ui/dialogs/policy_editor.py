"""The policy editor: the two presets, the bands (colours, owners, actions) and every number."""

from __future__ import annotations

from dataclasses import fields, replace
from decimal import Decimal
from types import MappingProxyType

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.policy import (
    HALF_TERM,
    PRESETS,
    WEEK,
    Band,
    FallingAttendance,
    Policy,
    Thresholds,
    preset,
)
from attendance_desk.ui.widgets.delegates import text_colour_on

PRESET_NAMES = {"clifford": "Clifford All Saints", "clifton": "Clifton (Support First)"}
BAND_HEADERS = ["Id", "Label", "Colour", "From %", "Owner", "Actions (one per line)"]


def _nice(name: str) -> str:
    text = name.removesuffix("_pct").replace("_", " ")
    text = text.replace(" la ", " LA ").replace("n school days", "N school days")
    return text[0].upper() + text[1:] + (" (%)" if name.endswith("_pct") else "")


class PolicyEditor(QWidget):
    def __init__(self, policy: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.base = policy
        self.preset_combo = QComboBox(self)
        self.preset_combo.setAccessibleName("Policy preset")
        for key in PRESETS:
            self.preset_combo.addItem(PRESET_NAMES.get(key, key), key)
        self.apply_preset = QPushButton("Use this preset", self)
        self.apply_preset.setToolTip("Replace every setting below with the preset's")
        self.apply_preset.clicked.connect(self._use_preset)
        self.name_label = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Preset:"))
        top.addWidget(self.preset_combo)
        top.addWidget(self.apply_preset)
        top.addStretch(1)
        top.addWidget(self.name_label)

        self.bands = QTableWidget(0, len(BAND_HEADERS), self)
        self.bands.setObjectName("bandsTable")
        self.bands.setAccessibleName("Bands")
        self.bands.setHorizontalHeaderLabels(BAND_HEADERS)
        self.bands.verticalHeader().setVisible(False)
        self.bands.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        # each band as tall as its actions at the width shown: sized once, before the dialog
        # was laid out, a row kept the height of its actions wrapped in a narrow column (the
        # Amber band filled the table at 1366x768, the Red one out of sight)
        self.bands.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.bands.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.bands.cellDoubleClicked.connect(self._maybe_pick_colour)
        add = QPushButton("Add band")
        add.clicked.connect(lambda: self._add_band(Band("new", "New band", "#90a4ae", Decimal(50))))
        remove = QPushButton("Remove band")
        remove.clicked.connect(lambda: self.bands.removeRow(self.bands.currentRow()))
        band_buttons = QHBoxLayout()
        band_buttons.addWidget(
            QLabel(
                "Double-click a colour to change it; bands run from their % up to the next band's."
            )
        )
        band_buttons.addStretch(1)
        band_buttons.addWidget(add)
        band_buttons.addWidget(remove)

        self.spins: dict[str, QSpinBox | QDoubleSpinBox] = {}
        form = QFormLayout()
        for f in fields(Thresholds):
            if f.name.endswith("_pct") or f.name == "improved_points":
                spin: QSpinBox | QDoubleSpinBox = QDoubleSpinBox(self)
                spin.setDecimals(2)
                spin.setRange(0, 100)
            else:
                spin = QSpinBox(self)
                spin.setRange(0, 1000)
            spin.setAccessibleName(_nice(f.name))
            self.spins[f.name] = spin
            form.addRow(_nice(f.name), spin)
        self.falling_line = QDoubleSpinBox(self)
        self.falling_line.setRange(0, 100)
        self.falling_line.setDecimals(2)
        self.falling_line.setAccessibleName("Falling attendance line")
        self.falling_point = QComboBox(self)
        self.falling_point.addItem("End of each half term", HALF_TERM)
        self.falling_point.addItem("Each week", WEEK)
        self.falling_point.setAccessibleName("Monitoring point")
        form.addRow("Falling attendance below (%)", self.falling_line)
        form.addRow("Monitoring point", self.falling_point)
        numbers = QWidget(self)
        numbers.setLayout(form)
        numbers_scroll = QScrollArea(self)
        numbers_scroll.setWidgetResizable(True)
        numbers_scroll.setWidget(numbers)

        bands_box = QGroupBox("Bands", self)
        bands_layout = QVBoxLayout(bands_box)
        bands_layout.addWidget(self.bands)
        bands_layout.addLayout(band_buttons)
        numbers_box = QGroupBox("Thresholds (national rules always apply)", self)
        QVBoxLayout(numbers_box).addWidget(numbers_scroll)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(bands_box, 3)
        layout.addWidget(numbers_box, 2)
        self.set_policy(policy)

    # -- filling ---------------------------------------------------------------------------
    def set_policy(self, policy: Policy) -> None:
        self.base = policy
        position = self.preset_combo.findData(policy.preset)
        if position >= 0:
            self.preset_combo.setCurrentIndex(position)
        self.name_label.setText(
            f"Now: <b>{policy.name}</b>" + (" (changed)" if policy.preset == "custom" else "")
        )
        self.bands.setRowCount(0)
        for band in policy.bands:
            self._add_band(band)
        for name, spin in self.spins.items():
            value = getattr(policy.thresholds, name)
            spin.setValue(float(value) if isinstance(spin, QDoubleSpinBox) else int(value))
        self.falling_line.setValue(float(policy.falling_attendance.line_pct))
        self.falling_point.setCurrentIndex(
            max(self.falling_point.findData(policy.falling_attendance.monitoring_point), 0)
        )

    def _add_band(self, band: Band) -> None:
        row = self.bands.rowCount()
        self.bands.insertRow(row)
        values = [
            band.id,
            band.label,
            band.colour,
            str(band.lower_pct),
            band.owner,
            "\n".join(band.actions),
        ]
        for col, value in enumerate(values):
            item = QTableWidgetItem(value)
            if col == 2:
                self._paint_colour(item, value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.bands.setItem(row, col, item)

    def _paint_colour(self, item: QTableWidgetItem, value: str) -> None:
        colour = QColor(value)
        item.setBackground(colour)
        item.setForeground(text_colour_on(colour))

    def _maybe_pick_colour(self, row: int, column: int) -> None:
        if column != 2:
            return
        item = self.bands.item(row, 2)
        chosen = QColorDialog.getColor(QColor(item.text()), self, "Band colour")
        if chosen.isValid():
            item.setText(chosen.name())
            self._paint_colour(item, chosen.name())

    def _use_preset(self) -> None:
        self.set_policy(preset(self.preset_combo.currentData()))

    # -- reading ---------------------------------------------------------------------------
    def policy(self) -> Policy:
        """The policy as edited (validated by the service when saved)."""
        bands = []
        for row in range(self.bands.rowCount()):
            cell = [
                (self.bands.item(row, c).text() if self.bands.item(row, c) else "")
                for c in range(6)
            ]
            try:
                lower = Decimal(cell[3].strip().rstrip("%") or "0")
            except ArithmeticError:
                lower = Decimal(-1)  # refused by validation with a clear message
            bands.append(
                Band(
                    id=cell[0].strip(),
                    label=cell[1].strip(),
                    colour=cell[2].strip(),
                    lower_pct=lower,
                    owner=cell[4].strip(),
                    actions=tuple(a.strip() for a in cell[5].splitlines() if a.strip()),
                )
            )
        bands.sort(key=lambda b: b.lower_pct, reverse=True)
        values = {}
        for name, spin in self.spins.items():
            values[name] = (
                Decimal(str(round(spin.value(), 2)))
                if isinstance(spin, QDoubleSpinBox)
                else int(spin.value())
            )
        policy = replace(
            self.base,
            bands=tuple(bands),
            thresholds=Thresholds(**values),
            falling_attendance=FallingAttendance(
                Decimal(str(round(self.falling_line.value(), 2))), self.falling_point.currentData()
            ),
            actions=MappingProxyType(dict(self.base.actions)),
        )
        if policy != self.base:
            reference = preset(self.base.preset) if self.base.preset in PRESETS else None
            if reference is None or policy != reference:
                policy = replace(policy, preset="custom")
        return policy
