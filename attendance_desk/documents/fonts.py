"""Embedded TrueType fonts for every PDF: DejaVu Sans covers Łucja, Zoë, Nguyễn, Ólafur, O'Brien.

Fonts are registered with ReportLab once per process; every document refers to them by name.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from attendance_desk.paths import resource

REGULAR = "DeskSans"
BOLD = "DeskSans-Bold"
ITALIC = "DeskSans-Oblique"
BOLD_ITALIC = "DeskSans-BoldOblique"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}

_lock = threading.Lock()
_registered = False


@dataclass(frozen=True)
class FontNames:
    regular: str = REGULAR
    bold: str = BOLD
    italic: str = ITALIC
    bold_italic: str = BOLD_ITALIC


def register_fonts() -> FontNames:
    """Register the DejaVu family with ReportLab (once); returns the names to use in styles."""
    global _registered
    with _lock:
        # Binary (Flate-only) streams: the pure-Python ASCII85 pass costs a fifth of the time
        # to write a batch of letters. Set before every document, so output is reproducible.
        rl_config.useA85 = 0
        if not _registered:
            for name, file_name in _FILES.items():
                path = resource("fonts", file_name)
                if not path.is_file():  # an installation without the optional faces
                    path = resource("fonts", _FILES[BOLD if "Bold" in name else REGULAR])
                pdfmetrics.registerFont(TTFont(name, str(path)))
            addMapping(REGULAR, 0, 0, REGULAR)
            addMapping(REGULAR, 1, 0, BOLD)
            addMapping(REGULAR, 0, 1, ITALIC)
            addMapping(REGULAR, 1, 1, BOLD_ITALIC)
            _registered = True
    return FontNames()
