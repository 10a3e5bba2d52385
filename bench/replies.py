"""Measure how fast the bot answers one person: a typed log, a check-in press and /today.

Run: .venv/bin/python bench/replies.py [--db sqlite|postgres] [--people N] [--rounds R]
     [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Runs the real bot (the PTB Application, long polling, with its tick and sender) in this process
on a fresh database of N onboarded people, against the sandbox in a process of its own
(bench/telegram_side.py). The people act one at a time, each action after the previous reply:
"had kefir", a check-in answer button (opening /checkin first where no question is open) and
/today, in turn. Two times per action:

- the bot's own: from the update's arrival in the Application (the update queue's put, before
  the inbox write) to the reply's request leaving the transport (the first send or edit; a
  press's answerCallbackQuery comes before it);
- end to end: from the person's action in the sandbox to the reply arriving there (long poll,
  the bot, the reply's HTTP call).

Prints p50 and p99 per action and the load average. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from pydantic import SecretStr
from sqlalchemy.engine import make_url
from telegram import Update
from telegram_side import TOKEN, TelegramSide

from bot.app import build_application, start_in_loop, stop_in_loop
from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.storage.migrate import upgrade
from bot.storage.uow import Database
from bot.tuning import loop_factory, settle_memory

PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ACTIONS = ("log", "press", "today")


def zone_near_noon(now: datetime) -> str:
    """Return a fixed-offset zone where it is early afternoon now (a check-in day in full)."""
    offset = (13 - now.hour + 12) % 24 - 12  # hours ahead of UTC, -12..+11
    # Etc/GMT zones have their sign reversed: Etc/GMT-3 is three hours ahead of UTC.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


@contextlib.asynccontextmanager
async def database(kind: str, pg_admin: str = PG_ADMIN) -> AsyncIterator[str]:
    """Yield the URL of a fresh, migrated database (a temp SQLite file or a new PG database)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="nudgebot-replies-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bot.db'}"
            await asyncio.to_thread(upgrade, url)
            yield url
        return
    admin = make_url(pg_admin)
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"nudgebot_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def onboard(url: str, person_ids: list[int]) -> None:
    """Put onboarded people with every reminder off straight into the database."""
    from tests.factories import make_person

    now = datetime.now(UTC)
    db = Database(url)
    try:
        zone = zone_near_noon(now)
        for person_id in person_ids:
            # No reminders: a nudge arriving mid-measure would pass for a reply.
            await make_person(db, person_id, now=now, zone=zone, habits=())
    finally:
        await db.close()


def settings_for(url: str, api_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        database_url=url,
        telegram_api_url=api_url,
        run_migrations=False,
    )


@dataclass
class Edge:
    """The bot's edge: when the update came in, when its reply went out."""

    arrived: float | None = None
    out: float | None = None
    calls: list[str] = field(default_factory=list)


class Probe:
    """Wraps the update queue's put and the reply transport's requests with timestamps."""

    def __init__(self, app: Any) -> None:
        self.current = Edge()
        queue = app.update_queue
        put = queue.put

        async def timed_put(item: object) -> None:
            if isinstance(item, Update) and self.current.arrived is None:
                self.current.arrived = time.monotonic()
            await put(item)

        queue.put = timed_put
        request = app.bot.request
        do_request = request.do_request

        async def timed_request(url: str, *args: Any, **kwargs: Any) -> Any:
            method = url.rsplit("/", 1)[-1]
            self.current.calls.append(method)
            if self.current.out is None and method.startswith(("send", "edit")):
                self.current.out = time.monotonic()
            return await do_request(url, *args, **kwargs)

        request.do_request = timed_request

    def start(self) -> Edge:
        self.current = Edge()
        return self.current


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def run(kind: str, people: int, rounds: int, pg_admin: str) -> dict[str, Any]:
    """Run one measurement; return the bot's and the end-to-end times per action."""
    side = TelegramSide()
    own: dict[str, list[float]] = defaultdict(list)
    e2e: dict[str, list[float]] = defaultdict(list)
    missing = 0
    cpu = 0.0
    try:
        async with database(kind, pg_admin) as url:
            ids = await side.ask("people", people)
            await onboard(url, ids)
            db = Database(url)
            app = build_application(
                Runtime(settings=settings_for(url, side.base_url), db=db, clock=SystemClock())
            )
            probe = Probe(app)
            await start_in_loop(app)
            settle_memory()  # as `nudgebot run` does before it starts
            try:
                warm = ids[0]
                for action in ACTIONS:  # first-call costs (imports, statement caches) aside
                    probe.start()
                    await side.ask("act", (warm, action))
                cpu = time.process_time()
                for _ in range(rounds):
                    for person in ids[1:]:
                        for action in ACTIONS:
                            edge = probe.start()
                            sample = await side.ask("act", (person, action))
                            if sample.seconds is None or edge.arrived is None or edge.out is None:
                                missing += 1
                                continue
                            own[sample.action].append(edge.out - edge.arrived)
                            e2e[sample.action].append(sample.seconds)
                cpu = (time.process_time() - cpu) / max(1, (people - 1) * rounds * len(ACTIONS))
            finally:
                await stop_in_loop(app)
                await db.close()
    finally:
        await side.close()
    return {"own": own, "e2e": e2e, "missing": missing, "cpu": cpu}


def show(kind: str, results: list[dict[str, Any]]) -> None:
    """Print p50/p99 per action: the median over runs of each run's percentile."""
    print(f"\nReplies, {kind}, bot in this process, sandbox in its own (ms; median of runs)")
    print(f"{'action':<10}{'n':>6}{'own p50':>10}{'own p99':>10}{'e2e p50':>10}{'e2e p99':>10}")
    labels = sorted({a for r in results for a in r["own"]}, key=_order)
    for action in labels:
        runs = [r for r in results if r["own"].get(action)]
        n = sum(len(r["own"][action]) for r in runs)
        figures = [
            statistics.median(pct(r[part][action], p) * 1000 for r in runs)
            for part in ("own", "e2e")
            for p in (50, 99)
        ]
        print(f"{action:<10}{n:>6}" + "".join(f"{f:>10.1f}" for f in figures))
    missing = sum(r["missing"] for r in results)
    cpu = statistics.median(r["cpu"] for r in results) * 1000
    # The tick and the sender run in this process too; the sandbox and the people do not.
    print(f"CPU of this process per action: {cpu:.2f} ms (the bot with its tick and sender)")
    print(f"replies missing or not timed: {missing}")
    print("target: own <= 15 ms p50, <= 50 ms p99")


def _order(action: str) -> int:
    order = ("log", "press", "checkin", "today")
    return order.index(action) if action in order else len(order)


async def main() -> None:
    """Parse the arguments, run and print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--people", type=int, default=31, help="people (one warms up)")
    parser.add_argument("--rounds", type=int, default=4, help="actions per person per kind")
    parser.add_argument("--runs", type=int, default=3, help="fresh bot and database each")
    parser.add_argument("--pg", default=PG_ADMIN, help="PostgreSQL URL to create databases at")
    args = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = [await run(args.db, args.people, args.rounds, args.pg) for _ in range(args.runs)]
    show(args.db, results)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    # The loop the bot runs on (uvloop where installed), as `nudgebot run` does.
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(main())
