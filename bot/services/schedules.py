"""Keeping each reminder's next UTC fire time in step with the person's day."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.hhmm import parse_hhmm
from bot.domain.schedule import Rule, Window, next_fire
from bot.storage.people import PersonRecord
from bot.storage.uow import UnitOfWork

# A pause longer than this (or "until /resume") parks reminders instead of computing a time.
INDEFINITE = timedelta(days=366)
# Habits that are not nudges keep their time even inside quiet hours (the person chose it).
NOT_QUIETED = frozenset({"summary"})


def awake_window(person: PersonRecord) -> Window | None:
    """Return the person's waking hours, if they told us."""
    if person.wake_time and person.sleep_time:
        return _window(person.wake_time, person.sleep_time)
    return None


@lru_cache(maxsize=4096)
def _window(wake: str, sleep: str) -> Window:
    # Few distinct waking hours, asked for per reminder in the tick: parse each pair once.
    return Window(parse_hhmm(wake), parse_hhmm(sleep))


# next_fire is pure and a tick asks it the same question for a crowd (same rule, zone, waking
# hours and moment), so remembering answers is exact and spares the per-row DST walk.
_next_fire = lru_cache(maxsize=16384)(next_fire)


def zone_of(person: PersonRecord, default: str = "UTC") -> ZoneInfo:
    """Return the person's zone (or the deployment's default)."""
    return ZoneInfo(person.timezone or default)


@lru_cache(maxsize=4096)
def _parsed(key: str) -> Rule:
    return Rule.from_dict(json.loads(key))


def parse_rule(rule: dict[str, Any]) -> Rule:
    """Parse a stored rule; cached, because a crowd shares few distinct rules (hot in the tick)."""
    return _parsed(json.dumps(rule, sort_keys=True, separators=(",", ":")))


def next_time(
    person: PersonRecord,
    habit: str,
    rule: dict[str, Any],
    after: datetime,
    *,
    enabled: bool = True,
    parsed: Rule | None = None,
) -> datetime | None:
    """Return when a person's reminder fires next, or None while it must not fire at all."""
    # `parsed` is `rule` already parsed (the tick parses each stored rule once).
    if not enabled or not person.active or not person.onboarded or person.timezone is None:
        return None
    paused = person.paused_until
    if paused is not None and paused - after > INDEFINITE:
        return None
    awake = None if habit in NOT_QUIETED else awake_window(person)
    try:
        return _next_fire(
            parsed if parsed is not None else parse_rule(rule),
            zone_of(person),
            after,
            awake=awake,
            paused_until=paused if paused is not None and paused > after else None,
        )
    except ValueError:
        return None


async def reschedule(uow: UnitOfWork, person_id: int, now: datetime) -> None:
    """Recompute every reminder of a person inside the caller's transaction."""
    # Rows the tick queued ahead for this person are dropped first, so the change (a pause, a
    # skip, a new zone) wins and the tick decides those occurrences again. The reminders are
    # locked before that, so a tick that already read them has committed its rows by then.
    person = await uow.people.get(person_id)
    if person is None:
        return
    reminders = await uow.reminders.lock_for_person(person_id)
    await uow.deliveries.drop_queued_ahead(person_id, now)
    for reminder in reminders:
        when = next_time(person, reminder.habit, reminder.rule, now, enabled=reminder.enabled)
        if when != reminder.next_fire_at:
            await uow.reminders.set_next(reminder.id, when)
