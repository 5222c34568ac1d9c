"""Building real register files for tests: xlsx (openpyxl), xls (xlwt), ods (odfpy), csv.

A small register: three pupils over Mon 2 - Wed 4 September 2024, with multi-character codes
(C1, J1, Y7), a no-mark cell and both sessions. Every builder writes the same marks.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

DAYS = [date(2024, 9, 2), date(2024, 9, 3), date(2024, 9, 4)]
PUPILS = [
    # upn, adno, surname, forename, form, dob
    ("A123456789012", "000101", "O'Brien", "Zoë", "3 Cedar", date(2017, 1, 5)),
    ("C223456789012", "000102", "Nguyễn", "Łucja", "3 Cedar", date(2017, 3, 9)),
    ("E323456789012", "000103", "Smith", "Jack", "4 Elm", date(2016, 6, 30)),
]
# pupil index -> [(AM, PM) per day]; "" is no mark
MARKS = [
    [("/", "\\"), ("C1", "C1"), ("/", "J1")],
    [("I", "I"), ("/", "\\"), ("Y7", "\\")],
    [("L", "\\"), ("", ""), ("/", "N")],
]


def expected_marks() -> dict[tuple[str, str, str], str]:
    """(UPN, ISO date, session) -> code, as every builder writes them."""
    out = {}
    for p, pupil in enumerate(PUPILS):
        for d, day in enumerate(DAYS):
            for s, session in enumerate(("AM", "PM")):
                code = MARKS[p][d][s]
                if code:
                    out[(pupil[0], day.isoformat(), session)] = code
    return out


def session_header(day: date, session: str) -> str:
    return f"{day:%a %d/%m/%Y} {session}"


def wide_rows(title: bool = True) -> list[list[Any]]:
    rows: list[list[Any]] = []
    if title:
        rows.append(["Ashgrove Primary School"])
        rows.append(["Attendance marks 02/09/2024 - 04/09/2024"])
        rows.append([])
    header = ["UPN", "Surname", "Forename", "Form"]
    header += [session_header(d, s) for d in DAYS for s in ("AM", "PM")]
    rows.append(header)
    for p, (upn, _, surname, forename, form, _) in enumerate(PUPILS):
        rows.append([upn, surname, forename, form] + [c for day in MARKS[p] for c in day])
    return rows


def day_pair_rows(header_dates: str = "date") -> list[list[Any]]:
    """Adno + Name, then one column per day holding both marks; headers as real dates,
    Excel serial numbers ('serial') or dd/mm/yyyy text ('text')."""

    def head(day: date) -> Any:
        if header_dates == "serial":
            return (day - date(1899, 12, 30)).days
        if header_dates == "text":
            return f"{day:%d/%m/%Y}"
        return day

    rows: list[list[Any]] = [["Adno", "Name", "Class"] + [head(d) for d in DAYS]]
    for p, (_, adno, surname, forename, form, _) in enumerate(PUPILS):
        cells = [(am or "-") + (pm or "-") if (am or pm) else "" for am, pm in MARKS[p]]
        rows.append([adno, f"{surname}, {forename}", form] + cells)
    return rows


def long_session_rows(session_words: tuple[str, str] = ("AM", "PM")) -> list[list[Any]]:
    rows: list[list[Any]] = [["UPN", "Legal Surname", "Legal Forename", "Date", "Session", "Mark"]]
    for p, (upn, _, surname, forename, _, _) in enumerate(PUPILS):
        for d, day in enumerate(DAYS):
            for s, word in enumerate(session_words):
                rows.append([upn, surname, forename, f"{day:%d/%m/%Y}", word, MARKS[p][d][s]])
    return rows


def long_day_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [["UPN", "Surname", "Forename", "Reg Group", "Date", "AM", "PM"]]
    for p, (upn, _, surname, forename, form, _) in enumerate(PUPILS):
        for d, day in enumerate(DAYS):
            rows.append([upn, surname, forename, form, day.isoformat(), *MARKS[p][d]])
    return rows


def two_row_header_rows(top: int = 1) -> tuple[list[list[Any]], list[str]]:
    """A date row (sheet row `top`) over an AM/PM row; returns the rows and the ranges to
    merge (each date over its two sessions)."""
    dates: list[Any] = ["UPN", "Surname", "Forename"]
    sub: list[Any] = ["", "", ""]
    merges = []
    for n, day in enumerate(DAYS):
        dates += [day, ""]
        sub += ["AM", "PM"]
        first = 4 + 2 * n
        merges.append(f"{_letter(first)}{top}:{_letter(first + 1)}{top}")
    rows = [dates, sub]
    for p, (upn, _, surname, forename, _, _) in enumerate(PUPILS):
        rows.append([upn, surname, forename] + [c for day in MARKS[p] for c in day])
    return rows, merges


def roster_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["UPN", "Adno", "Legal Surname", "Legal Forename", "DOB", "Sex", "NC Year", "Reg Group",
         "Contact 1 Name", "Contact 1 Relationship", "Contact 1 Phone"],
    ]  # fmt: skip
    for upn, adno, surname, forename, form, dob in PUPILS:
        rows.append(
            [upn, adno, surname, forename, dob, "F", form[0], form, f"Parent {surname}",
             "Mother", "07700 900001"]
        )  # fmt: skip
    return rows


def _letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def write_xlsx(
    path: Path, rows: list[list[Any]], sheet: str = "Marks", merges: list[str] | None = None
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for rng in merges or []:
        ws.merge_cells(rng)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, date | datetime):
                cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    return path


def write_csv(
    path: Path,
    rows: list[list[Any]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xls(path: Path, rows: list[list[Any]], sheet: str = "Marks") -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                ws.write(r, c, value, date_style)
            elif value not in ("", None):
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_ods(path: Path, rows: list[list[Any]], sheet: str = "Marks") -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name=sheet)
    for row in rows:
        tr = TableRow()
        for value in row:
            if isinstance(value, date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=f"{value:%d/%m/%Y}"))
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            elif value in ("", None):
                cell = TableCell()
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def with_cached_formulas(path: Path, cells: dict[str, tuple[str, str]]) -> Path:
    """Turn cells of a saved xlsx into formulas with a cached value, as Excel saves them:
    {"F2": ('UPPER("i")', "I")}. The formula text is never evaluated by the importer."""
    with zipfile.ZipFile(path) as zin:
        items = {name: zin.read(name) for name in zin.namelist()}
    xml = items["xl/worksheets/sheet1.xml"].decode("utf-8")
    for ref, (formula, cached) in cells.items():
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', re.S)
        replacement = f'<c r="{ref}" t="str"><f>{formula}</f><v>{cached}</v></c>'
        xml, count = pattern.subn(replacement, xml)
        assert count == 1, ref
    items["xl/worksheets/sheet1.xml"] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items.items():
            zout.writestr(name, data)
    return path


def encrypt_xlsx(plain: Path, out: Path, password: str = "secret") -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with plain.open("rb") as src, out.open("wb") as dst:
        OOXMLFile(src).encrypt(password, dst)
    return out


# --- registers shaped as the MIS products export them (issue 11) ---------------------------

SESSIONS = ("AM", "PM")


def _cells(p: int, *, arbor: bool = False) -> list[str]:
    """Pupil p's marks, a cell per session; Arbor writes '/' for a present afternoon too."""
    out = []
    for am, pm in MARKS[p]:
        out += [am, "/" if arbor and pm == "\\" else pm]
    return out


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def sims_two_row(header_dates: str = "weekday") -> tuple[list[list[Any]], list[str]]:
    """A SIMS-like register: title rows, a blank row, dates merged over an am/pm row (as text
    with the weekday, real dates, serials or dd/mm/yyyy text), a combined 'Name' column written
    'SURNAME Forename', summary columns to the right, and footer rows."""

    def head(day: date) -> Any:
        return {
            "weekday": f"{day:%a %d/%m/%Y}",
            "date": day,
            "serial": _serial(day),
            "text": f"{day:%d/%m/%Y}",
        }[header_dates]

    rows: list[list[Any]] = [
        ["Ashgrove Primary School"],
        ["Attendance Register: Week beginning 02/09/2024"],
        ["Printed: 05/09/2024 10:02 by: jsmith"],
        [],
    ]
    top: list[Any] = ["UPN", "Name", "Reg", "Year"]
    sub: list[Any] = ["", "", "", ""]
    merges = []
    for n, day in enumerate(DAYS):
        top += [head(day), ""]
        sub += ["am", "pm"]
        first = 5 + 2 * n
        merges.append(f"{_letter(first)}5:{_letter(first + 1)}5")
    top += ["Poss", "Pres", "Att %"]
    sub += ["", "", ""]
    rows += [top, sub]
    for p, (upn, _, surname, forename, form, _) in enumerate(PUPILS):
        marks = _cells(p)
        present = sum(1 for m in marks if m in ("/", "\\", "L"))
        possible = sum(1 for m in marks if m)
        rows.append(
            [upn, f"{surname.upper()} {forename}", form, f"Year {form[0]}", *marks,
             possible, present, round(100 * present / possible, 1)]
        )  # fmt: skip
    rows += [[], [f"Number of pupils: {len(PUPILS)}"], ["Key: / present  \\ present  N no reason"]]
    return rows, merges


