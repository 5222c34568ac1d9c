"""SQLite storage: typed SQLAlchemy models, Alembic migrations, and opening a database safely."""
