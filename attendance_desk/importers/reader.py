"""Reading one file end to end: sheets -> detected (or user-given) layout -> parsed content.

`inspect_file` only detects; `parse_file` detects (or takes the user's mapping) and reads.
Both raise ImportFileError with the file, sheet, row and column named.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from attendance_desk.errors import ImportFileError
from attendance_desk.importers.cells import BadDate, clean_text, parse_date_value
from attendance_desk.importers.layouts import detect, has_identity
from attendance_desk.importers.model import (
    ClosureRow,
    ColumnMapping,
    Detection,
    HalfTermRow,
    Kind,
    Layout,
    ParsedFile,
    PupilRow,
    SheetData,
)
from attendance_desk.importers.problems import Problems
from attendance_desk.importers.pupils import read_pupil
from attendance_desk.importers.registers import read_register
from attendance_desk.importers.sources import content_hash, read_sheets

Progress = Callable[[int, int], None]


def _sheets(path: Path) -> list[SheetData]:
    sheets = list(read_sheets(path))
    if not any(any(clean_text(v) for v in row) for sheet in sheets for row in sheet.rows[:500]):
        raise ImportFileError(f"{path.name}: the file is empty (no cells hold anything)")
    return sheets


def inspect_file(path: Path) -> Detection:
    """Read the file and say what it looks like; never raises for an unsure layout."""
    return detect(path.name, _sheets(path))


def parse_file(
    path: Path,
    mapping: ColumnMapping | None = None,
    progress: Progress | None = None,
    *,
    digest: str | None = None,
) -> ParsedFile:
    """Read and understand a whole file. Without a mapping the layout must be certain.

    `digest` is the file's sha256 when the caller has it already (the file is not hashed again).
    """
    path = Path(path)
    sheets = _sheets(path)
    if mapping is None:
        detection = detect(path.name, sheets)
        if not detection.confident or detection.mapping is None:
            hint = (
                " (in the import window you can say which column holds what)"
                if detection.mapping is not None
                else ""
            )
            raise ImportFileError(f"{path.name}: {detection.reason}{hint}")
        mapping = detection.mapping
    sheet = next((s for s in sheets if s.name == mapping.sheet), sheets[0])
    rows = sheet.rows
    if mapping.header_row >= len(rows):
        raise ImportFileError(f"{path.name}, sheet {sheet.name}: the header row is past the end")
    names = {c: clean_text(v) for c, v in enumerate(rows[mapping.header_row])}
    if mapping.layout is Layout.WIDE_TWO_ROW and mapping.header_row + 1 < len(rows):
        below = rows[mapping.header_row + 1]
        for col, value in enumerate(below):
            text = clean_text(value)
            if text:
                names[col] = f"{names.get(col, '')} {text}".strip()
        _fill_merged_dates(names, rows[mapping.header_row], mapping)
    problems = Problems(path.name, sheet.name, names)
    parsed = ParsedFile(
        path=str(path),
        file_name=path.name,
        content_hash=digest or content_hash(path),
        sheet=sheet.name,
        layout=mapping.layout,
    )
    kind = mapping.layout
    roles = {r: c for c, r in sorted(mapping.roles.items(), reverse=True) if r != "ignore"}
    if kind.kind in (Kind.ROSTER, Kind.REGISTER) and not has_identity(mapping.roles):
        raise problems.error(
            "no identity column: none of UPN, Adno/Admission No, Name or Surname + Forename "
            "was found"
        )
    if kind is Layout.ROSTER:
        parsed.roster = _read_roster(rows, mapping.header_row, roles, problems, parsed)
    elif kind is Layout.TERM_DATES:
        parsed.half_terms = _read_half_terms(rows, mapping.header_row, roles, problems)
    elif kind is Layout.CLOSURES:
        parsed.closures = _read_closures(rows, mapping.header_row, roles, problems)
    else:
        parsed.register = read_register(rows, mapping, problems, progress)
        parsed.skipped = list(parsed.register.skipped)
        for code, count in sorted(parsed.register.legacy.items()):
            parsed.warnings.append(f"legacy code {code} used {count} times (a pre-2024 code)")
    problems.raise_if_any()
    parsed.warnings.extend(problems.warnings)
    return parsed


def _fill_merged_dates(names: dict[int, str], date_row: list[Any], mapping: ColumnMapping) -> None:
    last = ""
    for col in sorted(names):
        value = date_row[col] if col < len(date_row) else ""
        try:
            day = parse_date_value(value)
        except BadDate:
            day = None
        if day is not None:
            last = day.strftime("%d/%m/%Y")
        if mapping.roles.get(col) == "session_column" and day is None and last:
            names[col] = f"{last} {names[col]}".strip()


def _read_roster(
    rows: list[list[Any]],
    header: int,
    roles: dict[str, int],
    problems: Problems,
    parsed: ParsedFile,
) -> list[PupilRow]:
    pupils = []
    for r in range(header + 1, len(rows)):
        pupil = read_pupil(rows[r], r + 1, roles, problems, full=True)
        if pupil is None:
            if any(clean_text(v) for v in rows[r]):
                parsed.skipped.append((r + 1, "the row names no pupil"))
            continue
        if not (pupil.surname and pupil.forename):
            problems.add(r + 1, None, "the pupil has no surname or forename")
            continue
        pupils.append(pupil)
    if not pupils and not problems.count:
        raise problems.error("no pupils found under the header row")
    return pupils


def _cell_date(row: list[Any], r: int, col: int | None, problems: Problems, what: str) -> Any:
    if col is None:
        return None
    value = row[col] if col < len(row) else ""
    try:
        day = parse_date_value(value)
    except BadDate as exc:
        problems.add(r, col, str(exc))
        return None
    if day is None:
        problems.add(r, col, f"'{clean_text(value)}' is not a {what} date (use dd/mm/yyyy)")
    return day


def _read_half_terms(
    rows: list[list[Any]], header: int, roles: dict[str, int], problems: Problems
) -> list[HalfTermRow]:
    out = []
    for r in range(header + 1, len(rows)):
        row = rows[r]
        if not any(clean_text(v) for v in row):
            continue
        name_col = roles["half_term"]
        name = clean_text(row[name_col]) if name_col < len(row) else ""
        start = _cell_date(row, r + 1, roles.get("start"), problems, "start")
        end = _cell_date(row, r + 1, roles.get("end"), problems, "end")
        if not name:
            problems.add(r + 1, name_col, "the half term has no name")
        if start and end:
            if end < start:
                problems.add(r + 1, roles["end"], "the half term ends before it starts")
            elif name:
                out.append(HalfTermRow(r + 1, name, start, end))
    if not out and not problems.count:
        raise problems.error("no half terms found under the header row")
    return out


def _closure_kind(text: str) -> str:
    low = text.lower()
    if "inset" in low or "training" in low or low == "#":
        return "inset"
    if "bank" in low or "public" in low:
        return "bank_holiday"
    return "other"


def _read_closures(
    rows: list[list[Any]], header: int, roles: dict[str, int], problems: Problems
) -> list[ClosureRow]:
    out = []
    for r in range(header + 1, len(rows)):
        row = rows[r]
        if not any(clean_text(v) for v in row):
            continue
        day = _cell_date(row, r + 1, roles["date"], problems, "closure")
        kind_text = clean_text(row[roles["kind"]]) if roles.get("kind", 99999) < len(row) else ""
        desc_col = roles.get("description")
        description = (
            clean_text(row[desc_col]) if desc_col is not None and desc_col < len(row) else ""
        )
        if day is not None:
            out.append(ClosureRow(r + 1, day, _closure_kind(kind_text or description), description))
    if not out and not problems.count:
        raise problems.error("no closure dates found under the header row")
    return out
