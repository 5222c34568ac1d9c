"""A batch of letters as one A4 PDF: cover sheets per class, each letter on new pages.

The letterhead (school name, address, logo) is drawn on each letter's first page; later pages
carry a short header, and "Page n of m" appears only when a letter runs over a page. The
numbers are PDF forms defined after the last page, so one pass suffices. Output is byte-for-byte
reproducible (`invariant=1`: fixed creation date and document id).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from functools import lru_cache

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from attendance_desk.documents.batch_items import POST_PILE, BatchItem, CoverSheet
from attendance_desk.documents.fonts import REGULAR, register_fonts
from attendance_desk.documents.letter import (
    INK,
    MUTED,
    RULE,
    WINDOW_HEIGHT,
    WINDOW_TOP,
    LetterStart,
    LetterStyles,
    letter_story,
    make_styles,
    markup,
)
from attendance_desk.domain.letters import LetterContent, Letterhead
from attendance_desk.errors import UserError

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm  # left and right
TOP = 12 * mm
BOTTOM = 10 * mm
HEAD_H = 30 * mm  # letterhead band on a letter's first page
FOOT_H = 9 * mm  # room for "Page n of m"
TEXT_W = PAGE_W - 2 * MARGIN
FRAME_PADDING = 6  # ReportLab's default frame padding (points)
# A posted letter's address block: from the first page's frame top to 3 mm below the window.
WINDOW_SPACE = WINDOW_TOP + WINDOW_HEIGHT + 2 * mm - (TOP + HEAD_H + FRAME_PADDING)


class _Letterhead:
    """The letterhead's flowables, wrapped once and drawn on every first page."""

    def __init__(self, head: Letterhead, logo: bytes | None, styles: LetterStyles) -> None:
        self.logo = ImageReader(io.BytesIO(logo)) if logo else None
        logo_w = 0.0
        if self.logo is not None:
            iw, ih = self.logo.getSize()
            self.logo_h = min(24 * mm, HEAD_H - 6 * mm)
            self.logo_w = min(45 * mm, self.logo_h * iw / max(ih, 1))
            self.logo_h = self.logo_w * ih / max(iw, 1)
            logo_w = self.logo_w + 6 * mm
        name_style = ParagraphStyle(
            "school", styles.body, fontName=styles.fonts.bold, fontSize=15, leading=18
        )
        self.width = TEXT_W - logo_w
        self.name = Paragraph(markup(head.school_name), name_style)
        lines = [markup(", ".join(line for line in head.address_lines if line.strip()))]
        if head.contact_line:
            lines.append(markup(head.contact_line))
        self.address = Paragraph("<br/>".join(lines), styles.small)
        self.name_h = self.name.wrap(self.width, HEAD_H)[1]
        self.address_h = self.address.wrap(self.width, HEAD_H)[1]

    def draw(self, canv) -> None:  # noqa: ANN001 - a ReportLab canvas
        """Drawn once into a form, then placed on every first page (fast for big batches)."""
        if not getattr(self, "_form", False):
            canv.beginForm("letterhead")
            self._draw(canv)
            canv.endForm()
            self._form = True
        canv.doForm("letterhead")

    def _draw(self, canv) -> None:  # noqa: ANN001
        top = PAGE_H - TOP
        self.name.drawOn(canv, MARGIN, top - self.name_h)
        self.address.drawOn(canv, MARGIN, top - self.name_h - 2 - self.address_h)
        if self.logo is not None:
            canv.drawImage(
                self.logo,
                PAGE_W - MARGIN - self.logo_w,
                top - self.logo_h,
                self.logo_w,
                self.logo_h,
                mask="auto",
            )
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.8)
        y = PAGE_H - TOP - HEAD_H + 3 * mm
        canv.line(MARGIN, y, PAGE_W - MARGIN, y)


