"""The watched folder in the real window: a file dropped there is imported and the window shows
the day's calls; the same file again changes nothing; a file that needs a decision waits with
the reason and a button to its preview."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import long_export, wide_rows, write_csv, write_xlsx  # noqa: E402

from attendance_desk.services.database import open_database  # noqa: E402
from attendance_desk.services.watched_folder import set_watch_folder  # noqa: E402
from attendance_desk.ui import workers  # noqa: E402
from attendance_desk.ui.folder_watch import FolderWatch  # noqa: E402
from attendance_desk.ui.main_window import MainWindow  # noqa: E402


def counts(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("SELECT count(*) FROM marks").fetchone()[0],
            conn.execute("SELECT count(*) FROM imports").fetchone()[0],
        )
    finally:
        conn.close()


@pytest.fixture
def window(qtbot, tmp_path: Path):  # noqa: ANN001, ANN201
    db = open_database(tmp_path / "school.sqlite3")
    folder = tmp_path / "exports"
    folder.mkdir()
    set_watch_folder(db, folder)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=date(2024, 10, 1), settings=settings)
    qtbot.addWidget(win)
    win.show()
    assert win.folder_watch is not None
    win.folder_watch.poll_ms = 200
    win.folder_watch.restart()
    yield win, folder
    win.folder_watch.stop()
    workers.wait_all()
    db.close()


def test_a_dropped_register_is_imported_and_a_second_drop_changes_nothing(
    qtbot,
    window,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    win, folder = window
    watch: FolderWatch = win.folder_watch
    outcomes = []
    watch.outcome.connect(outcomes.append)
    source = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    shutil.copy(source, folder / "register.xlsx")
    qtbot.waitUntil(lambda: len(outcomes) == 1, timeout=30000)
    assert outcomes[0].status == "imported", outcomes[0].message
    qtbot.waitUntil(lambda: win.current_page() == "First-day calls", timeout=10000)
    calls = win.pages["First-day calls"].widget
    assert calls is not None and calls.day == date(2024, 9, 4)  # the register's last day
    assert "Imported from the watched folder" in win.statusBar().currentMessage()
    db_file = Path(win.db.path)
    after_first = counts(db_file)
    assert after_first[0] == 16 and after_first[1] == 1
    assert watch.bar.isHidden()

    shutil.copy(source, folder / "register (1).xlsx")  # the same export again
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=30000)
    assert outcomes[1].status == "already imported"
    assert counts(db_file) == after_first
    assert watch.bar.isHidden()


def test_a_file_that_needs_a_decision_waits_with_the_reason(
    qtbot,
    window,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    win, folder = window
    watch: FolderWatch = win.folder_watch
    outcomes = []
    watch.outcome.connect(outcomes.append)
    rows = long_export()
    rows[0].append("Former UPN")
    for row in rows[1:]:
        row.append("")
    write_csv(folder / "former.csv", rows)
    qtbot.waitUntil(lambda: len(outcomes) == 1, timeout=30000)
    assert outcomes[0].status == "needs a decision"
    assert not watch.bar.isHidden()
    assert "'Former UPN' looks like a pupil identity" in watch.bar_label.text()
    assert counts(Path(win.db.path)) == (0, 0)
    assert (folder / "former.csv").exists()  # it stays in the folder
    opened: list[list[Path]] = []
    monkeypatch.setattr(watch, "open_preview", opened.append)
    watch.bar_button.click()
    assert opened == [[folder / "former.csv"]]
