"""Dialogs for casework: add or edit any kind of timeline event, and move a case's stage.

The event form is built from the kind's details dataclass (domain.events), so every kind gets
the same keyboard-friendly layout: a date, who recorded it, then its own fields.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import clock
from attendance_desk.domain import events as ev
from attendance_desk.domain.casework import SUPPORT_OPTIONS
from attendance_desk.domain.dates import numeric
from attendance_desk.domain.events import (
    DETAIL_TYPES,
    EventKind,
    details_from_dict,
    details_to_dict,
)
from attendance_desk.domain.pathway import STAGE_LABELS, Stage
from attendance_desk.domain.staff import Role
from attendance_desk.errors import UserError
from attendance_desk.services.caseload import set_case_owner
from attendance_desk.services.cases import (
    change_stage,
    enforce_signoff_required,
    get_case,
    support_on_record,
)
from attendance_desk.services.database import Database
from attendance_desk.services.penalties import penalty_parents, penalty_preview
from attendance_desk.services.staff import acting_role, list_staff
from attendance_desk.services.timeline import TimelineEntry, add_event, edit_event, timeline
from attendance_desk.services.versions import EditConflictError
from attendance_desk.user import current_user

CHOICES: dict[str, dict[str, str]] = {
    "outcome_call": ev.CALL_OUTCOMES,
    "direction": {"out": "Outgoing", "in": "Incoming"},
    "meeting_type": ev.MEETING_TYPES,
    "agency": ev.REFERRAL_AGENCIES,
    "consent": ev.CONSENT,
    "status": ev.PENALTY_STATUSES,
    "section": {"444(1)": "s.444(1)", "444(1A)": "s.444(1A)"},
}
LONG_TEXT = {"terms", "actions", "text", "notes", "outcome", "below_threshold_reason"}


LABELS = {"la_reference": "LA reference", "below_threshold_reason": "Reason (below threshold)"}


def _label(name: str) -> str:
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def _parse_dates(text: str) -> list[str]:
    out = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            day, month, year = (int(x) for x in part.split("/"))
            out.append(date(year, month, day).isoformat())
        except ValueError:
            raise UserError(f"'{part}' is not a date like 03/02/2025") from None
    return out


class DetailsForm(QWidget):
    """Fields for one kind's details; `values()` gives the dict domain.events validates."""

    def __init__(self, kind: EventKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.cls = DETAIL_TYPES[kind]
        self.hints = typing.get_type_hints(self.cls)
        self.layout_ = QFormLayout(self)
        self.editors: dict[str, QWidget] = {}
        for f in dataclasses.fields(self.cls):
            if f.name == "amount":  # set by the penalty rules, never typed
                continue
            editor = self._editor(f.name, self.hints[f.name])
            editor.setObjectName(f"field_{f.name}")
            self.editors[f.name] = editor
            self.layout_.addRow(_label(f.name), editor)

    def _choices(self, name: str) -> dict[str, str] | None:
        if name == "outcome" and self.kind is EventKind.PHONE_CALL:
            return CHOICES["outcome_call"]
        return CHOICES.get(name) if name != "outcome" else None

    def _editor(self, name: str, hint: Any) -> QWidget:
        args = typing.get_args(hint)
        choices = self._choices(name)
        if choices:
            combo = QComboBox()
            for key, text in choices.items():
                combo.addItem(text, key)
            return combo
        if hint is bool:
            return QCheckBox()
        if hint == (bool | None):
            combo = QComboBox()
            for text, value in (("Not yet known", None), ("Yes", True), ("No", False)):
                combo.addItem(text, value)
            return combo
        if hint is int:
            spin = QSpinBox()
            spin.setRange(3, 6) if name == "period_weeks" else spin.setRange(0, 10**6)
            return spin
        if hint is date or (date in args and typing.get_origin(hint) is not tuple):
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setSpecialValueText("(none)")
            edit.setMinimumDate(QDate(2000, 1, 1))
            edit.setDate(edit.minimumDate())  # shown as "(none)"
            return edit
        if name in LONG_TEXT:
            text = QPlainTextEdit()
            text.setTabChangesFocus(True)
            text.setFixedHeight(64)
            return text
        line = QLineEdit()
        if name == "suggested_code":
            from attendance_desk.ui.widgets.code_help import offer_codes

            offer_codes(line)
        if typing.get_origin(hint) is tuple:
            line.setPlaceholderText(
                "dates like 03/02/2025, separated by commas"
                if date in args
                else "separated by commas"
            )
        return line

    def set_values(self, data: dict[str, Any]) -> None:
        for name, editor in self.editors.items():
            value = data.get(name)
            if isinstance(editor, QComboBox):
                i = editor.findData(value)
                editor.setCurrentIndex(max(i, 0))
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value or editor.minimum()))
            elif isinstance(editor, QDateEdit):
                editor.setDate(QDate(date.fromisoformat(value)) if value else editor.minimumDate())
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText(value or "")
            elif isinstance(editor, QLineEdit):
                if isinstance(value, list):
                    is_dates = date in typing.get_args(self.hints[name])
                    value = ", ".join(
                        numeric(date.fromisoformat(v)) if is_dates else str(v) for v in value
                    )
                editor.setText("" if value is None else str(value))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, editor in self.editors.items():
            hint = self.hints[name]
            if isinstance(editor, QComboBox):
                # the penalty notice's parent: the name chosen from the contacts
                out[name] = editor.currentText() if name == "parent" else editor.currentData()
            elif isinstance(editor, QCheckBox):
                out[name] = editor.isChecked()
            elif isinstance(editor, QSpinBox):
                out[name] = editor.value()
            elif isinstance(editor, QDateEdit):
                out[name] = (
                    None
                    if editor.date() == editor.minimumDate()
                    else editor.date().toPython().isoformat()
                )
            elif isinstance(editor, QPlainTextEdit):
                out[name] = editor.toPlainText().strip()
            elif isinstance(editor, QLineEdit):
                text = editor.text().strip()
                if typing.get_origin(hint) is tuple:
                    if date in typing.get_args(hint):
                        out[name] = _parse_dates(text)
                    else:
                        out[name] = [p.strip() for p in text.split(",") if p.strip()]
                elif name == "suggested_code":
                    out[name] = text.upper() or None
                elif name == "letter_id":
                    out[name] = int(text) if text.isdigit() else None
                else:
                    out[name] = text
        return out


