"""Casework: cases and their stage moves, families, timeline events (with revisions) and tasks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from attendance_desk.storage.models.base import SCHOOL_UNMAPPED, Base, school_column, utcnow


class Family(Base):
    """Siblings linked together, so one action (a meeting, a letter, a contract) covers them all."""

    __tablename__ = "families"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FamilyMember(Base):
    """A pupil's family (at most one per pupil)."""

    __tablename__ = "family_members"

    pupil_id: Mapped[int] = mapped_column(
        ForeignKey("pupils.id", ondelete="CASCADE"), primary_key=True
    )
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True
    )


class Case(Base):
    """A pupil's case on the support-first pathway; at most one open (closed_on NULL) per pupil."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(40))  # a domain.pathway.Stage value
    stage_started: Mapped[date] = mapped_column(Date)
    key_person: Mapped[str] = mapped_column(String(200), default="")
    barriers: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(100), default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner: Mapped[str] = mapped_column(String(100), default="", server_default="")
    next_review: Mapped[date | None] = mapped_column(Date)

    # the edit count a second editor is checked against (nothing is overwritten silently)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
    stage_changes: Mapped[list[StageChange]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="(StageChange.date, StageChange.id)",
    )

    __table_args__ = (
        Index("ix_cases_pupil_id", "pupil_id"),
        Index(
            "uq_cases_one_open_per_pupil",
            "pupil_id",
            unique=True,
            sqlite_where=text("closed_on IS NULL"),
        ),
    )


class StageChange(Base):
    """One move of a case: when, from and to which stage, who decided and why."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    support_offered: Mapped[str] = mapped_column(Text, default="")
    support_not_appropriate: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the support options the Enforce gate says were considered, one per line
    support_considered: Mapped[str] = mapped_column(Text, default="", server_default="")
    signed_off_by: Mapped[str] = mapped_column(String(100), default="", server_default="")

    case: Mapped[Case] = relationship(back_populates="stage_changes")


class TimelineEvent(Base):
    """A dated entry on the timeline: a call, meeting, letter, contract, referral, notice ...

    The kind-specific fields live in `details_json`, validated by domain.events. Each edit
    writes the previous state into `event_revisions` first, so nothing is lost.
    """

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # the edit count a second editor is checked against (nothing is overwritten silently)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
    pupils: Mapped[list[EventPupil]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class EventPupil(Base):
    """Which pupils an event covers (several for a family meeting or letter)."""

    __tablename__ = "event_pupils"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="CASCADE"), primary_key=True
    )
    pupil_id: Mapped[int] = mapped_column(
        ForeignKey("pupils.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    event: Mapped[TimelineEvent] = relationship(back_populates="pupils")


class EventRevision(Base):
    """An earlier state of an event, kept when it was edited."""

    __tablename__ = "event_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column()
    date: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(100), default="")
    edit_reason: Mapped[str] = mapped_column(Text, default="")


class Task(Base):
    """Something to do by a date, made by an event (a review) or by the register (an old `N`)."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("timeline_events.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    due: Mapped[date] = mapped_column(Date, index=True)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_by: Mapped[str] = mapped_column(String(100), default="")
    source_key: Mapped[str | None] = mapped_column(String(120))  # once per school
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner: Mapped[str] = mapped_column(String(100), default="", server_default="")
    outcome: Mapped[str] = mapped_column(Text, default="", server_default="")

    # the edit count a second editor is checked against (nothing is overwritten silently)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version, **SCHOOL_UNMAPPED}
    __table_args__ = (
        school_column(),
        UniqueConstraint("school_id", "source_key", name="uq_tasks_school_id_source_key"),
    )


class Staff(Base):
    """A member of staff who uses the application; `role` decides what they may change."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(30))  # a domain.staff.Role value
    active: Mapped[bool] = mapped_column(default=True, server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "role IN ('attendance_officer', 'dsl', 'headteacher', 'class_teacher')", name="role"
        ),
    )


class LeaveRequest(Base):
    """A parent's request for leave of absence in term time, and the school's decision."""

    __tablename__ = "leave_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"), index=True)
    asked_on: Mapped[date] = mapped_column(Date)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(20))  # "authorised" | "refused"
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    recorded_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the edit count a second editor is checked against (nothing is overwritten silently)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (CheckConstraint("decision IN ('authorised', 'refused')", name="decision"),)
