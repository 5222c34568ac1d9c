"""Several PCs on one PostgreSQL database: a call logged on one PC appears in the other PC's
call list within seconds, without a refresh (LISTEN/NOTIFY); a case moved on one shows on the
other's caseload. Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from casework_school import DAY, build_school
from PySide6.QtCore import QSettings

from attendance_desk.services.calls import log_call
from attendance_desk.storage.db import Database, open_database
from attendance_desk.ui import workers
from attendance_desk.ui.main_window import CALLS, MainWindow
from tests.conftest import postgres_database


@pytest.fixture
def two_pcs() -> Iterator[tuple[Database, Database, dict[str, int]]]:
    with postgres_database() as url:
        first = open_database(url)
        second = open_database(url)
        try:
            yield first, second, build_school(first)
        finally:
            second.close()
            first.close()


def test_a_call_logged_on_one_pc_appears_in_the_other_pcs_list(
    qtbot, two_pcs, tmp_path: Path
) -> None:  # noqa: ANN001
    first, second, school = two_pcs
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    other = MainWindow(second, as_of=DAY, settings=settings, load=False)
    qtbot.addWidget(other)
    other.show()
    assert other.live is not None  # listening: a shared PostgreSQL database
    other.show_page(CALLS)
    calls = other.pages[CALLS].ensure()
    qtbot.waitUntil(lambda: not calls.loading and bool(calls.model.rows), timeout=20000)
    (ava,) = [e for e in calls.model.rows if e.pupil_id == school["ava"]]
    assert ava.calls_today == ()

    log_call(first, school["ava"], DAY, "spoke", "Mrs Brown", reason_given="Ava has a cold")

    def shown() -> bool:
        rows = [e for e in calls.model.rows if e.pupil_id == school["ava"]]
        return not calls.loading and bool(rows) and bool(rows[0].calls_today)

    qtbot.waitUntil(shown, timeout=15000)  # no refresh asked for: the other PC said so
    other.close()
    workers.wait_all()


def test_on_sqlite_the_window_does_not_listen(qtbot, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    build_school(db)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=DAY, settings=settings, load=False)
    qtbot.addWidget(win)
    assert win.live is None
    workers.wait_all()
