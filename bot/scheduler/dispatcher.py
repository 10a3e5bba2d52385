"""The tick: turn due reminders into outbox rows and move each reminder to its next time."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.nudging import SENDS, Occurrence, Verdict, decide, ignored_after
from bot.domain.schedule import local_date
from bot.runtime import Runtime
from bot.services.care import CareFacts, care_facts, follow_up_payload
from bot.services.challenges import post_due as post_due_challenges
from bot.services.nudges import ask_payload, nudge_payload
from bot.services.schedules import NOT_QUIETED, awake_window, next_time
from bot.storage.due import Advance, DoneFacts, DueReminder
from bot.storage.uow import UnitOfWork
from bot.telegram.context import Context, NudgeApp

log = logging.getLogger(__name__)

# Reminders claimed per transaction: big enough to amortise round trips, small enough that a
# transaction stays short and memory stays flat however many are due.
BATCH = 2000
# Reminders due this soon are queued already (the sender holds each until its send_after), so a
# burst that takes the tick a second or two to write is in the outbox before its time.
LOOKAHEAD = timedelta(seconds=10)
# Looking for nudges a crash left unsent costs a query; once a minute is plenty.
EXPIRE_EVERY = timedelta(minutes=1)
JOB_NAME = "tick"
SUMMARY = "summary"
CHECKIN = "checkin"


@dataclass
class TickStats:
    """What one tick did."""

    due: int = 0
    queued: int = 0
    asked: int = 0
    missed: int = 0
    expired: int = 0
    skipped: int = 0
    parked: int = 0
    failed: int = 0
    batches: int = 0
    challenge_posts: int = 0
    seconds: float = 0.0


class Dispatcher:
    """Claims due reminders in batches and writes their deliveries, one transaction a batch."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        batch: int = BATCH,
        lookahead: timedelta = LOOKAHEAD,
        rng: random.Random | None = None,
    ) -> None:
        self.runtime = runtime
        self.batch = batch
        self.lookahead = lookahead
        self.rng = rng or random.Random()
        self._expired_at: datetime | None = None
        # In-process ticks (the job and a test's explicit tick) never overlap; other
        # instances on PostgreSQL are kept apart by SKIP LOCKED and the outbox's unique key.
        self._lock = asyncio.Lock()

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.runtime.settings.grace_minutes)

    async def tick(self, now: datetime | None = None) -> TickStats:
        """Handle everything due at `now` (default: the runtime's clock)."""
        stats = TickStats()
        started = time.perf_counter()
        async with self._lock:
            when = now if now is not None else self.runtime.clock.now()
            if self._expired_at is None or when - self._expired_at >= EXPIRE_EVERY:
                await self._expire(when, stats)
                self._expired_at = when
            # A full batch means more may be due: keep going until a batch comes back short.
            claimed = self.batch
            while claimed >= self.batch:
                claimed = await self._batch(when, stats)
            await self._challenges(when, stats)
        stats.seconds = time.perf_counter() - started
        if stats.due or stats.expired or stats.challenge_posts:
            log.info("tick: %s", stats)
        sender = self.runtime.sender
        if stats.queued + stats.asked + stats.challenge_posts and sender is not None:
            sender.wake()
        return stats

    async def _challenges(self, now: datetime, stats: TickStats) -> None:
        """Queue the group challenge posts that are due (one indexed read when none is)."""
        try:
            stats.challenge_posts = await post_due_challenges(self.runtime.db.uow(), now)
        except Exception:
            # Group posts must never hold up people's nudges; the next tick tries again.
            log.exception("challenge posts could not be queued")
            stats.failed += 1

    async def _expire(self, now: datetime, stats: TickStats) -> None:
        """Drop nudges queued before a crash that are now too late to be useful."""
        async with self.runtime.db.uow() as uow:
            stats.expired = await uow.due.expire_stale(now - self.grace)
            if stats.expired:
                await uow.commit()

    async def _batch(self, now: datetime, stats: TickStats) -> int:
        """Claim, decide and advance one batch; return how many reminders were claimed."""
        async with self.runtime.db.uow() as uow:
            due = await uow.due.claim(now + self.lookahead, self.batch)
            if not due:
                return 0
            stats.batches += 1
            stats.due += len(due)
            live = [d.person.id for d in due if d.person.active and now - d.due <= self.grace]
            # Local dates lie within a day of the UTC date, so this covers every "today".
            since = (min(d.due for d in due) - timedelta(days=1)).date()
            facts = (
                await uow.due.done_facts(live, since)
                if live
                else DoneFacts({}, set(), set(), set())
            )
            care = await care_facts(uow, live, since)
            rows: list[dict[str, Any]] = []
            advances: list[Advance] = []
            for reminder in due:
                try:
                    row, advance = await self._handle(uow, reminder, facts, now, stats, care)
                except Exception:
                    # One broken row must not stop everyone else's nudges: park it, say why.
                    log.exception("reminder %s could not be handled; parking it", reminder.id)
                    stats.failed += 1
                    row, advance = None, _parked(reminder)
                if row is not None:
                    rows.append(row)
                advances.append(advance)
            await uow.due.queue(rows)
            await uow.due.advance(advances)
            await uow.commit()
        return len(due)

    async def _handle(
        self,
        uow: UnitOfWork,
        reminder: DueReminder,
        facts: DoneFacts,
        now: datetime,
        stats: TickStats,
        care: CareFacts | None = None,
    ) -> tuple[dict[str, Any] | None, Advance]:
        """Decide one occurrence; return its outbox row (if any) and the reminder's new state."""
        person = reminder.person
        ignored = ignored_after(
            reminder.ignored_in_row,
            reminder.prev_kind,
            reminder.prev_status,
            reminder.prev_response,
        )
        occurrence = Occurrence(
            habit=reminder.habit,
            due=reminder.due,
            now=now,
            grace=self.grace,
            active=person.active and person.timezone is not None,
            enabled=reminder.enabled,
            paused_until=person.paused_until,
            ignored_in_row=ignored,
            asked_less=reminder.asked_less_at is not None,
        )
        if occurrence.active and occurrence.enabled and now - reminder.due <= self.grace:
            occurrence = _with_facts(occurrence, reminder, facts)
        day = _day_of(reminder)
        if care is not None and day is not None:
            occurrence = replace(occurrence, escalated_today=care.escalated_on(person.id, day))
        verdict = decide(occurrence)
        if verdict is Verdict.PARK:
            stats.parked += 1
            return None, _parked(reminder)

        # After a miss, an occurrence still inside the grace period is worth sending (it comes
        # due again at once); anything older is skipped, so there is one missed row at most.
        after = now - self.grace if verdict is Verdict.MISSED else max(now, reminder.due)
        following = next_time(person, reminder.habit, reminder.rule, after, enabled=True)
        recent = reminder.recent_texts
        asked_at = reminder.asked_less_at
        kind = SUMMARY if reminder.habit == SUMMARY else "nudge"
        status = "pending"
        payload: dict[str, Any] | None = None
        if verdict is Verdict.SEND and kind == SUMMARY:
            payload = await _summary(uow, person.id, now)
        elif verdict is Verdict.SEND:
            payload, recent = nudge_payload(reminder.habit, recent, self.rng)
            if care is not None and day is not None and reminder.habit == CHECKIN:
                # The day after an escalation, the check-in reminder asks about it first.
                waiting = care.follow_up(person.id, day)
                if waiting is not None:
                    payload = follow_up_payload(waiting, day)
        elif verdict is Verdict.ASK:
            kind, payload, asked_at = "ask", ask_payload(reminder.habit), now
        reason = "unavailable" if verdict in SENDS else verdict.value
        if verdict is Verdict.MISSED:
            status = "missed"
            stats.missed += 1
        elif verdict not in SENDS or payload is None:
            status = "skipped"
            stats.skipped += 1
        elif verdict is Verdict.ASK:
            stats.asked += 1
        else:
            stats.queued += 1
        row = {
            "chat_id": person.id,
            "person_id": person.id,
            "kind": kind,
            "habit": reminder.habit,
            "reminder_id": reminder.id,
            "payload": payload if status == "pending" else {"reason": reason},
            "due_at": reminder.due,
            "send_after": reminder.due,
            "status": status,
            "attempts": 0,
            "created_at": now,
        }
        return row, Advance(reminder.id, following, ignored, asked_at, recent)


