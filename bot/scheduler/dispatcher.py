"""The tick: turn due reminders into outbox rows and move each reminder to its next time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.domain.goals import goal_from_rule
from bot.domain.habits import Habit
from bot.domain.intents import LessOften, NudgePassed, encode
from bot.domain.nudging import (
    MIN_GAP,
    QUIET_AFTER,
    SENDS,
    DayBudget,
    Occurrence,
    Verdict,
    backed_off,
    budget_of,
    day_of,
    decide,
    elapsed_share,
    gone_quiet,
    ignored_after,
    spacing_of,
)
from bot.domain.schedule import Rule, local_date, local_time
from bot.domain.timing import LEARN_EVERY, LOOK_BACK, learned_times
from bot.runtime import Runtime
from bot.services.care import CareFacts, care_facts, follow_up
from bot.services.challenges import post_due as post_due_challenges
from bot.services.nudges import choose_nudge
from bot.services.schedules import NOT_QUIETED, awake_window, next_time, reschedule
from bot.services.summary import summary_intent
from bot.storage.due import RETIRED, Advance, DoneFacts, DueReminder, LiveNudge, Sent
from bot.storage.people import PersonRecord
from bot.storage.reminders import ReminderRecord
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Reminders claimed per transaction: big enough to amortise round trips, small enough that a
# transaction stays short and memory stays flat however many are due.
BATCH = 2000
# Reminders due this soon are queued already (the sender holds each until its send_after), so a
# burst that takes the tick a second or two to write is in the outbox before its time.
LOOKAHEAD = timedelta(seconds=10)
# Looking for nudges a crash left unsent costs a query; once a minute is plenty.
EXPIRE_EVERY = timedelta(minutes=1)
# A nudge's keyboard stays live at least this long, and until its day ends.
DAY_END_AFTER = timedelta(hours=1)
RETIRE_BATCH = 500
# Timing nudges to the person is its own job, off the tick; every ten minutes is plenty.
LEARN_JOB = "learn"
LEARN_SECONDS = 10 * 60
LEARN_BATCH = 500
JOB_NAME = "tick"
SUMMARY = "summary"
RETIRE = "retire"
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
    retired: int = 0
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
        self._grace_of: tuple[int, timedelta] = (-1, timedelta())
        # In-process ticks (the job and a test's explicit tick) never overlap; other
        # instances on PostgreSQL are kept apart by SKIP LOCKED and the outbox's unique key.
        self._lock = asyncio.Lock()
        # Called between a batch's reads and its writes (tests interleave people's changes).
        self.before_write: Callable[[UnitOfWork, list[DueReminder]], Awaitable[None]] | None
        self.before_write = None

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.runtime.settings.grace_minutes)

    @property
    def _grace(self) -> timedelta:
        """Return the grace period, built once per setting (asked once per due row)."""
        minutes = self.runtime.settings.grace_minutes
        if self._grace_of[0] != minutes:
            self._grace_of = (minutes, timedelta(minutes=minutes))
        return self._grace_of[1]

    async def tick(self, now: datetime | None = None) -> TickStats:
        """Handle everything due at `now` (default: the runtime's clock)."""
        stats = TickStats()
        started = time.perf_counter()
        async with self._lock:
            when = now if now is not None else self.runtime.clock.now()
            if self._expired_at is None or when - self._expired_at >= EXPIRE_EVERY:
                await self._expire(when, stats)
                await self._end_days(when, stats)
                self._expired_at = when
            # The live bot ticks every second and mostly finds nothing due: one read that takes
            # no write lock tells, instead of two writing transactions that claim nothing.
            async with self.runtime.db.uow(read_only=True) as uow:
                reminders, posts = await uow.due.anything_due(when + self.lookahead, when)
            # A full batch means more may be due: keep going until a batch comes back short.
            claimed = self.batch if reminders else 0
            while claimed >= self.batch:
                claimed = await self._batch(when, stats)
            if posts:
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
            stats.expired = await uow.due.expire_stale(now - self.grace, now=now)
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
            grace = self.grace
            live = [d.person.id for d in due if d.person.active and now - d.due <= grace]
            # Local dates lie within a day of the UTC date, so this covers every "today".
            since = (min(d.due for d in due) - timedelta(days=1)).date()
            facts = (
                await uow.due.done_facts(live, since)
                if live
                else DoneFacts({}, set(), set(), set())
            )
            # What each person's day has already used; rows queued below are added as they go.
            sent = (
                await uow.due.sent_since(live, min(d.due for d in due) - timedelta(days=1))
                if live
                else {}
            )
            engaged = (
                await uow.due.last_engaged(live, min(d.due for d in due) - QUIET_AFTER)
                if live
                else {}
            )
            habits = await uow.due.habit_counts(live) if live else {}
            # Each habit keeps one live keyboard: a new nudge retires the unanswered ones.
            lives = await uow.due.live_nudges(live) if live else {}
            retiring: list[tuple[int, LiveNudge]] = []
            care = await care_facts(uow, live, since)
            rows: list[dict[str, Any]] = []
            advances: list[Advance] = []
            for reminder in sorted(due, key=lambda d: _priority(d, facts)):
                try:
                    row, advance = self._handle(
                        reminder, facts, sent, (engaged, habits), now, stats, care
                    )
                    if row is not None and row["status"] == "pending" and row["kind"] == "nudge":
                        passed = lives.pop((reminder.person.id, reminder.habit), [])
                        retiring += [(reminder.id, n) for n in passed]
                except Exception:
                    # One broken row must not stop everyone else's nudges: park it, say why.
                    log.exception("reminder %s could not be handled; parking it", reminder.id)
                    stats.failed += 1
                    row, advance = None, _parked(reminder)
                if row is not None:
                    rows.append(row)
                advances.append(advance)
            if self.before_write is not None:
                await self.before_write(uow, due)
            # A reminder changed since the claim is left to the change (and the next tick).
            kept = await uow.due.unchanged(due)
            if len(kept) < len(due):
                rows = [r for r in rows if r["reminder_id"] in kept]
                advances = [a for a in advances if a.id in kept]
                retiring = [(rid, n) for rid, n in retiring if rid in kept]
            people = {d.person.id: d.person for d in due}
            rows += [_retire_row(n, people[n.person_id], now) for _, n in retiring]
            await uow.due.retire([n.id for _, n in retiring])
            await uow.due.queue(rows)
            await uow.due.advance(advances, due)
            await uow.commit()
        return len(due)

    async def learn(self, now: datetime | None = None) -> int:
        """Move once- and twice-a-day nudges toward when people do the habit; return how many.

        Its own job, not part of the tick: it reads people's last two weeks, and the tick
        must stay cheap (once a week per reminder is all it needs).
        """
        now = now if now is not None else self.runtime.clock.now()
        moved: set[int] = set()
        try:
            async with self.runtime.db.uow() as uow:
                due = await uow.reminders.due_for_learning(now - LEARN_EVERY, LEARN_BATCH)
                # Two reads for the whole batch, not two per reminder.
                owners = [r.person_id for r in due]
                people = await uow.people.get_many(owners)
                done = await uow.habit_logs.times_since_many(owners, now - LOOK_BACK)
                for reminder in due:
                    person = people.get(reminder.person_id)
                    times = done.get((reminder.person_id, reminder.habit), [])
                    if await _move_toward_habit(uow, reminder, person, times, now):
                        moved.add(reminder.person_id)
                await uow.reminders.mark_learned([r.id for r in due], now)
                for person_id in moved:
                    await reschedule(uow, person_id, now)
                await uow.commit()
        except Exception:
            # Learning is a nicety; it must never disturb anything else.
            log.exception("learning nudge times failed")
        return len(moved)

    async def _end_days(self, now: datetime, stats: TickStats) -> None:
        """Take the buttons off unanswered nudges whose day has ended."""
        async with self.runtime.db.uow() as uow:
            old = await uow.due.live_nudges_before(now - DAY_END_AFTER, RETIRE_BATCH)
            people: dict[int, PersonRecord | None] = {}
            ended: list[LiveNudge] = []
            for nudge in old:
                if nudge.person_id not in people:
                    people[nudge.person_id] = await uow.people.get(nudge.person_id)
                person = people[nudge.person_id]
                if person is None or _day_over(person, nudge.sent_at, now):
                    ended.append(nudge)
            if not ended:
                return
            await uow.due.retire([n.id for n in ended])
            await uow.due.queue([_retire_row(n, people[n.person_id], now) for n in ended])
            await uow.commit()
        stats.retired += len(ended)

    def _handle(
        self,
        reminder: DueReminder,
        facts: DoneFacts,
        sent: dict[int, list[Sent]],
        people: tuple[dict[int, datetime], dict[int, int]],
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
        grace = self._grace
        active = person.active and person.timezone is not None
        spacing = _spacing_of(reminder.parsed) if reminder.parsed is not None else None
        backoff = reminder.backoff
        if spacing is not None:
            backoff, ignored = backed_off(backoff, ignored, reminder.steady)
        # Built once with everything known (dataclass replace per field costs per row).
        known: dict[str, Any] = {}
        if active and reminder.enabled and now - reminder.due <= grace:
            engaged, habits = people
            quiet = gone_quiet(person.onboarded_at, engaged.get(person.id), reminder.due)
            known = _facts_of(
                reminder,
                facts,
                sent.get(person.id, []),
                quiet=quiet,
                habits=habits.get(person.id, 1),
            )
        day = _day_of(reminder)
        if care is not None and day is not None:
            known["escalated_today"] = care.escalated_on(person.id, day)
        occurrence = Occurrence(
            habit=reminder.habit,
            due=reminder.due,
            now=now,
            grace=grace,
            active=active,
            enabled=reminder.enabled,
            paused_until=person.paused_until,
            ignored_in_row=ignored,
            asked_less=reminder.asked_less_at is not None,
            backoff=backoff if spacing is not None else 0,
            spacing=spacing,
            **known,
        )
        verdict = decide(occurrence)
        if verdict is Verdict.PARK:
            stats.parked += 1
            return None, _parked(reminder)

        # After a miss, an occurrence still inside the grace period is worth sending (it comes
        # due again at once); anything older is skipped, so there is one missed row at most.
        after = now - grace if verdict is Verdict.MISSED else max(now, reminder.due)
        following = next_time(
            person, reminder.habit, reminder.rule, after, enabled=True, parsed=reminder.parsed
        )
        recent = reminder.recent_texts
        asked_at = reminder.asked_less_at
        kind = SUMMARY if reminder.habit == SUMMARY else "nudge"
        status = "pending"
        payload: dict[str, Any] | None = None
        if verdict is Verdict.SEND and kind == SUMMARY:
            # Only the intent: the sender builds the content when it goes out, so the claim
            # transaction (and its row locks) never waits on a person's history.
            payload = summary_intent(reminder.due)
        elif verdict is Verdict.SEND:
            nudge, recent = choose_nudge(
                reminder.habit,
                recent,
                self.rng,
                done=occurrence.done_count,
                goal=occurrence.goal,
                after_miss=_missed_last(reminder),
            )
            payload = encode(nudge)
            if care is not None and day is not None and reminder.habit == CHECKIN:
                # The day after an escalation, the check-in reminder asks about it first.
                waiting = care.follow_up(person.id, day)
                if waiting is not None:
                    payload = encode(follow_up(waiting, day))
        elif verdict is Verdict.ASK:
            kind, payload, asked_at = "ask", encode(LessOften(reminder.habit)), now
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
        send_after = reminder.due
        if status == "pending" and occurrence.day is not None:
            # The check-in and the summary are never dropped for the gap: they wait it out.
            gap = occurrence.day.gap
            clash = [s.at for s in sent.get(person.id, []) if abs(s.at - send_after) < gap]
            if clash:
                send_after = max(clash) + occurrence.day.gap
        if status == "pending":
            sent.setdefault(person.id, []).append(
                Sent(reminder.habit, kind, send_after, requested=False)
            )
        row = {
            "chat_id": person.id,
            "person_id": person.id,
            "kind": kind,
            "habit": reminder.habit,
            "reminder_id": reminder.id,
            "payload": payload if status == "pending" else {"reason": reason},
            "due_at": reminder.due,
            "send_after": send_after,
            "status": status,
            "attempts": 0,
            "created_at": now,
        }
        return row, Advance(reminder.id, following, ignored, asked_at, recent, backoff)


def _priority(reminder: DueReminder, facts: DoneFacts) -> tuple[int, float]:
    """Order a batch: the check-in first, then the habits furthest behind their daily goal."""
    if reminder.habit == CHECKIN:
        return (0, 0.0)
    goal = _goal(reminder)
    if goal is None:
        return (1, 0.0)
    zone = ZoneInfo(reminder.person.timezone or "UTC")
    day = local_date(reminder.due, zone)
    done = facts.amounts.get((reminder.person.id, reminder.habit, day), 0)
    return (1, done / goal)


def _goal(reminder: DueReminder) -> int | None:
    """Return the habit's daily goal as everywhere else (None for the summary and check-in)."""
    return _goal_of(reminder.habit, reminder.parsed, reminder.goal)


@lru_cache(maxsize=4096)
def _goal_of(habit_key: str, rule: Rule | None, own: int | None) -> int | None:
    try:
        habit = Habit(habit_key)
    except ValueError:
        return None
    if rule is None or habit is Habit.CHECKIN:
        return None
    return goal_from_rule(habit, rule, own)


def _facts_of(
    reminder: DueReminder,
    facts: DoneFacts,
    sent: list[Sent],
    *,
    quiet: bool,
    habits: int,
) -> dict[str, Any]:
    """Return what the person did today, what their day has used, and their waking hours."""
    person = reminder.person
    assert person.timezone is not None
    zone = ZoneInfo(person.timezone)
    local = local_time(reminder.due, zone)
    day = local.date()
    key = (person.id, reminder.habit)
    awake = awake_window(person)
    window = None if reminder.habit in NOT_QUIETED else awake
    done_today = (person.id, reminder.habit, day) in facts.done_days or (
        reminder.habit == CHECKIN and (person.id, day) in facts.checkin_days
    )
    budget_day = day_of(local, awake)
    todays = [s for s in sent if day_of(local_time(s.at, zone), awake) == budget_day]
    checkin_done = (person.id, day) in facts.checkin_days or any(
        s.habit == CHECKIN for s in todays
    )
    budget = DayBudget(
        limit=budget_of(person.nudge_budget, quiet=quiet),
        used=sum(1 for s in todays if not s.requested and s.kind != SUMMARY),
        last_at=_nearest(sent, reminder.due),
        gap=MIN_GAP,
        elapsed=elapsed_share(local.time(), awake),
        checkin_ahead=reminder.habit != CHECKIN and not checkin_done,
        habit_used=sum(1 for s in todays if s.habit == reminder.habit and not s.requested),
        habits=habits,
    )
    nudged = [
        s.at for s in todays if s.habit == reminder.habit and s.kind == "nudge" and not s.requested
    ]
    return dict(
        awake=window is None or window.contains(local.time()),
        last_done_at=facts.last_at.get(key),
        done_today=done_today,
        skipped_today=(person.id, reminder.habit, day) in facts.skipped_days,
        done_count=facts.amounts.get((person.id, reminder.habit, day), 0),
        goal=_goal(reminder),
        day=budget,
        last_nudged_at=max((t for t in nudged if t <= reminder.due), default=None),
    )


async def _move_toward_habit(
    uow: UnitOfWork,
    reminder: ReminderRecord,
    person: PersonRecord | None,
    done: list[datetime],
    now: datetime,
) -> bool:
    """Move a reminder's times toward when its person does the habit; True if they moved."""
    awake = awake_window(person) if person is not None else None
    if person is None or person.timezone is None or awake is None:
        return False
    try:
        rule = Rule.from_dict(reminder.rule)
    except (ValueError, KeyError, TypeError):
        return False
    zone = ZoneInfo(person.timezone)
    times = learned_times(rule.times, [d.astimezone(zone).time() for d in done], awake)
    if times is None:
        return False
    await uow.reminders.move_times(reminder, replace(rule, times=times).to_dict(), now)
    return True


def _retire_row(nudge: LiveNudge, person: PersonRecord | None, now: datetime) -> dict[str, Any]:
    """Return the outbox row that edits a passed nudge down to one quiet line, no buttons."""
    zone = person.timezone if person is not None and person.timezone else "UTC"
    passed = NudgePassed(nudge.habit, nudge.sent_at, zone, nudge.message_id)
    return {
        "chat_id": nudge.chat_id,
        "person_id": nudge.person_id,
        "kind": RETIRE,
        "habit": nudge.habit,
        "reminder_id": None,
        "payload": encode(passed),
        "due_at": now,
        "send_after": now,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
    }


def _day_over(person: PersonRecord, sent_at: datetime, now: datetime) -> bool:
    """Tell whether the person's day in which a nudge was sent is over by `now`."""
    zone = ZoneInfo(person.timezone or "UTC")
    awake = awake_window(person)
    local_now = now.astimezone(zone)
    if day_of(sent_at.astimezone(zone), awake) != day_of(local_now, awake):
        return True
    return awake is not None and not awake.contains(local_now.time())


# The usual spacing of a rule's nudges (None: at most once a day); few distinct rules.
_spacing_of = lru_cache(maxsize=4096)(spacing_of)


def _missed_last(reminder: DueReminder) -> bool:
    """Tell whether this reminder's last nudge went out and went unanswered."""
    return (
        reminder.prev_kind == "nudge"
        and reminder.prev_status == "sent"
        and reminder.prev_response in (None, RETIRED)
    )


def _day_of(reminder: DueReminder) -> date | None:
    """Return the person's local date of a due occurrence (None without a time zone)."""
    zone = reminder.person.timezone
    return None if zone is None else local_date(reminder.due, ZoneInfo(zone))


def _nearest(sent: list[Sent], at: datetime) -> datetime | None:
    """Return the time of the message queued or sent nearest to `at`, if any."""
    if not sent:
        return None
    return min((s.at for s in sent), key=lambda t: abs(t - at))


def _parked(reminder: DueReminder) -> Advance:
    """Stop a reminder from coming due until something reschedules it."""
    return Advance(
        reminder.id,
        None,
        reminder.ignored_in_row,
        reminder.asked_less_at,
        reminder.recent_texts,
        reminder.backoff,
    )


class Job(Protocol):
    """A repeating job, as the job queue returns it."""

    def schedule_removal(self) -> None: ...


class JobQueue(Protocol):
    """What the scheduler needs of PTB's job queue: a repeating callback."""

    def run_repeating(
        self,
        callback: Callable[[Any], Coroutine[Any, Any, None]],
        *,
        interval: float,
        first: float | None = None,
        name: str | None = None,
        job_kwargs: dict[str, Any] | None = None,
    ) -> Job: ...


class Host(Protocol):
    """The application the tick runs in: its shared data (the runtime) and its job queue."""

    @property
    def bot_data(self) -> dict[Any, Any]: ...

    @property
    def job_queue(self) -> JobQueue | None: ...


def start(app: Host) -> Callable[[], Awaitable[None]]:
    """Start the one repeating tick job and publish the dispatcher on the runtime."""
    runtime: Runtime = app.bot_data["runtime"]
    runtime.dispatcher = Dispatcher(runtime)
    jobs = app.job_queue
    if jobs is None:
        raise RuntimeError(
            "the tick needs PTB's job queue: pip install 'python-telegram-bot[job-queue]'"
        )

    async def run_tick(_context: object) -> None:
        dispatcher: Dispatcher | None = runtime.dispatcher
        if dispatcher is not None:
            await dispatcher.tick()

    async def run_learn(_context: object) -> None:
        dispatcher: Dispatcher | None = runtime.dispatcher
        if dispatcher is not None:
            await dispatcher.learn()

    job = jobs.run_repeating(
        run_tick,
        interval=runtime.settings.tick_seconds,
        first=0,
        name=JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    learning = jobs.run_repeating(
        run_learn,
        interval=LEARN_SECONDS,
        first=LEARN_SECONDS,
        name=LEARN_JOB,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )

    async def stop() -> None:
        # The job queue may already be shut down (and the job gone) on a normal shutdown.
        with contextlib.suppress(Exception):
            job.schedule_removal()
            learning.schedule_removal()

    return stop
