"""Benchmark the scheduler tick against one PTB JobQueue job per person per habit.

Run: .venv/bin/python bench/scheduler.py [--quick] [--dir DIR] [--rebuild]

Builds SQLite databases of onboarded people with 4 reminders each (water, movement, food,
breathing; eight time zones; a per-person spread offset), with fast bulk inserts, and caches
them in --dir. Then, each in a fresh subprocess so memory is measured per process:

  serve     open the 100k-people database and run the dispatcher's tick loop once a second, as
            the bot does, on a clock that reaches the moment 10,000 reminders fall due (all at
            once) about 3 s after start. Reports the time from process start to the first
            finished tick ("ready to dispatch"), how late the last of the 10,000 reached the
            outbox, and the process's max RSS.
  tick      one tick with 10,000 due among 100k people, and among 1M people (median of 3).
  idle      ticks with nothing due, a second apart: the CPU each costs (the live bot runs one
            every second), median of 3 processes.
  floor     the same 10,000 claimed into the outbox by plain SQLAlchemy Core (bench/tick_floor.py),
            run alternately with the ticks on the same database; the tick's ratio to it.
  baseline  the same people with one PTB JobQueue job per person per habit (PTB's timer
            example): time to schedule, max RSS, and how many of N jobs due at the same moment
            fire within a window (each job's callback stands in for send_message with a 50 ms
            await, like a round trip to Telegram).

  sunday    (--sunday) "Sunday evening": one tick with 10,000 weekly summaries due in the same
            minute among 100k people, next to an ordinary tick with 10,000 nudges due (median
            of 3 each); for both, the tick's time and the longest transaction it held open
            (on PostgreSQL the claimed reminders stay locked FOR UPDATE that long; on SQLite
            the write lock is held for at most that long). Also prints how the summaries'
            spread offset shares out 10,000 people of one zone over the minutes.

Prints a table; asserts nothing. Full run about 3-4 minutes (first run builds the 1M database);
--tick-only runs just the ticks and the floor (about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
)
HABITS = ("water", "move", "food", "breathe")
# The database's "now": a Tuesday; every reminder's next fire is after it, on whole minutes.
N0 = datetime(2026, 3, 24, 10, 0, 30, tzinfo=UTC)
# The moment the chosen reminders all fall due.
DUE_AT = N0
# How far before DUE_AT the serving process's clock starts.
LEAD_SECONDS = 3.0
LOOKAHEAD = 10.0


def fmt_time(at: datetime) -> str:
    """Format a UTC datetime the way SQLAlchemy stores it in SQLite."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def max_rss_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------------- building


def templates() -> dict[tuple[int, str, int], tuple[str, str]]:
    """Return (rule JSON, next fire) per (zone index, habit, offset): few distinct schedules."""
    from datetime import time as clock_time
    from zoneinfo import ZoneInfo

    from bot.domain.habits import Habit, default_rule
    from bot.domain.schedule import MAX_OFFSET_MINUTES, Window, next_fire

    awake = Window(clock_time(7), clock_time(23))
    sitting = Window(clock_time(9), clock_time(17))
    out: dict[tuple[int, str, int], tuple[str, str]] = {}
    for z, zone in enumerate(ZONES):
        for habit in HABITS:
            for offset in range(-7, 8):
                assert abs(offset) <= MAX_OFFSET_MINUTES
                rule = default_rule(
                    Habit(habit), awake=awake, sitting=sitting, offset_minutes=offset
                )
                at = next_fire(rule, ZoneInfo(zone), N0, awake=awake)
                out[(z, habit, offset)] = (json.dumps(rule.to_dict()), fmt_time(at))
    return out


