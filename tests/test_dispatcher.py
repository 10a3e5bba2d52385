"""The tick against a real database: claims, next times, downtime, smart skips, asking less."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import String, cast, func, select, update

from bot.clock import FakeClock
from bot.config import Settings
from bot.delivery.rendering import render
from bot.domain.nudging import (
    DayBudget,
    Occurrence,
    Verdict,
    day_of,
    decide,
    ignored_after,
    less_often,
    spacing_of,
)
from bot.domain.schedule import Rule, Window
from bot.runtime import Runtime
from bot.scheduler.dispatcher import Dispatcher
from bot.services.summary import summary_intent
from bot.storage.deliveries import DeliveryRecord
from bot.storage.models import Delivery, Person, Reminder
from bot.storage.reminders import ReminderRecord
from bot.storage.uow import Database
from tests.factories import make_person


def _runtime(db: Database, clock: FakeClock, **settings: Any) -> Runtime:
    values: dict[str, Any] = {"database_url": db.url, **settings}
    return Runtime(settings=Settings(_env_file=None, **values), db=db, clock=clock)  # type: ignore[call-arg]


@pytest.fixture
def dispatcher(db: Database, clock: FakeClock) -> Dispatcher:
    return Dispatcher(_runtime(db, clock), rng=random.Random(7))


async def _deliveries(db: Database, person_id: int) -> list[DeliveryRecord]:
    async with db.uow() as uow:
        return await uow.deliveries.for_person(person_id)


async def _shown(db: Database, row: DeliveryRecord) -> tuple[str, str | None, list[list[str]]]:
    """Render a queued row as the sender would: its text, parse mode and buttons' data."""
    out = await render(db, row)
    keyboard = out.markup.inline_keyboard if out.markup is not None else ()
    data = [[str(b.callback_data) for b in line] for line in keyboard]
    return out.text or "", out.parse_mode, data


async def _reminder(db: Database, person_id: int, habit: str) -> ReminderRecord:
    async with db.uow() as uow:
        [found] = [r for r in await uow.reminders.for_person(person_id) if r.habit == habit]
        return found


async def _backoff(db: Database, person_id: int, habit: str) -> tuple[int, bool]:
    async with db.uow() as uow:
        row = (
            await uow.session.execute(
                select(Reminder.backoff, Reminder.steady).where(
                    Reminder.person_id == person_id, Reminder.habit == habit
                )
            )
        ).one()
        return int(row[0]), bool(row[1])


async def _mark_sent(db: Database) -> None:
    """Play the sender: everything pending went out."""
    async with db.uow() as uow:
        await uow.session.execute(
            update(Delivery).where(Delivery.status == "pending").values(status="sent")
        )
        await uow.commit()


def _at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 3, day, hh, mm, tzinfo=UTC)


# Water every two hours from 07:00 to 23:00: a steady rhythm to test the tick's rules on.
EVERY_2H = {"water": Rule(every_minutes=120, window=Window(time(7), time(23))).to_dict()}


async def _set_budget(db: Database, person_id: int, budget: str) -> None:
    async with db.uow() as uow:
        await uow.session.execute(
            update(Person).where(Person.id == person_id).values(nudge_budget=budget)
        )
        await uow.commit()


async def test_due_reminder_is_claimed_once_and_moves_on(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("food",))
    food = await _reminder(db, 1, "food")
    assert food.next_fire_at == _at(27, 11, 30)  # 12:30 in Berlin (CET, UTC+1)

    clock.set(_at(27, 11, 30))
    stats = await dispatcher.tick()
    assert (stats.due, stats.queued) == (1, 1)
    again = await dispatcher.tick()
    assert again.due == 0

    rows = await _deliveries(db, 1)
    assert [(r.kind, r.habit, r.status, r.due_at) for r in rows] == [
        ("nudge", "food", "pending", _at(27, 11, 30))
    ]
    assert rows[0].reminder_id == food.id and rows[0].chat_id == 1
    text, parse_mode, buttons = await _shown(db, rows[0])
    assert parse_mode == "HTML" and "Gut-friendly food" in text
    assert [data for row in buttons for data in row] == [
        f"n:done:{rows[0].id}",
        f"n:snz:{rows[0].id}:15",
        f"n:snz:{rows[0].id}:60",
        f"n:skip:{rows[0].id}",
    ]
    moved = await _reminder(db, 1, "food")
    assert moved.next_fire_at == _at(27, 17, 30)  # 18:30 in Berlin
    assert len(moved.recent_texts) == 1


