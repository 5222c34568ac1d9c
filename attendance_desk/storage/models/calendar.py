from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from attendance_desk.storage.models.base import SCHOOL_UNMAPPED, Base, school_column


class AcademicYear(Base):
    __tablename__ = "academic_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(9))  # "2024/25", once per school
    start_date: Mapped[date] = mapped_column(Date)  # 1 September
    end_date: Mapped[date] = mapped_column(Date)  # 31 August

    half_terms: Mapped[list[HalfTerm]] = relationship(
        back_populates="academic_year", cascade="all, delete-orphan", order_by="HalfTerm.start_date"
    )

    __table_args__ = (
        school_column(),
        UniqueConstraint("school_id", "name", name="uq_academic_years_school_id_name"),
    )
    __mapper_args__ = SCHOOL_UNMAPPED


class HalfTerm(Base):
    __tablename__ = "half_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year_id: Mapped[int] = mapped_column(
        ForeignKey("academic_years.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(40))  # "Autumn 1"
    start_date: Mapped[date] = mapped_column(Date)  # once per school
    end_date: Mapped[date] = mapped_column(Date)

    academic_year: Mapped[AcademicYear] = relationship(back_populates="half_terms")

    __table_args__ = (
        school_column(),
        UniqueConstraint("school_id", "start_date", name="uq_half_terms_school_id_start_date"),
    )
    __mapper_args__ = SCHOOL_UNMAPPED


class Closure(Base):
    """A weekday inside a half term with no school: INSET day, bank holiday, other closure."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[date] = mapped_column(Date)  # once per school
    kind: Mapped[str] = mapped_column(String(20))  # "inset" | "bank_holiday" | "other"
    description: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        school_column(),
        UniqueConstraint("school_id", "date", name="uq_closures_school_id_date"),
    )
    __mapper_args__ = SCHOOL_UNMAPPED