def build(path: Path, people: int, due: int, seed: int = 1) -> None:
    """Create a migrated SQLite database with `people` x 4 reminders; `due` of them due at once."""
    from bot.domain.schedule import spread_offset
    from bot.storage.migrate import upgrade

    if path.exists():
        path.unlink()
    upgrade(f"sqlite+aiosqlite:///{path}")
    plans = templates()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    # Building the time index once at the end is much faster than keeping it up per row.
    conn.execute("DROP INDEX ix_reminders_due")
    created = fmt_time(N0 - timedelta(days=30))
    chunk = 50_000
    reminder_id = 0
    for start in range(1, people + 1, chunk):
        ids = range(start, min(start + chunk, people + 1))
        conn.executemany(
            "INSERT INTO people (id, first_name, timezone, wake_time, sleep_time, sit_start,"
            " sit_end, consent_at, onboarded_at, active, created_at, updated_at, recent_tips)"
            " VALUES (?, 'P', ?, '07:00', '23:00', '09:00', '17:00', ?, ?, 1, ?, ?, '[]')",
            [(i, ZONES[i % len(ZONES)], created, created, created, created) for i in ids],
        )
        rows = []
        for i in ids:
            for habit in HABITS:
                reminder_id += 1
                rule, at = plans[(i % len(ZONES), habit, spread_offset(i, habit))]
                rows.append((reminder_id, i, habit, rule, at, created))
        conn.executemany(
            "INSERT INTO reminders (id, person_id, habit, rule, enabled, next_fire_at,"
            " ignored_in_row, recent_texts, updated_at) VALUES (?, ?, ?, ?, 1, ?, 0, '[]', ?)",
            rows,
        )
    conn.execute("CREATE INDEX ix_reminders_due ON reminders (next_fire_at)")
    chosen = random.Random(seed).sample(range(1, reminder_id + 1), due)
    conn.execute("CREATE TABLE bench_due (id INTEGER PRIMARY KEY)")
    conn.executemany("INSERT INTO bench_due (id) VALUES (?)", [(i,) for i in chosen])
    conn.execute(
        "UPDATE reminders SET next_fire_at = ? WHERE id IN (SELECT id FROM bench_due)",
        (fmt_time(DUE_AT),),
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def build_sunday(path: Path, people: int, due: int, seed: int = 2) -> None:
    """Build the ordinary database, then give `due` random people a weekly summary due now."""
    from bot.services.onboarding import summary_rule

    build(path, people, 0)
    conn = sqlite3.connect(path)
    created = fmt_time(N0 - timedelta(days=30))
    chosen = random.Random(seed).sample(range(1, people + 1), due)
    first = int(conn.execute("SELECT max(id) FROM reminders").fetchone()[0]) + 1
    rows = [
        (first + n, person, json.dumps(summary_rule(person).to_dict()), fmt_time(DUE_AT), created)
        for n, person in enumerate(chosen)
    ]
    conn.executemany(
        "INSERT INTO reminders (id, person_id, habit, rule, enabled, next_fire_at,"
        " ignored_in_row, recent_texts, updated_at) VALUES (?, ?, 'summary', ?, 1, ?, 0, '[]', ?)",
        rows,
    )
    conn.executemany("INSERT INTO bench_due (id) VALUES (?)", [(r[0],) for r in rows])
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def reset(path: Path) -> None:
    """Undo a run: empty the outbox and make the chosen reminders due again."""
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM deliveries")
    conn.execute(
        "UPDATE reminders SET next_fire_at = ?, recent_texts = '[]', ignored_in_row = 0"
        " WHERE id IN (SELECT id FROM bench_due)",
        (fmt_time(DUE_AT),),
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def database(
    folder: Path, people: int, due: int, rebuild: bool, *, sunday: bool = False
) -> tuple[Path, float]:
    """Return a cached database for this size (building it if needed) and the build time."""
    path = folder / f"people-{people}-{'summaries' if sunday else 'due'}-{due}.db"
    if path.exists() and not rebuild:
        reset(path)
        return path, 0.0
    started = time.perf_counter()
    (build_sunday if sunday else build)(path, people, due)
    return path, time.perf_counter() - started


# ------------------------------------------------------------------------ child processes


def _runtime(path: Path, clock: Any) -> Any:
    from bot.config import Settings
    from bot.runtime import Runtime
    from bot.storage.uow import Database

    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{path}")  # type: ignore[call-arg]
    return Runtime(settings=settings, db=Database(settings.database_url), clock=clock)


async def child_serve(path: Path, spawned: float, due: int, lookahead: float) -> dict[str, Any]:
    """Run the tick loop from process start until the burst is in the outbox."""
    from bot.clock import ScaledClock
    from bot.scheduler.dispatcher import Dispatcher

    clock = ScaledClock(1.0, start=DUE_AT - timedelta(seconds=LEAD_SECONDS))
    runtime = _runtime(path, clock)
    dispatcher = Dispatcher(runtime, lookahead=timedelta(seconds=lookahead))
    ready = None
    handled = 0
    in_outbox = None
    burst_tick = 0.0
    ticks = 0
    started = time.monotonic()
    while time.monotonic() - started < LEAD_SECONDS + 30:
        began = time.monotonic()
        stats = await dispatcher.tick()
        ticks += 1
        if ready is None:
            ready = time.time() - spawned
        if stats.due:
            handled += stats.due
            burst_tick += stats.seconds
            # Everything a tick claims is committed when tick() returns.
            in_outbox = (clock.now() - DUE_AT).total_seconds()
        if handled >= due:
            break
        await asyncio.sleep(max(0.0, runtime.settings.tick_seconds - (time.monotonic() - began)))
    async with runtime.db.uow() as uow:
        from sqlalchemy import func, select

        from bot.storage.models import Delivery

        queued = await uow.session.scalar(select(func.count()).select_from(Delivery))
    await runtime.db.close()
    return {
        "ready": ready,
        "in_outbox": in_outbox,
        "burst_tick": burst_tick,
        "worst": runtime.settings.tick_seconds + burst_tick - lookahead,
        "handled": handled,
        "queued": queued,
        "ticks": ticks,
        "rss": max_rss_mb(),
    }


def watch_transactions(engine: Any) -> list[float]:
    """Record how long each transaction on `engine` stays open (begin -> commit/rollback)."""
    from sqlalchemy import event

    opened: dict[int, float] = {}
    held: list[float] = []

    def begin(conn: Any) -> None:
        opened[id(conn)] = time.perf_counter()

    def end(conn: Any) -> None:
        at = opened.pop(id(conn), None)
        if at is not None:
            held.append(time.perf_counter() - at)

    event.listen(engine.sync_engine, "begin", begin)
    event.listen(engine.sync_engine, "commit", end)
    event.listen(engine.sync_engine, "rollback", end)
    return held


async def child_tick(path: Path) -> dict[str, Any]:
    """Time one tick over the due reminders (the parent resets the database between runs)."""
    from bot.clock import FakeClock
    from bot.scheduler.dispatcher import Dispatcher

    clock = FakeClock(DUE_AT + timedelta(seconds=0.5))
    runtime = _runtime(path, clock)
    # Warm the pool, as the floor does (a running bot's is): the figure is the tick's work.
    await runtime.db.ping()
    held = watch_transactions(runtime.db.engine)
    cpu = time.process_time()
    stats = await Dispatcher(runtime).tick()
    cpu = time.process_time() - cpu
    await runtime.db.close()
    return {
        "seconds": stats.seconds,
        # Both threads (the loop and aiosqlite's, where SQLite runs): less load-bound than wall.
        "cpu": cpu,
        "due": stats.due,
        "queued": stats.queued,
        "longest": max(held, default=0.0),
        "transactions": len(held),
        "rss": max_rss_mb(),
    }


async def child_idle(path: Path, ticks: int) -> dict[str, Any]:
    """Time idle ticks (nothing due), one a second on the clock as the live bot runs them."""
    from bot.clock import FakeClock
    from bot.scheduler.dispatcher import Dispatcher

    # An hour before the burst: nothing is due, and the clock moves a second a tick, so the
    # once-a-minute housekeeping (stale nudges, days ended) comes round as it does live.
    clock = FakeClock(DUE_AT - timedelta(hours=1))
    runtime = _runtime(path, clock)
    dispatcher = Dispatcher(runtime)
    await dispatcher.tick()  # warm: the pool, compiled statements, the first housekeeping
    cpus, walls = [], []
    for _ in range(ticks):
        clock.advance(timedelta(seconds=1))
        cpu, wall = time.process_time(), time.perf_counter()
        stats = await dispatcher.tick()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        assert stats.due == 0, stats
    await runtime.db.close()
    return {
        "cpu_ms": 1000 * statistics.median(cpus),
        "cpu_ms_p90": 1000 * statistics.quantiles(cpus, n=10)[-1],
        "wall_ms": 1000 * statistics.median(walls),
        "ticks": ticks,
    }


async def child_baseline(people: int, burst: int, window: float) -> dict[str, Any]:
    """Schedule one JobQueue job per person per habit, then fire `burst` jobs at once."""
    from telegram.ext import ApplicationBuilder, CallbackContext

    plans = templates()
    app = ApplicationBuilder().token("123456789:AAbenchTOKEN-not-used-offline").build()
    job_queue = app.job_queue
    assert job_queue is not None
    await job_queue.start()
    real_now = datetime.now(UTC)

    async def nudge(context: CallbackContext[Any, Any, Any, Any]) -> None:
        await asyncio.sleep(0.05)  # stands for send_message

    started = time.perf_counter()
    from bot.domain.schedule import spread_offset

    for i in range(1, people + 1):
        for habit in HABITS:
            _, at = plans[(i % len(ZONES), habit, spread_offset(i, habit))]
            first = datetime.fromisoformat(at).replace(tzinfo=UTC) - N0
            interval = {"water": 7200, "move": 3000}.get(habit, 86400)
            job_queue.run_repeating(
                nudge,
                interval=interval,
                first=real_now + first + timedelta(hours=1),
                chat_id=i,
                name=f"{i}:{habit}",
                data=habit,
            )
    schedule_seconds = time.perf_counter() - started
    rss_scheduled = max_rss_mb()

    fired: list[float] = []
    all_fired = asyncio.Event()

    async def alarm(context: CallbackContext[Any, Any, Any, Any]) -> None:
        fired.append(time.monotonic())
        if len(fired) >= burst:
            all_fired.set()
        await asyncio.sleep(0.05)

    due = datetime.now(UTC) + timedelta(seconds=3)
    for i in range(1, burst + 1):
        job_queue.run_once(alarm, when=due, chat_id=i, name=f"burst:{i}")
    due_mono = time.monotonic() + (due - datetime.now(UTC)).total_seconds()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_fired.wait(), due_mono + window - time.monotonic())
    in_window = sum(1 for t in fired if t <= due_mono + window)
    last = max(fired) - due_mono if fired else None
    await job_queue.stop(wait=False)
    return {
        "schedule_seconds": schedule_seconds,
        "rss_scheduled": rss_scheduled,
        "fired": in_window,
        "last": last,
        "rss": max_rss_mb(),
    }


def child(argv: list[str]) -> None:
    """Run one measurement and print its figures as JSON on the last line."""
    from bot.tuning import loop_factory, settle_memory

    # As `nudgebot run` starts: its event loop, the collector settled once imports are done
    # (the floor's child too, so the ratio compares like with like).
    settle_memory()
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        result = _measure(runner, argv)
    print(json.dumps(result))


def _measure(runner: asyncio.Runner, argv: list[str]) -> dict[str, Any]:
    run = runner.run
    mode = argv[0]
    if mode == "serve":
        result = run(child_serve(Path(argv[1]), float(argv[2]), int(argv[3]), float(argv[4])))
    elif mode == "tick":
        result = run(child_tick(Path(argv[1])))
    elif mode == "idle":
        result = run(child_idle(Path(argv[1]), int(argv[2])))
    elif mode == "floor":
        from tick_floor import floor

        result = run(floor(Path(argv[1]), DUE_AT + timedelta(seconds=0.5)))
    else:
        result = run(child_baseline(int(argv[1]), int(argv[2]), float(argv[3])))
    return result


def spawn(*args: str) -> dict[str, Any]:
    """Run this script as a child for one measurement; return what it printed."""
    spawned = time.time()
    cmd = [
        sys.executable,
        __file__,
        "--child",
        *[a.replace("{spawned}", repr(spawned)) for a in args],
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------------------- report


@dataclass
class Sizes:
    people: int
    big: int
    due: int
    baseline_people: int
    burst: int
    window: float


FULL = Sizes(
    people=100_000, big=1_000_000, due=10_000, baseline_people=10_000, burst=10_000, window=60
)
QUICK = Sizes(people=10_000, big=100_000, due=2_000, baseline_people=2_000, burst=2_000, window=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (about 30 s)")
    parser.add_argument("--dir", default="/tmp/nudgebot-bench", help="where databases are cached")
    parser.add_argument("--rebuild", action="store_true", help="build the databases again")
    parser.add_argument("--sunday", action="store_true", help="only the Sunday evening case")
    parser.add_argument(
        "--tick-only", action="store_true", help="only the ticks and their raw-Core floor"
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    overall = time.perf_counter()
    if args.sunday:
        sunday(folder, sizes, args.rebuild)
        print(f"\ntotal bench time {time.perf_counter() - overall:.0f} s")
        return

    small, small_build = database(folder, sizes.people, sizes.due, args.rebuild)
    big, big_build = database(folder, sizes.big, sizes.due, args.rebuild)
    print(
        f"databases: {sizes.people:,} people x 4 reminders ({small_build:.1f} s to build),"
        f" {sizes.big:,} x 4 ({big_build:.1f} s); cached in {folder}"
    )

    ticks: dict[int, list[float]] = {}
    floors: dict[int, list[float]] = {}
    rss: dict[int, list[float]] = {}
    cpus: dict[int, list[tuple[float, float]]] = {}
    for path, people in ((small, sizes.people), (big, sizes.big)):
        runs, bottoms, peaks, cpu = [], [], [], []
        # Alternate tick and floor, so both see the same load on a shared machine.
        for _ in range(3):
            reset(path)
            result = spawn("tick", str(path))
            assert result["due"] == sizes.due, result
            runs.append(result["seconds"])
            peaks.append(result["rss"])
            reset(path)
            bottom = spawn("floor", str(path))
            assert bottom["due"] == sizes.due, bottom
            bottoms.append(bottom["seconds"])
            cpu.append((result["cpu"], bottom["cpu"]))
        ticks[people] = runs
        floors[people] = bottoms
        rss[people] = peaks
        cpus[people] = cpu
    report_floor(sizes, ticks, floors, rss, cpus)
    report_idle(small, sizes.people)
    if args.tick_only:
        print(f"\ntotal bench time {time.perf_counter() - overall:.0f} s")
        return
    reset(small)
    serve = spawn("serve", str(small), "{spawned}", str(sizes.due), str(LOOKAHEAD))
    reset(small)
    bare = spawn("serve", str(small), "{spawned}", str(sizes.due), "0")
    reset(small)
    base = spawn("baseline", str(sizes.baseline_people), str(sizes.burst), str(sizes.window))
    report(sizes, serve, bare, ticks, base)
    print(f"\ntotal bench time {time.perf_counter() - overall:.0f} s")


def report_floor(
    sizes: Sizes,
    ticks: dict[int, list[float]],
    floors: dict[int, list[float]],
    rss: dict[int, list[float]],
    cpus: dict[int, list[tuple[float, float]]],
) -> None:
    """Print each tick next to its raw-Core floor, measured alternately in this run."""
    load = os.getloadavg()
    print(
        f"\nTick vs raw-Core floor ({sizes.due:,} due; SQLite; medians of 3;"
        f" load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})\n"
    )
    print(
        f"  {'':<28} {'tick':>9} {'floor':>9} {'ratio':>7} {'max RSS':>9}"
        "   goal: <= 0.5 s, <= 5x, <= 200 MB"
    )
    for people in (sizes.people, sizes.big):
        tick, bottom = statistics.median(ticks[people]), statistics.median(floors[people])
        label = f"among {people:,} people"
        peak = max(rss[people])
        print(
            f"  {label:<28} {tick:>7.3f} s {bottom:>7.3f} s {tick / bottom:>6.1f}x {peak:>6.0f} MB"
        )
        runs = ", ".join(
            f"{t:.3f}/{f:.3f}" for t, f in zip(ticks[people], floors[people], strict=True)
        )
        print(f"    runs (tick/floor, s): {runs}")
        tick_cpu = statistics.median(c[0] for c in cpus[people])
        floor_cpu = statistics.median(c[1] for c in cpus[people])
        print(
            f"    CPU (both threads): tick {tick_cpu:.3f} s, floor {floor_cpu:.3f} s,"
            f" ratio {tick_cpu / floor_cpu:.1f}x"
        )
    small = statistics.median(ticks[sizes.people])
    big = statistics.median(ticks[sizes.big])
    print(f"  {sizes.big:,} / {sizes.people:,} people: {big / small:.2f}x (goal: unchanged)")


IDLE_TICKS = 300


def report_idle(path: Path, people: int, runs: int = 3) -> None:
    """Print the cost of a tick with nothing due: the live bot runs one every second."""
    results = []
    for _ in range(runs):
        reset(path)
        results.append(spawn("idle", str(path), str(IDLE_TICKS)))
    cpu = statistics.median(r["cpu_ms"] for r in results)
    p90 = statistics.median(r["cpu_ms_p90"] for r in results)
    wall = statistics.median(r["wall_ms"] for r in results)
    each = ", ".join(f"{r['cpu_ms']:.2f}" for r in results)
    print(
        f"\nIdle tick (nothing due, among {people:,} people; {IDLE_TICKS} ticks a second apart,"
        f" median of {runs} processes): CPU {cpu:.2f} ms per tick (p90 {p90:.2f} ms),"
        f" wall {wall:.2f} ms; runs (CPU ms): {each}"
    )


def ticks_of(path: Path, due: int, runs: int = 3) -> list[dict[str, Any]]:
    """Run `runs` single ticks over the same due reminders, each in a fresh process."""
    results = []
    for _ in range(runs):
        reset(path)
        result = spawn("tick", str(path))
        assert result["due"] == due, result
        results.append(result)
    return results


def busiest_minute(people: int, zone_people: int = 10_000) -> tuple[int, int]:
    """Return (busiest minute's summaries, minutes used) for `zone_people` people in one zone."""
    from collections import Counter

    from bot.services.onboarding import summary_rule

    minutes = Counter(summary_rule(i).offset_minutes for i in range(1, zone_people + 1))
    return max(minutes.values()), len(minutes)


def sunday(folder: Path, sizes: Sizes, rebuild: bool) -> None:
    """Print the Sunday evening tick next to an ordinary one."""
    ordinary, built = database(folder, sizes.people, sizes.due, rebuild)
    summaries, built_s = database(folder, sizes.people, sizes.due, rebuild, sunday=True)
    print(
        f"databases: {sizes.people:,} people x 4 reminders, {sizes.due:,} nudges due"
        f" ({built:.1f} s to build) / {sizes.due:,} weekly summaries due ({built_s:.1f} s)"
    )
    cases = (
        (f"ordinary: {sizes.due:,} nudges due", ticks_of(ordinary, sizes.due)),
        (f"Sunday evening: {sizes.due:,} summaries due", ticks_of(summaries, sizes.due)),
    )
    print(f"\nOne tick among {sizes.people:,} people (SQLite, median of 3)\n")
    print(f"  {'':<40} {'tick':>9} {'longest transaction':>20} {'transactions':>13}")
    for label, runs in cases:
        tick = statistics.median(r["seconds"] for r in runs)
        longest = statistics.median(r["longest"] for r in runs)
        count = statistics.median(r["transactions"] for r in runs)
        print(f"  {label:<40} {tick:>7.3f} s {longest:>18.3f} s {count:>13.0f}")
        detail = ", ".join(f"{r['seconds']:.3f}/{r['longest']:.3f}" for r in runs)
        print(f"    runs (tick/longest, s): {detail}")
    peak, used = busiest_minute(sizes.people)
    print(
        f"\n  10,000 people in one zone: their summaries spread over {used} minutes,"
        f" at most {peak} in one minute"
    )


def report(
    sizes: Sizes,
    serve: dict[str, Any],
    bare: dict[str, Any],
    ticks: dict[int, list[float]],
    base: dict[str, Any],
) -> None:
    """Print the figures."""
    small_tick = statistics.median(ticks[sizes.people])
    big_tick = statistics.median(ticks[sizes.big])
    due, people, big = f"{sizes.due:,}", f"{sizes.people:,}", f"{sizes.big:,}"
    print(f"\nScheduler tick (SQLite, {os.cpu_count()} CPUs, one tick a second)\n")
    rows = [
        (f"{people} people x 4 reminders: max RSS of the ticking process", "<= 150 MB"),
        (f"{serve['rss']:.0f} MB", ""),
        ("ready to dispatch (process start -> first tick done)", "<= 3 s"),
        (f"{serve['ready']:.2f} s", ""),
        (f"{due} due at once: in the outbox, relative to their time", "<= +2 s"),
        (f"{serve['in_outbox']:+.2f} s", ""),
        (f"  same without the {LOOKAHEAD:.0f} s lookahead (measured)", "<= +2 s"),
        (f"{bare['in_outbox']:+.2f} s", ""),
        ("  same without lookahead, worst phase (1 s + the burst's ticks)", "<= +2 s"),
        (f"{bare['worst']:+.2f} s", ""),
        (f"one tick, {due} due among {people} people (median of 3)", ""),
        (f"{small_tick:.3f} s", ""),
        (f"one tick, {due} due among {big} people (median of 3)", ""),
        (f"{big_tick:.3f} s", ""),
        ("ratio (bigger / smaller)", "<= 1.5x"),
        (f"{big_tick / small_tick:.2f}x", ""),
    ]
    for (label, goal), (value, _) in zip(rows[0::2], rows[1::2], strict=True):
        print(f"  {label:<66} {value:>9}  {goal}")
    runs = ", ".join(f"{t:.3f}" for t in ticks[sizes.people] + ticks[sizes.big])
    print(
        f"  (serve: {serve['ticks']} ticks, {serve['handled']:,} reminders,"
        f" {serve['queued']:,} outbox rows; burst tick {serve['burst_tick']:.3f} s;"
        f" tick runs {runs} s)"
    )

    jobs = sizes.baseline_people * len(HABITS)
    print(f"\nBaseline: one PTB JobQueue job per person per habit ({jobs:,} jobs)\n")
    last = "n/a" if base["last"] is None else f"{base['last']:.1f} s"
    burst, window = f"{sizes.burst:,}", f"{sizes.window:.0f} s"
    brows = [
        (f"time to schedule {jobs:,} jobs", f"{base['schedule_seconds']:.2f} s"),
        ("max RSS after scheduling", f"{base['rss_scheduled']:.0f} MB"),
        (f"{burst} jobs due at once: fired within {window}", f"{base['fired']:,} of {burst}"),
        ("last one fired after its time", last),
        ("max RSS at the end", f"{base['rss']:.0f} MB"),
    ]
    for label, value in brows:
        print(f"  {label:<66} {value:>16}")

    print("\nSide by side\n")
    print(f"  {'':<44} {'tick':>10} {'JobQueue':>10} {'ratio':>7}")
    print(
        f"  {'people':<44} {sizes.people:>10,} {sizes.baseline_people:>10,}"
        f" {sizes.people / sizes.baseline_people:>6.1f}x"
    )
    print(
        f"  {'max RSS (MB)':<44} {serve['rss']:>10.0f} {base['rss']:>10.0f}"
        f" {base['rss'] / serve['rss']:>6.1f}x"
    )
    ready, scheduled = serve["ready"], base["schedule_seconds"]
    label = "start -> ready / all jobs scheduled (s)"
    print(f"  {label:<44} {ready:>10.2f} {scheduled:>10.2f} {scheduled / ready:>6.1f}x")
    share = base["fired"] / sizes.burst
    print(f"  {'share of a burst of ' + burst + ' on time':<44} {1.0:>10.0%} {share:>10.0%}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
    else:
        main()
