"""Reading one file end to end: sheets -> detected (or user-given) layout -> parsed content.

`inspect_file` only detects; `parse_file` detects (or takes the user's mapping) and reads.
Both raise ImportFileError with the file, sheet, row and column named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from attendance_desk.domain.dates import numeric
from attendance_desk.errors import ImportDecisionNeeded, ImportFileError
from attendance_desk.importers.cells import BadDate, clean_text, parse_date_value
from attendance_desk.importers.columns import ROLE_LABELS
from attendance_desk.importers.layouts import detect, detect_sheet, has_identity
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
from attendance_desk.importers.sources import Source, read_sheets, read_source

Progress = Callable[[int, int], None]


def _sheets(file: Path | Source, read: list[SheetData] | None = None) -> list[SheetData]:
    """The file's sheets (`read`: already read from its source, as importers/ahead.py does)."""
    source = file if isinstance(file, Source) else read_source(Path(file))
    path = source.path
    sheets = list(read_sheets(source)) if read is None else read
    if not any(any(clean_text(v) for v in row) for sheet in sheets for row in sheet.rows[:500]):
        raise ImportFileError(f"{path.name}: the file is empty (no cells hold anything)")
    return sheets


def inspect_file(path: Path, remembered: Remembered | None = None) -> Detection:
    """Read the file and say what it looks like; never raises for an unsure layout.

    With `remembered` (a saved mapping per header signature), a file the user mapped before
    is recognised as sure. A hidden sheet is not looked at."""
    path = Path(path)
    sheets = _sheets(path)
    visible = [sheet for sheet in sheets if not sheet.hidden]
    detections = [detect_sheet(path.name, sheet) for sheet in visible]
    if not detections:
        return detect(path.name, sheets)
    for n, detection in enumerate(detections):
        if not detection.confident and remembered is not None:
            found = remembered(visible[n], detection)
            if found is not None:
                detections[n] = replace(
                    detection, mapping=found[1], confident=True, reason=f"mapping '{found[0]}'"
                )
    chosen = (
        next((d for d in detections if d.unusable), None)
        or next((d for d in detections if d.confident), None)
        or next((d for d in detections if d.mapping is not None), None)
        or detections[0]
    )
    if chosen.header_too_low:  # a mapping step cannot reach it: the file must be mended
        raise ImportFileError(f"{path.name}: {chosen.reason}")
    if not chosen.confident and len(visible) < len(sheets):
        chosen = replace(chosen, reason=chosen.reason + _hidden_note(sheets))
    return chosen


def _hidden_note(sheets: list[SheetData]) -> str:
    """What a message about a file adds when it has hidden sheets, which are never read."""
    names = ", ".join(f"'{s.name}'" for s in sheets if s.hidden)
    if not names:
        return ""
    return f" (hidden sheets are not read: {names}; unhide a sheet in Excel to import it)"


# (sheet, its detection) -> (saved mapping's name, the mapping for this sheet), or None
Remembered = Callable[[SheetData, Detection], "tuple[str, ColumnMapping] | None"]


def _plan(
    path: Path, sheets: list[SheetData], remembered: Remembered | None, prefer: bool
) -> tuple[list[tuple[SheetData, ColumnMapping]], list[str], str | None]:
    """Which sheets to read with which mapping, the sheets skipped (with why), and the name of
    a remembered mapping used. Raises when a decision is needed or nothing can be read."""
    skipped: list[str] = []
    found: list[tuple[SheetData, Detection]] = []
    used: str | None = None
    for sheet in sheets:
        if sheet.hidden:
            skipped.append(f"sheet '{sheet.name}' skipped: it is hidden")
            continue
        detection = detect_sheet(path.name, sheet)
        if remembered is not None and (prefer or not detection.confident):
            saved = remembered(sheet, detection)
            if saved is not None:
                used = saved[0]
                detection = replace(detection, mapping=saved[1], confident=True, unusable=())
        found.append((sheet, detection))
    for _sheet, detection in found:
        if detection.unusable:
            raise ImportDecisionNeeded(f"{path.name}: {detection.reason}", path.name)
    sure = [(s, d) for s, d in found if d.confident and d.mapping is not None]
    registers = [(s, d) for s, d in sure if d.mapping and d.mapping.layout.kind is Kind.REGISTER]
    chosen = registers or sure[:1]
    if not chosen:
        first = next((d for _, d in found if d.mapping is not None), None)
        detection = first or (found[0][1] if found else detect(path.name, sheets))
        hidden = _hidden_note(sheets)
        if detection.mapping is not None:
            raise ImportDecisionNeeded(
                f"{path.name}: {detection.reason} (in the import window you can say which "
                f"column holds what){hidden}",
                path.name,
            )
        raise ImportFileError(f"{path.name}: {detection.reason}{hidden}")
    chosen_names = {s.name for s, _ in chosen}
    for sheet, detection in found:
        if sheet.name in chosen_names:
            continue
        if not any(clean_text(v) for row in sheet.rows[:200] for v in row):
            why = "it is empty"
        elif registers and detection.mapping and detection.mapping.layout.kind is not Kind.REGISTER:
            why = f"it holds {detection.mapping.layout.label.lower()}, not a register"
        else:
            why = "no register found in it" + (f" ({detection.reason})" if detection.reason else "")
        skipped.append(f"sheet '{sheet.name}' skipped: {why}")
    return [(s, d.mapping) for s, d in chosen if d.mapping is not None], skipped, used


