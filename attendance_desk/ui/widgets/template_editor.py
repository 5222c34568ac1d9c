"""Settings > Letters: edit any template (saved in the database), reset it, name class teachers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.letters import FIELDS, format_template
from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.letter_sources import class_names, class_teachers, set_class_teacher
from attendance_desk.services.letters import list_templates, reset_template, save_template
from attendance_desk.ui.signals import SignalHub


class TemplateEditorWidget(QWidget):
    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.hub = hub
        self.template_list = QListWidget(objectName="templateList")
        self.editor = QPlainTextEdit(objectName="templateText")
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.fields = QListWidget(objectName="fieldList")
        for name, meaning in FIELDS.items():
            item = QListWidgetItem(f"{{{name}}}  {meaning}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.fields.addItem(item)
        self.save_button = QPushButton("Save template", objectName="saveTemplate")
        self.reset_button = QPushButton("Back to the shipped wording", objectName="resetTemplate")
        self.message = QLabel(objectName="templateMessage", wordWrap=True)
        self.teachers = QTableWidget(0, 2, objectName="classTeachers")
        self.teachers.setHorizontalHeaderLabels(["Class", "Class teacher"])
        self.teachers.horizontalHeader().setStretchLastSection(True)
        self.save_teachers = QPushButton("Save class teachers", objectName="saveTeachers")

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.addWidget(
            QLabel(
                "A blank line starts a new paragraph; '- ' starts a bullet; **words** are bold; "
                "a line [figures] places the table of figures; lines between [band: green, amber] "
                "and [end band] print only for pupils in those bands. Double-click a field to "
                "insert it.",
                wordWrap=True,
            )
        )
        middle_layout.addWidget(self.editor, 1)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.reset_button)
        middle_layout.addLayout(row)
        middle_layout.addWidget(self.message)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(QLabel("Merge fields"))
        right_layout.addWidget(self.fields, 2)
        right_layout.addWidget(
            QLabel("Class teachers (cover sheets and the class teacher's letter)")
        )
        right_layout.addWidget(self.teachers, 1)
        right_layout.addWidget(self.save_teachers)
        splitter = QSplitter(self)
        for widget in (self.template_list, middle, right):
            splitter.addWidget(widget)
        splitter.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(splitter)

        self.template_list.currentRowChanged.connect(self._show)
        self.fields.itemDoubleClicked.connect(self._insert_field)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset)
        self.save_teachers.clicked.connect(self.store_teachers)
        hub.marks_imported.connect(self._load_teachers)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self.templates = list(list_templates(self.db))
        self.template_list.blockSignals(True)
        self.template_list.clear()
        for template in self.templates:
            mark = "" if template.source == "shipped" else f"  ({template.source})"
            item = QListWidgetItem(template.title + mark)
            item.setData(Qt.ItemDataRole.UserRole, template.id)
            self.template_list.addItem(item)
        self.template_list.blockSignals(False)
        ids = [t.id for t in self.templates]
        self.template_list.setCurrentRow(ids.index(select) if select in ids else 0)
        self._load_teachers()

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.templates):
            self.editor.setPlainText(format_template(self.templates[row]))
            self.message.clear()

    def _insert_field(self, item: QListWidgetItem) -> None:
        self.editor.insertPlainText("{" + item.data(Qt.ItemDataRole.UserRole) + "}")

    def save(self) -> None:
        try:
            template = save_template(self.db, self.editor.toPlainText())
        except UserError as exc:
            self.message.setText(f"Not saved: {exc}")
            return
        self.reload(select=template.id)
        self.message.setText(f"Saved '{template.title}'.")
        self.hub.letters_changed.emit()

    def reset(self) -> None:
        row = self.template_list.currentRow()
        if row < 0:
            return
        template_id = self.templates[row].id
        reset_template(self.db, template_id)
        self.reload(select=template_id)
        self.message.setText("Back to the shipped wording.")
        self.hub.letters_changed.emit()

    def _load_teachers(self) -> None:
        names = class_teachers(self.db)
        classes = list(class_names(self.db))
        classes += [c for c in names if c not in classes]
        self.teachers.setRowCount(len(classes))
        for i, cls in enumerate(classes):
            item = QTableWidgetItem(cls)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.teachers.setItem(i, 0, item)
            self.teachers.setItem(i, 1, QTableWidgetItem(names.get(cls, "")))

    def store_teachers(self) -> None:
        for i in range(self.teachers.rowCount()):
            cls = self.teachers.item(i, 0).text()
            teacher = self.teachers.item(i, 1)
            set_class_teacher(self.db, cls, teacher.text() if teacher else "")
        self.message.setText("Class teachers saved.")
