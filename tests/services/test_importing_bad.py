"""After any failure the database is byte-for-byte as it was (a hash of a full dump)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import (  # noqa: E402
    day_pair_rows,
    encrypt_xlsx,
    long_day_rows,
    long_session_rows,
    roster_rows,
    wide_rows,
    write_csv,
    write_xlsx,
)
from test_importing import fingerprint  # noqa: E402

from attendance_desk.cli import main  # noqa: E402
from attendance_desk.errors import ImportFileError, UserError  # noqa: E402
from attendance_desk.services.importing import apply_import, preview_import  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402


def _image(tmp: Path) -> Path:
    path = tmp / "register.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    return path


def _truncated(tmp: Path) -> Path:
    good = write_xlsx(tmp / "good.xlsx", wide_rows()).read_bytes()
    path = tmp / "register.xlsx"
    path.write_bytes(good[: len(good) // 2])
    return path


def _password(tmp: Path) -> Path:
    return encrypt_xlsx(write_xlsx(tmp / "plain.xlsx", wide_rows()), tmp / "register.xlsx")


def _empty(tmp: Path) -> Path:
    path = tmp / "register.csv"
    path.write_bytes(b"")
    return path


def _no_identity(tmp: Path) -> Path:
    return write_xlsx(tmp / "register.xlsx", [r[3:] for r in wide_rows(title=False)])


def _no_sessions(tmp: Path) -> Path:
    return write_xlsx(tmp / "register.xlsx", [r[:4] for r in wide_rows(title=False)])


def _unknown_codes(tmp: Path) -> Path:
    rows = wide_rows()
    rows[5][6] = "QQ"
    return write_xlsx(tmp / "register.xlsx", rows)


def _impossible_date(tmp: Path) -> Path:
    rows = long_day_rows()
    rows[5][4] = "31/02/2025"
    return write_csv(tmp / "register.csv", rows)


def _same_session_twice(tmp: Path) -> Path:
    rows = long_session_rows()
    duplicate = list(rows[1])
    duplicate[5] = "O" if duplicate[5] != "O" else "I"
    return write_csv(tmp / "register.csv", [*rows, duplicate])


def _same_pupil_on_two_rows(tmp: Path) -> Path:
    rows = wide_rows(title=False)
    twin = list(rows[1])
    twin[4] = "G"
    return write_xlsx(tmp / "register.xlsx", [*rows, twin])


def _outside_the_year(tmp: Path) -> Path:
    rows = long_day_rows()
    rows[2][4] = "2023-06-01"
    return write_csv(tmp / "register.csv", rows)


def _control_only_code(tmp: Path) -> Path:
    rows = day_pair_rows()
    rows[1][3] = "/\x07X\x08Q"
    return write_csv(tmp / "register.csv", rows)


BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "image renamed .xlsx": (_image, "not a spreadsheet"),
    "truncated": (_truncated, "damaged"),
    "password": (_password, "password-protected"),
    "empty": (_empty, "empty"),
    "no identity column": (_no_identity, "no identity column"),
    "no sessions": (_no_sessions, "no sessions found"),
    "unknown codes": (_unknown_codes, "'QQ' is not an attendance code"),
    "impossible date": (_impossible_date, "'31/02/2025' is not a real date"),
    "same session twice": (_same_session_twice, "has two different marks for 02/09/2024 AM"),
    "same pupil twice": (_same_pupil_on_two_rows, "has two different marks for 02/09/2024 AM"),
    "outside the academic year": (_outside_the_year, "01/06/2023 is outside the academic years"),
    "control characters around a bad code": (_control_only_code, "is not a morning and"),
}


@pytest.fixture
def school(db: Database, tmp_path: Path, samples: Path) -> Database:
    """A database with pupils, term dates and marks already in it."""
    (tmp_path / "seed").mkdir()
    apply_import(
        db,
        [
            write_xlsx(tmp_path / "seed" / "roster.xlsx", roster_rows()),
            samples / "term_dates.csv",
            write_xlsx(tmp_path / "seed" / "register.xlsx", wide_rows()),
        ],
    )
    return db


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_leaves_the_database_exactly_as_it_was(
    school: Database, tmp_path: Path, case: str
) -> None:
    make, expected = BAD[case]
    path = make(tmp_path)
    before = fingerprint(school)
    with pytest.raises(UserError) as error:
        preview_import(school, [path])
    assert expected in str(error.value)
    with pytest.raises(UserError):
        apply_import(school, [path])
    assert fingerprint(school) == before
    # one bad file among good ones: none of them lands
    good = write_csv(tmp_path / "good_closures.csv", [["date", "kind"], ["2024-10-11", "inset"]])
    with pytest.raises(UserError):
        apply_import(school, [good, path])
    assert fingerprint(school) == before


def test_duplicate_message_names_the_cell(school: Database, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as error:
        apply_import(school, [_same_session_twice(tmp_path)])
    assert "register.csv, sheet register, row 20, column 'Mark': Zoë O'Brien has two" in str(
        error.value
    )


def test_the_command_line_exits_2_with_one_line(
    school: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fingerprint(school)
    code = main(["--db", str(school.path), "import", str(_unknown_codes(tmp_path))])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert (
        "register.xlsx, sheet Marks, row 6, column 'Tue 03/09/2024 AM': 'QQ' is not an "
        "attendance code" in err
    )
    assert fingerprint(school) == before


def test_the_command_line_dry_run_and_import(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    before = fingerprint(db)
    assert main(["--db", str(db.path), "import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run: nothing was written." in out
    assert "16 marks would be added" in out
    assert fingerprint(db) == before
    assert main(["--db", str(db.path), "import", str(path)]) == 0
    assert "16 marks added" in capsys.readouterr().out
    assert main(["--db", str(db.path), "import", str(path)]) == 0
    assert "already imported" in capsys.readouterr().out
