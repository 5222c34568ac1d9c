"""Hostile or broken spreadsheets are refused before they are read: a zip bomb, a sheet that
declares cells up to XFD1048576, a cell of megabytes; one line naming the limit, no crash."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from filemakers import wide_rows, write_csv, write_xlsx  # noqa: E402

from attendance_desk.cli import main  # noqa: E402
from attendance_desk.errors import ImportFileError  # noqa: E402
from attendance_desk.importers.limits import MAX_FIELD  # noqa: E402
from attendance_desk.importers.sources import read_sheets  # noqa: E402


def _rewrite(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    """A copy of the workbook with some entries replaced (or added)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename not in change:
                zout.writestr(item, zin.read(item.filename))
        for name, data in change.items():
            zout.writestr(name, data)
    return target


def test_a_sheet_declaring_cells_up_to_xfd1048576_is_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", wide_rows())
    with zipfile.ZipFile(good) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    far = sheet.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>', 1)
    if b"<dimension" in sheet:
        far = sheet.replace(
            sheet[sheet.index(b"<dimension") : sheet.index(b"/>", sheet.index(b"<dimension")) + 2],
            b'<dimension ref="A1:XFD1048576"/>',
        )
    path = _rewrite(good, tmp_path / "far.xlsx", {"xl/worksheets/sheet1.xml": far})
    with pytest.raises(ImportFileError) as caught:
        list(read_sheets(path))
    assert str(caught.value) == (
        "far.xlsx: a sheet declares 1,048,576 rows x 16,384 columns (A1:XFD1048576; the "
        "limits are 100,000 rows and 2,000 columns): it is not a register"
    )


def test_a_zip_bomb_is_refused_before_it_is_inflated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", wide_rows())
    bomb = _rewrite(good, tmp_path / "bomb.xlsx", {"xl/media/padding.bin": b"\0" * (64 << 20)})
    assert bomb.stat().st_size < 1 << 20  # 64 MB of zeros packs into well under 1 MB
    code = main(["--db", str(tmp_path / "school.sqlite3"), "import", str(bomb)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "xl/media/padding.bin in the workbook inflates" in err and "the limit is 150" in err


def test_a_very_long_field_is_refused_naming_the_cell(tmp_path: Path) -> None:
    rows = wide_rows()
    rows[5][2] = "x" * (MAX_FIELD + 1)
    path = write_csv(tmp_path / "register.csv", rows)
    with pytest.raises(ImportFileError) as caught:
        list(read_sheets(path))
    assert str(caught.value) == (
        f"register.csv: sheet register, row 6, column C: a cell holds {MAX_FIELD + 1:,} "
        f"characters (the limit is {MAX_FIELD:,}): it is not a register"
    )
