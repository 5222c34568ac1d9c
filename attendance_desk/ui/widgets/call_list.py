"""The first-day call list: who is absent with no reason, whom to ring, and logging a call.

Keyboard: pick a pupil (arrows), pick the number (Alt+N), the outcome (keys 1-4 in the outcome
box), type the reason, Tab, type the code (the codes and their meanings are offered), Enter:
the call is logged, the next pupil is chosen and the form is ready again. Brothers and sisters
sit together and one call covers them all. Families not reached for two school days running
are flagged in red at the top, with the child-protection, child-in-need and looked-after flags
and the next step. The day is the window's date.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import clock
from attendance_desk.domain.events import CALL_OUTCOMES
from attendance_desk.errors import UserError
from attendance_desk.services.calls import (
    CallListEntry,
    DaySummary,
    LoggedCall,
    calls_for_day,
    log_call,
)
from attendance_desk.services.database import Database
from attendance_desk.services.staff import can_change
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.models.table import Column, RowTableModel
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.code_help import offer_codes
from attendance_desk.ui.workers import run_async
from attendance_desk.user import current_user

REASON_CODES = ("", "I", "M", "R", "C", "G", "O", "L", "U")
FLAG_COLOUR = "#c62828"
LOGGED_COLOUR = "#2e7d32"  # the line saying a call is logged


def _sessions(e: CallListEntry) -> str:
    return " ".join(f"{s} {c or 'no mark'}" for s, c in e.sessions)


def _first_number(e: CallListEntry) -> str:
    for c in e.contacts:
        if c.phones:
            return f"{c.name}: {c.phones[0][1]}"
    return "no number on record"


def _flag(e: CallListEntry) -> str:
    if not e.unreached_flag:
        return " ".join(e.flags)
    return " ".join(("\u26a0", *e.flags))


COLUMNS: list[Column[CallListEntry]] = [
    Column(
        "!",
        _flag,
        tooltip=lambda e: (
            f"Not reached for {e.days_unreached} school days running: a safeguarding concern"
            if e.unreached_flag
            else None
        ),
        colour=lambda e: FLAG_COLOUR if e.unreached_flag else None,
    ),
    Column("Class", lambda e: e.reg_group),
    Column("Pupil", lambda e: f"{e.surname}, {e.forename}"),
    Column("Absent", _sessions),
    Column("Ring first", _first_number),
    Column("Days unreached", lambda e: e.days_unreached, kind="number"),
    Column(
        "Next step",
        lambda e: e.next_step,
        colour=lambda e: FLAG_COLOUR if e.unreached_flag else None,
    ),
    Column("Today", lambda e: "; ".join(e.calls_today) or ("reached" if e.reached_today else "")),
]


class CallTableModel(RowTableModel[CallListEntry]):
    """The call list: the flag and the next step in red for families not reached."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            column = self.columns[index.column()]
            if column.colour is not None and index.row() < len(self.rows):
                hex_colour = column.colour(self.rows[index.row()])
                return QColor(hex_colour) if hex_colour else None
        return super().data(index, role)