def one_cell_sessions(text: bool = True) -> list[list[Any]]:
    """A cell per session headed 'Mon 02/09/2024 AM', admission numbers with their leading
    zeros lost, 'Surname, Forename' names, year groups as 'NC Year 3', totals rows inside."""
    header: list[Any] = ["Adno", "Pupil Name", "Registration Group", "NC Year"]
    header += [session_header(d, s) for d in DAYS for s in SESSIONS]
    rows: list[list[Any]] = [["Attendance by session"], header]
    for p, (_, adno, surname, forename, form, _) in enumerate(PUPILS):
        rows.append([int(adno), f"{surname}, {forename}", form, f"NC Year {form[0]}"] + _cells(p))
    rows.append(["", "Present", "", "", 2, 2, 2, 2, 3, 2])
    rows.append(["", "Absent", "", "", 1, 1, 1, 1, 0, 1])
    return rows


def weekly_sheets() -> list[tuple[str, list[list[Any]]]]:
    """One sheet per 'week' (here: the days split over two sheets), a totals row in each,
    plus a summary sheet and a key sheet that hold no register."""
    sheets = []
    for name, days in (("Week 1", DAYS[:2]), ("Week 2", DAYS[2:])):
        header: list[Any] = ["UPN", "Forename", "Surname", "Form"]
        header += [session_header(d, s) for d in days for s in SESSIONS]
        rows: list[list[Any]] = [[f"Register {name}"], header]
        for p, (upn, _, surname, forename, form, _) in enumerate(PUPILS):
            cells = [c for d in days for c in MARKS[p][DAYS.index(d)]]
            rows.append([upn, forename, surname, form, *cells])
        rows.append(["", "Total", "", "", *([3] * (2 * len(days)))])
        sheets.append((name, rows))
    sheets.append(("Summary", [["Form", "Attendance %"], ["3 Cedar", 91.2], ["4 Elm", 88.0]]))
    sheets.append(("Key", [["Code", "Meaning"], ["/", "Present AM"], ["\\", "Present PM"]]))
    return sheets


