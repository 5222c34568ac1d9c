"""Assign a task from the caseload to a named member of staff (or hand it on), due this week,
later, or on a date. Only staff who can act on it are offered (a class teacher looks, not
changes); with no staff list kept, a name is typed."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.tasks import due_later, due_this_week
from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.staff import list_staff
from attendance_desk.services.tasks import TaskInfo, assign_task
from attendance_desk.ui.format import DASH, uk_date

THIS_WEEK, LATER, ON_DATE = "this_week", "later", "date"


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class TaskAssignDialog(QDialog):
    def __init__(
        self, db: Database, task: TaskInfo, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.task, self.today = db, task, today
        self.assigned: TaskInfo | None = None
        self.setWindowTitle("Assign the task")
        self.setObjectName("task_assign")
        self.setMinimumWidth(480)
        about = QLabel(
            f"<b>{task.title}</b><br>{task.pupil_name}"
            + (f" ({task.reg_group})" if task.reg_group else "")
            + f": due {uk_date(task.due)}, for {task.owner or DASH}",
            self,
        )
        about.setWordWrap(True)
        # who: the staff who can act on it; a typed name when the school keeps no list
        staff = [m.name for m in list_staff(db) if m.role.may_change]
        self.owner_combo = QComboBox(self)
        self.owner_combo.setObjectName("task_owner")
        self.owner_combo.setEditable(not staff)
        self.owner_combo.addItems(staff)
        if task.owner in staff:
            self.owner_combo.setCurrentText(task.owner)
        elif not staff:
            self.owner_combo.setEditText(task.owner)
        else:
            self.owner_combo.setCurrentIndex(-1)
        # when
        week, later = due_this_week(today), due_later(today)
        self.this_week = QRadioButton(f"This &week ({uk_date(week)})", self)
        self.later = QRadioButton(f"&Later ({uk_date(later)})", self)
        self.on_date = QRadioButton("On a &date", self)
        self.when = QButtonGroup(self)
        for button, key in (
            (self.this_week, THIS_WEEK),
            (self.later, LATER),
            (self.on_date, ON_DATE),
        ):
            button.setObjectName(f"due_{key}")
            self.when.addButton(button)
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("task_due_date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setMinimumDate(_qdate(today))
        self.date_edit.setDate(_qdate(max(task.due, today)))
        if task.due == week:
            self.this_week.setChecked(True)
        elif task.due == later:
            self.later.setChecked(True)
        elif task.due >= today:
            self.on_date.setChecked(True)
        else:
            self.this_week.setChecked(True)  # overdue: this week unless told otherwise
        self.on_date.toggled.connect(self.date_edit.setEnabled)
        self.date_edit.setEnabled(self.on_date.isChecked())
        self.error = QLabel(self)
        self.error.setObjectName("task_assign_error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Assign")
        ok.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        for_label = QLabel("&For", self)
        for_label.setBuddy(self.owner_combo)
        form.addRow(for_label, self.owner_combo)
        date_row = QHBoxLayout()
        date_row.addWidget(self.on_date)
        date_row.addWidget(self.date_edit, 1)
        due_box = QVBoxLayout()
        due_box.addWidget(self.this_week)
        due_box.addWidget(self.later)
        due_box.addLayout(date_row)
        form.addRow(QLabel("Due", self), due_box)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setTabOrder(self.owner_combo, self.this_week)
        self.owner_combo.setFocus()

    def due(self) -> date:
        if self.this_week.isChecked():
            return due_this_week(self.today)
        if self.later.isChecked():
            return due_later(self.today)
        d = self.date_edit.date()
        return date(d.year(), d.month(), d.day())

    def save(self) -> None:
        try:
            self.assigned = assign_task(
                self.db, self.task.task_id, self.owner_combo.currentText(), self.due(), self.today
            )
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.accept()
