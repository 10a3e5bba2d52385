"""pending: one typed pending input (feature, step, day, habit, asked_at) instead of `awaiting`

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-01 23:50:00.000000

The old `people.awaiting` strings are converted here, with a frozen copy of the old protocol
(the app no longer speaks it): "onb:<step>", "set:zone|day|sit", "set:t:<habit>",
"set:d:<habit>", "checkin:note:<yyyymmdd>:<minute>" and "checkin:q:<key>:<minute>". A value
nothing could have written is dropped: the router never matched it either.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_people = sa.table(
    "people",
    sa.column("id", sa.BigInteger()),
    sa.column("awaiting", sa.String(32)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("pending_feature", sa.String(16)),
    sa.column("pending_step", sa.String(16)),
    sa.column("pending_day", sa.Date()),
    sa.column("pending_habit", sa.String(16)),
    sa.column("pending_asked_at", sa.DateTime(timezone=True)),
)
_SETTINGS_STEPS = {"zone": "zone", "day": "day", "sit": "sit", "t": "times", "d": "days"}
_HABITS = {"water", "move", "food", "breathe", "checkin"}
_ONBOARDING_STEPS = {"consent", "zone", "wake", "sleep", "sit", "habits"}


def _minute(value: str) -> datetime | None:
    return datetime.fromtimestamp(int(value) * 60, tz=UTC) if value.isdigit() else None


def _aware(value: datetime | str | None) -> datetime:
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    if value is None:
        return datetime.now(UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def convert(awaiting: str, updated_at: datetime) -> dict[str, Any] | None:
    """Return the pending columns an old `awaiting` value stands for (None: nothing)."""
    parts = awaiting.split(":")
    values: dict[str, Any] = {"pending_day": None, "pending_habit": None}
    if parts[0] == "onb" and len(parts) == 2 and parts[1] in _ONBOARDING_STEPS:
        values.update(pending_feature="onboarding", pending_step=parts[1])
    elif parts[0] == "set" and len(parts) in (2, 3) and parts[1] in _SETTINGS_STEPS:
        habit = parts[2] if len(parts) == 3 else None
        if (habit is None) != (parts[1] in ("zone", "day", "sit")) or (
            habit is not None and habit not in _HABITS
        ):
            return None
        values.update(
            pending_feature="settings", pending_step=_SETTINGS_STEPS[parts[1]], pending_habit=habit
        )
    elif parts[:2] == ["checkin", "note"] and len(parts) == 4:
        asked = _minute(parts[3])
        code = parts[2]
        if asked is None or len(code) != 8 or not code.isdigit():
            return None
        try:
            day = date(int(code[:4]), int(code[4:6]), int(code[6:]))
        except ValueError:
            return None
        return {
            "pending_feature": "checkin",
            "pending_step": "note",
            "pending_day": day,
            "pending_habit": None,
            "pending_asked_at": asked,
        }
    elif parts[:2] == ["checkin", "q"] and len(parts) == 4:
        asked = _minute(parts[3])
        if asked is None or not (parts[2].isascii() and parts[2].isalpha()):
            return None
        values.update(pending_feature="checkin", pending_step=parts[2], pending_asked_at=asked)
        return values
    else:
        return None
    values["pending_asked_at"] = updated_at
    return values


def unconvert(row: Any) -> str | None:
    """Return the old `awaiting` value of a pending input (for downgrade)."""
    feature, step, day, habit, asked = row
    if feature == "onboarding":
        return f"onb:{step}"
    if feature == "settings":
        short = {v: k for k, v in _SETTINGS_STEPS.items()}.get(step, step)
        return f"set:{short}:{habit}" if habit else f"set:{short}"
    if feature == "checkin" and asked is not None:
        minute = int(_aware(asked).timestamp() // 60)
        if step == "note":
            if isinstance(day, str):
                day = date.fromisoformat(day)
            return f"checkin:note:{day:%Y%m%d}:{minute}" if day else None
        return f"checkin:q:{step}:{minute}"
    return None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_feature", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("pending_step", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("pending_day", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("pending_habit", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("pending_asked_at", sa.DateTime(timezone=True), nullable=True)
        )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_people.c.id, _people.c.awaiting, _people.c.updated_at).where(
            _people.c.awaiting.is_not(None)
        )
    ).all()
    for person_id, awaiting, updated_at in rows:
        values = convert(awaiting, _aware(updated_at))
        if values is not None:
            bind.execute(_people.update().where(_people.c.id == person_id).values(**values))
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("awaiting")


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaiting", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _people.c.id,
            _people.c.pending_feature,
            _people.c.pending_step,
            _people.c.pending_day,
            _people.c.pending_habit,
            _people.c.pending_asked_at,
        ).where(_people.c.pending_feature.is_not(None))
    ).all()
    for person_id, *pending in rows:
        awaiting = unconvert(pending)
        if awaiting is not None:
            bind.execute(
                _people.update().where(_people.c.id == person_id).values(awaiting=awaiting[:32])
            )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("pending_asked_at")
        batch_op.drop_column("pending_habit")
        batch_op.drop_column("pending_day")
        batch_op.drop_column("pending_step")
        batch_op.drop_column("pending_feature")
