"""Parts of the pupil page: flag chips, contacts with copyable numbers, the figures table,
recovery figures and the open concerns with their evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.codes import CODES
from attendance_desk.ui.format import DASH, pct, uk_date
from attendance_desk.ui.models.pupil_list import FLAG_NAMES, figures_pct
from attendance_desk.ui.models.table import Column, RowTableModel
from attendance_desk.ui.widgets.delegates import text_colour_on

FLAG_COLOURS = {
    "PP": "#5c6bc0",
    "FSM": "#26a69a",
    "SEN": "#8d6e63",
    "EAL": "#42a5f5",
    "LAC": "#ab47bc",
    "CP": "#d84315",
    "CIN": "#ef6c00",
}


def chip(text: str, colour: str, tooltip: str = "") -> QLabel:
    label = QLabel(text)
    fg = text_colour_on(QColor(colour)).name()
    label.setStyleSheet(
        f"QLabel {{ background: {colour}; color: {fg}; border-radius: 9px; padding: 2px 9px; }}"
    )
    label.setToolTip(tooltip or text)
    label.setAccessibleName(tooltip or text)
    return label


def clear_layout(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


# -- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FigureRow:
    period: str
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    late: int
    pct: float | None


def figure_row(period: str, figures: Any) -> FigureRow:
    return FigureRow(
        period,
        getattr(figures, "possible", 0),
        getattr(figures, "attended", 0),
        getattr(figures, "authorised", 0),
        getattr(figures, "unauthorised", 0),
        getattr(figures, "late", 0),
        figures_pct(figures),
    )


FIGURE_COLUMNS: list[Column[FigureRow]] = [
    Column("Period", lambda r: r.period),
    Column("Possible", lambda r: r.possible, kind="number", description="Possible sessions"),
    Column("Attended", lambda r: r.attended, kind="number"),
    Column("Authorised", lambda r: r.authorised, kind="number", description="Authorised absences"),
    Column("Unauthorised", lambda r: r.unauthorised, kind="number"),
    Column("Late", lambda r: r.late, kind="number", description="Late marks (L and U)"),
    Column("Attendance", lambda r: r.pct, kind="percent"),
]


class FiguresModel(RowTableModel[FigureRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(FIGURE_COLUMNS, parent)


# -- contacts --------------------------------------------------------------------------------


class ContactsPanel(QFrame):
    """Each contact: name and relationship, numbers selectable with a copy button, address."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contacts")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.copy_buttons: list[QLabel] = []

    def set_contacts(self, contacts: Sequence[Any]) -> None:
        clear_layout(self.layout_)
        self.copy_buttons = []
        title = QLabel("<b>Contacts</b>")
        self.layout_.addWidget(title)
        if not contacts:
            self.layout_.addWidget(QLabel("No contacts on record"))
        for contact in contacts:
            box = QFrame(self)
            box.setFrameShape(QFrame.Shape.StyledPanel)
            grid = QGridLayout(box)
            grid.setContentsMargins(8, 6, 8, 6)
            extras = [contact.relationship] if contact.relationship else []
            if not contact.parental_responsibility:
                extras.append("no parental responsibility")
            if not contact.lives_with_pupil:
                extras.append("lives apart")
            heading = QLabel(
                f"<b>{contact.priority}. {contact.name}</b>"
                + (f" <span style='color:#607080'>({', '.join(extras)})</span>" if extras else "")
            )
            heading.setWordWrap(True)
            grid.addWidget(heading, 0, 0, 1, 3)
            row = 1
            for kind, number in contact.phones:
                grid.addWidget(QLabel(kind), row, 0)
                value = QLabel(number)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setAccessibleName(f"{kind} number of {contact.name}")
                font = value.font()
                font.setPointSizeF(font.pointSizeF() * 1.1)
                value.setFont(font)
                grid.addWidget(value, row, 1)
                copy = QLabel(f"<a href='{number}'>Copy</a>")
                copy.setAccessibleName(f"Copy {kind.lower()} number of {contact.name}")
                copy.setToolTip("Copy the number to the clipboard")
                copy.linkActivated.connect(lambda text: QGuiApplication.clipboard().setText(text))
                self.copy_buttons.append(copy)
                grid.addWidget(copy, row, 2)
                row += 1
            if contact.email:
                email = QLabel(contact.email)
                email.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(QLabel("Email"), row, 0)
                grid.addWidget(email, row, 1, 1, 2)
                row += 1
            if contact.address:
                address = QLabel(contact.address.replace("\n", ", "))
                address.setWordWrap(True)
                address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(QLabel("Address"), row, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(address, row, 1, 1, 2)
            grid.setColumnStretch(1, 1)
            self.layout_.addWidget(box)
        self.layout_.addStretch(1)


# -- recovery --------------------------------------------------------------------------------


def recovery_lines(recovery: Any, days_left: int | None = None) -> list[tuple[str, str]]:
    """(label, value) lines: sessions needed for 90% and 96% and the projected year end."""
    if recovery is None:
        return [("Recovery", DASH)]

    def sessions(value: Any) -> str:
        if value is None:
            return "not possible this year"
        if value == 0:
            return "already there"
        return f"{value} sessions in a row present"

    lines = [
        ("To reach 90%", sessions(getattr(recovery, "sessions_to_90", None))),
        ("To reach 96%", sessions(getattr(recovery, "sessions_to_96", None))),
        ("Projected end of year", pct(getattr(recovery, "projected_year_end_pct", None))),
    ]
    left = getattr(recovery, "sessions_left", None)
    if left is not None:
        lines.append(("Sessions left this year", str(left)))
    return lines


class RecoveryPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.values: dict[str, QLabel] = {}

    def set_recovery(self, recovery: Any) -> None:
        clear_layout(self.grid)
        self.values = {}
        self.grid.addWidget(QLabel("<b>Getting back on track</b>"), 0, 0, 1, 2)
        for i, (label, value) in enumerate(recovery_lines(recovery), start=1):
            self.grid.addWidget(QLabel(label), i, 0)
            shown = QLabel(f"<b>{value}</b>")
            shown.setAccessibleName(label)
            self.values[label] = shown
            self.grid.addWidget(shown, i, 1)
        self.grid.setColumnStretch(1, 1)


# -- concerns --------------------------------------------------------------------------------


def _evidence_text(e: Any) -> str:
    parts = [uk_date(e.date)]
    if getattr(e, "session", None):
        parts.append(e.session)
    code = getattr(e, "code", None)
    if code:
        info = CODES.get(code)
        parts.append(f"{code} ({info.meaning})" if info else code)
    note = getattr(e, "note", "")
    if note:
        parts.append(note)
    return "  ".join(parts)


def concern_text(label: str, detail: str) -> str:
    """ "Rule: detail", without saying the rule twice when the detail starts with it."""
    if detail.lower().startswith(label.lower()):
        detail = detail[len(label) :].lstrip(" :")
    return f"{label}: {detail}" if detail else label


class ConcernsTree(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pupilConcerns")
        self.setAccessibleName("Open concerns and their evidence")
        self.setHeaderLabels(["Concern", "What the policy asks", "Who"])
        self.setRootIsDecorated(True)
        # One line each; the whole concern and action are in the tooltips.
        self.setUniformRowHeights(True)
        self.setWordWrap(False)
        self.setMinimumHeight(180)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)

    def set_concerns(self, concerns: Sequence[Any]) -> None:
        from attendance_desk.domain.concern import rule_title

        self.clear()
        if not concerns:
            QTreeWidgetItem(self, ["No open concerns", "", ""])
            return
        for concern in concerns:
            item = QTreeWidgetItem(
                self,
                [
                    concern_text(rule_title(concern.rule), concern.detail),
                    concern.action,
                    concern.owner,
                ],
            )
            item.setToolTip(0, concern.detail)
            item.setToolTip(1, concern.action)
            evidence = list(getattr(concern, "evidence", ()))
            for e in evidence[:200]:
                QTreeWidgetItem(item, [_evidence_text(e), "", ""])
            if len(evidence) > 200:
                QTreeWidgetItem(item, [f"... and {len(evidence) - 200} more sessions", "", ""])


class FlagStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)

    def set_chips(self, chips: Sequence[tuple[str, str, str]]) -> None:
        clear_layout(self.row)
        for text, colour, tip in chips:
            self.row.addWidget(chip(text, colour, tip))
        self.row.addStretch(1)


def flag_chips(flags: Sequence[str]) -> list[tuple[str, str, str]]:
    return [(f, FLAG_COLOURS.get(f, "#78909c"), FLAG_NAMES.get(f, f)) for f in flags]
