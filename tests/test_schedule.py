"""Test next fire times: tables for known DST cases, hypothesis against a brute-force clock."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.domain.schedule import (
    ALL_DAYS,
    Rule,
    Window,
    local_date,
    local_day_bounds,
    next_fire,
    spread_offset,
)

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "UTC",
]
MINUTE = timedelta(minutes=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def at(*times: str, **kwargs: object) -> Rule:
    return Rule(times=tuple(time.fromisoformat(t) for t in times), **kwargs)  # type: ignore[arg-type]


def every(minutes: int, start: str, end: str, **kwargs: object) -> Rule:
    window = Window(time.fromisoformat(start), time.fromisoformat(end))
    return Rule(every_minutes=minutes, window=window, **kwargs)  # type: ignore[arg-type]


def fires(
    rule: Rule, zone: ZoneInfo, start: datetime, until: datetime, **kwargs: object
) -> list[datetime]:
    out: list[datetime] = []
    current = start
    while True:
        current = next_fire(rule, zone, current, **kwargs)  # type: ignore[arg-type]
        if current >= until:
            return out
        out.append(current)


# --- tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "zone", "expected_utc"),
    [
        ("2026-03-29 02:30", "Europe/Berlin", "2026-03-29 01:00"),  # skipped hour -> gap end
        ("2026-10-25 02:30", "Europe/Berlin", "2026-10-25 00:30"),  # repeated hour -> first one
        ("2026-03-29 03:00", "Europe/Berlin", "2026-03-29 01:00"),
        ("2026-03-29 01:59", "Europe/Berlin", "2026-03-29 00:59"),
        ("2026-03-08 02:30", "America/New_York", "2026-03-08 07:00"),
        ("2026-11-01 01:30", "America/New_York", "2026-11-01 05:30"),
        ("2026-10-04 02:15", "Australia/Lord_Howe", "2026-10-03 15:30"),  # 30-minute gap
        ("2026-04-05 01:45", "Australia/Lord_Howe", "2026-04-04 14:45"),  # 30-minute repeat
        ("2026-09-27 03:00", "Pacific/Chatham", "2026-09-26 14:00"),  # gap 02:45 -> 03:45
        ("2026-04-05 03:00", "Pacific/Chatham", "2026-04-04 13:15"),  # repeat at +13:45 first
        ("2026-06-01 09:00", "Asia/Kathmandu", "2026-06-01 03:15"),
        ("2026-06-01 09:00", "UTC", "2026-06-01 09:00"),
    ],
)
def test_fire_time_across_dst(local: str, zone: str, expected_utc: str) -> None:
    wall = datetime.fromisoformat(local)
    tz = ZoneInfo(zone)
    day_start, _ = local_day_bounds(wall.date(), tz)
    rule = at(f"{wall:%H:%M}")
    assert next_fire(rule, tz, day_start - MINUTE) == utc(expected_utc)


def test_result_is_aware_utc_and_strictly_after() -> None:
    rule = at("09:00")
    berlin = ZoneInfo("Europe/Berlin")
    first = next_fire(rule, berlin, utc("2026-06-01 06:59"))
    assert first == utc("2026-06-01 07:00")
    assert first.tzinfo is UTC
    assert next_fire(rule, berlin, first) == utc("2026-06-02 07:00")


def test_accepts_non_utc_aware_after() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    after = datetime(2026, 6, 1, 8, 0, tzinfo=berlin)
    assert next_fire(at("09:00"), berlin, after) == utc("2026-06-01 07:00")


def test_naive_after_or_pause_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_fire(at("09:00"), ZoneInfo("UTC"), datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        next_fire(
            at("09:00"),
            ZoneInfo("UTC"),
            utc("2026-01-01 00:00"),
            paused_until=datetime(2026, 1, 2),  # noqa: DTZ001
        )


def test_interval_grid_on_fall_back_fires_repeated_hour_once() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    rule = every(60, "00:00", "04:00")
    got = fires(rule, berlin, utc("2026-10-24 12:00"), utc("2026-10-25 12:00"))
    assert [f.astimezone(berlin).strftime("%H:%M") for f in got] == [
        "00:00",
        "01:00",
        "02:00",
        "03:00",
        "04:00",
    ]
    assert got[2] == utc("2026-10-25 00:00")  # the first 02:00, summer time


def test_interval_grid_on_spring_forward_collapses_gap() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    rule = every(30, "01:00", "04:00")
    got = fires(rule, berlin, utc("2026-03-28 12:00"), utc("2026-03-29 12:00"))
    local = [f.astimezone(berlin).strftime("%H:%M") for f in got]
    # 02:00 and 02:30 do not exist; both map to 03:00, which fires once.
    assert local == ["01:00", "01:30", "03:00", "03:30", "04:00"]


def test_night_window_crosses_midnight_and_belongs_to_start_day() -> None:
    zone = ZoneInfo("UTC")
    rule = every(120, "22:00", "06:00", weekdays=frozenset({0}))  # Mondays only
    got = fires(rule, zone, utc("2026-06-01 00:00"), utc("2026-06-09 01:00"))  # 1 Jun = Monday
    assert [f"{f:%a %H:%M}" for f in got] == [
        "Mon 22:00",
        "Tue 00:00",
        "Tue 02:00",
        "Tue 04:00",
        "Tue 06:00",
        "Mon 22:00",
        "Tue 00:00",
    ]


def test_grid_is_anchored_to_window_start() -> None:
    rule = every(50, "09:00", "11:00")
    got = fires(rule, ZoneInfo("UTC"), utc("2026-06-01 09:20"), utc("2026-06-01 12:00"))
    assert [f"{f:%H:%M}" for f in got] == ["09:50", "10:40"]


def test_offset_shifts_wall_time_and_may_cross_midnight() -> None:
    zone = ZoneInfo("UTC")
    assert next_fire(at("12:00", offset_minutes=-7), zone, utc("2026-06-01 00:00")) == utc(
        "2026-06-01 11:53"
    )
    late = at("23:50", offset_minutes=20, weekdays=frozenset({0}))  # Monday's nudge
    assert next_fire(late, zone, utc("2026-06-01 00:00")) == utc("2026-06-02 00:10")
    early = at("00:10", offset_minutes=-20, weekdays=frozenset({1}))  # Tuesday's nudge
    assert next_fire(early, zone, utc("2026-06-01 00:00")) == utc("2026-06-01 23:50")


def test_weekday_filter() -> None:
    zone = ZoneInfo("America/New_York")
    rule = at("08:00", weekdays=frozenset({5, 6}))
    got = fires(rule, zone, utc("2026-06-01 00:00"), utc("2026-06-15 00:00"))
    assert [f.astimezone(zone).strftime("%a %d") for f in got] == [
        "Sat 06",
        "Sun 07",
        "Sat 13",
        "Sun 14",
    ]


def test_quiet_hours_drop_rather_than_move() -> None:
    zone = ZoneInfo("UTC")
    rule = every(120, "06:00", "23:00")
    awake = Window(time(8), time(21))
    got = fires(rule, zone, utc("2026-06-01 00:00"), utc("2026-06-02 00:00"), awake=awake)
    assert [f"{f:%H:%M}" for f in got] == [
        "08:00",
        "10:00",
        "12:00",
        "14:00",
        "16:00",
        "18:00",
        "20:00",
    ]


def test_awake_window_crossing_midnight() -> None:
    zone = ZoneInfo("UTC")
    awake = Window(time(20), time(4))  # a night-shift worker
    got = fires(
        at("02:00", "12:00", "22:00"),
        zone,
        utc("2026-06-01 00:00"),
        utc("2026-06-02 00:00"),
        awake=awake,
    )
    assert [f"{f:%H:%M}" for f in got] == ["02:00", "22:00"]


def test_pause_drops_earlier_occurrences() -> None:
    zone = ZoneInfo("UTC")
    rule = at("09:00", "18:00")
    pause = utc("2026-06-03 12:00")
    assert next_fire(rule, zone, utc("2026-06-01 00:00"), paused_until=pause) == utc(
        "2026-06-03 18:00"
    )
    assert next_fire(
        rule, zone, utc("2026-06-01 00:00"), paused_until=utc("2026-06-03 18:00")
    ) == (utc("2026-06-03 18:00"))
    far = utc("2026-09-01 10:00")
    assert next_fire(rule, zone, utc("2026-06-01 00:00"), paused_until=far) == utc(
        "2026-09-01 18:00"
    )
    past = utc("2026-05-01 00:00")
    assert next_fire(rule, zone, utc("2026-06-01 00:00"), paused_until=past) == utc(
        "2026-06-01 09:00"
    )


@pytest.mark.parametrize(
    ("rule", "awake"),
    [
        (at("09:00", weekdays=frozenset()), None),
        (Rule(), None),
        (at("03:00"), Window(time(7), time(22))),
        (every(60, "01:00", "05:00"), Window(time(6), time(23))),
    ],
)
def test_impossible_rules_raise(rule: Rule, awake: Window | None) -> None:
    with pytest.raises(ValueError, match="never fires"):
        next_fire(rule, ZoneInfo("Europe/Berlin"), utc("2026-06-01 00:00"), awake=awake)


# --- rule, window and helpers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "probe", "inside"),
    [
        ("09:00", "17:00", "09:00", True),
        ("09:00", "17:00", "17:00", True),
        ("09:00", "17:00", "17:01", False),
        ("09:00", "17:00", "08:59", False),
        ("22:00", "06:00", "23:30", True),
        ("22:00", "06:00", "00:00", True),
        ("22:00", "06:00", "06:00", True),
        ("22:00", "06:00", "12:00", False),
    ],
)
def test_window_contains(start: str, end: str, probe: str, inside: bool) -> None:
    window = Window(time.fromisoformat(start), time.fromisoformat(end))
    assert window.contains(time.fromisoformat(probe)) is inside


def test_window_length_and_crossing() -> None:
    assert Window(time(22), time(6)).minutes() == 480
    assert Window(time(22), time(6)).crosses_midnight()
    assert Window(time(9), time(17, 30)).minutes() == 510
    assert not Window(time(9), time(17, 30)).crosses_midnight()


@pytest.mark.parametrize(
    "rule",
    [
        at("12:30", "19:00"),
        at("07:05", weekdays=frozenset({0, 2, 4}), offset_minutes=-7),
        every(50, "09:00", "17:00", weekdays=frozenset(range(5))),
        every(120, "22:00", "06:00", offset_minutes=30),
    ],
)
def test_rule_dict_round_trip(rule: Rule) -> None:
    data = rule.to_dict()
    assert Rule.from_dict(data) == rule
    assert data["weekdays"] == sorted(rule.weekdays)
    assert all(isinstance(t, str) and len(t) == 5 for t in data["times"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "data",
    [
        {"times": "09:00"},
        {"times": ["9am"]},
        {"times": ["25:00"]},
        {"times": [900]},
        {"every_minutes": 60},
        {"every_minutes": "60", "window": {"start": "09:00", "end": "17:00"}},
        {"every_minutes": 0, "window": {"start": "09:00", "end": "17:00"}},
        {"every_minutes": 60, "window": {"start": "09:00"}},
        {"times": ["09:00"], "weekdays": [7]},
        {"times": ["09:00"], "weekdays": [True]},
        {"times": ["09:00"], "offset_minutes": 31},
        {"times": ["09:00"], "every_minutes": 60, "window": {"start": "09:00", "end": "17:00"}},
        {"times": ["09:00"], "colour": "red"},
    ],
)
def test_rule_from_dict_rejects_junk(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Rule.from_dict(data)


def test_rule_normalizes_times() -> None:
    assert at("19:00", "12:30", "19:00").times == (time(12, 30), time(19))


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (at("12:30", "19:00"), "at 12:30 and 19:00"),
        (at("08:00", "12:00", "18:00"), "at 08:00, 12:00 and 18:00"),
        (every(120, "08:00", "22:00"), "every 2 h 08:00–22:00"),
        (
            every(50, "09:00", "17:00", weekdays=frozenset(range(5))),
            "every 50 min 09:00–17:00, Mon–Fri",
        ),
        (at("09:00", weekdays=frozenset({0, 2, 4})), "at 09:00, Mon, Wed, Fri"),
    ],
)
def test_describe(rule: Rule, text: str) -> None:
    assert rule.describe() == text


def test_spread_offset_is_stable_and_bounded() -> None:
    values = [spread_offset(person, "water") for person in range(2000)]
    assert all(-7 <= v <= 7 for v in values)
    assert len(set(values)) == 15
    assert spread_offset(42, "water") == spread_offset(42, "water")
    assert spread_offset(42, "water") == 1  # pinned: must never change between releases
    assert spread_offset(42, "water", max_minutes=0) == 0
    assert all(abs(spread_offset(p, "move", 30)) <= 30 for p in range(500))


@pytest.mark.parametrize(
    ("day", "zone", "hours"),
    [
        (date(2026, 3, 29), "Europe/Berlin", 23),
        (date(2026, 10, 25), "Europe/Berlin", 25),
        (date(2026, 6, 1), "Europe/Berlin", 24),
        (date(2026, 10, 4), "Australia/Lord_Howe", 23.5),
        (date(2026, 4, 5), "Australia/Lord_Howe", 24.5),
    ],
)
def test_local_day_bounds(day: date, zone: str, hours: float) -> None:
    tz = ZoneInfo(zone)
    start, end = local_day_bounds(day, tz)
    assert (end - start) == timedelta(hours=hours)
    assert start.astimezone(tz).replace(tzinfo=None) == datetime.combine(day, time())
    assert local_date(start, tz) == day
    assert local_date(end - timedelta(microseconds=1), tz) == day
    assert local_date(end, tz) == day + timedelta(days=1)


# --- properties -------------------------------------------------------------------------------


@cache
def transitions(zone_name: str) -> tuple[datetime, ...]:
    """Return the exact UTC instants in 2026 at which the zone's offset changes."""
    tz = ZoneInfo(zone_name)
    found = []
    moment = utc("2026-01-01 00:00")
    previous = moment.astimezone(tz).utcoffset()
    while moment.year == 2026:
        moment += timedelta(hours=1)
        offset = moment.astimezone(tz).utcoffset()
        if offset != previous:
            exact = moment
            while (exact - MINUTE).astimezone(tz).utcoffset() == offset:
                exact -= MINUTE
            found.append(exact)
        previous = offset
    return tuple(found)


