"""intents: queued deliveries store a versioned message kind and its parameters

Rows still waiting (pending, or claimed by a sender) keep being deliverable: a rendered
payload is wrapped as version 0, kind "rendered", which the sender sends as stored; a weekly
summary queued as {"build": "weekly_summary", "as_of": ...} becomes its version-1 intent.
Finished rows keep their payloads: nothing sends them again.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02 00:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = ("pending", "sending")
WEEKLY = "weekly_summary"
# Written here as they were at this revision, so later changes to the code cannot change it.
deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("last_error", sa.Text),
)


def _open_rows() -> list[tuple[int, dict[str, Any]]]:
    rows = op.get_bind().execute(
        sa.select(deliveries.c.id, deliveries.c.payload).where(deliveries.c.status.in_(OPEN))
    )
    return [(int(i), dict(p or {})) for i, p in rows]


def _write(changes: list[dict[str, Any]], **values: Any) -> None:
    if not changes:
        return
    stmt = (
        sa.update(deliveries)
        .where(deliveries.c.id == sa.bindparam("b_id"))
        .values(payload=sa.bindparam("b_payload"), **values)
    )
    op.get_bind().execute(stmt, changes)


def upgrade() -> None:
    changes = []
    for row_id, payload in _open_rows():
        if "v" in payload:
            continue
        if payload.get("build") == WEEKLY:
            new = {"v": 1, "kind": WEEKLY, "params": {"as_of": payload["as_of"]}}
        else:
            new = {"v": 0, "kind": "rendered", "params": payload}
        changes.append({"b_id": row_id, "b_payload": new})
    _write(changes)


def downgrade() -> None:
    unwrapped, cancelled = [], []
    for row_id, payload in _open_rows():
        if payload.get("v") == 0:
            unwrapped.append({"b_id": row_id, "b_payload": payload.get("params", {})})
        elif payload.get("kind") == WEEKLY:
            as_of = payload.get("params", {}).get("as_of")
            unwrapped.append({"b_id": row_id, "b_payload": {"build": WEEKLY, "as_of": as_of}})
        elif "v" in payload:
            # Older code cannot render an intent: say why the row was not sent.
            cancelled.append({"b_id": row_id, "b_payload": payload})
    _write(unwrapped)
    _write(cancelled, status="cancelled", last_error="downgraded below 0010: not renderable")
