"""Wherever a register code is typed, the codes and their meanings are offered: a completer
that lists "I  Illness (not medical or dental appointment)" as the officer types and puts in
just the code, and a tooltip with the table of current codes."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from attendance_desk.domain.codes import CODES

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


def current_codes() -> list[tuple[str, str]]:
    """(code, meaning) for every current (not legacy) code, in the table's order."""
    return [(c.code, c.meaning) for c in CODES.values() if not c.legacy]


def meaning_of(code: str) -> str:
    found = CODES.get(code.strip().upper())
    return found.meaning if found else ""


def codes_tooltip() -> str:
    rows = "".join(
        f"<tr><td><b>{escape(code)}</b></td><td>{escape(meaning)}</td></tr>"
        for code, meaning in current_codes()
    )
    return f"<p>Type a register code:</p><table cellspacing='2'>{rows}</table>"


def code_completer(parent: QWidget) -> QCompleter:
    model = QStandardItemModel(parent)
    for code, meaning in current_codes():
        item = QStandardItem(f"{code}\u2003{meaning}")
        item.setData(code, CODE_ROLE)
        item.setToolTip(meaning)
        model.appendRow(item)
    completer = QCompleter(model, parent)
    completer.setCompletionRole(CODE_ROLE)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setMaxVisibleItems(12)
    return completer


def offer_codes(widget: QLineEdit | QComboBox) -> None:
    """Give a code field its completer, a tooltip of every code, and (for a list of codes)
    each code's meaning on hover."""
    widget.setToolTip(codes_tooltip())
    if isinstance(widget, QComboBox):
        for i in range(widget.count()):
            if widget.itemText(i):
                widget.setItemData(i, meaning_of(widget.itemText(i)), Qt.ItemDataRole.ToolTipRole)
        if widget.isEditable():
            widget.setCompleter(code_completer(widget))
        return
    widget.setCompleter(code_completer(widget))
