"""Reading who a row is about (identity and pupil details, contacts) from a mapped row."""

from __future__ import annotations

from datetime import date
from typing import Any

from attendance_desk.domain.characteristics import YES_NO
from attendance_desk.domain.upn import upn_problem
from attendance_desk.importers.cells import BadDate, clean_text, parse_date_value, parse_flag
from attendance_desk.importers.model import PupilRow
from attendance_desk.importers.problems import Problems

_FLAGS = tuple(c.field for c in YES_NO)
_CONTACT_FLAGS = ("parental_responsibility", "lives_with")


def year_group(value: Any) -> str | None:
    """'Year R', 'Reception', 'Y3', 3.0, 'N2', 'Nursery' -> 'R', '3', 'N'."""
    text = clean_text(value).upper()
    if not text:
        return None
    stripped = True
    while stripped:  # 'NC Year 3' -> 'Year 3' -> '3'
        stripped = False
        for prefix in ("NC ", "YEAR ", "YEAR", "YR ", "YR", "Y"):
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix) :].strip()
                stripped = True
                break
    if text in ("R", "REC", "RECEPTION", "F2", "FS2", "YR"):
        return "R"
    if text.startswith("N") or text in ("F1", "FS1"):
        return "N"
    if text.isdigit() and 0 <= int(text) <= 13:
        return str(int(text))
    return text[:3]


def _sex(value: Any) -> str | None:
    text = clean_text(value).upper()
    if text in ("F", "FEMALE", "G", "GIRL"):
        return "F"
    if text in ("M", "MALE", "B", "BOY"):
        return "M"
    return None


def _sen(value: Any) -> str:
    text = clean_text(value).upper()
    if text.startswith("E"):
        return "E"
    if text.startswith("K") or "SUPPORT" in text:
        return "K"
    return "N"


def _upper_word(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return len(letters) > 1 and all(ch.isupper() for ch in letters)


def split_name(text: str) -> tuple[str | None, str | None]:
    """'Surname, Forename', 'SURNAME Forename' or 'Forename Surname' -> (surname, forename)."""
    if "," in text:
        surname, _, forename = text.partition(",")
        return surname.strip() or None, forename.strip() or None
    parts = text.split()
    if len(parts) < 2:
        return (text or None), None
    upper = [_upper_word(p) for p in parts]
    if any(upper) and not all(upper):  # the MIS writes the surname in capitals
        if upper[0]:
            n = upper.index(False)
            return " ".join(parts[:n]), " ".join(parts[n:])
        n = upper.index(True)
        return " ".join(parts[n:]), " ".join(parts[:n])
    return parts[-1], " ".join(parts[:-1])


def _text(row: list[Any], col: int | None) -> str | None:
    if col is None or col >= len(row):
        return None
    return clean_text(row[col]) or None


def _date(row: list[Any], col: int | None, r: int, problems: Problems) -> date | None:
    if col is None or col >= len(row):
        return None
    try:
        value = parse_date_value(row[col])
    except BadDate as exc:
        problems.add(r, col, str(exc))
        return None
    if value is None and clean_text(row[col]):
        problems.add(r, col, f"'{clean_text(row[col])}' is not a date (use dd/mm/yyyy)")
    return value


def read_pupil(
    row: list[Any], r: int, cols: dict[str, int], problems: Problems, *, full: bool
) -> PupilRow | None:
    """The pupil a row names, or None when the row names nobody (a blank or totals row).

    `cols` maps role -> column; `r` is the 1-based sheet row for messages. With `full`, the
    pupil details and contacts are read too (a roster).
    """
    upn = _text(row, cols.get("upn"))
    if upn is not None:
        upn = upn.upper().replace(" ", "")
        problem = upn_problem(upn)
        if problem:
            problems.add(r, cols["upn"], problem)
    adno = _text(row, cols.get("adno"))
    person_id = _text(row, cols.get("person_id"))
    any_id = _text(row, cols.get("any_id"))
    surname = _text(row, cols.get("surname"))
    forename = _text(row, cols.get("forename"))
    full_name = _text(row, cols.get("name"))
    if full_name and not (surname and forename):
        surname, forename = split_name(full_name)
    if not (upn or adno or person_id or any_id or surname or forename):
        return None
    details: dict[str, Any] = {}
    contacts: tuple[dict[str, Any], ...] = ()
    if full:
        details = _details(row, r, cols, problems)
        contacts = _contacts(row, r, cols, problems)
    return PupilRow(
        row=r,
        upn=upn,
        adno=adno,
        person_id=person_id,
        any_id=any_id,
        surname=surname,
        forename=forename,
        preferred_forename=_text(row, cols.get("preferred_forename")),
        preferred_surname=_text(row, cols.get("preferred_surname")),
        dob=_date(row, cols.get("dob"), r, problems),
        reg_group=_text(row, cols.get("reg_group")),
        year_group=year_group(row[cols["year_group"]])
        if "year_group" in cols and cols["year_group"] < len(row)
        else None,
        details=details,
        contacts=contacts,
    )


def _details(row: list[Any], r: int, cols: dict[str, int], problems: Problems) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if "sex" in cols:
        details["sex"] = _sex(row[cols["sex"]]) if cols["sex"] < len(row) else None
    if "sen_status" in cols and cols["sen_status"] < len(row):
        details["sen_status"] = _sen(row[cols["sen_status"]])
    for key in ("admission_date", "leaving_date"):
        if key in cols:
            details[key] = _date(row, cols[key], r, problems)
    for key in _FLAGS:
        if key in cols and cols[key] < len(row):
            try:
                details[key] = bool(parse_flag(row[cols[key]]))
            except ValueError as exc:
                problems.add(r, cols[key], str(exc))
    return details


def _contacts(
    row: list[Any], r: int, cols: dict[str, int], problems: Problems
) -> tuple[dict[str, Any], ...]:
    numbers = sorted({int(k[7]) for k in cols if k.startswith("contact")})
    contacts = []
    for number in numbers:
        prefix = f"contact{number}."
        fields = {k[len(prefix) :]: c for k, c in cols.items() if k.startswith(prefix)}
        name = _text(row, fields.get("name"))
        if not name:
            continue
        contact: dict[str, Any] = {"priority": number, "name": name}
        for field, col in fields.items():
            if field == "name":
                continue
            if field in _CONTACT_FLAGS:
                try:
                    flag = parse_flag(row[col]) if col < len(row) else None
                except ValueError as exc:
                    problems.add(r, col, str(exc))
                    flag = None
                contact[field] = True if flag is None else flag
            else:
                contact[field] = _text(row, col)
        contacts.append(contact)
    return tuple(contacts)
