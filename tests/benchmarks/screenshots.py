"""Screenshots of the window on the demo school, for the README and for looking at.

    rm -f /tmp/polish.sqlite3*; python -m attendance_desk --db /tmp/polish.sqlite3 demo
    xvfb-run -a -s "-screen 0 1600x1000x24" python tests/benchmarks/screenshots.py \
        /tmp/polish.sqlite3 [--upn UPN] [--out resources/screenshots] [--size 1440x900 ...]

Each page is shown in turn and grabbed once its data has arrived:
{list,pupil,dashboard,calls,caseload,letters}-WxH.png. Not part of the test run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from attendance_desk.storage.db import open_database
from attendance_desk.ui import workers
from attendance_desk.ui.main_window import CALLS, CASELOAD, DASHBOARD, LETTERS, PUPILS, MainWindow

PAGES = (("list", PUPILS), ("dashboard", DASHBOARD), ("calls", CALLS), ("caseload", CASELOAD))


def settle(
    app: QApplication, seconds: float = 0.6, until: Callable[[], bool] | None = None
) -> None:
    """Let the workers finish and the window paint (and `until` come true, up to 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        workers.wait_all(200)
        app.processEvents()
        if until is None or until() or time.monotonic() > deadline:
            break
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        workers.wait_all(50)
        app.processEvents()
        time.sleep(0.02)


def shoot(
    app: QApplication,
    db_path: Path,
    upn: str,
    sizes: list[str],
    out: Path,
    scrolled: Path | None = None,
) -> None:
    db = open_database(db_path)
    folder = tempfile.mkdtemp()
    try:
        for size in sizes:
            width, height = (int(v) for v in size.split("x"))
            settings = QSettings(f"{folder}/{size}.ini", QSettings.Format.IniFormat)
            win = MainWindow(db, settings=settings)
            win.resize(width, height)
            win.show()
            model = win.pupil_list.model
            settle(app, until=lambda m=model: bool(m.rows) and m.rows[0].loaded)
            for name, title in PAGES:
                win.show_page(title)
                settle(app, 1.0)
                win.grab().save(str(out / f"{name}-{size}.png"))
            pupil = next(r for r in win.pupil_list.model.rows if r.upn == upn)
            win.open_pupil(pupil.pupil_id)
            settle(app, 1.0, until=lambda page=win.pupil_page: page.data is not None)
            win.grab().save(str(out / f"pupil-{size}.png"))
            if scrolled is not None:  # the charts and concerns further down, for looking at
                win.pupil_page.tabs.widget(0).ensureWidgetVisible(win.pupil_page.concerns)
                settle(app, 0.5)
                win.grab().save(str(scrolled / f"pupil-lower-{size}.png"))
                win.pupil_page.tabs.widget(0).verticalScrollBar().setValue(0)
            win.show_page(LETTERS)
            settle(app, 2.5)
            win.grab().save(str(out / f"letters-{size}.png"))
            win.close()
            win.deleteLater()
            settle(app, 0.2)
    finally:
        workers.shut_down()
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--upn", default="G996241724338", help="the pupil page to show")
    parser.add_argument("--out", type=Path, default=Path("resources/screenshots"))
    parser.add_argument("--size", action="append", dest="sizes")
    parser.add_argument("--scrolled", type=Path, help="also the pupil page scrolled down, here")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("AttendanceDeskScreenshots")
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = args.sizes or ["1440x900", "1366x768"]
    shoot(app, args.db, args.upn, sizes, args.out, args.scrolled)


if __name__ == "__main__":
    main()
