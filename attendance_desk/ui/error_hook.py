"""What the window does with an error nothing caught: a slot's exception reaches Python's
`sys.excepthook`, which by default only prints it where nobody at the office PC looks. Here it
is also shown, in the words a worker's error is shown in (ui/workers.py): a UserError's own
message; anything else as "Something went wrong", its traceback under Show Details."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from attendance_desk import APP_NAME
from attendance_desk.errors import UserError

Hook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def error_text(error: BaseException) -> tuple[str, str]:
    """The message a person reads, and the technical detail (none for a UserError)."""
    if isinstance(error, UserError):
        return str(error), ""
    detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return f"Something went wrong: {error}", detail


def install(parent: Callable[[], QWidget | None]) -> Hook:
    """Show every uncaught error over `parent()` (the window in front) from now on, and still
    print it as before. The box opens once the slot that failed has returned (never inside
    it), one at a time: errors while one is waiting or open are printed only. Returns the hook
    that was there."""
    previous = sys.excepthook
    busy = False  # a box is waiting to open, or open

    def done() -> None:
        nonlocal busy
        busy = False

    def show(message: str, detail: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, message, parent=parent())
        box.setObjectName("uncaughtError")
        if detail:
            box.setDetailedText(detail)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(done)
        box.open()

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        nonlocal busy
        previous(kind, error, tb)
        if not issubclass(kind, Exception) or busy or QApplication.instance() is None:
            return  # Ctrl+C and the like; or a box is already on its way
        busy = True
        message, detail = error_text(error.with_traceback(tb))
        QTimer.singleShot(0, lambda: show(message, detail))

    sys.excepthook = hook
    return previous
