"""phq: the optional PHQ-4 every two weeks (its answers, the opt-in and the one-time offer)

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-02 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("phq_on", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("phq_offered_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "phq_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("interest", sa.Integer(), nullable=True),
        sa.Column("down", sa.Integer(), nullable=True),
        sa.Column("nervous", sa.Integer(), nullable=True),
        sa.Column("worry", sa.Integer(), nullable=True),
        sa.Column("phq2", sa.Integer(), nullable=True),
        sa.Column("gad2", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_phq_answers_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phq_answers")),
        sa.UniqueConstraint("person_id", "local_date", name=op.f("uq_phq_answers_person_id")),
    )


def downgrade() -> None:
    op.drop_table("phq_answers")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("phq_offered_at")
        batch_op.drop_column("phq_on")
