"""Run one outbox sender until the outbox is empty (the SIGKILL test starts and kills this)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from datetime import timedelta

from telegram import Bot

from bot.clock import SystemClock
from bot.delivery.http import AiohttpRequest
from bot.delivery.limits import SendLimits
from bot.delivery.sender import Sender
from bot.storage.uow import Database
from tests.harness import TOKEN


async def drain(db_url: str, base_url: str, in_flight: int, rate: float, lease: float) -> None:
    """Send everything that is due, then stop cleanly."""
    db = Database(db_url)
    request = AiohttpRequest(in_flight + 4, read_timeout=60)
    sender = Sender(
        db,
        Bot(TOKEN, base_url=base_url, request=request),
        SystemClock(),
        limits=SendLimits(per_second=rate),
        max_in_flight=in_flight,
        lease=timedelta(seconds=lease),
    )
    sender.start()
    try:
        await sender.flush(timeout=60)
    finally:
        await sender.stop()
        await db.close()


def main() -> None:
    """Parse the arguments and drain the outbox."""
    parser = argparse.ArgumentParser()
    parser.add_argument("db_url")
    parser.add_argument("base_url")
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--rate", type=float, default=30)
    parser.add_argument("--lease", type=float, default=60)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(drain(args.db_url, args.base_url, args.in_flight, args.rate, args.lease))


if __name__ == "__main__":
    main()
