"""All tables. Each area has its own module; importing this package registers every table."""

from attendance_desk.storage.models import cases as cases  # noqa: F401  (casework tables)
from attendance_desk.storage.models import letters as letters  # noqa: F401  (letters tables)
from attendance_desk.storage.models import meetings as meetings  # noqa: F401  (meetings tables)
from attendance_desk.storage.models.audit import AuditEntry, AuditSession
from attendance_desk.storage.models.base import Base
from attendance_desk.storage.models.calendar import AcademicYear, Closure, HalfTerm
from attendance_desk.storage.models.imports import ImportMapping, ImportRecord, MarkChange
from attendance_desk.storage.models.office import DayReason, MisChange
from attendance_desk.storage.models.pupils import Contact, Mark, Pupil, RegisterSession
from attendance_desk.storage.models.school import AppSetting, PolicyRecord, School, StaffSchool

__all__ = [
    "AcademicYear",
    "AppSetting",
    "AuditEntry",
    "AuditSession",
    "Base",
    "Closure",
    "Contact",
    "DayReason",
    "HalfTerm",
    "ImportMapping",
    "ImportRecord",
    "Mark",
    "MarkChange",
    "MisChange",
    "PolicyRecord",
    "Pupil",
    "RegisterSession",
    "School",
    "StaffSchool",
]
