"""Run by tests/gui/test_screen_fit.py in a process of its own, on Qt's offscreen platform with
one screen of the size given (a configuration file: the tests' own process has an 800x800
screen, narrower than any office PC's): opens the main window as on a first start and each
bigger dialog over it, and prints as JSON where each is on the screen and where its buttons
are (x, y, width, height); then the window made 1000x600, closed and opened again.

    python tests/gui/small_screen.py WIDTH HEIGHT FOLDER
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def main() -> int:
    width, height, folder = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    config = folder / "screen.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "office",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    # named from the folder it is in: Qt splits the platform's arguments at colons, and a
    # Windows path has one after its drive letter
    os.chdir(folder)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config.name}"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from meetings_school import WEEK_END, make_school
    from PySide6.QtCore import QPoint, QSettings
    from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QWidget

    from attendance_desk.storage.db import open_database
    from attendance_desk.ui import workers
    from attendance_desk.ui.dialogs.audit_dialog import AuditDialog
    from attendance_desk.ui.dialogs.help_dialog import HelpDialog
    from attendance_desk.ui.dialogs.import_dialog import ImportDialog
    from attendance_desk.ui.dialogs.meetings_dialog import MeetingPapersDialog
    from attendance_desk.ui.dialogs.settings_dialog import SettingsDialog
    from attendance_desk.ui.main_window import MainWindow

    app = QApplication([])
    db = open_database(folder / "school.sqlite3")
    make_school(db)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(db, as_of=WEEK_END, settings=settings, load=False)
    window.show()
    app.processEvents()

    def where(widget: QWidget) -> list[int]:
        corner = widget.mapToGlobal(QPoint(0, 0))
        return [corner.x(), corner.y(), widget.width(), widget.height()]

    found: dict[str, Any] = {"main window": {"at": where(window), "buttons": {}}}
    first_start = window.isMaximized()
    dialogs: list[QDialog] = [
        MeetingPapersDialog(db, window, on=WEEK_END),
        SettingsDialog(db, window.hub, window, as_of=WEEK_END),
        ImportDialog(db, window),
        AuditDialog(db, window),
        HelpDialog(window),
    ]
    for dialog in dialogs:
        dialog.show()
        app.processEvents()
        found[dialog.windowTitle()] = {
            "at": where(dialog),
            "buttons": {
                b.text(): where(b) for b in dialog.findChildren(QPushButton) if b.isVisible()
            },
        }
        dialog.close()
    # the officer makes it smaller; the next start keeps that
    window.showNormal()
    window.resize(1000, 600)
    app.processEvents()
    window.save_state()
    window.close()
    again = MainWindow(db, as_of=WEEK_END, settings=settings, load=False)
    again.show()
    app.processEvents()
    kept = [again.width(), again.height(), again.isMaximized()]
    again.close()
    workers.wait_all()
    db.close()
    screen = app.primaryScreen().geometry()
    print(
        json.dumps(
            {
                "screen": [screen.width(), screen.height()],
                "first start maximised": first_start,
                "kept": kept,
                "windows": found,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
