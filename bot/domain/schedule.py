"""Next fire time from a person's wall-clock rule, DST-safe, with quiet hours and pauses."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.hhmm import format_hhmm, parse_hhmm

ALL_DAYS: frozenset[int] = frozenset(range(7))  # 0 = Monday
MAX_OFFSET_MINUTES = 30
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Two weeks covers any weekday filter even when a DST day swallows the only candidate.
_SEARCH_DAYS = 16
_ONE_DAY = timedelta(days=1)


def _minute_of(t: time) -> int:
    return t.hour * 60 + t.minute


def _check_naive_time(t: object, what: str) -> time:
    if not isinstance(t, time):
        raise ValueError(f"{what} must be a time")
    if t.tzinfo is not None:
        raise ValueError(f"{what} must be a wall-clock time without tzinfo")
    return t.replace(second=0, microsecond=0)


@dataclass(frozen=True)
class Window:
    """A daily local-time window; end < start means it crosses midnight (a night shift)."""

    start: time
    end: time
    # Worked out once: the tick asks a person's waking hours several questions per due row.
    _hash: int = field(init=False, repr=False, compare=False)
    _crosses: bool = field(init=False, repr=False, compare=False)
    _minutes: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        start = _check_naive_time(self.start, "window start")
        end = _check_naive_time(self.end, "window end")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "_hash", hash((start, end)))
        object.__setattr__(self, "_crosses", end < start)
        object.__setattr__(self, "_minutes", (_minute_of(end) - _minute_of(start)) % (24 * 60))

    def __hash__(self) -> int:
        return self._hash

    def contains(self, t: time) -> bool:
        """Tell whether `t` lies in the window, both ends included."""
        if t.tzinfo is not None:
            t = t.replace(tzinfo=None)
        if self._crosses:
            return t >= self.start or t <= self.end
        return self.start <= t <= self.end

    def crosses_midnight(self) -> bool:
        """Tell whether the window runs past midnight into the next day."""
        return self._crosses

    def minutes(self) -> int:
        """Return the window's length in minutes."""
        return self._minutes

    def describe(self) -> str:
        """Return the window as "HH:MM–HH:MM"."""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class Rule:
    """A person's wall-clock rule for one habit."""

    times: tuple[time, ...] = ()
    every_minutes: int | None = None
    window: Window | None = None
    weekdays: frozenset[int] = ALL_DAYS
    offset_minutes: int = 0
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        times = tuple(sorted({_check_naive_time(t, "time") for t in self.times}))
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if self.every_minutes is not None:
            if times:
                raise ValueError("a rule has either fixed times or an interval, not both")
            if isinstance(self.every_minutes, bool) or not isinstance(self.every_minutes, int):
                raise ValueError("every_minutes must be an integer")
            if not 1 <= self.every_minutes <= 24 * 60:
                raise ValueError("every_minutes must be between 1 and 1440")
            if self.window is None:
                raise ValueError("an interval rule needs a window")
        if self.window is not None and not isinstance(self.window, Window):
            raise ValueError("window must be a Window")
        if any(isinstance(d, bool) or d not in ALL_DAYS for d in self.weekdays):
            raise ValueError("weekdays must be integers 0 (Monday) to 6 (Sunday)")
        if isinstance(self.offset_minutes, bool) or not isinstance(self.offset_minutes, int):
            raise ValueError("offset_minutes must be an integer")
        if abs(self.offset_minutes) > MAX_OFFSET_MINUTES:
            raise ValueError(f"offset_minutes must be within ±{MAX_OFFSET_MINUTES}")
        # The tick looks a rule up in caches once per due row: hash its fields once, not each time.
        fields = (times, self.every_minutes, self.window, self.weekdays, self.offset_minutes)
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-safe dict that from_dict turns back into an equal rule."""
        window = (
            None
            if self.window is None
            else {"start": format_hhmm(self.window.start), "end": format_hhmm(self.window.end)}
        )
        return {
            "times": [format_hhmm(t) for t in self.times],
            "every_minutes": self.every_minutes,
            "window": window,
            "weekdays": sorted(self.weekdays),
            "offset_minutes": self.offset_minutes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Rule:
        """Build a rule from to_dict output; raise ValueError on anything malformed."""
        if not isinstance(data, dict):
            raise ValueError("rule must be a dict")
        unknown = set(data) - {"times", "every_minutes", "window", "weekdays", "offset_minutes"}
        if unknown:
            raise ValueError(f"unknown rule keys: {sorted(unknown)}")
        raw_times = data.get("times", [])
        if not isinstance(raw_times, list | tuple):
            raise ValueError("times must be a list")
        raw_window = data.get("window")
        window = None
        if raw_window is not None:
            if not isinstance(raw_window, dict) or set(raw_window) != {"start", "end"}:
                raise ValueError("window must be {'start': 'HH:MM', 'end': 'HH:MM'}")
            window = Window(parse_hhmm(raw_window["start"]), parse_hhmm(raw_window["end"]))
        every = data.get("every_minutes")
        if every is not None and (isinstance(every, bool) or not isinstance(every, int)):
            raise ValueError("every_minutes must be an integer")
        raw_days = data.get("weekdays", sorted(ALL_DAYS))
        if not isinstance(raw_days, list | tuple):
            raise ValueError("weekdays must be a list")
        days: set[int] = set()
        for d in raw_days:
            if isinstance(d, bool) or not isinstance(d, int):
                raise ValueError("weekdays must be integers")
            days.add(d)
        offset = data.get("offset_minutes", 0)
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise ValueError("offset_minutes must be an integer")
        return cls(
            times=tuple(parse_hhmm(t) for t in raw_times),
            every_minutes=every,
            window=window,
            weekdays=frozenset(days),
            offset_minutes=offset,
        )

    def describe(self) -> str:
        """Return short human text such as "every 50 min 09:00–17:00, Mon–Fri"."""
        if self.every_minutes is not None and self.window is not None:
            n = self.every_minutes
            step = f"{n // 60} h" if n % 60 == 0 else f"{n} min"
            text = f"every {step} {self.window.describe()}"
        elif self.times:
            labels = [f"{t:%H:%M}" for t in self.times]
            joined = (
                labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
            )
            text = f"at {joined}"
        else:
            return "never"
        days = describe_weekdays(self.weekdays)
        return text if self.weekdays == ALL_DAYS else f"{text}, {days}"


def describe_weekdays(days: frozenset[int]) -> str:
    """Return "every day", "Mon–Fri", "Sat–Sun" or "Mon, Wed, Fri"."""
    if days == ALL_DAYS:
        return "every day"
    if not days:
        return "no days"
    ordered = sorted(days)
    if len(ordered) >= 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES[ordered[0]]}–{DAY_NAMES[ordered[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in ordered)


def spread_offset(person_id: int, habit: str, max_minutes: int = 7) -> int:
    """Return a stable offset in [-max_minutes, max_minutes] so crowds don't all fire at :00."""
    if max_minutes < 0:
        raise ValueError("max_minutes must not be negative")
    digest = zlib.crc32(f"{person_id}:{habit}".encode())
    return digest % (2 * max_minutes + 1) - max_minutes


