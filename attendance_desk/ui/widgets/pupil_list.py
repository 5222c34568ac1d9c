"""The pupil list: search as you type, filters, the table with band chips and trends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.concern import rule_title
from attendance_desk.services.exporting import ExportTable
from attendance_desk.ui.models import pupil_list as pl
from attendance_desk.ui.models.export import to_export_table
from attendance_desk.ui.models.table import ROW_ROLE
from attendance_desk.ui.widgets.delegates import BandChipDelegate, SparklineDelegate

ANY = "__any__"
FILTERS = (
    ("band", "Band"),
    ("year", "Year"),
    ("class", "Class"),
    ("group", "Group"),
    ("stage", "Stage"),
    ("rule", "Concern"),
)


class PupilListWidget(QWidget):
    pupil_activated = Signal(int)  # open this pupil's page
    count_changed = Signal(int, int)  # shown, total
    import_requested = Signal()  # the first-run "Import files" button

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = pl.PupilListModel(self)
        self.proxy = pl.PupilFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit(self)
        self.search.setObjectName("pupilSearch")
        self.search.setPlaceholderText("Search by name or UPN  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search pupils by name or UPN")
        self.search.textChanged.connect(self._on_search)
        self.search.returnPressed.connect(self._open_first)
        self.search.installEventFilter(self)  # Down goes from the search to the matches

        self.combos: dict[str, QComboBox] = {}
        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.search, 3)
        for name, label in FILTERS:
            combo = QComboBox(self)
            combo.setObjectName(f"filter_{name}")
            combo.setAccessibleName(f"Filter by {label.lower()}")
            combo.setToolTip(f"Show only pupils with this {label.lower()}")
            combo.addItem(f"Any {label.lower()}", ANY)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _i, n=name: self._on_filter(n))
            self.combos[name] = combo
            filters.addWidget(combo, 1)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setAccessibleName("Clear search and filters")
        self.clear_button.clicked.connect(self.clear_filters)
        filters.addWidget(self.clear_button)

        self.view = QTableView(self)
        self.view.setObjectName("pupilTable")
        self.view.setAccessibleName("Pupils")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(pl.COL_NAME, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.setItemDelegateForColumn(pl.COL_BAND, BandChipDelegate(self.view))
        self.view.setItemDelegateForColumn(pl.COL_TREND, SparklineDelegate(self.view))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        char = self.fontMetrics().averageCharWidth()
        for i, column in enumerate(self.model.columns):
            # never narrower than its title: "Concerns" and "Last contact" were cut short and
            # "Half term %" ran into "Year %" on a new window at 1366x768
            content = int((column.width or 10) * char) + 14
            if column.widest:  # digits are wider than the average character
                content = max(content, self.fontMetrics().horizontalAdvance(column.widest) + 14)
            self.view.setColumnWidth(i, max(content, header.sectionSizeHint(i)))
        self.view.activated.connect(self._on_activated)
        self.view.doubleClicked.connect(self._on_activated)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("pupilCount")
        self.first_run = self._first_run_panel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.first_run, 1)
        layout.addWidget(self.count_label)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

    def _first_run_panel(self) -> QWidget:
        """What a new database shows instead of an empty table: the first steps to take."""
        panel = QWidget(self)
        panel.setObjectName("firstRun")
        text = QLabel(
            "<h2>No pupils yet</h2>"
            "<p>Start by importing the files your MIS exports: the pupil details (roster with "
            "contacts), the term dates and the registers. Excel and CSV files from any of the "
            "usual layouts work; you will see every change before anything is saved.</p>"
            "<p>You can also drop the files on this window. The school's name, address, logo "
            "and policy are in <b>Settings</b>.</p>",
            panel,
        )
        text.setWordWrap(True)
        text.setFixedWidth(560)
        text.setMinimumHeight(text.heightForWidth(560))  # wrapped text gets its full height
        button = QPushButton("Import files\u2026", panel)
        button.setAccessibleName("Import files")
        button.clicked.connect(self.import_requested)
        box = QVBoxLayout(panel)
        box.addStretch(1)
        box.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(2)
        panel.hide()
        return panel

    # -- data ------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[pl.PupilRow]) -> None:
        """Show `rows`, keeping the selected pupil and the scroll place."""
        empty_school = not rows
        self.first_run.setVisible(empty_school)
        self.view.setVisible(not empty_school)
        current = self.current_pupil_id()
        selected = self.selected_pupil_ids()
        top_index = self.view.indexAt(self.view.viewport().rect().topLeft())
        top_id = self._pupil_at(top_index)
        self.model.set_rows(rows)
        self._fill_combos(rows)
        if top_id is not None:
            top = self._proxy_index(top_id)
            if top.isValid():
                self.view.scrollTo(top, QAbstractItemView.ScrollHint.PositionAtTop)
        selection = self.view.selectionModel()
        for pupil_id in selected:
            index = self._proxy_index(pupil_id)
            if index.isValid():
                selection.select(
                    index,
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )
        if current is not None:
            index = self._proxy_index(current)
            if index.isValid():
                selection.setCurrentIndex(index, selection.SelectionFlag.NoUpdate)
        self._update_count()

    def set_bands(self, bands: Sequence[tuple[str, str]]) -> None:
        """The policy's bands in order, (id, label), so the band filter lists them all."""
        self._bands = list(bands)
        self._fill_combos(self.model.rows)

    def _fill_combos(self, rows: Sequence[pl.PupilRow]) -> None:
        bands = list(getattr(self, "_bands", []))
        known = {b for b, _ in bands}
        for r in rows:
            if r.band_id and r.band_id not in known:
                bands.append((r.band_id, r.band_label))
                known.add(r.band_id)
        years = sorted({r.year_group for r in rows if r.year_group}, key=pl.year_sort_value)
        classes = sorted({r.reg_group for r in rows if r.reg_group})
        stages = sorted({r.stage for r in rows if r.stage})
        rules = sorted({rule for r in rows for rule in r.concern_rules})
        options = {
            "band": bands + ([(pl.NO_BAND, "No band")] if bands else []),
            "year": [
                (y, f"Year {y}" if y.isdigit() else {"R": "Reception", "N": "Nursery"}.get(y, y))
                for y in years
            ],
            "class": [(c, c) for c in classes],
            "group": [(g, pl.FLAG_NAMES[g]) for g in pl.GROUPS],
            "stage": [(s, s) for s in stages] + ([(pl.NO_STAGE, pl.NO_STAGE)] if stages else []),
            "rule": [(r, rule_title(r)) for r in rules],
        }
        for name, items in options.items():
            combo = self.combos[name]
            current = combo.currentData()
            wanted = [(ANY, combo.itemText(0))] + list(items)
            existing = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
            if existing == wanted:
                continue
            combo.blockSignals(True)
            combo.clear()
            for value, text in wanted:
                combo.addItem(text, value)
            position = combo.findData(current)
            combo.setCurrentIndex(max(position, 0))
            combo.blockSignals(False)
            if position < 0 and current != ANY:
                self._on_filter(name)

    # -- filters ---------------------------------------------------------------------------
    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_count()

    def _on_filter(self, name: str) -> None:
        value = self.combos[name].currentData()
        self.proxy.set_filter(name, None if value in (ANY, None) else value)
        self._update_count()

    def set_filter(self, name: str, value: str | None) -> None:
        """Pick a filter's value as a person would in its drop-down (None: any)."""
        combo = self.combos[name]
        combo.setCurrentIndex(max(combo.findData(ANY if value is None else value), 0))

    def clear_filters(self) -> None:
        self.search.clear()
        for combo in self.combos.values():
            combo.setCurrentIndex(0)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _update_count(self, *_: Any) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if shown == total:
            self.count_label.setText(f"{total:,} pupils")
        else:
            self.count_label.setText(f"Showing {shown:,} of {total:,} pupils")
        self.count_changed.emit(shown, total)

    # -- selection -------------------------------------------------------------------------
    def _pupil_at(self, index: QModelIndex) -> int | None:
        row = index.data(ROW_ROLE) if index.isValid() else None
        return row.pupil_id if row is not None else None

    def _proxy_index(self, pupil_id: int) -> QModelIndex:
        source_row = self.model.row_of_pupil(pupil_id)
        if source_row is None:
            return QModelIndex()
        return self.proxy.mapFromSource(self.model.index(source_row, 0))

    def current_pupil_id(self) -> int | None:
        return self._pupil_at(self.view.currentIndex())

    def selected_pupil_ids(self) -> list[int]:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return [pid for pid in (self._pupil_at(i) for i in rows) if pid is not None]

    def select_pupil(self, pupil_id: int) -> bool:
        index = self._proxy_index(pupil_id)
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)
        return index.isValid()

    def _on_activated(self, index: QModelIndex) -> None:
        pupil_id = self._pupil_at(index)
        if pupil_id is not None:
            self.pupil_activated.emit(pupil_id)

    def _open_first(self) -> None:
        """Enter in the search: one match opens at once; several put the keyboard on the first
        of them, so Down/Up and a second Enter choose one."""
        if self.proxy.rowCount() == 1:
            self._on_activated(self.proxy.index(0, 0))
        else:
            self._focus_matches()

    def _focus_matches(self) -> None:
        if self.proxy.rowCount() == 0:
            return
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.view.selectRow(0)
        self.view.setCurrentIndex(self.proxy.index(0, pl.COL_NAME))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown)
        ):
            self._focus_matches()
            return True
        return super().eventFilter(watched, event)

    def export_table(self) -> ExportTable:
        return to_export_table(self.proxy, "Pupils")
