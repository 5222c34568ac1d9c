"""An empty file, or another program's, where the school's database should be: the window
asks whether to start a new school (the file moved aside, kept byte for byte) or restore a
backup; it is never silently made into a new, empty school. Driven as a person would."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from attendance_desk.services import backup as backups
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.models import Pupil
from attendance_desk.ui.dialogs.backup_dialog import UnusableFileBox, open_with_recovery


@pytest.fixture(autouse=True)
def app_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "appdata"))


def _pupils(db: Database) -> int:
    with db.session() as s:
        return s.query(Pupil).count()


def _word_document(path: Path) -> bytes:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 40  # an old .doc
    path.write_bytes(data)
    return data


def _recipes(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('scones')")
    conn.commit()
    conn.close()
    return path.read_bytes()


def _empty(path: Path) -> bytes:
    path.write_bytes(b"")
    return b""


def _answer(choose: Callable[[UnusableFileBox], object], seen: list[str]) -> None:
    """Click a button of the box when it shows; OK any message after it."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, UnusableFileBox):
            seen.append(f"{box.windowTitle()}: {box.text()} {box.informativeText()}")
            choose(box).click()  # type: ignore[attr-defined]
            QTimer.singleShot(50, ok)
        else:
            QTimer.singleShot(50, click)

    def ok() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and not isinstance(box, UnusableFileBox):
            ok_button = box.button(QMessageBox.StandardButton.Ok)
            if ok_button is not None:
                seen.append(box.text())
                ok_button.click()

    QTimer.singleShot(50, click)


@pytest.mark.parametrize("make", [_word_document, _recipes, _empty])
def test_start_a_new_school_moves_the_file_aside(
    qtbot, tmp_path: Path, make: Callable[[Path], bytes]
) -> None:  # noqa: ANN001
    path = tmp_path / "school.sqlite3"
    before = make(path)
    seen: list[str] = []
    _answer(lambda box: box.new_button, seen)
    db = open_with_recovery(path)
    assert db is not None
    try:
        assert _pupils(db) == 0  # a new, empty school
    finally:
        db.close()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("school.") and p != path]
    kept = [p for p in kept if not p.name.endswith((".lock", "-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes() == before  # moved aside, not deleted
    word = "empty" if not before else "not-a-school-database"
    assert kept[0].name.startswith(f"school.{word}-")
    assert ("empty file (0 bytes)" if not before else "not an Attendance Desk database") in seen[0]
    assert "Start a new school: the file is moved aside (kept, not deleted)" in seen[0]
    assert f"The file that was there is kept as {kept[0]}" in seen[1]


def test_restore_a_backup_instead(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "school.sqlite3"
    db = open_database(path)
    with db.session() as s:
        s.add_all(Pupil(legal_surname=f"Surname{i}", legal_forename="Ann") for i in range(3))
    backups.make_backup(db)
    db.close()
    for sidecar in tmp_path.glob("school.sqlite3-*"):
        sidecar.unlink()
    before = _word_document(path)  # a document saved over the school's file
    seen: list[str] = []
    _answer(lambda box: box.restore_button, seen)
    db = open_with_recovery(path)
    assert db is not None
    try:
        assert _pupils(db) == 3
    finally:
        db.close()
    assert "Restore a backup: the latest, taken" in seen[0] and "(3 pupils, 0 marks)" in seen[0]
    kept = list(tmp_path.glob("school.damaged-*.sqlite3"))
    assert len(kept) == 1 and kept[0].read_bytes() == before


def test_quit_leaves_the_file_as_it_was(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "school.sqlite3"
    before = _recipes(path)
    _answer(lambda box: box.quit_button, [])
    assert open_with_recovery(path) is None
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("school")) == [
        "school.sqlite3"
    ]


@pytest.mark.parametrize("make", [_word_document, _recipes, _empty])
def test_the_command_line_says_what_to_do(tmp_path: Path, make: Callable[[Path], bytes]) -> None:
    import subprocess
    import sys

    path = tmp_path / "school.sqlite3"
    before = make(path)
    done = subprocess.run(
        [sys.executable, "-m", "attendance_desk", "--db", str(path), "pupils"],
        capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    line = done.stderr
    assert "restore BACKUP-FILE" in line and "move" in line and "elsewhere" in line
    assert "start a new school in its place" in line.lower()
    assert path.read_bytes() == before  # the command changed nothing


def test_a_document_is_not_taken_for_an_encrypted_database(tmp_path: Path) -> None:
    """Only a file that could be an encrypted database asks for the password; a document,
    a text file or a file that is not whole pages is said to be what it is."""
    from attendance_desk.services.access import file_is_locked

    _word_document(tmp_path / "doc.sqlite3")
    (tmp_path / "notes.sqlite3").write_text("the school's phone numbers\n" * 200)
    (tmp_path / "odd.sqlite3").write_bytes(bytes(range(256)) * 3 + b"\x01")
    for name in ("doc", "notes", "odd"):
        assert not file_is_locked(tmp_path / f"{name}.sqlite3")
