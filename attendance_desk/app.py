"""Starting the desktop application: Qt, the database, the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from attendance_desk import APP_NAME, __version__
from attendance_desk.paths import default_database_path, user_data_dir


def demo_database_path() -> Path:
    return user_data_dir() / "demo-school.sqlite3"


def run_window(db_path: Path | None = None, demo: bool = False) -> int:
    """Open the main window on `db_path` (or a fresh demo school) and run until it closes."""
    from PySide6.QtWidgets import QApplication

    from attendance_desk.storage.db import open_database

    if demo:
        from datetime import date

        from attendance_desk.services.demo import create_demo_database

        db_path = db_path or demo_database_path()
        create_demo_database(db_path, seed=2024, as_of=date.today(), replace_demo=True)
    path = db_path or default_database_path()
    db = open_database(path)  # UserError reaches the CLI before any window appears

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("AttendanceDesk")
    app.setApplicationVersion(__version__)

    from attendance_desk.ui.main_window import MainWindow

    window = MainWindow(db)
    window.show()
    if os.environ.get("ATTENDANCE_DESK_SMOKE_TEST") == "1":  # CI: start, show, quit cleanly
        from PySide6.QtCore import QTimer

        QTimer.singleShot(1500, app.quit)
    try:
        return app.exec()
    finally:
        db.close()
