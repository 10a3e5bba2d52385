"""Repositories on SQLite and PostgreSQL: upserts are idempotent, times come back aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from bot.storage.uow import Database
from tests.factories import make_person


async def test_seen_is_idempotent_and_aware(db: Database, clock: FakeClock) -> None:
    now = clock.now()
    async with db.uow() as uow:
        person, created = await uow.people.seen(
            42, first_name="Ana 🌿", username=None, language_code="en", now=now
        )
        await uow.commit()
    assert created
    assert person.created_at == now
    assert person.created_at.tzinfo is not None
    async with db.uow() as uow:
        again, created = await uow.people.seen(
            42, first_name="Ana", username="ana", language_code="en", now=now + timedelta(1)
        )
        await uow.commit()
    assert not created
    assert again.created_at == now
    assert again.first_name == "Ana"


async def test_rollback_without_commit(db: Database, clock: FakeClock) -> None:
    async with db.uow() as uow:
        await uow.people.seen(
            7, first_name="X", username=None, language_code=None, now=clock.now()
        )
    async with db.uow() as uow:
        assert await uow.people.get(7) is None


async def test_made_person_has_scheduled_reminders(db: Database, clock: FakeClock) -> None:
    await make_person(db, 5, now=clock.now())
    async with db.uow() as uow:
        reminders = await uow.reminders.for_person(5)
    assert {r.habit for r in reminders} == {"water", "move", "food", "breathe", "checkin"}
    for reminder in reminders:
        assert reminder.next_fire_at is not None
        assert reminder.next_fire_at > clock.now()
        assert reminder.next_fire_at.tzinfo is not None
    first_water = next(r for r in reminders if r.habit == "water").next_fire_at
    assert first_water is not None
    assert first_water - clock.now() <= timedelta(hours=2, minutes=10)


async def test_habit_log_once_per_delivery_and_counts(db: Database, clock: FakeClock) -> None:
    await make_person(db, 5, now=clock.now())
    day = datetime(2026, 3, 27, tzinfo=UTC).date()
    async with db.uow() as uow:
        assert await uow.habit_logs.add(5, "water", at=clock.now(), local_date=day, source="t")
        assert await uow.habit_logs.add(5, "water", at=clock.now(), local_date=day, source="t")
        counts = await uow.habit_logs.counts_on(5, day)
        assert await uow.habit_logs.skip_day(5, "move", day, clock.now())
        assert not await uow.habit_logs.skip_day(5, "move", day, clock.now())
        await uow.commit()
    assert counts["water"] == 2