async def test_the_ticks_own_binding_stores_values_as_sqlalchemy_does(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    """The tick binds its times and lists itself; what it stores matches an ORM write exactly.

    The compare-and-set and the outbox's unique occurrence compare stored text on SQLite.
    """
    await make_person(db, 1, now=clock.now(), habits=("food",))
    food = await _reminder(db, 1, "food")
    clock.set(food.next_fire_at)
    await dispatcher.tick()
    moved = await _reminder(db, 1, "food")
    [row] = await _deliveries(db, 1)
    stored = select(
        cast(Reminder.next_fire_at, String),
        cast(Reminder.recent_texts, String),
        select(cast(Delivery.due_at, String)).scalar_subquery(),
        select(cast(Delivery.created_at, String)).scalar_subquery(),
    ).where(Reminder.id == food.id)
    async with db.uow() as uow:
        by_tick = (await uow.session.execute(stored)).one()
        await uow.session.execute(
            update(Reminder)
            .where(Reminder.id == food.id)
            .values(next_fire_at=moved.next_fire_at, recent_texts=moved.recent_texts)
        )
        await uow.session.execute(
            update(Delivery).values(due_at=row.due_at, created_at=clock.now())
        )
        by_orm = (await uow.session.execute(stored)).one()
    assert by_tick == by_orm


async def test_a_tick_a_few_seconds_late_still_sends(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("food",))
    clock.set(_at(27, 11, 39))  # nine minutes late: inside the 10-minute grace
    assert (await dispatcher.tick()).queued == 1


async def test_after_downtime_one_missed_row_and_no_burst(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("water", "food"), rules=EVERY_2H)
    # Down from 08:00 until 19:00 Berlin: five water times and both meals went by.
    clock.set(_at(27, 18, 5))
    stats = await dispatcher.tick()
    assert (stats.missed, stats.queued) == (2, 0)
    rows = await _deliveries(db, 1)
    assert sorted((r.habit, r.status) for r in rows) == [("food", "missed"), ("water", "missed")]
    # 19:00 in Berlin was five minutes ago: still worth a nudge. Both meals are long gone.
    assert (await _reminder(db, 1, "water")).next_fire_at == _at(27, 18)
    assert (await _reminder(db, 1, "food")).next_fire_at == _at(28, 11, 30)
    stats = await dispatcher.tick()
    assert (stats.due, stats.queued) == (1, 1)
    assert (await _reminder(db, 1, "water")).next_fire_at == _at(27, 20)
    assert (await dispatcher.tick()).due == 0


async def test_grace_is_a_setting(db: Database, clock: FakeClock) -> None:
    await make_person(db, 1, now=clock.now(), habits=("food",))
    strict = Dispatcher(_runtime(db, clock, grace_minutes=0))
    clock.set(_at(27, 11, 31))
    assert (await strict.tick()).missed == 1


async def test_recently_logged_habit_is_not_nudged(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("water",), rules=EVERY_2H)
    clock.set(_at(27, 7, 40))  # 08:40 Berlin: drank a glass
    async with db.uow() as uow:
        await uow.habit_logs.add(
            1, "water", at=clock.now(), local_date=date(2026, 3, 27), source="text"
        )
        await uow.commit()
    clock.set(_at(27, 8, 0))  # the 09:00 nudge, 20 minutes later
    stats = await dispatcher.tick()
    assert (stats.skipped, stats.queued) == (1, 0)
    [row] = await _deliveries(db, 1)
    assert (row.status, row.payload) == ("skipped", {"reason": "recent"})

    clock.set(_at(27, 10, 0))  # two hours later the nudge comes again
    assert (await dispatcher.tick()).queued == 1


async def test_skipped_today_and_done_checkin_are_not_nudged(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("food", "checkin"))
    async with db.uow() as uow:
        await uow.habit_logs.skip_day(1, "food", date(2026, 3, 27), clock.now())
        await uow.habit_logs.add(
            1, "checkin", at=clock.now(), local_date=date(2026, 3, 27), source="checkin"
        )
        await uow.commit()
    clock.set(_at(27, 19, 30))  # 20:30 Berlin: the check-in time, both meals were due earlier
    await dispatcher.tick(_at(27, 11, 30))
    await dispatcher.tick(_at(27, 17, 30))
    await dispatcher.tick(_at(27, 19, 30))
    rows = await _deliveries(db, 1)
    assert [(r.habit, r.status, r.payload.get("reason")) for r in rows] == [
        ("food", "skipped", "skipped"),
        ("food", "skipped", "skipped"),
        ("checkin", "skipped", "done"),
    ]
    # The next day is a new day.
    await dispatcher.tick(_at(28, 11, 30))
    assert (await _deliveries(db, 1))[-1].status == "pending"


async def test_checkin_nudge_asks_pain_and_offers_snooze_and_skip(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("checkin", "breathe"))
    clock.set(_at(27, 19, 30))
    await dispatcher.tick(_at(27, 14, 30))  # breathing at 15:30 Berlin
    await dispatcher.tick()
    breathe, checkin = [r for r in await _deliveries(db, 1) if "reason" not in r.payload]
    # The buttons carry the delivery id, so the exercise can answer its own nudge.
    out = await render(db, breathe)
    assert out.markup is not None
    [first] = out.markup.inline_keyboard[0]
    assert (first.text, first.callback_data) == ("🌬️ Breathe with me", f"b:start:{breathe.id}")
    # The reminder is the check-in's first question: one tap is today's pain.
    text, _, buttons = await _shown(db, checkin)
    assert [data for row in buttons for data in row] == [
        *(f"c:p:{n}" for n in range(11)),
        f"n:snz:{checkin.id}:60",
        f"n:skip:{checkin.id}",
    ]
    assert "Pain right now?" in text


async def test_paused_and_quiet_times_are_skipped(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("water",), rules=EVERY_2H)
    async with db.uow() as uow:
        person = await uow.people.row(1)
        assert person is not None
        # Paused behind the schedule's back (the pause service also reschedules).
        person.paused_until = _at(27, 12, 0)
        await uow.commit()
    clock.set(_at(27, 8, 0))
    assert (await dispatcher.tick()).skipped == 1
    water = await _reminder(db, 1, "water")
    assert water.next_fire_at == _at(27, 12, 0)  # 13:00 Berlin, the first time after the pause

    async with db.uow() as uow:
        person = await uow.people.row(1)
        assert person is not None
        person.paused_until = None
        person.wake_time, person.sleep_time = "14:00", "23:00"  # now sleeps in
        await uow.commit()
    clock.set(_at(27, 12, 0))
    await dispatcher.tick()
    assert (await _deliveries(db, 1))[-1].payload == {"reason": "quiet"}


async def test_inactive_person_is_parked(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("water",))
    async with db.uow() as uow:
        person = await uow.people.row(1)
        assert person is not None
        person.active = False
        await uow.commit()
    clock.set(_at(27, 8, 0))
    stats = await dispatcher.tick()
    assert (stats.parked, stats.queued) == (1, 0)
    assert await _deliveries(db, 1) == []
    assert (await _reminder(db, 1, "water")).next_fire_at is None


async def test_three_ignored_nudges_back_off_and_say_so_once(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("water",), rules=EVERY_2H)
    await _set_budget(db, 1, "more")  # room for every occurrence: only the back-off thins them
    kinds = []
    for hour in (8, 10, 12, 14, 16, 18, 20):  # 09:00 ... 21:00 Berlin
        stats = await dispatcher.tick(_at(27, hour))
        kinds.append("ask" if stats.asked else "nudge" if stats.queued else "-")
        await _mark_sent(db)
    # Three unanswered: one line says so instead of the fourth; from then on every other one.
    assert kinds == ["nudge", "nudge", "nudge", "ask", "nudge", "-", "nudge"]
    water = await _reminder(db, 1, "water")
    assert water.asked_less_at is not None
    rows = await _deliveries(db, 1)
    assert [r.payload.get("reason") for r in rows if r.status == "skipped"] == [
        "backed_off",
    ]
    ask = next(r for r in rows if r.kind == "ask")
    text, _, buttons = await _shown(db, ask)
    assert [data for row in buttons for data in row] == [f"n:keep:{ask.id}"]
    assert "less often" in text


async def test_answers_bring_the_rhythm_back_step_by_step(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("water",), rules=EVERY_2H)
    async with db.uow() as uow:
        await uow.session.execute(update(Reminder).values(backoff=2, asked_less_at=clock.now()))
        await uow.commit()
    async with db.uow() as uow:
        await uow.due.reset_ignored(1, "water")
        await uow.commit()
    assert await _backoff(db, 1, "water") == (1, False)
    async with db.uow() as uow:
        await uow.due.keep_rhythm(1, "water")
        await uow.commit()
    assert await _backoff(db, 1, "water") == (0, True)


async def test_an_answered_nudge_resets_the_ignored_count(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("water",), rules=EVERY_2H)
    for hour in (8, 10):
        await dispatcher.tick(_at(27, hour))
        await _mark_sent(db)
    assert (await _reminder(db, 1, "water")).ignored_in_row == 1
    last = (await _deliveries(db, 1))[-1]
    async with db.uow() as uow:
        await uow.deliveries.respond(last.id, "snoozed")
        await uow.commit()
    await dispatcher.tick(_at(27, 12))
    assert (await _reminder(db, 1, "water")).ignored_in_row == 0


async def test_the_tick_queues_a_weekly_summary_as_an_intent(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=())
    async with db.uow() as uow:
        rule = Rule(times=(time(19, 0),), weekdays=frozenset({6})).to_dict()
        await uow.reminders.set_rule(1, "summary", rule=rule, enabled=True, now=clock.now())
        from bot.services.schedules import reschedule

        await reschedule(uow, 1, clock.now())
        await uow.commit()
    assert (await _reminder(db, 1, "summary")).next_fire_at == _at(29, 17)  # 19:00 CEST

    stats = await dispatcher.tick(_at(29, 17))
    assert (stats.queued, stats.skipped) == (1, 0)
    rows = await _deliveries(db, 1)
    assert [(r.kind, r.status) for r in rows] == [("summary", "pending")]
    # The tick stores what to build, not the text: building reads the person's history.
    assert rows[0].payload == summary_intent(_at(29, 17))
    assert "text" not in rows[0].payload
    assert (await _reminder(db, 1, "summary")).next_fire_at == datetime(2026, 4, 5, 17, tzinfo=UTC)


async def test_many_due_in_batches_each_exactly_once(db: Database, clock: FakeClock) -> None:
    people = 1200
    now = clock.now()
    async with db.uow() as uow:
        uow.session.add_all(
            Person(
                id=i,
                first_name="P",
                timezone="Europe/Berlin",
                wake_time="07:00",
                sleep_time="23:00",
                onboarded_at=now,
                consent_at=now,
                active=True,
                created_at=now,
                updated_at=now,
                recent_tips=[],
            )
            for i in range(1, people + 1)
        )
        await uow.session.flush()
        rule = {"times": ["09:00", "21:00"]}
        for i in range(1, people + 1):
            for habit in ("food", "breathe"):
                await uow.reminders.set_rule(i, habit, rule=rule, enabled=True, now=now)
        await uow.session.execute(update(Reminder).values(next_fire_at=_at(27, 8)))
        await uow.commit()
    small = Dispatcher(_runtime(db, clock), batch=500)
    stats = await small.tick(_at(27, 8, 1))
    # Both habits come due in the same minute: the second would come within the minimum gap
    # of the first, so each person gets one message and the other is recorded as skipped.
    assert (stats.due, stats.queued, stats.skipped, stats.batches) == (
        2 * people,
        people,
        people,
        5,
    )
    async with db.uow() as uow:
        count = await uow.session.scalar(select(func.count()).select_from(Delivery))
        distinct = await uow.session.scalar(
            select(func.count(func.distinct(Delivery.reminder_id)))
        )
        later = await uow.session.scalar(select(func.min(Reminder.next_fire_at)))
    assert count == distinct == 2 * people
    assert later == _at(27, 20)  # 21:00 Berlin


# ------------------------------------------------------------------------------ pure rules


GRACE = timedelta(minutes=10)
DUE = _at(27, 8)


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        ({}, Verdict.SEND),
        ({"active": False}, Verdict.PARK),
        ({"enabled": False}, Verdict.PARK),
        ({"now": DUE + timedelta(minutes=11)}, Verdict.MISSED),
        ({"now": DUE + timedelta(minutes=10)}, Verdict.SEND),
        ({"paused_until": DUE + timedelta(hours=1)}, Verdict.PAUSED),
        ({"paused_until": DUE}, Verdict.SEND),
        ({"awake": False}, Verdict.QUIET),
        ({"skipped_today": True}, Verdict.SKIPPED_TODAY),
        ({"done_today": True}, Verdict.SEND),  # water is not once a day
        ({"habit": "checkin", "done_today": True}, Verdict.DONE_TODAY),
        ({"last_done_at": DUE - timedelta(minutes=20)}, Verdict.RECENT),
        ({"last_done_at": DUE - timedelta(minutes=45)}, Verdict.SEND),
        ({"backoff": 1}, Verdict.ASK),
        ({"ignored_in_row": 3, "asked_less": True}, Verdict.SEND),
        ({"done_count": 6, "goal": 6}, Verdict.GOAL_MET),
        ({"done_count": 5, "goal": 6}, Verdict.SEND),
        ({"habit": "checkin", "day": DayBudget(limit=7, used=7)}, Verdict.SEND),
        ({"day": DayBudget(limit=7, used=6, checkin_ahead=True)}, Verdict.BUDGET),
        ({"day": DayBudget(limit=7, used=6)}, Verdict.SEND),
        ({"day": DayBudget(limit=7, used=2, elapsed=0.1)}, Verdict.BUDGET),
        ({"day": DayBudget(limit=7, used=1, elapsed=0.1)}, Verdict.SEND),
        # Four habits share six messages: two each, so none crowds out the others.
        ({"day": DayBudget(limit=7, used=2, habit_used=1, habits=4)}, Verdict.SEND),
        (
            {"day": DayBudget(limit=7, used=2, habit_used=2, habits=4, checkin_ahead=True)},
            Verdict.BUDGET,
        ),
        ({"day": DayBudget(limit=7, last_at=DUE - timedelta(minutes=44))}, Verdict.GAP),
        ({"day": DayBudget(limit=7, last_at=DUE + timedelta(minutes=30))}, Verdict.GAP),
        ({"day": DayBudget(limit=7, last_at=DUE - timedelta(minutes=45))}, Verdict.SEND),
        (
            {
                "backoff": 1,
                "asked_less": True,
                "spacing": timedelta(hours=2),
                "last_nudged_at": DUE - timedelta(hours=3),
            },
            Verdict.BACKED_OFF,
        ),
        (
            {
                "backoff": 1,
                "asked_less": True,
                "spacing": timedelta(hours=2),
                "last_nudged_at": DUE - timedelta(hours=4),
            },
            Verdict.SEND,
        ),
        ({"backoff": 3, "asked_less": True, "spacing": timedelta(hours=2)}, Verdict.SEND),
        ({"habit": "summary", "ignored_in_row": 9, "skipped_today": True}, Verdict.SEND),
    ],
)
def test_decide(changes: dict[str, Any], verdict: Verdict) -> None:
    values: dict[str, Any] = {"habit": "water", "due": DUE, "now": DUE, "grace": GRACE}
    assert decide(Occurrence(**{**values, **changes})) is verdict


