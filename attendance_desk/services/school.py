"""The school's details and headline counts.

What the window shows first (the school's name, the last day with marks, the roll, the last
contacts) is read with plain SQL: the window's start loads no SQLAlchemy and no models; the
rest loads them when first used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from attendance_desk import clock
from attendance_desk.storage.db import Database

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    from attendance_desk.storage.models import Contact


@dataclass(frozen=True)
class SchoolSummary:
    name: str
    pupils_on_roll: int
    marks: int
    first_mark: date | None
    last_mark: date | None


def on_roll_filter(as_of: date) -> ColumnElement[bool]:
    """Pupils on roll on `as_of`: admission and leaving dates are both inclusive."""
    from sqlalchemy import or_

    from attendance_desk.storage.models import Pupil

    return or_(Pupil.admission_date.is_(None), Pupil.admission_date <= as_of) & or_(
        Pupil.leaving_date.is_(None), Pupil.leaving_date >= as_of
    )


def school_summary(db: Database, as_of: date | None = None) -> SchoolSummary:
    from sqlalchemy import func, select

    from attendance_desk.storage.models import Pupil, RegisterSession, School

    as_of = as_of or clock.today()
    with db.session() as s:
        school = s.scalars(select(School).limit(1)).first()
        pupils = s.scalar(select(func.count()).select_from(Pupil).where(on_roll_filter(as_of)))
        marks, first, last = s.execute(
            select(
                func.sum(RegisterSession.marks),
                func.min(RegisterSession.date),
                func.max(RegisterSession.date),
            )
        ).one()
    return SchoolSummary(
        name=school.name if school else "No school set up yet",
        pupils_on_roll=pupils or 0,
        marks=int(marks or 0),
        first_mark=first,
        last_mark=last,
    )


# -- the school's details (settings) -------------------------------------------------------


@dataclass(frozen=True)
class SchoolDetails:
    name: str = ""
    address: str = ""  # lines separated by "\n"
    postcode: str = ""
    phone: str = ""
    email: str = ""
    urn: str = ""
    headteacher: str = ""
    attendance_officer: str = ""
    logo: bytes | None = None  # PNG or JPEG bytes


_DETAIL_FIELDS = (
    "name",
    "address",
    "postcode",
    "phone",
    "email",
    "urn",
    "headteacher",
    "attendance_officer",
    "logo",
)


def get_school_details(db: Database) -> SchoolDetails:
    from sqlalchemy import select

    from attendance_desk.storage.models import School

    with db.session() as s:
        school = s.scalars(select(School).order_by(School.id).limit(1)).first()
        if school is None:
            return SchoolDetails()
        return SchoolDetails(**{f: getattr(school, f) for f in _DETAIL_FIELDS})


def _is_png_or_jpeg(data: bytes) -> bool:
    return data.startswith((b"\x89PNG", b"\xff\xd8"))


def save_school_details(db: Database, details: SchoolDetails) -> SchoolDetails:
    """Store the school's details (the one row), creating it on first save."""
    from attendance_desk.errors import UserError

    name = details.name.strip()
    if not name:
        raise UserError("The school needs a name")
    if details.logo is not None and not _is_png_or_jpeg(details.logo):
        raise UserError("The logo must be a PNG or JPEG picture")
    from sqlalchemy import select

    from attendance_desk.storage.models import School

    with db.session() as s:
        school = s.scalars(select(School).order_by(School.id).limit(1)).first()
        if school is None:
            school = School(name=name)
            s.add(school)
        for f in _DETAIL_FIELDS:
            value = getattr(details, f)
            setattr(school, f, value.strip() if isinstance(value, str) else value)
    return get_school_details(db)


# -- pupils on roll: the quick list shown before the figures arrive ------------------------


@dataclass(frozen=True)
class RollEntry:
    pupil_id: int
    upn: str
    surname: str
    forename: str
    year_group: str
    reg_group: str
    pupil_premium: bool
    fsm: bool
    sen_status: str
    eal: bool
    looked_after: bool
    child_protection: bool
    child_in_need: bool


_ROLL_SQL = """
SELECT id, upn, coalesce(preferred_surname, legal_surname),
       coalesce(preferred_forename, legal_forename), year_group, reg_group, pupil_premium, fsm,
       sen_status, eal, looked_after, child_protection, child_in_need
FROM pupils
WHERE (admission_date IS NULL OR admission_date <= :as_of)
  AND (leaving_date IS NULL OR leaving_date >= :as_of)
ORDER BY id
"""


def roll(db: Database, as_of: date | None = None) -> list[RollEntry]:
    """Every pupil on roll on `as_of` (one light query; the figures come from monitoring)."""
    as_of = as_of or clock.today()
    conn = db.raw_connection()
    try:
        result = conn.execute(_ROLL_SQL, {"as_of": as_of.isoformat()}).fetchall()
    finally:
        conn.close()
    return [
        RollEntry(
            r[0],
            r[1] or "",
            r[2],
            r[3],
            r[4] or "",
            r[5] or "",
            bool(r[6]),
            bool(r[7]),
            r[8] or "N",
            bool(r[9]),
            bool(r[10]),
            bool(r[11]),
            bool(r[12]),
        )
        for r in result
    ]


@dataclass(frozen=True)
class ContactDetails:
    name: str
    relationship: str
    priority: int
    phones: tuple[tuple[str, str], ...]  # (kind, number): ("Mobile", "07700 900123")
    email: str
    address: str  # one line per part, "\n" separated
    parental_responsibility: bool
    lives_with_pupil: bool


