"""The letter composer: choose a template and pupils, preview the exact pages, edit, print or save.

Composing and PDF generation run on the worker pool; the preview shows the very bytes that are
printed and kept in the register.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QDate, QIODevice, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.concern import ALL_RULES
from attendance_desk.domain.letters import EXTRA_FIELDS, FIELDS
from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.letter_register import PrintedBatch, print_letters, save_pdf
from attendance_desk.services.letter_sources import Selection, band_choices, class_names
from attendance_desk.services.letters import (
    ComposeOptions,
    Composition,
    compose,
    edit_letter,
    list_templates,
    render,
)
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.workers import run_async
from attendance_desk.user import current_user

TITLE_CHARS = 40  # the template box shows this much of a title; the list shows it all
MODES = (
    ("school", "Whole school"),
    ("class", "A class"),
    ("band", "A band"),
    ("concern", "A concern"),
    ("upns", "Pupils (UPNs)"),
)


def _compose_and_render(
    db: Database, template_id: str, selection: Selection, as_of: date, options: ComposeOptions
) -> tuple[Composition, bytes]:
    composition = compose(db, template_id, selection, as_of, options)
    return composition, render(composition)


def _render(composition: Composition) -> tuple[Composition, bytes]:
    return composition, render(composition)


class LetterComposerWidget(QWidget):
    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.hub = hub
        self.composition: Composition | None = None
        self.pdf: bytes | None = None
        self.last_printed: PrintedBatch | None = None
        self.busy = False
        self._buffer: QBuffer | None = None

        self.template_combo = QComboBox(objectName="templateCombo")
        self.template_combo.setAccessibleName("Letter template")
        self.template_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.template_combo.setMinimumContentsLength(TITLE_CHARS)
        self.description = QLabel(wordWrap=True, objectName="templateDescription")
        self.mode_combo = QComboBox(objectName="modeCombo")
        for key, label in MODES:
            self.mode_combo.addItem(label, key)
        self.class_combo = QComboBox(objectName="classCombo")
        self.band_combo = QComboBox(objectName="bandCombo")
        self.concern_combo = QComboBox(objectName="concernCombo")
        for rule in ALL_RULES:
            self.concern_combo.addItem(rule.replace("_", " "), rule)
        self.upns_edit = QLineEdit(
            objectName="upnsEdit", placeholderText="UPNs, separated by spaces"
        )
        self.who_stack = QStackedWidget()
        self.school_note = QLabel("Every pupil on roll, by class then surname", wordWrap=True)
        for widget in (
            self.school_note,
            self.class_combo,
            self.band_combo,
            self.concern_combo,
            self.upns_edit,
        ):
            self.who_stack.addWidget(widget)
        self.as_of_edit = QDateEdit(QDate.currentDate(), calendarPopup=True, objectName="asOfEdit")
        self.as_of_edit.setDisplayFormat("ddd d MMM yyyy")
        self.post_check = QCheckBox("Post to home addresses", objectName="postCheck")
        self.family_check = QCheckBox("One letter per family", objectName="familyCheck")
        self.covers_check = QCheckBox("Cover sheet for each class", objectName="coversCheck")
        self.covers_check.setChecked(True)
        self.extra_edits: dict[str, QLineEdit] = {}
        extra_box = QGroupBox("Details for this letter")
        self.extra_form = QFormLayout(extra_box)
        for name in EXTRA_FIELDS:
            edit = QLineEdit(objectName=f"extra_{name}", placeholderText=FIELDS[name])
            self.extra_edits[name] = edit
            self.extra_form.addRow(name.replace("_", " ").capitalize(), edit)
        self.extra_box = extra_box

        self.preview_button = QPushButton("Preview", objectName="previewButton")
        self.save_button = QPushButton("Save PDF…", objectName="saveButton")
        self.print_button = QPushButton("Print…", objectName="printButton")
        self.status = QLabel(objectName="composerStatus", wordWrap=True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # Labels above their fields: the narrow panel gives each field its whole width.
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.addRow("Letter", self.template_combo)
        form.addRow(self.description)
        form.addRow("Pupils", self.mode_combo)
        form.addRow(self.who_stack)
        form.addRow("Figures as of", self.as_of_edit)
        left = QWidget()
        left.setMinimumWidth(340)
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(form)
        for check in (self.post_check, self.family_check, self.covers_check):
            left_layout.addWidget(check)
        left_layout.addWidget(extra_box)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.save_button, self.print_button):
            buttons.addWidget(button)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.status)
        left_layout.addWidget(QLabel("Letters in this batch (choose one to edit its text):"))
        self.letter_list = QListWidget(objectName="letterList")
        left_layout.addWidget(self.letter_list, 1)
        self.edit_text = QPlainTextEdit(objectName="letterText")
        self.edit_text.setPlaceholderText("Choose a letter above to change its wording")
        self.apply_button = QPushButton("Use this text for this letter", objectName="applyEdit")
        left_layout.addWidget(self.edit_text, 1)
        left_layout.addWidget(self.apply_button)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self, objectName="pdfView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        hint = QLabel(
            "Choose a letter and the pupils, then press <b>Preview</b> to see the pages "
            "exactly as they will print.",
            objectName="previewHint",
            wordWrap=True,
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        hint.setStyleSheet("QLabel { color: #50606f; background: #f4f6f8; padding: 24px; }")
        self.preview_stack = QStackedWidget(objectName="previewStack")
        self.preview_stack.addWidget(hint)
        self.preview_stack.addWidget(self.view)

        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(self.preview_stack)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        splitter.setSizes([420, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.template_combo.currentIndexChanged.connect(self._template_chosen)
        self.mode_combo.currentIndexChanged.connect(self.who_stack.setCurrentIndex)
        self.preview_button.clicked.connect(self.preview)
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.print_button.clicked.connect(self.print_pdf)
        self.letter_list.currentRowChanged.connect(self._letter_chosen)
        self.apply_button.clicked.connect(self.apply_edit)
        hub.policy_changed.connect(self.reload)
        hub.marks_imported.connect(self.reload)
        hub.letters_changed.connect(self._reload_templates)
        self.reload()

    # -- choices ---------------------------------------------------------------------------
    def reload(self) -> None:
        self._reload_templates()
        self._fill(self.class_combo, [(c, c) for c in class_names(self.db)])
        self._fill(self.band_combo, [(label, bid) for bid, label in band_choices(self.db)])
        self._set_buttons()

    def _reload_templates(self) -> None:
        current = self.template_combo.currentData()
        self.templates = {t.id: t for t in list_templates(self.db)}
        self._fill(self.template_combo, [(t.title, t.id) for t in self.templates.values()])
        if current in self.templates:
            self.template_combo.setCurrentIndex(self.template_combo.findData(current))
        self._template_chosen()

    @staticmethod
    def _fill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for label, data in items:
            combo.addItem(label, data)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def set_as_of(self, as_of: date) -> None:
        """The window's "Figures as of" date: the letters' figures follow it."""
        self.as_of_edit.setDate(QDate(as_of))

    def _template_chosen(self) -> None:
        template = self.templates.get(self.template_combo.currentData())
        self.description.setText(template.description if template else "")
        self.template_combo.setToolTip(template.title if template else "")
        used = set(template.extra_fields) if template else set()
        for name, edit in self.extra_edits.items():
            self.extra_form.setRowVisible(edit, name in used)
        self.extra_box.setVisible(bool(used))

    def selection(self) -> Selection:
        mode = self.mode_combo.currentData()
        if mode == "school":
            return Selection(whole_school=True)
        if mode == "class":
            return Selection(class_name=self.class_combo.currentData())
        if mode == "band":
            return Selection(band=self.band_combo.currentData())
        if mode == "concern":
            return Selection(concern=self.concern_combo.currentData())
        return Selection(upns=tuple(self.upns_edit.text().replace(",", " ").split()))

    def options(self) -> ComposeOptions:
        template = self.templates.get(self.template_combo.currentData())
        used = template.extra_fields if template else ()
        extra = {n: self.extra_edits[n].text().strip() for n in used}
        return ComposeOptions(
            post=self.post_check.isChecked(),
            family_letters=self.family_check.isChecked(),
            cover_sheets=self.covers_check.isChecked(),
            extra=extra,
        )

    def set_mode(self, mode: str, value: str) -> None:
        """Choose pupils as a person would: a mode and its value (class, band id, rule, UPNs)."""
        self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))
        if mode == "school":
            return
        if mode == "upns":
            self.upns_edit.setText(value)
            return
        combo = {"class": self.class_combo, "band": self.band_combo, "concern": self.concern_combo}[
            mode
        ]
        combo.setCurrentIndex(combo.findData(value))

    # -- work off the GUI thread --------------------------------------------------------------
    def preview(self) -> None:
        as_of = self.as_of_edit.date().toPython()
        self._start(
            "Composing letters…",
            _compose_and_render,
            self.db,
            self.template_combo.currentData(),
            self.selection(),
            as_of,
            self.options(),
        )

    def _start(self, message: str, fn, *args) -> None:  # noqa: ANN001
        self.busy = True
        self.status.setText(message)
        self._set_buttons()
        run_async(fn, *args, on_finished=self._shown, on_error=self._failed)

    def _shown(self, result: tuple[Composition, bytes]) -> None:
        self.composition, self.pdf = result
        self.busy = False
        self._load_pdf(self.pdf)
        comp = self.composition
        self.letter_list.blockSignals(True)
        self.letter_list.clear()
        for letter in comp.letters:
            item = QListWidgetItem(
                f"{letter.class_name}  {letter.pupil_name}  →  {letter.recipient}"
            )
            item.setData(Qt.ItemDataRole.UserRole, letter.key)
            self.letter_list.addItem(item)
        self.letter_list.blockSignals(False)
        skipped = f"; not printable: {'; '.join(comp.problems)}" if comp.problems else ""
        self.status.setText(
            f"{len(comp.letters)} letters for {comp.pupil_count} pupils, "
            f"{self.document.pageCount()} pages{skipped}"
        )
        self._set_buttons()

    def _failed(self, message: str, _detail: str) -> None:
        self.busy = False
        self.status.setText(message)
        self._set_buttons()

    def _load_pdf(self, data: bytes) -> None:
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        self.preview_stack.setCurrentWidget(self.view)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer

    def _set_buttons(self) -> None:
        ready = self.composition is not None and not self.busy
        self.preview_button.setEnabled(not self.busy)
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready and not self.db.read_only)  # printing registers
        self.apply_button.setEnabled(ready and self.letter_list.currentRow() >= 0)

    # -- editing one letter -------------------------------------------------------------------
    def _letter_chosen(self, row: int) -> None:
        if self.composition is None or row < 0:
            return
        key = self.letter_list.item(row).data(Qt.ItemDataRole.UserRole)
        self.edit_text.setPlainText(self.composition.merged.get(key, ""))
        self._set_buttons()

    def apply_edit(self) -> None:
        if self.composition is None or self.letter_list.currentRow() < 0:
            return
        key = self.letter_list.currentItem().data(Qt.ItemDataRole.UserRole)
        try:
            edited = edit_letter(self.composition, key, self.edit_text.toPlainText())
        except UserError as exc:
            self.status.setText(str(exc))
            return
        self._start("Updating the preview…", _render, edited)

    # -- keeping and printing -----------------------------------------------------------------
    def save_pdf(self, path: str | Path | None = None) -> None:
        if self.composition is None or self.pdf is None:
            return
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Save letters", f"{self.composition.template.id}.pdf", "PDF (*.pdf)"
            )
            if not chosen:
                return
            path = chosen
        target = Path(path)
        self._record(lambda printed: self._write(printed, target))

    def printout(self) -> Any:
        """The letters as their PDF pages (Ctrl+P); printing keeps them in the register."""
        if self.composition is None or self.pdf is None:
            return None
        from attendance_desk.ui.printing import Printout

        title = self.composition.template.title or self.composition.template.id
        return Printout(title, pdf=self.document, on_printed=lambda: self._record(lambda _p: None))

    def print_pdf(self) -> None:
        if self.composition is None:
            return
        from attendance_desk.ui.printing import print_printout

        print_printout(self, self.printout())

    def _record(self, then) -> None:  # noqa: ANN001
        def done(printed: PrintedBatch) -> None:
            self.busy = False
            self.last_printed = printed
            then(printed)
            self.status.setText(
                f"{printed.letters} letters kept in the register (batch {printed.batch_id})"
            )
            self._set_buttons()
            self.hub.letters_changed.emit()

        self.busy = True
        self.status.setText("Keeping the letters in the register…")
        self._set_buttons()
        run_async(
            print_letters,
            self.db,
            self.composition,
            current_user(),
            self.pdf,
            on_finished=done,
            on_error=self._failed,
        )

    def _write(self, printed: PrintedBatch, path: Path) -> None:
        try:
            save_pdf(printed.pdf, path)
        except UserError as exc:
            self.status.setText(str(exc))