@pytest.mark.parametrize(
    ("before", "prev", "after"),
    [
        (2, (None, None, None), 2),
        (2, ("nudge", "sent", None), 3),
        (2, ("nudge", "sent", "done"), 0),
        (2, ("nudge", "pending", None), 2),
        (2, ("nudge", "missed", None), 2),
        (2, ("nudge", "skipped", None), 2),
        (3, ("ask", "sent", None), 3),
    ],
)
def test_ignored_after(before: int, prev: tuple[str | None, ...], after: int) -> None:
    assert ignored_after(before, *prev) == after


def test_a_night_shift_keeps_one_day_past_midnight() -> None:
    night = Window(time(20), time(8))
    assert day_of(datetime(2026, 3, 28, 2, 0, tzinfo=UTC), night) == date(2026, 3, 27)
    assert day_of(datetime(2026, 3, 27, 21, 0, tzinfo=UTC), night) == date(2026, 3, 27)
    assert day_of(datetime(2026, 3, 28, 2, 0, tzinfo=UTC), Window(time(7), time(23))) == date(
        2026, 3, 28
    )


def test_spacing_of_rules() -> None:
    assert spacing_of(Rule(every_minutes=90, window=Window(time(9), time(17)))) == timedelta(
        minutes=90
    )
    assert spacing_of(Rule(times=(time(12, 30), time(18, 30)))) == timedelta(hours=6)
    assert spacing_of(Rule(times=(time(20, 30),))) is None


