"""The evidence bundle PDF (ReportLab): summary, the year's calendar of marks, the chronology."""

from __future__ import annotations

import calendar as cal
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from attendance_desk.documents.fonts import register_fonts
from attendance_desk.domain.calendar import YEAR_START_MONTH, AcademicYear
from attendance_desk.domain.codes import CODES, Category
from attendance_desk.domain.dates import numeric
from attendance_desk.domain.figures import Figures, pct_2dp
from attendance_desk.domain.pathway import Stage


class BundleContact(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def relationship(self) -> str: ...
    @property
    def phones(self) -> tuple[tuple[str, str], ...]: ...


class BundlePupil(Protocol):
    @property
    def upn(self) -> str: ...
    @property
    def forename(self) -> str: ...
    @property
    def surname(self) -> str: ...
    @property
    def legal_name(self) -> str: ...
    @property
    def date_of_birth(self) -> date | None: ...
    @property
    def reg_group(self) -> str: ...
    @property
    def year_group(self) -> str: ...
    @property
    def admission_date(self) -> date | None: ...
    @property
    def contacts(self) -> Sequence[BundleContact]: ...


class BundleCase(Protocol):
    @property
    def stage(self) -> Stage: ...
    @property
    def stage_started(self) -> date: ...
    @property
    def key_person(self) -> str: ...
    @property
    def barriers(self) -> str: ...


class BundleEntry(Protocol):
    """One line of the chronology."""

    @property
    def date(self) -> date: ...
    @property
    def label(self) -> str: ...
    @property
    def recorded_by(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def edited(self) -> bool: ...
    @property
    def revision(self) -> int: ...


@dataclass(frozen=True)
class EvidenceBundleData:
    """What the bundle shows; the service gathers it (this module only lays it out)."""

    school_name: str
    pupil: BundlePupil
    as_of: date
    year: AcademicYear
    figures: Figures  # 1 September to as_of, while on roll
    marks: dict[date, tuple[str | None, str | None]]  # (AM, PM) for every day with a mark
    school_days: frozenset[date]
    cases: Sequence[BundleCase]
    chronology: Sequence[BundleEntry]  # oldest first
    prepared_by: str


CATEGORY_FILL = {
    Category.PRESENT: "#dcedc8",
    Category.APPROVED_ACTIVITY: "#c5e1a5",
    Category.AUTHORISED: "#ffe0b2",
    Category.UNAUTHORISED: "#ffcdd2",
    Category.NOT_POSSIBLE: "#e0e0e0",
}
NO_SCHOOL = "#f5f5f5"
DASH = "\u2013"
MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)


def _d(day: date | None) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}" if day else "\u2013"


def _styles() -> dict[str, ParagraphStyle]:
    f = register_fonts()
    base = ParagraphStyle("body", fontName=f.regular, fontSize=9, leading=11.5)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9),
        "h1": ParagraphStyle(
            "h1", parent=base, fontName=f.bold, fontSize=16, leading=20, spaceAfter=4
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=f.bold, fontSize=12, leading=15, spaceBefore=8, spaceAfter=4
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "bold": ParagraphStyle("bold", parent=base, fontName=f.bold),
    }


def _summary(data: EvidenceBundleData, st: dict[str, ParagraphStyle]) -> list:
    p, fig = data.pupil, data.figures
    rows = [
        ["Pupil", f"{p.forename} {p.surname}", "UPN", p.upn or "\u2013"],
        ["Legal name", p.legal_name, "Date of birth", _d(p.date_of_birth)],
        ["Class", f"{p.reg_group} (Year {p.year_group})", "Admitted", _d(p.admission_date)],
        [
            "Attendance",
            f"{pct_2dp(fig.attendance) or DASH}% ({fig.attended} of {fig.possible} sessions)",
            "Period",
            f"{_d(data.year.start)} to {_d(data.as_of)}",
        ],
        [
            "Authorised absence",
            f"{fig.authorised} sessions",
            "Unauthorised absence",
            f"{fig.unauthorised} sessions",
        ],
        [
            "Late (L, U)",
            str(fig.late),
            "Persistent / severe",
            f"{'yes' if fig.persistent else 'no'} / {'yes' if fig.severe else 'no'}",
        ],
    ]
    if data.cases:
        case = data.cases[-1]
        state = f"{case.stage.label} since {_d(case.stage_started)}"
        rows.append(["Case", state, "Key person", case.key_person or "\u2013"])
        if case.barriers:
            rows.append(["Barriers", case.barriers, "", ""])
    contacts = "; ".join(
        f"{c.name} ({c.relationship or 'contact'})" + (f" {c.phones[0][1]}" if c.phones else "")
        for c in p.contacts
    )
    rows.append(["Contacts", contacts or "\u2013", "", ""])
    table = Table(
        [
            [
                Paragraph(escape(str(c)), st["bold" if i % 2 == 0 else "cell"])
                for i, c in enumerate(r)
            ]
            for r in rows
        ],
        colWidths=[38 * mm, 95 * mm, 38 * mm, 95 * mm],
    )
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bdbdbd")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f5f5f5")),
        ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f5f5f5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for i, r in enumerate(rows):
        if r[2] == "":
            style.append(("SPAN", (1, i), (3, i)))
            style.append(("BACKGROUND", (1, i), (3, i), colors.white))
    table.setStyle(TableStyle(style))
    codes = ", ".join(f"{c} {n}" for c, n in sorted(fig.code_counts.items()))
    return [
        table,
        Spacer(1, 3 * mm),
        Paragraph(f"Marks this year by code: {escape(codes) or 'none'}", st["small"]),
    ]


