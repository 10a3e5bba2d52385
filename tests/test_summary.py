"""The weekly summary: from known data, with and without enough days, and sent by the tick."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from bot.services.onboarding import SUMMARY_RULE, SUMMARY_SPREAD_MINUTES, summary_rule
from bot.services.schedules import reschedule
from bot.services.summary import build, is_intent, report, summary_intent
from bot.storage.models import CheckIn
from bot.storage.uow import Database, UnitOfWork
from bot.telegram.renderers import weekly_text
from tests.factories import make_person
from tests.harness import Harness


async def _weekly_text(uow: UnitOfWork, person_id: int, now: datetime) -> str:
    """The weekly summary's words, as the sender renders them."""
    return weekly_text(await report(uow, person_id, now))


# Sunday 29 March 2026, 19:00 in Berlin (summer time started at 02:00 that morning).
SUNDAY_EVENING = datetime(2026, 3, 29, 17, 0, tzinfo=UTC)
SUNDAY = date(2026, 3, 29)
JOINED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def seed(
    db: Database,
    person_id: int,
    *,
    moves: dict[date, int],
    water: dict[date, int],
    pain: dict[date, int],
) -> None:
    async with db.uow() as uow:
        for habit, per_day in (("move", moves), ("water", water)):
            for day, count in per_day.items():
                for _ in range(count):
                    await uow.habit_logs.add(
                        person_id, habit, at=JOINED, local_date=day, source="test"
                    )
        for day, score in pain.items():
            uow.session.add(
                CheckIn(
                    person_id=person_id,
                    local_date=day,
                    pain=score,
                    skipped=[],
                    red_flags_asked=False,
                    started_at=JOINED,
                    updated_at=JOINED,
                    completed_at=JOINED,
                )
            )
        await uow.commit()


def days_back(n: int) -> list[date]:
    """The last n days ending on Sunday, oldest first."""
    return [SUNDAY - timedelta(days=k) for k in range(n - 1, -1, -1)]


async def test_summary_with_enough_data_states_the_difference(db: Database) -> None:
    await make_person(db, 7, now=JOINED)
    days = days_back(22)
    # Every other day 5 movement breaks (the goal), else 1; pain is 2 on goal days, else 5.
    moves = {d: (5 if i % 2 == 0 else 1) for i, d in enumerate(days)}
    pain = {d: (2 if moves[d] >= 5 else 5) for d in days[1:]}
    # Water: 6 glasses a day this week except Wednesday.
    water = {d: (3 if d.weekday() == 2 else 6) for d in days[-7:]}
    await seed(db, 7, moves=moves, water=water, pain=pain)

    async with db.uow() as uow:
        text = await _weekly_text(uow, 7, SUNDAY_EVENING)
    assert text.startswith("<b>Your week</b>")
    # Weekdays only (movement breaks are Mon-Fri; today, Sunday, is left out): 7 vs 8.
    assert "On days you met your movement goal, your pain averaged 3.0 lower (2.0 vs 5.0; " in text
    assert (
        "7 days with, 8 without). A fairly clear pattern in your own check-ins, not proof" in text
    )
    assert text.count("💡") == 1  # at most one insight
    assert "💧 Hydration: 86%" in text  # 6 of 7 days reached the target
    assert "🚶 Movement break: 40%" in text  # 2 of 5 weekdays; the weekend doesn't count
    assert "📝 Daily check-in: 100%" in text  # from the finished check-ins themselves
    assert "Pain: 5 → 5 this week (about steady)." in text


async def test_summary_without_enough_data_says_so(db: Database) -> None:
    await make_person(db, 8, now=JOINED)
    days = days_back(6)
    moves = {d: 5 for d in days}
    pain = {d: 3 for d in days}
    await seed(db, 8, moves=moves, water={}, pain=pain)
    async with db.uow() as uow:
        text = await _weekly_text(uow, 8, SUNDAY_EVENING)
    # Every check-in day met the goal: nothing to compare, so nothing is said.
    assert "averaged" not in text and "💡" not in text


