"""The national attendance code table (from 19 August 2024), with the legacy codes.

Mirrors the national code table (a copy is tests/domain/attendance-codes.csv); a test checks the two agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    PRESENT = "present"
    APPROVED_ACTIVITY = "approved_activity"
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"
    NOT_POSSIBLE = "not_possible"

    @property
    def is_possible(self) -> bool:
        return self is not Category.NOT_POSSIBLE

    @property
    def is_attending(self) -> bool:
        return self in (Category.PRESENT, Category.APPROVED_ACTIVITY)

    @property
    def is_absence(self) -> bool:
        return self in (Category.AUTHORISED, Category.UNAUTHORISED)


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    meaning: str
    category: Category
    counts_toward_penalty: bool = False
    legacy: bool = False

    @property
    def is_possible(self) -> bool:
        return self.category.is_possible

    @property
    def is_attending(self) -> bool:
        return self.category.is_attending

    @property
    def is_absence(self) -> bool:
        return self.category.is_absence

    @property
    def is_late(self) -> bool:
        return self.code in LATE_CODES


_P, _A, _AU, _UN, _NP = (
    Category.PRESENT,
    Category.APPROVED_ACTIVITY,
    Category.AUTHORISED,
    Category.UNAUTHORISED,
    Category.NOT_POSSIBLE,
)

_TABLE: tuple[Code, ...] = (
    Code("/", "Present (morning registration)", _P),
    Code("\\", "Present (afternoon registration)", _P),
    Code("L", "Late: arrived after registration began but before the register closed", _P),
    Code("K", "Attending education provision arranged by the local authority", _A),
    Code("V", "Educational visit or trip arranged by the school", _A),
    Code("P", "Supervised sporting activity approved by the school", _A),
    Code("W", "Work experience", _A),
    Code("B", "Other approved supervised off-site educational activity (not remote learning)", _A),
    Code("C", "Leave of absence granted for exceptional circumstances", _AU),
    Code("C1", "Leave for a licensed performance or regulated employment abroad", _AU),
    Code("C2", "Leave for a temporary part-time timetable", _AU),
    Code("M", "Medical or dental appointment", _AU),
    Code("J1", "Interview for employment or a place at another educational institution", _AU),
    Code("S", "Study leave", _AU),
    Code("T", "Parent travelling for occupational purposes", _AU),
    Code("R", "Religious observance", _AU),
    Code("I", "Illness (not medical or dental appointment)", _AU),
    Code("E", "Suspended or excluded with no alternative provision", _AU),
    Code("G", "Holiday not granted by the school", _UN, counts_toward_penalty=True),
    Code("N", "Reason for absence not yet established", _UN, counts_toward_penalty=True),
    Code("O", "Absent in other or unknown circumstances", _UN, counts_toward_penalty=True),
    Code("U", "Arrived after the register closed", _UN, counts_toward_penalty=True),
    Code("D", "Dual registered: attending another school", _NP),
    Code("X", "Non-compulsory-school-age pupil not required to attend", _NP),
    Code("Q", "Unable to attend: lack of access arrangements", _NP),
    Code("Y1", "Unable to attend: transport normally provided not available", _NP),
    Code("Y2", "Unable to attend: widespread disruption to travel", _NP),
    Code("Y3", "Unable to attend: part of the school premises closed", _NP),
    Code("Y4", "Unable to attend: whole school site unexpectedly closed", _NP),
    Code("Y5", "Unable to attend: pupil in criminal justice detention", _NP),
    Code("Y6", "Unable to attend: public health guidance or law", _NP),
    Code("Y7", "Unable to attend: any other unavoidable cause", _NP),
    Code("Z", "Prospective pupil not yet on the admission register", _NP),
    Code("#", "Planned whole-school closure (e.g. INSET day)", _NP),
    Code("H", "Holiday authorised by the school (legacy)", _AU, legacy=True),
    Code("F", "Agreed extended family holiday (legacy)", _AU, legacy=True),
    Code("J", "Interview (legacy; approved activity before Aug 2024)", _A, legacy=True),
    Code("Y", "Unable to attend due to exceptional circumstances (legacy)", _NP, legacy=True),
)

CODES: dict[str, Code] = {c.code: c for c in _TABLE}
NO_MARK_TOKENS = frozenset({"", "-"})
LATE_CODES = frozenset({"L", "U"})
ILLNESS_CODE = "I"
UNRESOLVED_CODE = "N"
PART_TIME_CODE = "C2"

# Longest codes first so "C1" is taken before "C" when splitting "C1C1".
_SPLIT_RE = re.compile("|".join(re.escape(c) for c in sorted(CODES, key=len, reverse=True)))


class UnknownCodeError(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(f"'{text}' is not an attendance code")
        self.text = text


def normalise(text: str) -> str | None:
    """The canonical code for a cell's text, `None` for no mark; raises UnknownCodeError."""
    cleaned = text.strip()
    if cleaned in NO_MARK_TOKENS:
        return None
    upper = cleaned.upper()
    if upper in CODES:
        return upper
    raise UnknownCodeError(cleaned)


def lookup(code: str) -> Code:
    return CODES[code]


def split_day_cell(text: str) -> tuple[str | None, str | None]:
    """Split a cell holding a day's AM and PM marks ("/\\", "C1C1", "J1\\", "/-") into two codes.

    Codes may be one or two characters, so the cell is split against the code table, never by
    position. "-" stands for a missing mark. Raises UnknownCodeError when the cell is not exactly
    two marks.
    """
    cleaned = text.strip()
    if cleaned == "":
        return None, None
    upper = cleaned.upper()
    parts: list[str | None] = []
    pos = 0
    while pos < len(upper):
        if upper[pos] == "-":
            parts.append(None)
            pos += 1
            continue
        match = _SPLIT_RE.match(upper, pos)
        if match is None:
            raise UnknownCodeError(cleaned)
        parts.append(match.group(0))
        pos = match.end()
    if len(parts) != 2:
        raise UnknownCodeError(cleaned)
    return parts[0], parts[1]