def test_property_zones_have_two_transitions_in_2026() -> None:
    for name in ZONES:
        expected = 0 if name in ("UTC", "Asia/Kathmandu") else 2
        assert len(transitions(name)) == expected, name


zones = st.sampled_from(ZONES)
minutes_of_day = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@st.composite
def instants(draw: st.DrawFn, zone_name: str) -> datetime:
    """Draw a UTC instant in 2026, often just before or around a DST transition."""
    near = transitions(zone_name)
    close = draw(st.booleans())
    if near and close:
        base = draw(st.sampled_from(near))
        spread = draw(st.sampled_from([3 * 86400, 6 * 3600]))
        return base + timedelta(seconds=draw(st.integers(-spread, spread // 2)))
    return utc("2026-01-01 00:00") + timedelta(seconds=draw(st.integers(0, 364 * 86400)))


@st.composite
def clock_times(draw: st.DrawFn, zone_name: str) -> time:
    """Draw a wall time, often within 90 minutes of a local DST change."""
    near = transitions(zone_name)
    if not near or draw(st.booleans()):
        return draw(minutes_of_day)
    tz = ZoneInfo(zone_name)
    # The first wall minute the old offset never shows: a gap's start or a repeat's end.
    edge = wall(draw(st.sampled_from(near)) - MINUTE, tz) + MINUTE
    moved = edge + timedelta(minutes=draw(st.integers(-90, 60)))
    return moved.time()


@st.composite
def rules(draw: st.DrawFn, zone_name: str) -> Rule:
    """Draw a fixed-times or interval rule with weekdays and a spread offset."""
    weekdays = draw(st.one_of(st.just(ALL_DAYS), st.frozensets(st.integers(0, 6), min_size=1)))
    offset = draw(st.one_of(st.just(0), st.integers(-30, 30)))
    if draw(st.booleans()):
        times = tuple(draw(st.lists(clock_times(zone_name), min_size=1, max_size=4)))
        return Rule(times=times, weekdays=weekdays, offset_minutes=offset)
    start, end = draw(clock_times(zone_name)), draw(minutes_of_day)
    assume(start != end)
    step = draw(st.sampled_from([1, 15, 30, 45, 50, 60, 90, 120, 180]))
    return Rule(
        every_minutes=step, window=Window(start, end), weekdays=weekdays, offset_minutes=offset
    )


def rule_walls(rule: Rule, first: date, last: date) -> list[datetime]:
    """List the rule's naive local wall times for occurrences of days first..last."""
    walls = []
    offset = timedelta(minutes=rule.offset_minutes)
    day = first
    while day <= last:
        if day.weekday() in rule.weekdays:
            if rule.every_minutes is None:
                walls += [datetime.combine(day, t) + offset for t in rule.times]
            else:
                assert rule.window is not None
                start = datetime.combine(day, rule.window.start) + offset
                walls += [
                    start + timedelta(minutes=k)
                    for k in range(0, rule.window.minutes() + 1, rule.every_minutes)
                ]
        day += timedelta(days=1)
    return sorted(walls)


def wall(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def reached_by(moment: datetime, tz: ZoneInfo, zone_name: str) -> datetime:
    """Return the furthest wall time the local clock has shown up to `moment` inclusive."""
    near = any(abs(t - moment) < timedelta(hours=4) for t in transitions(zone_name))
    # Only after a fall-back can an earlier instant have shown a later wall time.
    return max(wall(moment - k * MINUTE, tz) for k in range(0, 180 if near else 1))


def reached(walls: list[datetime], before: datetime, shown: datetime) -> list[datetime]:
    """Return the walls in (before, shown]: the ones the clock reaches on moving on to `shown`."""
    return walls[bisect.bisect_right(walls, before) : bisect.bisect_right(walls, shown)]


def brute_next(
    rule: Rule,
    tz: ZoneInfo,
    zone_name: str,
    after: datetime,
    awake: Window | None = None,
    paused_until: datetime | None = None,
    horizon_days: int = 9,
) -> datetime | None:
    """Walk the clock minute by minute; a wall time fires when the local clock first reaches it."""
    begin = after
    if paused_until is not None and paused_until > after:
        begin = paused_until - timedelta(microseconds=1)
    walls = rule_walls(
        rule,
        wall(begin, tz).date() - timedelta(days=2),
        wall(begin, tz).date() + timedelta(days=horizon_days + 1),
    )
    furthest = reached_by(begin, tz, zone_name)
    moment = begin.replace(second=0, microsecond=0) + MINUTE
    for _ in range(horizon_days * 24 * 60):
        shown = wall(moment, tz)
        if shown > furthest:
            hit = reached(walls, furthest, shown)
            furthest = shown
            if hit and (awake is None or awake.contains(shown.time())):
                return moment
        moment += MINUTE
    return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), zone_name=zones)
def test_property_matches_brute_force_clock(data: st.DataObject, zone_name: str) -> None:
    tz = ZoneInfo(zone_name)
    rule = data.draw(rules(zone_name))
    after = data.draw(instants(zone_name))
    awake = data.draw(
        st.one_of(st.none(), st.tuples(minutes_of_day, minutes_of_day).map(lambda p: Window(*p)))
    )
    assume(awake is None or awake.start != awake.end)
    paused = data.draw(st.one_of(st.none(), st.integers(-86400, 3 * 86400)))
    paused_until = None if paused is None else after + timedelta(seconds=paused)
    expected = brute_next(rule, tz, zone_name, after, awake, paused_until)
    try:
        got = next_fire(rule, tz, after, awake=awake, paused_until=paused_until)
    except ValueError:
        assert expected is None
        return
    assert got > after
    assert got.tzinfo is UTC
    if expected is not None:
        assert got == expected
    if paused_until is not None:
        assert got >= paused_until
    if awake is not None:
        assert awake.contains(got.astimezone(tz).time())


DST_ZONES = [name for name in ZONES if name not in ("UTC", "Asia/Kathmandu")]


@settings(max_examples=200, deadline=None)
@given(data=st.data(), zone_name=st.sampled_from(DST_ZONES))
def test_property_dst_days_match_brute_force_clock(data: st.DataObject, zone_name: str) -> None:
    tz = ZoneInfo(zone_name)
    change = data.draw(st.sampled_from(transitions(zone_name)))
    after = change - timedelta(seconds=data.draw(st.integers(0, 26 * 3600)))
    times = data.draw(st.lists(clock_times(zone_name), min_size=1, max_size=3))
    rule = Rule(times=tuple(times), offset_minutes=data.draw(st.sampled_from([0, -20, 15])))
    if data.draw(st.booleans()):
        edge = wall(change - MINUTE, tz) + MINUTE
        start = (edge - timedelta(minutes=data.draw(st.integers(0, 120)))).time()
        end = (edge + timedelta(minutes=data.draw(st.integers(0, 120)))).time()
        assume(start != end)
        step = data.draw(st.sampled_from([1, 10, 15, 30, 45, 60]))
        rule = Rule(every_minutes=step, window=Window(start, end))
    assert next_fire(rule, tz, after) == brute_next(rule, tz, zone_name, after)


def targets_of(
    fire: datetime, tz: ZoneInfo, zone_name: str, walls: list[datetime]
) -> list[datetime]:
    """Return the rule wall times `fire` stands for: exact, or swallowed by the gap before it."""
    return reached(walls, reached_by(fire - MINUTE, tz, zone_name), wall(fire, tz))


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    zone_name=zones,
)
def test_property_three_days_one_fire_per_time_per_day(
    data: st.DataObject, zone_name: str
) -> None:
    tz = ZoneInfo(zone_name)
    times = data.draw(st.lists(clock_times(zone_name), min_size=1, max_size=5, unique=True))
    first_day = local_date(data.draw(instants(zone_name)), tz)
    start, _ = local_day_bounds(first_day, tz)
    _, end = local_day_bounds(first_day + timedelta(days=2), tz)
    rule = Rule(times=tuple(times))
    got = fires(rule, tz, start - timedelta(microseconds=1), end)
    assert all(a < b for a, b in itertools.pairwise(got))
    targets = sorted(
        datetime.combine(first_day + timedelta(days=d), t) for d in range(3) for t in times
    )
    matched = [target for fire in got for target in targets_of(fire, tz, zone_name, targets)]
    assert all(targets_of(fire, tz, zone_name, targets) for fire in got)
    assert sorted(matched) == targets  # every time of every day fired, and exactly once
    for fire in got:
        shown = wall(fire, tz)
        exact = [t for t in targets_of(fire, tz, zone_name, targets) if t == shown]
        if not exact:  # the wall time did not exist: fire at the first minute after the gap
            assert wall(fire - MINUTE, tz) + MINUTE < shown
    if not transitions(zone_name):
        assert len(got) == 3 * len(times)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), zone_name=zones)
