"""Settings: the school's details (with the logo), the policy, term dates, letter templates."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.errors import UserError
from attendance_desk.services import policy as policy_service
from attendance_desk.services import school as school_service
from attendance_desk.storage.db import Database
from attendance_desk.ui.dialogs.policy_editor import PolicyEditor
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.signals import SignalHub

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
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the school's logo", "", "Pictures (*.png *.jpg *.jpeg)"
        )
        if not path:
            return
        try:
            self._set_logo(school_service.read_logo_file(path))
        except UserError as exc:
            QMessageBox.warning(self, "Logo", str(exc))

    def value(self) -> school_service.SchoolDetails:
        values = {name: edit.text() for name, edit in self.edits.items()}
        return replace(self.details, address=self.address.toPlainText(), logo=self.logo, **values)


class TermDatesTab(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from attendance_desk.services.calendar import get_calendar

        calendar = get_calendar(db)
        halves = list(calendar.half_terms)
        table = QTableWidget(len(halves), 4, self)
        table.setObjectName("termDates")
        table.setAccessibleName("Half terms")
        table.setHorizontalHeaderLabels(["Year", "Half term", "Starts", "Ends"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, h in enumerate(halves):
            name = h.name + (" (worked out from the register)" if h.inferred else "")
            for c, text in enumerate((h.year, name, uk_date(h.start), uk_date(h.end))):
                table.setItem(r, c, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        closures = sorted(calendar.closures)
        closure_table = QTableWidget(len(closures), 1, self)
        closure_table.setHorizontalHeaderLabels(["Closure (INSET day, bank holiday)"])
        closure_table.verticalHeader().setVisible(False)
        closure_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, d in enumerate(closures):
            closure_table.setItem(r, 0, QTableWidgetItem(uk_date(d)))
        closure_table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Term dates and closures come from the files you import (File \u203a Import): a term-dates file or a closures file. Years with no term dates are worked out from the register."
            )
        )
        row = QHBoxLayout()
        row.addWidget(table, 3)
        row.addWidget(closure_table, 1)
        layout.addLayout(row)
        self.table = table


class SettingsDialog(QDialog):
    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.hub = hub
        self.setWindowTitle("Settings")
        self.resize(900, 680)
        self.tabs = QTabWidget(self)
        self.school_tab = SchoolTab(school_service.get_school_details(db), self)
        self.tabs.addTab(self.school_tab, "School")
        self.policy_editor = PolicyEditor(policy_service.get_policy(db), self)
        self.tabs.addTab(self.policy_editor, "Policy")
        self.tabs.addTab(TermDatesTab(db, self), "Term dates")
        self.templates = self._template_editor()
        if self.templates is not None:
            self.tabs.addTab(self.templates, "Letter templates")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def _template_editor(self) -> QWidget | None:
        try:
            from attendance_desk.ui.widgets import template_editor
        except ImportError:
            return None
        for name in ("TemplateEditorWidget", "TemplateEditor"):
            cls = getattr(template_editor, name, None)
            if cls is not None:
                try:
                    return cls(self.db, self.hub, self)
                except TypeError:
                    return cls(self.db, self)
        return None

    def save(self) -> None:
        try:
            before = policy_service.get_policy(self.db)
            school_service.save_school_details(self.db, self.school_tab.value())
            policy = self.policy_editor.policy()
            if policy != before:
                policy_service.save_policy(self.db, policy)
                self.hub.policy_changed.emit()
        except UserError as exc:
            QMessageBox.warning(self, "Settings", str(exc))
            return
        self.hub.school_changed.emit()
        self.accept()
