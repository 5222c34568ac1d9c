"""The dashboard for the head and governors: whole-school figures beside the national ones,
groups with bars, attendance by week, this week's class league and the concerns queue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import clock
from attendance_desk.domain.concern import rule_title
from attendance_desk.services.database import Database
from attendance_desk.services.exporting import ExportTable
from attendance_desk.ui import workers
from attendance_desk.ui.data import DashboardData, group_rows_without_reception, load_dashboard
from attendance_desk.ui.format import pct, uk_date
from attendance_desk.ui.models import dashboard as dm
from attendance_desk.ui.models.export import to_export_table
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.charts import ChartView
from attendance_desk.ui.widgets.delegates import PercentBarDelegate


class Card(QFrame):
    """One headline figure with the national figure beneath it."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(title)
        self.value = QLabel("\u2013")
        self.value.setObjectName("cardValue")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.0)
        font.setBold(True)
        self.value.setFont(font)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #546e7a;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        self.setAccessibleName(title)

    def set(self, value: str, note: str, good: bool | None = None) -> None:
        self.value.setText(value)
        colour = {True: "#2e7d32", False: "#c62828", None: "#263238"}[good]
        self.value.setStyleSheet(f"color: {colour};")
        self.note.setText(note)


class Dashboard(QWidget):
    pupil_activated = Signal(int)

    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.hub = hub
        self.as_of = clock.today()
        self.data: DashboardData | None = None
        self._worker: workers.Worker | None = None

        self.heading = QLabel("Whole school")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.attendance_card = Card("Attendance, year to date")
        self.pa_card = Card("Persistent absence (90% or below)")
        self.sa_card = Card("Severe absence (50% or below)")
        self.concern_card = Card("Open concerns")
        cards = QHBoxLayout()
        for card in (self.attendance_card, self.pa_card, self.sa_card, self.concern_card):
            cards.addWidget(card)

        self.groups = dm.GroupModel(self)
        self.groups_view = self._table(self.groups, "Attendance by group")
        self.groups_view.setItemDelegateForColumn(
            dm.GROUP_COL_ATTENDANCE, PercentBarDelegate(self.groups_view, floor=85.0)
        )
        self.groups_view.horizontalHeader().setSectionResizeMode(
            dm.GROUP_COL_ATTENDANCE, QHeaderView.ResizeMode.Stretch
        )
        self.without_reception = QCheckBox("Leave out Reception (as national statistics do)")
        self.without_reception.setAccessibleName("Leave out Reception")
        self.without_reception.toggled.connect(self._show_groups)

        self.weekly_chart = ChartView("Attendance by week", self, height=260)
        self.league = dm.LeagueModel(self)
        self.league_view = self._table(self.league, "This week's class league")
        self.league_view.setItemDelegateForColumn(
            3, PercentBarDelegate(self.league_view, floor=85.0)
        )
        self.league_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.league_title = QLabel("<b>Class league this week</b> (for Celebration Assembly)")

        self.queue = QTreeWidget(self)
        self.queue.setObjectName("concernsQueue")
        self.queue.setAccessibleName("Concerns queue by rule and owner")
        self.queue.setHeaderLabels(["Concern / owner / pupil", "Class", "Detail"])
        self.queue.setUniformRowHeights(True)
        self.queue.itemActivated.connect(self._on_queue_item)
        self.queue.itemDoubleClicked.connect(self._on_queue_item)
        self.queue.setMinimumHeight(260)

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.addWidget(QLabel("<b>Groups</b>"), 0, 0)
        grid.addWidget(self.without_reception, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.groups_view, 1, 0, 1, 2)
        grid.addWidget(self.league_title, 0, 2)
        grid.addWidget(self.league_view, 1, 2)
        grid.addWidget(self.weekly_chart, 2, 0, 1, 3)
        grid.addWidget(QLabel("<b>Concerns queue</b> (double-click a pupil to open)"), 3, 0, 1, 3)
        grid.addWidget(self.queue, 4, 0, 1, 3)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 2)
        self.league_view.setMinimumHeight(260)
        self.groups_view.setMinimumHeight(260)
        grid.setRowStretch(1, 1)

        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.addWidget(self.heading)
        inner.addLayout(cards)
        inner.addLayout(grid, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        # The window says when the figures are out of date (invalidate) and hands over the
        # cases and the figures the pupil list's load worked out (offer_contexts); they are
        # drawn only when on screen.
        self.stale = True
        self._contexts: Mapping[int, Any] | None = None
        self._awaiting_contexts = False
        self._no_reception: list[dm.GroupRow] | None = None
        self._pending: DashboardData | None = None  # figures offered while hidden
        self._groups_worker: workers.Worker | None = None

    def _table(self, model: Any, name: str) -> QTableView:
        view = QTableView(self)
        view.setModel(model)
        view.setAccessibleName(name)
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)  # the engine's order until a header is clicked
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(24)
        view.setShowGrid(False)
        view.setAlternatingRowColors(True)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return view

    # -- loading ---------------------------------------------------------------------------
    def set_as_of(self, as_of: date) -> None:
        if as_of != self.as_of:
            self.as_of = as_of
            self.stale = True
            self._pending = None

    def invalidate(self, awaiting_contexts: bool = False) -> None:
        """The figures are out of date; with `awaiting_contexts`, the pupil list is reading
        the cases and will offer them (so they are not read twice)."""
        self.stale = True
        self._pending = None
        self._contexts = None
        self._awaiting_contexts = awaiting_contexts
        if self.isVisible() and not awaiting_contexts:
            self.reload()

    def offer_contexts(
        self, as_of: date, contexts: Mapping[int, Any], data: DashboardData | None = None
    ) -> None:
        """The cases the pupil list read and, with `data`, the figures worked out from the same
        read of the marks (shown now when on screen, else when the dashboard is shown)."""
        if as_of != self.as_of:
            return
        self._contexts = contexts
        self._awaiting_contexts = False
        if data is not None and data.as_of == self.as_of:
            if self._worker is not None:
                self._worker.cancel()
                self._worker = None
            self.stale = False
            self._pending = data
            if self.isVisible():
                self._show_pending()
            return
        if self.stale and self.isVisible():
            self.reload()

    def _show_pending(self) -> None:
        data, self._pending = self._pending, None
        if data is not None:
            self._no_reception = data.groups_without_reception
            self.show_data(data)

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._pending is not None:
            self._show_pending()
        elif self.stale and not self._awaiting_contexts:
            self.reload()

    def reload(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self.stale = False
        self._pending = None
        self._no_reception = None
        self.heading.setText("Working out the figures\u2026")
        self._worker = workers.run_async(
            load_dashboard,
            self.db,
            self.as_of,
            self._contexts,
            on_finished=self.show_data,
            on_error=self._on_error,
        )

    def _on_error(self, message: str, _detail: str) -> None:
        self.heading.setText(message)

    def show_data(self, data: DashboardData) -> None:
        if data.as_of != self.as_of:
            return
        self.data = data
        if data.groups_without_reception is not None:
            self._no_reception = data.groups_without_reception
        self.heading.setText(f"Whole school, year to date on {uk_date(data.as_of)}")
        self._show_groups()
        self.weekly_chart.set_percent_line(
            data.weekly,
            name="School attendance",
            references=[
                (
                    f"National (primary, {dm.NATIONAL_YEAR})",
                    100 - dm.NATIONAL_ABSENCE_PCT,
                    "#9e9e9e",
                ),
                ("96% expected", 96.0, "#2e7d32"),
            ],
        )
        self.league.set_rows(data.league)
        self._fill_queue(data.concerns)
        pupils = len({c.pupil_id for c in data.concerns})
        self.concern_card.set(
            f"{len(data.concerns):,}", f"for {pupils:,} pupils; grouped below by rule and owner"
        )

    def _show_groups(self) -> None:
        if self.data is None:
            return
        rows = self.data.groups
        if self.without_reception.isChecked():
            if self._no_reception is None:
                self._load_without_reception()
                return
            rows = self._no_reception
        self.groups.set_rows(rows)
        school = next(
            (r for r in rows if r.kind.lower() in ("school", "whole school", "all")),
            rows[0] if rows else None,
        )
        if school is None:
            return
        national_att = 100 - dm.NATIONAL_ABSENCE_PCT
        att = school.attendance_pct
        self.attendance_card.set(
            pct(att),
            f"Absence {pct(school.absence_pct)}; national primary absence about {dm.NATIONAL_ABSENCE_PCT}% ({national_att:.1f}% attendance)",
            None if att is None else att >= national_att,
        )
        self.pa_card.set(
            pct(school.persistent_pct),
            f"of pupils; national about {dm.NATIONAL_PA_PCT}%",
            None if school.persistent_pct is None else school.persistent_pct <= dm.NATIONAL_PA_PCT,
        )
        self.sa_card.set(
            pct(school.severe_pct, 2)
            if school.severe_pct is not None and school.severe_pct < 1
            else pct(school.severe_pct),
            f"of pupils; national about {dm.NATIONAL_SA_PCT}%",
            None if school.severe_pct is None else school.severe_pct <= dm.NATIONAL_SA_PCT,
        )

    def _load_without_reception(self) -> None:
        if self._groups_worker is not None:
            self._groups_worker.cancel()
        as_of = self.as_of

        def done(rows: list[dm.GroupRow]) -> None:
            if self.data is not None and self.data.as_of == as_of:
                self._no_reception = rows
                self._show_groups()

        self._groups_worker = workers.run_async(
            group_rows_without_reception, self.db, as_of, on_finished=done, on_error=self._on_error
        )

    def _fill_queue(self, concerns: list[dm.ConcernRow]) -> None:
        self.queue.clear()
        by_rule: dict[str, dict[str, list[dm.ConcernRow]]] = defaultdict(lambda: defaultdict(list))
        for c in concerns:
            by_rule[c.rule][c.owner].append(c)
        for rule in sorted(by_rule, key=lambda r: -sum(len(v) for v in by_rule[r].values())):
            owners = by_rule[rule]
            total = sum(len(v) for v in owners.values())
            top = QTreeWidgetItem(self.queue, [f"{rule_title(rule)} ({total})", "", ""])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for owner in sorted(owners):
                items = sorted(owners[owner], key=lambda c: (c.reg_group, c.name))
                owner_item = QTreeWidgetItem(top, [f"{owner} ({len(items)})", "", items[0].action])
                owner_item.setToolTip(2, items[0].action)
                for c in items:
                    leaf = QTreeWidgetItem(owner_item, [c.name, c.reg_group, c.detail])
                    leaf.setData(0, Qt.ItemDataRole.UserRole, c.pupil_id)
                    leaf.setToolTip(2, c.detail)
        self.queue.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.queue.setColumnWidth(0, 300)
        self.queue.setColumnWidth(1, 70)

    def _on_queue_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        pupil_id = item.data(0, Qt.ItemDataRole.UserRole)
        if pupil_id is not None:
            self.pupil_activated.emit(int(pupil_id))

    def export_tables(self) -> list[ExportTable]:
        tables = [
            to_export_table(self.groups, "Groups"),
            to_export_table(self.league, "Class league"),
        ]
        if self.data is not None:
            from attendance_desk.services.exporting import ExportColumn

            tables.append(
                ExportTable(
                    "Concerns",
                    [
                        ExportColumn("Rule"),
                        ExportColumn("Owner"),
                        ExportColumn("Pupil"),
                        ExportColumn("Class"),
                        ExportColumn("Detail"),
                        ExportColumn("Action"),
                        ExportColumn("Sessions", "number"),
                    ],
                    [
                        [
                            rule_title(c.rule),
                            c.owner,
                            c.name,
                            c.reg_group,
                            c.detail,
                            c.action,
                            c.evidence,
                        ]
                        for c in self.data.concerns
                    ],
                )
            )
        return tables
