"""Measure how late nudges arrive: due time -> the sandbox receiving the message, end to end.

Run: .venv/bin/python bench/latency.py [--people N] [--seconds S] [--delay SECONDS]
     .venv/bin/python bench/latency.py --log-debug [--idle SECONDS] (also: log MB/min at DEBUG)

Builds a fresh SQLite database of N onboarded people, each with one reminder whose next fire
time is spread evenly over the next S seconds of real time (N/S per second, below Telegram's
30/s), then runs the real bot: the PTB Application with its one-second scheduler tick and the
outbox sender, against the sandbox enforcing Telegram's flood limits with `--delay` added to
every call. For every nudge it records when the sandbox accepted it and prints the lateness
percentiles. Asserts nothing.

With --log-debug it runs three times with LOG_LEVEL=DEBUG, counting the bytes the log handler
writes while the nudges go out and then while the bot sits idle for --idle seconds: with the
set-up before LOG_LEVEL_LIBRARIES (every library but httpx, httpcore and apscheduler at DEBUG),
with today's default (libraries at WARNING), and the same as LOG_FORMAT=json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr

from bot.app import build_application, start_in_loop, stop_in_loop
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.schedule import Rule, Window
from bot.logs import setup_logging
from bot.runtime import Runtime
from bot.sandbox import BotApiSandbox
from bot.sandbox.models import SandboxEvent
from bot.storage.migrate import upgrade
from bot.storage.models import Chat, Person, Reminder
from bot.storage.uow import Database

TOKEN = "123456789:AAbenchTOKENforSANDBOXonly-abcdefghij"
# Every two hours all day: after the measured fire, the next one is far outside the run.
RULE = Rule(every_minutes=120, window=Window(datetime.min.time(), datetime.max.time())).to_dict()


async def populate(
    db: Database, sandbox: BotApiSandbox, people: int, spread: float
) -> dict[int, datetime]:
    """Create onboarded people whose reminders fall due evenly over `spread` seconds."""
    now = datetime.now(UTC)
    start = now + timedelta(seconds=5)
    due: dict[int, datetime] = {}
    async with db.uow() as uow:
        users = [sandbox.add_user(first_name=f"P{i}") for i in range(people)]
        # Parents first: the models declare no relationships, so the flush order is ours.
        uow.session.add_all(
            Person(
                id=u.id,
                first_name=u.first_name,
                timezone="UTC",
                wake_time="00:00",
                sleep_time="23:59",
                sit_start="09:00",
                sit_end="17:00",
                consent_at=now,
                onboarded_at=now,
                active=True,
                created_at=now,
                updated_at=now,
                recent_tips=[],
            )
            for u in users
        )
        await uow.session.flush()
        for i, user in enumerate(users):
            when = start + timedelta(seconds=spread * i / people)
            due[user.id] = when
            uow.session.add(
                Chat(
                    id=user.id,
                    type="private",
                    person_id=user.id,
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
            )
            uow.session.add(
                Reminder(
                    person_id=user.id,
                    habit="water",
                    rule=RULE,
                    enabled=True,
                    next_fire_at=when,
                    ignored_in_row=0,
                    recent_texts=[],
                    updated_at=now,
                )
            )
        await uow.commit()
    return due


class CountingStream(io.TextIOBase):
    """Where the log handler writes: counts the bytes, keeps nothing."""

    def __init__(self) -> None:
        self.bytes = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.bytes += len(text.encode())
        return len(text)


def log_debug(setup: str, stream: CountingStream) -> None:
    """Log at DEBUG into `stream` as `setup` says: before, after or json."""
    if setup == "before":
        # What the bot did before LOG_LEVEL_LIBRARIES: only these three were kept quiet (and
        # SQLAlchemy, which quiets itself to WARNING unless told otherwise).
        setup_logging("DEBUG", (TOKEN,), libraries="DEBUG", stream=stream)
        for name in ("httpx", "httpcore", "apscheduler", "sqlalchemy"):
            logging.getLogger(name).setLevel(logging.WARNING)
    else:
        setup_logging("DEBUG", (TOKEN,), fmt="json" if setup == "json" else "text", stream=stream)
    # The sandbox shares the process: its own lines (aiohttp's access log) are not the bot's.
    logging.getLogger("aiohttp").setLevel(logging.WARNING)
    logging.getLogger("bot.sandbox").setLevel(logging.WARNING)


def mb_per_minute(count: int, seconds: float) -> float:
    """Return bytes over seconds as MB per minute."""
    return count / 1e6 / (seconds / 60) if seconds > 0 else 0.0


async def run(
    people: int, spread: float, delay: float, log_setup: str | None = None, idle: float = 30.0
) -> None:
    """Run one measurement and print it."""
    folder = Path(tempfile.mkdtemp(prefix="nudgebot-latency-"))
    url = f"sqlite+aiosqlite:///{folder / 'latency.db'}"
    await asyncio.to_thread(upgrade, url)
    arrived: dict[int, float] = {}
    async with BotApiSandbox(token=TOKEN, bot_username="latency_bot") as sandbox:
        sandbox.delay = delay

        def on_event(event: SandboxEvent) -> None:
            if event.kind == "message" and event.message is not None and event.message.from_bot:
                arrived.setdefault(event.chat_id, time.time())

        sandbox.subscribe(on_event)
        settings = Settings(
            _env_file=None,
            bot_token=SecretStr(TOKEN),
            database_url=url,
            telegram_api_url=sandbox.base_url,
            telegram_file_url=sandbox.base_file_url,
            run_migrations=False,
        )
        db = Database(url)
        due = await populate(db, sandbox, people, spread)
        stream = CountingStream()
        if log_setup is not None:
            log_debug(log_setup, stream)
        app = build_application(Runtime(settings=settings, db=db, clock=SystemClock()))
        started = time.monotonic()
        await start_in_loop(app)
        with contextlib.suppress(TimeoutError):
            await sandbox.wait_until(lambda: len(arrived) >= people, timeout=spread + 60)
        busy = (stream.bytes, time.monotonic() - started)
        if log_setup is not None:
            await asyncio.sleep(idle)  # nothing due, nobody typing: what idle costs
        quiet = (stream.bytes - busy[0], time.monotonic() - started - busy[1])
        await stop_in_loop(app)
        await db.close()
        rejected = sandbox.stats.rejected_429
    late = sorted(arrived[pid] - due[pid].timestamp() for pid in arrived)
    if not late:
        print("no nudge arrived")
        return

    def pct(p: float) -> float:
        return late[min(len(late) - 1, int(p / 100 * len(late)))]

    print(
        f"{people} nudges due over {spread:.0f} s ({people / spread:.1f}/s), "
        f"{delay * 1000:.0f} ms per Bot API call, Telegram's limits enforced"
    )
    print(f"arrived: {len(late)} of {people}; 429s: {rejected}")
    print(
        "lateness (s): "
        f"p50 {pct(50):.2f}  p95 {pct(95):.2f}  p99 {pct(99):.2f}  max {late[-1]:.2f}  "
        f"mean {statistics.fmean(late):.2f}  earliest {late[0]:.2f}"
    )
    if log_setup is not None:
        print(
            f"log at DEBUG ({log_setup}): in use {mb_per_minute(*busy):.3f} MB/min "
            f"({busy[0] / 1e6:.2f} MB in {busy[1]:.0f} s), "
            f"idle {mb_per_minute(*quiet):.3f} MB/min "
            f"({quiet[0] / 1e3:.1f} kB in {quiet[1]:.0f} s)"
        )


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=1200)
    parser.add_argument("--seconds", type=float, default=60.0, help="spread of the due times")
    parser.add_argument("--delay", type=float, default=0.05, help="added to every API call")
    parser.add_argument(
        "--log-debug", action="store_true", help="also print MB/min of log output at DEBUG"
    )
    parser.add_argument("--idle", type=float, default=30.0, help="idle seconds measured after")
    args = parser.parse_args()
    if not args.log_debug:
        asyncio.run(run(args.people, args.seconds, args.delay))
        return
    for setup in ("before", "after", "json"):
        asyncio.run(run(args.people, args.seconds, args.delay, setup, args.idle))


if __name__ == "__main__":
    main()
