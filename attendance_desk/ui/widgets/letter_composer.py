"""The letter composer: choose a template and pupils, preview the exact pages, edit, print or save.

Composing and PDF generation run on the worker pool; the preview shows the very bytes that are
printed and kept in the register.
"""

from __future__ import annotations

import html
from collections.abc import Callable
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
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.concern import ALL_RULES, rule_title
from attendance_desk.domain.letters import EXTRA_FIELDS, FIELDS
from attendance_desk.domain.policy import Policy
from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.letter_register import (
    BatchMatch,
    PrintedBatch,
    matching_batch,
    print_letters,
    save_pdf,
)
from attendance_desk.services.letter_sources import Selection, band_choices, class_names
from attendance_desk.services.letters import (
    ComposeOptions,
    Composition,
    compose,
    edit_letter,
    list_templates,
    render,
)
from attendance_desk.services.policy import get_policy
from attendance_desk.ui import file_places
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.workers import Worker, run_async
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
    db: Database,
    template_id: str,
    selection: Selection,
    as_of: date,
    options: ComposeOptions,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> tuple[Composition, bytes]:
    """Merging is the first tenth of the work, laying out the pages the rest."""

    def merging(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total * 10)

    composition = compose(db, template_id, selection, as_of, options, merging, cancel)
    letters = len(composition.letters)

    def laying_out(done: int, total: int) -> None:
        if progress is not None:
            progress(letters + done * 9, letters * 10)

    return composition, render(composition, laying_out, cancel)


