"""care: gut answer, multi-select red flags, escalations, wording shown, stool setting

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gut", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("red_flags", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("escalation", sa.String(length=16), nullable=True))
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ask_stool", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("safety_flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wording", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("safety_flags", schema=None) as batch_op:
        batch_op.drop_column("wording")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("ask_stool")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_column("escalation")
        batch_op.drop_column("red_flags")
        batch_op.drop_column("gut")