def _calendar(data: EvidenceBundleData, st: dict[str, ParagraphStyle]) -> Table:
    font = register_fonts()
    start_year = data.year.start.year
    header = ["", *[str(d) for d in range(1, 32)]]
    rows = [header]
    style = [
        ("FONT", (0, 0), (-1, -1), font.regular, 6.5),
        ("FONT", (0, 0), (-1, 0), font.bold, 6.5),
        ("FONT", (0, 0), (0, -1), font.bold, 6.5),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#bdbdbd")),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 0.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0.5),
    ]
    for r, month in enumerate(MONTHS, start=1):
        year = start_year if month >= YEAR_START_MONTH else start_year + 1
        days_in = cal.monthrange(year, month)[1]
        row = [f"{cal.month_abbr[month]} {year % 100:02d}"]
        for day_no in range(1, 32):
            if day_no > days_in:
                row.append("")
                style.append(("BACKGROUND", (day_no, r), (day_no, r), colors.white))
                continue
            day = date(year, month, day_no)
            am, pm = data.marks.get(day, (None, None))
            text = "" if am is None and pm is None else f"{am or '-'}{pm or '-'}"
            row.append(text)
            fill = _fill(am, pm, day in data.school_days or bool(text), day.weekday() >= 5)
            style.append(("BACKGROUND", (day_no, r), (day_no, r), colors.HexColor(fill)))
        rows.append(row)
    table = Table(rows, colWidths=[13 * mm] + [8.1 * mm] * 31, rowHeights=[5.5 * mm] * len(rows))
    table.setStyle(TableStyle(style))
    return table


def _fill(am: str | None, pm: str | None, school_day: bool, weekend: bool) -> str:
    if weekend or not school_day:
        return NO_SCHOOL if not weekend else "#eeeeee"
    order = (
        Category.UNAUTHORISED,
        Category.AUTHORISED,
        Category.APPROVED_ACTIVITY,
        Category.PRESENT,
        Category.NOT_POSSIBLE,
    )
    cats = {CODES[c].category for c in (am, pm) if c in CODES}
    for cat in order:
        if cat in cats:
            return CATEGORY_FILL[cat]
    return "#ffffff"


def _key(st: dict[str, ParagraphStyle]) -> Table:
    items = [
        ("Present", Category.PRESENT),
        ("Approved activity", Category.APPROVED_ACTIVITY),
        ("Authorised absence", Category.AUTHORISED),
        ("Unauthorised absence", Category.UNAUTHORISED),
        ("Not possible", Category.NOT_POSSIBLE),
    ]
    row = []
    style = [
        ("FONT", (0, 0), (-1, -1), register_fonts().regular, 7),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i, (label, cat) in enumerate(items):
        row += ["", label]
        style.append(("BACKGROUND", (2 * i, 0), (2 * i, 0), colors.HexColor(CATEGORY_FILL[cat])))
        style.append(("BOX", (2 * i, 0), (2 * i, 0), 0.25, colors.grey))
    table = Table([row], colWidths=[5 * mm, 32 * mm] * len(items))
    table.setStyle(TableStyle(style))
    return table


def _chronology(data: EvidenceBundleData, st: dict[str, ParagraphStyle]) -> list:
    if not data.chronology:
        return [Paragraph("Nothing recorded on the case.", st["body"])]
    rows = [[Paragraph(h, st["bold"]) for h in ("Date", "What", "By", "Record")]]
    for e in data.chronology:
        record = escape(e.summary)
        if e.reason:
            record += "<br/><i>Why:</i> " + escape(e.reason).replace("\n", "<br/>")
        if e.edited:
            record += f" <font size=7>(edited; version {e.revision})</font>"
        rows.append(
            [
                Paragraph(numeric(e.date), st["cell"]),
                Paragraph(escape(e.label), st["cell"]),
                Paragraph(escape(e.recorded_by or "\u2013"), st["cell"]),
                Paragraph(record, st["cell"]),
            ]
        )
    table = Table(rows, colWidths=[22 * mm, 42 * mm, 40 * mm, 162 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bdbdbd")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return [table]


def build_evidence_pdf(data: EvidenceBundleData) -> bytes:
    st = _styles()
    buffer = io.BytesIO()
    name = f"{data.pupil.forename} {data.pupil.surname}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Evidence bundle: {name}",
        author=data.school_name,
        subject="Attendance evidence for a local-authority referral",
    )

    def footer(canvas, doc_) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont(register_fonts().regular, 7.5)
        canvas.drawString(
            15 * mm,
            8 * mm,
            f"{data.school_name} \u2014 evidence bundle for {name} \u2014 as of {_d(data.as_of)}",
        )
        canvas.drawRightString(
            landscape(A4)[0] - 15 * mm, 8 * mm, f"Page {doc_.page}  \u2014  OFFICIAL-SENSITIVE"
        )
        canvas.restoreState()

    story = [
        Paragraph(escape(f"Attendance evidence bundle: {name}"), st["h1"]),
        Paragraph(
            escape(
                f"{data.school_name} \u00b7 academic year {data.year.name} \u00b7 prepared {_d(data.as_of)}"
                + (f" by {data.prepared_by}" if data.prepared_by else "")
            ),
            st["body"],
        ),
        Paragraph("Attendance summary", st["h2"]),
        *_summary(data, st),
        KeepTogether(
            [
                Paragraph(f"Calendar of marks, {data.year.name} (AM then PM)", st["h2"]),
                _calendar(data, st),
                Spacer(1, 2 * mm),
                _key(st),
            ]
        ),
        PageBreak(),
        Paragraph("Chronology", st["h2"]),
        *_chronology(data, st),
    ]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
