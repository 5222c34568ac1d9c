"""The trust dashboard: the schools side by side (attendance, persistent and severe absence,
open cases), the trust's total and the national figures; open concerns by rule and open cases
by stage, school by school; the governors' report for one school or for the trust.

Figures come first (one grouped read over every school the connection may see); the concerns,
worked out by each school's monitoring engine, follow when ready.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import clock
from attendance_desk.domain.concern import rule_title
from attendance_desk.domain.pathway import STAGE_LABELS
from attendance_desk.domain.wording import count
from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.trust import (
    SchoolFigures,
    TrustDashboard,
    governors_report_pdf,
    trust_dashboard,
)
from attendance_desk.ui import file_places
from attendance_desk.ui.format import DASH, pct, uk_date
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.workers import Worker, run_async

GOOD, POOR = QColor("#2e7d32"), QColor("#c62828")
FIGURE_HEADS = ("School", "Pupils", "Attendance", "Absence", "Persistent", "Severe", "Open cases")


class TrustDashboardWidget(QWidget):
    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.as_of = clock.today()
        self.loading = False
        self.current: TrustDashboard | None = None
        self._worker: Worker | None = None
        self.title = QLabel()
        self.title.setObjectName("trustTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600")
        self.status = QLabel()
        self.figures = self._table("trustFigures", "Schools' figures")
        self.concerns = self._table("trustConcerns", "Open concerns by rule")
        self.cases = self._table("trustCases", "Open cases by stage")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.figures, "Attendance")
        self.tabs.addTab(self.concerns, "Open concerns by rule")
        self.tabs.addTab(self.cases, "Cases by stage")
        self.report_for = QComboBox()
        self.report_for.setObjectName("reportFor")
        self.report_for.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.report_button = QPushButton("Governors' report\u2026")
        self.report_button.clicked.connect(self.save_report)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Report for"))
        top.addWidget(self.report_for)
        top.addWidget(self.report_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        hub.marks_imported.connect(self.reload)
        hub.case_changed.connect(lambda _pid: self.reload())
        self.reload()

    @staticmethod
    def _table(name: str, accessible: str) -> QTableWidget:
        table = QTableWidget()
        table.setObjectName(name)
        table.setAccessibleName(accessible)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setAlternatingRowColors(True)
        return table

    def set_as_of(self, day: date) -> None:
        if day != self.as_of:
            self.as_of = day
            self.reload()

    def reload(self) -> None:
        """Figures first, then the same with the concerns."""
        if self._worker is not None:
            self._worker.cancel()
        self.loading = True
        self.title.setText(f"The trust's schools on {uk_date(self.as_of)}")
        self.status.setText("Working out the figures\u2026")
        self._worker = run_async(
            trust_dashboard, self.db, self.as_of, on_finished=self._figures, on_error=self._failed
        )

    def _figures(self, dashboard: TrustDashboard) -> None:
        if dashboard.as_of != self.as_of:
            return
        self._show(dashboard)
        self.status.setText("Working out each school's open concerns\u2026")
        self._worker = run_async(
            trust_dashboard,
            self.db,
            self.as_of,
            concerns=True,
            on_finished=self._with_concerns,
            on_error=self._failed,
        )

    def _with_concerns(self, dashboard: TrustDashboard) -> None:
        if dashboard.as_of != self.as_of:
            return
        self._show(dashboard)
        self.loading = False
        n = len(dashboard.schools)
        self.status.setText(
            f"{count(n, 'school')}, {dashboard.trust.pupils:,} pupils with marks "
            f"this year. National figures: primary schools in England, {dashboard.national.year}."
        )

    def _failed(self, message: str, _detail: str) -> None:
        self.loading = False
        self.status.setText(message)

    # -- showing ---------------------------------------------------------------------------
    def _show(self, d: TrustDashboard) -> None:
        self.current = d
        rows: list[SchoolFigures] = [*d.schools, d.trust]
        n = d.national
        self._fill(
            self.figures,
            FIGURE_HEADS,
            [
                [
                    s.name,
                    f"{s.pupils:,}",
                    (pct(s.attendance_pct), _compare(s.attendance_pct, n.attendance_pct, True)),
                    pct(s.absence_pct),
                    (
                        f"{s.persistent} ({pct(s.persistent_pct)})",
                        _compare(s.persistent_pct, n.persistent_pct, False),
                    ),
                    (
                        f"{s.severe} ({pct(s.severe_pct)})",
                        _compare(s.severe_pct, n.severe_pct, False),
                    ),
                    str(s.open_cases),
                ]
                for s in rows
            ]
            + [
                [
                    f"National (primary, {n.year})",
                    "",
                    pct(n.attendance_pct),
                    pct(n.absence_pct),
                    pct(n.persistent_pct),
                    pct(n.severe_pct, 2),  # 0.85%: as published
                    "",
                ]
            ],
        )
        rules = sorted(d.trust.concerns or {}, key=lambda r: (-(d.trust.concerns or {})[r], r))
        self._fill(
            self.concerns,
            ("School", *[rule_title(r) for r in rules]) if rules else ("School", "Concerns"),
            [
                [s.name, *[str((s.concerns or {}).get(r, 0)) for r in rules]]
                if s.concerns is not None
                else [s.name, "working out\u2026"]
                for s in rows
            ],
        )
        stages = [
            (st.value, label) for st, label in STAGE_LABELS.items() if d.trust.cases.get(st.value)
        ]
        self._fill(
            self.cases,
            ("School", *[label for _v, label in stages], "Open cases"),
            [
                [s.name, *[str(s.cases.get(v, 0)) for v, _l in stages], str(s.open_cases)]
                for s in rows
            ],
        )
        chosen = self.report_for.currentData()
        self.report_for.clear()
        self.report_for.addItem("The trust", None)
        for s in d.schools:
            self.report_for.addItem(s.name, s.school_id)
        self.report_for.setCurrentIndex(max(self.report_for.findData(chosen), 0))

    @staticmethod
    def _fill(table: QTableWidget, heads: tuple[str, ...], rows: list[list[Any]]) -> None:
        table.clear()
        table.setColumnCount(len(heads))
        table.setHorizontalHeaderLabels(list(heads))
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            total = r >= len(rows) - 2 and table.objectName() == "trustFigures"
            for c, cell in enumerate(row):
                text, colour = cell if isinstance(cell, tuple) else (cell, None)
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if colour is not None:
                    item.setForeground(QBrush(colour))
                if total:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                table.setItem(r, c, item)

    def cell(self, table: QTableWidget, school: str, column: str) -> str:
        """The text under `column` on `school`'s row (tests, and what a reader sees)."""
        heads = [_text(table.horizontalHeaderItem(c)) for c in range(table.columnCount())]
        for r in range(table.rowCount()):
            if _text(table.item(r, 0)) == school and column in heads:
                return _text(table.item(r, heads.index(column)))
        return DASH

    # -- the governors' report -------------------------------------------------------------
    def save_report(self, path: str | None = None) -> str | None:
        school_id = self.report_for.currentData()
        name = self.report_for.currentText()
        if not path:
            chosen = file_places.save_file(
                self,
                "Governors' report",
                file_places.PAPERS,
                f"Attendance report - {name}.pdf",
                "PDF (*.pdf)",
            )
            path = str(chosen) if chosen is not None else ""
        if not path:
            return None
        try:
            data = governors_report_pdf(self.db, self.as_of, school_id)
        except UserError as exc:
            self.status.setText(str(exc))
            return None
        # children's names are in a school's report: the owner's only
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
            out.write(data)
        self.status.setText(f"The governors' report for {name} is saved in {path}")
        return path


def _text(item: QTableWidgetItem | None) -> str:
    return item.text() if item is not None else ""


def _compare(value: float | None, national: float, higher_is_better: bool) -> QColor | None:
    if value is None:
        return None
    better = value >= national if higher_is_better else value <= national
    return GOOD if better else POOR
