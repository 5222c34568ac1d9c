"""A plain PDF of records: a title, then sections of tables (used by the subject access export).

Narrow sections are grids; wide ones are printed record by record as field/value pairs, so
nothing is cut off. DejaVu Sans is embedded, so every name prints as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from attendance_desk import private_files
from attendance_desk.documents.fonts import register_fonts
from attendance_desk.domain.dates import numeric, numeric_time

GRID_MAX_COLUMNS = 6


@dataclass(frozen=True)
class PdfSection:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""
    count: int | None = None  # the number in the heading (default: the number of rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return numeric_time(value)
    if isinstance(value, date):
        return numeric(value)
    return str(value)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_record_pdf(path: Path, title: str, subtitle: str, sections: Sequence[PdfSection]) -> None:
    """Write the sections to a new PDF at `path` (written beside it, then moved into place)."""
    fonts = register_fonts()
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=8.5, leading=10.5)
    bold = ParagraphStyle("bold", parent=body, fontName=fonts.bold)
    h1 = ParagraphStyle("h1", parent=body, fontName=fonts.bold, fontSize=16, leading=20)
    h2 = ParagraphStyle(
        "h2", parent=body, fontName=fonts.bold, fontSize=11.5, leading=14, spaceBefore=8
    )
    width = A4[0] - 30 * mm
    story: list[Flowable] = [Paragraph(_escape(title), h1), Paragraph(_escape(subtitle), body)]
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    for section in sections:
        story.append(Spacer(1, 4 * mm))
        count = len(section.rows) if section.count is None else section.count
        heading = f"{section.title} ({count})"
        story.append(Paragraph(_escape(heading), h2))
        if section.note:
            story.append(Paragraph(_escape(section.note), body))
        if not section.rows:
            story.append(Paragraph("None held.", body))
            continue
        cell = lambda v, s=body: Paragraph(_escape(_text(v)), s)  # noqa: E731
        if len(section.columns) <= GRID_MAX_COLUMNS:
            data = [[cell(c, bold) for c in section.columns]]
            data += [[cell(v) for v in row] for row in section.rows]
            table = Table(
                data, colWidths=[width / len(section.columns)] * len(section.columns), repeatRows=1
            )
            table.setStyle(style)
            table.setStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8"))])
            story.append(table)
            continue
        for row in section.rows:
            pairs = [
                [cell(c, bold), cell(v)]
                for c, v in zip(section.columns, row, strict=True)
                if v not in (None, "")
            ]
            table = Table(pairs, colWidths=[width * 0.3, width * 0.7])
            table.setStyle(style)
            story.append(KeepTogether([table, Spacer(1, 2 * mm)]))
    part = path.with_name(path.name + ".part")
    private_files.create(part)  # the owner's only: reportlab writes into it, keeping its mode
    doc = SimpleDocTemplate(
        str(part),
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author="Attendance Desk",
    )

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 7.5)
        canvas.drawString(15 * mm, 8 * mm, f"{title}: page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    part.replace(path)