def _render(
    composition: Composition,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> tuple[Composition, bytes]:
    return composition, render(composition, progress, cancel)


REPRINT, RECORD, CANCEL = "reprint", "record", "cancel"


class LetterComposerWidget(QWidget):
    policy: Policy  # the school's, read by reload: what letters' descriptions are told in

    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.hub = hub
        self.composition: Composition | None = None
        self.pdf: bytes | None = None
        self.last_printed: PrintedBatch | None = None
        self.busy = False
        self.worker: Worker | None = None
        self._buffer: QBuffer | None = None
        # asks what to do with a batch already in the register (tests answer it themselves)
        self.ask_duplicate: Callable[[BatchMatch], str] = self._ask_duplicate
        self._pending_choice: str | None = None
        self._token = object()
        self._recording = False
        # looking at all of a trust's schools: letters are one school's (its letterhead,
        # policy and pupils), composed and printed working in it
        self.all_schools = db.for_all_schools()

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
            self.concern_combo.addItem(rule_title(rule), rule)
        self.upns_edit = QLineEdit(
            objectName="upnsEdit", placeholderText="UPNs, separated by spaces"
        )
        self.who_stack = QStackedWidget()
        self.school_note = QLabel("Every pupil on roll, by class then surname")
        self.school_note.setWordWrap(True)
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
        self.progress = QProgressBar()
        self.progress.setObjectName("composerProgress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p%")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Stop making this batch: nothing is printed or kept")
        self.progress.hide()
        self.cancel_button.hide()

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
        working = QHBoxLayout()
        working.addWidget(self.progress, 1)
        working.addWidget(self.cancel_button)
        left_layout.addLayout(working)
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
            html.escape(self.db.changes_refusal("compose and print letters") + ".", quote=False)
            if self.all_schools
            else "Choose a letter and the pupils, then press <b>Preview</b> to see the pages "
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
        # any change to what would be printed clears the preview: Save and Print act only on
        # the pages shown, and those are always the current choice
        for combo in (
            self.template_combo,
            self.mode_combo,
            self.class_combo,
            self.band_combo,
            self.concern_combo,
        ):
            combo.currentIndexChanged.connect(self.clear_preview)
        self.upns_edit.textChanged.connect(self.clear_preview)
        self.as_of_edit.dateChanged.connect(self.clear_preview)
        for check in (self.post_check, self.family_check, self.covers_check):
            check.toggled.connect(self.clear_preview)
        for edit in self.extra_edits.values():
            edit.textChanged.connect(self.clear_preview)
        self.cancel_button.clicked.connect(self.cancel)
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
        shown = self.composition is not None
        self.clear_preview()  # the figures or the policy changed
        if shown:  # not the officer's choice: say what did change
            self.status.setText(
                "The figures, the policy or the pupils changed (F5, an import, or another PC): "
                "press Preview to see the letters as they now are."
            )
        self.policy = get_policy(self.db)
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
        self.description.setText(template.description_for(self.policy) if template else "")
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
    def clear_preview(self, *_args: object) -> None:
        """Forget the pages shown: the choice changed, so they are no longer what would print."""
        if self.busy and self.worker is not None and not self._recording:
            self.worker.request_stop()  # a batch for the old choice is not wanted any more
            self.worker.cancel()
            self._done_working()
        if self.composition is None and self.pdf is None:
            return
        self.composition = None
        self.pdf = None
        self.letter_list.clear()
        self.edit_text.clear()
        self.document.close()
        self.preview_stack.setCurrentIndex(0)
        self.status.setText("The choice changed: press Preview to see the new letters.")
        self._set_buttons()

    def preview(self) -> None:
        as_of = self.as_of_edit.date().toPython()
        self.clear_preview()
        self._start(
            "Composing letters…",
            _compose_and_render,
            self.db,
            self.template_combo.currentData(),
            self.selection(),
            as_of,
            self.options(),
        )

    def _start(self, message: str, fn: Callable[..., object], *args: object) -> None:
        self.busy = True
        self.status.setText(message)
        self.progress.setRange(0, 0)  # busy until the first report
        self.progress.show()
        self.cancel_button.show()
        self._set_buttons()
        token = self._token = object()  # results of work stopped since are dropped

        def shown(result: tuple[Composition, bytes]) -> None:
            if token is self._token:
                self._shown(result)

        def failed(message: str, detail: str) -> None:
            if token is self._token:
                self._failed(message, detail)

        self.worker = run_async(
            fn, *args, on_finished=shown, on_error=failed, on_progress=self._progressed
        )

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def cancel(self) -> None:
        """Stop the batch being made; nothing is shown, printed or kept."""
        if self.worker is None or not self.busy:
            return
        self.worker.request_stop()
        if self._recording:  # the register says how it ended: kept whole, or nothing kept
            self.status.setText("Stopping…")
            self.cancel_button.setEnabled(False)
            return
        self.worker.cancel()
        self._done_working()
        self.status.setText("Stopped: no letters were made.")
        self._set_buttons()

    def _done_working(self) -> None:
        self._token = object()
        self._recording = False
        self.cancel_button.setEnabled(True)
        self.busy = False
        self.worker = None
        self.progress.hide()
        self.cancel_button.hide()

    def _shown(self, result: tuple[Composition, bytes]) -> None:
        self._done_working()
        self.composition, self.pdf = result
        self._load_pdf(self.pdf)
        comp = self.composition
        self.letter_list.blockSignals(True)
        self.letter_list.clear()
        for letter in comp.letters:
            where = "post" if letter.postal else "bag"
            item = QListWidgetItem(
                f"{letter.class_name}  {letter.pupil_name}  →  {letter.recipient} ({where})"
            )
            item.setData(Qt.ItemDataRole.UserRole, letter.key)
            self.letter_list.addItem(item)
        self.letter_list.blockSignals(False)
        skipped = f"; not printable: {'; '.join(comp.problems)}" if comp.problems else ""
        kinds = comp.variant_counts()
        variants = ""
        if len(kinds) > 1 or kinds[0][0] != comp.template.title:
            variants = "\n" + "\n".join(f"{n} × {title}" for title, n in kinds)
        posted = f", {comp.postal_count} to post" if comp.postal_count else ""
        left_out = f"\n{comp.left_out_note}" if comp.left_out else ""
        self.status.setText(
            f"{len(comp.letters)} letters for {comp.pupil_count} pupils{posted}, "
            f"{self.document.pageCount()} pages{variants}{skipped}{left_out}"
        )
        self._set_buttons()

    def _failed(self, message: str, _detail: str) -> None:
        self._done_working()
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
        # printing registers the letters: a school's, made working in it
        self.print_button.setEnabled(ready and not (self.db.read_only or self.all_schools))
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
            chosen = file_places.save_file(
                self,
                "Save letters",
                file_places.LETTERS,
                f"{self.composition.template.id}.pdf",
                "PDF (*.pdf)",
            )
            if chosen is None:
                return
            path = chosen
        target = Path(path)
        choice = self._check_duplicate()
        if choice == CANCEL:
            return
        if choice == REPRINT:
            try:
                save_pdf(self.pdf, target)
            except UserError as exc:
                self.status.setText(str(exc))
                return
            self.status.setText(f"Reprinted to {target}: nothing new kept in the register.")
            return
        self._record(target, None)

    def printout(self) -> Any:
        """The letters as their PDF pages (Ctrl+P); printing keeps them in the register."""
        if self.composition is None or self.pdf is None:
            return None
        from attendance_desk.ui.printing import Printout

        title = self.composition.template.title or self.composition.template.id
        return Printout(title, pdf=self.document, on_printed=self._printed)

    def print_pdf(self) -> None:
        """Print button: a batch already in the register is asked about before printing."""
        if self.composition is None or self.pdf is None:
            return
        from attendance_desk.ui.printing import print_printout

        choice = self._check_duplicate()
        if choice == CANCEL:
            return
        self._pending_choice = choice
        if not print_printout(self, self.printout()):
            self._pending_choice = None

    def _printed(self) -> None:
        """After the pages went to the printer: keep them, unless they were a reprint."""
        choice = self._pending_choice or self._check_duplicate()
        self._pending_choice = None
        if choice == RECORD:
            self._record(None, None)
        else:
            self.status.setText("Printed as a reprint: nothing new kept in the register.")

    def _check_duplicate(self) -> str:
        """RECORD when the batch is new; otherwise what the person chose."""
        assert self.composition is not None and self.pdf is not None
        match = matching_batch(self.db, self.composition, self.pdf)
        return RECORD if match is None else self.ask_duplicate(match)

    def _ask_duplicate(self, match: BatchMatch) -> str:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("These letters are already in the register")
        box.setText(f"These letters are already in the register: {match.describe()}.")
        box.setInformativeText(
            "A reprint gives the same pages and is not kept as new letters. Keep them as new "
            "letters only if they are really being sent again."
        )
        reprint = None
        if match.identical:
            reprint = box.addButton("Reprint (not kept again)", QMessageBox.ButtonRole.AcceptRole)
        record = box.addButton("Keep as new letters", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(reprint or cancel)
        box.exec()
        clicked = box.clickedButton()
        if reprint is not None and clicked is reprint:
            return REPRINT
        return RECORD if clicked is record else CANCEL

    def _record(self, target: Path | None, then: Callable[[], None] | None) -> None:
        """Keep the batch: the PDF written whole first (when saving), then the register."""

        def done(printed: PrintedBatch) -> None:
            self._done_working()
            self.last_printed = printed
            if then is not None:
                then()
            where = f" and saved to {target}" if target is not None else ""
            self.status.setText(
                f"{printed.letters} letters kept in the register (batch {printed.batch_id}){where}"
            )
            self._set_buttons()
            self.hub.letters_changed.emit()

        self.busy = True
        self._recording = True
        self.status.setText("Keeping the letters in the register…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self._set_buttons()
        token = self._token = object()

        def finished(printed: PrintedBatch) -> None:
            if token is self._token:
                done(printed)

        def failed(message: str, detail: str) -> None:
            if token is self._token:
                self._failed(message, detail)

        self.worker = run_async(
            print_letters,
            self.db,
            self.composition,
            current_user(),
            self.pdf,
            target,
            on_finished=finished,
            on_error=failed,
            on_progress=self._progressed,
        )
