"""The main window driven as a person would: search, filter, open a pupil, export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton

from attendance_desk.demo import create_demo_database
from attendance_desk.services import monitoring
from attendance_desk.storage.db import open_database
from attendance_desk.ui import data, window_actions, workers
from attendance_desk.ui.main_window import MainWindow
from attendance_desk.ui.models import pupil_list as pl
from attendance_desk.ui.widgets.mark_calendar import kind_of

AS_OF = date(2025, 3, 14)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    create_demo_database(path, seed=2024, as_of=AS_OF)
    return path


@pytest.fixture
def window(qtbot, demo_path: Path, tmp_path: Path):  # noqa: ANN001, ANN201
    db = open_database(demo_path)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=AS_OF, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(
        lambda: win.pupil_list.model.rows and win.pupil_list.model.rows[0].loaded, timeout=20000
    )
    yield win
    workers.wait_all()
    db.close()


def test_search_narrows_the_list(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    total = window.pupil_list.proxy.rowCount()
    assert total == 420
    row = window.pupil_list.model.rows[7]
    qtbot.keyClicks(window.pupil_list.search, row.surname[:4])
    shown = window.pupil_list.proxy.rowCount()
    assert 0 < shown < total
    assert all(
        r.surname.lower().startswith(row.surname[:4].lower())
        or row.surname[:4].lower() in r.search_key
        for r in window.pupil_list.proxy.visible_rows()
    )
    assert f"Showing {shown} of 420" in window.pupil_list.count_label.text()
    window.pupil_list.search.clear()
    qtbot.keyClicks(window.pupil_list.search, row.upn)
    assert [r.pupil_id for r in window.pupil_list.proxy.visible_rows()] == [row.pupil_id]


def test_a_name_shared_by_two_pupils_is_chosen_by_keyboard(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    """Type the surname, Enter (or Down) to reach the matches, Down to the second, Enter: that
    pupil's page opens, without the mouse."""
    widget = window.pupil_list
    surnames = [r.surname for r in widget.model.rows]
    surname = next(name for name in surnames if surnames.count(name) > 1)
    qtbot.keyClicks(widget.search, surname)
    shown = widget.proxy.visible_rows()
    assert len(shown) > 1
    opened: list[int] = []
    widget.pupil_activated.connect(opened.append)
    qtbot.keyClick(widget.search, Qt.Key.Key_Return)
    assert opened == [] and widget.view.hasFocus()
    qtbot.keyClick(widget.view, Qt.Key.Key_Down)
    qtbot.keyClick(widget.view, Qt.Key.Key_Return)
    assert opened == [shown[1].pupil_id]
    widget.search.setFocus()
    qtbot.keyClick(widget.search, Qt.Key.Key_Down)
    qtbot.keyClick(widget.view, Qt.Key.Key_Return)
    assert opened[-1] == shown[0].pupil_id


def test_band_filter_and_sort(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    combo = window.pupil_list.combos["band"]
    index = combo.findData("red")
    assert index > 0
    combo.setCurrentIndex(index)
    visible = window.pupil_list.proxy.visible_rows()
    assert visible and all(r.band_id == "red" for r in visible)
    assert all(r.year_pct is not None and r.year_pct < 90 for r in visible)
    # sort by year % by clicking the header: numbers as numbers
    header = window.pupil_list.view.horizontalHeader()
    x = header.sectionViewportPosition(pl.COL_YEAR_PCT) + 5
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=header.viewport().rect().topLeft() + type(header.viewport().rect().topLeft())(x, 5),
    )
    values = [r.year_pct for r in window.pupil_list.proxy.visible_rows()]
    assert values == sorted(values) or values == sorted(values, reverse=True)


def test_list_agrees_with_engine(window: MainWindow) -> None:
    contexts = data.case_contexts(window.db, AS_OF)
    overviews = {
        o.pupil_id: o for o in monitoring.pupil_overviews(window.db, AS_OF, case_contexts=contexts)
    }
    for row in window.pupil_list.model.rows:
        o = overviews[row.pupil_id]
        assert row.year_pct == o.year.attendance_pct
        assert row.band_id == (o.band.id if o.band else None)
        assert row.concern_rules == o.concern_rules


