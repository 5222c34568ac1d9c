"""What the import preview says: what was recognised, rows skipped with why, and the mapping
step for an identity column it cannot use, remembered for tomorrow's file of the same shape."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import long_export, sims_two_row, write_csv, write_xlsx  # noqa: E402

from attendance_desk.services.database import Database  # noqa: E402
from attendance_desk.services.import_mappings import list_mappings  # noqa: E402
from attendance_desk.ui.dialogs.import_dialog import ImportDialog  # noqa: E402


def _texts(dialog: ImportDialog) -> list[str]:
    table = dialog.preview_table
    return [table.item(r, 1).text() for r in range(table.rowCount()) if table.item(r, 1)]


def test_the_preview_says_what_it_recognised_and_skipped(qtbot, db: Database, tmp_path: Path):  # noqa: ANN001
    rows, merges = sims_two_row("weekday")
    path = write_xlsx(tmp_path / "sims.xlsx", rows, merges=merges)
    dialog = ImportDialog(db, None, files=[path])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30000)
    texts = _texts(dialog)
    assert any(t.startswith("Recognised: sheet 'Marks': register: date row over") for t in texts)
    assert "Row 1 skipped: a title above the header: 'Ashgrove Primary School'" in texts
    assert "Row 11 skipped: a footer or key row, not a pupil: 'Number of pupils: 3'" in texts
    assert dialog.summary_label.text().endswith("; 5 rows skipped")


def test_one_row_skipped_is_said_in_the_singular(qtbot, db: Database, tmp_path: Path):  # noqa: ANN001
    path = write_csv(tmp_path / "marks.csv", [["Ashgrove Primary School"], *long_export()])
    dialog = ImportDialog(db, None, files=[path])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30000)
    assert dialog.summary_label.text().endswith("; 1 row skipped")  # the title above the header


def _former_upn_file(path: Path) -> Path:
    rows = long_export()
    rows[0].append("Former UPN")
    for row in rows[1:]:
        row.append("")
    return write_csv(path, rows)


def test_an_unusable_identity_column_asks_and_the_answer_is_remembered(
    qtbot,
    db: Database,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    first = _former_upn_file(tmp_path / "monday.csv")
    dialog = ImportDialog(db, None, files=[first])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.mapping_box.isVisible(), timeout=30000)
    assert "'Former UPN' looks like a pupil identity" in dialog.mapping_box.reason_label.text()
    dialog.mapping_box.remember_name.setText("Data platform")
    qtbot.mouseClick(dialog.use_mapping_button, Qt.MouseButton.LeftButton)  # confirm: ignore it
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30000)
    assert [m.name for m in list_mappings(db)] == ["Data platform"]

    tomorrow = _former_upn_file(tmp_path / "tuesday.csv")
    again = ImportDialog(db, None, files=[tomorrow])
    qtbot.addWidget(again)
    again.show()
    qtbot.mouseClick(again.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.preview is not None, timeout=30000)
    assert not again.mapping_box.isVisible()  # no questions the second time
    assert "Recognised: read with the saved mapping 'Data platform'" in _texts(again)
