from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from attendance_desk.storage.models.base import SCHOOL_UNMAPPED, Base, school_column, utcnow


class ImportRecord(Base):
    """One file imported: what it was, its content hash, and what it changed."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(260))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)  # sha256 hex
    kind: Mapped[str] = mapped_column(
        String(20)
    )  # "register" | "roster" | "term_dates" | "closures"
    layout: Mapped[str] = mapped_column(String(40), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100), default="")
    pupils_added: Mapped[int] = mapped_column(default=0)
    pupils_changed: Mapped[int] = mapped_column(default=0)
    marks_added: Mapped[int] = mapped_column(default=0)
    marks_changed: Mapped[int] = mapped_column(default=0)
    rows_skipped: Mapped[int] = mapped_column(default=0)
    summary: Mapped[str] = mapped_column(Text, default="")


class MarkChange(Base):
    """History of a mark: every change by an import or by the office, with old and new codes."""

    __tablename__ = "mark_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    session: Mapped[str] = mapped_column(String(2))
    old_code: Mapped[str | None] = mapped_column(String(2))
    new_code: Mapped[str | None] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(10))  # "mis" | "office"
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_mark_changes_pupil_date", "pupil_id", "date", "session"),)


class ImportMapping(Base):
    """A mapping the user confirmed in the import window, kept for the file's shape.

    `signature` is the sha256 of the header row's non-date headings (see importers.memory);
    `mapping_json` says the layout and the role of each heading.
    """

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    signature: Mapped[str] = mapped_column(String(64))
    headers: Mapped[str] = mapped_column(Text)  # the headings, as shown in Settings
    mapping_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    last_used_at: Mapped[datetime | None] = mapped_column()

    # once per school
    __table_args__ = (
        school_column(),
        UniqueConstraint("school_id", "name", name="uq_import_mappings_school_id_name"),
        UniqueConstraint("school_id", "signature", name="uq_import_mappings_school_id_signature"),
    )
    __mapper_args__ = SCHOOL_UNMAPPED
