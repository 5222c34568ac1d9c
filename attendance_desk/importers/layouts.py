"""Recognising a sheet's layout: where the header is, what each column holds, which kind of file.

Detection is sure only when the headers say so; otherwise it returns its best guess with
`confident=False` and a reason, and the window asks the user (the mapping step).
"""

from __future__ import annotations

import contextlib
from typing import Any

from attendance_desk.domain.codes import UnknownCodeError, normalise, split_day_cell
from attendance_desk.importers.cells import (
    BadDate,
    clean_text,
    parse_date_value,
    parse_session,
    parse_session_header,
)
from attendance_desk.importers.columns import (
    ID_ROLES,
    IDENTITY_ROLES,
    role_for_header,
    unusable_identity,
)
from attendance_desk.importers.model import ColumnMapping, Detection, Layout, SheetData

HEADER_SCAN_ROWS = 30  # the header row is looked for in the first rows of a sheet
HEADER_FAR_ROWS = 500  # ... and, to say where it is, further down when it is not there
_ROSTER_ONLY = {
    "dob",
    "sex",
    "admission_date",
    "leaving_date",
    "pupil_premium",
    "fsm",
    "sen_status",
    "eal",
    "preferred_forename",
    "looked_after",
    "child_protection",
    "child_in_need",
}


def _is_date_header(value: Any) -> bool:
    try:
        return parse_date_value(value) is not None
    except BadDate:
        return True  # an impossible date in a header is reported when the sheet is read


def _is_session_header(value: Any) -> bool:
    try:
        return parse_session_header(value) is not None
    except BadDate:
        return True


def guess_roles(
    row: list[Any] | tuple[Any, ...], cache: dict[Any, str | None] | None = None
) -> dict[int, str]:
    """The role each cell of a header row names (first column wins for a repeated role).

    `cache` remembers the role of each distinct value across rows (register cells repeat)."""
    cache = {} if cache is None else cache
    roles: dict[int, str] = {}
    seen: set[str] = set()
    for col, value in enumerate(row):
        try:
            role = cache[value]
        except KeyError:
            role = cache[value] = _cell_role(value)
        except TypeError:
            role = _cell_role(value)
        if role is None:
            continue
        if role in seen and not role.startswith("contact"):
            continue
        if role not in ("session_column", "day_column"):
            seen.add(role)
        roles[col] = role
    return roles


def _cell_role(value: Any) -> str | None:
    if value == "" or value is None:
        return None
    if not isinstance(value, str):
        return "day_column" if _is_date_header(value) else None
    role = role_for_header(value)
    if role is not None:
        return role
    if _is_session_header(value):
        return "session_column"
    if _is_date_header(value):
        return "day_column"
    return None


def _score(roles: dict[int, str]) -> int:
    named = {r for r in roles.values() if r not in ("session_column", "day_column")}
    dated = sum(1 for r in roles.values() if r in ("session_column", "day_column"))
    return len(named) * 10 + (min(dated, 9) if dated >= 2 else 0)


def _header_below_scan(
    rows: list[list[Any]], cache: dict[Any, str | None], better_than: int
) -> tuple[int, str] | None:
    """A row below the first HEADER_SCAN_ROWS that reads as a header naming pupils: (its
    0-based index, its first headings quoted), or None."""
    for index in range(HEADER_SCAN_ROWS, min(len(rows), HEADER_FAR_ROWS)):
        roles = guess_roles(rows[index], cache)
        if has_identity(roles) and _score(roles) > better_than:
            names = [clean_text(rows[index][c]) for c in sorted(roles)[:3]]
            return index, ", ".join(f"'{n}'" for n in names) + (" ..." if len(roles) > 3 else "")
    return None


def has_identity(roles: dict[int, str]) -> bool:
    values = set(roles.values())
    return bool(values & (ID_ROLES | {"name"})) or {"surname", "forename"} <= values


