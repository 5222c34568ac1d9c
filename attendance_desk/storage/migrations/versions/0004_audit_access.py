"""audit log, access password and retention

Revision ID: 0004
Revises: 0003

The password and idle-lock minutes live in `app_settings` (keys `access.*`); retention needs no
table of its own. This revision adds the audit log, the one-row `audit_session`, and the audit
triggers (storage/audit_triggers.py; re-checked at every writable open).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from attendance_desk.storage.audit_triggers import install_audit_triggers

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=80), nullable=True),
        sa.Column("old_json", sa.Text(), nullable=True),
        sa.Column("new_json", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_log_pupil_id", ["pupil_id"], unique=False)
        batch_op.create_index("ix_audit_log_entity", ["entity", "entity_id"], unique=False)
    op.create_table(
        "audit_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=100), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_session_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_session")),
    )
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    if bind.dialect.name == "postgresql":
        from attendance_desk.storage.pg_audit import install_pg_audit_triggers

        # (the driver reads `%` as a placeholder: doubled)
        install_pg_audit_triggers(lambda sql: bind.exec_driver_sql(sql.replace("%", "%%")), tables)
    else:
        install_audit_triggers(lambda sql: bind.exec_driver_sql(sql), tables)


def downgrade() -> None:
    from attendance_desk.storage.audit_triggers import trigger_names

    if op.get_bind().dialect.name == "postgresql":
        from attendance_desk.storage.pg_audit import drop_pg_audit_triggers

        drop_pg_audit_triggers(op.execute)
    else:
        for name in trigger_names():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("audit_session")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")
        batch_op.drop_index("ix_audit_log_pupil_id")
        batch_op.drop_index("ix_audit_log_at")
    op.drop_table("audit_log")
