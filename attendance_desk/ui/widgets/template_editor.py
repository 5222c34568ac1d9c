"""Settings > Letter templates: the office edits a letter in a form beside a live preview.

No markup is shown: bold is bold, bullets are bullets, the table of figures is a marked line,
and merge fields read as «pupil forename» (picked from the list of fields). The words for each
band's pupils have a tab each. One Save keeps the template and the class teachers.
"""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, QTimer
from PySide6.QtGui import QFont, QTextCharFormat, QTextListFormat
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from attendance_desk.domain.letters import (
    FIELDS,
    LetterTemplate,
    TemplateParts,
    format_template,
    join_parts,
    split_parts,
)
from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.letter_sources import (
    band_choices,
    class_names,
    class_teachers,
    set_class_teacher,
)
from attendance_desk.services.letters import (
    list_templates,
    preview_template,
    reset_template,
    save_template,
)
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.workers import run_async

FIGURES_LINE = "\u25a6 Table of figures"
SIGNERS = (
    ("officer", "The attendance officer"),
    ("head", "The headteacher"),
    ("class_teacher", "The class teacher"),
    ("head_and_officer", "The headteacher and the attendance officer"),
)
PREVIEW_DELAY_MS = 400
_FIELD_RE = re.compile(r"\{([a-z_]+)\}")
_SHOWN_FIELD_RE = re.compile(r"\u00ab([^\u00bb]*)\u00bb")


def field_label(name: str) -> str:
    return name.replace("_", " ")


def shown_fields(text: str) -> str:
    """{pupil_forename} -> «pupil forename»."""
    return _FIELD_RE.sub(lambda m: f"\u00ab{field_label(m.group(1))}\u00bb", text)


def stored_fields(text: str) -> str:
    """«pupil forename» -> {pupil_forename}."""
    return _SHOWN_FIELD_RE.sub(lambda m: "{" + m.group(1).strip().replace(" ", "_") + "}", text)


def to_editor(words: str) -> str:
    """A template's words as Markdown for a rich-text box (fields and figures shown plainly)."""
    lines = [FIGURES_LINE if line.strip() == "[figures]" else line for line in words.split("\n")]
    return shown_fields("\n".join(lines))


def from_editor(lines: list[tuple[bool, str]]) -> str:
    """The box's paragraphs, (is a bullet, text with **bold**), back to the template's words:
    a blank line between paragraphs, bullets of one list on consecutive lines."""
    out: list[str] = []
    previous_bullet = False
    for bullet, text in lines:
        text = text.strip()
        if not text:
            continue
        if text == FIGURES_LINE:
            text = "[figures]"
        if out:
            out.append("\n" if bullet and previous_bullet else "\n\n")
        out.append(f"- {text}" if bullet else text)
        previous_bullet = bullet
    return stored_fields("".join(out))


