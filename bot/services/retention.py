"""Forgetting finished outbox rows once they are old, a small batch at a time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.storage.uow import Database

# Rows per transaction: short enough that nobody waits noticeably for the write lock.
BATCH = 1000
# Batches per run: the job comes back in a few minutes, so a backlog shrinks over several runs.
MAX_BATCHES = 100


async def prune(
    db: Database, now: datetime, days: int, *, batch: int = BATCH, max_batches: int = MAX_BATCHES
) -> int:
    """Delete finished deliveries older than `days`; return how many went."""
    before = now - timedelta(days=days)
    deleted = 0
    for _ in range(max_batches):
        async with db.uow() as uow:
            gone = await uow.deliveries.delete_finished(before, batch)
            await uow.commit()
        deleted += gone
        if gone < batch:
            break
        # Let the tick, the sender and handlers in between batches.
        await asyncio.sleep(0)
    return deleted
