"""Letters: templates edited in the application, and the register of every letter printed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from attendance_desk.storage.models.base import SCHOOL_UNMAPPED, Base, school_column, utcnow


class LetterTemplateRecord(Base):
    """A template saved in the application; overrides the shipped template with the same id."""

    __tablename__ = "letter_templates"
    # The database's key is (school_id, id) (migration 0016): each school of a trust has its own.
    # The ORM's identity stays `id` alone: every query of this table is limited to the
    # connection's school (storage/trust.py `this_school`), so a session never holds two
    # schools' rows with the same id.
    __table_args__ = (school_column(),)
    __mapper_args__ = SCHOOL_UNMAPPED

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    text: Mapped[str] = mapped_column(Text)  # front-matter and body, as the editor shows it
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class LetterBatch(Base):
    """One printed PDF: its letterhead and logo, its order of pages, and the hash of its bytes."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    letter_date: Mapped[date] = mapped_column(Date)
    printed_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_by: Mapped[str] = mapped_column(String(100), default="")
    letterhead_json: Mapped[str] = mapped_column(Text)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    items_json: Mapped[str] = mapped_column(Text)  # cover sheets and letter keys, in order
    letters: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    pdf_sha256: Mapped[str] = mapped_column(String(64))


class LetterRecord(Base):
    """One letter to one recipient about one pupil (a family letter has a row per child)."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("letter_batches.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"))
    letter_key: Mapped[str] = mapped_column(String(200))
    template_id: Mapped[str] = mapped_column(String(60))
    template_title: Mapped[str] = mapped_column(String(200))
    letter_date: Mapped[date] = mapped_column(Date)
    printed_at: Mapped[datetime] = mapped_column(default=utcnow)
    printed_by: Mapped[str] = mapped_column(String(100), default="")
    recipient: Mapped[str] = mapped_column(String(200), default="")
    addressee: Mapped[str] = mapped_column(Text, default="")  # lines separated by "\n"
    subject: Mapped[str] = mapped_column(Text, default="")
    merged_text: Mapped[str] = mapped_column(Text, default="")
    content_json: Mapped[str] = mapped_column(Text)  # every input the PDF is drawn from
    content_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")  # the letter on its own
    timeline_event_id: Mapped[int | None] = mapped_column(nullable=True)
    # a void letter stays in the register, marked with who voided it, when and why
    voided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    voided_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    void_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (Index("ix_letters_pupil_date", "pupil_id", "letter_date"),)
