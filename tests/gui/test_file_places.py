"""The window's file dialogs open where the officer keeps such files: the folder last used for
the same kind, else Documents (Downloads for registers), never the folder the program started
in (it was the source checkout under Xvfb; from a desktop shortcut, the install folder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog

from attendance_desk.storage.db import Database
from attendance_desk.ui import file_places
from attendance_desk.ui.dialogs.import_dialog import ImportDialog


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home with Documents and Downloads, the program started somewhere else, and no folder
    remembered (the settings file is the process's: other tests' dialogs remember too)."""
    home = tmp_path / "home"
    for folder in ("Documents", "Downloads"):
        (home / folder).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_DOCUMENTS_DIR", "XDG_DOWNLOAD_DIR"):
        monkeypatch.delenv(name, raising=False)
    started = tmp_path / "program"
    started.mkdir()
    monkeypatch.chdir(started)
    QSettings().remove("folders")
    yield home
    QSettings().remove("folders")


def test_a_save_opens_in_documents_then_where_the_last_went(
    qtbot, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    asked: list[str] = []
    answers = iter([tmp_path / "Letters out" / "amber.pdf", None])
    (tmp_path / "Letters out").mkdir()

    def dialog(_parent: Any, _title: str, start: str, _filters: str) -> tuple[str, str]:
        asked.append(start)
        answer = next(answers)
        return (str(answer) if answer else "", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    first = file_places.save_file(None, "Save letters", file_places.LETTERS, "a.pdf", "PDF")
    assert asked[0] == str(home / "Documents" / "a.pdf")
    assert first == tmp_path / "Letters out" / "amber.pdf"
    # the next letters start there; cancelling gives nothing and forgets nothing
    assert file_places.save_file(None, "Save letters", file_places.LETTERS, "b.pdf", "PDF") is None
    assert asked[1] == str(tmp_path / "Letters out" / "b.pdf")
    assert file_places.start_in(file_places.LETTERS) == str(tmp_path / "Letters out")
    # another kind of file keeps its own folder: Documents still
    assert file_places.start_in(file_places.EXPORTS, "x.xlsx") == str(home / "Documents" / "x.xlsx")


def test_a_folder_since_removed_falls_back_to_documents(qtbot, home: Path, tmp_path: Path) -> None:  # noqa: ANN001
    gone = tmp_path / "usb stick"
    gone.mkdir()
    file_places.remember(file_places.PAPERS, gone / "bundle.pdf")
    assert file_places.start_in(file_places.PAPERS) == str(gone)
    gone.rmdir()
    assert file_places.start_in(file_places.PAPERS) == str(home / "Documents")


def test_the_import_picker_opens_in_downloads_then_the_last_registers_folder(
    qtbot, home: Path, tmp_path: Path, db: Database
) -> None:  # noqa: ANN001
    dialog = ImportDialog(db, None)
    qtbot.addWidget(dialog)
    dialog._pick_files()
    assert Path(dialog.picker.directory().absolutePath()) == home / "Downloads"
    dialog.picker.reject()
    exports = tmp_path / "MIS exports"
    exports.mkdir()
    register = exports / "register.csv"
    register.write_text("UPN,Surname\n", encoding="utf-8")
    dialog.picker.filesSelected.emit([str(register)])  # as the picker does when one is chosen
    assert dialog.file_list.count() == 1  # the chosen register is in the list
    dialog._pick_files()
    assert Path(dialog.picker.directory().absolutePath()) == exports
    dialog.picker.reject()