def unusable_headers(
    cells: list[Any] | tuple[Any, ...], roles: dict[int, str], below: list[Any] | None = None
) -> tuple[str, ...]:
    """Headings that look like a child's identity (UPN, ID, Adno, Admission) but have no role:
    an import never goes ahead with one silently unread."""
    found = []
    for row in (cells, below or []):
        for col, value in enumerate(row):
            if col in roles or not isinstance(value, str):
                continue
            if unusable_identity(value, role_for_header(value)):
                found.append(clean_text(value))
    return tuple(found)


def _session_row(row: list[Any], cols: list[int]) -> dict[int, str]:
    found = {}
    for col in cols:
        if col < len(row):
            session = parse_session(row[col])
            if session:
                found[col] = session
    return found


def detect_sheet(file_name: str, sheet: SheetData) -> Detection:
    rows = sheet.rows
    headers: tuple[str, ...] = ()
    preview = tuple(tuple(clean_text(v) for v in row) for row in rows[:HEADER_SCAN_ROWS])
    if not rows or not any(clean_text(v) for row in rows[:200] for v in row):
        return Detection(file_name, sheet.name, None, False, f"sheet {sheet.name} is empty", (), ())
    best_row, best_roles, best_score = 0, {}, 0
    cache: dict[Any, str | None] = {}
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        roles = guess_roles(row, cache)
        score = _score(roles)
        if score > best_score:
            best_row, best_roles, best_score = index, roles, score
    if not has_identity(best_roles):
        far = _header_below_scan(rows, cache, best_score)
        if far is not None:
            at, names = far
            return Detection(
                file_name,
                sheet.name,
                None,
                False,
                f"sheet {sheet.name}: the header row is row {at + 1} ({names}), below the "
                f"first {HEADER_SCAN_ROWS} rows where headings are looked for: delete at least "
                f"{at - HEADER_SCAN_ROWS + 1} of the {at} rows above it and import the file "
                "again",
                tuple(clean_text(v) for v in rows[at]),
                preview,
                header_too_low=True,
            )
    headers = tuple(clean_text(v) for v in rows[best_row])

    def result(
        layout: Layout | None, confident: bool, reason: str, roles: dict[int, str]
    ) -> Detection:
        mapping = ColumnMapping(layout, best_row, dict(roles), sheet.name) if layout else None
        below = rows[best_row + 1] if layout is Layout.WIDE_TWO_ROW else None
        unusable = unusable_headers(rows[best_row], roles, below) if layout else ()
        if unusable and confident:
            confident = False
            names = ", ".join(f"'{u}'" for u in unusable)
            reason = (
                f"sheet {sheet.name}: column {names} looks like a pupil identity (UPN, ID, Adno "
                "or Admission) but is not one the importer can use: say what it holds, or "
                "confirm it is not needed, in the mapping step"
            )
        return Detection(
            file_name, sheet.name, mapping, confident, reason, headers, preview, unusable
        )

    # A two-row header: dates (often merged) over AM/PM, the identity names on either row.
    below = rows[best_row + 1] if best_row + 1 < len(rows) else []
    day_cols = [c for c, r in best_roles.items() if r == "day_column"]
    width = max(len(rows[best_row]), len(below))
    blank_cols = [c for c in range(width) if c not in best_roles]
    sessions_below = _session_row(below, day_cols + blank_cols)
    if day_cols and len(sessions_below) >= 2:
        roles = {c: r for c, r in best_roles.items() if r != "day_column"}
        for col, value in enumerate(below):
            role = role_for_header(value) if isinstance(value, str) else None
            if role in IDENTITY_ROLES or role in ("reg_group", "year_group", "dob"):
                roles.setdefault(col, role)
        for col in sessions_below:
            roles[col] = "session_column"
        if not has_identity(roles):
            return result(Layout.WIDE_TWO_ROW, False, _no_identity(sheet.name), roles)
        return result(Layout.WIDE_TWO_ROW, True, "a date row over an AM/PM row", roles)

    values = set(best_roles.values())
    identity = has_identity(best_roles)
    if not identity:
        if "half_term" in values:
            roles = {
                c: {"admission_date": "start", "leaving_date": "end", "date": "start"}.get(r, r)
                for c, r in best_roles.items()
            }
            if {"start", "end"} <= set(roles.values()):
                return result(Layout.TERM_DATES, True, "half-term name, start and end", roles)
        if "date" in values and values & {"kind", "description"} and "mark" not in values:
            return result(Layout.CLOSURES, True, "closure dates", best_roles)
        if best_score == 0:
            return result(
                None, False, f"sheet {sheet.name}: no column headings were recognised", {}
            )
        guess = _register_layout(best_roles)
        return result(guess, False, _no_identity(sheet.name), best_roles)
    if "session_column" in values:
        return result(Layout.WIDE_SESSIONS, True, "one column per session", best_roles)
    if "day_column" in values:
        sure = _cells_hold_pairs(rows, best_row, day_cols)
        reason = (
            "one column per day holding both marks"
            if sure
            else "columns are headed by dates but the cells do not hold two marks each: "
            "say whether each column is a day or a session"
        )
        return result(Layout.WIDE_DAY_PAIRS, sure, reason, best_roles)
    if "date" in values and "mark" in values and "session" in values:
        return result(Layout.LONG_SESSION, True, "one row per pupil and session", best_roles)
    if "date" in values and "am" in values and "pm" in values:
        return result(Layout.LONG_DAY, True, "one row per pupil and day", best_roles)
    if "date" in values and ("mark" in values or "am" in values or "pm" in values):
        return result(
            Layout.LONG_SESSION,
            False,
            f"sheet {sheet.name} has a Date column but no Session column (or no AM and PM "
            "columns): say which column is which",
            best_roles,
        )
    if values & _ROSTER_ONLY or any(r.startswith("contact") for r in values):
        return result(Layout.ROSTER, True, "pupil details", best_roles)
    return result(
        Layout.WIDE_SESSIONS,
        False,
        f"no sessions found in sheet {sheet.name}: no column is headed by a session "
        "('Mon 02/09/2024 AM') or a date, and there are no Date/Session/Mark columns",
        best_roles,
    )


