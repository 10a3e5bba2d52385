"""How fast the database grows per person per day, with the default settings.

Run: .venv/bin/python bench/growth.py [--people N] [--days D]

Simulates N onboarded people (every habit on, the weekly summary, eight time zones) for D days
on a fresh SQLite file with the real dispatcher: the clock moves 5 minutes a step and ticks;
every queued message is marked sent (as the sender would, daily counts included); 60% of
nudges get a Done press (a habit log) and 70% of people check in each day. Once a simulated
day the housekeeping prune runs with OUTBOX_RETENTION_DAYS (default 30).

Prints the bytes in use (pages in use x page size, after deletes free pages for reuse) per
person per day before the retention starts deleting (days 1-30) and after (the steady
state), and the size of each table at the end. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scheduler import ZONES  # noqa: E402

START = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday
STEP = timedelta(minutes=5)
DONE_SHARE = 0.6
CHECKIN_SHARE = 0.7


def used_bytes(path: Path) -> int:
    """Return the bytes of pages in use (free pages left by deletes are reused, not counted)."""
    conn = sqlite3.connect(path)
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    return int((pages - free) * size)


def table_sizes(path: Path) -> list[tuple[str, int, int]]:
    """Return (table, rows, bytes incl. its indexes) per table, biggest first."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master"))
        try:
            pages = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        except sqlite3.OperationalError:
            pages = []  # SQLite built without the dbstat table
        sizes: dict[str, int] = {}
        for name, size in pages:
            table = owner.get(name, name)
            sizes[table] = sizes.get(table, 0) + int(size)
        out = [
            (t, conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0], sizes.get(t, 0))
            for t in tables
        ]
    finally:
        conn.close()
    return sorted(out, key=lambda r: -r[2])


async def simulate(path: Path, people: int, days: int, seed: int) -> list[int]:
    """Run the simulation; return the bytes in use at the end of each day."""
    from bot.clock import FakeClock
    from bot.config import Settings
    from bot.runtime import Runtime
    from bot.scheduler.dispatcher import Dispatcher
    from bot.services.onboarding import SUMMARY, summary_rule
    from bot.services.retention import prune
    from bot.services.schedules import reschedule
    from bot.storage.models import CheckIn
    from bot.storage.uow import Database
    from tests.factories import make_person

    rng = random.Random(seed)
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{path}")  # type: ignore[call-arg]
    clock = FakeClock(START)
    db = Database(settings.database_url)
    runtime = Runtime(settings=settings, db=db, clock=clock)
    dispatcher = Dispatcher(runtime, rng=rng)
    for pid in range(1, people + 1):
        await make_person(db, pid, now=START, zone=ZONES[pid % len(ZONES)])
        async with db.uow() as uow:
            rule = summary_rule(pid).to_dict()
            await uow.reminders.set_rule(pid, SUMMARY, rule=rule, enabled=True, now=START)
            await reschedule(uow, pid, START)
            await uow.commit()
    sizes: list[int] = []
    now = START
    for day in range(days):
        end = START + timedelta(days=day + 1)
        while now < end:
            now += STEP
            clock.set(now)
            await dispatcher.tick(now)
            await send_and_answer(db, now, rng)
        async with db.uow() as uow:
            for pid in range(1, people + 1):
                if rng.random() < CHECKIN_SHARE:
                    uow.session.add(
                        CheckIn(
                            person_id=pid,
                            local_date=(now - timedelta(hours=1)).date(),
                            pain=rng.randint(0, 10),
                            stress=rng.randint(0, 10),
                            mood=rng.randint(1, 5),
                            sleep="ok",
                            skipped=[],
                            red_flags_asked=False,
                            started_at=now,
                            updated_at=now,
                            completed_at=now,
                        )
                    )
            await uow.commit()
        await prune(db, now, settings.outbox_retention_days)
        sizes.append(used_bytes(path))
    await db.close()
    return sizes


async def send_and_answer(db: Any, now: datetime, rng: random.Random) -> None:
    """Mark what is due as sent (as the sender does) and press Done on some nudges."""
    async with db.uow() as uow:
        rows = await uow.deliveries.claim(
            owner="growth", now=now, lease_until=now + timedelta(minutes=1), limit=100_000
        )
        if not rows:
            return
        await uow.deliveries.mark_sent([(r.id, 1000 + r.id, now) for r in rows])
        for row in rows:
            if row.kind == "nudge" and row.habit and rng.random() < DONE_SHARE:
                await uow.deliveries.respond(row.id, "done")
                await uow.habit_logs.add(
                    row.person_id,
                    row.habit,
                    at=now,
                    local_date=now.date(),
                    source="nudge",
                    delivery_id=row.id,
                )
        await uow.commit()


def main() -> None:
    from bot.config import Settings
    from bot.storage.migrate import upgrade

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--days", type=int, default=45)
    args = parser.parse_args()
    retention = Settings(_env_file=None).outbox_retention_days  # type: ignore[call-arg]
    path = Path(tempfile.mkdtemp(prefix="nudgebot-growth-")) / "bot.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    empty = used_bytes(path)
    started = time.perf_counter()
    sizes = asyncio.run(simulate(path, args.people, args.days, seed=1))
    took = time.perf_counter() - started

    def rate(first: int, last: int) -> float:
        """Bytes per person per day between the ends of two days (1-based)."""
        return (sizes[last - 1] - sizes[first - 1]) / (last - first) / args.people

    warm = min(5, args.days - 1)  # skip the first days: reminders and their indexes settle in
    print(
        f"Database growth, {args.people} people x {args.days} days, SQLite, defaults"
        f" (OUTBOX_RETENTION_DAYS={retention}); simulated in {took:.0f} s\n"
    )
    print(
        f"  empty schema {empty / 1024:.0f} KiB; after {args.days} days"
        f" {sizes[-1] / 1024:.0f} KiB ({sizes[-1] / args.people / 1024:.1f} KiB a person)"
    )
    if args.days > retention + 2:
        print(
            f"  growth per person per day, days {warm}-{retention}"
            f" (the outbox still keeps everything): {rate(warm, retention):>8,.0f} bytes"
        )
        print(
            f"  growth per person per day, days {retention + 2}-{args.days}"
            f" (retention deleting daily):     {rate(retention + 2, args.days):>8,.0f} bytes"
        )
    else:
        print(
            f"  growth per person per day, days {warm}-{args.days}:"
            f" {rate(warm, args.days):,.0f} bytes (run more than {retention + 2} days for the"
            " steady state)"
        )
    print("\n  table               rows    KiB (with indexes)")
    for table, rows, size in table_sizes(path):
        print(f"  {table:<16} {rows:>8,} {size / 1024:>8,.0f}")


if __name__ == "__main__":
    main()
