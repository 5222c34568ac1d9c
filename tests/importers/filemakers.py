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
    ("B123456789012", "000102", "Nguyễn", "Łucja", "3 Cedar", date(2017, 3, 9)),
    ("C123456789012", "000103", "Smith", "Jack", "4 Elm", date(2016, 6, 30)),
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
