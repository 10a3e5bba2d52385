"""The inbox: an update is stored before Telegram is told it arrived, and replayed after a crash.

PTB's Updater (polling) and its webhook server both hand every update to the application
through `update_queue.put()`. Polling confirms a batch only with the offset of the *next*
getUpdates call, which the Updater makes after the whole batch is put; the webhook server
answers 200 only after put returns. So storing the update inside put() is "before it is
acknowledged" for both. A redelivered update (same update_id) is already stored and is not
queued again.

The writes are batched (a group commit): every update that arrives while the inbox's previous
write is in progress is stored by the next one, in one transaction, together with the "handled"
marks waiting by then; each caller goes on only once its own row is committed. One update
alone is written at once, so batching adds no wait; under load it turns two transactions per
update into a share of one.

An update is marked handled right after its handlers finish (their replies sent), not in the
handler's own transaction: a crash between a handler's commit and that mark runs the handler
again after restart. The handlers' writes are idempotent where a replay can reach them (a
check-in answer sets a column), and a replayed button press tolerates its already-answered
callback query, so a replay re-sends the reply rather than losing it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, cast

from telegram import Bot, Update
from telegram.error import BadRequest

from bot.clock import Clock, SystemClock
from bot.runtime import Runtime
from bot.storage.inbox import NewUpdate
from bot.telegram.concurrency import ChatOrderedProcessor
from bot.telegram.context import NudgeApp

log = logging.getLogger(__name__)

# How long an instance's claim on an update lasts without renewal (PostgreSQL instances take
# over a dead one's updates after this); renewed well before it runs out.
LEASE = timedelta(seconds=30)
RENEW_EVERY = 10.0
# Handled rows are kept this long, so a late redelivery is still recognised, then pruned.
KEEP = timedelta(hours=48)
PRUNE_EVERY = 600.0
REPLAY_BATCH = 500
STORE_BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0)


class InboxQueue(asyncio.Queue[object]):
    """PTB's update queue: put() stores an update in the inbox before it is queued."""

    def __init__(self) -> None:
        super().__init__()
        self.store: Callable[[Update, dict[str, Any] | None], Awaitable[bool]] | None = None

    async def put(self, item: object) -> None:
        """Store a Telegram update first; queue it unless it was stored before."""
        if isinstance(item, Update):
            await self.put_received(item, None)
        else:
            await super().put(item)

    async def put_received(self, update: Update, payload: dict[str, Any] | None) -> None:
        """Store an update as sent (`payload`, else the update's own dict); queue it."""
        if self.store is not None and not await self.store(update, payload):
            log.debug("update %s was delivered again; already in the inbox", update.update_id)
            return
        await super().put(update)

    async def put_stored(self, item: Update) -> None:
        """Queue an update that is already in the inbox (a replay)."""
        await super().put(item)


