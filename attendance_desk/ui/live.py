"""The window hears about changes made on other PCs (PostgreSQL LISTEN/NOTIFY, through
services/live.py) on a thread of its own, and reloads what is on screen; on SQLite nothing
starts."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from attendance_desk.services.database import Database
from attendance_desk.services.live import can_watch, watch


class _Listening(QThread):
    heard = Signal(object)  # frozenset of table names

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.stop_event = threading.Event()

    def run(self) -> None:
        try:
            watch(self.db, self.heard.emit, self.stop_event)
        except Exception:  # noqa: BLE001 - a lost connection stops the updates, not the window
            return


class LiveUpdates(QObject):
    """Emits `changed(tables)` once for changes heard close together (gathered for
    `settle_ms`, so a burst of changes reloads the page once)."""

    changed = Signal(object)

    def __init__(self, db: Database, parent: QObject | None = None, settle_ms: int = 300) -> None:
        super().__init__(parent)
        self.pending: set[str] = set()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(settle_ms)
        self.timer.timeout.connect(self._settled)
        self.listening = _Listening(db, self)
        self.listening.heard.connect(self._heard)
        self.listening.start()

    def _heard(self, tables: frozenset[str]) -> None:
        self.pending |= tables
        self.timer.start()

    def _settled(self) -> None:
        tables, self.pending = frozenset(self.pending), set()
        if tables:
            self.changed.emit(tables)

    def stop(self) -> None:
        self.timer.stop()
        self.listening.stop_event.set()
        self.listening.wait(3000)


def start_live_updates(db: Database, parent: QObject) -> LiveUpdates | None:
    return LiveUpdates(db, parent) if can_watch(db) else None
