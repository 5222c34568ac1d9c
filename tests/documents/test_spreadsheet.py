"""Exports open safely in Excel: formulas stay text, dates stay dates, the header is frozen."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from attendance_desk.documents.spreadsheet import Sheet, SheetColumn, write_workbook


def test_cells_that_look_like_formulas_are_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    dangerous = ['=HYPERLINK("http://x")', "+44 7700 900123", "-1+1", "@SUM(A1)"]
    sheet = Sheet(
        "Pupils",
        [SheetColumn("Name"), SheetColumn("Note")],
        [["Amy", text] for text in dangerous],
    )
    write_workbook(path, [sheet])
    ws = load_workbook(path).active
    for row, text in enumerate(dangerous, start=2):
        cell = ws.cell(row=row, column=2)
        assert cell.value == text
        assert cell.data_type == "s"  # a string, never "f" (formula)


def test_dates_are_dates_header_frozen_and_band_colour_kept(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    sheet = Sheet(
        "Pupils",
        [SheetColumn("Name"), SheetColumn("Born", kind="date"), SheetColumn("%", kind="percent")],
        [["Zoë Łucja Nguyễn", date(2017, 2, 3), 95.99]],
        fills={(0, 2): "FFC000"},
    )
    write_workbook(path, [sheet])
    ws = load_workbook(path).active
    assert ws.freeze_panes == "A2"
    assert ws["A2"].value == "Zoë Łucja Nguyễn"
    assert ws["B2"].value.date() == date(2017, 2, 3)
    assert ws["B2"].number_format == "DD/MM/YYYY"
    assert ws["C2"].fill.start_color.rgb.endswith("FFC000")
    assert ws.column_dimensions["A"].width >= len("Zoë Łucja Nguyễn")
