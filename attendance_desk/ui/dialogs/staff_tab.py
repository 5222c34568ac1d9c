"""Settings, Staff: who uses the application (name and role), and whether a move to Enforce
needs the headteacher's sign-off. Changes save at once, through the services."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.staff import Role
from attendance_desk.errors import UserError
from attendance_desk.services.cases import enforce_signoff_required, set_enforce_signoff_required
from attendance_desk.services.database import Database
from attendance_desk.services.staff import add_staff, can_change, list_staff, remove_staff


class StaffTab(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.list = QListWidget(self)
        self.list.setObjectName("staff_list")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("staff_name")
        self.name_edit.setPlaceholderText("Name as it appears on records, e.g. Mrs K Ellis")
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("staff_role")
        for role in Role:
            self.role_combo.addItem(role.label, role.value)
        self.add_button = QPushButton("Add", self)
        self.add_button.clicked.connect(self.add)
        self.remove_button = QPushButton("Remove from the list", self)
        self.remove_button.clicked.connect(self.remove)
        self.signoff = QCheckBox("Moving a case to Enforce needs the headteacher's sign-off", self)
        self.signoff.setObjectName("enforce_signoff")
        self.signoff.setChecked(enforce_signoff_required(db))
        self.signoff.toggled.connect(self._signoff_toggled)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 2)
        row.addWidget(self.role_combo, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Each person picks their name when the application starts; their name is on "
                "every record they make. A class teacher can look but not change."
            )
        )
        layout.addWidget(self.list, 1)
        layout.addWidget(self.remove_button)
        layout.addLayout(row)
        layout.addWidget(self.signoff)
        layout.addWidget(self.error)
        editable = can_change(db)
        for w in (
            self.name_edit,
            self.role_combo,
            self.add_button,
            self.remove_button,
            self.signoff,
        ):
            w.setEnabled(editable)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for member in list_staff(self.db):
            item = QListWidgetItem(f"{member.name} \u2014 {member.role.label}")
            item.setData(256, member.staff_id)
            self.list.addItem(item)

    def add(self) -> None:
        try:
            add_staff(self.db, self.name_edit.text(), self.role_combo.currentData())
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.name_edit.clear()
        self.reload()

    def remove(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        try:
            remove_staff(self.db, int(item.data(256)))
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.reload()

    def _signoff_toggled(self, on: bool) -> None:
        set_enforce_signoff_required(self.db, on)