def _with_facts(o: Occurrence, reminder: DueReminder, facts: DoneFacts) -> Occurrence:
    """Fill in what the person did today and whether the time is in their waking hours."""
    person = reminder.person
    assert person.timezone is not None
    zone = ZoneInfo(person.timezone)
    day = local_date(reminder.due, zone)
    key = (person.id, reminder.habit)
    window = None if reminder.habit in NOT_QUIETED else awake_window(person)
    done_today = (person.id, reminder.habit, day) in facts.done_days or (
        reminder.habit == CHECKIN and (person.id, day) in facts.checkin_days
    )
    return replace(
        o,
        awake=window is None or window.contains(reminder.due.astimezone(zone).time()),
        last_done_at=facts.last_at.get(key),
        done_today=done_today,
        skipped_today=(person.id, reminder.habit, day) in facts.skipped_days,
    )


def _day_of(reminder: DueReminder) -> date | None:
    """Return the person's local date of a due occurrence (None without a time zone)."""
    zone = reminder.person.timezone
    return None if zone is None else local_date(reminder.due, ZoneInfo(zone))


def _parked(reminder: DueReminder) -> Advance:
    """Stop a reminder from coming due until something reschedules it."""
    return Advance(
        reminder.id, None, reminder.ignored_in_row, reminder.asked_less_at, reminder.recent_texts
    )


