"""Put people straight into the database, for tests of features that come after onboarding."""

from __future__ import annotations

from datetime import datetime, time

from bot.domain.habits import NUDGED, default_rule
from bot.domain.schedule import Window
from bot.services.schedules import reschedule
from bot.storage.models import Person
from bot.storage.uow import Database


async def make_person(
    db: Database,
    person_id: int,
    *,
    now: datetime,
    first_name: str = "Ana",
    zone: str = "Europe/Berlin",
    wake: str = "07:00",
    sleep: str = "23:00",
    sit: tuple[str, str] = ("09:00", "17:00"),
    habits: tuple[str, ...] | None = None,
    rules: dict[str, dict[str, object]] | None = None,
) -> None:
    """Create an onboarded person with reminders (default rules unless given) and schedule them."""
    awake = Window(time.fromisoformat(wake), time.fromisoformat(sleep))
    sitting = Window(time.fromisoformat(sit[0]), time.fromisoformat(sit[1]))
    on = set(habits if habits is not None else [h.value for h in NUDGED])
    async with db.uow() as uow:
        uow.session.add(
            Person(
                id=person_id,
                first_name=first_name,
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
        await uow.people.note_chat(
            person_id, type_="private", title=None, person_id=person_id, now=now
        )
        for habit in NUDGED:
            rule = (rules or {}).get(habit.value) or default_rule(
                habit, awake=awake, sitting=sitting
            ).to_dict()
            await uow.reminders.set_rule(
                person_id, habit.value, rule=dict(rule), enabled=habit.value in on, now=now
            )
        await reschedule(uow, person_id, now)
        await uow.commit()
