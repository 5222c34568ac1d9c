"""One letter as ReportLab flowables: date, addressee, subject, body, figures, signatures.

Styles are made once per batch (`make_styles`) and reused for every letter in it, with what is
worked out from them: the parse of text that repeats from letter to letter (`LetterStyles.
paragraph`), text widths, and the figures table's style. The page furniture (letterhead, continuation header, page numbers) is drawn by `documents.batch`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from attendance_desk.documents.fonts import FontNames, register_fonts
from attendance_desk.domain.letters import LetterContent, LetterSection, parse_body

INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#5b6168")
RULE = colors.HexColor("#c9ced4")
PAPER_TINT = colors.HexColor("#f3f5f7")


@dataclass(frozen=True)
class LetterStyles:
    fonts: FontNames
    body: ParagraphStyle
    bullet: ParagraphStyle
    date: ParagraphStyle
    address: ParagraphStyle
    subject: ParagraphStyle
    heading: ParagraphStyle
    small: ParagraphStyle
    reference: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_bold_light: ParagraphStyle
    sign_name: ParagraphStyle
    # per batch: markup parsed before, as (text, style, bullet) -> fragments to copy; widths
    _parsed: dict[tuple, tuple] = field(default_factory=dict, compare=False, repr=False)
    _widths: dict[tuple[str, str, float], float] = field(
        default_factory=dict, compare=False, repr=False
    )
    _lines: dict[tuple, object] = field(default_factory=dict, compare=False, repr=False)

    def paragraph(self, text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
        """Paragraph(text, style, bullet), parsing markup seen before in this batch only once
        (most letters share paragraphs of fixed wording), and breaking its lines once per width.
        Each paragraph gets its own copy of the fragments, as a fresh parse would give it."""
        key = (text, style, bullet)
        parsed = self._parsed.get(key)
        if parsed is None:
            para = _Paragraph(text, style, bullet)
            self._parsed[key] = (para.text, para.style, para.bulletText, _copy_frags(para.frags))
        else:
            para = _Paragraph(parsed[0], parsed[1], parsed[2], frags=_copy_frags(parsed[3]))
        para.lines_memo, para.lines_key = self._lines, key
        return para

    def width(self, text: str, font: str, size: float) -> float:
        """stringWidth, remembered for text that repeats (labels, signers)."""
        key = (text, font, size)
        w = self._widths.get(key)
        if w is None:
            w = self._widths[key] = stringWidth(text, font, size)
        return w


class _Paragraph(Paragraph):
    """A Paragraph that reuses the line breaks of an identical one (same markup, style and
    widths) made by the same LetterStyles. Only simple paragraphs (one run of text, ReportLab's
    kind 0: read-only lists of words) with no hyphenation are shared; parts of a split
    paragraph break their own lines."""

    lines_memo: dict | None = None
    lines_key: tuple = ()

    def breakLines(self, width):  # noqa: ANN001, ANN201, N802 - ReportLab's method
        memo = self.lines_memo
        if memo is None or getattr(self.style, "hyphenationLang", None):
            return super().breakLines(width)
        key = (self.lines_key, tuple(width) if isinstance(width, list | tuple) else width)
        lines = memo.get(key)
        if lines is None:
            lines = super().breakLines(width)
            if lines.kind == 0:
                memo[key] = lines
        return lines


def _copy_frags(frags: list) -> list:
    """A copy of parsed fragments as deep as ReportLab's parser makes them (lists not shared)."""
    out = []
    for frag in frags:
        copy = frag.clone()
        attrs = copy.__dict__
        for name, value in attrs.items():
            if isinstance(value, list):
                attrs[name] = value.copy()
        out.append(copy)
    return out


def make_styles() -> LetterStyles:
    fonts = register_fonts()
    body = ParagraphStyle(
        "body",
        fontName=fonts.regular,
        fontSize=10,
        leading=13.6,
        textColor=INK,
        spaceAfter=6,
        splitLongWords=True,
    )
    return LetterStyles(
        fonts=fonts,
        body=body,
        bullet=ParagraphStyle(
            "bullet", parent=body, leftIndent=7 * mm, bulletIndent=2.5 * mm, spaceAfter=3
        ),
        date=ParagraphStyle("date", parent=body, alignment=TA_RIGHT, spaceAfter=4),
        address=ParagraphStyle("address", parent=body, leading=13.5, spaceAfter=0),
        subject=ParagraphStyle(
            "subject", parent=body, fontName=fonts.bold, fontSize=11.5, leading=15, spaceAfter=6
        ),
        heading=ParagraphStyle(
            "heading", parent=body, fontName=fonts.bold, spaceBefore=6, spaceAfter=5
        ),
        small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=MUTED),
        reference=ParagraphStyle(
            "reference", parent=body, fontSize=9, leading=12, textColor=MUTED, spaceBefore=-5
        ),
        cell=ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12, spaceAfter=0),
        cell_bold=ParagraphStyle(
            "cellb", parent=body, fontName=fonts.bold, fontSize=9.5, leading=12, spaceAfter=0
        ),
        cell_bold_light=ParagraphStyle(
            "cellbl",
            parent=body,
            fontName=fonts.bold,
            fontSize=9.5,
            leading=12,
            spaceAfter=0,
            textColor=colors.white,
        ),
        sign_name=ParagraphStyle("sign", parent=body, fontName=fonts.bold, spaceAfter=0),
    )


