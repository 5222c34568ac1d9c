"""An import whose files are read ahead (the command line starts reading before the database
is open) lands exactly as one that reads them itself, says the same about a bad file, and
does not unpack a file the database already holds as imported."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import wide_rows, write_xlsx  # noqa: E402
from test_importing import fingerprint, marks_by_upn, rows  # noqa: E402

from attendance_desk.errors import ImportFileError  # noqa: E402
from attendance_desk.importers import ahead as ahead_module  # noqa: E402
from attendance_desk.services.import_ahead import read_ahead  # noqa: E402
from attendance_desk.services.importing import apply_import  # noqa: E402
from attendance_desk.storage.db import Database, open_database  # noqa: E402


def test_a_file_read_ahead_imports_exactly_as_one_read_there_and_then(
    db: Database, tmp_path: Path
) -> None:
    register = write_xlsx(tmp_path / "marks.xlsx", wide_rows())
    ahead = read_ahead([register], db.path)
    result = apply_import(db, [register], ahead=ahead)
    assert result.files[0].marks_added > 0

    other = open_database(tmp_path / "other.sqlite3")
    try:
        plain = apply_import(other, [register])
        assert plain.summary_lines() == result.summary_lines()
        assert marks_by_upn(other) == marks_by_upn(db)
        pupils = "SELECT id, upn, legal_surname, legal_forename, reg_group FROM pupils ORDER BY id"
        assert rows(other, pupils) == rows(db, pupils)
    finally:
        other.close()


def test_a_bad_file_read_ahead_says_what_it_always_said(db: Database, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "marks.xlsx", wide_rows())
    bad = tmp_path / "photo.xlsx"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    before = fingerprint(db)
    with pytest.raises(ImportFileError) as plain:
        apply_import(db, [good, bad])
    with pytest.raises(ImportFileError) as read:
        apply_import(db, [good, bad], ahead=read_ahead([good, bad], db.path))
    assert str(read.value) == str(plain.value)
    assert "PNG image" in str(read.value)
    assert fingerprint(db) == before


def test_a_file_imported_before_is_not_unpacked_again(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = write_xlsx(tmp_path / "marks.xlsx", wide_rows())
    apply_import(db, [register])
    unpacked: list[Path] = []
    real = ahead_module.read_sheets

    def counting(source):  # type: ignore[no-untyped-def]
        unpacked.append(source.path)
        return real(source)

    monkeypatch.setattr(ahead_module, "read_sheets", counting)
    again = apply_import(db, [register], ahead=read_ahead([register], db.path))
    assert again.files[0].already_imported
    assert unpacked == []
    # asked to import it again all the same (--again), it is read ahead and compared
    compared = apply_import(
        db, [register], reimport=True, ahead=read_ahead([register], db.path, again=True)
    )
    assert unpacked == [register]
    assert compared.files[0].marks_unchanged > 0 and compared.files[0].marks_changed == 0
