"""Settings: the school's details (with the logo), the policy, term dates, letter templates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.errors import UserError
from attendance_desk.services import policy as policy_service
from attendance_desk.services import school as school_service
from attendance_desk.services.database import Database
from attendance_desk.ui import file_places
from attendance_desk.ui.dialogs.imports_tab import ImportsTab
from attendance_desk.ui.dialogs.policy_editor import PolicyEditor
from attendance_desk.ui.dialogs.staff_tab import StaffTab
from attendance_desk.ui.dialogs.term_dates_tab import SafetyTab, TermDatesTab
from attendance_desk.ui.dialogs.this_pc_tab import ThisPcTab
from attendance_desk.ui.screen_fit import resize_to_fit
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.template_editor import TemplateEditorWidget

TEXT_FIELDS = (
    ("name", "School name"),
    ("urn", "URN"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("postcode", "Postcode"),
    ("headteacher", "Headteacher"),
    ("attendance_officer", "Attendance officer"),
)


class SchoolTab(QWidget):
    def __init__(
        self, details: school_service.SchoolDetails, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.details = details
        self.logo = details.logo
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for name, label in TEXT_FIELDS:
            edit = QLineEdit(getattr(details, name) or "", self)
            edit.setAccessibleName(label)
            edit.setObjectName(f"school_{name}")
            self.edits[name] = edit
            form.addRow(label, edit)
        self.address = QPlainTextEdit(details.address or "", self)
        self.address.setAccessibleName("Address")
        self.address.setFixedHeight(90)
        form.addRow("Address (one line each)", self.address)
        self.logo_label = QLabel(self)
        self.logo_label.setFixedSize(220, 90)
        self.logo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_label.setStyleSheet("border: 1px solid #cfd8dc; background: white;")
        choose = QPushButton("Choose logo...", self)
        choose.clicked.connect(self._choose_logo)
        remove = QPushButton("Remove", self)
        remove.clicked.connect(lambda: self._set_logo(None))
        row = QHBoxLayout()
        row.addWidget(self.logo_label)
        row.addWidget(choose)
        row.addWidget(remove)
        row.addStretch(1)
        form.addRow("Logo (letterhead)", row)
        self._set_logo(self.logo)

    def _set_logo(self, data: bytes | None) -> None:
        self.logo = data
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.logo_label.setPixmap(
                pixmap.scaled(
                    210,
                    84,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.logo_label.setPixmap(QPixmap())
            self.logo_label.setText("No logo")

    def _choose_logo(self) -> None:
        chosen = file_places.open_file(
            self, "Choose the school's logo", file_places.PICTURES, "Pictures (*.png *.jpg *.jpeg)"
        )
        if chosen is None:
            return
        path = str(chosen)
        try:
            self._set_logo(school_service.read_logo_file(path))
        except UserError as exc:
            QMessageBox.warning(self, "Logo", str(exc))

    def value(self) -> school_service.SchoolDetails:
        values = {name: edit.text() for name, edit in self.edits.items()}
        return replace(self.details, address=self.address.toPlainText(), logo=self.logo, **values)


class SettingsDialog(QDialog):
    def __init__(
        self,
        db: Database,
        hub: SignalHub,
        parent: QWidget | None = None,
        as_of: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.hub = hub
        self.setWindowTitle("Settings")
        resize_to_fit(self, 1180, 720)  # room for the letter template form beside its preview
        self.tabs = QTabWidget(self)
        self.school_tab = SchoolTab(school_service.get_school_details(db), self)
        self.tabs.addTab(self.school_tab, "School")
        self.policy_editor = PolicyEditor(policy_service.get_policy(db), self)
        self.tabs.addTab(self.policy_editor, "Policy")
        self.term_dates = TermDatesTab(db, as_of, self)
        self.tabs.addTab(self.term_dates, "Term dates")
        self.templates = TemplateEditorWidget(db, hub, self)
        self.tabs.addTab(self.templates, "Letter templates")
        self.safety = SafetyTab(db, self)
        self.tabs.addTab(self.safety, "Backups and lock")
        self.staff = StaffTab(db, self)
        self.tabs.addTab(self.staff, "Staff")
        self.imports = ImportsTab(db, self)
        self.tabs.addTab(self.imports, "Imports")
        self.this_pc = ThisPcTab(db, self)
        self.tabs.addTab(self.this_pc, "This PC")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def save(self) -> None:
        steps = (
            (self.school_tab, self._save_school),
            (self.policy_editor, self._save_policy),
            (self.safety, self.safety.save),
            (self.imports, self.imports.save),
            (self.term_dates, self._save_term_dates),
            (self.this_pc, self.this_pc.save),
        )
        for tab, step in steps:
            try:
                step()
            except UserError as exc:
                self.tabs.setCurrentWidget(tab)
                QMessageBox.warning(self, "Settings", str(exc)[:1].upper() + str(exc)[1:] + ".")
                return
        self.hub.school_changed.emit()
        self.accept()

    def _save_school(self) -> None:
        school_service.save_school_details(self.db, self.school_tab.value())

    def _save_policy(self) -> None:
        before = policy_service.get_policy(self.db)
        policy = self.policy_editor.policy()
        if policy != before:
            policy_service.save_policy(self.db, policy)
            self.hub.policy_changed.emit()

    def _save_term_dates(self) -> None:
        if self.term_dates.save():
            self.hub.marks_imported.emit()  # the calendar changed: every figure with it