def markup(text: str) -> str:
    """Plain merged text to ReportLab paragraph markup: escape, then **bold**."""
    parts = escape(text).split("**")
    if len(parts) % 2 == 0:  # an unmatched ** stays as written
        parts[-2] = parts[-2] + "**" + parts.pop()
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


class LetterStart(Flowable):
    """An invisible marker: the document notes which letter the following pages belong to."""

    def __init__(self, content: LetterContent) -> None:
        super().__init__()
        self.content = content
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        pass


def _text_colour(hex_colour: str) -> colors.Color:
    colour = colors.HexColor(hex_colour)
    luminance = 0.299 * colour.red + 0.587 * colour.green + 0.114 * colour.blue
    return colors.white if luminance < 0.55 else INK


@lru_cache(maxsize=8)
def _table_commands(fonts: FontNames) -> tuple[tuple, ...]:
    """The figures table's style, the same for every letter."""
    return (
        ("FONT", (0, 0), (0, -1), fonts.regular, 9.5, 12),
        ("FONT", (1, 0), (1, -1), fonts.bold, 9.5, 12),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.3, RULE),
        ("BACKGROUND", (0, 0), (-1, -1), PAPER_TINT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 7),
    )


LABEL_GAP = 12  # at least this much clear space after the longest label in the figures table


