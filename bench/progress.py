"""Benchmark what /progress, /export and the weekly summary cost for one well-used account.

Run: .venv/bin/python bench/progress.py [--days N] [--repeat N]

Builds a fresh SQLite database (in a temp dir) with one onboarded person who logged every habit
for N days (6 water, 5 movement breaks, 2 meals, 2 breathing a day) and checked in daily, then
times the services each command calls, the chart rendering and the export packing (median of
--repeat runs; the first chart render, which imports matplotlib, is reported separately).
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services import privacy_data, progress, summary
from bot.storage.migrate import upgrade
from bot.storage.models import CheckIn, HabitLog
from bot.storage.uow import Database
from bot.telegram.charts import render_progress
from bot.telegram.export_files import build_export
from tests.factories import make_person

NOW = datetime(2026, 3, 29, 17, 0, tzinfo=UTC)
PER_DAY = {"water": 6, "move": 5, "food": 2, "breathe": 2}


async def seed(db: Database, days: int) -> None:
    start = NOW - timedelta(days=days)
    await make_person(db, 1, now=start)
    async with db.uow() as uow:
        for n in range(days):
            day = (start + timedelta(days=n)).date()
            for habit, count in PER_DAY.items():
                for _ in range(count):
                    uow.session.add(
                        HabitLog(person_id=1, habit=habit, at=start, local_date=day, source="b")
                    )
            uow.session.add(
                CheckIn(
                    person_id=1,
                    local_date=day,
                    pain=n % 7,
                    stress=n % 5,
                    skipped=[],
                    red_flags_asked=False,
                    started_at=start,
                    updated_at=start,
                    completed_at=start,
                )
            )
        await uow.commit()


async def timed(run: Callable[[], Awaitable[Any]], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        await run()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


async def main(days: int, repeat: int, url: str) -> None:
    db = Database(url)
    await seed(db, days)
    view = await progress.progress(db.uow(), 1, NOW)
    assert view.chart is not None
    chart = view.chart

    async def weekly() -> None:
        async with db.uow() as uow:
            await summary.weekly_payload(uow, 1, NOW)

    async def export() -> Any:
        tables = await privacy_data.export(db.uow(), 1)
        assert tables is not None
        return await asyncio.to_thread(build_export, tables, NOW)

    t0 = time.perf_counter()
    png = render_progress(chart)
    first_chart = (time.perf_counter() - t0) * 1000
    rows = [
        (
            "progress service (/progress)",
            await timed(lambda: progress.progress(db.uow(), 1, NOW), repeat),
        ),
        (
            "today service (/today)",
            await timed(lambda: progress.today(db.uow(), 1, NOW), repeat),
        ),
        ("weekly_payload", await timed(weekly, repeat)),
        ("chart render, first (imports matplotlib)", first_chart),
        (
            "chart render",
            await timed(lambda: asyncio.to_thread(render_progress, chart), repeat),
        ),
        ("export (dump + zip + json)", await timed(export, repeat)),
    ]
    bundle = await export()
    await db.close()
    logs = days * sum(PER_DAY.values())
    print(
        f"one person, {days} days: {logs} habit logs, {days} check-ins "
        f"(SQLite, median of {repeat})"
    )
    for name, ms in rows:
        print(f"  {name:<42} {ms:8.1f} ms")
    print(
        f"  chart PNG: {len(png) / 1024:.0f} KiB; export: {bundle.rows} rows, "
        f"zip {len(bundle.zip_bytes) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        upgrade(url)  # Alembic runs its own event loop, so migrate before ours starts
        asyncio.run(main(args.days, args.repeat, url))
