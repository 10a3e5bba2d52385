"""Group challenges: the catalog, when to post, and who stands where (plain values only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.habits import CATALOG, Habit
from bot.domain.schedule import local_date, wall_to_utc

ONE_DAY = timedelta(days=1)
# The daily standings go out in the evening, when most of the day's habits are done.
DAILY_POST = time(20, 0)
# The final results wait for the last day to end, so its late logs still count.
FINAL_POST = time(9, 0)
# A daily post this late (the bot was down) is skipped; the final one always goes out.
STALE_AFTER = timedelta(hours=2)


@dataclass(frozen=True)
class Kind:
    """A challenge a group can start."""

    key: str
    habit: Habit
    days: int
    daily_target: int
    name: str

    @property
    def title(self) -> str:
        """Return e.g. "💧 7-day hydration"."""
        return f"{CATALOG[self.habit].emoji} {self.days}-day {self.name}"


KINDS: tuple[Kind, ...] = (
    Kind("water", Habit.WATER, 7, 6, "hydration"),
    Kind("move", Habit.MOVE, 5, 5, "movement breaks"),
    Kind("breathe", Habit.BREATHE, 7, 2, "breathing"),
    Kind("food", Habit.FOOD, 7, 2, "gut-friendly food"),
)


def kind_of(key: str) -> Kind | None:
    """Return the challenge kind with this key, or None."""
    return next((k for k in KINDS if k.key == key), None)


def ends_on(starts_on: date, days: int) -> date:
    """Return the last local day of a challenge that runs `days` days."""
    return starts_on + (days - 1) * ONE_DAY


def day_number(day: date, starts_on: date) -> int:
    """Return which day of the challenge `day` is (1 for the first)."""
    return (day - starts_on).days + 1


def post_after(day: date, last_day: date, zone: ZoneInfo) -> datetime | None:
    """Return when the post after the one of local day `day` is due (None after the final)."""
    if day < last_day:
        return wall_to_utc(datetime.combine(day + ONE_DAY, DAILY_POST), zone)
    if day == last_day:
        return wall_to_utc(datetime.combine(day + ONE_DAY, FINAL_POST), zone)
    return None


def first_post(now: datetime, starts_on: date, last_day: date, zone: ZoneInfo) -> datetime:
    """Return the first post of a challenge started at `now`: this evening, or the next one."""
    tonight = wall_to_utc(datetime.combine(starts_on, DAILY_POST), zone)
    if tonight > now:
        return tonight
    following = post_after(starts_on, last_day, zone)
    assert following is not None
    return following


@dataclass(frozen=True)
class Post:
    """What the tick does with a due post: send it (daily or final) or skip it, and what next."""

    day: date
    final: bool
    send: bool
    next_at: datetime | None


def plan_post(due_at: datetime, now: datetime, last_day: date, zone: ZoneInfo) -> Post:
    """Decide a due post: the final one after the last day, else a daily one unless stale."""
    day = local_date(due_at, zone)
    if day > last_day:
        return Post(day, final=True, send=True, next_at=None)
    return Post(
        day, final=False, send=now - due_at <= STALE_AFTER, next_at=post_after(day, last_day, zone)
    )


@dataclass(frozen=True)
class Standing:
    """One member's place in a challenge."""

    person_id: int
    name: str
    days_done: int
    today: int
    streak: int


def standings(
    members: Sequence[tuple[int, str]],
    counts: Mapping[int, Mapping[date, int]],
    *,
    starts_on: date,
    last_day: date,
    target: int,
    today: date,
) -> list[Standing]:
    """Rank members by days that met the target, then streak, then today's count, then name.

    Only days from the start up to today (and not after the last day) count; today counts as
    soon as the target is met, and an unfinished today does not break the streak.
    """
    until = min(today, last_day)
    ranked = []
    for person_id, name in members:
        per_day = counts.get(person_id, {})
        met = {d for d, n in per_day.items() if starts_on <= d <= until and n >= target}
        ranked.append(
            Standing(
                person_id=person_id,
                name=name,
                days_done=len(met),
                today=per_day.get(today, 0) if starts_on <= today <= last_day else 0,
                streak=_streak(met, until, today),
            )
        )
    ranked.sort(key=lambda s: (-s.days_done, -s.streak, -s.today, s.name.casefold(), s.person_id))
    return ranked


def _streak(met: set[date], until: date, today: date) -> int:
    """Count met days in a row ending at `until`, or the day before while today is open."""
    day = until
    if day == today and day not in met:
        day -= ONE_DAY
    count = 0
    while day in met:
        count += 1
        day -= ONE_DAY
    return count


def finished_well(days_done: int, days: int) -> bool:
    """Tell whether a member completed most of the days (more than half)."""
    return days_done * 2 > days


def finishers(ranked: Sequence[Standing], days: int) -> list[Standing]:
    """Return the members who completed most of the challenge's days, in rank order."""
    return [s for s in ranked if finished_well(s.days_done, days)]
