from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from attendance_desk.storage.models.base import SCHOOL_UNMAPPED, Base, school_column, utcnow


class Pupil(Base):
    __tablename__ = "pupils"

    id: Mapped[int] = mapped_column(primary_key=True)
    # once per school: a child who moves between two schools of a trust keeps the same UPN
    upn: Mapped[str | None] = mapped_column(String(13))
    admission_number: Mapped[str | None] = mapped_column(String(20), index=True)
    mis_person_id: Mapped[str | None] = mapped_column(String(40), index=True)  # the MIS's own id
    legal_surname: Mapped[str] = mapped_column(String(100))
    legal_forename: Mapped[str] = mapped_column(String(100))
    preferred_surname: Mapped[str | None] = mapped_column(String(100))
    preferred_forename: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))  # "F", "M" (census codes)
    year_group: Mapped[str | None] = mapped_column(String(3))  # "N", "R", "1" .. "6"
    reg_group: Mapped[str | None] = mapped_column(String(40), index=True)
    admission_date: Mapped[date | None] = mapped_column(Date)
    leaving_date: Mapped[date | None] = mapped_column(Date)
    pupil_premium: Mapped[bool] = mapped_column(default=False)
    fsm: Mapped[bool] = mapped_column(default=False)
    sen_status: Mapped[str] = mapped_column(String(1), default="N")  # "E", "K", "N"
    eal: Mapped[bool] = mapped_column(default=False)
    looked_after: Mapped[bool] = mapped_column(default=False)
    child_protection: Mapped[bool] = mapped_column(default=False)
    child_in_need: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="pupil", cascade="all, delete-orphan", order_by="Contact.priority"
    )

    __table_args__ = (
        CheckConstraint("sen_status IN ('E', 'K', 'N')", name="sen_status"),
        school_column(),
        UniqueConstraint("school_id", "upn", name="uq_pupils_school_id_upn"),
    )
    __mapper_args__ = SCHOOL_UNMAPPED

    @property
    def forename(self) -> str:
        return self.preferred_forename or self.legal_forename

    @property
    def surname(self) -> str:
        return self.preferred_surname or self.legal_surname


class Contact(Base):
    """A parent or carer. Split families: each parent is a contact with their own address."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"), index=True)
    priority: Mapped[int] = mapped_column(default=1)  # 1 = ring first
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(20))  # "Mrs", "Mr", "Mx" ...
    relationship_to_pupil: Mapped[str | None] = mapped_column(String(60))
    phone_home: Mapped[str | None] = mapped_column(String(40))
    phone_mobile: Mapped[str | None] = mapped_column(String(40))
    phone_work: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    address_line3: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(12))
    parental_responsibility: Mapped[bool] = mapped_column(default=True)
    lives_with_pupil: Mapped[bool] = mapped_column(default=True)

    pupil: Mapped[Pupil] = relationship(back_populates="contacts")


class Mark(Base):
    """One register mark: a pupil, a date, a session (AM/PM) and the code.

    `source` is "mis" for marks imported from the school's MIS and "office" for marks entered
    in the application (a reason taken on a call): an older MIS export must not silently
    overwrite an office mark.
    """

    __tablename__ = "marks"

    pupil_id: Mapped[int] = mapped_column(
        ForeignKey("pupils.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    session: Mapped[str] = mapped_column(String(2), primary_key=True)  # "AM" | "PM"
    code: Mapped[str] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(10), default="mis")
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("session IN ('AM', 'PM')", name="session"),
        {"sqlite_with_rowid": False},
    )


class RegisterSession(Base):
    """A session of the register that has marks, with counts of them, kept by triggers on
    `marks` (migration 0018): every read of which sessions were taken between two dates goes
    here, never through the marks themselves. Taken (loading's rule): `marks > blank`; a school
    day's session (the calendar's rule): `marks > blank + closed`. Read-only here."""

    __tablename__ = "register_sessions"

    date: Mapped[date] = mapped_column(Date, primary_key=True)
    session: Mapped[str] = mapped_column(String(2), primary_key=True)
    marks: Mapped[int] = mapped_column()  # all the marks of the session
    blank: Mapped[int] = mapped_column()  # code '-' or '': no mark taken for that pupil
    closed: Mapped[int] = mapped_column()  # code '#': the school closed
