"""The outbox sender: claim due rows, send them within Telegram's limits, record each result.

Crash safety comes from the order of writes: rows are claimed (status "sending", a lease) and
committed before anything is sent, and each row is marked "sent" as soon as Telegram accepts
it. A sender that dies leaves its rows "sending" with a lease that runs out; any sender then
claims them again. So nothing is lost, and a duplicate can only be one of the at most
`max_in_flight` messages that were between Telegram and the database at the moment of death.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.clock import Clock
from bot.delivery.http import AiohttpRequest, post
from bot.delivery.limits import SendLimits
from bot.delivery.lock import LOCK_KEY, SendLock
from bot.delivery.marks import SentMarks
from bot.delivery.pacing import PER_CHAT_HELD, Pacing
from bot.delivery.rendering import render
from bot.logs import current_chat, redact
from bot.runtime import Runtime
from bot.storage.deliveries import FAILED, MISSED, DeliveryRecord
from bot.storage.engine import READ_ONLY
from bot.storage.uow import Database
from bot.telegram.context import NudgeApp

log = logging.getLogger(__name__)

__all__ = ["LOCK_KEY", "PER_CHAT_HELD", "Sender", "SenderStats", "in_flight_for", "start_sender"]

# After a migration is followed this many times for one row, something is wrong: give up.
MAX_HOPS = 3
# Connections per HTTP pool (see Sender.__init__ for why several small pools).
POOL_SIZE = 5


@dataclass
class _Held:
    """A claimed row on its way out; chat_id follows group migrations."""

    record: DeliveryRecord
    chat_id: int
    hops: int = 0


@dataclass
class SenderStats:
    """What the sender did since it started (for the bench, tests and logs)."""

    sent: int = 0
    floods: int = 0
    global_floods: int = 0
    retried: int = 0
    failed: int = 0
    missed: int = 0
    forbidden: int = 0
    migrated: int = 0
    claims: int = 0
    commits: int = 0
    max_in_flight: int = 0
    withdrawn: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def retry_seconds(error: RetryAfter) -> float:
    """Return a RetryAfter's wait in seconds (PTB gives an int or a timedelta)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Return the wait before retry number `attempts` (1, 2, 4, ... times `base`, capped)."""
    return timedelta(seconds=min(cap, base * 2 ** min(max(0, attempts - 1), 60)))


def retried_for(attempts: int, base: float, cap: float) -> timedelta:
    """Return how long a row has been retried after `attempts` failures (the waits between)."""
    return sum((backoff(n, base, cap) for n in range(1, attempts)), timedelta())


