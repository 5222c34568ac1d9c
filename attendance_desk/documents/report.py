"""The half-termly attendance report as an A4 PDF: figures, groups, charts and absence lists.

`report` is a services.reports.HalfTermReport (read by attribute; documents do not import
services). Charts are drawn with ReportLab's graphics.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, Rect, String
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

from attendance_desk.documents.batch import _canvas
from attendance_desk.documents.fonts import register_fonts
from attendance_desk.documents.letter import INK, MUTED, PAPER_TINT, RULE, make_styles, markup
from attendance_desk.domain.concern import rule_title
from attendance_desk.domain.letters import Letterhead
from attendance_desk.domain.wording import count

WIDTH = A4[0] - 36 * mm
ACCENT = colors.HexColor("#1e5aa8")
NATIONAL_LINE = colors.HexColor("#c62828")


def _table(rows: list[list[str]], widths: list[float], fonts: Any, head: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if head else 0, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), fonts.regular, 8.5, 11),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if head:
        style += [
            ("FONT", (0, 0), (-1, 0), fonts.bold, 8.5, 11),
            ("BACKGROUND", (0, 0), (-1, 0), PAPER_TINT),
        ]
    table.setStyle(TableStyle(style))
    return table


def weekly_chart(weekly: Any, fonts: Any, national: float) -> Drawing:
    """Whole-school attendance week by week, with the national attendance as a red line."""
    drawing = Drawing(WIDTH, 62 * mm)
    points = [(i + 1, v) for i, (_d, v) in enumerate(weekly) if v is not None]
    if len(points) < 2:
        drawing.add(String(0, 30 * mm, "Not enough weeks yet for a chart.", fontName=fonts.regular))
        return drawing
    low = min(85.0, min(v for _x, v in points) - 1)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 12 * mm, 10 * mm, WIDTH - 16 * mm, 46 * mm
    plot.data = [points, [(1, national), (len(weekly), national)]]
    plot.lines[0].strokeColor = ACCENT
    plot.lines[0].strokeWidth = 1.6
    plot.lines[1].strokeColor = NATIONAL_LINE
    plot.lines[1].strokeDashArray = (3, 2)
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = low, 100
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 1, max(len(weekly), 2)
    plot.xValueAxis.valueStep = max(1, -(-len(weekly) // 10))
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = fonts.regular
        axis.labels.fontSize = 7
    plot.yValueAxis.labelTextFormat = "%d%%"
    plot.xValueAxis.labelTextFormat = "wk %d"
    drawing.add(plot)
    drawing.add(
        String(
            12 * mm,
            58 * mm,
            f"Attendance each school week (red: national {national:g}%)",
            fontName=fonts.bold,
            fontSize=8.5,
            fillColor=INK,
        )
    )
    return drawing


def group_chart(rows: Any, fonts: Any, title: str) -> Drawing:
    rows = [r for r in rows if r.attendance_value is not None]
    height = (len(rows) * 6 + 18) * mm
    drawing = Drawing(WIDTH, height)
    if not rows:
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 38 * mm, 6 * mm
    chart.width, chart.height = WIDTH - 48 * mm, height - 16 * mm
    chart.data = [[r.attendance_value for r in reversed(rows)]]
    chart.categoryAxis.categoryNames = [r.name for r in reversed(rows)]
    chart.valueAxis.valueMin = min(80, int(min(r.attendance_value for r in rows)) - 2)
    chart.valueAxis.valueMax = 100
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = fonts.regular
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = fonts.regular
        axis.labels.fontSize = 7
    drawing.add(chart)
    span = chart.valueAxis.valueMax - chart.valueAxis.valueMin
    x = chart.x + chart.width * (96 - chart.valueAxis.valueMin) / span
    drawing.add(
        Line(
            x, chart.y, x, chart.y + chart.height, strokeColor=NATIONAL_LINE, strokeDashArray=(3, 2)
        )
    )
    drawing.add(
        String(
            chart.x,
            height - 6 * mm,
            f"{title} (red line: expected 96%)",
            fontName=fonts.bold,
            fontSize=8.5,
            fillColor=INK,
        )
    )
    return drawing


def band_chart(bands: Any, fonts: Any) -> Drawing:
    total = sum(n for _l, _c, n in bands) or 1
    drawing = Drawing(WIDTH, 16 * mm)
    x = 0.0
    for label, colour, n in bands:
        w = WIDTH * n / total
        if w <= 0:
            continue
        fill = colors.HexColor(colour) if colour.startswith("#") else colors.grey
        drawing.add(Rect(x, 6 * mm, w, 8 * mm, fillColor=fill, strokeColor=colors.white))
        if w > 18 * mm:
            drawing.add(
                String(
                    x + 2,
                    1 * mm,
                    f"{label}: {n}",
                    fontName=fonts.regular,
                    fontSize=7.5,
                    fillColor=INK,
                )
            )
        x += w
    return drawing


def build_report_pdf(report: Any, letterhead: Letterhead, logo: bytes | None = None) -> bytes:
    fonts = register_fonts()
    styles = make_styles()
    h1 = ParagraphStyle("h1", styles.subject, fontSize=16, leading=20, spaceAfter=2)
    h2 = ParagraphStyle("h2", styles.subject, fontSize=11.5, spaceBefore=8, spaceAfter=4)
    story: list = [
        Paragraph(markup(report.school_name), styles.small),
        Paragraph(markup(report.title), h1),
        Paragraph(
            markup(f"For the headteacher and governors. Figures from {report.period}."), styles.body
        ),
    ]
    s = report.school
    summary = [
        ["", "This school", f"National (primary, {report.national_year})"],
        ["Attendance", s.attendance, report.national[0][1]],
        ["Authorised absence", s.authorised, report.national[1][1]],
        ["Unauthorised absence", s.unauthorised, report.national[2][1]],
        [
            "Persistent absence (pupils)",
            f"{s.persistent} ({s.persistent_share})",
            report.national[3][1],
        ],
        ["Severe absence (pupils)", str(s.severe), report.national[4][1]],
        ["Pupils", str(s.pupils), ""],
    ]
    story += [Paragraph("Whole school", h2), _table(summary, [70 * mm, 35 * mm, 50 * mm], fonts)]
    story += [Paragraph("Pupils in each attendance band", h2), band_chart(report.bands, fonts)]
    story += [Spacer(1, 3 * mm), weekly_chart(report.weekly, fonts, report.national_attendance)]
    years = [g for g in report.groups if g.kind == "year_group"]
    if years:
        story.append(group_chart(years, fonts, "Attendance by year group"))
    head = ["Group", "Pupils", "Attendance", "Auth.", "Unauth.", "PA", "SA"]
    rows = [head] + [
        [
            g.name,
            str(g.pupils),
            g.attendance,
            g.authorised,
            g.unauthorised,
            f"{g.persistent} ({g.persistent_share})",
            str(g.severe),
        ]
        for g in report.groups
    ]
    widths = [50 * mm, 16 * mm, 22 * mm, 18 * mm, 18 * mm, 28 * mm, 12 * mm]
    story += [Paragraph("Groups", h2), _table(rows, widths, fonts)]
    for title, people in (
        ("Severe absence (50% or less)", report.severe),
        ("Persistent absence (90% or less)", report.persistent),
    ):
        story.append(Paragraph(f"{title}: {count(len(people), 'pupil')}", h2))
        if people:
            rows = [["Pupil", "Class", "Attendance", "Unauth. sessions", "Band"]] + [
                [p.name, p.class_name, p.attendance, str(p.unauthorised), p.band] for p in people
            ]
            story.append(_table(rows, [62 * mm, 24 * mm, 24 * mm, 30 * mm, 30 * mm], fonts))
        else:
            story.append(Paragraph("None.", styles.body))
    story.append(Spacer(1, 4 * mm))
    story.append(
        KeepTogether(
            [
                Paragraph(
                    "Percentages are of possible sessions, rounded half-up to one place; bands compare exact "
                    f"fractions. National figures: primary schools in England, {report.national_year}.",
                    styles.small,
                )
            ]
        )
    )

    def footer(canv, doc) -> None:  # noqa: ANN001
        canv.setFont(fonts.regular, 7.5)
        canv.setFillColor(MUTED)
        canv.drawString(18 * mm, 10 * mm, f"{report.school_name}: {report.title}")
        canv.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=report.title,
        author=letterhead.school_name,
        creator="Attendance Desk",
        invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_canvas)
    return buf.getvalue()


def _pct(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.1f}%"


def build_trust_report_pdf(dashboard: Any, title: str, period: str, stages: Any) -> bytes:
    """The governors' report for the trust: each school beside the others, the trust's total
    and the national figures; open cases by stage and open concerns by rule, school by school.
    `dashboard` is a services.trust.TrustDashboard; `stages` (value, label) pairs in order."""
    fonts = register_fonts()
    styles = make_styles()
    h1 = ParagraphStyle("h1", styles.subject, fontSize=16, leading=20, spaceAfter=2)
    h2 = ParagraphStyle("h2", styles.subject, fontSize=11.5, spaceBefore=8, spaceAfter=4)
    national = dashboard.national
    head_style = ParagraphStyle(
        "head", styles.small, fontName=fonts.bold, fontSize=8, leading=9.5, alignment=2
    )

    def heads(row: list[str]) -> list[Any]:
        """A header row whose long names wrap within their columns."""
        return [row[0], *[Paragraph(markup(h), head_style) for h in row[1:]]]

    name_style = ParagraphStyle(
        "name", styles.small, fontName=fonts.regular, fontSize=8.5, leading=11, textColor=INK
    )
    total_style = ParagraphStyle("total", name_style, fontName=fonts.bold)

    def name(school: Any) -> Paragraph:
        """A school's name in its column, wrapped there (a long name never runs into the
        figures beside it); the trust's own row in bold."""
        return Paragraph(
            markup(str(school.name)), total_style if school is dashboard.trust else name_style
        )

    story: list = [
        Paragraph(markup(title), h1),
        Paragraph(
            markup(f"For the trust board and the local governing bodies. Figures from {period}."),
            styles.body,
        ),
    ]
    head = ["School", "Pupils", "Attendance", "Absence", "Persistent", "Severe", "Open cases"]
    rows: list[list[Any]] = [heads(head)]
    for s in (*dashboard.schools, dashboard.trust):
        rows.append(
            [
                name(s),
                str(s.pupils),
                _pct(s.attendance_pct),
                _pct(s.absence_pct),
                f"{s.persistent} ({_pct(s.persistent_pct)})",
                f"{s.severe} ({_pct(s.severe_pct)})",
                str(s.open_cases),
            ]
        )
    rows.append(
        [
            f"National (primary, {national.year})",
            "",
            f"{national.attendance_pct:g}%",
            f"{national.absence_pct:g}%",
            f"{national.persistent_pct:g}%",
            f"{national.severe_pct:g}%",
            "",
        ]
    )
    widths = [52 * mm, 14 * mm, 24 * mm, 18 * mm, 26 * mm, 20 * mm, 18 * mm]
    table = _table(rows, widths, fonts)
    table.setStyle(TableStyle([("FONT", (0, -2), (-1, -2), fonts.bold, 8.5, 11)]))
    story += [Paragraph("Attendance, school by school", h2), table]
    used = [(v, label) for v, label in stages if dashboard.trust.cases.get(v)]
    if used:
        rows = [heads(["School", *[label for _v, label in used]])]
        for s in (*dashboard.schools, dashboard.trust):
            rows.append([name(s), *[str(s.cases.get(v, 0)) for v, _label in used]])
        each = (WIDTH - 56 * mm) / len(used)
        story += [
            Paragraph("Open cases by stage", h2),
            _table(rows, [56 * mm] + [each] * len(used), fonts),
        ]
    if dashboard.trust.concerns is not None:
        rules = sorted(dashboard.trust.concerns, key=lambda r: -dashboard.trust.concerns[r])
        rows = [
            heads(["Open concerns by rule", *[str(s.name) for s in dashboard.schools], "Trust"])
        ]
        for rule in rules:
            rows.append(
                [
                    rule_title(rule),
                    *[str((s.concerns or {}).get(rule, 0)) for s in dashboard.schools],
                    str(dashboard.trust.concerns[rule]),
                ]
            )
        n = len(dashboard.schools) + 1
        each = (WIDTH - 50 * mm) / n
        story += [Paragraph("Open concerns by rule (pupils)", h2)]
        if n <= 8:
            story.append(_table(rows, [50 * mm] + [each] * n, fonts))
        else:  # many schools: one line per school, the rules across
            short = rules[:5]
            rows = [heads(["School", *[rule_title(r) for r in short]])]
            for s in (*dashboard.schools, dashboard.trust):
                concerns = s.concerns or {}
                rows.append([name(s), *[str(concerns.get(r, 0)) for r in short]])
            each = (WIDTH - 56 * mm) / len(short)
            story.append(_table(rows, [56 * mm] + [each] * len(short), fonts))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            "Persistent absence: attendance of 90% or less; severe: 50% or less; shares are of "
            f"pupils. National figures: primary schools in England, {national.year}.",
            styles.small,
        )
    )

    def footer(canv, doc) -> None:  # noqa: ANN001
        canv.setFont(fonts.regular, 7.5)
        canv.setFillColor(MUTED)
        canv.drawString(18 * mm, 10 * mm, title)
        canv.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Attendance Desk",
        creator="Attendance Desk",
        invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_canvas)
    return buf.getvalue()