class WordsEdit(QTextEdit):
    """Letter words with bold and bullets shown as they print."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)

    def set_words(self, words: str) -> None:
        self.setMarkdown(to_editor(words))

    def words(self) -> str:
        """The words as the template keeps them (no Markdown writer: it wraps lines, even
        inside bold)."""
        lines: list[tuple[bool, str]] = []
        block = self.document().begin()
        while block.isValid():
            parts: list[str] = []
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                if fragment.isValid():
                    text = fragment.text().replace("\u2028", " ")
                    if fragment.charFormat().fontWeight() >= QFont.Weight.Bold and text.strip():
                        lead = text[: len(text) - len(text.lstrip())]
                        trail = text[len(text.rstrip()) :]
                        text = f"{lead}**{text.strip()}**{trail}"
                    parts.append(text)
                it += 1
            lines.append((block.textList() is not None, "".join(parts).replace("****", "")))
            block = block.next()
        return from_editor(lines)


class TemplateEditorWidget(QWidget):
    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.hub = hub
        self.templates: list[LetterTemplate] = []
        self.current: LetterTemplate | None = None
        self.parts: TemplateParts | None = None
        self._buffer: QBuffer | None = None
        self._loading = False
        self._preview_token = object()
        self._last_words: QWidget | None = None

        self.template_list = QListWidget()
        self.template_list.setObjectName("templateList")

        # the form
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("titleEdit")
        self.description_edit = QLineEdit()
        self.description_edit.setObjectName("descriptionEdit")
        self.signer_combo = QComboBox()
        self.signer_combo.setObjectName("signerCombo")
        for key, label in SIGNERS:
            self.signer_combo.addItem(label, key)
        self.subject_edit = QLineEdit()
        self.subject_edit.setObjectName("subjectEdit")
        self.opening = WordsEdit("openingEdit")
        self.band_tabs = QTabWidget()
        self.band_tabs.setObjectName("bandTabs")
        self.band_edits: list[WordsEdit] = []
        self.closing = WordsEdit("closingEdit")
        self.band_box = QGroupBox("Words for the pupils in each band")
        band_layout = QVBoxLayout(self.band_box)
        band_layout.addWidget(self.band_tabs)
        self.closing_label = QLabel("Then, for every pupil:")

        self.bold_button = QPushButton("Bold")
        self.bold_button.setObjectName("boldButton")
        self.bullets_button = QPushButton("Bullets")
        self.bullets_button.setObjectName("bulletsButton")
        self.figures_button = QPushButton("Table of figures")
        self.figures_button.setObjectName("figuresButton")
        self.figures_button.setToolTip("Place the table of the pupil's figures here")
        tools = QHBoxLayout()
        for button in (self.bold_button, self.bullets_button, self.figures_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the cursor in the words
            tools.addWidget(button)
        tools.addStretch(1)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Title", self.title_edit)
        form.addRow("What it is for", self.description_edit)
        form.addRow("Signed by", self.signer_combo)
        form.addRow("Subject line", self.subject_edit)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.addLayout(form)
        middle_layout.addWidget(QLabel("The letter, for every pupil:"))
        middle_layout.addLayout(tools)
        middle_layout.addWidget(self.opening, 3)
        middle_layout.addWidget(self.band_box, 2)
        middle_layout.addWidget(self.closing_label)
        middle_layout.addWidget(self.closing, 1)

        # merge fields and class teachers
        self.fields = QListWidget()
        self.fields.setObjectName("fieldList")
        for name, meaning in FIELDS.items():
            item = QListWidgetItem(field_label(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(meaning)
            self.fields.addItem(item)
        self.insert_button = QPushButton("Insert field")
        self.insert_button.setObjectName("insertField")
        self.insert_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.teachers = QTableWidget(0, 2)
        self.teachers.setObjectName("classTeachers")
        self.teachers.setHorizontalHeaderLabels(["Class", "Class teacher"])
        self.teachers.horizontalHeader().setStretchLastSection(True)
        fields_box = QWidget()
        fields_layout = QVBoxLayout(fields_box)
        fields_layout.addWidget(QLabel("Merge fields (double-click to insert at the cursor)"))
        fields_layout.addWidget(self.fields, 2)
        fields_layout.addWidget(self.insert_button)
        fields_layout.addWidget(QLabel("Class teachers (cover sheets, the class teacher's letter)"))
        fields_layout.addWidget(self.teachers, 1)

        # the live preview
        self.preview_band = QComboBox()
        self.preview_band.setObjectName("previewBand")
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("templatePreview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.preview_note = QLabel()
        self.preview_note.setObjectName("previewNote")
        self.preview_note.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        band_row = QHBoxLayout()
        band_row.addWidget(QLabel("Preview for a pupil in"))
        band_row.addWidget(self.preview_band, 1)
        right_layout.addLayout(band_row)
        right_layout.addWidget(self.view, 1)
        right_layout.addWidget(self.preview_note)

        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveTemplate")
        self.reset_button = QPushButton("Back to the shipped wording")
        self.reset_button.setObjectName("resetTemplate")
        self.message = QLabel()
        self.message.setObjectName("templateMessage")
        self.message.setWordWrap(True)

        splitter = QSplitter(self)
        for widget in (self.template_list, middle, fields_box, right):
            splitter.addWidget(widget)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(3, 3)
        splitter.setSizes([200, 440, 170, 400])
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.reset_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.refresh_preview)

        self.template_list.currentRowChanged.connect(self._show)
        self.fields.itemDoubleClicked.connect(self._insert_field)
        self.insert_button.clicked.connect(self._insert_current_field)
        self.bold_button.clicked.connect(self._bold)
        self.bullets_button.clicked.connect(self._bullets)
        self.figures_button.clicked.connect(self._figures)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset)
        self.preview_band.currentIndexChanged.connect(self._changed)
        for edit in (self.title_edit, self.description_edit, self.subject_edit):
            edit.textChanged.connect(self._changed)
        self.signer_combo.currentIndexChanged.connect(self._changed)
        for words in (self.opening, self.closing):
            words.textChanged.connect(self._changed)
        hub.marks_imported.connect(self._load_teachers)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)
        self.reload()

    # -- loading ------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        self.templates = list(list_templates(self.db))
        self.preview_band.blockSignals(True)
        self.preview_band.clear()
        for band_id, label in band_choices(self.db):
            self.preview_band.addItem(label, band_id)
        self.preview_band.blockSignals(False)
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
        self._show(self.template_list.currentRow())
        self._load_teachers()

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.templates):
            return
        template = self.templates[row]
        self._loading = True
        self.current = template
        self.parts = split_parts(template.body, template.id)
        self.title_edit.setText(template.title)
        self.description_edit.setText(template.description)
        self.signer_combo.setCurrentIndex(max(self.signer_combo.findData(template.signed_by), 0))
        self.subject_edit.setText(shown_fields(template.subject))
        parts = self.parts or TemplateParts(opening=template.body)
        self.opening.set_words(parts.opening)
        self.band_tabs.clear()
        for old in self.band_edits:
            old.deleteLater()
        self.band_edits = []
        self._last_words = None
        labels = dict(band_choices(self.db))
        for bands, words in parts.band_words:
            edit = WordsEdit("bandWords")
            edit.set_words(words)
            edit.textChanged.connect(self._changed)
            self.band_edits.append(edit)
            self.band_tabs.addTab(edit, ", ".join(labels.get(b, b) for b in bands))
        self.band_box.setVisible(bool(parts.band_words))
        self.closing.set_words(parts.closing)
        self.closing.setVisible(bool(parts.band_words))
        self.closing_label.setVisible(bool(parts.band_words))
        # preview for a pupil in a band the letter speaks to
        for band in [b for bands, _ in parts.band_words for b in bands] + list(template.bands):
            index = self.preview_band.findData(band)
            if index >= 0:
                self.preview_band.blockSignals(True)
                self.preview_band.setCurrentIndex(index)
                self.preview_band.blockSignals(False)
                break
        self._loading = False
        self.message.clear()
        self.timer.start()  # the preview follows shortly (never for a form closed at once)

    # -- the form -----------------------------------------------------------------------------
    def edited_template(self) -> LetterTemplate:
        """The template as the form shows it (checked when saved or previewed)."""
        if self.current is None:
            raise UserError("choose a template first")
        opening = self.opening.words()
        if self.parts is None:
            body = opening + "\n"
        else:
            band_words = tuple(
                (bands, edit.words())
                for (bands, _old), edit in zip(self.parts.band_words, self.band_edits, strict=True)
            )
            body = join_parts(TemplateParts(opening, band_words, self.closing.words()))
        return replace(
            self.current,
            title=self.title_edit.text().strip(),
            description=self.description_edit.text().strip(),
            subject=stored_fields(self.subject_edit.text().strip()),
            signed_by=self.signer_combo.currentData(),
            body=body,
        )

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Remember the last box of words the cursor was in: fields and styles go there."""
        if new is not None and new in (
            self.subject_edit,
            self.opening,
            self.closing,
            *self.band_edits,
        ):
            self._last_words = new

    def _words_in_use(self) -> WordsEdit | QLineEdit:
        last = self._last_words
        return last if isinstance(last, WordsEdit | QLineEdit) else self.opening

    def _insert_field(self, item: QListWidgetItem) -> None:
        target = self._words_in_use()
        text = "\u00ab" + field_label(item.data(Qt.ItemDataRole.UserRole)) + "\u00bb"
        target.insert(text) if isinstance(target, QLineEdit) else target.insertPlainText(text)
        target.setFocus()

    def _insert_current_field(self) -> None:
        item = self.fields.currentItem()
        if item is not None:
            self._insert_field(item)

    def _words_box(self) -> WordsEdit:
        target = self._words_in_use()
        return target if isinstance(target, WordsEdit) else self.opening

    def _bold(self) -> None:
        box = self._words_box()
        cursor = box.textCursor()
        bold = cursor.charFormat().fontWeight() < QFont.Weight.Bold
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        cursor.mergeCharFormat(fmt)
        box.mergeCurrentCharFormat(fmt)

    def _bullets(self) -> None:
        box = self._words_box()
        cursor = box.textCursor()
        if cursor.currentList() is None:
            cursor.createList(QTextListFormat.Style.ListDisc)
        else:
            block = cursor.blockFormat()
            block.setIndent(0)
            cursor.currentList().remove(cursor.block())
            cursor.setBlockFormat(block)

    def _figures(self) -> None:
        box = self._words_box()
        cursor = box.textCursor()
        cursor.insertBlock()
        cursor.insertText(FIGURES_LINE)
        cursor.insertBlock()

    def _changed(self, *_args: object) -> None:
        if not self._loading:
            self.timer.start()

    # -- the live preview ---------------------------------------------------------------------
    def refresh_preview(self) -> None:
        try:
            template = self.edited_template()
        except UserError as exc:
            self.preview_note.setText(f"Not yet printable: {exc}")
            return
        token = self._preview_token = object()

        def shown(pdf: bytes) -> None:
            if isValid(self.preview_note) and token is self._preview_token:
                self._load_pdf(pdf)
                self.preview_note.setText("The letter as it will print (example details).")

        def failed(message: str, _detail: str) -> None:
            if isValid(self.preview_note) and token is self._preview_token:
                self.preview_note.setText(f"Not yet printable: {message}")

        run_async(
            preview_template,
            self.db,
            template,
            self.preview_band.currentData(),
            on_finished=shown,
            on_error=failed,
        )

    def _load_pdf(self, data: bytes) -> None:
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer

    # -- keeping ------------------------------------------------------------------------------
    def save(self) -> None:
        """The one Save: the template as the form shows it, and the class teachers."""
        try:
            template = save_template(self.db, format_template(self.edited_template()))
        except UserError as exc:
            self.message.setText(f"Not saved: {exc}")
            return
        self.store_teachers()
        self.reload(select=template.id)
        self.message.setText(f"Saved '{template.title}' and the class teachers.")
        self.hub.letters_changed.emit()

    def reset(self) -> None:
        if self.current is None:
            return
        template_id = self.current.id
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
        saved = class_teachers(self.db)
        for i in range(self.teachers.rowCount()):
            cls = self.teachers.item(i, 0).text()
            cell = self.teachers.item(i, 1)
            teacher = cell.text().strip() if cell else ""
            if teacher != saved.get(cls, ""):
                set_class_teacher(self.db, cls, teacher)