def test_property_iteration_is_increasing_and_respects_weekdays(
    data: st.DataObject, zone_name: str
) -> None:
    tz = ZoneInfo(zone_name)
    rule = data.draw(rules(zone_name))
    after = data.draw(instants(zone_name))
    got = fires(rule, tz, after, after + timedelta(days=3))
    assert all(a < b for a, b in itertools.pairwise(got))
    today = local_date(after, tz)
    walls = rule_walls(rule, today - timedelta(days=2), today + timedelta(days=4))
    for fire in got:
        # Each fire is an occurrence on an allowed weekday, or the end of a gap that swallowed one.
        assert targets_of(fire, tz, zone_name, walls), fire


@settings(max_examples=150, deadline=None)
@given(data=st.data(), zone_name=zones)
def test_property_rules_rebuilt_are_the_same_cache_key(
    data: st.DataObject, zone_name: str
) -> None:
    """Rules and windows hash once, when built: a rebuilt or changed rule keys caches right."""
    rule = data.draw(rules(zone_name))
    again = Rule.from_dict(rule.to_dict())
    assert again == rule and hash(again) == hash(rule) and {rule: 1}[again] == 1
    moved = replace(rule, offset_minutes=(rule.offset_minutes + 1) % 31)
    assert moved != rule and moved.offset_minutes != rule.offset_minutes
    assert hash(moved) == hash(Rule.from_dict(moved.to_dict()))
    if rule.window is not None:
        window = Window(rule.window.start, rule.window.end)
        assert window == rule.window and hash(window) == hash(rule.window)
        assert window.minutes() == rule.window.minutes()


@settings(max_examples=150, deadline=None)
@given(data=st.data(), zone_name=zones)
def test_property_local_date_is_the_zones_calendar_date(
    data: st.DataObject, zone_name: str
) -> None:
    """The remembered local date is the zone's date at that instant, from any aware time."""
    moment = data.draw(instants(zone_name))
    tz = ZoneInfo(zone_name)
    assert local_date(moment, tz) == moment.astimezone(tz).date()
    elsewhere = moment.astimezone(ZoneInfo("Asia/Tokyo"))
    assert local_date(elsewhere, tz) == moment.astimezone(tz).date()
