"""stats: daily delivery counts; weekly summaries spread over Sunday evening

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:10:00.000000
"""

import json
import zlib
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of bot.services.onboarding's spread (a migration must not change later).
SPREAD_MINUTES = 30
COUNTED = ("sent", "failed", "missed", "skipped")

reminders = sa.table(
    "reminders",
    sa.column("id", sa.Integer),
    sa.column("person_id", sa.BigInteger),
    sa.column("habit", sa.String),
    sa.column("rule", sa.JSON),
    sa.column("next_fire_at", sa.DateTime(timezone=True)),
)


def spread(person_id: int) -> int:
    """Return the person's summary offset in minutes (as bot.domain.schedule.spread_offset)."""
    digest = zlib.crc32(f"{person_id}:summary".encode())
    return digest % (2 * SPREAD_MINUTES + 1) - SPREAD_MINUTES


def rule_of(value: Any) -> dict[str, Any]:
    return dict(json.loads(value) if isinstance(value, str) else value)


def shift_summaries(forward: bool) -> None:
    """Give every weekly summary its person's offset (or take it back), moving its next time."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            reminders.c.id, reminders.c.person_id, reminders.c.rule, reminders.c.next_fire_at
        ).where(reminders.c.habit == "summary")
    ).all()
    for rid, person_id, raw, next_fire_at in rows:
        rule = rule_of(raw)
        old = int(rule.get("offset_minutes", 0))
        new = spread(person_id) if forward else 0
        if forward and old != 0:
            continue  # already spread
        rule["offset_minutes"] = new
        moved = None if next_fire_at is None else next_fire_at + timedelta(minutes=new - old)
        conn.execute(
            reminders.update().where(reminders.c.id == rid).values(rule=rule, next_fire_at=moved)
        )


def upgrade() -> None:
    op.create_table(
        "delivery_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "status", name=op.f("pk_delivery_days")),
    )
    # Start the counts from what the outbox holds today, so /stats loses nothing.
    conn = op.get_bind()
    at = sa.func.coalesce(sa.column("sent_at"), sa.column("send_after"))
    if conn.dialect.name == "postgresql":
        day: Any = sa.cast(sa.func.timezone("UTC", at), sa.Date)
    else:
        day = sa.func.date(at)
    counted = ", ".join(f"'{s}'" for s in COUNTED)
    select = sa.select(day.label("day"), sa.column("status"), sa.func.count().label("count"))
    select = (
        select.select_from(sa.table("deliveries"))
        .where(sa.text(f"status IN ({counted})"))
        .group_by(day, sa.column("status"))
    )
    days = sa.table("delivery_days", sa.column("day"), sa.column("status"), sa.column("count"))
    conn.execute(days.insert().from_select(["day", "status", "count"], select))
    shift_summaries(forward=True)


def downgrade() -> None:
    shift_summaries(forward=False)
    op.drop_table("delivery_days")
