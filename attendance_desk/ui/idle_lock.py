"""Locking the main window after a time with no keyboard or mouse use.

An event filter on the application restarts a timer on every key press, click, wheel turn or
mouse move. When the timer runs out the window's content is covered and disabled (and any
other open windows hidden) until the password is typed again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import APP_NAME
from attendance_desk.services import access
from attendance_desk.services.database import Database

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class LockOverlay(QFrame):
    """Covers the window: a message, the password field and an Unlock button."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#lockOverlay { background: palette(window); }")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel(f"{APP_NAME} is locked")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        self.password = QLineEdit(self)
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.setMinimumWidth(260)
        self.unlock_button = QPushButton("Unlock", self)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020")
        for widget in (title, self.password, self.unlock_button, self.message):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


class IdleLock(QObject):
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        window: QMainWindow,
        verify: Callable[[str], bool],
        minutes: float,
        *,
        interval_ms: int | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self._verify = verify
        self.is_locked = False
        self._hidden: list[QWidget] = []
        self.overlay = LockOverlay(window)
        self.overlay.hide()
        self.overlay.unlock_button.clicked.connect(self._try_unlock)
        self.overlay.password.returnPressed.connect(self._try_unlock)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.lock)
        self.set_interval(interval_ms if interval_ms is not None else int(minutes * 60_000))
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_interval(self, ms: int) -> None:
        """Idle time before locking, in milliseconds (0: never lock)."""
        self._interval = max(0, ms)
        self._timer.stop()
        if self._interval and not self.is_locked:
            self._timer.start(self._interval)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and watched is self.window and self.is_locked:
            self.overlay.setGeometry(self.window.rect())
        elif event.type() in _ACTIVITY and not self.is_locked and self._interval:
            self._timer.start(self._interval)
        return False

    def lock(self) -> None:
        if self.is_locked:
            return
        self.is_locked = True
        self._timer.stop()
        for widget in QApplication.topLevelWidgets():
            if widget is not self.window and widget.isVisible() and widget.isWindow():
                widget.hide()
                self._hidden.append(widget)
        for child in self._covered():
            child.setEnabled(False)
        self.overlay.message.clear()
        self.overlay.setGeometry(self.window.rect())
        self.overlay.show()
        self.overlay.raise_()
        self.overlay.password.setFocus()
        self.locked.emit()

    def _covered(self) -> list[QWidget]:
        widgets = [self.window.centralWidget(), self.window.menuBar(), self.window.statusBar()]
        return [w for w in widgets if w is not None]

    def _try_unlock(self) -> None:
        text = self.overlay.password.text()
        self.overlay.password.clear()
        if not self._verify(text):
            self.overlay.message.setText("That password is not right.")
            return
        self.is_locked = False
        self.overlay.hide()
        for child in self._covered():
            child.setEnabled(True)
        for widget in self._hidden:
            widget.show()
        self._hidden.clear()
        self.set_interval(self._interval)
        self.unlocked.emit()


def install_idle_lock(window: QMainWindow, db: Database) -> IdleLock | None:
    """The idle lock for `window`, when a password is set and the lock is not turned off."""
    if not access.password_required(db):
        return None
    minutes = access.idle_lock_minutes(db)
    if minutes <= 0:
        return None
    return IdleLock(window, lambda text: access.verify_password(db, text), minutes)
