"""The trust page: shown only where the database holds several schools; each school's figures
beside the trust's and the national ones, open concerns by rule, cases by stage; the governors'
report for the trust saved from it (the owner's only)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from casework_school import DAY, build_school
from PySide6.QtCore import QSettings
from trust_school import add_school, copy_school

from attendance_desk.domain.national import NATIONAL_PRIMARY
from attendance_desk.domain.pathway import Stage
from attendance_desk.services.cases import change_stage
from attendance_desk.ui import workers
from attendance_desk.ui.main_window import TRUST, MainWindow
from attendance_desk.ui.widgets.trust_dashboard import TrustDashboardWidget


def test_one_school_has_no_trust_page(qtbot, db, tmp_path: Path) -> None:  # noqa: ANN001
    build_school(db)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=DAY, settings=settings, load=False)
    qtbot.addWidget(win)
    assert TRUST not in win.page_names()
    workers.wait_all()


def test_the_trust_page_compares_the_schools(qtbot, db, tmp_path: Path) -> None:  # noqa: ANN001
    ids = build_school(db)
    change_stage(db, ids["ava"], Stage.FORMALISE, date(2024, 9, 20), "Ms Ellis", "Below 90%")
    conn = db.raw_connection(write=True)
    with conn:
        add_school(conn, "Oakfield Primary")
        riverside = copy_school(conn, 1, "Riverside Primary", 2)
        conn.execute(
            "UPDATE marks SET code = 'O' WHERE school_id = ? AND date >= '2024-09-16' AND "
            "pupil_id = (SELECT id FROM pupils WHERE school_id = ? AND legal_forename = 'Ava')",
            (riverside, riverside),
        )
    conn.close()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=DAY, settings=settings, load=False)
    qtbot.addWidget(win)
    win.show()
    assert TRUST in win.page_names()
    win.show_page(TRUST)
    page = win.pages[TRUST].ensure()
    assert isinstance(page, TrustDashboardWidget)
    qtbot.waitUntil(lambda: not page.loading and page.current is not None, timeout=20000)

    figures = page.figures
    assert page.cell(figures, "Oakfield Primary", "Pupils") == "4"
    assert page.cell(figures, "Riverside Primary", "Persistent").startswith("1 ")
    assert page.cell(figures, "The trust", "Pupils") == "8"
    assert page.cell(figures, "The trust", "Open cases") == "2"
    national = f"National (primary, {NATIONAL_PRIMARY.year})"
    assert page.cell(figures, national, "Attendance") == f"{NATIONAL_PRIMARY.attendance_pct:.1f}%"
    assert page.cell(page.cases, "Riverside Primary", "Formalise Support") == "1"
    assert page.cell(page.concerns, "The trust", "Below expected") != ""

    page.report_for.setCurrentIndex(page.report_for.findText("The trust"))
    saved = page.save_report(str(tmp_path / "trust report.pdf"))
    assert saved is not None and Path(saved).read_bytes().startswith(b"%PDF")
    if os.name == "posix":
        assert Path(saved).stat().st_mode & 0o777 == 0o600
    workers.wait_all()