@dataclass(frozen=True)
class PupilDetails:
    pupil_id: int
    upn: str
    surname: str
    forename: str
    legal_name: str
    date_of_birth: date | None
    sex: str
    year_group: str
    reg_group: str
    admission_date: date | None
    leaving_date: date | None
    pupil_premium: bool
    fsm: bool
    sen_status: str
    eal: bool
    looked_after: bool
    child_protection: bool
    child_in_need: bool
    contacts: tuple[ContactDetails, ...]


def contact_name(c: Contact) -> str:
    """A contact's name with the title: "Mrs Jane Smith"."""
    return " ".join(x for x in (c.title, c.name) if x)


def contact_phones(c: Contact) -> tuple[tuple[str, str], ...]:
    """(kind, number) for each number the contact has, in the order to try them."""
    numbers = (("Mobile", c.phone_mobile), ("Home", c.phone_home), ("Work", c.phone_work))
    return tuple((kind, n.strip()) for kind, n in numbers if n and n.strip())


def pupil_details(db: Database, pupil_id: int) -> PupilDetails:
    from attendance_desk.errors import UserError
    from attendance_desk.storage.models import Pupil

    with db.session() as s:
        p = s.get(Pupil, pupil_id)
        if p is None:
            raise UserError(f"There is no pupil with id {pupil_id}")
        contacts = tuple(
            ContactDetails(
                name=contact_name(c),
                relationship=c.relationship_to_pupil or "",
                priority=c.priority,
                phones=contact_phones(c),
                email=c.email or "",
                address="\n".join(
                    x for x in (c.address_line1, c.address_line2, c.address_line3, c.postcode) if x
                ),
                parental_responsibility=c.parental_responsibility,
                lives_with_pupil=c.lives_with_pupil,
            )
            for c in p.contacts
        )
        return PupilDetails(
            pupil_id=p.id,
            upn=p.upn or "",
            surname=p.surname,
            forename=p.forename,
            legal_name=f"{p.legal_forename} {p.legal_surname}",
            date_of_birth=p.date_of_birth,
            sex=p.sex or "",
            year_group=p.year_group or "",
            reg_group=p.reg_group or "",
            admission_date=p.admission_date,
            leaving_date=p.leaving_date,
            pupil_premium=p.pupil_premium,
            fsm=p.fsm,
            sen_status=p.sen_status,
            eal=p.eal,
            looked_after=p.looked_after,
            child_protection=p.child_protection,
            child_in_need=p.child_in_need,
            contacts=contacts,
        )


# Contact with the family is a conversation: a book-bag letter is not (issue: every pupil's
# "Last contact" became the day the half-termly letters were printed).
CONTACT_KINDS = ("phone_call", "meeting", "home_visit")


def last_contacts(db: Database, as_of: date | None = None) -> dict[int, date]:
    """The date of each pupil's latest contact with the family: a call, a meeting or a visit."""
    kinds = ", ".join("?" * len(CONTACT_KINDS))
    sql = (
        "SELECT ep.pupil_id, max(e.date) FROM event_pupils ep"
        " JOIN timeline_events e ON e.id = ep.event_id"
        f" WHERE e.kind IN ({kinds}){' AND e.date <= ?' if as_of is not None else ''}"
        " GROUP BY ep.pupil_id"
    )
    params: list[object] = list(CONTACT_KINDS)
    if as_of is not None:
        params.append(as_of.isoformat())
    conn = db.raw_connection()
    try:
        return {pid: _day(when) for pid, when in conn.execute(sql, params) if when is not None}
    finally:
        conn.close()


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


MAX_LOGO_BYTES = 2_000_000


def read_logo_file(path: str) -> bytes:
    """A logo picture's bytes, checked to be a PNG or JPEG of a sensible size."""
    from pathlib import Path

    from attendance_desk.errors import UserError

    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UserError(f"{file} cannot be read ({exc.strerror or exc})") from None
    if not _is_png_or_jpeg(data):
        raise UserError(f"{file.name} is not a PNG or JPEG picture")
    if len(data) > MAX_LOGO_BYTES:
        raise UserError(f"{file.name} is too large for a logo (keep it under 2 MB)")
    return data


def pupil_upns(db: Database) -> dict[int, str | None]:
    """Every pupil's UPN by pupil id (None where the MIS gave none)."""
    conn = db.raw_connection()
    try:
        return dict(conn.execute("SELECT id, upn FROM pupils"))
    finally:
        conn.close()


def last_mark_date(db: Database) -> date | None:
    """The latest date with a mark (from the register of sessions, cheap on any size of
    register)."""
    conn = db.raw_connection()
    try:
        row = conn.execute("SELECT max(date) FROM register_sessions").fetchone()
    finally:
        conn.close()
    return _day(row[0]) if row and row[0] else None


def school_name(db: Database) -> str:
    """The name of the school the connection works for (in a trust's database, the one acted
    for, else the member of staff's first, else the first school)."""
    order = "id = attendance_desk_school() DESC, id" if db.backend == "postgresql" else "id"
    conn = db.raw_connection()
    try:
        row = conn.execute(f"SELECT name FROM schools ORDER BY {order} LIMIT 1").fetchone()
    finally:
        conn.close()
    return (row[0] if row else None) or "No school set up yet"
