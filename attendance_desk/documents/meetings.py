"""The meeting papers as A4 PDFs: the class teacher's weekly report (a page per class), a
meeting's agenda (a block per pupil), and the termly Targeted Support Meeting list.

Each builder reads its report object by attribute (documents do not import services).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from attendance_desk.documents.batch import _canvas
from attendance_desk.documents.fonts import FontNames, register_fonts
from attendance_desk.documents.letter import INK, MUTED, PAPER_TINT, RULE, make_styles, markup
from attendance_desk.domain.wording import count

WARN = colors.HexColor("#c62828")
MARGIN = 15 * mm


class _Styles:
    def __init__(self) -> None:
        self.fonts = register_fonts()
        base = make_styles()
        self.small = base.small
        self.body = ParagraphStyle("mbody", base.body, fontSize=9, leading=11.5, spaceAfter=2)
        self.h1 = ParagraphStyle("mh1", base.subject, fontSize=15, leading=19, spaceAfter=2)
        self.h2 = ParagraphStyle("mh2", base.subject, fontSize=11, spaceBefore=7, spaceAfter=3)
        self.cell = ParagraphStyle("mcell", base.body, fontSize=8.5, leading=10.5, spaceAfter=0)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup(text).replace("\n", "<br/>"), style)


def _table(
    rows: Sequence[Sequence[Any]], widths: Sequence[float], fonts: FontNames, st: _Styles
) -> Table:
    """A table whose text cells wrap; the first row is the heading."""
    body = [[c if not isinstance(c, str) else _p(c, st.cell) for c in row] for row in rows]
    table = Table(body, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts.regular, 8.5, 10.5),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("BACKGROUND", (0, 0), (-1, 0), PAPER_TINT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def _bold_row(cells: Sequence[str]) -> list[str]:
    return [f"**{c}**" for c in cells]


def _build(
    story: list[Any], title: str, author: str, footer_text: str, pagesize: Any = A4
) -> bytes:
    st = _Styles()

    def footer(canv: Any, doc: Any) -> None:
        canv.setFont(st.fonts.regular, 7.5)
        canv.setFillColor(MUTED)
        canv.drawString(MARGIN, 9 * mm, footer_text)
        canv.drawRightString(pagesize[0] - MARGIN, 9 * mm, f"Page {doc.page}")

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=13 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=author,
        creator="Attendance Desk",
        invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_canvas)
    return buf.getvalue()


def _d(value: Any) -> str:
    return value.strftime("%a %-d %b %Y") if value else ""


def _flag(low: bool) -> str:
    return " (below the expectation)" if low else ""


def _section(story: list[Any], st: _Styles, heading: str, lines: Sequence[Any], empty: str) -> None:
    story.append(_p(heading, st.h2))
    if not lines:
        story.append(_p(empty, st.body))


# --- the class teacher's weekly report ------------------------------------------------------
def build_weekly_report_pdf(report: Any) -> bytes:
    st = _Styles()
    fonts = st.fonts
    width = A4[0] - 2 * MARGIN
    week = report.week
    story: list[Any] = []
    bands = " and ".join(report.band_labels)
    for i, cls in enumerate(report.classes):
        if i:
            story.append(PageBreak())
        story += [
            _p(report.school_name, st.small),
            _p(f"{report.title}: class {cls.class_name}", st.h1),
            _p(
                f"Week {_d(week.start)} to {_d(week.end)}. {count(cls.pupils, 'pupil')} on roll. "
                f"Expected attendance: {report.expected}.",
                st.body,
            ),
        ]
        story.append(
            _table(
                [
                    ["", "Class attendance"],
                    ["This week", f"{cls.week}{_flag(cls.week_below_expected)}"],
                    ["Year to date", f"{cls.year}{_flag(cls.year_below_expected)}"],
                    ["Expected", report.expected],
                ],
                [40 * mm, 80 * mm],
                fonts,
                st,
            )
        )
        if report.band_labels:
            _section(
                story,
                st,
                f"Pupils in the band {bands}: {len(cls.band_pupils)}",
                cls.band_pupils,
                "None this week.",
            )
            if cls.band_pupils:
                rows = [_bold_row(["Pupil", "Year to date", "This week", "Missed", "Letter"])]
                rows += [
                    [p.name, p.year, p.week, str(p.missed_this_week), p.letter]
                    for p in cls.band_pupils
                ]
                story.append(
                    _table(rows, [48 * mm, 22 * mm, 20 * mm, 16 * mm, width - 106 * mm], fonts, st)
                )
        else:
            story.append(_p("The policy gives class teachers no attendance band.", st.body))
        for heading, lines, empty in (
            ("Absent for a week or more (tell SLT)", cls.absent_week, "Nobody."),
            ("Late this week", cls.lates, "Nobody."),
            ("Band changes since last week", cls.changes, "No changes."),
        ):
            _section(story, st, f"{heading}: {len(lines)}", lines, empty)
            if lines:
                rows = [_bold_row(["Pupil", ""])] + [[line.name, line.text] for line in lines]
                story.append(_table(rows, [48 * mm, width - 48 * mm], fonts, st))
    return _build(
        story,
        report.title,
        report.school_name,
        f"{report.school_name}: {report.title}, week ending {_d(week.end)}",
    )


# --- a meeting's agenda ---------------------------------------------------------------------
def _pupil_block(p: Any, st: _Styles, width: float) -> list[Any]:
    fonts = st.fonts
    head = f"**{p.name}** ({p.class_name or 'no class'})"
    rows = [
        ["Why on the list", "; ".join(p.reasons) or "Actions to follow up"],
        [
            "Figures",
            f"Year to date {p.year}; this half term {p.half_term}; band {p.band or 'none'}"
            + ("; severe absence" if p.severe else "; persistent absence" if p.persistent else ""),
        ],
        ["Weekday pattern", p.weekday],
        ["Case", p.case],
        ["Last contact", p.last_contact or "none recorded"],
        [
            "Agreed last time",
            "\n".join(p.last_actions) if p.last_actions else "nothing recorded",
        ],
        ["Actions agreed today", ""],
    ]
    body = [[_p(a, st.cell), _p(b, st.cell)] for a, b in rows]
    table = Table(body, colWidths=[32 * mm, width - 32 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("BACKGROUND", (0, 0), (0, -1), PAPER_TINT),
                ("FONT", (0, 0), (-1, -1), fonts.regular, 8.5, 10.5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 14 * mm),
            ]
        )
    )
    return [KeepTogether([_p(head, st.body), table, Spacer(1, 4 * mm)])]


def build_agenda_pdf(agenda: Any) -> bytes:
    st = _Styles()
    width = A4[0] - 2 * MARGIN
    story: list[Any] = [
        _p(agenda.school_name, st.small),
        _p(f"{agenda.title}: {_d(agenda.on)}", st.h1),
        _p(agenda.intro, st.body),
        _p(f"{count(len(agenda.pupils), 'pupil')} on the agenda.", st.body),
        Spacer(1, 3 * mm),
    ]
    for p in agenda.pupils:
        story += _pupil_block(p, st, width)
    if agenda.follow_ups:
        story.append(CondPageBreak(40 * mm))
        story.append(
            _p(
                f"Actions to review for pupils no longer on the list: {len(agenda.follow_ups)}",
                st.h2,
            )
        )
        for p in agenda.follow_ups:
            story += _pupil_block(p, st, width)
    if not agenda.pupils and not agenda.follow_ups:
        story.append(_p("Nobody is on this meeting's list.", st.body))
    return _build(
        story,
        agenda.title,
        agenda.school_name,
        f"{agenda.school_name}: {agenda.title}, {_d(agenda.on)}. Confidential.",
    )


# --- the Targeted Support Meeting list ------------------------------------------------------
TSM_HEADINGS = (
    "Pupil",
    "Class",
    "UPN",
    "Year",
    "Term",
    "Missed (A/U)",
    "Level",
    "Pattern",
    "Support in place",
    "Next steps",
)


def build_tsm_pdf(tsm: Any) -> bytes:
    st = _Styles()
    size = landscape(A4)
    width = size[0] - 2 * MARGIN
    story: list[Any] = [
        _p(tsm.school_name, st.small),
        _p(tsm.title, st.h1),
        _p(tsm.intro, st.body),
        Spacer(1, 2 * mm),
    ]
    rows: list[list[Any]] = [_bold_row(list(TSM_HEADINGS))]
    for r in tsm.rows:
        rows.append(
            [
                r.name,
                r.class_name,
                r.upn,
                r.attendance,
                r.term_attendance,
                f"{r.authorised}/{r.unauthorised}",
                r.level,
                r.pattern,
                r.support,
                r.next_steps,
            ]
        )
    fixed = [32, 15, 32, 15, 15, 20, 22, 46]
    rest = (width / mm - sum(fixed)) / 2
    widths: list[float] = [w * mm for w in fixed] + [rest * mm, rest * mm]
    if tsm.rows:
        story.append(_table(rows, widths, st.fonts, st))
    else:
        story.append(_p("No pupil is persistently or severely absent.", st.body))
    make: Callable[..., bytes] = _build
    return make(story, tsm.title, tsm.school_name, f"{tsm.school_name}: {tsm.title}", size)
