"""The pupil characteristics the school reports on and the officer watches, declared once:
the pupil record's field, the short flag the lists show, and the name people read.

SEN is the one that is not yes/no: the census status E (EHC plan), K (SEN support) or N (none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Characteristic:
    field: str  # the pupil record's attribute
    flag: str  # the short form in lists: "PP"
    name: str  # in words: "Pupil Premium"
    group_label: str  # in the group tables: "Pupil Premium", "FSM"
    safeguarding: bool = False  # the DSL is told first when the family cannot be reached


PUPIL_PREMIUM = Characteristic("pupil_premium", "PP", "Pupil Premium", "Pupil Premium")
FSM = Characteristic("fsm", "FSM", "Free school meals", "FSM")
SEN = Characteristic(
    "sen_status", "SEN", "Special educational needs (SEN support or EHC plan)", "SEN"
)
EAL = Characteristic("eal", "EAL", "English as an additional language", "EAL")
LOOKED_AFTER = Characteristic("looked_after", "LAC", "Looked after", "Looked after", True)
CHILD_PROTECTION = Characteristic(
    "child_protection", "CP", "Child protection plan", "Child protection", True
)
CHILD_IN_NEED = Characteristic("child_in_need", "CIN", "Child in need", "Child in need", True)

CHARACTERISTICS = (PUPIL_PREMIUM, FSM, SEN, EAL, LOOKED_AFTER, CHILD_PROTECTION, CHILD_IN_NEED)
YES_NO = tuple(c for c in CHARACTERISTICS if c is not SEN)  # stored as booleans
SAFEGUARDING = tuple(c for c in CHARACTERISTICS if c.safeguarding)
SEN_STATUSES = {"E": "SEN: EHC plan (E)", "K": "SEN support (K)", "N": "No SEN (N)"}
HAS_SEN = frozenset({"E", "K"})


def has(pupil: Any, characteristic: Characteristic) -> bool:
    """Whether a pupil record (anything with the fields) has the characteristic."""
    if characteristic is SEN:
        return getattr(pupil, SEN.field, "N") in HAS_SEN
    return bool(getattr(pupil, characteristic.field, False))


def flags_of(pupil: Any, among: tuple[Characteristic, ...] = CHARACTERISTICS) -> tuple[str, ...]:
    """The short flags of the characteristics a pupil has, in the declared order."""
    return tuple(c.flag for c in among if has(pupil, c))
