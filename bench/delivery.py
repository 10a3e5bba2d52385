"""Benchmark the outbox sender against the sandbox enforcing Telegram's flood limits.

Run: .venv/bin/python bench/delivery.py [--free N] [--paid N] [--delay SECONDS]

Each case queues N messages to N different private chats in a fresh SQLite outbox (in a temp
dir), starts one sender with the settings an operator would use, and waits until the outbox is
drained. The sandbox answers every call after `--delay` seconds (50 ms by default, about what
Telegram's API takes) and refuses with 429 whatever exceeds its budgets: 30/s overall, 1/s per
chat, or 1000/s overall for paid broadcasts. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.clock import SystemClock
from bot.config import Settings
from bot.delivery.http import AiohttpRequest
from bot.delivery.limits import SendLimits
from bot.delivery.sender import Sender, in_flight_for, pool_sizes
from bot.sandbox import BotApiSandbox
from bot.sandbox.models import SandboxEvent
from bot.storage.migrate import upgrade
from bot.storage.uow import Database

TOKEN = "123456789:AAbenchTOKENforSANDBOXonly-abcdefghij"


@dataclass
class Result:
    """The figures of one case."""

    name: str
    ceiling: float
    queued: int
    seconds: float
    steady_rate: float
    rejected_429: int
    statuses: dict[str, int]
    max_in_flight: int
    commits: int
    claims: int
    cpu_ms: float
    sandbox_cpu_ms: float


def serve_sandbox(conn: Connection, delay: float) -> None:
    """Run the sandbox in its own process (Telegram is not on our CPU) and obey commands."""
    asyncio.run(_serve(conn, delay))


async def _serve(conn: Connection, delay: float) -> None:
    sandbox = BotApiSandbox(token=TOKEN)
    await sandbox.start()
    sandbox.delay = delay
    stamps: list[float] = []

    def on_event(event: SandboxEvent) -> None:
        if event.kind == "message" and event.message is not None and event.message.from_bot:
            stamps.append(time.monotonic())

    sandbox.subscribe(on_event)
    conn.send(sandbox.base_url)
    while True:
        command, arg = await asyncio.to_thread(conn.recv)
        if command == "users":
            conn.send([sandbox.add_user(f"P{i}").id for i in range(int(arg))])
        elif command == "stats":
            conn.send(
                {
                    "sent": sandbox.stats.sent,
                    "rejected_429": sandbox.stats.rejected_429,
                    "steady": steady_rate(stamps),
                    "cpu": time.process_time(),
                }
            )
        else:
            await sandbox.stop()
            conn.send(None)
            return


def steady_rate(stamps: list[float]) -> float:
    """Messages/s between the 10th and 90th percentile message (start-up and tail left out)."""
    if len(stamps) < 10:
        return 0.0
    lo, hi = stamps[len(stamps) // 10], stamps[len(stamps) * 9 // 10]
    return (len(stamps) * 8 // 10) / (hi - lo) if hi > lo else 0.0


class RemoteSandbox:
    """The sandbox in a child process, driven over a pipe."""

    def __init__(self, delay: float) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve_sandbox, args=(child, delay), daemon=True)
        self.process.start()
        self.base_url: str = self.conn.recv()

    async def ask(self, command: str, arg: object = None) -> Any:
        self.conn.send((command, arg))
        return await asyncio.to_thread(self.conn.recv)

    async def close(self) -> None:
        await self.ask("stop")
        await asyncio.to_thread(self.process.join, 10)


async def watch(sandbox: RemoteSandbox, sender: Sender, started: float) -> None:
    """Print progress once a second."""
    while True:
        await asyncio.sleep(1)
        stats = await sandbox.ask("stats")
        print(
            f"  {time.monotonic() - started:5.1f}s sent {stats['sent']:>6} "
            f"429s {stats['rejected_429']:>4} {sender.stats}",
            flush=True,
        )


def request_for(client: str, size: int) -> Any:
    """Return the HTTP backend a case's bots use: the bot's (aiohttp) or the previous httpx."""
    if client == "httpx":
        return HTTPXRequest(size, read_timeout=15)
    return AiohttpRequest(size, read_timeout=15)


async def run_case(
    name: str,
    count: int,
    *,
    paid: bool,
    delay: float,
    folder: Path,
    verbose: bool = False,
    client: str = "aiohttp",
) -> Result:
    """Queue `count` messages, drain them with one sender and measure."""
    url = f"sqlite+aiosqlite:///{folder / f'outbox-{paid}-{client}-{time.time_ns()}.db'}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    sandbox = RemoteSandbox(delay)
    people = await sandbox.ask("users", count)
    now = datetime.now(UTC)
    async with db.uow() as uow:
        await uow.deliveries.add_many(
            [
                {
                    "chat_id": person,
                    "kind": "broadcast",
                    "payload": {"text": f"<b>Tip</b> for {person}", "parse_mode": "HTML"},
                    "due_at": now,
                    "now": now,
                }
                for person in people
            ]
        )
        await uow.commit()

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token=SecretStr(TOKEN), paid_broadcast=paid
    )
    limits = SendLimits.from_settings(settings)
    in_flight = in_flight_for(limits)
    bots = [
        Bot(TOKEN, base_url=sandbox.base_url, request=request_for(client, size))
        for size in pool_sizes(in_flight)
    ]
    sender = Sender(
        db,
        bots,
        SystemClock(),
        limits=limits,
        retry_span=timedelta(minutes=settings.retry_span_minutes),
        max_in_flight=in_flight,
    )
    sandbox_cpu = (await sandbox.ask("stats"))["cpu"]
    started = time.monotonic()
    cpu = time.process_time()
    sender.start()
    monitor = asyncio.create_task(watch(sandbox, sender, started)) if verbose else None
    try:
        await sender.flush(timeout=count / limits.per_second * 3 + 30)
    finally:
        if monitor is not None:
            monitor.cancel()
        await sender.stop()
    seconds = time.monotonic() - started
    cpu = time.process_time() - cpu
    async with db.uow() as uow:
        statuses = await uow.deliveries.count_by_status()
    await db.close()
    stats = await sandbox.ask("stats")
    await sandbox.close()
    return Result(
        name=name,
        ceiling=limits.per_second,
        queued=count,
        seconds=seconds,
        steady_rate=stats["steady"],
        rejected_429=stats["rejected_429"],
        statuses=statuses,
        max_in_flight=sender.stats.max_in_flight,
        commits=sender.stats.commits,
        claims=sender.stats.claims,
        cpu_ms=1000 * cpu / max(1, count),
        sandbox_cpu_ms=1000 * (stats["cpu"] - sandbox_cpu) / max(1, count),
    )


def show(results: list[Result], delay: float) -> None:
    """Print the table."""
    print(f"\nOutbox sender vs sandbox (Telegram's limits, {delay * 1000:.0f} ms per call)\n")
    head = (
        f"{'case':<14}{'ceiling/s':>10}{'queued':>8}{'seconds':>9}{'steady/s':>10}"
        f"{'% ceiling':>10}{'429s':>6}{'sent':>7}{'failed':>7}{'other':>6}"
        f"{'in flight':>10}{'commits':>8}{'CPU ms/msg':>11}{'sandbox':>9}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        sent = r.statuses.get("sent", 0)
        failed = r.statuses.get("failed", 0)
        other = sum(r.statuses.values()) - sent - failed
        print(
            f"{r.name:<20}{r.ceiling:>10.0f}{r.queued:>8}{r.seconds:>9.1f}{r.steady_rate:>10.1f}"
            f"{100 * r.steady_rate / r.ceiling:>9.1f}%{r.rejected_429:>6}{sent:>7}{failed:>7}"
            f"{other:>6}{r.max_in_flight:>10}{r.commits:>8}{r.cpu_ms:>11.2f}"
            f"{r.sandbox_cpu_ms:>9.2f}"
        )
    print(
        "\nsteady/s: messages per second between the 10th and 90th percentile message;"
        "\nother: rows neither sent nor failed (must be 0); commits: 'sent'-mark transactions;"
        "\nCPU ms/msg: the sender process's CPU time per message (the sandbox runs apart);"
        "\nsandbox: the sandbox process's CPU time per message (Telegram's side, for scale)."
    )


async def main() -> None:
    """Run both cases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--free", type=int, default=600, help="messages at the 30/s ceiling")
    parser.add_argument("--paid", type=int, default=20_000, help="messages as paid broadcast")
    parser.add_argument("--delay", type=float, default=0.05, help="sandbox latency per call")
    parser.add_argument("--verbose", action="store_true", help="print progress every second")
    parser.add_argument(
        "--clients",
        default="aiohttp",
        help="HTTP backends to run, alternately: aiohttp (the bot's), httpx (before), or both"
        " as 'httpx,aiohttp'",
    )
    parser.add_argument("--rounds", type=int, default=1, help="repeat every case this often")
    args = parser.parse_args()
    verbose = bool(args.verbose)
    clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for _ in range(args.rounds):
            for paid, count, label in (
                (False, args.free, "30/s"),
                (True, args.paid, "paid 1000/s"),
            ):
                for client in clients:
                    name = label if len(clients) == 1 else f"{label} {client}"
                    results.append(
                        await run_case(
                            name,
                            count,
                            paid=paid,
                            delay=args.delay,
                            folder=folder,
                            verbose=verbose,
                            client=client,
                        )
                    )
    show(results, args.delay)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    asyncio.run(main())
