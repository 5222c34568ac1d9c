"""The audit log: when, who, what changed, with old and new values as JSON.

Rows are written two ways:
- by SQLite triggers (see `storage/audit_triggers.py`) for every change to a mark, a setting,
  the policy, and for every import, whichever program or service made it;
- by `services.audit.record_change` for changes a service makes elsewhere (case events ...).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from attendance_desk.storage.models.base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)  # UTC
    who: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(30))  # "insert" "update" "delete" "import" ...
    entity: Mapped[str] = mapped_column(String(40))  # "mark" "setting" "policy" "import" ...
    entity_id: Mapped[str] = mapped_column(String(80), default="")
    # The pupil a row is about (no foreign key: the row outlives a removed pupil until
    # retention clears it); used by the subject access export and retention.
    pupil_id: Mapped[int | None] = mapped_column()
    field: Mapped[str | None] = mapped_column(String(80))
    old_json: Mapped[str | None] = mapped_column(Text)
    new_json: Mapped[str | None] = mapped_column(Text)
    # the tamper-evident chain (storage/audit_chain.py): filled in when the row is sealed
    digest: Mapped[str | None] = mapped_column(String(64))
    chain: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_pupil_id", "pupil_id"),
        Index("ix_audit_log_entity", "entity", "entity_id"),
    )


class AuditSession(Base):
    """One row: who is using the application that holds the database for writing.

    The audit triggers read it, so a change made through any connection is attributed.
    """

    __tablename__ = "audit_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    who: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
