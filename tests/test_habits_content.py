"""Tests for the habit catalog, default schedules and the nudge/tip content."""

from __future__ import annotations

import random
from datetime import time

import pytest

from bot.domain import content
from bot.domain.habits import CATALOG, NUDGED, Habit, default_rule
from bot.domain.schedule import Rule, Window

DAY = Window(time(7, 0), time(23, 0))
DESK = Window(time(9, 0), time(17, 0))
NIGHT = Window(time(20, 0), time(8, 0))
NIGHT_DESK = Window(time(22, 0), time(6, 0))


def _fire_times(rule: Rule) -> list[time]:
    """Return every wall-clock time a rule names in a day, before any offset."""
    if rule.every_minutes is None:
        return list(rule.times)
    assert rule.window is not None
    start = rule.window.start.hour * 60 + rule.window.start.minute
    steps = range(0, rule.window.minutes() + 1, rule.every_minutes)
    return [time(((start + m) // 60) % 24, (start + m) % 60) for m in steps]


# --- catalog ---------------------------------------------------------------------------------


def test_catalog_covers_every_habit() -> None:
    assert set(CATALOG) == set(Habit)
    assert set(NUDGED) <= set(Habit)
    assert len(set(NUDGED)) == len(NUDGED)
    for habit, info in CATALOG.items():
        assert info.habit is habit
        assert info.name and info.emoji and info.verb
        assert info.daily_target >= 1
        assert info.recent_skip_minutes >= 0
    assert CATALOG[Habit.CHECKIN].once_a_day
    assert CATALOG[Habit.CHECKIN].daily_target == 1
    assert not CATALOG[Habit.WATER].once_a_day


# --- default rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(("awake", "sitting"), [(DAY, DESK), (NIGHT, NIGHT_DESK)])
@pytest.mark.parametrize("habit", list(Habit))
@pytest.mark.parametrize("offset", [0, -30, 30])
def test_default_rule_fires_inside_awake(
    habit: Habit, awake: Window, sitting: Window, offset: int
) -> None:
    rule = default_rule(habit, awake=awake, sitting=sitting, offset_minutes=offset)
    assert rule.offset_minutes == offset
    times = _fire_times(rule)
    assert times
    for t in times:
        assert awake.contains(t), (habit, t)
    if rule.every_minutes is None:
        for t in times:
            total = (t.hour * 60 + t.minute + offset) % (24 * 60)
            assert awake.contains(time(total // 60, total % 60)), (habit, t, offset)


def test_normal_day_defaults() -> None:
    def rule(habit: Habit) -> Rule:
        return default_rule(habit, awake=DAY, sitting=DESK)

    # Four water nudges, 09:00 to 21:00; a movement break every 90 minutes at the desk; one
    # breathing break mid-afternoon (issue 12's defaults).
    assert rule(Habit.WATER) == Rule(every_minutes=240, window=Window(time(9, 0), time(21, 0)))
    assert rule(Habit.MOVE) == Rule(every_minutes=90, window=DESK, weekdays=frozenset(range(5)))
    assert rule(Habit.FOOD).times == (time(12, 30), time(18, 30))
    assert rule(Habit.BREATHE).times == (time(15, 30),)
    assert rule(Habit.CHECKIN).times == (time(20, 30),)


def test_night_shift_defaults_follow_the_wake_time() -> None:
    def rule(habit: Habit) -> Rule:
        return default_rule(habit, awake=NIGHT, sitting=NIGHT_DESK)

    assert rule(Habit.WATER).window == Window(time(22, 0), time(6, 0))
    assert rule(Habit.MOVE).window == NIGHT_DESK
    assert rule(Habit.FOOD).times == (time(0, 30), time(6, 30))
    assert set(rule(Habit.BREATHE).times) == {time(4, 30)}
    assert rule(Habit.CHECKIN).times == (time(7, 0),)


@pytest.mark.parametrize(
    ("awake", "checkin_at", "expected"),
    [
        (Window(time(6, 0), time(21, 0)), time(20, 30), time(20, 30)),
        (Window(time(6, 0), time(20, 0)), time(20, 30), time(19, 30)),
        (Window(time(9, 0), time(1, 0)), time(22, 0), time(22, 0)),
        (Window(time(7, 0), time(23, 0)), time(8, 0), time(22, 30)),
    ],
)
def test_checkin_is_in_the_evening_and_before_sleep(
    awake: Window, checkin_at: time, expected: time
) -> None:
    rule = default_rule(Habit.CHECKIN, awake=awake, sitting=DESK, checkin_at=checkin_at)
    assert rule.times == (expected,)


@pytest.mark.parametrize(
    "awake",
    [
        Window(time(5, 0), time(17, 0)),
        Window(time(10, 0), time(2, 0)),
        Window(time(13, 0), time(19, 0)),
        Window(time(23, 30), time(3, 0)),
        Window(time(8, 0), time(8, 30)),
        Window(time(8, 0), time(8, 0)),
    ],
)
def test_unusual_days_keep_every_time_inside_awake(awake: Window) -> None:
    for habit in Habit:
        rule = default_rule(habit, awake=awake, sitting=DESK)
        times = _fire_times(rule)
        assert times
        assert all(awake.contains(t) for t in times), (habit, times)


def test_sitting_outside_awake_falls_back_to_awake() -> None:
    rule = default_rule(Habit.MOVE, awake=Window(time(12, 0), time(23, 0)), sitting=DESK)
    assert rule.window == Window(time(12, 0), time(23, 0))


# --- content ---------------------------------------------------------------------------------


@pytest.mark.parametrize("habit", list(Habit))
def test_each_habit_has_enough_distinct_texts(habit: Habit) -> None:
    assert len(content.nudges(habit)) >= 18
    assert len(set(content.nudges(habit))) == len(content.nudges(habit))
    assert len(content.tips(habit)) >= 15
    assert len(set(content.tips(habit))) == len(content.tips(habit))


def test_general_tips_mention_seeing_a_provider() -> None:
    general = content.tips("general")
    assert len(general) >= 10
    assert sum("healthcare provider" in t for t in general) >= 2


def test_no_text_repeats_anywhere() -> None:
    texts = [t for h in Habit for t in content.nudges(h)] + [t for _, t in content.all_tips()]
    folded = [t.casefold() for t in texts]
    assert len(set(folded)) == len(folded)


def test_texts_are_html_safe_short_and_clean() -> None:
    texts = [t for h in Habit for t in content.nudges(h)] + [t for _, t in content.all_tips()]
    for text in texts:
        assert not set(text) & set("<>&"), text
        assert 0 < len(text) <= 600
        assert text == text.strip()
    for habit in Habit:
        for text in content.nudges(habit):
            assert len(text) <= 160, text


def test_checkin_nudges_invite_a_short_check_in() -> None:
    for text in content.nudges(Habit.CHECKIN):
        lowered = text.lower()
        assert "check" in lowered or "minute" in lowered, text


def test_no_cure_claims() -> None:
    for _, text in content.all_tips():
        lowered = text.lower()
        for word in ("cure", "heals", "guarantee", "eliminates"):
            assert word not in lowered, text


def test_all_tips_lists_every_topic() -> None:
    topics = {topic for topic, _ in content.all_tips()}
    assert topics == {*(h.value for h in Habit), "general"}
    total = sum(len(content.tips(topic)) for topic in topics)
    assert len(content.all_tips()) == total


def test_unknown_topic_raises() -> None:
    with pytest.raises(KeyError):
        content.nudges("general")
    with pytest.raises(KeyError):
        content.tips("nope")


# --- choose / remember -----------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 20])
def test_choose_never_repeats_within_the_window(count: int) -> None:
    rng = random.Random(1234 + count)
    window = max(1, (count * 3) // 4)
    history: list[int] = []
    shown: list[int] = []
    for _ in range(1000):
        index = content.choose(count, history, rng)
        assert 0 <= index < count
        if count > 1:
            assert index not in shown[-window:], (index, shown[-window:])
        shown.append(index)
        history = content.remember(history, index, count)
        assert len(history) <= window
    assert set(shown) == set(range(count))


def test_choose_ignores_stale_indices_from_a_bigger_content_set() -> None:
    rng = random.Random(7)
    assert content.choose(3, [5, 9, 2, 1], rng) == 0
    assert content.remember([5, 9, 2], 0, 3) == [2, 0]


def test_remember_keeps_a_bounded_history() -> None:
    assert content.remember([], 3, 20) == [3]
    history = list(range(15))
    assert content.remember(history, 17, 20) == [*range(1, 15), 17]
    with pytest.raises(ValueError):
        content.remember([], 5, 5)
    with pytest.raises(ValueError):
        content.choose(0, [], random.Random(0))