DAY = Window(time(7), time(23))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (Rule(every_minutes=120, window=DAY), Rule(every_minutes=240, window=DAY)),
        (Rule(every_minutes=600, window=DAY), Rule(every_minutes=960, window=DAY)),
        (Rule(every_minutes=960, window=DAY), None),
        (Rule(times=(time(12, 30), time(18, 30))), Rule(times=(time(12, 30),))),
        (
            Rule(times=(time(20, 30),)),
            Rule(times=(time(20, 30),), weekdays=frozenset({0, 2, 4, 6})),
        ),
        (Rule(times=(time(20, 30),), weekdays=frozenset({0, 2, 4, 6})), None),
    ],
)
def test_less_often(rule: Rule, expected: Rule | None) -> None:
    assert less_often(rule) == expected


async def test_nudges_left_unsent_by_a_crash_expire_after_the_grace(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("food",))
    assert (await dispatcher.tick(_at(27, 11, 30))).queued == 1
    assert (await dispatcher.tick(_at(27, 11, 40))).expired == 0  # still fresh enough
    assert (await dispatcher.tick(_at(27, 11, 41))).expired == 1
    [row] = await _deliveries(db, 1)
    assert row.status == "missed"


async def test_a_burst_is_queued_a_few_seconds_ahead_to_be_sent_on_time(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("food",))
    due = _at(27, 11, 30)
    assert (await dispatcher.tick(due - timedelta(seconds=11))).due == 0
    assert (await dispatcher.tick(due - timedelta(seconds=9))).queued == 1
    [row] = await _deliveries(db, 1)
    assert (row.due_at, row.send_after, row.status) == (due, due, "pending")
    assert (await _reminder(db, 1, "food")).next_fire_at == _at(27, 17, 30)


