"""Every table model passes Qt's model tester; sorting is on raw values; formatting is UK."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from attendance_desk.domain.figures import Figures
from attendance_desk.ui.format import pct, uk_date, uk_short
from attendance_desk.ui.models import dashboard as dm
from attendance_desk.ui.models import pupil_list as pl
from attendance_desk.ui.widgets.pupil_sections import FiguresModel, figure_row


def _rows() -> list[pl.PupilRow]:
    return [
        pl.PupilRow(
            1,
            "A1",
            "Zed",
            "Amy",
            "R",
            "R Wrens",
            95.5,
            90.0,
            "amber",
            "Amber",
            "#f9a825",
            "",
            False,
            False,
            "",
            ("PP",),
            "N",
            ("below_expected",),
            date(2025, 2, 3),
            (97.0, 96.0, 95.5),
            True,
        ),
        pl.PupilRow(
            2,
            "B2",
            "adams",
            "Ben",
            "10",
            "X",
            100.0,
            None,
            "green",
            "Green",
            "#2e7d32",
            loaded=True,
        ),
        pl.PupilRow(
            3,
            "C3",
            "Brown",
            "Cal",
            "2",
            "2 Oak",
            9.5,
            0.0,
            "red",
            "Red",
            "#c62828",
            "",
            True,
            True,
            "Monitor",
            ("SEN",),
            "K",
            ("persistent_absence", "severe_absence"),
            None,
            (),
            True,
        ),
        pl.PupilRow(4, "", "Ng", "Dee", "", "", loaded=False),
    ]


def test_pupil_models_pass_modeltester(qtmodeltester) -> None:  # noqa: ANN001
    model = pl.PupilListModel()
    model.set_rows(_rows())
    qtmodeltester.check(model)
    proxy = pl.PupilFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search("b")
    proxy.set_filter("band", "red")
    qtmodeltester.check(proxy)


def test_other_models_pass_modeltester(qtmodeltester) -> None:  # noqa: ANN001
    figures = FiguresModel()
    figures.set_rows(
        [
            figure_row("Year to date", Figures(possible=10, present=9, authorised=1)),
            figure_row("Half term", Figures()),
        ]
    )
    qtmodeltester.check(figures)
    groups = dm.GroupModel()
    groups.set_rows(
        [
            dm.GroupRow("School", "Whole school", 10, 95.0, 5.0, 10.0, 0.0),
            dm.GroupRow("Year", "Year 1", 0, None, None, None, None),
        ]
    )
    qtmodeltester.check(groups)
    league = dm.LeagueModel()
    league.set_rows(
        dm.league_rows(
            [
                ("1 Ash", Figures(possible=60, present=58, unauthorised=2)),
                ("2 Oak", Figures(possible=60, present=60)),
            ]
        )
    )
    qtmodeltester.check(league)


def test_sort_on_raw_values_blanks_last() -> None:
    model = pl.PupilListModel()
    model.set_rows(_rows())
    model.sort(pl.COL_YEAR_PCT, Qt.SortOrder.AscendingOrder)
    assert [r.year_pct for r in model.rows] == [9.5, 95.5, 100.0, None]  # 9.5 before 95.5: numbers
    model.sort(pl.COL_YEAR_PCT, Qt.SortOrder.DescendingOrder)
    assert [r.year_pct for r in model.rows] == [100.0, 95.5, 9.5, None]
    model.sort(pl.COL_YEAR, Qt.SortOrder.AscendingOrder)
    assert [r.year_group for r in model.rows] == ["R", "2", "10", ""]  # 2 before 10, R first
    model.sort(pl.COL_NAME, Qt.SortOrder.AscendingOrder)
    assert [r.surname for r in model.rows] == ["adams", "Brown", "Ng", "Zed"]  # case-blind
    model.sort(pl.COL_LAST_CONTACT, Qt.SortOrder.AscendingOrder)
    assert model.rows[0].last_contact == date(2025, 2, 3)


def test_filters() -> None:
    model = pl.PupilListModel()
    model.set_rows(_rows())
    proxy = pl.PupilFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search("amy zed")
    assert [r.pupil_id for r in proxy.visible_rows()] == [1]
    proxy.set_search("")
    for name, value, expected in [
        ("band", "red", [3]),
        ("year", "R", [1]),
        ("class", "2 Oak", [3]),
        ("group", "SEN", [3]),
        ("stage", pl.NO_STAGE, [1, 2, 4]),
        ("rule", "below_expected", [1]),
        ("band", pl.NO_BAND, [4]),
    ]:
        proxy.clear_filters()
        proxy.set_filter(name, value)
        assert sorted(r.pupil_id for r in proxy.visible_rows()) == expected, name


def test_uk_formats() -> None:
    assert uk_date(date(2025, 2, 3)) == "Mon 3 Feb 2025"
    assert uk_short(date(2025, 2, 3)) == "03/02/2025"
    assert pct(95.25) == "95.3%"  # half up, one place
    assert pct(None) == "\u2013"
    index = pl.PupilListModel()
    index.set_rows(_rows())
    assert index.index(0, pl.COL_LAST_CONTACT).data() == "03/02/2025"
    assert index.index(0, pl.COL_YEAR_PCT).data() == "95.5%"
