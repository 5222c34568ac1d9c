"""What the office decided about marks, beside the MIS: a reason that covers a pupil's day, and
the marks the office changed that the MIS still has to be told about."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attendance_desk.storage.models.base import Base, utcnow


class DayReason(Base):
    """A reason given on a first-day call: the code covers the pupil's whole day, so an `N`
    imported later for that day takes the office's code instead."""

    __tablename__ = "day_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL")
    )

    __table_args__ = (
        UniqueConstraint("pupil_id", "date", name="uq_day_reasons_pupil_date"),
        Index("ix_day_reasons_date", "date"),
    )


class MisChange(Base):
    """A mark the office changed: the MIS (the register of record) must be changed too. The
    item is open until an import shows the MIS holds the office's code (`agreed_at`)."""

    __tablename__ = "mis_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    session: Mapped[str] = mapped_column(String(2))
    mis_code: Mapped[str | None] = mapped_column(
        String(2)
    )  # what the MIS last showed; None: no mark
    office_code: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(100), default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    agreed_at: Mapped[datetime | None] = mapped_column(default=None)
    agreed_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("imports.id", ondelete="SET NULL")
    )

    __table_args__ = (
        UniqueConstraint("pupil_id", "date", "session", name="uq_mis_changes_mark"),
        Index("ix_mis_changes_open", "agreed_at", "date"),
    )
