"""Typing a date into a date field after clicking into it, as an officer does: "18122026".

Qt leaves the text cursor where the click put it, between the digits of a full part ("07"),
and refuses every digit typed there: the date stayed 07/12/2026 whatever was typed (seen under
Xvfb in a leave request's dates). Once a click is released in a date field, the part clicked
(day, month or year) is selected, so what is typed replaces it and moves on to the next part,
as a Tab into the field already does. Installed once on the application."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QDateTimeEdit


class _PartOnClick(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.MouseButtonRelease:
            edit = _date_field(watched)
            if edit is not None:  # after the click has placed the cursor
                QTimer.singleShot(0, lambda: _select_part(edit))
        return False


def _date_field(watched: QObject) -> QDateTimeEdit | None:
    """The date field clicked: the field itself, or the text box inside it."""
    if isinstance(watched, QDateTimeEdit):
        return watched
    parent = watched.parent()
    return parent if isinstance(parent, QDateTimeEdit) else None


def _select_part(edit: QDateTimeEdit) -> None:
    try:
        if edit.hasFocus() and not edit.isReadOnly():
            edit.setSelectedSection(edit.currentSection())
    except RuntimeError:  # the field was closed in the meantime
        pass


_FILTER: _PartOnClick | None = None


def install(app: QCoreApplication) -> None:
    """Select the part clicked in every date field of the application (once)."""
    global _FILTER
    if _FILTER is None:
        _FILTER = _PartOnClick(app)
        app.installEventFilter(_FILTER)
