"""a daily message budget per person; automatic back-off per reminder

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nudge_budget", sa.String(length=8), nullable=True))
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_live",
            ["sent_at"],
            unique=False,
            sqlite_where=sa.text("response IS NULL AND status = 'sent'"),
            postgresql_where=sa.text("response IS NULL AND status = 'sent'"),
        )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("backoff", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("steady", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("own_rule", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("learned_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "time_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("habit", sa.String(length=16), nullable=False),
        sa.Column("from_times", sa.String(length=64), nullable=False),
        sa.Column("to_times", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_time_moves_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_moves")),
    )
    with op.batch_alter_table("time_moves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_moves_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("time_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_moves_person_id"))
    op.drop_table("time_moves")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("learned_at")
        batch_op.drop_column("pinned")
        batch_op.drop_column("own_rule")
        batch_op.drop_column("steady")
        batch_op.drop_column("backoff")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_live")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("nudge_budget")
