"""The school's details and headline counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select

from attendance_desk import clock
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Contact, Mark, Pupil, School


@dataclass(frozen=True)
class SchoolSummary:
    name: str
    pupils_on_roll: int
    marks: int
    first_mark: date | None
    last_mark: date | None


def on_roll_filter(as_of: date) -> ColumnElement[bool]:
    """Pupils on roll on `as_of`: admission and leaving dates are both inclusive."""
    return or_(Pupil.admission_date.is_(None), Pupil.admission_date <= as_of) & or_(
        Pupil.leaving_date.is_(None), Pupil.leaving_date >= as_of
    )


def school_summary(db: Database, as_of: date | None = None) -> SchoolSummary:
    as_of = as_of or clock.today()
    with db.session() as s:
        school = s.scalars(select(School).limit(1)).first()
        pupils = s.scalar(select(func.count()).select_from(Pupil).where(on_roll_filter(as_of)))
        marks, first, last = s.execute(
            select(func.count(), func.min(Mark.date), func.max(Mark.date))
        ).one()
    return SchoolSummary(
        name=school.name if school else "No school set up yet",
        pupils_on_roll=pupils or 0,
        marks=marks or 0,
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


def roll(db: Database, as_of: date | None = None) -> list[RollEntry]:
    """Every pupil on roll on `as_of` (one light query; the figures come from monitoring)."""
    as_of = as_of or clock.today()
    cols = (
        Pupil.id,
        Pupil.upn,
        func.coalesce(Pupil.preferred_surname, Pupil.legal_surname),
        func.coalesce(Pupil.preferred_forename, Pupil.legal_forename),
        Pupil.year_group,
        Pupil.reg_group,
        Pupil.pupil_premium,
        Pupil.fsm,
        Pupil.sen_status,
        Pupil.eal,
        Pupil.looked_after,
        Pupil.child_protection,
        Pupil.child_in_need,
    )
    with db.session() as s:
        result = s.execute(select(*cols).where(on_roll_filter(as_of)).order_by(Pupil.id)).all()
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
    from attendance_desk.storage.models.cases import EventPupil, TimelineEvent

    query = (
        select(EventPupil.pupil_id, func.max(TimelineEvent.date))
        .join(TimelineEvent, TimelineEvent.id == EventPupil.event_id)
        .where(TimelineEvent.kind.in_(CONTACT_KINDS))
        .group_by(EventPupil.pupil_id)
    )
    if as_of is not None:
        query = query.where(TimelineEvent.date <= as_of)
    with db.session() as s:
        return {pupil_id: when for pupil_id, when in s.execute(query)}


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
    with db.session() as s:
        return {pid: upn for pid, upn in s.execute(select(Pupil.id, Pupil.upn))}


def last_mark_date(db: Database) -> date | None:
    """The latest date with a mark (an index lookup, cheap on any size of register)."""
    with db.session() as s:
        return s.scalar(select(func.max(Mark.date)))


def school_name(db: Database) -> str:
    with db.session() as s:
        name = s.scalar(select(School.name).order_by(School.id).limit(1))
    return name or "No school set up yet"
