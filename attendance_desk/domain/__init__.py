"""Pure rules of school attendance: no Qt, no SQLAlchemy, no I/O."""
