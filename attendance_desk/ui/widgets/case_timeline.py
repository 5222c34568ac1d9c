"""The case timeline on a pupil's page: stage, key person, and every event newest first.

Icons per kind, a filter by kind, a button to add each kind of event, and one to move the stage.
The case and timeline are read on the worker pool; only the newest request's answer is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.events import EventKind
from attendance_desk.domain.wording import count
from attendance_desk.services.cases import CaseInfo, get_case
from attendance_desk.services.database import Database
from attendance_desk.services.staff import can_change
from attendance_desk.services.timeline import STAGE_CHANGE, TimelineEntry, timeline
from attendance_desk.ui import workers
from attendance_desk.ui.dialogs.case_dialogs import EventDialog, StageChangeDialog
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.signals import SignalHub
from attendance_desk.user import current_user

# (glyph, colour) per kind: a round badge painted at run time (no image files needed).
KIND_STYLE: dict[str, tuple[str, str]] = {
    EventKind.PHONE_CALL: ("\u260e", "#1e88e5"),
    EventKind.MEETING: ("M", "#43a047"),
    EventKind.HOME_VISIT: ("\u2302", "#6d4c41"),
    EventKind.NOTE: ("\u270e", "#757575"),
    EventKind.LETTER_SENT: ("\u2709", "#8e24aa"),
    EventKind.REFERRAL: ("R", "#00897b"),
    EventKind.ATTENDANCE_CONTRACT: ("C", "#f4511e"),
    EventKind.PART_TIME_TIMETABLE: ("P", "#3949ab"),
    EventKind.ILLNESS_PLAN: ("+", "#d81b60"),
    EventKind.NOTICE_TO_IMPROVE: ("!", "#fb8c00"),
    EventKind.PENALTY_NOTICE: ("\u00a3", "#c62828"),
    EventKind.ATTENDANCE_PANEL: ("A", "#5e35b1"),
    EventKind.SUPERVISION_ORDER: ("E", "#4e342e"),
    EventKind.PROSECUTION: ("\u2696", "#212121"),
    STAGE_CHANGE: ("\u27a4", "#546e7a"),
}


@cache
def kind_icon(kind: str, size: int = 28) -> QIcon:
    glyph, colour = KIND_STYLE.get(kind, ("?", "#9e9e9e"))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.55))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, glyph)
    painter.end()
    return QIcon(pixmap)


@dataclass(frozen=True)
class TimelineData:
    pupil_id: int
    case: CaseInfo | None
    entries: tuple[TimelineEntry, ...]


def load_timeline(db: Database, pupil_id: int) -> TimelineData:
    """The pupil's open case and whole timeline, read off the GUI thread."""
    return TimelineData(pupil_id, get_case(db, pupil_id), timeline(db, pupil_id))


