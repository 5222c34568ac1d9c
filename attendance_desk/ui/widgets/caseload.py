"""The caseload: every open case by stage (days at stage, key person, owner, next review, last
contact, attendance; sortable, filterable by owner), and the open tasks overdue, due today,
this week and later; tick one off with its outcome, or give it to a named member of staff with
a due date (Assign)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import clock
from attendance_desk.domain.pathway import Stage
from attendance_desk.domain.wording import count
from attendance_desk.services.caseload import CaseRow, open_case_rows
from attendance_desk.services.database import Database
from attendance_desk.services.staff import can_change
from attendance_desk.services.tasks import Caseload, TaskInfo, caseload, set_task_done
from attendance_desk.services.versions import EditConflictError
from attendance_desk.ui.format import DASH, pct, uk_date
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.workers import run_async
from attendance_desk.user import current_user

GROUPS = (
    ("overdue", "Overdue", "#c62828"),
    ("due_today", "Due today", "#ef6c00"),
    ("this_week", "This week", "#1565c0"),
    ("later", "Later", "#546e7a"),
)
CASE_COLUMNS = (
    "Pupil",
    "Class",
    "Days at stage",
    "Key person",
    "Owner",
    "Next review",
    "Last contact",
    "Attendance",
)
ALL_OWNERS = "All owners"
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
STAGE_ROLE = Qt.ItemDataRole.UserRole + 2


class _SortedItem(QTreeWidgetItem):
    """A row that sorts on raw values (numbers as numbers, dates as dates), not on text."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        tree = self.treeWidget()
        if self.parent() is None:  # stage groups keep the pathway's order whichever way
            a, b = self.data(0, STAGE_ROLE), other.data(0, STAGE_ROLE)
            descending = tree is not None and (
                tree.header().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
            )
            return bool((a < b) != descending)
        col = tree.sortColumn() if tree else 0
        a, b = self.data(col, SORT_ROLE), other.data(col, SORT_ROLE)
        if a is None or b is None:
            return (a is None) and (b is not None)
        return bool(a < b)


def _case_cells(row: CaseRow) -> list[tuple[str, Any]]:
    return [
        (row.pupil_name, row.pupil_name.casefold()),
        (row.reg_group, row.reg_group),
        (str(row.days_at_stage), row.days_at_stage),
        (row.key_person or DASH, row.key_person.casefold()),
        (row.owner or DASH, row.owner.casefold()),
        (uk_date(row.next_review), row.next_review.toordinal() if row.next_review else None),
        (uk_date(row.last_contact), row.last_contact.toordinal() if row.last_contact else None),
        (
            pct(row.attendance * 100 if row.attendance is not None else None),
            row.attendance,  # exact: sorts as the fraction, not the rounded text
        ),
    ]


def _load(db: Database, today: date) -> tuple[Caseload, tuple[CaseRow, ...]]:
    return caseload(db, today), open_case_rows(db, today)