def _no_identity(sheet: str) -> str:
    return (
        f"no identity column in sheet {sheet}: none of UPN, Adno/Admission No, Name or "
        "Surname + Forename was found"
    )


def _register_layout(roles: dict[int, str]) -> Layout:
    values = set(roles.values())
    if "session_column" in values:
        return Layout.WIDE_SESSIONS
    if "day_column" in values:
        return Layout.WIDE_DAY_PAIRS
    if "am" in values or "pm" in values:
        return Layout.LONG_DAY
    return Layout.LONG_SESSION


def _cells_hold_pairs(rows: list[list[Any]], header_row: int, cols: list[int]) -> bool:
    """True when the non-empty cells under date headers split into two marks."""
    pairs = singles = 0
    for row in rows[header_row + 1 : header_row + 60]:
        for col in cols[:40]:
            if col >= len(row):
                continue
            text = clean_text(row[col])
            if not text:
                continue
            try:
                split_day_cell(text)
                pairs += 1
            except UnknownCodeError:
                with contextlib.suppress(UnknownCodeError):
                    normalise(text)  # one mark alone: a session column, not a day
                    singles += 1
    return pairs > 0 and singles * 10 <= pairs


def detect(file_name: str, sheets: list[SheetData]) -> Detection:
    """The first sheet whose layout is certain; else the first with a guess; else the first."""
    detections = [detect_sheet(file_name, sheet) for sheet in sheets]
    for detection in detections:
        if detection.confident:
            return detection
    for detection in detections:
        if detection.mapping is not None:
            return detection
    return detections[0]