class CaseTimelineWidget(QWidget):
    """The timeline of one pupil's case. `set_pupil(pupil_id)` shows a pupil; `loaded` fires
    with the pupil id once their case and timeline are on screen."""

    loaded = Signal(int)

    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.hub = db, hub
        self.pupil_id: int | None = None
        self.entries: tuple[TimelineEntry, ...] = ()
        self.loading = False
        self._generation = 0  # bumped on every request: an older answer is dropped

        self.stage_label = QLabel("No pupil chosen")
        self.stage_label.setObjectName("caseStage")
        font = self.stage_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.stage_label.setFont(font)
        self.key_label = QLabel("")
        self.key_label.setWordWrap(True)
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("kindFilter")
        self.filter_combo.addItem("All kinds", None)
        self.filter_combo.addItem("Stage changes", STAGE_CHANGE)
        for kind in EventKind:
            self.filter_combo.addItem(kind_icon(kind.value), kind.label, kind.value)
        self.filter_combo.currentIndexChanged.connect(self._fill)

        self.add_button = QToolButton()
        self.add_button.setText("Add event")
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        self.add_actions: dict[EventKind, QAction] = {}
        for kind in EventKind:
            action = menu.addAction(kind_icon(kind.value), kind.label)
            action.triggered.connect(lambda _=False, k=kind: self.add_event(k))
            self.add_actions[kind] = action
        self.add_button.setMenu(menu)
        self.stage_button = QPushButton("Change stage\u2026")
        self.stage_button.clicked.connect(self.change_stage)

        self.list = QListWidget()
        self.list.setObjectName("timeline")
        self.list.setIconSize(kind_icon(EventKind.NOTE.value).availableSizes()[0])
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(1)
        self.list.itemActivated.connect(self._edit_item)
        self.empty_label = QLabel("Nothing recorded yet.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: #757575")

        top = QHBoxLayout()
        top.addWidget(self.stage_label, 1)
        top.addWidget(self.stage_button)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.filter_combo, 1)
        bar.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.key_label)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)
        self._set_enabled(False)
        hub.case_changed.connect(self._changed)
        hub.pupil_changed.connect(self._changed)

    def _set_enabled(self, enabled: bool) -> None:
        for w in (self.add_button, self.stage_button, self.filter_combo):
            w.setEnabled(enabled and (w is self.filter_combo or self.may_change()))

    def may_change(self) -> bool:
        """Not when the database is open read-only, a class teacher is signed in, or the window
        looks at all of a trust's schools."""
        return can_change(self.db)

    def _changed(self, pupil_id: int) -> None:
        if pupil_id == self.pupil_id:
            self.reload()

    def set_pupil(self, pupil_id: int | None) -> None:
        if pupil_id != self.pupil_id:
            # Another pupil: never leave the last one's timeline showing under this one.
            self.entries = ()
            self.stage_label.setText("Loading\u2026" if pupil_id is not None else "")
            self.key_label.setText("")
            self.key_label.setVisible(False)
            self._set_enabled(False)
            self._fill()
        self.pupil_id = pupil_id
        self.reload()

    def reload(self) -> None:
        """Read the pupil's case and timeline on a worker; the newest request's answer wins."""
        self._generation += 1
        if self.pupil_id is None:
            self.loading = False
            self.entries = ()
            self.stage_label.setText("No pupil chosen")
            self.key_label.setText("")
            self.key_label.setVisible(False)
            self._set_enabled(False)
            self._fill()
            return
        self.loading = True
        generation = self._generation
        workers.run_async(
            load_timeline,
            self.db,
            self.pupil_id,
            on_finished=lambda data: self._loaded(data) if generation == self._generation else None,
            on_error=lambda message, _detail: (
                self._failed(message) if generation == self._generation else None
            ),
        )

    def _failed(self, message: str) -> None:
        self.loading = False
        self.stage_label.setText(message)

    def _loaded(self, data: TimelineData) -> None:
        self.loading = False
        if data.pupil_id != self.pupil_id:
            return
        case = data.case
        self.entries = data.entries
        if case is None:
            self.stage_label.setText("No open case")
            self.key_label.setText("")
        else:
            self.stage_label.setText(f"{case.stage.label} since {uk_date(case.stage_started)}")
            parts = []
            if case.key_person:
                parts.append(f"Key person: {case.key_person}")
            if case.barriers:
                parts.append(f"Barriers: {case.barriers}")
            self.key_label.setText("\n".join(parts))
        self.key_label.setVisible(bool(self.key_label.text()))
        self._set_enabled(True)
        self._fill()
        self.loaded.emit(data.pupil_id)

    def visible_entries(self) -> list[TimelineEntry]:
        wanted = self.filter_combo.currentData()
        return [e for e in self.entries if wanted is None or e.kind == wanted]

    def _fill(self) -> None:
        self.list.clear()
        shown = self.visible_entries()
        for entry in shown:
            by = f" \u00b7 {entry.recorded_by}" if entry.recorded_by else ""
            edited = " \u00b7 edited" if entry.edited else ""
            others = len(entry.pupil_ids) - 1
            family = f" \u00b7 with {count(others, 'sibling')}" if others > 0 else ""
            text = (
                f"{uk_date(entry.date)} \u2014 {entry.label}{by}{edited}{family}\n{entry.summary}"
            )
            if entry.reason:
                text += f"\nWhy: {entry.reason}"
            item = QListWidgetItem(kind_icon(entry.kind), text)
            item.setData(Qt.ItemDataRole.UserRole, entry)
            item.setToolTip(entry.summary)
            self.list.addItem(item)
        self.empty_label.setVisible(not shown)

    # -- actions ---------------------------------------------------------------------------
    def add_event(self, kind: EventKind) -> EventDialog | None:
        if self.pupil_id is None or not self.may_change():
            return None
        dialog = EventDialog(self.db, kind, [self.pupil_id], current_user(), parent=self)
        dialog.accepted.connect(lambda: self._saved(dialog))
        dialog.open()
        return dialog

    def _saved(self, dialog: EventDialog) -> None:
        ids = dialog.saved.pupil_ids if dialog.saved else (self.pupil_id,)
        for pid in ids:
            if pid is not None:
                self.hub.case_changed.emit(pid)

    def _edit_item(self, item: QListWidgetItem) -> None:
        entry: TimelineEntry = item.data(Qt.ItemDataRole.UserRole)
        if entry.event_id is None or self.pupil_id is None or not self.may_change():
            return
        dialog = EventDialog(
            self.db, EventKind(entry.kind), list(entry.pupil_ids), current_user(), entry, self
        )
        dialog.accepted.connect(lambda: self._saved(dialog))
        dialog.changed_elsewhere.connect(lambda: self._saved(dialog))
        dialog.open()

    def change_stage(self) -> StageChangeDialog | None:
        if self.pupil_id is None or not self.may_change():
            return None
        dialog = StageChangeDialog(self.db, self.pupil_id, current_user(), self)
        pid = self.pupil_id
        dialog.accepted.connect(lambda: self.hub.case_changed.emit(pid))
        dialog.changed_elsewhere.connect(lambda: self.hub.case_changed.emit(pid))
        dialog.open()
        return dialog
