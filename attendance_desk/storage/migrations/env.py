"""Alembic environment: migrations run on the connection the application hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from attendance_desk.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # developer use: autogenerate against a scratch database
        url = config.get_main_option("sqlalchemy.url") or "sqlite:///migrations-scratch.sqlite3"
        with create_engine(url).begin() as conn:
            context.configure(
                connection=conn, target_metadata=target_metadata, render_as_batch=True
            )
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()


run()