async def test_summary_one_side_short_claims_nothing(db: Database) -> None:
    # 20 days with 5+ breaks but only 5 without: the smaller side is under 7 days.
    await make_person(db, 9, now=JOINED)
    days = days_back(26)
    moves = {d: (1 if i in (3, 8, 13, 18, 23) else 5) for i, d in enumerate(days)}
    pain = {d: (1 if moves[d - timedelta(days=1)] >= 5 else 7) for d in days[1:]}
    await seed(db, 9, moves=moves, water={}, pain=pain)
    async with db.uow() as uow:
        text = await _weekly_text(uow, 9, SUNDAY_EVENING)
    assert "Once I have 7 check-ins on days you met your movement goal" in text
    assert "averaged" not in text


async def test_summary_of_a_week_without_check_ins(db: Database) -> None:
    await make_person(db, 10, now=JOINED)
    async with db.uow() as uow:
        text = await _weekly_text(uow, 10, SUNDAY_EVENING)
        missing = await _weekly_text(uow, 999, SUNDAY_EVENING)
    assert "Pain: no check-ins this week." in text
    assert "💡" not in text  # no data: no insight, not even a promise
    assert "/start" in missing


async def test_the_tick_sends_the_summary_on_sunday_evening(harness: Harness) -> None:
    ana = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    now = harness.clock.now()
    await make_person(harness.db, ana.id, now=now, habits=())
    rule = summary_rule(ana.id)
    async with harness.db.uow() as uow:
        await uow.reminders.set_rule(ana.id, "summary", rule=rule.to_dict(), enabled=True, now=now)
        await reschedule(uow, ana.id, now)
        await uow.commit()
    await seed(
        harness.db,
        ana.id,
        moves={d: 5 for d in days_back(3)},
        water={},
        pain={SUNDAY - timedelta(days=2): 6, SUNDAY: 4},
    )
    # Ana's own minute of Sunday evening: 19:00 in Berlin moved by her spread offset.
    due = SUNDAY_EVENING + timedelta(minutes=rule.offset_minutes)

    harness.clock.set(due - timedelta(minutes=1))
    await harness.tick()
    assert harness.sandbox.bot_messages(ana.id) == []
    harness.clock.set(due)
    await harness.tick()
    messages = harness.sandbox.bot_messages(ana.id)
    assert len(messages) == 1
    text = messages[0].text or ""
    assert text.startswith("Your week")  # sent as HTML: the tags are gone
    assert "Pain: 6 → 4 this week" in text
    assert "averaged" not in text
    async with harness.db.uow() as uow:
        (row,) = await uow.deliveries.for_person(ana.id)
    # The outbox kept the intent; the text was built by the sender when it went out.
    assert (row.kind, row.status, row.payload) == ("summary", "sent", summary_intent(due))


async def test_a_queued_summary_is_built_from_the_data_at_send_time(db: Database) -> None:
    await make_person(db, 11, now=JOINED)
    intent = summary_intent(SUNDAY_EVENING)
    assert is_intent(intent) and not is_intent({"text": "hi"})
    before = weekly_text(await build(db, 11, SUNDAY_EVENING))
    assert "Pain: no check-ins this week." in before
    # A check-in saved after the tick queued the summary still makes it into the message.
    await seed(db, 11, moves={}, water={}, pain={SUNDAY - timedelta(days=2): 6, SUNDAY: 4})
    after = weekly_text(await build(db, 11, SUNDAY_EVENING))
    assert "Pain: 6 → 4 this week" in after
    async with db.uow() as uow:
        assert after == await _weekly_text(uow, 11, SUNDAY_EVENING)


def test_summaries_of_a_crowd_are_spread_over_an_hour() -> None:
    offsets = Counter(summary_rule(person_id).offset_minutes for person_id in range(1, 10_001))
    assert set(offsets) == set(range(-SUMMARY_SPREAD_MINUTES, SUMMARY_SPREAD_MINUTES + 1))
    # About 10,000 / 61 = 164 a minute; no minute holds more than a small share.
    assert max(offsets.values()) < 250
    assert summary_rule(42) == summary_rule(42)  # stable: the same minute every week
    assert summary_rule(42).weekdays == SUMMARY_RULE.weekdays
