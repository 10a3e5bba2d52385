"""Benchmark what /progress, /export and the weekly summary cost for one well-used account.

Run: .venv/bin/python bench/progress.py [--days N] [--repeat N]

Builds a fresh SQLite database (in a temp dir) with one onboarded person who logged every habit
for N days (6 water, 5 movement breaks, 2 meals, 2 breathing a day, with their own words) and
checked in daily (pain, mood, sleep, a note), then times what each command does (median of
--repeat runs after one warm-up): the /progress text (service + rendering the words), the
chart (rendered in the worker process, as the bot does), the export (read, then pack in the
worker), /today and
the weekly summary. While each runs, a ticker measures the event loop's lag: how late a 1 ms
sleep wakes up (the worst case is what a person would feel as a stalled bot). Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
from bot.telegram import offload, texts
from bot.telegram.charts import render_progress
from bot.telegram.export_files import build_export
from bot.telegram.renderers import weekly_text
from tests.factories import make_person

NOW = datetime(2026, 3, 29, 17, 0, tzinfo=UTC)
PER_DAY = {"water": 6, "move": 5, "food": 2, "breathe": 2}
WORDS = {"water": "a glass of water", "move": "walked 10 min", "food": "had kefir", "breathe": ""}


async def seed(db: Database, days: int) -> None:
    start = NOW - timedelta(days=days)
    await make_person(db, 1, now=start)
    async with db.uow() as uow:
        for n in range(days):
            day = (start + timedelta(days=n)).date()
            at = start + timedelta(days=n, hours=2)
            for habit, count in PER_DAY.items():
                for _ in range(count - n % 2):  # every other day one short of the goal
                    uow.session.add(
                        HabitLog(
                            person_id=1,
                            habit=habit,
                            at=at,
                            local_date=day,
                            source="text",
                            label=WORDS[habit] or "breathing",
                            said=WORDS[habit] or None,
                        )
                    )
            uow.session.add(
                CheckIn(
                    person_id=1,
                    local_date=day,
                    pain=n % 7,
                    stress=n % 5,
                    mood=1 + n % 5,
                    sleep=("poor", "ok", "good")[n % 3],
                    note="stiff after the long drive, better after a walk" if n % 4 == 0 else None,
                    skipped=[],
                    red_flags_asked=False,
                    started_at=at,
                    updated_at=at,
                    completed_at=at,
                )
            )
        await uow.commit()


async def lag_while(run: Callable[[], Awaitable[Any]]) -> tuple[Any, float, float]:
    """Run a coroutine while a ticker measures the loop: worst lag and worst busy stretch (ms).

    Lag is how late a 1 ms sleep woke up (wall clock: includes the OS not scheduling us on a
    busy machine). Busy is the CPU time the loop's own thread spent between two ticks: the
    longest stretch it ran something else without coming back, whatever the machine's load.
    """
    worst_lag = worst_busy = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst_lag, worst_busy
        while not done:
            t0, c0 = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.001)
            worst_lag = max(worst_lag, (time.perf_counter() - t0) * 1000 - 1.0)
            worst_busy = max(worst_busy, (time.thread_time() - c0) * 1000)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    result = await run()
    done = True
    await task
    return result, worst_lag, worst_busy


async def timed(
    run: Callable[[], Awaitable[Any]], repeat: int
) -> tuple[float, float, float, float]:
    """Return median wall ms, median CPU ms of this process, worst loop lag and busy ms."""
    await run()  # warm-up
    walls, cpus, lags, busy = [], [], [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        _, lag, stretch = await lag_while(run)
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
        lags.append(lag)
        busy.append(stretch)
    return statistics.median(walls), statistics.median(cpus), max(lags), max(busy)


async def main(days: int, repeat: int, url: str) -> None:
    db = Database(url)
    await seed(db, days)

    async def progress_text() -> str:
        view = await progress.progress_view(db.uow(), 1, NOW)
        lines = [
            texts.progress_line(
                h.label, h.streak, h.best, h.strength_word, h.week, h.month, goal=h.goal
            )
            for h in view.habits
        ]
        freezes = texts.freezes_line(list(view.freezes_spent), view.freezes_left)
        return texts.progress_view(lines, view.trend, freezes)

    async def chart(span: int | None = None) -> bytes:
        view = await progress.progress_view(db.uow(), 1, NOW, days=span)
        assert view.chart is not None
        return await offload.run(render_progress, view.chart)

    async def export() -> Any:
        tables = await privacy_data.export(db.uow(), 1)
        assert tables is not None
        return await asyncio.to_thread(build_export, tables, NOW)

    async def weekly() -> None:
        async with db.uow() as uow:
            weekly_text(await summary.report(uow, 1, NOW))

    async def idle() -> None:
        await asyncio.sleep(0.2)

    t0 = time.perf_counter()
    await chart()
    first_chart = (time.perf_counter() - t0) * 1000
    rows = [
        ("nothing (the loop idle for 200 ms)", await timed(idle, repeat)),
        ("/progress text (service + words)", await timed(progress_text, repeat)),
        ("/progress chart, 30 days (service + render)", await timed(chart, repeat)),
        ("/progress 90 chart (service + render)", await timed(lambda: chart(90), repeat)),
        ("/export (read + pack zip)", await timed(export, repeat)),
        ("/today", await timed(lambda: progress.today_view(db.uow(), 1, NOW), repeat)),
        ("weekly summary", await timed(weekly, repeat)),
    ]
    png = await chart()
    bundle = await export()
    view = await progress.progress_view(db.uow(), 1, NOW)
    assert view.chart is not None
    render_cpu = []
    for _ in range(repeat):
        c0 = time.process_time()
        render_progress(view.chart)  # what the worker spends on one chart
        render_cpu.append((time.process_time() - c0) * 1000)
    await db.close()
    logs = sum(max(c - n % 2, 0) for n in range(days) for c in PER_DAY.values())
    load = os.getloadavg()[0]
    print(
        f"one person, {days} days: {logs} habit logs, {days} check-ins "
        f"(SQLite, median of {repeat} after a warm-up; load average {load:.1f} "
        f"on {os.cpu_count()} cores)"
    )
    print(f"  {'':<44} {'wall':>8} {'CPU':>8} {'loop lag':>9} {'loop busy':>10}")
    for name, (wall, cpu, lag, busy) in rows:
        print(f"  {name:<44} {wall:6.1f}ms {cpu:6.1f}ms {lag:7.1f}ms {busy:8.1f}ms")
    print(
        f"  chart render alone, CPU (what the worker spends): "
        f"{statistics.median(render_cpu):.0f} ms; first chart (starts the worker, which "
        f"imports matplotlib): {first_chart:.0f} ms"
    )
    print(
        f"  chart PNG: {len(png) / 1024:.0f} KiB; export: {bundle.rows} lines in "
        f"{len(bundle.files)} files, zip {len(bundle.zip_bytes) / 1024:.0f} KiB"
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