class CaseloadWidget(QWidget):
    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.hub = db, hub
        self.today = clock.today()
        self.current: Caseload | None = None
        self.told: QMessageBox | None = None  # the last "changed on another PC" message
        self.cases: tuple[CaseRow, ...] = ()
        self.loading = False
        self.read_only = not can_change(db)
        # open cases, grouped by stage
        self.case_tree = QTreeWidget()
        self.case_tree.setObjectName("open_cases")
        self.case_tree.setColumnCount(len(CASE_COLUMNS))
        self.case_tree.setHeaderLabels(list(CASE_COLUMNS))
        self.case_tree.setAlternatingRowColors(True)
        self.case_tree.setSortingEnabled(True)
        self.case_tree.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.case_tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.case_tree.itemActivated.connect(self._open_case)
        self.owner_filter = QComboBox()
        self.owner_filter.setObjectName("owner_filter")
        self.owner_filter.addItem(ALL_OWNERS)
        self.owner_filter.currentTextChanged.connect(self._filter_owner)
        self.cases_summary = QLabel("")
        # tasks
        self.tree = QTreeWidget()
        self.tree.setObjectName("caseload")
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Task", "Pupil", "Class", "Owner", "Due"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setStyleSheet(
            "QTreeWidget::item { padding-top: 3px; padding-bottom: 3px; padding-right: 18px; }"
        )
        header = self.tree.header()
        for col in (0, 1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.tree.itemChanged.connect(self._ticked)
        self.tree.itemActivated.connect(self._open)
        self.outcome_edit = QLineEdit()
        self.outcome_edit.setObjectName("task_outcome")
        self.outcome_edit.setPlaceholderText("Outcome to record with the next task you tick off")
        self.summary = QLabel("")
        self.assign_button = QPushButton("&Assign\u2026")
        self.assign_button.setObjectName("assign_task")
        self.assign_button.setToolTip(
            "Give the chosen task to a member of staff, due this week, later or on a date"
        )
        self.assign_button.setEnabled(False)
        self.assign_button.clicked.connect(self.assign)
        self.assign_dialog: Any = None
        self.tree.currentItemChanged.connect(lambda *_: self._update_assign())
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.reload)
        cases_top = QHBoxLayout()
        cases_top.addWidget(QLabel("<b>Open cases</b>"))
        cases_top.addWidget(self.cases_summary, 1)
        cases_top.addWidget(QLabel("Owner"))
        cases_top.addWidget(self.owner_filter)
        cases_top.addWidget(refresh)
        cases_box = QWidget()
        cases_layout = QVBoxLayout(cases_box)
        cases_layout.setContentsMargins(0, 0, 0, 0)
        cases_layout.addLayout(cases_top)
        cases_layout.addWidget(self.case_tree, 1)
        tasks_box = QWidget()
        tasks_layout = QVBoxLayout(tasks_box)
        tasks_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Tasks</b>"))
        top.addWidget(self.summary, 1)
        tasks_layout.addLayout(top)
        tasks_layout.addWidget(self.tree, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.outcome_edit, 1)
        bottom.addWidget(self.assign_button)
        tasks_layout.addLayout(bottom)
        self.setTabOrder(self.tree, self.assign_button)
        self.setTabOrder(self.assign_button, self.outcome_edit)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(cases_box)
        split.addWidget(tasks_box)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        self.outcome_edit.setEnabled(not self.read_only)
        hub.case_changed.connect(lambda _pid: self.reload())
        hub.marks_imported.connect(self.reload)
        self.reload()

    def set_read_only(self, read_only: bool) -> None:
        """A user who may look but not change (a class teacher): tasks cannot be ticked."""
        self.read_only = read_only
        self.outcome_edit.setEnabled(not read_only)
        self._update_assign()
        if self.current is not None:
            self._loaded((self.current, self.cases))

    def set_today(self, today: date) -> None:
        self.today = today
        self.reload()

    def reload(self) -> None:
        """Load on a worker; only the newest request's answer is shown."""
        self.loading = True
        self._generation = getattr(self, "_generation", 0) + 1
        generation = self._generation
        run_async(
            _load,
            self.db,
            self.today,
            on_finished=lambda load: self._loaded(load) if generation == self._generation else None,
            on_error=self._failed,
        )

    def _failed(self, message: str, _detail: str) -> None:
        self.loading = False
        self.summary.setText(message)

    def _loaded(self, loaded: tuple[Caseload, tuple[CaseRow, ...]]) -> None:
        load, cases = loaded
        self.current, self.cases = load, cases
        self._show_cases(cases)
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
                item = QTreeWidgetItem(
                    [t.title, t.pupil_name, t.reg_group, t.owner or DASH, uk_date(t.due)]
                )
                item.setToolTip(0, f"{t.kind.label}: {t.title}")
                item.setData(0, Qt.ItemDataRole.UserRole, t)
                if self.read_only:  # look, not change: no tick box
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                else:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(0, Qt.CheckState.Unchecked)
                group.addChild(item)
            group.setExpanded(key != "later" or len(tasks) < 15)
        self.tree.blockSignals(False)
        self.summary.setText(
            f"{len(load.overdue)} overdue, {len(load.due_today)} due today, "
            f"{len(load.this_week)} later this week, {len(load.later)} after this week"
        )
        self._update_assign()
        self.loading = False

    def _show_cases(self, cases: tuple[CaseRow, ...]) -> None:
        owners = sorted({c.owner for c in cases if c.owner})
        chosen = self.owner_filter.currentText()
        self.owner_filter.blockSignals(True)
        self.owner_filter.clear()
        self.owner_filter.addItems([ALL_OWNERS, *owners])
        self.owner_filter.setCurrentText(chosen if chosen in owners else ALL_OWNERS)
        self.owner_filter.blockSignals(False)
        self.case_tree.setSortingEnabled(False)
        self.case_tree.clear()
        for stage in Stage:
            rows = [c for c in cases if c.stage is stage]
            if not rows:
                continue
            group = _SortedItem([f"{stage.label} ({len(rows)})"])
            group.setData(0, Qt.ItemDataRole.UserRole, stage.value)
            group.setData(0, STAGE_ROLE, list(Stage).index(stage))
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFirstColumnSpanned(True)
            self.case_tree.addTopLevelItem(group)
            for row in rows:
                cells = _case_cells(row)
                item = _SortedItem([text for text, _ in cells])
                for col, (_text, key) in enumerate(cells):
                    item.setData(col, SORT_ROLE, key)
                item.setData(0, Qt.ItemDataRole.UserRole, row)
                item.setToolTip(0, f"{stage.label} since {uk_date(row.stage_started)}")
                group.addChild(item)
            group.setExpanded(True)
        self.case_tree.setSortingEnabled(True)
        self._filter_owner(self.owner_filter.currentText())

    def _filter_owner(self, owner: str) -> None:
        shown_total = 0
        for group in self._groups():
            shown = 0
            for item in self._children(group):
                row = item.data(0, Qt.ItemDataRole.UserRole)
                hide = owner not in ("", ALL_OWNERS) and row.owner != owner
                item.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)
            shown_total += shown
        self.cases_summary.setText(count(shown_total, "open case"))

    def stage_rows(self, stage: Stage) -> list[CaseRow]:
        """The rows shown under a stage (for tests and printing)."""
        for group in self._groups():
            if group.data(0, Qt.ItemDataRole.UserRole) == stage.value and not group.isHidden():
                return [
                    item.data(0, Qt.ItemDataRole.UserRole)
                    for item in self._children(group)
                    if not item.isHidden()
                ]
        return []

    def _groups(self) -> list[QTreeWidgetItem]:
        items = (self.case_tree.topLevelItem(i) for i in range(self.case_tree.topLevelItemCount()))
        return [g for g in items if g is not None]

    @staticmethod
    def _children(group: QTreeWidgetItem) -> list[QTreeWidgetItem]:
        items = (group.child(j) for j in range(group.childCount()))
        return [c for c in items if c is not None]

    def _open_case(self, item: QTreeWidgetItem) -> None:
        row = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(row, CaseRow):
            self.hub.pupil_selected.emit(row.pupil_id)

    def printout(self) -> Any:
        """The caseload as tables, one per group (Ctrl+P)."""
        if self.current is None:
            return None
        from attendance_desk.ui.format import uk_date as shown
        from attendance_desk.ui.printing import page_html, table_html

        parts = []
        for key, title, _colour in GROUPS:
            tasks: tuple[TaskInfo, ...] = getattr(self.current, key)
            rows = [(t.title, t.pupil_name, t.reg_group, t.owner, shown(t.due)) for t in tasks]
            parts.append(f"<h2>{title} ({len(tasks)})</h2>")
            heads = ("Task", "Pupil", "Class", "Owner", "Due")
            parts.append(table_html(heads, rows) if rows else "")
        from attendance_desk.ui.printing import Printout

        return Printout("Caseload", page_html("Caseload", self.summary.text(), "".join(parts)))

    def _ticked(self, item: QTreeWidgetItem, column: int) -> None:
        task = item.data(0, Qt.ItemDataRole.UserRole)
        if column != 0 or not isinstance(task, TaskInfo):
            return
        done = item.checkState(0) == Qt.CheckState.Checked
        outcome = self.outcome_edit.text() if done else ""
        try:
            set_task_done(
                self.db, task.task_id, done, self.today, current_user(), outcome, task.version
            )
        except EditConflictError as exc:  # ticked (or unticked) on another PC meanwhile
            self.told = QMessageBox(
                QMessageBox.Icon.Warning, "Attendance Desk", str(exc), parent=self
            )
            self.told.open()
            self.reload()
            return
        if done:
            self.outcome_edit.clear()
        font = item.font(0)
        font.setStrikeOut(done)
        for col in range(5):
            item.setFont(col, font)

    def chosen_task(self) -> TaskInfo | None:
        item = self.tree.currentItem()
        task = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return task if isinstance(task, TaskInfo) else None

    def _update_assign(self) -> None:
        self.assign_button.setEnabled(
            not self.read_only and not self.db.read_only and self.chosen_task() is not None
        )

    def assign(self) -> None:
        """Open the assign dialog for the chosen task; the caseload reloads once it is saved."""
        from attendance_desk.ui.dialogs.task_dialog import TaskAssignDialog

        task = self.chosen_task()
        if task is None or self.read_only:
            return
        dialog = TaskAssignDialog(self.db, task, self.today, self)
        dialog.accepted.connect(self.reload)
        self.assign_dialog = dialog
        dialog.open()

    def _open(self, item: QTreeWidgetItem) -> None:
        task = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(task, TaskInfo):
            self.hub.pupil_selected.emit(task.pupil_id)
