"""Measure how long one chat waits for a reply while another chat's handler is slow.

Run: .venv/bin/python bench/chats.py [--seconds S] [--slow SECONDS] [--chats N] [--every S]

Runs the real bot (PTB Application, polling the sandbox) on a fresh SQLite database. Chat A
keeps a slow handler busy the whole time: each of its messages waits `--slow` seconds before
replying, as a handler does while Telegram takes seconds to accept a chart. `--chats` other
chats each send /help every `--every` seconds (staggered; Telegram allows about one message a
second per chat); for each, the time from sending to the bot's reply arriving in the sandbox
is recorded, and the percentiles printed. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr
from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.app import build_application, start_in_loop, stop_in_loop
from bot.clock import SystemClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox import BotApiSandbox
from bot.sandbox.models import SandboxEvent
from bot.storage.migrate import upgrade
from bot.storage.uow import Database

TOKEN = "123456789:AAbenchTOKENforSANDBOXonly-abcdefghij"


async def run(seconds: float, slow: float, chats: int, every: float) -> None:
    """Run one measurement and print it."""
    folder = Path(tempfile.mkdtemp(prefix="nudgebot-chats-"))
    url = f"sqlite+aiosqlite:///{folder / 'chats.db'}"
    await asyncio.to_thread(upgrade, url)
    async with BotApiSandbox(token=TOKEN, bot_username="chats_bot") as sandbox:
        ana = sandbox.add_user(first_name="Ana")
        others = [sandbox.add_user(first_name=f"B{i}") for i in range(chats)]
        sent: dict[int, list[float]] = {b.id: [] for b in others}
        arrived: dict[int, list[float]] = {b.id: [] for b in others}

        def on_event(event: SandboxEvent) -> None:
            message = event.message
            if message is not None and message.from_bot and event.chat_id in arrived:
                arrived[event.chat_id].append(time.monotonic())

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
        app = build_application(Runtime(settings=settings, db=db, clock=SystemClock()))

        async def slow_work(update: Update, context: object) -> None:
            await asyncio.sleep(slow)  # a slow Telegram call or a long render
            assert update.effective_message is not None
            await update.effective_message.reply_text("done")
            raise ApplicationHandlerStop

        app.add_handler(
            MessageHandler(filters.Chat(ana.id) & filters.Regex("^slow$"), slow_work), group=-10
        )
        await start_in_loop(app)
        slow_ones = int(seconds / slow) + 1
        for _ in range(slow_ones):
            await sandbox.send_text(ana, "slow")  # queued: Ana is busy all the time
        deadline = time.monotonic() + seconds
        turn = 0
        while time.monotonic() < deadline:
            person = others[turn % chats]
            turn += 1
            sent[person.id].append(time.monotonic())
            await sandbox.send_text(person, "/help")
            await asyncio.sleep(every / chats)

        def all_arrived() -> bool:
            return all(len(arrived[c]) >= len(sent[c]) for c in sent)

        # On a bot that handles one update at a time the replies come after Ana's slow ones.
        await sandbox.wait_until(all_arrived, timeout=seconds + slow * (slow_ones + 2) + 60)
        await stop_in_loop(app)
        await db.close()
    late = sorted(a - s for c in sent for s, a in zip(sent[c], arrived[c], strict=False))

    def pct(p: float) -> float:
        return late[min(len(late) - 1, int(p / 100 * len(late)))]

    print(
        f"{len(late)} /help replies in {chats} chats over {seconds:.0f} s, while chat A's "
        f"handler takes {slow:.1f} s per message"
    )
    print(f"reply latency (s): p50 {pct(50):.3f}  p99 {pct(99):.3f}  max {late[-1]:.3f}")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long chat B sends")
    parser.add_argument("--slow", type=float, default=5.0, help="chat A's handler time")
    parser.add_argument("--chats", type=int, default=4, help="other chats sending /help")
    parser.add_argument("--every", type=float, default=1.2, help="each other chat's pace")
    args = parser.parse_args()
    asyncio.run(run(args.seconds, args.slow, args.chats, args.every))


if __name__ == "__main__":
    main()
