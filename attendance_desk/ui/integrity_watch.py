"""The verdict of the full integrity check of the window's database, said when it comes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from attendance_desk.services.database import Database, damage_error
from attendance_desk.ui import workers
from attendance_desk.ui.write_access import DAMAGED, disable_writing

if TYPE_CHECKING:
    from attendance_desk.ui.main_window import MainWindow


def watch_integrity(
    window: MainWindow, db: Database, daily_backup: Callable[[Database], object]
) -> None:
    """Once the pupil list's figures are on screen (or after 3 s, whatever the list does):
    the full integrity check of the file, then, if it passed, the daily backup. A damaged
    file is said so at once, and the window writes nothing (every write waits for the check
    anyway: storage/db.py)."""
    polling = False

    def start() -> None:
        # a server's database starts its check as it opens (storage/postgres.py): its verdict
        # is waited for here all the same, once
        nonlocal polling
        if polling:
            return
        polling = True
        db.integrity.start()
        poll()

    def poll() -> None:
        if not db.integrity.done:
            QTimer.singleShot(100, poll)
            return
        report = db.integrity.report()
        if report.ok:
            if not db.read_only:
                workers.run_async(daily_backup, db, on_error=window.show_error)
            return
        disable_writing(window, DAMAGED)
        QMessageBox.critical(
            window,
            "The database is damaged",
            f"{damage_error(report)}.\n\nUntil then nothing will be written to it (File > "
            "Backup and restore\u2026 lists the backups).",
        )

    window.hub.list_shown.connect(start)
    QTimer.singleShot(3000, start)
