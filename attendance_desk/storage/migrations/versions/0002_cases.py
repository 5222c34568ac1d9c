"""cases, timeline events and tasks

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _fk(col: str, table: str, ref: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "families",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_families")),
    )
    op.create_table(
        "family_members",
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        _fk("pupil_id", "family_members", "pupils"),
        _fk("family_id", "family_members", "families"),
        sa.PrimaryKeyConstraint("pupil_id", name=op.f("pk_family_members")),
    )
    op.create_index(
        op.f("ix_family_members_family_id"), "family_members", ["family_id"], unique=False
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("stage_started", sa.Date(), nullable=False),
        sa.Column("key_person", sa.String(length=200), nullable=False),
        sa.Column("barriers", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("pupil_id", "cases", "pupils"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index("ix_cases_pupil_id", "cases", ["pupil_id"], unique=False)
    op.create_index(
        "uq_cases_one_open_per_pupil",
        "cases",
        ["pupil_id"],
        unique=True,
        sqlite_where=sa.text("closed_on IS NULL"),
        postgresql_where=sa.text("closed_on IS NULL"),
    )
    op.create_table(
        "stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("from_stage", sa.String(length=40), nullable=True),
        sa.Column("to_stage", sa.String(length=40), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("support_offered", sa.Text(), nullable=False),
        sa.Column("support_not_appropriate", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        _fk("case_id", "stage_changes", "cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_changes")),
    )
    op.create_index(op.f("ix_stage_changes_case_id"), "stage_changes", ["case_id"], unique=False)
    op.create_table(
        "timeline_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_events")),
    )
    op.create_index(op.f("ix_timeline_events_kind"), "timeline_events", ["kind"], unique=False)
    op.create_index(op.f("ix_timeline_events_date"), "timeline_events", ["date"], unique=False)
    op.create_table(
        "event_pupils",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        _fk("event_id", "event_pupils", "timeline_events"),
        _fk("pupil_id", "event_pupils", "pupils"),
        sa.PrimaryKeyConstraint("event_id", "pupil_id", name=op.f("pk_event_pupils")),
    )
    op.create_index(op.f("ix_event_pupils_pupil_id"), "event_pupils", ["pupil_id"], unique=False)
    op.create_table(
        "event_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_by", sa.String(length=100), nullable=False),
        sa.Column("edit_reason", sa.Text(), nullable=False),
        _fk("event_id", "event_revisions", "timeline_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_revisions")),
    )
    op.create_index(
        op.f("ix_event_revisions_event_id"), "event_revisions", ["event_id"], unique=False
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=False),
        sa.Column("source_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("pupil_id", "tasks", "pupils"),
        _fk("event_id", "tasks", "timeline_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("source_key", name=op.f("uq_tasks_source_key")),
    )
    op.create_index(op.f("ix_tasks_pupil_id"), "tasks", ["pupil_id"], unique=False)
    op.create_index(op.f("ix_tasks_event_id"), "tasks", ["event_id"], unique=False)
    op.create_index(op.f("ix_tasks_due"), "tasks", ["due"], unique=False)


def downgrade() -> None:
    for table in (
        "tasks",
        "event_revisions",
        "event_pupils",
        "timeline_events",
        "stage_changes",
        "cases",
        "family_members",
        "families",
    ):
        op.drop_table(table)
