"""The window and its dialogs on a screen smaller than they were laid out for, 1440x900: a
1366x768 school laptop, and 1920x1080 at Windows' 150% scaling (1280x720 to Qt). Each screen
is a process of its own (tests/gui/small_screen.py): Qt's offscreen platform is given its
screen's size when it starts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize

from attendance_desk.ui.screen_fit import fitted


def test_a_size_is_cut_to_the_room_in_each_direction_only() -> None:
    assert fitted(QSize(1200, 780), QSize(1350, 720)) == QSize(1200, 720)
    assert fitted(QSize(1440, 900), QSize(1264, 672)) == QSize(1264, 672)
    assert fitted(QSize(640, 420), QSize(1264, 672)) == QSize(640, 420)
    assert fitted(QSize(640, 420), None) == QSize(640, 420)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1280, 720)])
def test_on_a_laptops_screen_every_window_and_button_is_on_it(
    width: int, height: int, tmp_path: Path
) -> None:
    """1366x768, and 1920x1080 at 150% scaling: Meeting papers (1200x780) had its Print, Save
    and Close below the screen's edge, and the main window (1440x900) ran past two edges."""
    out = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("small_screen.py")),
            str(width),
            str(height),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["screen"] == [width, height]  # the platform took the size given
    assert result["first start maximised"]
    assert result["kept"] == [1000, 600, False]  # a size the officer chose is kept
    found = result["windows"]
    screen = QRect(0, 0, width, height)
    assert {"main window", "Meeting papers", "Settings"} <= set(found)
    for title, seen in found.items():
        assert screen.contains(QRect(*seen["at"])), (title, seen["at"])
        for text, at in seen["buttons"].items():
            assert screen.contains(QRect(*at)), (title, text, at)
    assert {"Close", "P&rint\u2026", "Save &PDF\u2026"} <= set(found["Meeting papers"]["buttons"])
