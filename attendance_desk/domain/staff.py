"""The staff who use the application and what each role may do.

A class teacher may look at everything and change nothing; the other roles record casework.
The headteacher alone signs off a move to Enforce when the school requires a sign-off.
"""

from __future__ import annotations

from enum import StrEnum

from attendance_desk.errors import UserError


class Role(StrEnum):
    ATTENDANCE_OFFICER = "attendance_officer"
    DSL = "dsl"
    HEADTEACHER = "headteacher"
    CLASS_TEACHER = "class_teacher"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def may_change(self) -> bool:
        return self is not Role.CLASS_TEACHER


ROLE_LABELS = {
    Role.ATTENDANCE_OFFICER: "Attendance officer",
    Role.DSL: "Designated safeguarding lead",
    Role.HEADTEACHER: "Headteacher",
    Role.CLASS_TEACHER: "Class teacher (read-only)",
}


class NotAllowed(UserError):
    """The member of staff at the keyboard may not make this change."""
