"""Remembering a confirmed mapping for a file's shape: its header signature.

The signature is the sha256 of the header's headings that are not dates or sessions (they change
with every export), reduced to header keys, in order. The saved mapping says the layout and the
role of each heading; applied to tomorrow's export of the same report, it finds the header row by
its signature and gives each column its role (the date columns are read from their headings).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from attendance_desk.importers.cells import header_key, parse_session
from attendance_desk.importers.layouts import HEADER_SCAN_ROWS, guess_roles
from attendance_desk.importers.model import ColumnMapping, Detection, Layout, SheetData

_DATED = ("session_column", "day_column")


def _keys(row: list[Any] | tuple[Any, ...]) -> list[str]:
    """The heading keys of a row that are not dates, sessions or blank."""
    roles = guess_roles(list(row))
    return [
        header_key(v)
        for c, v in enumerate(row)
        if header_key(v) and roles.get(c) not in _DATED and parse_session(v) is None
    ]


def _digest(keys: list[str]) -> str | None:
    if not keys:
        return None
    return hashlib.sha256("|".join(keys).encode("utf-8")).hexdigest()


def signature_row(mapping: ColumnMapping, rows: list[list[Any]]) -> tuple[int, str | None]:
    """(offset from the header row, signature): the header row, or the row below it for a
    two-row header whose top row holds only dates."""
    header = rows[mapping.header_row] if mapping.header_row < len(rows) else []
    sig = _digest(_keys(header))
    if sig is None and mapping.layout is Layout.WIDE_TWO_ROW and mapping.header_row + 1 < len(rows):
        return 1, _digest(_keys(rows[mapping.header_row + 1]))
    return 0, sig


def describe(mapping: ColumnMapping, rows: list[list[Any]]) -> tuple[str | None, str, str]:
    """(signature, headings shown to the user, JSON to store) for a confirmed mapping."""
    offset, sig = signature_row(mapping, rows)
    header_rows = [mapping.header_row]
    if mapping.layout is Layout.WIDE_TWO_ROW:
        header_rows.append(mapping.header_row + 1)
    roles: dict[str, str] = {}
    shown: list[str] = []
    for r in header_rows:
        row = rows[r] if r < len(rows) else []
        for col, value in enumerate(row):
            key = header_key(value)
            role = mapping.roles.get(col, "ignore")
            if not key or role in _DATED or parse_session(value) is not None:
                continue
            if key not in roles:
                roles[key] = role
                shown.append(str(value).strip())
    data = {"layout": mapping.layout.value, "offset": offset, "roles": roles}
    return sig, ", ".join(shown), json.dumps(data, ensure_ascii=False, sort_keys=True)


def apply(saved_json: str, signature: str | None, sheet: SheetData) -> ColumnMapping | None:
    """The mapping for `sheet` from a saved one, when a row of the sheet has its signature
    (any row, when `signature` is None: the user chose the mapping by name)."""
    data = json.loads(saved_json)
    layout = Layout(data["layout"])
    offset = int(data.get("offset", 0))
    saved_roles: dict[str, str] = data.get("roles", {})
    rows = sheet.rows
    for r in range(min(len(rows), HEADER_SCAN_ROWS)):
        header = r - offset
        if header < 0:
            continue
        keys = _keys(rows[r])
        if signature is not None and _digest(keys) != signature:
            continue
        if signature is None and not (set(keys) & set(saved_roles)):
            continue
        return ColumnMapping(layout, header, _roles(rows, header, layout, saved_roles), sheet.name)
    return None


def _roles(
    rows: list[list[Any]], header: int, layout: Layout, saved: dict[str, str]
) -> dict[int, str]:
    top = rows[header]
    below = rows[header + 1] if header + 1 < len(rows) else []
    roles: dict[int, str] = {}
    used: set[str] = set()
    for row in [top, below] if layout is Layout.WIDE_TWO_ROW else [top]:
        for col, value in enumerate(row):
            role = saved.get(header_key(value))
            if role is None or role == "ignore" or col in roles:
                continue
            if role in used and not role.startswith("contact"):
                continue
            used.add(role)
            roles[col] = role
    if layout is Layout.WIDE_TWO_ROW:
        for col, value in enumerate(below):
            if col not in roles and parse_session(value) is not None:
                roles[col] = "session_column"
    elif layout in (Layout.WIDE_SESSIONS, Layout.WIDE_DAY_PAIRS):
        dated = "session_column" if layout is Layout.WIDE_SESSIONS else "day_column"
        for col, role in guess_roles(list(top)).items():
            if col not in roles and role in _DATED:
                roles[col] = dated if role == dated else role
    return roles


def remembered_for(
    saved: list[tuple[str, str | None, str]],
) -> Any:
    """A `Remembered` hook for the reader over saved (name, signature, JSON) mappings."""

    def find(sheet: SheetData, detection: Detection) -> tuple[str, ColumnMapping] | None:
        for name, signature, data in saved:
            mapping = apply(data, signature, sheet)
            if mapping is not None:
                return name, mapping
        return None

    return find
