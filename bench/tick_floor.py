"""The tick's floor: plain SQLAlchemy Core claiming the same due rows into the outbox.

Run: .venv/bin/python bench/tick_floor.py DATABASE [--at ISO-UTC] [--sqlite3]

On a database built by bench/scheduler.py (reset first), does in one transaction on the bot's
own engine (same pragmas) only what any tick must do: read the due reminders (id, person,
time), insert one outbox row each (ON CONFLICT DO NOTHING on the occurrence, like the tick),
and move each reminder a day on with the same compare-and-set. No decisions, no schedules, no
texts: what is left is the database's own cost. Prints its figures as JSON; asserts nothing.
bench/scheduler.py runs it next to the real tick and prints the ratio.

With --sqlite3 the same three steps run on Python's sqlite3 module directly, in one thread,
with the bot's pragmas: no SQLAlchemy, no aiosqlite, no type processing. That is what these
steps cost SQLite itself on this machine, below any Python layer a tick could use.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler import fmt_time  # how SQLAlchemy stores a datetime in SQLite
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import sqlite

from bot.storage.engine import create_engine
from bot.storage.models import Delivery, Reminder

_r = cast(Table, Reminder.__table__)
_d = cast(Table, Delivery.__table__)
DAY = timedelta(days=1)


async def floor(path: Path, at: datetime, limit: int = 100_000) -> dict[str, Any]:
    """Claim everything due at `at` into the outbox with plain Core; return the timings."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    # Warm the pool so the figure is the work, not the first connection.
    async with engine.connect() as conn:
        await conn.execute(select(1))
    started = time.perf_counter()
    cpu = time.process_time()
    async with engine.begin() as conn:
        due = (
            await conn.execute(
                select(_r.c.id, _r.c.person_id, _r.c.next_fire_at)
                .where(_r.c.next_fire_at <= at)
                .order_by(_r.c.next_fire_at)
                .limit(limit)
            )
        ).all()
        claimed = time.perf_counter()
        rows = [
            {
                "chat_id": person_id,
                "person_id": person_id,
                "kind": "nudge",
                "habit": None,
                "reminder_id": rid,
                "payload": {},
                "due_at": when,
                "send_after": when,
                "status": "pending",
                "attempts": 0,
                "created_at": at,
            }
            for rid, person_id, when in due
        ]
        if rows:
            stmt = sqlite.insert(_d).on_conflict_do_nothing(
                index_elements=["reminder_id", "due_at"]
            )
            await conn.execute(stmt, rows)
            await conn.execute(
                update(_r)
                .where(_r.c.id == bindparam("rid"), _r.c.next_fire_at == bindparam("was"))
                .values(next_fire_at=bindparam("nfa")),
                [{"rid": rid, "was": when, "nfa": when + DAY} for rid, _, when in due],
            )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    await engine.dispose()
    return {"seconds": seconds, "cpu": cpu, "claim": claimed - started, "due": len(due)}


def floor_sqlite3(path: Path, at: datetime, limit: int = 100_000) -> dict[str, Any]:
    """Claim everything due at `at` with sqlite3 alone; return the timings."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    cpu = time.process_time()
    conn.execute("BEGIN IMMEDIATE")
    due = conn.execute(
        "SELECT id, person_id, next_fire_at FROM reminders WHERE next_fire_at <= ?"
        " ORDER BY next_fire_at LIMIT ?",
        (fmt_time(at), limit),
    ).fetchall()
    claimed = time.perf_counter()
    created = fmt_time(at)
    conn.executemany(
        "INSERT INTO deliveries (chat_id, person_id, kind, habit, reminder_id, payload, due_at,"
        " send_after, status, attempts, created_at) VALUES (?, ?, 'nudge', NULL, ?, '{}', ?, ?,"
        " 'pending', 0, ?) ON CONFLICT (reminder_id, due_at) DO NOTHING",
        [(person, person, rid, when, when, created) for rid, person, when in due],
    )
    conn.executemany(
        "UPDATE reminders SET next_fire_at = ? WHERE id = ? AND next_fire_at = ?",
        [(fmt_time(_parsed(when) + DAY), rid, when) for rid, _, when in due],
    )
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    conn.close()
    return {"seconds": seconds, "cpu": cpu, "claim": claimed - started, "due": len(due)}


def _parsed(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--at", default="2026-03-24T10:00:30.500+00:00")
    parser.add_argument("--sqlite3", action="store_true", help="sqlite3 alone, no SQLAlchemy")
    args = parser.parse_args()
    at = datetime.fromisoformat(args.at)
    if args.sqlite3:
        print(json.dumps(floor_sqlite3(args.database, at)))
    else:
        print(json.dumps(asyncio.run(floor(args.database, at))))


if __name__ == "__main__":
    main()
