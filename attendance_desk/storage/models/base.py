from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, MetaData, text
from sqlalchemy.orm import DeclarativeBase

from attendance_desk import clock

# Stable constraint names so Alembic batch migrations on SQLite can find them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return clock.utc_now()


# The school a row belongs to (storage/trust.py): declared on the tables whose keys are per school
# (migration 0016) so the models' unique constraints name it, but not mapped (`exclude_properties`
# with SCHOOL_UNMAPPED): inserts leave it to the database's default, the connection's school.
SCHOOL_UNMAPPED = {"exclude_properties": ["school_id"]}


def school_column() -> Column[int]:
    return Column("school_id", Integer, nullable=False, server_default=text("1"))
