"""The caseload: open tasks overdue, due today and due later this week; tick one off when done."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.services.database import Database
from attendance_desk.services.tasks import Caseload, TaskInfo, caseload, set_task_done
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.workers import run_async
from attendance_desk.user import current_user

GROUPS = (
    ("overdue", "Overdue", "#c62828"),
    ("due_today", "Due today", "#ef6c00"),
    ("this_week", "This week", "#1565c0"),
)


class CaseloadWidget(QWidget):
    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.hub = db, hub
        self.today = date.today()
        self.current: Caseload | None = None
        self.loading = False
        self.tree = QTreeWidget()
        self.tree.setObjectName("caseload")
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Task", "Pupil", "Class", "Due"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setStyleSheet(
            "QTreeWidget::item { padding-top: 3px; padding-bottom: 3px; padding-right: 18px; }"
        )
        # Task, pupil and class fit their text (kept up to date by the header itself, at
        # whatever width the page has), the due date takes what is left: the columns fit
        # the window, so no horizontal scroll bar, and the pupil sits next to the task.
        header = self.tree.header()
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.tree.itemChanged.connect(self._ticked)
        self.tree.itemActivated.connect(self._open)
        self.summary = QLabel("")
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        hub.case_changed.connect(lambda _pid: self.reload())
        hub.marks_imported.connect(self.reload)
        self.reload()

    def set_today(self, today: date) -> None:
        self.today = today
        self.reload()

    def reload(self) -> None:
        """Load on a worker; only the newest request's answer is shown."""
        self.loading = True
        self._generation = getattr(self, "_generation", 0) + 1
        generation = self._generation
        run_async(
            caseload,
            self.db,
            self.today,
            on_finished=lambda load: self._loaded(load) if generation == self._generation else None,
            on_error=self._failed,
        )

    def _failed(self, message: str, _detail: str) -> None:
        self.loading = False
        self.summary.setText(message)

    def _loaded(self, load: Caseload) -> None:
        self.current = load
        self.tree.blockSignals(True)
        self.tree.clear()
        for key, title, colour in GROUPS:
            tasks: tuple[TaskInfo, ...] = getattr(load, key)
            group = QTreeWidgetItem([f"{title} ({len(tasks)})"])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setForeground(0, QBrush(QColor(colour)))
            group.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(group)
            for t in tasks:
                # The title says what to do ("Review the contract"); the kind is on hover.
                item = QTreeWidgetItem([t.title, t.pupil_name, t.reg_group, uk_date(t.due)])
                item.setToolTip(0, f"{t.kind.label}: {t.title}")
                item.setData(0, Qt.ItemDataRole.UserRole, t)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Unchecked)
                group.addChild(item)
            group.setExpanded(True)
        self.tree.blockSignals(False)
        self.summary.setText(
            f"{len(load.overdue)} overdue, {len(load.due_today)} due today, {len(load.this_week)} later this week"
        )
        self.loading = False

    def printout(self) -> Any:
        """The caseload as tables, one per group (Ctrl+P)."""
        if self.current is None:
            return None
        from attendance_desk.ui.format import uk_date as shown
        from attendance_desk.ui.printing import page_html, table_html

        parts = []
        for key, title, _colour in GROUPS:
            tasks: tuple[TaskInfo, ...] = getattr(self.current, key)
            rows = [(t.title, t.pupil_name, t.reg_group, shown(t.due)) for t in tasks]
            parts.append(f"<h2>{title} ({len(tasks)})</h2>")
            parts.append(table_html(("Task", "Pupil", "Class", "Due"), rows) if rows else "")
        from attendance_desk.ui.printing import Printout

        return Printout("Caseload", page_html("Caseload", self.summary.text(), "".join(parts)))

    def _ticked(self, item: QTreeWidgetItem, column: int) -> None:
        task = item.data(0, Qt.ItemDataRole.UserRole)
        if column != 0 or not isinstance(task, TaskInfo):
            return
        done = item.checkState(0) == Qt.CheckState.Checked
        set_task_done(self.db, task.task_id, done, self.today, current_user())
        font = item.font(0)
        font.setStrikeOut(done)
        for col in range(4):
            item.setFont(col, font)

    def _open(self, item: QTreeWidgetItem) -> None:
        task = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(task, TaskInfo):
            self.hub.pupil_selected.emit(task.pupil_id)