def _require_aware(at: datetime, name: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def local_date(at: datetime, zone: ZoneInfo) -> date:
    """Return the calendar date in `zone` at the instant `at`."""
    if at.tzinfo is not UTC:
        _require_aware(at, "at")
    return _local_time(at, zone).date()


def local_time(at: datetime, zone: ZoneInfo) -> datetime:
    """Return the instant `at` as an aware local time in `zone`."""
    if at.tzinfo is not UTC:
        _require_aware(at, "at")
    return _local_time(at, zone)


@lru_cache(maxsize=16384)
def _local_time(at: datetime, zone: ZoneInfo) -> datetime:
    # The tick asks this several times per due row, and a crowd shares its due times: the
    # zone conversion is the costly part, and its answer depends on nothing else.
    return at.astimezone(zone)


def wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """Map a naive local wall time to UTC: gaps go to the end of the gap, repeats to the first."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return first
    # In a gap fold=0 uses the old offset (lands after the jump) and fold=1 the new one
    # (before it); binary-search the jump so the fire is the first valid instant after the gap.
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = first
    if lo >= hi:
        return first
    old_offset = lo.astimezone(zone).utcoffset()
    lo_s, hi_s = 0, int((hi - lo).total_seconds())
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if (lo + timedelta(seconds=mid)).astimezone(zone).utcoffset() == old_offset:
            lo_s = mid
        else:
            hi_s = mid
    return lo + timedelta(seconds=hi_s)


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC start (inclusive) and end (exclusive) of a local calendar day."""
    start = wall_to_utc(datetime.combine(day, time()), zone)
    end = wall_to_utc(datetime.combine(day + _ONE_DAY, time()), zone)
    return start, end


def _grid(rule: Rule, day: date, threshold_wall: datetime) -> tuple[datetime, timedelta, int, int]:
    """Return (base, step, first, last) of a day's grid, skipping points long past."""
    assert rule.every_minutes is not None and rule.window is not None
    step = timedelta(minutes=rule.every_minutes)
    base = datetime.combine(day, rule.window.start) + timedelta(minutes=rule.offset_minutes)
    last = rule.window.minutes() // rule.every_minutes
    first = min(max((threshold_wall - base) // step, 0), last)
    return base, step, first, last


def next_fire(
    rule: Rule,
    zone: ZoneInfo,
    after: datetime,
    *,
    awake: Window | None = None,
    paused_until: datetime | None = None,
) -> datetime:
    """Return the rule's first occurrence strictly after `after`, as an aware UTC datetime."""
    _require_aware(after, "after")
    after = after.astimezone(UTC)
    if paused_until is not None:
        _require_aware(paused_until, "paused_until")
        paused_until = paused_until.astimezone(UTC)
    if not rule.weekdays or (not rule.times and rule.every_minutes is None):
        raise ValueError("rule never fires")
    if awake is not None and not isinstance(awake, Window):
        raise ValueError("awake must be a Window")

    threshold = after if paused_until is None or paused_until <= after else paused_until

    def due(at: datetime) -> bool:
        return at > after and (paused_until is None or at >= paused_until)

    def fire(walls: Iterable[datetime]) -> datetime | None:
        for wall in walls:
            at = wall_to_utc(wall, zone)
            if due(at) and (awake is None or awake.contains(at.astimezone(zone).time())):
                return at
        return None

    threshold_wall = threshold.astimezone(zone).replace(tzinfo=None)
    offset = timedelta(minutes=rule.offset_minutes)
    # Start a day early: yesterday's night window or a +offset can spill into today.
    first_day = threshold_wall.date() - _ONE_DAY
    for n in range(_SEARCH_DAYS):
        day = first_day + timedelta(days=n)
        if day.weekday() not in rule.weekdays:
            continue
        if rule.every_minutes is None:
            at = fire(datetime.combine(day, t) + offset for t in rule.times)
        else:
            base, step, first, last = _grid(rule, day, threshold_wall)
            # wall_to_utc is monotone, so if the skip target is not due nothing before it is;
            # if it is due the skip may have overshot across a DST jump: scan the whole day.
            if first > 0 and due(wall_to_utc(base + first * step, zone)):
                first = 0
            at = fire(base + k * step for k in range(first, last + 1))
        if at is not None:
            return at
    raise ValueError("rule never fires")
