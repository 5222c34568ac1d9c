"""a reason that covers a pupil's day; the changes the MIS has to be told about

Revision ID: 0006
Revises: 0007

Office marks entered before this revision become open changes for the MIS, with the code the
office replaced as the MIS's code (the latest office change of each mark).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pupil_id"],
            ["pupils.id"],
            name=op.f("fk_day_reasons_pupil_id_pupils"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["timeline_events.id"],
            name=op.f("fk_day_reasons_event_id_timeline_events"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_reasons")),
        sa.UniqueConstraint("pupil_id", "date", name="uq_day_reasons_pupil_date"),
    )
    op.create_index("ix_day_reasons_date", "day_reasons", ["date"], unique=False)
    op.create_table(
        "mis_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("session", sa.String(length=2), nullable=False),
        sa.Column("mis_code", sa.String(length=2), nullable=True),
        sa.Column("office_code", sa.String(length=2), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(), nullable=True),
        sa.Column("agreed_import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pupil_id"],
            ["pupils.id"],
            name=op.f("fk_mis_changes_pupil_id_pupils"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agreed_import_id"],
            ["imports.id"],
            name=op.f("fk_mis_changes_agreed_import_id_imports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mis_changes")),
        sa.UniqueConstraint("pupil_id", "date", "session", name="uq_mis_changes_mark"),
    )
    op.create_index("ix_mis_changes_open", "mis_changes", ["agreed_at", "date"], unique=False)
    op.execute(
        """
        INSERT INTO mis_changes (pupil_id, date, session, mis_code, office_code, reason,
                                 changed_by, changed_at)
        SELECT m.pupil_id, m.date, m.session, c.old_code, m.code, c.reason, c.changed_by,
               c.changed_at
        FROM marks AS m
        JOIN mark_changes AS c ON c.id = (
            SELECT max(c2.id) FROM mark_changes AS c2
            WHERE c2.pupil_id = m.pupil_id AND c2.date = m.date AND c2.session = m.session
              AND c2.source = 'office')
        WHERE m.source = 'office' AND (c.old_code IS NULL OR c.old_code != m.code)
        """
    )


def downgrade() -> None:
    op.drop_index("ix_mis_changes_open", table_name="mis_changes")
    op.drop_table("mis_changes")
    op.drop_index("ix_day_reasons_date", table_name="day_reasons")
    op.drop_table("day_reasons")
