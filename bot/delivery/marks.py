"""Mark rows Telegram accepted as "sent": what piles up during one commit goes in the next."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from bot.storage.uow import Database

log = logging.getLogger(__name__)


class SentMarks:
    """One writer of "sent" marks; a send's slot stays taken until its mark is committed.

    That wait is what bounds the duplicates after a crash: a message Telegram has and the
    table does not is always one of the sends in flight.
    """

    def __init__(self, db: Database, *, linger: float = 0.0, group: int = 8) -> None:
        self.db = db
        # How long the first mark of a commit waits for others (until `group` are queued): at
        # 30 messages a second each mark was a transaction of its own, most of the sender's CPU
        # per message. At high rates `group` marks queue up at once, and nobody waits longer.
        self.linger = linger
        self.group = group
        self._grouped = asyncio.Event()
        self.commits = 0
        self._marks: list[tuple[int, int, datetime]] = []
        self._done: asyncio.Future[None] | None = None
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        """Marks waiting for their commit."""
        return len(self._marks)

    def start(self) -> None:
        """Start writing in the background (inside the running event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sender-marks")

    async def record(self, delivery_id: int, message_id: int, sent_at: datetime) -> None:
        """Queue one mark and return once it is committed."""
        if self._done is None or self._done.done():
            self._done = asyncio.get_running_loop().create_future()
        done = self._done
        self._marks.append((delivery_id, message_id, sent_at))
        self._ready.set()
        if len(self._marks) >= self.group:
            self._grouped.set()
        # Shielded: one send cancelled (stop's timeout) must not cancel the others' commit.
        await asyncio.shield(done)

    async def stop(self) -> None:
        """Write what is queued (giving it about five seconds), then stop."""
        if self._task is None:
            return
        self._ready.set()
        self._grouped.set()
        for _ in range(500):
            if not self._marks:
                break
            await asyncio.sleep(0.01)
        await self.abandon()

    async def abandon(self) -> None:
        """Stop at once, writing nothing more (what a crash does)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            if not self._marks:
                continue
            if self.linger > 0 and len(self._marks) < self.group:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.linger):
                        await self._grouped.wait()
            self._grouped.clear()
            marks, done = self._marks, self._done
            self._marks, self._done = [], None
            while True:
                try:
                    async with self.db.uow() as uow:
                        await uow.deliveries.mark_sent(marks)
                        await uow.commit()
                    break
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    # Telegram has the messages; keep trying so the rows are not sent again.
                    log.warning("could not mark %d deliveries sent: %s", len(marks), exc)
                    await asyncio.sleep(0.5)
            self.commits += 1
            if done is not None and not done.done():
                done.set_result(None)
