"""The import window, driven as a person would: files in, preview, map, import, cancel."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import DAYS, MARKS, PUPILS, wide_rows, write_xlsx  # noqa: E402

from attendance_desk.services.importing import import_history  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402
from attendance_desk.ui.dialogs.import_dialog import ImportDialog  # noqa: E402
from tests.sample_school import PUPIL_COUNT, WIDE_MARKS  # noqa: E402


def _count(db: Database, table: str) -> int:
    conn = db.raw_connection()
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def dialog(qtbot, db: Database, samples: Path):  # noqa: ANN001, ANN201
    dlg = ImportDialog(
        db,
        None,
        files=[samples / "roster_with_contacts.xlsx", samples / "register_wide_single_header.xlsx"],
    )
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_preview_then_import(qtbot, dialog: ImportDialog, db: Database) -> None:  # noqa: ANN001
    assert dialog.file_list.count() == 2
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30000)
    assert f"{WIDE_MARKS:,} marks would be added" in dialog.summary_label.text()
    assert f"{PUPIL_COUNT} pupils would be added" in dialog.summary_label.text()
    assert dialog.preview_table.rowCount() >= PUPIL_COUNT  # a row for each new pupil
    assert _count(db, "marks") == 0  # a preview writes nothing
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=30000) as signal:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert signal.args[0].files[-1].marks_added == WIDE_MARKS
    assert _count(db, "marks") == WIDE_MARKS
    assert dialog.status_label.text() == "Imported."
    assert not dialog.import_button.isEnabled()
    assert dialog.cancel_button.text() == "Close"


def test_a_bad_file_shows_the_message_and_writes_nothing(
    qtbot, db: Database, tmp_path: Path
) -> None:  # noqa: ANN001
    rows = wide_rows()
    rows[5][7] = "QQ"
    bad = write_xlsx(tmp_path / "register.xlsx", rows)
    dlg = ImportDialog(db, None, files=[bad])
    qtbot.addWidget(dlg)
    qtbot.mouseClick(dlg.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.error_label.isVisibleTo(dlg), timeout=30000)
    assert (
        "row 6, column 'Tue 03/09/2024 PM': 'QQ' is not an attendance code"
        in dlg.error_label.text()
    )
    assert not dlg.import_button.isEnabled()
    assert _count(db, "pupils") == 0


def test_office_conflicts_are_shown_and_kept(qtbot, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    first = write_xlsx(tmp_path / "mon.xlsx", wide_rows())
    dlg = ImportDialog(db, None, files=[first])
    qtbot.addWidget(dlg)
    qtbot.mouseClick(dlg.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=30000)
    with qtbot.waitSignal(dlg.imported, timeout=30000):
        qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    conn = db.raw_connection()
    with conn:
        conn.execute(
            "UPDATE marks SET code = 'M', source = 'office' WHERE date = '2024-09-02' AND session = 'AM' AND code = 'I'"
        )
    conn.close()
    older = write_xlsx(tmp_path / "older.xlsx", wide_rows(title=False))
    dlg2 = ImportDialog(db, None, files=[older])
    qtbot.addWidget(dlg2)
    qtbot.mouseClick(dlg2.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg2.preview is not None, timeout=30000)
    assert dlg2.overwrite_check.isVisibleTo(dlg2)
    texts = [dlg2.preview_table.item(r, 1).text() for r in range(dlg2.preview_table.rowCount())]
    assert any(t.startswith("Office mark differs") for t in texts)
    with qtbot.waitSignal(dlg2.imported, timeout=30000):
        qtbot.mouseClick(dlg2.import_button, Qt.MouseButton.LeftButton)
    conn = db.raw_connection()
    assert conn.execute("SELECT code FROM marks WHERE source = 'office'").fetchall() == [("M",)]
    conn.close()


def test_mapping_step_when_detection_is_unsure(qtbot, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    rows = [["Pupil ref", "Child", "When", "Which", "Att"]]
    for p, (upn, _, surname, forename, _, _) in enumerate(PUPILS):
        for d, day in enumerate(DAYS):
            for s, word in enumerate(("AM", "PM")):
                rows.append(
                    [upn, f"{surname}, {forename}", f"{day:%d/%m/%Y}", word, MARKS[p][d][s]]
                )
    path = write_xlsx(tmp_path / "odd.xlsx", rows)
    dlg = ImportDialog(db, None, files=[path])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.mouseClick(dlg.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.mapping_box.isVisible(), timeout=30000)
    dlg.header_spin.setValue(1)
    assert dlg.mapping_table.rowCount() == 5
    assert dlg.mapping_table.item(2, 1).text().startswith("When")
    dlg.layout_combo.setCurrentIndex(dlg.layout_combo.findData("long_session"))
    for col, role in enumerate(["upn", "name", "date", "session", "mark"]):
        combo = dlg.mapping_table.cellWidget(col, 2)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(combo.findData(role))
    qtbot.mouseClick(dlg.use_mapping_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=30000)
    assert "16 marks would be added" in dlg.summary_label.text()
    with qtbot.waitSignal(dlg.imported, timeout=30000):
        qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    assert _count(db, "marks") == 16


def test_cancel_stops_the_work_and_writes_nothing(
    qtbot,
    db: Database,
    samples: Path,  # noqa: ANN001
) -> None:
    dlg = ImportDialog(db, None, files=[samples / "register_long_per_day.csv"])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.mouseClick(dlg.preview_button, Qt.MouseButton.LeftButton)
    assert dlg.busy and dlg.cancel_button.text() == "Cancel"
    qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)  # while it reads
    qtbot.waitUntil(lambda: not dlg.busy, timeout=30000)
    assert "cancelled: nothing was changed" in dlg.error_label.text()
    assert dlg.preview is None and not dlg.import_button.isEnabled()
    assert dlg.isVisible()
    assert _count(db, "marks") == 0
    assert import_history(db) == ()


def test_cancel_when_idle_closes(qtbot, db: Database) -> None:  # noqa: ANN001
    dlg = ImportDialog(db, None)
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.preview_button.isEnabled()
    qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible()


def test_import_imports_what_the_preview_showed_or_says_the_file_changed(
    qtbot, db: Database, tmp_path: Path
) -> None:  # noqa: ANN001
    """The file is changed on disk between the preview and Import: nothing is imported, the
    window says the file changed; previewed again, Import imports what the new preview shows."""
    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    dlg = ImportDialog(db, None, files=[path], close_when_done=False)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=30000)
    assert "16 marks would be added" in dlg.summary_label.text()
    rows = wide_rows()
    rows[4][4] = "M"  # Zoë's first morning: '/' in the preview, 'M' in the file now
    write_xlsx(path, rows)
    qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.error_label.isVisibleTo(dlg), timeout=30000)
    assert "register.xlsx changed after the preview" in dlg.error_label.text()
    assert "nothing was imported" in dlg.error_label.text()
    assert not dlg.import_button.isEnabled()
    assert _count(db, "marks") == 0 and import_history(db) == ()

    qtbot.mouseClick(dlg.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=30000)
    assert not dlg.error_label.isVisibleTo(dlg)
    with qtbot.waitSignal(dlg.imported, timeout=30000):
        qtbot.keyClick(dlg, Qt.Key.Key_Return)  # Enter imports
    conn = db.raw_connection()
    try:
        code = conn.execute(
            "SELECT code FROM marks JOIN pupils ON pupils.id = marks.pupil_id "
            "WHERE upn = ? AND date = '2024-09-02' AND session = 'AM'",
            (PUPILS[0][0],),
        ).fetchone()
    finally:
        conn.close()
    assert code == ("M",)
    assert import_history(db)[0].content_hash == dlg.preview.read.digests[path]  # type: ignore[union-attr]


def test_import_writes_the_previewed_bytes_not_the_file_again(
    qtbot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    """The file is read once: after the preview it is not parsed again (the parse is the
    preview's; the import only checks the file is still the one previewed)."""
    from attendance_desk.importers import reader

    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    dlg = ImportDialog(db, None, files=[path], close_when_done=False)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=30000)

    def no_second_parse(*_a: object, **_k: object) -> None:
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(reader, "read_sheets", no_second_parse)
    with qtbot.waitSignal(dlg.imported, timeout=30000) as signal:
        qtbot.mouseClick(dlg.import_button, Qt.MouseButton.LeftButton)
    assert signal.args[0].files[0].marks_added == 16
    assert _count(db, "marks") == 16


def test_a_header_below_row_30_is_one_clear_line(qtbot, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    rows = [[f"Notes for the office, line {n + 1}"] for n in range(34)] + wide_rows(title=False)
    dlg = ImportDialog(db, None, files=[write_xlsx(tmp_path / "deep.xlsx", rows)])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.error_label.isVisibleTo(dlg), timeout=30000)
    assert dlg.error_label.text().startswith(
        "deep.xlsx: sheet Marks: the header row is row 35 ('UPN', 'Surname', 'Forename' ...)"
    )
    assert not dlg.mapping_box.isVisibleTo(dlg)  # no mapping can reach it: the file is mended
    assert not dlg.import_button.isEnabled()


def test_the_preview_names_a_hidden_sheet_it_skipped(qtbot, db: Database, tmp_path: Path) -> None:  # noqa: ANN001
    from test_hidden_sheets import hidden_draft

    dlg = ImportDialog(db, None, files=[hidden_draft(tmp_path / "register.xlsx")])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=30000)
    texts = [dlg.preview_table.item(r, 1).text() for r in range(dlg.preview_table.rowCount())]
    assert "Recognised: sheet 'Old draft' skipped: it is hidden" in texts
    assert "16 marks would be added" in dlg.summary_label.text()