class LetterDocument(BaseDocTemplate):
    """Letters and cover sheets; remembers which pages belong to which letter."""

    def __init__(
        self,
        buf: io.BytesIO,
        head: Letterhead,
        logo: bytes | None,
        title: str,
        on_letter: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(
            buf,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=TOP,
            bottomMargin=BOTTOM,
            title=title,
            author=head.school_name,
            creator="Attendance Desk",
            subject=title,
            invariant=1,
        )
        self.styles = make_styles()
        self.head = _Letterhead(head, logo, self.styles)
        self.school_name = head.school_name
        self.current: LetterContent | None = None
        self.letter_done = False
        self.letter_first_page = 0
        self.letter_pages: list[tuple[int, str]] = []  # (page, letter key)
        self.on_letter = on_letter
        body_h = PAGE_H - TOP - BOTTOM
        first = Frame(MARGIN, BOTTOM + FOOT_H, TEXT_W, body_h - HEAD_H - FOOT_H, id="first")
        later = Frame(MARGIN, BOTTOM + FOOT_H, TEXT_W, body_h - FOOT_H - 8 * mm, id="later")
        cover = Frame(MARGIN, BOTTOM, TEXT_W, body_h, id="cover")
        self.addPageTemplates(
            [
                PageTemplate("first", [first], onPage=self._first_page, onPageEnd=self._page_end),
                PageTemplate("later", [later], onPage=self._later_page, onPageEnd=self._page_end),
                PageTemplate("cover", [cover]),
            ]
        )

    def _first_page(self, canv, doc) -> None:  # noqa: ANN001
        self.head.draw(canv)

    def _later_page(self, canv, doc) -> None:  # noqa: ANN001
        if self.current is None:
            return
        canv.setFont(self.styles.fonts.regular, 8.5)
        canv.setFillColor(MUTED)
        text = f"Letter about {self.current.pupil_name}, {self.current.date_text} (continued)"
        canv.drawString(MARGIN + 6, PAGE_H - TOP - 3 * mm, text[:110])

    def _page_end(self, canv, doc) -> None:  # noqa: ANN001
        if self.current is None:
            return
        if self.letter_done and self.page == self.letter_first_page:
            return  # a one-page letter: no page number
        self.letter_pages.append((self.page, self.current.key))
        canv.doForm(f"pn{self.page}")

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - ReportLab's hook
        if isinstance(flowable, LetterStart):
            if self.on_letter is not None:
                self.on_letter()
            self.current = flowable.content
            self.letter_done = False
            self.letter_first_page = self.page
        elif isinstance(flowable, LetterEnd):
            self.letter_done = True

    def define_page_numbers(self) -> None:
        """After the last page: a form per page, "Page n of m" or nothing for one-page letters."""
        totals: dict[str, int] = {}
        for _page, key in self.letter_pages:
            totals[key] = totals.get(key, 0) + 1
        seen: dict[str, int] = {}
        canv = self.canv
        for page, key in self.letter_pages:
            seen[key] = seen.get(key, 0) + 1
            canv.beginForm(f"pn{page}")
            if totals[key] > 1:
                canv.setFont(self.styles.fonts.regular, 8.5)
                canv.setFillColor(MUTED)
                canv.drawRightString(
                    PAGE_W - MARGIN - 6, BOTTOM + 2 * mm, f"Page {seen[key]} of {totals[key]}"
                )
            canv.endForm()

    def _endBuild(self) -> None:  # noqa: N802 - ReportLab's hook
        self._doSave = 0  # finish the last page first, then define the forms, then save
        super()._endBuild()
        self.define_page_numbers()
        self.canv.save()


class LetterEnd(Flowable):
    """An invisible marker after a letter's last flowable."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0, 0

    def draw(self) -> None:
        pass


@lru_cache(maxsize=4)
def _cover_styles(body: ParagraphStyle, bold: str) -> tuple[ParagraphStyle, ParagraphStyle]:
    """The cover sheet's class name and note styles (made once, not per sheet)."""
    big = ParagraphStyle("coverbig", body, fontName=bold, fontSize=30, leading=36)
    return big, ParagraphStyle("covernote", body, textColor=INK)


def _cover_table(rows: list[list[str]], styles: LetterStyles) -> Table:
    """A cover sheet's label/value rows, ruled beneath each (a value's lines kept)."""
    para = styles.paragraph
    table = Table(
        [
            [para(markup(a), styles.body), para(markup(b).replace("\n", "<br/>"), styles.subject)]
            for a, b in rows
        ],
        colWidths=[50 * mm, TEXT_W - 50 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def cover_story(sheet: CoverSheet, styles: LetterStyles) -> list[Flowable]:
    big, note_style = _cover_styles(styles.body, styles.fonts.bold)
    para = styles.paragraph
    if sheet.kind == POST_PILE:
        return _post_cover(sheet, styles, big, note_style)
    rows = [
        ["Class", sheet.class_name],
        ["Class teacher", sheet.teacher],
        ["Letters in this bundle", str(sheet.letters)],
        *sheet.letter_rows(),
        ["Printed", sheet.date_text],
    ]
    table = _cover_table(rows, styles)
    note = (
        "Cover sheet for the class teacher: please put each letter that follows in the pupil's "
        "book bag today. Letters addressed to a parent at another address go by post."
    )
    return [
        Spacer(1, 40 * mm),
        para("Letters for book bags", styles.small),
        para(markup(sheet.class_name), big),
        Spacer(1, 10 * mm),
        table,
        Spacer(1, 10 * mm),
        para(note, note_style),
    ]


def _post_cover(
    sheet: CoverSheet, styles: LetterStyles, big: ParagraphStyle, note_style: ParagraphStyle
) -> list[Flowable]:
    para = styles.paragraph
    rows = [
        ["Letters to post", str(sheet.letters)],
        *sheet.letter_rows(),
        ["Printed", sheet.date_text],
    ]
    table = _cover_table(rows, styles)
    note = (
        "For the office: these letters go by post, not in book bags (a parent with parental "
        "responsibility who lives apart, a looked-after child's carer or social worker). Fold "
        "each in three along the marks at the left edge so the address shows in the window of "
        "a DL envelope (or fold once for a C5 window envelope)."
    )
    return [
        Spacer(1, 40 * mm),
        para("Letters for the post", styles.small),
        para("Post", big),
        Spacer(1, 10 * mm),
        table,
        Spacer(1, 10 * mm),
        para(note, note_style),
    ]


def build_batch_pdf(
    items: Sequence[BatchItem],
    letterhead: Letterhead,
    logo: bytes | None,
    title: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> bytes:
    """One PDF of cover sheets and letters, in the order given; each item starts a new page.

    `progress(done, total)` hears of each letter as it is laid out; `cancel()` returning True
    stops the build (raises BatchCancelled)."""
    if not items:
        raise ValueError("nothing to print")
    register_fonts()
    buf = io.BytesIO()
    total = sum(1 for item in items if not isinstance(item, CoverSheet))
    count = [0]

    def on_letter() -> None:
        count[0] += 1
        if count[0] % 20 == 0:
            if cancel is not None and cancel():
                raise BatchCancelled("stopped: the letters were not made")
            if progress is not None:
                progress(count[0], total)

    watch = progress is not None or cancel is not None
    doc = LetterDocument(buf, letterhead, logo, title, on_letter if watch else None)
    kinds = ["cover" if isinstance(item, CoverSheet) else "first" for item in items]
    order = {"first": 0, "later": 1, "cover": 2}
    doc.pageTemplates.sort(key=lambda t: 0 if t.id == kinds[0] else 1 + order[t.id])
    story: list[Flowable] = []
    for i, item in enumerate(items):
        if isinstance(item, CoverSheet):
            story.extend(cover_story(item, doc.styles))
        else:
            story.append(NextPageTemplate("later"))
            story.extend(letter_story(item, doc.styles, TEXT_W, WINDOW_SPACE))
            story.append(LetterEnd())
        if i + 1 < len(items):
            story.append(NextPageTemplate(kinds[i + 1]))
            story.append(PageBreak())
    doc.build(story, canvasmaker=_canvas)
    if progress is not None:
        progress(total, total)
    return buf.getvalue()


class BatchCancelled(UserError):
    """The person stopped the batch while its pages were being laid out."""


def _canvas(*args, **kwargs) -> Canvas:  # noqa: ANN002, ANN003
    """A canvas whose default font is ours, so no unembedded Helvetica is referenced."""
    kwargs.setdefault("initialFontName", REGULAR)
    return Canvas(*args, **kwargs)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


__all__ = ["BatchItem", "CoverSheet", "build_batch_pdf", "sha256"]