def figures_table(
    section: LetterSection, styles: LetterStyles, width: float, max_width: float | None = None
) -> Table:
    """The figures, with the band's row in the band's colour and a colour stripe.

    Cells are plain strings (fast to lay out). The label column is 70% of `width`, widened
    (up to `max_width` for the whole table) when a label needs more; a label that still does
    not fit wraps.
    """
    fonts = styles.fonts
    value_w = width * 0.3
    label_room = max(width, max_width or width) - value_w
    padding = 7 + 6  # LEFTPADDING below, and ReportLab's default right padding
    widths = [styles.width(label, fonts.regular, 9.5) for label, _ in section.figures]
    label_w = min(max(width * 0.7, max(widths, default=0) + padding + LABEL_GAP), label_room)
    fits = label_w - padding - LABEL_GAP
    rows = [
        [label if w <= fits else styles.paragraph(markup(label), styles.cell), value]
        for (label, value), w in zip(section.figures, widths, strict=True)
    ]
    commands = list(_table_commands(fonts))
    if section.band_hex:
        band = colors.HexColor(section.band_hex)
        commands.append(("LINEBEFORE", (0, 0), (0, -1), 4, band))
        if section.figures and section.figures[-1][0] == "Attendance band":
            commands.append(("BACKGROUND", (1, -1), (1, -1), band))
            commands.append(("TEXTCOLOR", (1, -1), (1, -1), _text_colour(section.band_hex)))
    table = Table(rows, colWidths=[label_w, value_w], hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


# Where the address shows through a window envelope, measured from the sheet's top-left corner.
# A DL window envelope (220 x 110 mm, window 90 x 35 mm, 20 mm from the left and 15 mm from the
# bottom) holding an A4 sheet folded in three shows the top third's area from about 50 to 85 mm
# down; a C5 window (90 x 45 mm) holding it folded once shows the same area and more. The
# address is kept 5 mm inside that area on every side so a letter that slides in the envelope
# still shows it whole.
WINDOW_LEFT = 20 * mm
WINDOW_TOP = 50 * mm
WINDOW_WIDTH = 90 * mm
WINDOW_HEIGHT = 35 * mm
WINDOW_INSET = 4 * mm
FOLDS = (99 * mm, 198 * mm)  # A4 folded in three for a DL envelope


class WindowAddress(Flowable):
    """A posted letter's date and address: the address placed in the envelope's window area,
    fold marks at the sheet's edge. It must be the first thing on a letter's first page."""

    def __init__(
        self, content: LetterContent, styles: LetterStyles, width: float, space: float
    ) -> None:
        super().__init__()
        self.content = content
        self.height = space  # from the frame's top to just below the window
        self.fonts = styles.fonts
        self.width = width
        self.origin = (0.0, 0.0)
        self.date = styles.paragraph(markup(content.date_text), styles.date)
        room_w = WINDOW_WIDTH - 2 * WINDOW_INSET
        room_h = WINDOW_HEIGHT - 2 * WINDOW_INSET
        lines = [markup(x) for x in content.addressee]
        size = 10.0
        while True:  # shrink a long address until each line fits the window, and all of it
            style = ParagraphStyle(
                "window", styles.address, fontSize=size, leading=size * 1.2, spaceAfter=0
            )
            widest = max(
                (styles.width(x, self.fonts.regular, size) for x in content.addressee), default=0
            )
            self.address = Paragraph("<br/>".join(lines), style)
            _w, h = self.address.wrap(room_w, room_h * 4)
            if (h <= room_h and widest <= room_w) or size <= 7:
                break
            size -= 0.5
        self.address_h = h

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: ANN001, ANN201, N802 - ReportLab's method
        self.origin = (x, y)  # where this block sits on the page (the frame draws it directly)
        return super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        canv = self.canv
        x0, y0 = self.origin
        page_h = canv._pagesize[1]
        _w, date_h = self.date.wrap(self.width, self.height)
        self.date.drawOn(canv, 0, self.height - date_h)
        left = WINDOW_LEFT + WINDOW_INSET - x0
        top = page_h - WINDOW_TOP - WINDOW_INSET - y0
        self.address.drawOn(canv, left, top - self.address_h)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        for fold in FOLDS:
            y = page_h - fold - y0
            canv.line(-x0 + 3 * mm, y, -x0 + 7 * mm, y)


def letter_story(
    content: LetterContent, styles: LetterStyles, width: float, window_space: float = 0.0
) -> list[Flowable]:
    """The flowables of one letter, in reading order (no page breaks). A posted letter's
    address block takes `window_space` from the top of the first page's frame."""
    story: list[Flowable] = [LetterStart(content)]
    if content.postal:
        story.append(WindowAddress(content, styles, width, window_space))
    else:
        story.append(styles.paragraph(markup(content.date_text), styles.date))
        story.append(
            styles.paragraph("<br/>".join(markup(x) for x in content.addressee), styles.address)
        )
        story.append(Spacer(1, 5 * mm))
    story.append(styles.paragraph(markup(content.salutation), styles.body))
    story.append(styles.paragraph(markup(content.subject), styles.subject))
    if content.reference:
        story.append(styles.paragraph(markup(content.reference), styles.reference))
    for section in content.sections:
        if section.heading:
            story.append(styles.paragraph(markup(section.heading), styles.heading))
        for block in parse_body(section.body):
            if block.kind == "p":
                story.append(styles.paragraph(markup(block.text), styles.body))
            elif block.kind == "bullets":
                story.extend(
                    styles.paragraph(markup(item), styles.bullet, "\u2022") for item in block.items
                )
                story.append(Spacer(1, 4))
            elif block.kind == "figures" and section.figures:
                story.append(figures_table(section, styles, min(width, 125 * mm), width))
                story.append(Spacer(1, 9))
    story.append(signature_block(content, styles, width))
    if content.copy_note:
        story.append(Spacer(1, 3 * mm))
        story.append(styles.paragraph(markup(content.copy_note), styles.small))
    return story


class SignatureBlock(Flowable):
    """The closing, room to sign, then each signer's name and role, drawn directly (fast)."""

    def __init__(self, content: LetterContent, styles: LetterStyles, width: float) -> None:
        super().__init__()
        self.closing = content.closing
        self.signers = content.signatures
        self.fonts = styles.fonts
        self.width = width
        col = width / max(len(self.signers), 2)
        widest = max(
            (
                max(styles.width(n, self.fonts.bold, 10), styles.width(r, self.fonts.regular, 8.5))
                for n, r in self.signers
            ),
            default=0,
        )
        self.stacked = widest > col - 6
        rows = len(self.signers) if self.stacked else 1
        self.block = 14 * mm + 24  # space to sign, then name and role
        self.height = 18 + rows * self.block

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.setFillColor(INK)
        canv.setFont(self.fonts.regular, 10)
        canv.drawString(0, self.height - 12, self.closing)
        col = self.width / max(len(self.signers), 2)
        for i, (name, role) in enumerate(self.signers):
            x = 0 if self.stacked else i * col
            top = self.height - 18 - (i * self.block if self.stacked else 0)
            canv.setFillColor(INK)
            canv.setFont(self.fonts.bold, 10)
            canv.drawString(x, top - 14 * mm - 8, name)
            canv.setFillColor(MUTED)
            canv.setFont(self.fonts.regular, 8.5)
            canv.drawString(x, top - 14 * mm - 20, role)


def signature_block(content: LetterContent, styles: LetterStyles, width: float) -> Flowable:
    return SignatureBlock(content, styles, width)
