"""The watched folder in the running window: each new, completely written file the MIS exports
there is imported if it needs no decision (a notification, and the window goes to the day's
calls); a file that needs one stays in the folder and a bar above the pages says why, with a
button to open its import preview.

The folder is looked at every few seconds (and at once when it changes); the reading and writing
run on the worker pool, one file at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QDate, QFileSystemWatcher, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QSystemTrayIcon, QToolBar

from attendance_desk.domain.wording import count
from attendance_desk.services.watched_folder import (
    Settling,
    Status,
    WatchOutcome,
    candidates,
    import_if_clear,
    watch_folder,
)
from attendance_desk.ui import workers

if TYPE_CHECKING:
    from attendance_desk.ui.main_window import MainWindow

POLL_MS = 3000
CALLS_PAGE = "First-day calls"


class FolderWatch(QObject):
    """Watches the folder named in Settings > Imports for one window."""

    outcome = Signal(object)  # WatchOutcome, each file dealt with

    def __init__(
        self,
        window: MainWindow,
        open_preview: Callable[[list[Path]], None],
        poll_ms: int = POLL_MS,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.open_preview = open_preview
        self.settling = Settling()
        self.stopped = False
        self.waiting: dict[Path, WatchOutcome] = {}
        self.folder: Path | None = None
        self._job: workers.Worker | None = None
        self._queue: list[Path] = []
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.look)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _p: self.timer.start(300))
        self.poll_ms = poll_ms
        self.bar = QToolBar("Watched folder", window)
        self.bar.setObjectName("watchedFolderBar")
        self.bar.setMovable(False)
        self.bar_label = QLabel(self.bar)
        self.bar_label.setObjectName("watchedFolderReason")
        self.bar_label.setWordWrap(True)
        self.bar_label.setStyleSheet("QLabel { color: #5c4400; padding: 2px 8px; }")
        self.bar_button = QPushButton("Open import preview", self.bar)
        self.bar_button.setObjectName("openWatchedPreview")
        self.bar_button.clicked.connect(self._open_waiting)
        self.bar.addWidget(self.bar_label)
        self.bar.addWidget(self.bar_button)
        self.bar.setStyleSheet("QToolBar { background: #fff3cd; border: 0; }")
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.bar)
        self.bar.hide()
        window.hub.school_changed.connect(self.restart)  # Settings saved: the folder may differ
        self.restart()

    def restart(self) -> None:
        """Read the folder from the settings again (after Settings was saved)."""
        folder = watch_folder(self.window.db)
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self.folder = folder if folder is not None and folder.is_dir() else None
        if self.folder is None:
            self.timer.stop()
            return
        self.watcher.addPath(str(self.folder))
        self.timer.start(self.poll_ms)
        self.look()

    def look(self) -> None:
        if self.stopped:
            return
        self.timer.start(self.poll_ms)
        if self.folder is None or self._job is not None:
            return
        try:
            files = candidates(self.folder)
        except Exception:  # noqa: BLE001 - a folder gone or unreadable: look again later
            return
        self._queue.extend(p for p in self.settling.ready(files) if p not in self._queue)
        self._next()

    def _next(self) -> None:
        if self._job is not None or not self._queue:
            return
        path = self._queue.pop(0)
        db = self.window.db
        self._job = workers.run_async(
            import_if_clear,
            db,
            path,
            on_finished=lambda result: self._done(path, result),
            on_error=lambda message, _detail: self._done(
                path, WatchOutcome(path, Status.REFUSED, message)
            ),
        )

    def stop(self) -> None:
        """No more looking (the window is closing)."""
        self.stopped = True
        self.timer.stop()
        self._queue.clear()

    def _done(self, path: Path, result: Any) -> None:
        self._job = None
        if self.stopped or not shiboken6.isValid(self.bar_label):
            return  # the window closed while the file was read
        self.settling.dealt_with(path)
        outcome: WatchOutcome = result
        if outcome.waits_for_user:
            self.waiting[path] = outcome
        else:
            self.waiting.pop(path, None)
        if outcome.status is Status.IMPORTED:
            self._imported(outcome)
        self._show_waiting()
        self.outcome.emit(outcome)
        self._next()

    def _imported(self, outcome: WatchOutcome) -> None:
        window = self.window
        window.hub.marks_imported.emit()  # the same signal the import window sends
        last = max(
            (f.last_date for f in (outcome.result.files if outcome.result else ()) if f.last_date),
            default=None,
        )
        follow = getattr(window, "follow_register", None)
        if callable(follow):
            follow()
        elif last is not None and hasattr(window, "as_of_edit"):
            window.as_of_edit.setDate(QDate(last.year, last.month, last.day))
        window.show_page(CALLS_PAGE)
        text = f"Imported from the watched folder: {outcome.message}"
        window.statusBar().showMessage(text, 30000)
        if QSystemTrayIcon.isSystemTrayAvailable():
            tray = getattr(self, "_tray", None) or QSystemTrayIcon(window.windowIcon(), self)
            self._tray = tray
            tray.show()
            tray.showMessage("Register imported", outcome.message)

    def _show_waiting(self) -> None:
        if not self.waiting:
            self.bar.hide()
            return
        first = next(iter(self.waiting.values()))
        more = len(self.waiting) - 1
        extra = f" (and {count(more, 'more file')})" if more else ""
        self.bar_label.setText(
            f"Waiting in the watched folder: {first.message}{extra}".replace("\n", " ")
        )
        self.bar.show()

    def _open_waiting(self) -> None:
        paths = [p for p in self.waiting if p.exists()]
        if not paths:
            self.waiting.clear()
            self._show_waiting()
            return
        self.open_preview(paths[:1])
        # dealt with in the import window: look at it afresh if it is still there
        self.waiting.pop(paths[0], None)
        self.settling.handled.pop(paths[0], None)
        self._show_waiting()


def attach(window: MainWindow, open_preview: Callable[[list[Path]], None]) -> FolderWatch | None:
    """The folder watch for a writable window (None for a read-only one, or one looking at all
    of a trust's schools: each school's registers are imported working in it)."""
    if window.db.read_only or window.db.for_all_schools():
        return None
    return FolderWatch(window, open_preview)