def class_sheets() -> list[tuple[str, list[list[Any]]]]:
    """One sheet per class, person ids as the only identity ('PersonID')."""
    sheets = []
    for form in sorted({p[4] for p in PUPILS}):
        header: list[Any] = ["PersonID", "Legal Surname", "Legal Forename"]
        header += [day for day in DAYS]
        rows: list[list[Any]] = [header]
        for p, (_, _, surname, forename, pupil_form, _) in enumerate(PUPILS):
            if pupil_form != form:
                continue
            cells = [(am or "-") + (pm or "-") if (am or pm) else "" for am, pm in MARKS[p]]
            rows.append([person_id(p), surname, forename, *cells])
        sheets.append((form, rows))
    return sheets


def person_id(p: int) -> str:
    return f"P{9100 + p}"


def long_export(
    *,
    upn_header: str = "STUDENT_UPN",
    words: tuple[str, str] = ("MORNING", "AFTERNOON"),
    when: str = "iso",
    arbor: bool = False,
    forename_of: dict[int, str] | None = None,
) -> list[list[Any]]:
    """A data-platform export: a row per pupil and session, in no particular order, the date
    as an ISO date-time with the session's start ('iso'), dd/mm/yyyy text ('text') or an
    Excel serial with the time ('serial')."""
    rows: list[list[Any]] = [
        [upn_header, "FIRST_NAME", "LAST_NAME", "REGISTRATION_FORM", "SESSION_DATE",
         "SESSION", "MARK"]
    ]  # fmt: skip
    body = []
    for p, (upn, _, surname, forename, form, _) in enumerate(PUPILS):
        name = (forename_of or {}).get(p, forename)
        for d, day in enumerate(DAYS):
            for s, word in enumerate(words):
                start = "09:00:00" if s == 0 else "13:15:00"
                value: Any = {
                    "iso": f"{day.isoformat()}T{start}",
                    "text": f"{day:%d/%m/%Y}",
                    "serial": _serial(day) + (0.375 if s == 0 else 0.55),
                }[when]
                mark = _cells(p, arbor=arbor)[2 * d + s]
                body.append([upn, name, surname, form, value, word, f"{mark} " if mark else "-"])
    order = [(i * 7) % len(body) for i in range(len(body))]  # any order (7 is coprime to 18)
    return rows + [body[i] for i in order]


def student_id_rows() -> list[list[Any]]:
    """Keyed on 'Student ID' holding admission numbers with the leading zeros lost, a long
    register per pupil and day ('Date', 'AM', 'PM') with 1/2 nowhere, names combined."""
    rows: list[list[Any]] = [["Student ID", "Student Name", "Date", "AM", "PM"]]
    for p, (_, adno, surname, forename, _, _) in enumerate(PUPILS):
        for d, day in enumerate(DAYS):
            am, pm = MARKS[p][d]
            rows.append([str(int(adno)), f"{forename} {surname}", f"{day:%d/%m/%Y}", am, pm])
    return rows


def write_workbook(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, date | datetime):
                    cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    return path


def roster_with_person_ids() -> list[list[Any]]:
    rows = roster_rows()
    rows[0].append("PersonID")
    for p, row in enumerate(rows[1:]):
        row.append(person_id(p))
    return rows
