"""Changes for the MIS: every mark the office changed that the MIS still holds differently.

The MIS stays the register of record, so each change the office makes here (a reason taken on
a first-day call) must also be made there. An item stays on the list until an import shows
the MIS holds the office's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from attendance_desk.storage.db import Database
from attendance_desk.storage.models import MisChange, Pupil

COLUMNS = (
    "upn",
    "pupil",
    "reg_group",
    "date",
    "session",
    "mis_code",
    "office_code",
    "why",
    "who",
    "changed_at",
)


@dataclass(frozen=True)
class ChangeForMis:
    pupil_id: int
    upn: str
    pupil: str
    reg_group: str
    date: date
    session: str
    mis_code: str | None  # None: the MIS had no mark
    office_code: str
    why: str
    who: str
    changed_at: datetime


def changes_for_mis(db: Database, on: date | None = None) -> tuple[ChangeForMis, ...]:
    """The open changes (those of one date with `on`), by date, session, class and name."""
    with db.session() as s:
        query = (
            select(MisChange, Pupil)
            .join(Pupil, Pupil.id == MisChange.pupil_id)
            .where(MisChange.agreed_at.is_(None))
        )
        if on is not None:
            query = query.where(MisChange.date == on)
        out = []
        for item, pupil in s.execute(query).all():
            out.append(
                ChangeForMis(
                    pupil_id=pupil.id,
                    upn=pupil.upn or "",
                    pupil=f"{pupil.surname}, {pupil.forename}",
                    reg_group=pupil.reg_group or "",
                    date=item.date,
                    session=item.session,
                    mis_code=item.mis_code,
                    office_code=item.office_code,
                    why=item.reason,
                    who=item.changed_by,
                    changed_at=item.changed_at,
                )
            )
    out.sort(key=lambda c: (c.date, c.session, c.reg_group, c.pupil.casefold()))
    return tuple(out)


def change_rows(changes: tuple[ChangeForMis, ...]) -> list[dict[str, Any]]:
    """Plain rows (COLUMNS) for the command line and exports; no mark in the MIS is '-'."""
    return [
        {
            "upn": c.upn,
            "pupil": c.pupil,
            "reg_group": c.reg_group,
            "date": c.date.isoformat(),
            "session": c.session,
            "mis_code": c.mis_code or "-",
            "office_code": c.office_code,
            "why": c.why,
            "who": c.who,
            "changed_at": c.changed_at.isoformat(sep=" ", timespec="minutes"),
        }
        for c in changes
    ]