def test_open_pupil_calendar_and_figures_agree(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    qtbot.keyClicks(window.pupil_list.search, window.pupil_list.model.rows[3].upn)
    view = window.pupil_list.view
    index = window.pupil_list.proxy.index(0, 0)
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    page = window.pupil_page
    pupil_id = window.pupil_list.model.rows[3].pupil_id
    qtbot.waitUntil(
        lambda: page.data is not None and page.data.details.pupil_id == pupil_id, timeout=20000
    )
    assert window.current_page() == "Pupil"
    report = monitoring.pupil_report(
        window.db, pupil_id, AS_OF, case_context=data.case_contexts(window.db, AS_OF).get(pupil_id)
    )
    # calendar: every mark of the engine is on the calendar, coloured by its kind
    assert len(page.calendar.marks) == len(report.marks)
    for d, session, code in report.marks:
        assert page.calendar.marks[(d, session)] == code
        assert code in page.calendar.describe(d, session)
    d, session, code = report.marks[0]
    assert kind_of(code) in (
        "present",
        "late",
        "approved_activity",
        "authorised",
        "unauthorised",
        "not_possible",
    )
    # figures table as shown
    shown = {
        page.figures.index(r, 0).data(): [page.figures.index(r, c).data() for c in range(1, 7)]
        for r in range(3)
    }
    year = report.year
    assert shown["Year to date"][0] == f"{year.possible:,}"
    assert shown["Year to date"][1] == f"{year.attended:,}"
    assert (
        shown["Year to date"][5] == f"{year.attendance_pct:.1f}%"
        or abs(float(shown["Year to date"][5].rstrip("%")) - year.attendance_pct) < 0.051
    )
    assert page.monitoring_chart.point_count() > 0
    assert page.weekday_chart.point_count() == 10
    assert page.name_label.text() == f"{page.data.details.forename} {page.data.details.surname}"


def test_export_filtered_list(qtbot, window: MainWindow, tmp_path: Path) -> None:  # noqa: ANN001
    window.pupil_list.set_filter("band", "red")
    expected = window.pupil_list.proxy.visible_rows()
    target = tmp_path / "red.xlsx"
    window_actions.export_current(window, target)
    qtbot.waitUntil(target.exists, timeout=20000)
    workers.wait_all()
    ws = load_workbook(target).active
    assert ws.freeze_panes == "A2"
    assert ws.cell(1, 1).value == "Name"
    assert ws.max_row == len(expected) + 1
    headers = [c.value for c in ws[1]]
    band_col = headers.index("Band") + 1
    assert ws.cell(2, band_col).value == expected[0].band_label
    assert ws.cell(2, band_col).fill.start_color.rgb.endswith(
        expected[0].band_colour.lstrip("#").upper()
    )
    pct_col = headers.index("Year %") + 1
    assert isinstance(ws.cell(2, pct_col).value, float)


def test_export_is_formula_safe(tmp_path: Path) -> None:
    from attendance_desk.services.exporting import ExportColumn, ExportTable, export_table

    target = export_table(
        tmp_path / "x",
        ExportTable(
            "T",
            [ExportColumn("Name"), ExportColumn("When", "date")],
            [["=1+1", date(2025, 2, 3)], ["@cmd", None]],
        ),
    )
    ws = load_workbook(target).active
    assert ws.cell(2, 1).value == "=1+1" and ws.cell(2, 1).data_type == "s"
    assert ws.cell(2, 2).value.date() == date(2025, 2, 3)


def test_dashboard_and_shortcuts(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.show_page("Dashboard")
    window.dashboard.reload()
    qtbot.waitUntil(lambda: window.dashboard.data is not None, timeout=30000)
    school = window.dashboard.groups.rows[0]
    assert school.kind == "School" and school.pupils == 420
    assert window.dashboard.attendance_card.value.text().endswith("%")
    assert window.dashboard.weekly_chart.point_count() > 10
    assert window.dashboard.league.rowCount() > 0
    assert window.dashboard.queue.topLevelItemCount() > 0
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "Pupils"
    assert window.act_import.shortcut().toString() == "Ctrl+I"
    assert "F5" in [s.toString() for s in window.act_refresh.shortcuts()]


def test_window_remembers_size(qtbot, demo_path: Path, tmp_path: Path) -> None:  # noqa: ANN001
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    db = open_database(demo_path)
    win = MainWindow(db, as_of=AS_OF, settings=settings, load=False)
    qtbot.addWidget(win)
    win.show()
    win.resize(700, 500)
    size = win.size()
    win.pupil_page.splitter.setSizes([400, 150])  # the pupil page is built on first use
    pupil_sizes = win.pupil_page.splitter.sizes()
    win.close()
    again = MainWindow(db, as_of=AS_OF, settings=settings, load=False)
    qtbot.addWidget(again)
    assert settings.value("window/geometry") is not None
    assert settings.value("pupil/splitter") is not None
    assert again.pupil_slot.widget is None  # not built until a pupil is opened
    assert again.pupil_page.splitter.sizes() == pupil_sizes
    assert again.restoreGeometry(settings.value("window/geometry"))
    assert abs(again.size().height() - size.height()) <= 40
    assert str(demo_path) in window_actions.recent_databases(again)
    db.close()


def open_pupil_page(qtbot, window: MainWindow, pupil_id: int) -> None:  # noqa: ANN001
    window.open_pupil(pupil_id)
    page = window.pupil_page
    qtbot.waitUntil(
        lambda: page.data is not None and page.data.details.pupil_id == pupil_id, timeout=20000
    )


def test_pupil_charts_show_the_engine_figures(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    row = min(window.pupil_list.model.rows, key=lambda r: r.year_pct or 100.0)
    open_pupil_page(qtbot, window, row.pupil_id)
    page = window.pupil_page
    report = page.data.report
    # one dot per monitoring point, at its date, with the year-to-date % the engine gives
    expected = [(d, round(v, 1)) for d, v in report.monitoring_points if v is not None]
    assert len(expected) >= 2
    assert page.monitoring_chart.line_points() == expected
    chart = page.monitoring_chart.chart()
    y_axis = chart.axes(Qt.Orientation.Vertical)[0]
    assert y_axis.max() == 100
    assert y_axis.min() < min(v for _, v in expected) and y_axis.min() >= 0
    # the policy's band lines, dashed, in the band colours
    refs = {s.name(): s for s in chart.series() if s.name() != "Year to date"}
    assert set(refs) == {"Green from 96%", "Amber from 90%"}
    assert refs["Amber from 90%"].pen().style() == Qt.PenStyle.DashLine
    assert refs["Amber from 90%"].pen().color().name() == "#f9a825"
    assert {p.y() for p in refs["Green from 96%"].points()} == {96.0}
    # dates on the x axis as the UK writes them
    x_labels = chart.axes(Qt.Orientation.Horizontal)[0].categoriesLabels()
    d = expected[-1][0]
    assert x_labels[-1] == f"{d.day} {d.strftime('%b')}"
    # weekday bars: % of possible sessions missed, never above 100
    bars = page.weekday_chart.chart().series()[0].barSets()
    am = {bars[0].at(i) for i in range(5)}
    pm = {bars[1].at(i) for i in range(5)}
    assert all(0 <= v <= 100 for v in am | pm)
    assert page.weekday_chart.chart().axes(Qt.Orientation.Vertical)[0].max() <= 100
    monday = report.weekday_pattern[0]
    if monday.am_possible:
        assert bars[0].at(0) == round(100 * monday.am_missed / monday.am_possible)


def test_letters_follow_the_windows_date(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.show_page("Letters")
    composer = window.pages["Letters"].ensure()
    assert composer.as_of_edit.date().toPython() == AS_OF
    later = date(2025, 3, 21)
    window.as_of_edit.setDate(later)
    assert composer.as_of_edit.date().toPython() == later
    assert window.pupil_page.as_of == later
    workers.wait_all()


def test_a_new_database_shows_the_first_steps_not_an_empty_table(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    db = open_database(tmp_path / "new-school.sqlite3")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=AS_OF, settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.pupil_list.first_run.isVisible(), timeout=20000)
    assert not win.pupil_list.view.isVisible()
    workers.wait_all()
    db.close()


def test_the_first_run_button_asks_for_an_import(qtbot) -> None:  # noqa: ANN001
    from attendance_desk.ui.widgets.pupil_list import PupilListWidget

    widget = PupilListWidget()
    qtbot.addWidget(widget)
    widget.show()
    widget.set_rows([])
    button = widget.first_run.findChild(QPushButton)
    with qtbot.waitSignal(widget.import_requested, timeout=2000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_school_with_pupils_shows_the_table(window: MainWindow) -> None:
    assert window.pupil_list.view.isVisible()
    assert not window.pupil_list.first_run.isVisible()


FIRST_SCREEN = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

app = QApplication(sys.argv[:1])
HEAVY = ("sqlalchemy", "reportlab", "openpyxl", "alembic", "pypdf", "PySide6.QtPdf")


def poll():
    signing_in = app.activeModalWidget()  # "who is using Attendance Desk?": Enter, as a person
    if signing_in is not None:
        signing_in.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    for w in app.topLevelWidgets():
        rows = getattr(getattr(w, "pupil_list", None), "model", None)
        if rows is not None and w.isVisible() and rows.rows and rows.rows[0].loaded:
            print(sorted(m for m in HEAVY if m in sys.modules), flush=True)
            print(w.pupil_slot.widget is None, len(rows.rows), flush=True)
            app.quit()
            return
    QTimer.singleShot(5, poll)


QTimer.singleShot(0, poll)
from attendance_desk.cli import main
sys.exit(main(["--db", sys.argv[1]]))
"""


def test_the_first_screen_loads_nothing_it_does_not_show(demo_path: Path, tmp_path: Path) -> None:
    """The pupil list with its figures, from a cold start, without SQLAlchemy and the models,
    ReportLab, openpyxl, Alembic or QtPdf: they load when first used (the pupil page is built
    when a pupil is first opened)."""
    import os
    import shutil
    import subprocess
    import sys

    school = tmp_path / "school.sqlite3"
    shutil.copy(demo_path, school)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    env["ATTENDANCE_DESK_TODAY"] = AS_OF.isoformat()
    done = subprocess.run(
        [sys.executable, "-c", FIRST_SCREEN, str(school)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    heavy, built = done.stdout.splitlines()[-2:]
    assert heavy == "[]"
    assert built.split()[0] == "True" and int(built.split()[1]) > 400


@pytest.mark.parametrize("width", [1366, 1280])
def test_a_pupils_figures_are_whole_in_a_laptops_window(
    qtbot, window: MainWindow, width: int
) -> None:  # noqa: ANN001
    """At 1366 wide the figures' Attendance column, the one that matters, was behind a scroll bar
    that also hid half of "This half term" (seen under Xvfb)."""
    window.showNormal()
    window.resize(width, 720)
    open_pupil_page(qtbot, window, window.pupil_list.model.rows[0].pupil_id)
    view = window.pupil_page.figures_view
    qtbot.waitUntil(lambda: view.isVisible() and view.model().rowCount() == 3)
    header = view.horizontalHeader()
    last = header.count() - 1
    assert header.model().headerData(last, Qt.Orientation.Horizontal) == "Attendance"
    qtbot.waitUntil(  # every column inside the view's width; the three periods' rows too
        lambda: (
            header.sectionViewportPosition(last) + header.sectionSize(last)
            <= view.viewport().width()
            and header.sectionSize(last) >= header.sectionSizeHint(last)
        )
    )
    rows = view.verticalHeader()
    assert rows.sectionViewportPosition(2) + rows.sectionSize(2) <= view.viewport().height()


def test_the_pupil_lists_column_titles_are_whole(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    """At 1366x768 on a new window "Concerns" and "Last contact" were cut short and "Half
    term %" ran into "Year %" (seen under Xvfb): each title fits its column, as the header
    itself measures it, every UPN shows whole, and the columns still fit a laptop's screen."""
    window.showNormal()
    window.resize(1366, 720)
    view = window.pupil_list.view
    header = view.horizontalHeader()
    qtbot.waitUntil(lambda: view.isVisible() and view.model().rowCount() > 0)
    short = [
        header.model().headerData(i, Qt.Orientation.Horizontal)
        for i in range(header.count() - 1)  # the last stretches to the edge
        if header.sectionSize(i) < header.sectionSizeHint(i)
    ]
    assert short == []
    # every UPN whole too (digits are wider than the average character)
    assert header.sectionSize(pl.COL_UPN) >= view.sizeHintForColumn(pl.COL_UPN)
    assert header.length() <= view.viewport().width()  # no scroll bar across the list
