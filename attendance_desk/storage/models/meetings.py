"""Meetings held under the policy (SLT, Family Hub, Attendance Team) and the actions agreed there."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attendance_desk.storage.models.base import SCHOOL_UNMAPPED, Base, school_column, utcnow


class MeetingRecord(Base):
    """One sitting of a meeting: its kind (the policy's meeting id) and date."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    date: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # one meeting of a kind a day, per school
    __table_args__ = (
        school_column(),
        UniqueConstraint("school_id", "kind", "date", name="uq_meetings_school_id_kind_date"),
    )
    __mapper_args__ = SCHOOL_UNMAPPED


class AgreedAction(Base):
    """An action agreed for one pupil at a meeting; its task carries the due date and done-ness."""

    __tablename__ = "meeting_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="SET NULL")
    )
