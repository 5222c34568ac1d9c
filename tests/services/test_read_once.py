"""A file is read once, and what goes wrong while it is read is one clear line: a header
below the rows looked at, a file deleted or shortened while it is read, a truncated workbook.

Real files throughout; the command line is run as a real process (no traceback reaches the
person)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import wide_rows, write_csv, write_xlsx  # noqa: E402
from test_importing import fingerprint  # noqa: E402

from attendance_desk.errors import ImportFileError  # noqa: E402
from attendance_desk.importers import sources  # noqa: E402
from attendance_desk.services import importing  # noqa: E402
from attendance_desk.services.importing import (  # noqa: E402
    FileChangedError,
    apply_import,
    import_history,
    import_previewed,
    preview_import,
)
from attendance_desk.storage.db import Database  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _command(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "attendance_desk", "--db", str(db), "import", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    return err


def _deep(rows_above: int) -> list[list[object]]:
    return [[f"Notes for the office, line {n + 1}"] for n in range(rows_above)] + wide_rows(
        title=False
    )


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_header_below_row_30_is_one_line_naming_where_it_is(
    db: Database, tmp_path: Path, suffix: str
) -> None:
    write = write_xlsx if suffix == ".xlsx" else write_csv
    path = write(tmp_path / f"register{suffix}", _deep(34))
    before = fingerprint(db)
    with pytest.raises(ImportFileError) as error:
        preview_import(db, [path])
    assert "the header row is row 35 ('UPN', 'Surname', 'Forename' ...)" in str(error.value)
    assert "delete at least 5 of the 34 rows above it" in str(error.value)
    assert fingerprint(db) == before
    done = _command(tmp_path / "cli.sqlite3", str(path))
    assert done.returncode == 2
    assert "below the first 30 rows" in _one_line(done.stderr)


def test_a_header_at_row_30_is_found(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", _deep(29))
    assert apply_import(db, [path]).files[0].marks_added == 16


def test_a_truncated_workbook_is_one_line(db: Database, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", wide_rows()).read_bytes()
    for cut in (len(good) // 2, len(good) - 30, 200):
        path = tmp_path / f"cut{cut}.xlsx"
        path.write_bytes(good[:cut])
        done = _command(tmp_path / "cli.sqlite3", str(path), "--dry-run")
        assert done.returncode == 2
        line = _one_line(done.stderr)
        assert f"cut{cut}.xlsx: the workbook is damaged: its end is missing" in line


def test_a_file_deleted_before_it_is_read_is_one_line(db: Database, tmp_path: Path) -> None:
    gone = tmp_path / "register.xlsx"
    gone.symlink_to(tmp_path / "deleted-by-the-mis.xlsx")  # listed, gone when it is opened
    with pytest.raises(ImportFileError) as error:
        preview_import(db, [gone])
    assert str(error.value) == (
        "register.xlsx: the file was moved or deleted before it could be read"
    )
    done = _command(tmp_path / "cli.sqlite3", str(tmp_path / "never-there.xlsx"))
    assert done.returncode == 2
    assert "never-there.xlsx: the file does not exist" in _one_line(done.stderr)


def test_a_file_shortened_after_it_was_read_imports_what_was_read(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is cut short between the read of its bytes and their parse: what is imported
    is what was read, under the fingerprint of those very bytes."""
    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    whole = path.read_bytes()
    read_source = sources.read_source

    def read_then_shorten(p: Path) -> sources.Source:
        source = read_source(p)
        with open(p, "r+b") as fh:  # the MIS starts writing the file again
            fh.truncate(len(whole) // 3)
        return source

    monkeypatch.setattr(importing, "read_source", read_then_shorten)
    result = apply_import(db, [path])
    assert result.files[0].marks_added == 16
    assert import_history(db)[0].content_hash == hashlib.sha256(whole).hexdigest()
    monkeypatch.undo()
    with pytest.raises(ImportFileError) as error:  # the shortened file itself: damaged
        apply_import(db, [path])
    assert "register.xlsx: the workbook is damaged: its end is missing" in str(error.value)


def test_a_file_changed_or_deleted_after_the_preview_is_not_imported(
    db: Database, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    preview = preview_import(db, [path])
    rows = wide_rows()
    rows[4][4] = "M"
    write_xlsx(path, rows)
    before = fingerprint(db)
    with pytest.raises(FileChangedError, match="register.xlsx changed after the preview"):
        import_previewed(db, preview)
    path.unlink()
    with pytest.raises(FileChangedError, match="register.xlsx was moved or deleted after"):
        import_previewed(db, preview)
    assert fingerprint(db) == before
