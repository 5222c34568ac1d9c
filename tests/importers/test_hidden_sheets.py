"""A hidden sheet is never read: it is skipped and named, in the preview and in the command's
output (a hidden sheet is often an old draft or a lookup table the MIS keeps)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))

from filemakers import expected_marks, wide_rows, write_workbook  # noqa: E402

from attendance_desk.errors import ImportFileError  # noqa: E402
from attendance_desk.importers import parse_file  # noqa: E402
from attendance_desk.services.importing import apply_import, preview_import  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def hidden_draft(path: Path, state: str = "hidden") -> Path:
    """A register sheet, and a hidden 'Old draft' sheet whose marks all differ ('O')."""
    rows = wide_rows(title=False)
    draft = [list(r) for r in rows]
    for row in draft[1:]:
        row[4:] = ["O"] * (len(row) - 4)
    write_workbook(path, [("Marks", rows), ("Old draft", draft)])
    book = load_workbook(path)
    book["Old draft"].sheet_state = state
    book.save(path)
    return path


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_skipped_and_named(tmp_path: Path, state: str) -> None:
    parsed = parse_file(hidden_draft(tmp_path / "register.xlsx", state))
    assert parsed.more == []  # one register read: the visible one
    assert {(p, d, s): c for p, d, s, c in _marks(parsed)} == expected_marks()
    assert "sheet 'Old draft' skipped: it is hidden" in parsed.recognised


def _marks(parsed):  # noqa: ANN001, ANN202
    register = parsed.register
    for pupil, iso, session, code, _r, _c in register.iter_marks():
        yield register.pupils[pupil].upn, iso, session, code


def test_the_preview_and_the_command_name_the_hidden_sheet(db: Database, tmp_path: Path) -> None:
    path = hidden_draft(tmp_path / "register.xlsx")
    preview = preview_import(db, [path])
    assert "sheet 'Old draft' skipped: it is hidden" in preview.files[0].recognised
    done = subprocess.run(
        [sys.executable, "-m", "attendance_desk", "--db", str(tmp_path / "cli.sqlite3"),
         "import", str(path)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "16 marks added" in done.stdout
    assert "  sheet 'Old draft' skipped: it is hidden" in done.stdout.splitlines()
    result = apply_import(db, [path])
    assert result.files[0].marks_added == 16  # none of the draft's 'O' marks


def test_a_register_only_on_a_hidden_sheet_is_refused_naming_it(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "register.xlsx",
        [("Notes", [["Exported by the MIS"]]), ("Marks", wide_rows(title=False))],
    )
    book = load_workbook(path)
    book["Marks"].sheet_state = "hidden"
    book.save(path)
    with pytest.raises(ImportFileError) as error:
        parse_file(path)
    assert "(hidden sheets are not read: 'Marks'; unhide a sheet in Excel to import it)" in str(
        error.value
    )
