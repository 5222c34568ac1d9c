"""Storage: typed SQLAlchemy models, Alembic migrations, and opening a database safely (an
SQLite file, or a database on a PostgreSQL server: storage/postgres.py registers its opener)."""

from attendance_desk.storage import postgres as _postgres  # noqa: F401  (registers the opener)