class _ReplayBot:
    """The bot as a replayed button press sees it: a callback answer may already be given."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bot, name)

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await self._bot.answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            # Answered before the crash, or too old now: the reply that follows still goes out.
            log.info("a replayed button press could not be answered again: %s", exc)
            return False


class InboxWrites:
    """Group commit: stores and marks that wait while a write runs go together in the next one."""

    def __init__(self, inbox: UpdateInbox) -> None:
        self.inbox = inbox
        self._stores: list[tuple[NewUpdate, asyncio.Future[bool]]] = []
        self._marks: list[tuple[int, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, update: NewUpdate) -> bool:
        """Store an update; False if it was stored before. Returns once it is committed."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._stores.append((update, future))
        self._wake()
        return await future

    async def mark(self, update_id: int) -> None:
        """Mark an update handled. Returns once that is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks.append((update_id, future))
        self._wake()
        await future

    async def drain(self) -> None:
        """Wait for the writes under way."""
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)

    def _wake(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name="inbox-writes")

    async def _write_all(self) -> None:
        while self._stores or self._marks:
            stores, self._stores = self._stores, []
            marks, self._marks = self._marks, []
            try:
                await self._write(stores, marks)
            except Exception as exc:
                if len(stores) + len(marks) == 1:
                    _fail([f for _, f in stores] + [f for _, f in marks], exc)
                    continue
                # One bad row must not fail the others: each goes again on its own.
                for one in stores:
                    await self._write_alone([one], [])
                for mark in marks:
                    await self._write_alone([], [mark])

    async def _write_alone(
        self,
        stores: list[tuple[NewUpdate, asyncio.Future[bool]]],
        marks: list[tuple[int, asyncio.Future[None]]],
    ) -> None:
        try:
            await self._write(stores, marks)
        except Exception as exc:
            _fail([f for _, f in stores] + [f for _, f in marks], exc)

    async def _write(
        self,
        stores: list[tuple[NewUpdate, asyncio.Future[bool]]],
        marks: list[tuple[int, asyncio.Future[None]]],
    ) -> None:
        """Write one batch in one transaction and tell each caller its outcome."""
        # Telegram may send an update again while its first copy waits here: one row, and
        # only the first copy is new.
        first: dict[int, NewUpdate] = {}
        for update, _ in stores:
            first.setdefault(update.update_id, update)
        now = self.inbox.clock.now()
        async with self.inbox.runtime.db.uow_ahead() as uow:
            added = await uow.inbox.add_many(
                list(first.values()),
                owner=self.inbox.owner,
                now=now,
                lease_until=now + self.inbox.lease,
            )
            if marks:
                await uow.inbox.mark_handled([i for i, _ in marks], now)
            await uow.commit()
        for update, future in stores:
            new = update.update_id in added and first.get(update.update_id) is update
            if new:
                first.pop(update.update_id)  # a later copy in this batch is not new
            if not future.done():
                future.set_result(new)
        for _, done in marks:
            if not done.done():
                done.set_result(None)


def _fail(futures: list[asyncio.Future[Any]], exc: Exception) -> None:
    for future in futures:
        if not future.done():
            future.set_exception(exc)


class UpdateInbox:
    """Stores, replays, marks and prunes the updates of one bot instance."""

    def __init__(self, runtime: Runtime, *, clock: Clock | None = None) -> None:
        self.runtime = runtime
        # Wall-clock time on purpose: leases and pruning are about real delivery, and a test's
        # fake clock jumping hours ahead must not make an update in flight look abandoned.
        self.clock = clock or SystemClock()
        self.lease = LEASE
        self.queue = InboxQueue()
        self.queue.store = self.store
        self.processor = ChatOrderedProcessor(after=self.mark_handled)
        self.writes = InboxWrites(self)
        self._app: NudgeApp | None = None

    @property
    def owner(self) -> str:
        return self.runtime.instance_id

    async def store(self, update: Update, payload: dict[str, Any] | None = None) -> bool:
        """Write an update to the inbox; False if it was there already. Retries until stored.

        `payload` is the update as Telegram sent it, when the caller has it (the webhook):
        storing that skips turning the parsed update back into a dict.
        """
        chat = update.effective_chat
        user = update.effective_user
        row = NewUpdate(
            update.update_id,
            chat.id if chat is not None else None,
            user.id if user is not None else None,
            payload if payload is not None else update.to_dict(),
        )
        for attempt in range(1_000_000):
            try:
                return await self.writes.store(row)
            except Exception as exc:  # the database is away: never acknowledge unstored work
                delay = STORE_BACKOFF[min(attempt, len(STORE_BACKOFF) - 1)]
                log.warning(
                    "could not store update %s (%s); trying again in %.1f s",
                    update.update_id,
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def mark_handled(self, update: object) -> None:
        """Record that an update's handlers finished (the processor calls this)."""
        if not isinstance(update, Update):
            return
        try:
            await self.writes.mark(update.update_id)
        except Exception:
            # Not fatal: the update stays unhandled and is handled again after a restart.
            log.warning("could not mark update %s handled", update.update_id, exc_info=True)

    async def replay(self, app: NudgeApp, *, steal: bool) -> int:
        """Queue the unhandled updates this instance can claim, oldest first; return how many.

        `steal` takes every unhandled update whatever its claim: right for SQLite, which one
        instance owns, at start, when any claim is a dead process's.
        """
        replayed = 0
        while True:
            now = self.clock.now()
            async with self.runtime.db.uow() as uow:
                batch = await uow.inbox.claim_unhandled(
                    owner=self.owner,
                    now=now,
                    lease_until=now + self.lease,
                    limit=REPLAY_BATCH,
                    steal=steal,
                )
                await uow.commit()
            for stored in batch:
                update = Update.de_json(stored.payload, app.bot)
                if update.callback_query is not None:
                    update.callback_query.set_bot(cast(Bot, _ReplayBot(app.bot)))
                await self.queue.put_stored(update)
            replayed += len(batch)
            if len(batch) < REPLAY_BATCH:
                break
        if replayed:
            log.info("replaying %d update(s) not handled before", replayed)
        return replayed

    async def start(self, app: NudgeApp) -> Callable[[], Awaitable[None]]:
        """Replay what a crash left unhandled, then keep claims fresh and prune; return a stopper.

        Called before updates are fetched, so a chat's replayed updates come before its new ones.
        """
        self._app = app
        await self.replay(app, steal=self.runtime.db.dialect == "sqlite")
        await self.prune()
        task = asyncio.create_task(self._upkeep(app), name="inbox-upkeep")

        async def stop() -> None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await self.writes.drain()

        return stop

    async def _upkeep(self, app: NudgeApp) -> None:
        """Renew this instance's claims, take over lapsed ones, prune old handled rows."""
        since_prune = 0.0  # pruned on start
        while True:
            await asyncio.sleep(RENEW_EVERY)
            since_prune += RENEW_EVERY
            try:
                now = self.clock.now()
                async with self.runtime.db.uow() as uow:
                    await uow.inbox.renew(self.owner, now + self.lease)
                    await uow.commit()
                # Another instance died holding updates: they are ours now.
                await self.replay(app, steal=False)
                if since_prune >= PRUNE_EVERY:
                    since_prune = 0.0
                    await self.prune()
            except Exception:
                log.warning("inbox upkeep failed; trying again later", exc_info=True)

    async def prune(self) -> int:
        """Delete updates handled longer ago than KEEP; return how many."""
        async with self.runtime.db.uow() as uow:
            pruned = await uow.inbox.prune(self.clock.now() - KEEP)
            await uow.commit()
        if pruned:
            log.info("pruned %d handled update(s) from the inbox", pruned)
        return pruned