class Sender:
    """Drain the outbox: one per process; on PostgreSQL, one active per deployment.

    A thin shell around `Pacing`: claim rows, ask the pacing what to send now, send it, and
    record the outcome. The pacing decides who goes when; this class does the waiting and I/O.
    """

    def __init__(
        self,
        db: Database,
        bot: Bot | Sequence[Bot],
        clock: Clock,
        *,
        limits: SendLimits | None = None,
        retry_span: timedelta = timedelta(minutes=30),
        instance_id: str = "nudgebot",
        max_in_flight: int = 64,
        batch_size: int | None = None,
        lease: timedelta = timedelta(seconds=60),
        idle_seconds: float = 0.5,
        lock_retry_seconds: float = 3.0,
        backoff_base: float = 2.0,
        backoff_cap: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        # Several small connection pools: httpcore's pool costs O(connections) per request, so
        # one pool of 100 connections manages ~120 requests/s where ten pools of 10 do >1000/s.
        self.bots = [bot] if isinstance(bot, Bot) else list(bot)
        self._turn = 0
        self.clock = clock
        self.monotonic = monotonic
        # How long a passing failure (5xx, network) is retried before the row counts as missed.
        self.retry_span = retry_span
        # Unique per sender, so a restarted process can take back what its predecessor held.
        self.owner = f"{instance_id[:40]}:{uuid.uuid4().hex[:12]}"
        self.max_in_flight = max_in_flight
        limits = limits or SendLimits()
        self.batch_size = batch_size or max(10, min(500, int(limits.per_second)))
        self.held_cap = max(2 * self.batch_size, 2 * max_in_flight)
        self.lease = lease
        self.idle_seconds = idle_seconds
        self.lock_retry_seconds = lock_retry_seconds
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.pacing = Pacing[_Held](
            limits, monotonic, max_in_flight=max_in_flight, idle_seconds=idle_seconds
        )
        self.lock = SendLock(db.url, db.dialect, self.owner)
        self._outcomes = SenderStats()

        self._tasks: set[asyncio.Task[None]] = set()
        # A send's slot waits for its mark's commit, so the linger is a small share of the time
        # the in-flight window covers (a quarter): commits group several marks at any rate.
        self.marks = SentMarks(
            db, linger=min(0.05, 0.25 * max_in_flight / max(1.0, limits.per_second))
        )
        self._changed = asyncio.Event()
        self._wanted = True
        self._more = False
        self._stopping = False
        self._active = False
        self._main: asyncio.Task[None] | None = None
        self._looks: list[tuple[int, asyncio.Future[str | None]]] = []
        self._looking = False
        # The claim in progress, if any: it runs beside the sends (see _serve).
        self._claiming: asyncio.Task[None] | None = None

    @property
    def limits(self) -> SendLimits:
        """The rates this sender keeps to."""
        return self.pacing.limits

    @limits.setter
    def limits(self, limits: SendLimits) -> None:
        # Tests and operators may change the rates of a sender that already runs.
        self.pacing.set_limits(limits)

    @property
    def _paid(self) -> bool | None:
        return True if self.pacing.limits.paid else None

    @property
    def stats(self) -> SenderStats:
        """What the sender did so far: outcomes counted here, pacing counted by the pacing."""
        counts = self.pacing.counts
        stats = self._outcomes
        stats.floods = counts.floods
        stats.global_floods = counts.global_floods
        stats.max_in_flight = counts.max_in_flight
        stats.commits = self.marks.commits
        return stats

    # ---------------------------------------------------------------- lifecycle

    @property
    def active(self) -> bool:
        """Tell whether this sender is the one sending (it holds the lock, if any is needed)."""
        return self._active

    def start(self) -> None:
        """Start sending in the background (call from inside the running event loop)."""
        if self._main is not None:
            return
        self._stopping = False
        self.marks.start()
        self._main = asyncio.create_task(self._run(), name="sender")

    def wake(self) -> None:
        """Look for due rows now (the tick calls this after queuing)."""
        self._wanted = True
        self._changed.set()

    async def flush(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        """Return once no row is due and unsent; raise TimeoutError if that takes too long."""
        deadline = time.monotonic() + timeout
        self.wake()
        while True:
            if not self.pacing.held and not self.pacing.in_flight and not self.marks.pending:
                async with self.db.uow() as uow:
                    due = await uow.deliveries.count_due(self.owner, self.clock.now())
                if due == 0:
                    return
            if time.monotonic() >= deadline:
                raise TimeoutError(f"the outbox still has due rows after {timeout}s")
            await asyncio.sleep(0.02)

    async def stop(self, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Finish what is in flight, hand back what was not sent, and stop."""
        self._stopping = True
        self._changed.set()
        if self._main is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._main
            self._main = None
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=timeout)
            for task in late:
                task.cancel()
        await self.marks.stop()
        if self.pacing.held:
            with contextlib.suppress(Exception):
                async with self.db.uow() as uow:
                    await uow.deliveries.release(self.owner)
                    await uow.commit()
        self._forget_all()
        await self.lock.release()
        with contextlib.suppress(Exception):
            await asyncio.gather(*(b.shutdown() for b in self.bots))

    async def abandon(self) -> None:
        """Stop at once without recording anything: what a crash leaves behind (for tests)."""
        self._stopping = True
        await self.marks.abandon()
        tasks = [t for t in (self._main, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._main = None
        self._forget_all()
        await self.lock.release()

    def _forget_all(self) -> None:
        self.pacing.clear()
        self._claiming = None
        self._active = False

    async def _pause(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early on stop or wake()."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)
        self._changed.clear()

    def _stopped(self) -> bool:
        return self._stopping

    # ---------------------------------------------------------------- the main loop

    async def _run(self) -> None:
        """Hold the lock, then send until stopped; start over after an unexpected error."""
        while not self._stopping:
            try:
                await asyncio.gather(*(b.initialize() for b in self.bots))
                if not await self.lock.acquire(
                    self.lock_retry_seconds, self._pause, self._stopped
                ):
                    return
                self._active = True
                await self._serve()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the sender failed; starting over in a second")
                await asyncio.sleep(1)
            finally:
                self._active = False
                if self.lock.held and not self._stopping:
                    await self.lock.release()

    def _room(self) -> bool:
        """Tell whether a whole batch more fits in memory."""
        return self.pacing.held <= self.held_cap - self.batch_size

    async def _serve(self) -> None:
        next_claim = 0.0
        check_every = max(1.0, min(5.0, self.lease.total_seconds() / 4))
        next_check = self.monotonic() + check_every
        while not self._stopping:
            now = self.monotonic()
            if now >= next_check:
                if not await self.lock.still_held():
                    return
                await self._renew()
                next_check = now + check_every
            claiming = self._claiming
            if claiming is not None and claiming.done():
                self._claiming = None
                claiming.result()  # what went wrong in the claim ends this round, as before
                next_claim = self.monotonic() + self.idle_seconds
            if (
                self._claiming is None
                and self._room()
                and (self._wanted or self._more or now >= next_claim)
            ):
                # In the background: the held rows keep going out while the claim's queries
                # run (awaited here, they left the pace's budget unused for their duration).
                self._wanted = False
                self._claiming = asyncio.create_task(self._claim_and_wake(), name="claim")
                self._tasks.add(self._claiming)
                self._claiming.add_done_callback(self._tasks.discard)
            self._start(self.pacing.due())
            wait = self.pacing.wait()
            now = self.monotonic()
            until = min(wait, next_check - now)
            if self._claiming is None and self._room():
                until = 0.0 if self._more else min(until, next_claim - now)
            if until > 0:
                # Not wait_for: at 1,000 messages a second this wakes as often, and wait_for
                # wraps the wait in a task of its own each time.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(until):
                        await self._changed.wait()
            else:
                await asyncio.sleep(0)
            self._changed.clear()

    def _start(self, sends: list[tuple[int, _Held]]) -> None:
        for _, held in sends:
            task = asyncio.create_task(self._deliver(held))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _claim_and_wake(self) -> None:
        try:
            await self._claim()
        finally:
            self._changed.set()

    async def _claim(self) -> None:
        skip = self.pacing.full_chats()
        limit = min(self.batch_size, self.held_cap - self.pacing.held)
        now = self.clock.now()
        async with self.db.uow() as uow:
            rows = await uow.deliveries.claim(
                owner=self.owner,
                now=now,
                lease_until=now + self.lease,
                limit=limit,
                skip_chats=skip,
            )
            moved = await uow.people.migrated_targets(r.chat_id for r in rows if r.chat_id < 0)
            for old, new in moved.items():
                await uow.deliveries.redirect(old, new)
            await uow.commit()
        self._outcomes.claims += 1
        self._more = len(rows) >= limit
        for row in rows:
            target = row.chat_id
            while target in moved:
                target = moved[target]
            self.pacing.add(target, _Held(row, target))

    async def _renew(self) -> None:
        if not self.pacing.held:
            return
        async with self.db.uow() as uow:
            await uow.deliveries.renew(self.owner, self.clock.now() + self.lease)
            await uow.commit()

    # ---------------------------------------------------------------- one send

    async def _deliver(self, held: _Held) -> None:
        chat_id = held.chat_id
        current_chat.set(chat_id)  # this task's log lines belong to the chat (LOG_FORMAT=json)
        try:
            if held.record.reminder_id is None or not await self._withdrawn(held.record):
                await self._attempt(held)
        except Exception:
            # Most likely the database is away: keep the row and try it again later.
            log.exception("could not record the result of delivery %s", held.record.id)
            self.pacing.add(chat_id, held, front=True)
        finally:
            self.pacing.done(chat_id)
            self._changed.set()

    async def _withdrawn(self, row: DeliveryRecord) -> bool:
        """Take a last look at a tick's row: the person may have paused since it was queued."""
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._looks.append((row.id, future))
        if not self._looking:
            # Every send started in this round has queued its look by the time this task
            # runs, so one query serves them all.
            self._looking = True
            task = asyncio.create_task(self._look())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        reason = await future
        if reason is not None:
            self._outcomes.withdrawn += 1
            log.info("delivery %s withdrawn before sending: %s", row.id, reason)
        return reason is not None

    async def _look(self) -> None:
        try:
            while self._looks:
                looks, self._looks = self._looks, []
                try:
                    async with self.db.uow() as uow:
                        await uow.session.connection(execution_options=READ_ONLY)
                        now = self.clock.now()
                        reasons = await uow.due.withdrawn([i for i, _ in looks], now)
                    if reasons:
                        async with self.db.uow() as uow:
                            await uow.due.withdraw(reasons, self.owner)
                            await uow.commit()
                except Exception as exc:
                    for _, future in looks:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for delivery_id, future in looks:
                    if not future.done():
                        future.set_result(reasons.get(delivery_id))
        finally:
            self._looking = False

    async def _attempt(self, held: _Held) -> None:
        row = held.record
        try:
            message_id = await self._send(held)
        except RetryAfter as exc:
            self._on_flood(held, retry_seconds(exc))
        except ChatMigrated as exc:
            await self._on_migrated(held, int(exc.new_chat_id))
        except Forbidden as exc:
            await self._on_forbidden(held, f"forbidden: {exc.message}")
        except BadRequest as exc:
            # The request itself is wrong (bad HTML, chat not found): sending again will not help.
            await self._give_up(row, f"bad request: {exc.message}")
        except (NetworkError, TelegramError) as exc:
            # 5xx, timeouts, connection errors: Telegram may be fine again soon.
            await self._on_transient(row, f"{type(exc).__name__}: {exc.message}")
        except Exception as exc:
            log.exception("delivery %s could not be built", row.id)
            await self._give_up(row, f"{type(exc).__name__}: {exc}")
        else:
            log.debug("delivery %s (%s) sent as message %s", row.id, row.kind, message_id)
            self._outcomes.sent += 1
            await self.marks.record(row.id, message_id, self.clock.now())

    async def _send(self, held: _Held) -> int:
        out = await render(self.db, held.record)
        self._turn += 1
        bot = self.bots[self._turn % len(self.bots)]
        if out.edit is not None:
            return await self._edit(bot, held.chat_id, out.edit, out.text, out.parse_mode)
        if out.document is not None:
            message: Message = await bot.send_document(
                held.chat_id,
                out.document,
                caption=out.text,
                parse_mode=out.parse_mode,
                reply_markup=out.markup,
                disable_notification=out.quiet,
                allow_paid_broadcast=self._paid,
            )
            return message.message_id
        if not isinstance(out.text, str) or not out.text:
            raise ValueError("payload has no text")
        # The common case, at up to 1,000 a second: the raw call (see delivery.http.post).
        data: dict[str, object] = {"chat_id": held.chat_id, "text": out.text}
        if out.parse_mode is not None:
            data["parse_mode"] = out.parse_mode
        if out.markup is not None:
            data["reply_markup"] = out.markup
        if out.quiet is not None:
            data["disable_notification"] = out.quiet
        if self._paid:
            data["allow_paid_broadcast"] = True
        sent = await post(bot, "sendMessage", data)
        return int(sent["message_id"])

    @staticmethod
    async def _edit(
        bot: Bot, chat_id: int, message_id: int, text_: str | None, parse_mode: str | None
    ) -> int:
        """Edit an earlier message in place (and take its buttons off)."""
        try:
            await bot.edit_message_text(
                str(text_), chat_id=chat_id, message_id=message_id, parse_mode=parse_mode
            )
        except BadRequest as exc:
            # Deleted by the person, too old to edit, or already edited: nothing left to do.
            log.info("could not edit message %s in chat %s: %s", message_id, chat_id, exc)
        return message_id

    # ---------------------------------------------------------------- outcomes

    def _on_flood(self, held: _Held, seconds: float) -> None:
        self.pacing.flood(held.chat_id, held, seconds)
        log.info("429 for chat %s: waiting %.0fs", held.chat_id, seconds)

    async def _on_migrated(self, held: _Held, new_chat_id: int) -> None:
        old = held.chat_id
        self._outcomes.migrated += 1
        async with self.db.uow() as uow:
            await uow.people.chat_migrated(old, new_chat_id, self.clock.now())
            await uow.deliveries.redirect(old, new_chat_id)
            # The group's challenge moves too, so its next posts go to the supergroup.
            await uow.challenges.move_chat(old, new_chat_id)
            await uow.commit()
        if held.hops >= MAX_HOPS:
            await self._give_up(held.record, "migrated too many times")
            return
        moved = self.pacing.take_chat(old)
        self.pacing.add(new_chat_id, _Held(held.record, new_chat_id, held.hops + 1), front=True)
        for other in moved:
            self.pacing.add(new_chat_id, _Held(other.record, new_chat_id, other.hops))

    async def _on_forbidden(self, held: _Held, error: str) -> None:
        error = redact(error)  # kept in the row, shown in /stats: a token must not be
        row = held.record
        self._outcomes.forbidden += 1
        person_id = row.person_id if row.person_id is not None else None
        if person_id is None and held.chat_id > 0:
            person_id = held.chat_id
        now = self.clock.now()
        async with self.db.uow() as uow:
            await uow.deliveries.fail(row.id, error, now=now)
            await uow.people.chat_gone(held.chat_id, now)
            await uow.deliveries.cancel_unsent(owner=self.owner, chat_id=held.chat_id)
            if held.chat_id > 0 and person_id is not None:
                # Blocked: stop scheduling them until they write again (presence undoes this).
                await uow.people.deactivate(person_id, now)
                await uow.reminders.park_all(person_id)
                await uow.deliveries.cancel_unsent(owner=self.owner, person_id=person_id)
            await uow.commit()
        self.pacing.take_chat(held.chat_id)
        if held.chat_id > 0 and person_id is not None:
            self.pacing.drop(lambda h: h.record.person_id == person_id)
        log.info("chat %s refused delivery %s: %s", held.chat_id, row.id, error)

    async def _on_transient(self, row: DeliveryRecord, error: str) -> None:
        error = redact(error)  # InvalidToken's message, say, names the token
        attempts = row.attempts + 1
        wait = backoff(attempts, self.backoff_base, self.backoff_cap)
        if retried_for(attempts, self.backoff_base, self.backoff_cap) + wait > self.retry_span:
            # Too late to be the nudge it was meant to be: missed, like one after downtime.
            self._outcomes.missed += 1
            await self._give_up(row, f"{error} (after {attempts} attempts)", status=MISSED)
            return
        self._outcomes.retried += 1
        send_after = self.clock.now() + wait
        async with self.db.uow() as uow:
            await uow.deliveries.retry_later(row.id, send_after=send_after, error=error)
            await uow.commit()
        log.info("delivery %s: %s; retrying at %s", row.id, error, send_after.isoformat())

    async def _give_up(self, row: DeliveryRecord, error: str, status: str = FAILED) -> None:
        error = redact(error)
        if status == FAILED:
            self._outcomes.failed += 1
        self._outcomes.errors[error[:60]] = self._outcomes.errors.get(error[:60], 0) + 1
        async with self.db.uow() as uow:
            await uow.deliveries.fail(row.id, error, status=status, now=self.clock.now())
            await uow.commit()
        log.warning("delivery %s %s: %s", row.id, status, error)


def in_flight_for(limits: SendLimits) -> int:
    """Return how many sends to keep in flight: enough to cover 0.2 s of the rate.

    A send holds its slot for the call and until its "sent" mark is committed. At the paid
    ceiling that is the call's ~50 ms plus a commit that waits behind others on a busy
    machine; 0.1 s worth (100 slots) capped the rate near 650/s. The price: after a crash, at
    most this many messages may go out twice (200 at 1,000/s; 8 at 30/s, as before).
    """
    return max(8, math.ceil(limits.per_second * 0.2))


def pool_sizes(in_flight: int, per_pool: int = POOL_SIZE) -> list[int]:
    """Split `in_flight` connections into pools of at most `per_pool` (plus one spare each)."""
    pools = math.ceil(in_flight / per_pool)
    return [math.ceil(in_flight / pools) + 1] * pools


def start_sender(app: NudgeApp) -> Callable[[], Awaitable[None]]:
    """Start the outbox sender on its own connection pool; return its stopper."""
    runtime: Runtime = app.bot_data["runtime"]
    settings = runtime.settings
    assert settings.bot_token is not None
    limits = SendLimits.from_settings(settings)
    in_flight = in_flight_for(limits)
    # Its own pools: bulk sends must never make a handler's reply wait for a connection.
    bots = [
        Bot(
            settings.bot_token.get_secret_value(),
            base_url=settings.telegram_api_url,
            base_file_url=settings.file_url,
            request=AiohttpRequest(size, read_timeout=15, write_timeout=15, pool_timeout=5),
        )
        for size in pool_sizes(in_flight)
    ]
    sender = Sender(
        runtime.db,
        bots,
        runtime.clock,
        limits=limits,
        retry_span=timedelta(minutes=settings.retry_span_minutes),
        instance_id=runtime.instance_id,
        max_in_flight=in_flight,
    )
    runtime.sender = sender
    sender.start()
    return sender.stop