def parse_file(
    path: Path,
    mapping: ColumnMapping | None = None,
    progress: Progress | None = None,
    *,
    source: Source | None = None,
    remembered: Remembered | None = None,
    prefer_remembered: bool = False,
    sheets: list[SheetData] | None = None,
) -> ParsedFile:
    """Read and understand a whole file. Without a mapping the layout must be certain (or a
    mapping remembered for the file's shape); every sheet that holds a register is read.

    `source` is the file already read (its bytes and their sha256): it is parsed, and the
    file is not read again; without it the file is read once here. `sheets`: the sheets of
    `source`, already read (importers/ahead.py).
    """
    path = Path(path)
    source = source or read_source(path)
    sheets = _sheets(source, sheets)
    if mapping is None:
        plan, skipped_sheets, used = _plan(path, sheets, remembered, prefer_remembered)
        if prefer_remembered and used is None:
            raise ImportFileError(
                f"{path.name}: the saved mapping does not fit this file (none of its sheets has "
                "the headings it was saved for)"
            )
    else:
        sheet = next((s for s in sheets if s.name == mapping.sheet), sheets[0])
        plan, skipped_sheets, used = [(sheet, mapping)], [], None
    parsed: ParsedFile | None = None
    for sheet, sheet_mapping in plan:
        part = _parse_sheet(path, sheet, sheet_mapping, progress, source.digest, len(plan) > 1)
        if parsed is None:
            parsed = part
        elif part.register is not None:
            parsed.more.append((part.sheet, part.register))
            parsed.skipped.extend(part.skipped)
            parsed.warnings.extend(w for w in part.warnings if w not in parsed.warnings)
            parsed.recognised.extend(part.recognised)
    assert parsed is not None
    parsed.recognised.extend(skipped_sheets)
    parsed.mapping_used = used
    if used:
        parsed.recognised.insert(0, f"read with the saved mapping '{used}'")
    return parsed


def _parse_sheet(
    path: Path,
    sheet: SheetData,
    mapping: ColumnMapping,
    progress: Progress | None,
    digest: str,
    several: bool,
) -> ParsedFile:
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
        content_hash=digest,
        sheet=sheet.name,
        layout=mapping.layout,
    )
    parsed.warnings.extend(sheet.notes)
    kind = mapping.layout
    roles = {r: c for c, r in sorted(mapping.roles.items(), reverse=True) if r != "ignore"}
    if kind.kind in (Kind.ROSTER, Kind.REGISTER) and not has_identity(mapping.roles):
        raise problems.error(
            "no identity column: none of UPN, Adno/Admission No, Name or Surname + Forename "
            "was found"
        )
    if "any_id" in roles:
        parsed.any_id_header = names.get(roles["any_id"], "") or parsed.any_id_header
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
    parsed.skipped[:0] = _title_rows(rows, mapping.header_row)
    parsed.recognised.extend(_recognised(sheet, mapping, names, parsed))
    if several:
        parsed.skipped = [(r, f"sheet {sheet.name}: {why}") for r, why in parsed.skipped]
    return parsed


def _title_rows(rows: list[list[Any]], header: int) -> list[tuple[int, str]]:
    out = []
    for r in range(header):
        text = " ".join(clean_text(v) for v in rows[r] if clean_text(v))
        if text:
            out.append((r + 1, f"a title above the header: '{text[:60]}'"))
    return out


def _recognised(
    sheet: SheetData, mapping: ColumnMapping, names: dict[int, str], parsed: ParsedFile
) -> list[str]:
    """What the reader made of a sheet, in words, for the preview."""
    roles = mapping.roles
    named = [
        f"{ROLE_LABELS.get(role, role)} ('{names.get(col, '')}')"
        for col, role in sorted(roles.items())
        if role not in ("session_column", "day_column", "ignore")
    ]
    lines = [
        f"sheet '{sheet.name}': {mapping.layout.label.lower()}, header on row "
        f"{mapping.header_row + 1}; " + ", ".join(named)
    ]
    register = parsed.register
    if register is not None and register.dates:
        sessions = sum(1 for r in roles.values() if r in ("session_column", "day_column"))
        span = f"{_uk(register.first_date)} to {_uk(register.last_date)}"
        what = f"{sessions} date columns, " if sessions else ""
        lines.append(
            f"sheet '{sheet.name}': {len(register.pupils)} pupils, {what}marks from {span}"
        )
    last = max(roles, default=-1)
    unused = [
        names[c]
        for c in sorted(names)
        if c not in roles and names[c] and (c > last or mapping.layout.kind is Kind.REGISTER)
    ]
    if unused and mapping.layout.kind is Kind.REGISTER:
        shown = ", ".join(f"'{u}'" for u in unused[:12]) + (" ..." if len(unused) > 12 else "")
        lines.append(f"sheet '{sheet.name}': columns skipped (not identity or sessions): {shown}")
    return lines


def _uk(iso: str | None) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else ""


def _fill_merged_dates(names: dict[int, str], date_row: list[Any], mapping: ColumnMapping) -> None:
    last = ""
    for col in sorted(names):
        value = date_row[col] if col < len(date_row) else ""
        try:
            day = parse_date_value(value)
        except BadDate:
            day = None
        if day is not None:
            last = numeric(day)
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


def read_sheet(path: Path, name: str | None) -> SheetData:
    """One sheet of a file (the first when `name` is None or not found)."""
    sheets = _sheets(Path(path))
    return next((s for s in sheets if s.name == name), sheets[0])
