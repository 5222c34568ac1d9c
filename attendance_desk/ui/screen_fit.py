"""Windows and dialogs sized for the screen they open on.

The window and its bigger dialogs were laid out at 1440x900. A school office laptop often has
1366x768, and a 1920x1080 screen at Windows' 150% scaling gives Qt 1280x720: a dialog 780
pixels tall then put its buttons below the screen's edge (Meeting papers' Print and Save). Each
size asked for here is what the window wants; it gets no more than the room on its screen,
less the room its title bar and frame take.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

# what the window system's frame and title bar take around a window (a generous guess: the
# frame is not known until the window is shown)
FRAME = QSize(16, 48)


def screen_of(widget: QWidget) -> QScreen | None:
    """The screen `widget` opens on: its parent window's (a dialog opens over it), else its
    own, else the primary screen."""
    parent = widget.parentWidget()
    window = parent.window() if parent is not None else widget
    return window.screen() or QGuiApplication.primaryScreen()


def room_on(widget: QWidget) -> QSize | None:
    """The size a window of `widget`'s may take on its screen, its frame left out (None where
    no screen is known)."""
    screen = screen_of(widget)
    if screen is None:
        return None
    available = screen.availableGeometry().size()
    return QSize(available.width() - FRAME.width(), available.height() - FRAME.height())


def fitted(wanted: QSize, room: QSize | None) -> QSize:
    """`wanted`, cut down to `room` in each direction. (Qt keeps a window no smaller than its
    layout's minimum whatever is asked.)"""
    if room is None:
        return QSize(wanted)
    return QSize(min(wanted.width(), room.width()), min(wanted.height(), room.height()))


def resize_to_fit(widget: QWidget, width: int, height: int) -> bool:
    """Resize `widget` to width x height, or to as much as its screen has room for. Returns
    whether it was cut down."""
    wanted = QSize(width, height)
    size = fitted(wanted, room_on(widget))
    widget.resize(size)
    return size != wanted