class FirstDayCallsWidget(QWidget):
    """The day's call list with a quick call log beneath it."""

    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.hub = db, hub
        self.loading = False
        self.last_logged: LoggedCall | None = None
        self.summary: DaySummary | None = None
        self._day = clock.today()
        self._select_next: int | None = None  # the pupil to choose once the list reloads
        self._just_logged: set[int] = set()  # logged; off the list once it reloads
        self._form_pupil: int | None = None  # whose call the form holds
        self._outcome_chosen = False  # the outcome picked for this pupil's call, not defaulted

        self.title = QLabel("")
        self.title.setObjectName("callsTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("callsSummary")
        self.summary_label.setWordWrap(True)
        self.count_label = QLabel("")
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.reload)

        self.model = CallTableModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setObjectName("callTable")
        self.table.setAccessibleName("Pupils to call")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._pupil_chosen())
        self.table.doubleClicked.connect(self._open_pupil)

        self.pupil_label = QLabel("Choose a pupil")
        self.pupil_label.setWordWrap(True)
        self.number_combo = QComboBox()
        self.number_combo.setObjectName("numberCombo")
        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("outcomeCombo")
        for i, (key, text) in enumerate(CALL_OUTCOMES.items(), start=1):
            self.outcome_combo.addItem(f"{i} {text}", key)
        self.outcome_combo.activated.connect(self._outcome_picked)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setPlaceholderText("reason given")
        self.reason_edit.returnPressed.connect(self._enter_pressed)
        self.code_combo = QComboBox()
        self.code_combo.setObjectName("codeCombo")
        self.code_combo.setEditable(True)
        self.code_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.code_combo.addItems(REASON_CODES)
        self.code_combo.setAccessibleName("Code")
        offer_codes(self.code_combo)
        edit = self.code_combo.lineEdit()
        assert edit is not None
        edit.setPlaceholderText("code, e.g. I")
        edit.returnPressed.connect(self._enter_pressed)
        self.siblings_check = QCheckBox("")
        self.siblings_check.setObjectName("siblingsCheck")
        self.siblings_check.setChecked(True)
        self.siblings_check.hide()
        self.recode_check = QCheckBox("Re-code the day's N marks")
        self.recode_check.setChecked(True)
        self.follow_check = QCheckBox("Follow-up needed")
        self.log_button = QPushButton("Log call")
        self.log_button.setObjectName("logCall")
        self.log_button.setDefault(True)
        self.log_button.clicked.connect(self.log_selected)
        self.log_button.setEnabled(can_change(db))
        if db.read_only:
            self.log_button.setToolTip("The database is open read-only")
        elif db.for_all_schools():
            self.log_button.setToolTip(db.changes_refusal("log calls"))
        self.message = QLabel("")
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.pupil_label)
        form.addRow("&Number", self.number_combo)
        form.addRow("&Outcome", self.outcome_combo)
        form.addRow("&Reason", self.reason_edit)
        form.addRow("&Code", self.code_combo)
        form.addRow(self.siblings_check)
        checks = QHBoxLayout()
        checks.addWidget(self.recode_check)
        checks.addWidget(self.follow_check)
        checks.addStretch(1)
        checks.addWidget(self.log_button)
        form.addRow(checks)
        form.addRow(self.message)
        box = QGroupBox("Log a call")
        box.setLayout(form)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(box)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.log_selected)
        hub.marks_imported.connect(self.reload)
        self._show_title()
        self.reload()

    @property
    def day(self) -> date:
        return self._day

    def set_date(self, day: date) -> None:
        """The window's date: the list is the calls of that day."""
        if day != self._day:
            self._day = day
            self._show_title()
            self.reload()

    def _show_title(self) -> None:
        self.title.setText(f"Calls for {uk_date(self._day)}")

    def reload(self) -> None:
        """Build the list on a worker thread; the table fills when it is ready."""
        self.loading = True
        self.count_label.setText("Loading\u2026")
        self._generation = getattr(self, "_generation", 0) + 1
        generation = self._generation
        run_async(
            calls_for_day,
            self.db,
            self.day,
            on_finished=lambda got: self._loaded(*got) if generation == self._generation else None,
            on_error=self._failed,
        )

    def _loaded(self, entries: tuple[CallListEntry, ...], summary: DaySummary) -> None:
        selected = self.selected()
        wanted = self._select_next or (selected.pupil_id if selected else None)
        # The pupil whose call is being typed has left the list (logged or re-coded on
        # another PC, or given a code by an import): the form is not moved on to the next
        # child, where an Enter would log what was typed for the wrong one. What was typed
        # stays; a pupil is chosen by hand.
        stranded = (
            selected
            if self._select_next is None
            and selected is not None
            and not self._nothing_entered()
            and all(e.pupil_id != selected.pupil_id for e in entries)
            else None
        )
        self._select_next = None
        self._just_logged = set()
        self.model.set_rows(entries)
        self.summary = summary
        self.summary_label.setText(summary.text())
        flagged = sum(e.unreached_flag for e in entries)
        text = f"{len(entries)} to call"
        if flagged:
            text += f", {flagged} not reached for 2+ days"
        self.count_label.setText(text)
        self.loading = False
        if stranded is not None:
            self.table.clearSelection()
            self.table.setCurrentIndex(QModelIndex())
            self._pupil_chosen()
            self.message.setStyleSheet(f"color: {FLAG_COLOUR}")
            self.message.setText(
                f"{stranded.forename} {stranded.surname} is off the list now (a call logged on "
                "another PC, or a code come in): nothing was logged. What you typed is kept: "
                "choose the pupil it is for."
            )
            return
        if entries:
            row = next((i for i, e in enumerate(entries) if e.pupil_id == wanted), 0)
            self.table.selectRow(row)
        self._pupil_chosen()

    def _failed(self, message: str, _detail: str) -> None:
        self.loading = False
        self.count_label.setText("")
        self.message.setText(message)

    def selected(self) -> CallListEntry | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.row_at(index.row())

    def _pupil_chosen(self) -> None:
        entry = self.selected()
        pupil = entry.pupil_id if entry is not None else None
        if pupil != self._form_pupil:  # another pupil's call (a reload keeps the same one's)
            self._form_pupil, self._outcome_chosen = pupil, False
        self.number_combo.clear()
        self.siblings_check.hide()
        if entry is None:
            self.pupil_label.setText("Choose a pupil")
            return
        text = f"<b>{entry.forename} {entry.surname}</b> ({entry.reg_group})"
        if entry.unreached_flag:
            flags = f" [{', '.join(entry.flags)}]" if entry.flags else ""
            text += (
                f"<br><span style='color:{FLAG_COLOUR}'><b>Not reached for "
                f"{entry.days_unreached} school days{flags}</b>: {entry.next_step}</span>"
            )
        self.pupil_label.setText(text)
        siblings = self._siblings(entry)
        if siblings:
            names = ", ".join(f"{s.forename} ({s.reg_group})" for s in siblings)
            self.siblings_check.setText(f"This call covers {names} too")
            self.siblings_check.setChecked(True)
            self.siblings_check.show()
        for c in entry.contacts:
            rel = f" ({c.relationship})" if c.relationship else ""
            for kind, number in c.phones:
                self.number_combo.addItem(f"{c.name}{rel} \u2014 {kind} {number}", (c.name, number))
        if self.number_combo.count() == 0:
            self.number_combo.addItem("no number on record", ("", ""))

    def _siblings(self, entry: CallListEntry) -> list[CallListEntry]:
        return [e for e in self.model.rows if e.pupil_id in entry.siblings]

    def _open_pupil(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.hub.pupil_selected.emit(entry.pupil_id)

    def printout(self) -> Any:
        """The call sheet for the day (Ctrl+P)."""
        from attendance_desk.ui.printing import call_sheet

        return call_sheet(self.day, list(self.model.rows))

    def _outcome_picked(self) -> None:
        self._outcome_chosen = True

    def _nothing_entered(self) -> bool:
        """The form as it was when the pupil came up: no outcome picked, no reason or code
        typed, no follow-up ticked."""
        return not (
            self._outcome_chosen
            or self.outcome_combo.currentIndex() != 0
            or self.reason_edit.text().strip()
            or self.code_combo.currentText().strip()
            or self.follow_check.isChecked()
        )

    def _enter_pressed(self) -> LoggedCall | None:
        """Enter in the reason or code logs the call, once something of it is entered. After a
        call the next pupil comes up with the form cleared and the reason ready: an Enter too
        many there logged a call nobody made ("spoke to contact") for that child, seen when a
        second Enter followed the one that picked a code. Log call and Ctrl+Return log the form
        as it stands."""
        entry = self.selected()
        if entry is not None and entry.pupil_id in self._just_logged:
            # the same Enter passed on again by the code's completer, or a second one before
            # the list reloads: the call is logged once
            return None
        if entry is not None and self._nothing_entered():
            hint = (
                f"Nothing entered yet for {entry.forename} {entry.surname}'s call: choose the "
                "outcome or type the reason, then Enter (Log call logs it as it stands)"
            )
            shown = self.message.text()
            if shown.startswith("Logged: "):  # the call just logged stays in sight above it
                hint = (
                    f"<span style='color:{LOGGED_COLOUR}'>{escape(shown)}</span><br>{escape(hint)}"
                )
            self.message.setStyleSheet("")
            self.message.setText(hint)
            return None
        return self.log_selected()

    def log_selected(self) -> LoggedCall | None:
        """Log the call for the chosen pupil (and the brothers and sisters it covers); the next
        pupil is chosen and the form is ready for the next call."""
        if self.db.read_only:
            self.message.setText("The database is open read-only: calls cannot be logged")
            return None
        if self.db.for_all_schools():
            self.message.setText(self.db.changes_refusal("log calls"))
            return None
        if not self.log_button.isEnabled():
            self.message.setText("Your role may read the list but not log calls")
            return None
        entry = self.selected()
        if entry is None:
            self.message.setText("Choose a pupil first")
            return None
        if entry.pupil_id in self._just_logged:  # a second Enter before the list reloads
            return None
        name, number = self.number_combo.currentData() or ("", "")
        code = (
            self.code_combo.currentText().strip().split()[0].upper()
            if self.code_combo.currentText().strip()
            else None
        )
        also = (
            tuple(s.pupil_id for s in self._siblings(entry))
            if self.siblings_check.isVisible() and self.siblings_check.isChecked()
            else ()
        )
        try:
            logged = log_call(
                self.db,
                entry.pupil_id,
                self.day,
                self.outcome_combo.currentData(),
                contact_name=name,
                number=number,
                reason_given=self.reason_edit.text(),
                code=code,
                recode=bool(code) and self.recode_check.isChecked(),
                follow_up=self.follow_check.isChecked(),
                recorded_by=current_user(),
                also_pupil_ids=also,
            )
        except UserError as exc:
            self.message.setStyleSheet(f"color: {FLAG_COLOUR}")
            self.message.setText(str(exc))
            return None
        self.last_logged = logged
        self.message.setStyleSheet(f"color: {LOGGED_COLOUR}")
        done = f"Logged: {logged.entry.summary}"
        if logged.recoded:
            done += " \u2014 re-coded " + ", ".join(
                f"{r.session} {r.old_code or 'no mark'}\u2192{r.new_code}" for r in logged.recoded
            )
        self.message.setText(done)
        self._select_next = self._next_pupil(entry, also)
        self._just_logged = {entry.pupil_id, *also}
        self.reason_edit.clear()
        self.code_combo.setCurrentIndex(0)
        self.code_combo.setEditText("")
        self.outcome_combo.setCurrentIndex(0)
        self.follow_check.setChecked(False)
        self._form_pupil, self._outcome_chosen = None, False  # the next call's form is new
        for pid in (entry.pupil_id, *also):
            self.hub.case_changed.emit(pid)
            if logged.recoded:
                self.hub.pupil_changed.emit(pid)
        self.reason_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reload()
        return logged

    def _next_pupil(self, entry: CallListEntry, covered: tuple[int, ...]) -> int | None:
        """The pupil after this one (and the siblings the call covered), else the one before."""
        rows = self.model.rows
        done = {entry.pupil_id, *covered}
        at = next((i for i, e in enumerate(rows) if e.pupil_id == entry.pupil_id), 0)
        after = [e for e in rows[at + 1 :] if e.pupil_id not in done]
        before = [e for e in rows[:at] if e.pupil_id not in done]
        following = after or before[::-1]
        return following[0].pupil_id if following else None
