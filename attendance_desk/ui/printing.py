"""Printing a page: the system print dialog (any printer, page range, copies) and a preview.

Each page says what it prints through `printout()`: the call list a call sheet, the pupil page
a one-page summary, letters their PDF pages. A page with only lists prints them as tables
(from the same tables File > Export writes). Documents are HTML laid out by QTextDocument, so
they flow over pages; PDFs are drawn page by page at the printer's size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import QPointF, QSize, QSizeF
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QTextDocument,
    QTextOption,
)
from PySide6.QtPrintSupport import (
    QAbstractPrintDialog,
    QPrintDialog,
    QPrinter,
    QPrinterInfo,
    QPrintPreviewDialog,
)
from PySide6.QtWidgets import QWidget

from attendance_desk import private_files
from attendance_desk.domain.characteristics import SAFEGUARDING, has
from attendance_desk.domain.concern import rule_title
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.screen_fit import resize_to_fit

FONT_FAMILY, FONT_POINTS = "DejaVu Sans", 9  # the printouts' text
STYLE = (
    f"body {{ font-family: '{FONT_FAMILY}', sans-serif; font-size: {FONT_POINTS}pt; }}"
    + """
h1 { font-size: 14pt; margin: 0 0 4px 0; }
h2 { font-size: 11pt; margin: 10px 0 4px 0; }
p.sub { color: #444; margin: 0 0 8px 0; }
table { border-collapse: collapse; }
th { background: #e8edf2; text-align: left; }
th, td { border: 1px solid #9aa5b1; padding: 3px 5px; vertical-align: top; }
td.notes { width: 35%; }
"""
)


@dataclass(frozen=True)
class Printout:
    """What a page prints: a title and either HTML or a PDF (a QPdfDocument)."""

    title: str
    html: str = ""
    pdf: Any = None  # QPdfDocument
    landscape: bool = False
    on_printed: Callable[[], None] | None = None  # e.g. letters kept in the register
    image: Any = None  # QImage: a picture of a page that has no document of its own

    def page_count(self, printer: QPrinter) -> int:
        if self.pdf is not None:
            return int(self.pdf.pageCount())
        if self.image is not None:
            return 1
        return int(self._document(printer).pageCount())

    def _document(self, printer: QPrinter) -> QTextDocument:
        doc = QTextDocument()
        # laid out in the printer's own pixels, so 9pt prints as 9pt: with the page given in
        # points and the text measured at the screen's 96 dpi, every printout came out a third
        # bigger than written (9pt as 12pt) and a wide list's columns broke words
        doc.documentLayout().setPaintDevice(printer)
        option = doc.defaultTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)  # a word is never split in two
        doc.setDefaultTextOption(option)
        doc.setDefaultStyleSheet(STYLE)
        doc.setHtml(self.html)
        rect = printer.pageLayout().paintRectPixels(printer.resolution())
        doc.setPageSize(QSizeF(rect.width(), rect.height()))
        return doc

    def paint(self, printer: QPrinter) -> None:
        """Send the printout to `printer`, honouring its page range and copies."""
        if self.pdf is not None:
            _paint_pdf(self.pdf, printer)
        elif self.image is not None:
            _paint_image(self.image, printer)
        else:
            self._document(printer).print_(printer)


def _paint_pdf(document: Any, printer: QPrinter) -> None:
    pages = list(range(document.pageCount()))
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        pages = [p for p in pages if printer.fromPage() - 1 <= p <= printer.toPage() - 1]
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    painter = QPainter(printer)
    try:
        rect = printer.pageLayout().paintRectPixels(printer.resolution())
        first = True
        for _ in range(copies):
            for page in pages:
                if not first:
                    printer.newPage()
                first = False
                image = document.render(page, QSize(rect.width(), rect.height()))
                painter.drawImage(QPointF(0, 0), image)
    finally:
        painter.end()


def _paint_image(image: Any, printer: QPrinter) -> None:
    painter = QPainter(printer)
    try:
        rect = painter.viewport()
        scale = min(rect.width() / max(image.width(), 1), rect.height() / max(image.height(), 1))
        painter.scale(scale, scale)
        painter.drawImage(QPointF(0, 0), image)
    finally:
        painter.end()


def new_printer(printout: Printout) -> QPrinter:
    """A printer for the system's printers; with none installed, a PDF file (so the preview
    and Print still work: the print dialog then asks where to save it)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if not QPrinterInfo.availablePrinters():
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setDocName(printout.title)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    if printout.landscape:
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    return printer


def print_dialog(parent: QWidget, printout: Printout, printer: QPrinter) -> QPrintDialog:
    """The system print dialog, offering a page range (1 to the page count) and copies."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {printout.title}")
    options = dialog.options() | QAbstractPrintDialog.PrintDialogOption.PrintPageRange
    dialog.setOptions(options)
    dialog.setMinMax(1, max(1, printout.page_count(printer)))
    return dialog


def print_printout(parent: QWidget, printout: Printout, printer: QPrinter | None = None) -> bool:
    """Ask through the print dialog, then print. True when it was printed. `printer`: one
    set up beforehand (a file to print to), else a new one for the system's printers."""
    printer = printer or new_printer(printout)
    dialog = print_dialog(parent, printout, printer)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
        # printed to a file: the owner's only (Qt writes into it, keeping its mode)
        private_files.create(printer.outputFileName())
    printout.paint(printer)
    if printout.on_printed is not None:
        printout.on_printed()
    return True


def preview_dialog(parent: QWidget, printout: Printout) -> QPrintPreviewDialog:
    """A print preview; its Print button goes to the printer (the dialog's own printer)."""
    printer = new_printer(printout)
    dialog = QPrintPreviewDialog(printer, parent)
    # The dialog does not own its printer, and PySide holds a slot's object weakly: keep both
    # alive with the dialog, or the printout is collected as soon as the caller returns and
    # the preview shows no pages.
    dialog.setProperty("kept", (printer, printout))
    dialog.setWindowTitle(f"Print preview: {printout.title}")
    resize_to_fit(dialog, 1000, 800)
    dialog.paintRequested.connect(printout.paint)
    if printout.on_printed is not None:
        dialog.accepted.connect(printout.on_printed)
    return dialog


# -- documents --------------------------------------------------------------------------------


def page_html(title: str, subtitle: str, body: str) -> str:
    sub = f"<p class='sub'>{escape(subtitle)}</p>" if subtitle else ""
    return f"<html><body><h1>{escape(title)}</h1>{sub}{body}</body></html>"


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, date):
        return uk_date(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


# A printed column's share of the page's width goes with the widest thing it holds, measured
# in the printouts' font (a heading by its longest word, in bold: it wraps), counted up to
# WIDEST (about 25 characters): a long note wraps rather than taking the page. PADDING: a
# cell's padding and borders (STYLE: 5px a side). Only the shares matter, not the unit.
WIDEST, PADDING = 160.0, 12.0


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Each column's share of the table's width, in whole percent: QTextDocument otherwise
    shares the page out by its own rule, as much to a column left empty as to a full one, and
    the pupil list's names and classes wrapped beside blank columns."""
    plain = QFont(FONT_FAMILY)
    plain.setPointSizeF(FONT_POINTS)
    bold = QFont(plain)
    bold.setBold(True)
    body, head = QFontMetricsF(plain), QFontMetricsF(bold)
    widest = [max((head.horizontalAdvance(w) for w in h.split()), default=0.0) for h in headers]
    for c in range(len(headers)):
        texts = {cell_text(row[c]) for row in rows if c < len(row)}
        widest[c] = max([widest[c], *(body.horizontalAdvance(t) for t in texts)])
    weights = [min(w, WIDEST) + PADDING for w in widest]
    total = sum(weights) or 1.0
    return [max(1, round(100 * w / total)) for w in weights]


def table_html(headers: Sequence[str], rows: Sequence[Sequence[Any]], fills: Any = None) -> str:
    fills = fills or {}
    widths = column_widths(headers, rows)
    head = "".join(
        f"<th width='{w}%'>{escape(h)}</th>" for h, w in zip(headers, widths, strict=True)
    )
    body = []
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            fill = fills.get((r, c))
            style = f" style='background:{fill}'" if fill else ""
            cells.append(f"<td{style}>{escape(cell_text(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table width='100%' cellspacing='0'><tr>{head}</tr>{''.join(body)}</table>"


def tables_printout(title: str, subtitle: str, tables: Sequence[Any]) -> Printout:
    """Lists as tables: one heading and table per export table (ExportTable)."""
    parts = []
    for t in tables:
        heading = f"<h2>{escape(t.title)}</h2>" if len(tables) > 1 else ""
        parts.append(heading + table_html([c.header for c in t.columns], t.rows, t.fills))
    wide = any(len(t.columns) > 8 for t in tables)
    return Printout(title, page_html(title, subtitle, "".join(parts)), landscape=wide)


def call_sheet(day: date, entries: Sequence[Any]) -> Printout:
    """The first-day call sheet: by class, each pupil with the numbers to ring in order and
    room for notes; a family is listed together so it is rung once."""
    rows = []
    for e in entries:
        numbers = "<br>".join(
            f"{n}. <b>{escape(number).replace(' ', '&nbsp;')}</b> {escape(kind.lower())}, "
            f"{escape(c.name)}{f' ({escape(c.relationship)})' if c.relationship else ''}"
            for n, (c, kind, number) in enumerate(
                ((c, k, num) for c in e.contacts for k, num in c.phones), start=1
            )
        )
        absent = ", ".join(f"{s} {c or 'no mark'}" for s, c in e.sessions)
        flag = ""
        if e.unreached_flag:
            flag = f"<br><b style='color:#c62828'>Not reached {e.days_unreached} days</b>"
        family = getattr(e, "family_note", "")
        rows.append(
            "<tr>"
            f"<td width='9%'>{escape(e.reg_group)}</td>"
            f"<td width='20%'><b>{escape(e.surname)}, {escape(e.forename)}</b>{flag}"
            f"{f'<br><i>{escape(family)}</i>' if family else ''}</td>"
            f"<td width='13%'>{escape(absent)}</td>"
            f"<td width='30%'>{numbers or 'no number on record'}</td>"
            "<td width='28%'><br><br><br></td>"
            "</tr>"
        )
    head = "".join(
        f"<th>{h}</th>" for h in ("Class", "Pupil", "Absent", "Numbers, in order", "Notes")
    )
    body = (
        f"<table width='100%' cellspacing='0'><tr>{head}</tr>{''.join(rows)}</table>"
        if rows
        else "<p>Nobody to call.</p>"
    )
    sub = f"{len(entries)} to call"
    return Printout(
        f"First-day calls {uk_date(day)}",
        page_html(f"First-day calls \u2014 {uk_date(day)}", sub, body),
    )


def pupil_summary(data: Any) -> Printout:
    """The pupil page on one sheet: details, figures, band, case, concerns, contacts."""
    d, report = data.details, data.report
    name = f"{d.forename} {d.surname}"
    bits = [d.reg_group, f"UPN {d.upn}" if d.upn else "", f"born {uk_date(d.date_of_birth)}"
            if d.date_of_birth else ""]  # fmt: skip
    flags = [c.name for c in SAFEGUARDING if has(d, c)]
    band = getattr(report, "band", None)
    facts = [f"Figures as of {uk_date(data.as_of)}"]
    if band is not None:
        facts.append(f"Band: {band.label}" + (f" ({band.owner})" if band.owner else ""))
    if data.stage:
        facts.append(f"Case: {data.stage}")
    body = "<p>" + escape(" \u00b7 ".join(facts)) + "</p>"
    if flags:
        body += f"<p><b>{escape(', '.join(flags))}</b></p>"
    rows = []
    for label, attr in (("Year to date", "year"), ("This term", "term"),
                        ("This half term", "half_term")):  # fmt: skip
        f = getattr(report, attr, None)
        if f is None:
            continue
        pct = getattr(f, "attendance_pct", None)
        rows.append((label, f.possible, f.attended, f.authorised, f.unauthorised, f.late,
                     "\u2013" if pct is None else f"{pct:.1f}%"))  # fmt: skip
    body += "<h2>Figures</h2>" + table_html(
        ("Period", "Possible", "Attended", "Authorised", "Unauthorised", "Late", "Attendance"),
        rows,
    )
    concerns = list(getattr(report, "concerns", ()) or ())
    body += "<h2>Concerns</h2>"
    body += (
        table_html(
            ("Concern", "Found", "Action"),
            [(rule_title(c.rule), c.detail, c.action) for c in concerns],
        )  # fmt: skip
        if concerns
        else "<p>None.</p>"
    )
    contacts = [(c.priority, c.name, c.relationship, "; ".join(f"{k} {n}" for k, n in c.phones))
                for c in d.contacts]  # fmt: skip
    body += "<h2>Contacts</h2>" + (
        table_html(("Order", "Name", "Relationship", "Numbers"), contacts)
        if contacts
        else "<p>None on record.</p>"
    )
    return Printout(name, page_html(name, "  \u00b7  ".join(b for b in bits if b), body))


def widget_printout(title: str, widget: QWidget) -> Printout:
    """A page with no document of its own: a picture of it, fitted to the page."""
    image = widget.grab().toImage()
    return Printout(title, image=image, landscape=image.width() > image.height())
