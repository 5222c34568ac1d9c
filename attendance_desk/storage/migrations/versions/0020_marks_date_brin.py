"""PostgreSQL: a block range index of the marks' dates

Revision ID: 0020
Revises: 0019

On PostgreSQL only. The engine reads every pupil's marks from 1 September of the previous
academic year to the date (services/monitoring/loading.py); PostgreSQL scanned the whole table
for it, so each year of history kept made it slower (on the demo school with five more years,
74 -> 107 ms). The marks arrive by date (a year, a week, a day at a time; a move writes them year
by year: storage/transfer.py PG_ORDER), so a BRIN of the dates (the least and greatest date
of every 128 blocks: a few pages) lets the planner read only the blocks of those two years.
A block range is summed up once filled (autosummarize: autovacuum does it; a move does it
at once, storage/transfer.py); until then it is read whatever the dates, as the newest blocks
are anyway. A big first import drops it with the table's other indexes and makes it again
after (importers/backend.py drop_indexes). SQLite reads each pupil's range of the marks'
primary key and needs nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS brin_marks_date ON marks USING brin (date) "
            "WITH (autosummarize = on)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS brin_marks_date")
