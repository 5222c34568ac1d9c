"""Bad input: every case gets a real file and a message naming file, sheet, row and column.

The database side (nothing written after any failure) is in tests/services/test_importing_bad.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from filemakers import (
    encrypt_xlsx,
    long_day_rows,
    long_session_rows,
    wide_rows,
    write_csv,
    write_xls,
    write_xlsx,
)

from attendance_desk.errors import ImportFileError
from attendance_desk.importers import parse_file

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def image_as_xlsx(tmp: Path) -> Path:
    path = tmp / "register.xlsx"
    path.write_bytes(PNG + bytes(200))
    return path


def truncated_xlsx(tmp: Path) -> Path:
    good = write_xlsx(tmp / "good.xlsx", wide_rows())
    path = tmp / "register.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return path


def corrupt_xlsx(tmp: Path) -> Path:
    good = write_xlsx(tmp / "good.xlsx", wide_rows()).read_bytes()
    path = tmp / "register.xlsx"
    middle = len(good) // 3
    path.write_bytes(good[:middle] + bytes(range(256)) * 8 + good[middle + 2048 :])
    return path


def password_xlsx(tmp: Path) -> Path:
    plain = write_xlsx(tmp / "plain.xlsx", wide_rows())
    return encrypt_xlsx(plain, tmp / "register.xlsx")


def empty_xlsx_file(tmp: Path) -> Path:
    path = tmp / "register.xlsx"
    path.write_bytes(b"")
    return path


def empty_workbook(tmp: Path) -> Path:
    return write_xlsx(tmp / "register.xlsx", [])


def empty_csv(tmp: Path) -> Path:
    path = tmp / "register.csv"
    path.write_text("\r\n,,,\r\n\r\n", encoding="utf-8")
    return path


def xls_named_xlsx(tmp: Path) -> Path:
    xls = write_xls(tmp / "r.xls", wide_rows())
    path = tmp / "register.xlsx"
    path.write_bytes(xls.read_bytes())
    return path


def text_named_xls(tmp: Path) -> Path:
    path = tmp / "register.xls"
    path.write_text("UPN,Surname\n", encoding="utf-8")
    return path


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "image renamed .xlsx": (image_as_xlsx, "register.xlsx: this is a PNG image, not a spreadsheet"),
    "truncated": (truncated_xlsx, "register.xlsx: the workbook is damaged: its end is missing"),
    "corrupt": (corrupt_xlsx, "register.xlsx: "),
    "password-protected": (password_xlsx, "register.xlsx: the workbook is password-protected"),
    "empty file": (empty_xlsx_file, "register.xlsx: the file is empty"),
    "empty workbook": (empty_workbook, "register.xlsx: the file is empty"),
    "empty csv": (empty_csv, "register.csv: the file is empty"),
    "xls named xlsx": (xls_named_xlsx, "rename it to .xls"),
    "text named xls": (text_named_xls, "this is not an Excel .xls workbook"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_unreadable_files_are_refused_with_a_clear_message(tmp_path: Path, case: str) -> None:
    make, expected = CASES[case]
    path = make(tmp_path)
    with pytest.raises(ImportFileError) as error:
        parse_file(path)
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_corrupt_file_message_says_damaged(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="damaged"):
        parse_file(corrupt_xlsx(tmp_path))


def test_no_identity_column(tmp_path: Path) -> None:
    rows = [row[3:] for row in wide_rows(title=False)]  # drop UPN, Surname, Forename
    path = write_xlsx(tmp_path / "register.xlsx", rows)
    with pytest.raises(ImportFileError, match="no identity column") as error:
        parse_file(path)
    assert "register.xlsx" in str(error.value) and "sheet Marks" in str(error.value)


def test_no_sessions_found(tmp_path: Path) -> None:
    rows = [
        ["UPN", "Surname", "Forename", "Form", "Notes"],
        ["A123456789012", "Smith", "Jo", "3C", "x"],
    ]
    with pytest.raises(ImportFileError, match="no sessions found"):
        parse_file(write_xlsx(tmp_path / "register.xlsx", rows))


def test_only_empty_session_cells(tmp_path: Path) -> None:
    rows = wide_rows(title=False)
    for row in rows[1:]:
        row[4:] = [""] * (len(row) - 4)
    with pytest.raises(ImportFileError, match="no marks found"):
        parse_file(write_xlsx(tmp_path / "register.xlsx", rows))


def test_unknown_codes_list_every_cell(tmp_path: Path) -> None:
    rows = wide_rows()  # title rows: the header is sheet row 4, pupils rows 5-7
    rows[4][7] = "QQ"  # pupil 1, Tue 03/09/2024 PM
    rows[6][4] = "zz"  # pupil 3, Mon 02/09/2024 AM
    with pytest.raises(ImportFileError) as error:
        parse_file(write_xlsx(tmp_path / "register.xlsx", rows))
    message = str(error.value)
    assert (
        "register.xlsx, sheet Marks, row 5, column 'Tue 03/09/2024 PM': 'QQ' is not an "
        "attendance code" in message
    )
    assert "row 7, column 'Mon 02/09/2024 AM': 'zz' is not an attendance code" in message


def test_unknown_code_in_a_day_pair_cell(tmp_path: Path) -> None:
    from filemakers import day_pair_rows

    rows = day_pair_rows()
    rows[2][4] = "/Q9"
    with pytest.raises(ImportFileError, match=r"row 3, column '.*': '/Q9' is not a morning and"):
        parse_file(write_xlsx(tmp_path / "pairs.xlsx", rows))


def test_impossible_date_in_a_long_register(tmp_path: Path) -> None:
    rows = long_session_rows()
    rows[3][3] = "31/02/2025"
    with pytest.raises(ImportFileError) as error:
        parse_file(write_csv(tmp_path / "long.csv", rows))
    assert "long.csv, sheet long, row 4, column 'Date': '31/02/2025' is not a real date" in str(
        error.value
    )


def test_impossible_date_in_a_session_header(tmp_path: Path) -> None:
    rows = wide_rows(title=False)
    rows[0][5] = "Fri 31/02/2025 PM"
    with pytest.raises(
        ImportFileError, match=r"row 1, column 'Fri 31/02/2025 PM': '31/02/2025' is"
    ):
        parse_file(write_xlsx(tmp_path / "register.xlsx", rows))


def test_text_that_is_not_a_date(tmp_path: Path) -> None:
    rows = long_day_rows()
    rows[2][4] = "next Tuesday"
    with pytest.raises(
        ImportFileError, match=r"row 3, column 'Date': 'next Tuesday' is not a date"
    ):
        parse_file(write_csv(tmp_path / "long.csv", rows))


def test_unknown_session_name(tmp_path: Path) -> None:
    rows = long_session_rows()
    rows[1][4] = "Evening"
    with pytest.raises(
        ImportFileError, match=r"row 2, column 'Session': 'Evening' is not AM or PM"
    ):
        parse_file(write_csv(tmp_path / "long.csv", rows))


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "register.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(ImportFileError, match="'.pdf' files cannot be imported"):
        parse_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="does not exist"):
        parse_file(tmp_path / "nowhere.xlsx")


def test_many_errors_are_counted_not_all_listed(tmp_path: Path) -> None:
    rows = long_day_rows()
    for row in rows[1:]:
        row[5] = "QQ"
    with pytest.raises(ImportFileError, match=r"and \d+ more$"):
        parse_file(write_csv(tmp_path / "long.csv", rows * 3))