class EventDialog(QDialog):
    """Add (or edit) one event of `kind` for the pupils given; saves through the services.

    An edit names the version it was opened on: when someone else changed the event meanwhile
    (another PC), the dialog says who and what, shows the event as it is now, and emits
    `changed_elsewhere` so the window reloads."""

    changed_elsewhere = Signal()

    def __init__(
        self,
        db: Database,
        kind: EventKind,
        pupil_ids: list[int],
        recorded_by: str = "",
        existing: TimelineEntry | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.kind, self.pupil_ids, self.existing = db, kind, pupil_ids, existing
        self.saved: TimelineEntry | None = None
        self.setWindowTitle(f"{'Edit' if existing else 'Add'}: {kind.label}")
        layout = QVBoxLayout(self)
        top = QFormLayout()
        self.date_edit = QDateEdit(QDate(existing.date if existing else clock.today()))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.by_edit = QLineEdit(existing.recorded_by if existing else recorded_by)
        top.addRow("Date", self.date_edit)
        top.addRow("Recorded by", self.by_edit)
        if existing:
            self.reason_edit = QLineEdit()
            self.reason_edit.setPlaceholderText("why it changes (kept with the earlier version)")
            top.addRow("Reason for the edit", self.reason_edit)
        layout.addLayout(top)
        self.form = DetailsForm(kind, self)
        if existing and existing.details is not None:
            self.form.set_values(details_to_dict(existing.details))
        layout.addWidget(self.form)
        self.penalty_info: QLabel | None = None
        if kind is EventKind.PENALTY_NOTICE and len(pupil_ids) == 1:
            self.penalty_info = self._penalty_form(existing)
            layout.addWidget(self.penalty_info)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _penalty_form(self, existing: TimelineEntry | None) -> QLabel:
        """The parent is chosen from the contacts with parental responsibility; the amount,
        the dates and any warning are shown as the choices change."""
        parents = penalty_parents(self.db, self.pupil_ids[0])
        combo = QComboBox()
        combo.setObjectName("field_parent")
        combo.addItems(list(parents))
        old = self.form.editors["parent"]
        self.form.layout_.replaceWidget(old, combo)
        old.deleteLater()
        self.form.editors["parent"] = combo
        if existing is not None and isinstance(existing.details, ev.PenaltyNotice):
            combo.setCurrentIndex(max(combo.findText(existing.details.parent), 0))
        info = self.penalty_info = QLabel()
        info.setObjectName("penalty_info")
        info.setWordWrap(True)
        info.setStyleSheet("padding: 6px; background: #fff8e1;")
        combo.currentIndexChanged.connect(self._update_penalty)
        issued = self.form.editors["issued"]
        if isinstance(issued, QDateEdit):
            if existing is None:
                issued.setDate(QDate.currentDate())
            issued.dateChanged.connect(self._update_penalty)
        self._update_penalty()
        return info

    def _update_penalty(self) -> None:
        assert self.penalty_info is not None
        combo = self.form.editors["parent"]
        issued = self.form.editors["issued"]
        assert isinstance(combo, QComboBox) and isinstance(issued, QDateEdit)
        if combo.count() == 0:
            self.penalty_info.setText(
                "The pupil has no contact with parental responsibility: add the parent to the "
                "pupil's contacts first."
            )
            return
        on = issued.date().toPython()
        assert isinstance(on, date)
        preview = penalty_preview(self.db, self.pupil_ids[0], on, combo.currentText())
        lines = [
            f"{preview.sessions} unauthorised sessions in the {preview.weeks} school weeks to "
            f"{numeric(on)} (threshold {preview.threshold})."
        ]
        if preview.decision is not None:
            lines.append(preview.decision.message)
            lines += [f"\u2022 {step}" for step in preview.decision.next_steps]
        if preview.warning():
            lines.append("\u26a0 " + preview.warning())
        self.penalty_info.setText("\n".join(lines))

    def save(self) -> None:
        try:
            details = details_from_dict(self.kind, self.form.values())
            on = self.date_edit.date().toPython()
            if self.existing and self.existing.event_id is not None:
                self.saved = edit_event(
                    self.db,
                    self.existing.event_id,
                    details,
                    on,
                    self.by_edit.text(),
                    self.reason_edit.text(),
                    expected_version=self.existing.version,
                )
            else:
                self.saved = add_event(self.db, self.pupil_ids, details, on, self.by_edit.text())
        except EditConflictError as exc:
            self._reload_existing()
            self.error.setText(str(exc))
            self.changed_elsewhere.emit()
            return
        except UserError as exc:
            self.error.setText(str(exc))
            next_steps = getattr(exc, "next_steps", ())
            if next_steps:
                self.error.setText(
                    str(exc) + "\nNext steps:\n" + "\n".join(f"\u2022 {s}" for s in next_steps)
                )
            return
        self.accept()

    def _reload_existing(self) -> None:
        """Show the event as it is now (after someone else's edit)."""
        if self.existing is None or self.existing.event_id is None:
            return
        for pid in self.existing.pupil_ids[:1]:
            for entry in timeline(self.db, pid):
                if entry.event_id == self.existing.event_id:
                    self.existing = entry
                    d = entry.date
                    self.date_edit.setDate(QDate(d.year, d.month, d.day))
                    if entry.details is not None:
                        self.form.set_values(details_to_dict(entry.details))


# The stage a case usually moves to next (the dialog offers it first).
NEXT_STAGE: dict[Stage, Stage] = {
    Stage.EXPECT: Stage.MONITOR,
    Stage.MONITOR: Stage.LISTEN_AND_UNDERSTAND,
    Stage.LISTEN_AND_UNDERSTAND: Stage.SUPPORT_TIER_1,
    Stage.SUPPORT_TIER_1: Stage.SUPPORT_TIER_2,
    Stage.SUPPORT_TIER_2: Stage.SUPPORT_TIER_3,
    Stage.SUPPORT_TIER_3: Stage.FORMALISE,
    Stage.FORMALISE: Stage.ENFORCE,
    Stage.ENFORCE: Stage.CLOSED,
}


class StageChangeDialog(QDialog):
    """Move a pupil's case: stage, date, who decided, why; for Enforce, the support offered or
    what was considered and why it was not appropriate, and the headteacher's sign-off when the
    school requires it. The move names the version of the case the dialog showed: when someone
    else moved or changed it meanwhile, the dialog says who and what, shows the case as it is
    now, and emits `changed_elsewhere` so the window reloads."""

    changed_elsewhere = Signal()

    def __init__(
        self, db: Database, pupil_id: int, decided_by: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db, self.pupil_id = db, pupil_id
        self.setWindowTitle("Change stage")
        self.setMinimumWidth(640)  # the support options read in full
        case = get_case(db, pupil_id)
        self.version = case.version if case else 0  # 0: no open case when the dialog opened
        self.signoff_required = enforce_signoff_required(db)
        layout = QVBoxLayout(self)
        current = case.stage.label if case else "no open case"
        self.current_label = QLabel(f"Current stage: <b>{current}</b>")
        layout.addWidget(self.current_label)
        form = QFormLayout()
        self.stage_combo = QComboBox()
        for stage, label in STAGE_LABELS.items():
            if case is not None and stage is case.stage:
                continue
            if case is None and stage is Stage.CLOSED:
                continue
            self.stage_combo.addItem(label, stage)
        nxt = NEXT_STAGE.get(case.stage) if case else Stage.MONITOR
        if nxt is not None:
            self.stage_combo.setCurrentIndex(max(self.stage_combo.findData(nxt), 0))
        self.date_edit = QDateEdit(QDate(clock.today()))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.by_edit = QLineEdit(decided_by)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(60)
        self.owner_combo = QComboBox()
        self.owner_combo.setObjectName("case_owner")
        self.owner_combo.setEditable(True)
        owners = [m.name for m in list_staff(db) if m.role.may_change]
        current_owner = (case.owner if case else "") or decided_by
        self.owner_combo.addItems(sorted({*owners, current_owner} - {""}))
        self.owner_combo.setCurrentText(current_owner)
        self.review_edit = QDateEdit()
        self.review_edit.setObjectName("next_review")
        self.review_edit.setCalendarPopup(True)
        self.review_edit.setDisplayFormat("dd/MM/yyyy")
        self.review_edit.setSpecialValueText("(none)")
        self.review_edit.setMinimumDate(QDate(2000, 1, 1))
        review = case.next_review if case else None
        self.review_edit.setDate(
            QDate(review.year, review.month, review.day)
            if review
            else self.review_edit.minimumDate()
        )
        self.support_edit = QPlainTextEdit()
        self.support_edit.setTabChangesFocus(True)
        self.support_edit.setFixedHeight(80)
        self.considered = QListWidget()
        self.considered.setObjectName("support_considered")
        for option in SUPPORT_OPTIONS:
            item = QListWidgetItem(option)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.considered.addItem(item)
        self.considered.setFixedHeight(140)
        self.not_appropriate_edit = QLineEdit()
        self.not_appropriate_edit.setPlaceholderText(
            "why the support ticked above was not appropriate for this family"
        )
        self.signoff_edit = QLineEdit()
        self.signoff_edit.setPlaceholderText("the headteacher's name")
        if acting_role() is Role.HEADTEACHER:
            self.signoff_edit.setText(current_user())
        form.addRow("Move to", self.stage_combo)
        form.addRow("Date", self.date_edit)
        form.addRow("Decided by", self.by_edit)
        form.addRow("Why", self.reason_edit)
        form.addRow("Case owner", self.owner_combo)
        form.addRow("Next review", self.review_edit)
        self.support_label = QLabel("Support offered")
        self.considered_label = QLabel("Or: support considered")
        self.not_label = QLabel("Not appropriate because")
        self.signoff_label = QLabel("Headteacher's sign-off")
        form.addRow(self.support_label, self.support_edit)
        form.addRow(self.considered_label, self.considered)
        form.addRow(self.not_label, self.not_appropriate_edit)
        form.addRow(self.signoff_label, self.signoff_edit)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.stage_combo.currentIndexChanged.connect(self._stage_chosen)
        self._stage_chosen()

    def _stage_chosen(self) -> None:
        enforce = self.stage_combo.currentData() == Stage.ENFORCE.value
        for w in (
            self.support_label,
            self.support_edit,
            self.considered_label,
            self.considered,
            self.not_label,
            self.not_appropriate_edit,
        ):
            w.setVisible(enforce)
        for w in (self.signoff_label, self.signoff_edit):
            w.setVisible(enforce and self.signoff_required)
        if enforce and not self.support_edit.toPlainText():
            items = support_on_record(self.db, self.pupil_id)
            self.support_edit.setPlainText(
                "\n".join(f"{numeric(i.date)}: {i.description}" for i in items)
            )

    def considered_options(self) -> list[str]:
        return [
            self.considered.item(i).text()
            for i in range(self.considered.count())
            if self.considered.item(i).checkState() == Qt.CheckState.Checked
        ]

    def tick(self, *options: str) -> None:
        for i in range(self.considered.count()):
            item = self.considered.item(i)
            if item.text() in options:
                item.setCheckState(Qt.CheckState.Checked)

    def save(self) -> None:
        enforce = self.stage_combo.currentData() == Stage.ENFORCE.value
        self.error.clear()
        try:
            change_stage(
                self.db,
                self.pupil_id,
                Stage(self.stage_combo.currentData()),
                self.date_edit.date().toPython(),
                self.by_edit.text(),
                self.reason_edit.toPlainText(),
                self.support_edit.toPlainText() if enforce else "",
                self.not_appropriate_edit.text() if enforce else "",
                self.considered_options() if enforce else (),
                self.signoff_edit.text() if enforce else "",
                expected_version=self.version,
            )
            if self.stage_combo.currentData() != Stage.CLOSED.value:
                review = self.review_edit.date()
                next_review = review.toPython()
                set_case_owner(
                    self.db,
                    self.pupil_id,
                    self.owner_combo.currentText(),
                    next_review
                    if isinstance(next_review, date) and review != self.review_edit.minimumDate()
                    else None,
                )
        except EditConflictError as exc:
            case = get_case(self.db, self.pupil_id)
            self.version = case.version if case else 0
            current = case.stage.label if case else "no open case"
            self.current_label.setText(f"Current stage: <b>{current}</b>")
            self.error.setText(str(exc))
            self.changed_elsewhere.emit()
            return
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


__all__ = ["DetailsForm", "EventDialog", "StageChangeDialog"]
