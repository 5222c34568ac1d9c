"""The DfE unique pupil number (UPN): 13 characters, a check letter then 12 more.

The check letter is worked out from characters 2 to 13 (weights 2 to 13, modulo 23); a UPN
whose letter does not match was mistyped or mangled, so it never names a child.
"""

from __future__ import annotations

import re

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # I, O and S are not used
_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (a temporary UPN ends in a letter)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = UPN_LETTERS.index(char) if char.isalpha() else int(char)
        total += value * weight
    return UPN_LETTERS[total % 23]


def upn_problem(upn: str) -> str | None:
    """Why `upn` (upper case, no spaces) is not a UPN, or None when it is one."""
    if not _SHAPE.match(upn) or (upn[-1].isalpha() and upn[-1] not in UPN_LETTERS):
        return f"'{upn}' is not a UPN (a letter and 12 more characters)"
    expected = check_letter(upn[1:])
    if upn[0] != expected:
        return f"UPN '{upn}' has the wrong check letter (it would be {expected}): mistyped?"
    return None
