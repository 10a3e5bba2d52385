"""How many messages people get: simulated people living with the real tick for weeks.

Run: .venv/bin/python bench/fatigue.py [--people 1000] [--days 28] [--step 5]

Builds a throwaway SQLite database of onboarded people with the default schedules, then moves a
clock through the weeks in steps of --step minutes. At each step the real dispatcher ticks over
the real database; a stand-in for Telegram marks what it queued as sent; and each person answers
as their response model says, through the same services as the buttons:

  eager     presses Done on every nudge within minutes and does every check-in
  average   answers about half of the nudges, 20 minutes to 2 hours late
  ignoring  never answers anything
  night     works nights (awake 20:00-08:00, sitting 22:00-06:00) and answers like average

Prints, per model: bot messages per person per day (p50, p95, max; a day is the person's own,
so a night shift keeps one day past midnight), the same from the second week on, the most live
nudge keyboards one chat held at once, the share of nudges answered, nudges sent after that
habit's goal for the day was met, and days over the budget (7). Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.clock import FakeClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.goals import goal_from_rule  # noqa: E402
from bot.domain.habits import NUDGED, Habit, default_rule  # noqa: E402
from bot.domain.nudging import budget_of, day_of  # noqa: E402
from bot.domain.schedule import Rule, Window  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.scheduler.dispatcher import Dispatcher  # noqa: E402
from bot.services import nudges  # noqa: E402
from bot.services.schedules import reschedule  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from bot.storage.models import CheckIn, Delivery, HabitLog, Person, Reminder  # noqa: E402
from bot.storage.uow import Database  # noqa: E402

MODELS = ("eager", "average", "ignoring", "night")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")
# A Monday, well clear of any DST change in these zones.
START = datetime(2026, 5, 4, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sim:
    """One simulated person."""

    id: int
    model: str
    zone: ZoneInfo
    awake: Window


@dataclass(order=True)
class Answer:
    """A press the person will make at `at`."""

    at: datetime
    person_id: int
    delivery_id: int
    habit: str


async def make_people(db: Database, count: int, now: datetime) -> dict[int, Sim]:
    """Onboard `count` people, a quarter per response model, with the default schedules."""
    people: dict[int, Sim] = {}
    async with db.uow() as uow:
        for i in range(1, count + 1):
            model = MODELS[i % len(MODELS)]
            zone = ZONES[i % len(ZONES)]
            wake, sleep, sit = ("07:00", "23:00", ("09:00", "17:00"))
            if model == "night":
                wake, sleep, sit = ("20:00", "08:00", ("22:00", "06:00"))
            awake = Window(clock_time.fromisoformat(wake), clock_time.fromisoformat(sleep))
            sitting = Window(clock_time.fromisoformat(sit[0]), clock_time.fromisoformat(sit[1]))
            uow.session.add(
                Person(
                    id=i,
                    first_name="P",
                    timezone=zone,
                    wake_time=wake,
                    sleep_time=sleep,
                    sit_start=sit[0],
                    sit_end=sit[1],
                    consent_at=now,
                    onboarded_at=now,
                    active=True,
                    created_at=now,
                    updated_at=now,
                    recent_tips=[],
                )
            )
            await uow.session.flush()
            for habit in NUDGED:
                rule = default_rule(habit, awake=awake, sitting=sitting).to_dict()
                await uow.reminders.set_rule(i, habit.value, rule=rule, enabled=True, now=now)
            await reschedule(uow, i, now)
            people[i] = Sim(i, model, ZoneInfo(zone), awake)
        await uow.commit()
    return people


def answer_of(sim: Sim, row: Any, rng: random.Random) -> Answer | None:
    """Return when (if ever) this person answers a nudge that just arrived."""
    if sim.model == "ignoring":
        return None
    if sim.model == "eager":
        delay = rng.randint(1, 10)
    elif rng.random() < (0.5 if sim.model == "average" else 0.6):
        delay = rng.randint(20, 120)
    else:
        return None
    return Answer(row.sent_at + timedelta(minutes=delay), sim.id, row.id, row.habit or "")


async def send_due(db: Database, now: datetime) -> list[Any]:
    """Play Telegram: everything due by `now` goes out; return the nudges among it."""
    async with db.uow() as uow:
        due = (
            await uow.session.execute(
                select(Delivery.id, Delivery.kind, Delivery.habit, Delivery.person_id).where(
                    Delivery.status == "pending", Delivery.send_after <= now
                )
            )
        ).all()
        if not due:
            return []
        await uow.session.execute(
            update(Delivery)
            .where(Delivery.id.in_([d.id for d in due]))
            .values(status="sent", sent_at=now, telegram_message_id=Delivery.id)
        )
        await uow.commit()
    return [
        _Sent(d.id, d.kind, d.habit, d.person_id, now) for d in due if d.kind in ("nudge", "ask")
    ]


@dataclass(frozen=True)
class _Sent:
    id: int
    kind: str
    habit: str | None
    person_id: int
    sent_at: datetime


async def answer(db: Database, a: Answer) -> None:
    """Press Done on a nudge (or do the check-in it asked for), as the buttons would."""
    if a.habit == "checkin":
        async with db.uow() as uow:
            person = await uow.people.get(a.person_id)
            assert person is not None and person.timezone is not None
            day = a.at.astimezone(ZoneInfo(person.timezone)).date()
            if not await uow.deliveries.respond(a.delivery_id, "done"):
                return
            exists = await uow.session.scalar(
                select(CheckIn.id).where(
                    CheckIn.person_id == a.person_id, CheckIn.local_date == day
                )
            )
            if exists is None:
                uow.session.add(
                    CheckIn(
                        person_id=a.person_id,
                        local_date=day,
                        pain=3,
                        skipped=[],
                        started_at=a.at,
                        updated_at=a.at,
                        completed_at=a.at,
                    )
                )
            await uow.due.reset_ignored(a.person_id, "checkin")
            await uow.commit()
        return
    await nudges.press_done(db.uow(), a.person_id, a.delivery_id, now=a.at)


async def live_keyboards(db: Database) -> int:
    """Return the most unanswered, unretired nudge keyboards any one chat holds right now."""
    async with db.uow() as uow:
        counts = (
            await uow.session.execute(
                select(func.count())
                .select_from(Delivery)
                .where(
                    Delivery.kind == "nudge",
                    Delivery.status == "sent",
                    Delivery.response.is_(None),
                )
                .group_by(Delivery.person_id)
            )
        ).scalars()
        return max(counts, default=0)


async def simulate(people: int, days: int, step: int) -> None:
    """Run the simulation and print the table."""
    folder = Path(tempfile.mkdtemp(prefix="nudgebot-fatigue-"))
    url = f"sqlite+aiosqlite:///{folder / 'fatigue.db'}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    clock = FakeClock(START)
    sims = await make_people(db, people, START)
    runtime = Runtime(settings=Settings(_env_file=None, database_url=url), db=db, clock=clock)  # type: ignore[call-arg]
    dispatcher = Dispatcher(runtime, rng=random.Random(1))
    rng = random.Random(2)
    pending: list[Answer] = []
    most_live: dict[str, int] = defaultdict(int)
    tick_seconds: list[float] = []
    started = time.perf_counter()
    now = START
    end = START + timedelta(days=days)
    while now < end:
        clock.set(now)
        stats = await dispatcher.tick(now)
        if stats.due:
            tick_seconds.append(stats.seconds)
        for row in await send_due(db, now):
            press = answer_of(sims[row.person_id], row, rng) if row.kind == "nudge" else None
            if press is not None:
                pending.append(press)
        pending.sort()
        while pending and pending[0].at <= now:
            await answer(db, pending.pop(0))
        if now.minute == 0:
            live = await live_keyboards(db)
            most_live["all"] = max(most_live["all"], live)
        now += timedelta(minutes=step)
    wall = time.perf_counter() - started
    await report(db, sims, days, most_live["all"], wall, tick_seconds)
    await db.close()


async def report(
    db: Database,
    sims: dict[int, Sim],
    days: int,
    most_live: int,
    wall: float,
    tick_seconds: list[float],
) -> None:
    """Print the per-model table."""
    async with db.uow() as uow:
        sent = (
            await uow.session.execute(
                select(
                    Delivery.person_id,
                    Delivery.kind,
                    Delivery.habit,
                    Delivery.sent_at,
                    Delivery.response,
                    Delivery.reminder_id,
                ).where(Delivery.status == "sent", Delivery.kind.in_(("nudge", "ask")))
            )
        ).all()
        goals = {
            (person_id, habit): goal_from_rule(Habit(habit), Rule.from_dict(rule), own)
            for person_id, habit, rule, own in (
                await uow.session.execute(
                    select(Reminder.person_id, Reminder.habit, Reminder.rule, Reminder.goal)
                )
            ).all()
            if habit in {h.value for h in Habit}
        }
        logs = (
            await uow.session.execute(
                select(
                    HabitLog.person_id,
                    HabitLog.habit,
                    HabitLog.local_date,
                    HabitLog.at,
                    func.coalesce(HabitLog.amount, 1),
                )
            )
        ).all()
    done_by: dict[tuple[int, str, date], list[tuple[datetime, int]]] = defaultdict(list)
    for person_id, habit, day, at, amount in logs:
        done_by[(person_id, habit, day)].append((at, int(amount)))
    per_day: dict[tuple[int, date], int] = defaultdict(int)
    answered: dict[str, list[bool]] = defaultdict(list)
    after_goal: dict[str, int] = defaultdict(int)
    for person_id, kind, habit, sent_at, response, reminder_id in sent:
        sim = sims[person_id]
        local = sent_at.astimezone(sim.zone)
        if reminder_id is not None:
            per_day[(person_id, day_of(local, sim.awake))] += 1
        if kind != "nudge" or habit is None:
            continue
        answered[sim.model].append(response in ("done", "snoozed", "skipped"))
        if habit != Habit.CHECKIN.value:
            goal = goals[(person_id, habit)]
            before = sum(a for at, a in done_by[(person_id, habit, local.date())] if at < sent_at)
            if before >= goal:
                after_goal[sim.model] += 1
    first_day = START.date()
    budget = budget_of(None)
    print(
        f"{len(sims)} people × {days} days, the real tick every step; "
        f"{wall:.0f} s wall, median tick with something due {_ms(tick_seconds)}"
    )
    print(f"most live nudge keyboards in one chat at any hour: {most_live}")
    header = (
        "| model | msgs/day p50 | p95 | max | from week 2: p95 | max "
        "| answered | nudges after goal met | days over budget |"
    )
    print(header)
    print("|" + "---|" * 10)
    for model in MODELS:
        ids = [s.id for s in sims.values() if s.model == model]
        counts, later = [], []
        for pid in ids:
            sim = sims[pid]
            for offset in range(1, days - 1):  # whole days only (the first and last are partial)
                day = first_day + timedelta(days=offset)
                n = per_day.get((pid, day), 0)
                counts.append(n)
                if offset >= 7:
                    later.append(n)
            del sim
        over = sum(1 for n in counts if n > budget)
        share = answered[model]
        print(
            f"| {model} | {_pct(counts, 50)} | {_pct(counts, 95)} | {max(counts, default=0)} "
            f"| {_pct(later, 95)} | {max(later, default=0)} "
            f"| {100 * sum(share) / max(len(share), 1):.0f}% | {after_goal[model]} | {over} |"
        )


def _pct(values: list[int], q: int) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return str(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))])


def _ms(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):.1f} ms" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--step", type=int, default=5, help="minutes between ticks")
    args = parser.parse_args()
    asyncio.run(simulate(args.people, args.days, args.step))


if __name__ == "__main__":
    main()
