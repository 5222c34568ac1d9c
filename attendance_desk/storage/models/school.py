from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from attendance_desk.storage.models.base import SCHOOL_UNMAPPED, Base, school_column, utcnow


class School(Base):
    """A school: the one school of a SQLite file, or each school of a trust on PostgreSQL.

    Every row a school owns carries its `school_id` (storage/trust.py), not mapped here."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")  # lines separated by "\n"
    postcode: Mapped[str] = mapped_column(String(12), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    urn: Mapped[str] = mapped_column(String(12), default="")
    headteacher: Mapped[str] = mapped_column(String(200), default="")
    attendance_officer: Mapped[str] = mapped_column(String(200), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # PNG or JPEG bytes


class PolicyRecord(Base):
    """The school's attendance policy: a preset name and every setting as JSON (one active row)."""

    __tablename__ = "policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    preset: Mapped[str] = mapped_column(String(40))  # "clifford" | "clifton" | "custom"
    name: Mapped[str] = mapped_column(String(200))
    settings_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AppSetting(Base):
    """Small per-database settings (backup folder, idle lock minutes ...) as JSON values."""

    __tablename__ = "app_settings"
    # The database's key is (school_id, key) (migration 0016): each school of a trust has its own.
    # The ORM's identity stays `key` alone: every query of this table is limited to the
    # connection's school (storage/trust.py `this_school`), so a session never holds two
    # schools' rows with the same key.
    __table_args__ = (school_column(),)
    __mapper_args__ = SCHOOL_UNMAPPED

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)


class StaffSchool(Base):
    """A school a PostgreSQL login role may see (row-level security); unused on SQLite."""

    __tablename__ = "staff_schools"

    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True
    )
