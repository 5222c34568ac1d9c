"""The Qt binding is one a window can run on all day: thousands of calls must not eat away
Python's own singletons (PySide6 6.12.0 on Python 3.11 did, and the window aborted)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_ten_thousand_qt_calls_leave_none_alone(qtbot) -> None:  # noqa: ANN001
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(10_000):
        label.setText(str(i))
        label.show()
    assert sys.getrefcount(None) >= before - 50
