"""Settings > Policy: the bands' table as the officer sees it."""

from __future__ import annotations

import pytest

from attendance_desk.domain.policy import preset
from attendance_desk.ui.dialogs.policy_editor import PolicyEditor


@pytest.mark.parametrize("name", ["clifford", "clifton"])
def test_every_band_is_as_tall_as_its_actions_and_all_are_in_view(qtbot, name: str) -> None:  # noqa: ANN001
    """Sized once before the dialog was laid out, a band kept the height of its actions wrapped
    in a narrow column: at 1366x768 Clifford's Amber filled the table, Red out of sight."""
    policy = preset(name)
    editor = PolicyEditor(policy)
    qtbot.addWidget(editor)
    editor.resize(1150, 620)
    editor.show()
    qtbot.waitExposed(editor)
    table = editor.bands
    line = table.fontMetrics().lineSpacing()
    for row, band in enumerate(policy.bands):
        lines = max(len(band.actions), 2)  # an owner such as "Attendance officer" takes two
        qtbot.waitUntil(lambda row=row, lines=lines: table.rowHeight(row) <= (lines + 1) * line)
    bottom = table.rowViewportPosition(table.rowCount() - 1) + table.rowHeight(table.rowCount() - 1)
    assert bottom <= table.viewport().height()  # every band in view, none below the fold
