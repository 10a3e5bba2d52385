"""logs people can trust: their own words, undo by entry, tea and coffee as water, own goals

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal", sa.Integer(), nullable=True))
    with op.batch_alter_table("habit_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("said", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("entry_of", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_habit_logs_entry_of"), ["entry_of"], unique=False)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hot_drinks_count", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("hot_drinks_count")
    with op.batch_alter_table("habit_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_habit_logs_entry_of"))
        batch_op.drop_column("entry_of")
        batch_op.drop_column("said")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("goal")