async def test_pause_wins_over_a_nudge_queued_ahead(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    from bot.services import settings as settings_service

    await make_person(db, 1, now=clock.now(), habits=("food",))
    food = await _reminder(db, 1, "food")
    assert food.next_fire_at is not None
    # The tick queues the nudge a few seconds before its time ...
    clock.set(food.next_fire_at - timedelta(seconds=5))
    assert (await dispatcher.tick()).queued == 1
    [queued] = await _deliveries(db, 1)
    assert queued.status == "pending" and queued.send_after > clock.now()
    # ... and a pause made in those seconds removes it: nothing goes out while paused.
    await settings_service.pause(db.uow(), 1, timedelta(hours=3), clock.now())
    assert await _deliveries(db, 1) == []
    clock.set(food.next_fire_at + timedelta(seconds=1))
    await dispatcher.tick()
    assert await _deliveries(db, 1) == []
    later = (await _reminder(db, 1, "food")).next_fire_at
    assert later is not None and later > clock.now() + timedelta(hours=2)


async def test_skip_today_wins_over_a_nudge_queued_ahead(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    from bot.services.nudges import skip_today

    await make_person(db, 2, now=clock.now(), habits=("breathe",))
    morning = (await _reminder(db, 2, "breathe")).next_fire_at
    assert morning is not None
    clock.set(morning - timedelta(seconds=5))
    assert (await dispatcher.tick()).queued == 1
    await _mark_sent(db)
    [first] = await _deliveries(db, 2)
    afternoon = (await _reminder(db, 2, "breathe")).next_fire_at
    assert afternoon is not None
    clock.set(afternoon - timedelta(seconds=5))
    assert (await dispatcher.tick()).queued == 1  # the afternoon nudge, queued ahead
    # Seconds before it goes out, the person skips the habit from the morning's nudge.
    pressed = await skip_today(db.uow(), 2, first.id, now=clock.now())
    assert pressed.outcome.name == "OK"
    clock.set(afternoon + timedelta(seconds=1))
    await dispatcher.tick()
    rows = await _deliveries(db, 2)
    assert [r.status for r in rows] == ["sent", "skipped"]


@pytest.mark.parametrize(
    ("done", "goal", "after_miss", "line"),
    [
        (0, 6, False, ""),  # the day's first: no line
        (2, 6, False, "2 of 6 so far today."),
        (5, 6, False, "One more and today's goal is met."),
        (0, 2, True, "The last one slipped by — no worries, this is a fresh chance."),
        (1, 2, True, "One more and today's goal is met."),
        (0, None, False, ""),
    ],
)
def test_a_nudge_says_where_the_person_stands(
    done: int, goal: int | None, after_miss: bool, line: str
) -> None:
    from bot.telegram.texts import nudge_standing

    assert nudge_standing(done, goal, after_miss) == line


async def test_a_nudge_behind_the_goal_says_so(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    await make_person(db, 1, now=clock.now(), habits=("water",), rules=EVERY_2H)
    async with db.uow() as uow:
        await uow.habit_logs.add(
            1, "water", at=_at(27, 6), local_date=date(2026, 3, 27), source="text", amount=5
        )
        await uow.commit()
    await dispatcher.tick(_at(27, 8))
    [row] = await _deliveries(db, 1)
    assert "One more and today's goal is met." in (await _shown(db, row))[0]


async def test_people_sharing_a_rule_each_move_on_in_their_own_zone_and_hours(
    db: Database, clock: FakeClock, dispatcher: Dispatcher
) -> None:
    """The tick remembers next times across a crowd; zone and waking hours stay part of it."""
    from zoneinfo import ZoneInfo

    from bot.domain.schedule import next_fire

    rule = Rule(times=(time(12, 30), time(18, 30)))
    due = _at(27, 11, 30)
    people = {
        1: ("Europe/Berlin", "23:00"),
        2: ("Europe/London", "23:00"),
        3: ("Europe/Berlin", "18:00"),
    }
    for person_id, (zone, sleep) in people.items():
        await make_person(
            db,
            person_id,
            now=clock.now(),
            zone=zone,
            sleep=sleep,
            habits=("food",),
            rules={"food": rule.to_dict()},
        )
    async with db.uow() as uow:
        await uow.session.execute(
            update(Reminder).where(Reminder.habit == "food").values(next_fire_at=due)
        )
        await uow.commit()
    clock.set(due)
    stats = await dispatcher.tick()
    assert stats.due == 3
    for person_id, (zone, sleep) in people.items():
        awake = Window(time(7), time.fromisoformat(sleep))
        expected = next_fire(rule, ZoneInfo(zone), due, awake=awake)
        assert (await _reminder(db, person_id, "food")).next_fire_at == expected
    # Berlin awake until 23:00: 18:30 local; until 18:00: the next day's 12:30; London differs.
    assert (await _reminder(db, 1, "food")).next_fire_at == _at(27, 17, 30)
    assert (await _reminder(db, 3, "food")).next_fire_at == _at(28, 11, 30)
    assert (await _reminder(db, 2, "food")).next_fire_at != _at(27, 17, 30)
