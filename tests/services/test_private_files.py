"""Every file the application writes is its owner's only (0600) from the moment it exists,
whatever the umask: after a backup (with its note), a letter batch, exports and the backup
folder's index, every file in the data folder is listed and checked."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from letters_school import AS_OF, make_school  # noqa: E402

from attendance_desk import private_files  # noqa: E402
from attendance_desk.commands.common import write_file  # noqa: E402
from attendance_desk.services import backup as backups  # noqa: E402
from attendance_desk.services.exporting import ExportColumn, ExportTable, export_table  # noqa: E402
from attendance_desk.services.letter_register import print_letters  # noqa: E402
from attendance_desk.services.letter_sources import Selection  # noqa: E402
from attendance_desk.services.letters import ComposeOptions, compose  # noqa: E402
from attendance_desk.services.tsm import write_tsm  # noqa: E402
from attendance_desk.storage.db import open_database  # noqa: E402

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The umask of a careless session (files readable by everyone unless made private)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _modes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): oct(stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_file_in_the_data_folder_is_the_owners_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))  # the index of backup folders goes here too
    db = open_database(data / "school.sqlite3")
    try:
        make_school(db)
        backups.make_backup(db)  # the backup and its note (the sidecar .json)
        backups.set_backup_folder(db, data / "backups")  # and the index of backup folders
        info = backups.make_backup(db, kind=backups.DAILY)
        backups.protect_backup(info.path)  # the note written again
        composition = compose(
            db, "half_termly", Selection(class_name="4K"), AS_OF, ComposeOptions(letter_date=AS_OF)
        )
        print_letters(db, composition, "office", out=data / "letters" / "4K.pdf")
        export_table(
            data / "exports" / "list.xlsx",
            ExportTable("Pupils", [ExportColumn("Name", "text")], [["Ann Smith"]]),
        )
        write_tsm(db, data / "exports" / "tsm.pdf", AS_OF)
        write_file(data / "exports" / "report.pdf", b"%PDF-1.4 report", (".pdf",))
        backups.make_backup(db, to=data / "copy.sqlite3")
    finally:
        db.close()
    modes = _modes(data)
    names = set(modes)
    assert "school.sqlite3" in names and "letters/4K.pdf" in names
    assert any(n.endswith(".sqlite3.json") for n in names)  # a backup's note
    assert "AttendanceDesk/backup-locations.json" in names  # where each school's backups are
    assert {"exports/list.xlsx", "exports/tsm.pdf", "exports/report.pdf", "copy.sqlite3"} <= names
    assert {n: m for n, m in modes.items() if m != "0o600"} == {}


def test_a_file_left_readable_is_made_private_when_written_again(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "note.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    private_files.write(path, b"{}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    private_files.replace(path, b"{ }")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_bytes() == b"{ }"