async def _summary(uow: UnitOfWork, person_id: int, now: datetime) -> dict[str, Any] | None:
    """Build the weekly summary with the check-in feature's builder, if it is installed."""
    try:
        module = importlib.import_module("bot.services.summary")
        weekly_payload: Callable[[UnitOfWork, int, datetime], Awaitable[dict[str, Any]]]
        weekly_payload = module.weekly_payload
    except (ImportError, AttributeError):
        log.warning("weekly summaries are not available yet; skipping one for %s", person_id)
        return None
    try:
        # A savepoint, so a database error here spoils only this summary, not the batch.
        async with uow.session.begin_nested():
            return await weekly_payload(uow, person_id, now)
    except Exception:
        # Skip this week's summary for this person rather than parking their reminder.
        log.exception("the weekly summary for %s could not be built", person_id)
        return None


async def run_tick(context: Context) -> None:
    """Run the dispatcher once (the repeating job's callback)."""
    dispatcher: Dispatcher | None = context.runtime.dispatcher
    if dispatcher is not None:
        await dispatcher.tick()


def start(app: NudgeApp) -> Callable[[], Awaitable[None]]:
    """Start the one repeating tick job and publish the dispatcher on the runtime."""
    runtime: Runtime = app.bot_data["runtime"]
    runtime.dispatcher = Dispatcher(runtime)
    if app.job_queue is None:
        raise RuntimeError(
            "the tick needs PTB's job queue: pip install 'python-telegram-bot[job-queue]'"
        )
    job = app.job_queue.run_repeating(
        run_tick,
        interval=runtime.settings.tick_seconds,
        first=0,
        name=JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )

    async def stop() -> None:
        # The job queue may already be shut down (and the job gone) on a normal shutdown.
        with contextlib.suppress(Exception):
            job.schedule_removal()

    return stop
