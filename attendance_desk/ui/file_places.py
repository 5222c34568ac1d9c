"""Where the window's file dialogs open: the folder last used for the same kind of file, else
the officer's Documents folder (Downloads for registers, where a browser puts what the MIS
exports).

Never the folder the program happened to start in: the dialogs opened there before (seen under
Xvfb: "Save letters" in the source checkout), and from a desktop shortcut that is where the
program is installed, which an office login may not write to. The folders are kept per kind in
the computer login's settings (QSettings), beside the window's size.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

KEY = "folders/{}"
LETTERS, PAPERS, EXPORTS, REGISTERS, DATABASES, PICTURES = (
    "letters", "papers", "exports", "registers", "databases", "pictures",
)  # fmt: skip
_FIRST = {
    REGISTERS: QStandardPaths.StandardLocation.DownloadLocation,
    PICTURES: QStandardPaths.StandardLocation.PicturesLocation,
}


def _first_folder(kind: str) -> Path:
    """The folder a kind of file starts in before any is chosen."""
    for place in (_FIRST.get(kind), QStandardPaths.StandardLocation.DocumentsLocation):
        if place is None:
            continue
        found = QStandardPaths.writableLocation(place)
        if found and Path(found).is_dir():
            return Path(found)
    return Path.home()


def start_in(kind: str, name: str = "") -> str:
    """The folder (and the suggested file name in it) a dialog for `kind` opens at."""
    stored = QSettings().value(KEY.format(kind))
    folder = Path(str(stored)) if stored else None
    if folder is None or not folder.is_dir():
        folder = _first_folder(kind)
    return str(folder / name) if name else str(folder)


def remember(kind: str, chosen: str | Path) -> None:
    """The folder of a file (or the folder) just chosen, for the next dialog of `kind`."""
    path = Path(chosen)
    QSettings().setValue(KEY.format(kind), str(path if path.is_dir() else path.parent))


def save_file(
    parent: QWidget | None, title: str, kind: str, name: str, filters: str
) -> Path | None:
    """Ask where to save a file, suggesting `name` in the kind's folder; None: cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, start_in(kind, name), filters)
    if not chosen:
        return None
    remember(kind, chosen)
    return Path(chosen)


def open_file(parent: QWidget | None, title: str, kind: str, filters: str) -> Path | None:
    """Ask for a file to read, starting in the kind's folder; None: cancelled."""
    chosen, _ = QFileDialog.getOpenFileName(parent, title, start_in(kind), filters)
    if not chosen:
        return None
    remember(kind, chosen)
    return Path(chosen)


def choose_folder(parent: QWidget | None, title: str, kind: str) -> Path | None:
    """Ask for a folder, starting in the kind's; None: cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, title, start_in(kind))
    if not chosen:
        return None
    remember(kind, chosen)
    return Path(chosen)
