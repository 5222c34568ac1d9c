"""Sending the composer's pages to a printer: each PDF page drawn at the printer's size."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument


def paint_document(document: QPdfDocument, printer: Any) -> None:
    """Draw every page of `document` on `printer` (a QPrinter), one page per sheet."""
    painter = QPainter(printer)
    try:
        rect = printer.pageLayout().paintRectPixels(printer.resolution())
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            image = document.render(page, QSize(rect.width(), rect.height()))
            painter.drawImage(QPointF(0, 0), image)
    finally:
        painter.end()
