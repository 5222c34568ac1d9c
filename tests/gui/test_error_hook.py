"""An error no code caught, in a slot of the window, is shown to the person, not only printed."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from attendance_desk.errors import UserError
from attendance_desk.ui import error_hook


def shown_boxes() -> list[QMessageBox]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "uncaughtError" and w.isVisible()
    ]


@pytest.mark.qt_no_exception_capture
def test_a_slots_error_is_shown_once_in_words_and_printed_as_before(qtbot, capsys) -> None:  # noqa: ANN001
    button = QPushButton("Go")
    qtbot.addWidget(button)
    button.show()
    errors: list[BaseException] = [UserError("register.xlsx: the file has gone"), KeyError("x")]

    def fail() -> None:
        raise errors.pop(0)

    button.clicked.connect(fail)
    previous = error_hook.install(lambda: button)
    try:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(shown_boxes()) == 1, timeout=5000)
        box = shown_boxes()[0]
        assert box.text() == "register.xlsx: the file has gone" and not box.detailedText()
        assert "the file has gone" in capsys.readouterr().err  # still printed, as before
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # while the box is open
        qtbot.wait(100)
        assert shown_boxes() == [box]  # printed only: one box at a time
        box.button(QMessageBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: not shown_boxes(), timeout=5000)
        errors.append(KeyError("pupil 7"))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(shown_boxes()) == 1, timeout=5000)
        box = shown_boxes()[0]
        assert box.text() == "Something went wrong: 'pupil 7'"
        assert "Traceback" in box.detailedText() and "in fail" in box.detailedText()
        box.button(QMessageBox.StandardButton.Ok).click()
    finally:
        sys.excepthook = previous
