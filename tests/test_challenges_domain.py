"""Challenge logic as tables: the catalog, post times across DST, standings, streaks, finishers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import challenges as ch
from bot.domain.challenges import Standing

BERLIN = ZoneInfo("Europe/Berlin")
D = date(2026, 3, 23)  # a Monday; Berlin moves its clocks forward on Sunday the 29th


def _utc(month: int, day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=UTC)


def _day(n: int) -> date:
    return date.fromordinal(D.toordinal() + n)


def test_catalog_matches_the_offer() -> None:
    offer = {k.key: (k.title, k.days, k.daily_target) for k in ch.KINDS}
    assert offer == {
        "water": ("💧 7-day hydration", 7, 6),
        "move": ("🚶 5-day movement breaks", 5, 5),
        "breathe": ("🌬️ 7-day breathing", 7, 2),
        "food": ("🥗 7-day gut-friendly food", 7, 2),
    }
    assert ch.kind_of("water") is ch.KINDS[0]
    assert ch.kind_of("beer") is None


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (_utc(3, 27, 7), _utc(3, 27, 19)),  # morning: tonight at 20:00 CET
        (_utc(3, 27, 18, 59), _utc(3, 27, 19)),
        (_utc(3, 27, 19), _utc(3, 28, 19)),  # 20:00 sharp has passed: tomorrow evening
        (_utc(3, 28, 20), _utc(3, 29, 18)),  # across the DST change: 20:00 CEST is 18:00 UTC
    ],
)
def test_first_post(now: datetime, expected: datetime) -> None:
    starts = now.astimezone(BERLIN).date()
    assert ch.first_post(now, starts, ch.ends_on(starts, 7), BERLIN) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 28), _utc(3, 29, 18)),  # the evening after the spring change
        (date(2026, 10, 24), _utc(10, 25, 19)),  # the evening after the autumn change
        (date(2026, 11, 3), _utc(11, 4, 8)),  # the last day: results next morning at 09:00
        (date(2026, 11, 4), None),  # after the final post nothing follows
    ],
)
def test_post_after(day: date, expected: datetime | None) -> None:
    assert ch.post_after(day, date(2026, 11, 3), BERLIN) == expected


@pytest.mark.parametrize(
    ("due", "now", "final", "send", "next_at"),
    [
        (_utc(3, 27, 19), _utc(3, 27, 19, 1), False, True, _utc(3, 28, 19)),
        (_utc(3, 27, 19), _utc(3, 27, 21, 1), False, False, _utc(3, 28, 19)),  # stale: skip
        (_utc(3, 29, 18), _utc(3, 29, 18), False, True, _utc(3, 30, 7)),  # last day's evening
        (_utc(3, 30, 7), _utc(4, 2, 0), True, True, None),  # the final post is never skipped
    ],
)
def test_plan_post(
    due: datetime, now: datetime, final: bool, send: bool, next_at: datetime | None
) -> None:
    plan = ch.plan_post(due, now, date(2026, 3, 29), BERLIN)
    assert (plan.final, plan.send, plan.next_at) == (final, send, next_at)


MEMBERS = [(1, "Ana"), (2, "ben"), (3, "Cleo")]


@pytest.mark.parametrize(
    ("counts", "today", "expected"),
    [
        # Nothing logged: everyone at zero, alphabetical (case-insensitive).
        ({}, _day(0), [(1, 0, 0, 0), (2, 0, 0, 0), (3, 0, 0, 0)]),
        # Today counts as soon as the target is met; under target it does not.
        ({1: {_day(0): 2}, 2: {_day(0): 1}}, _day(0), [(1, 1, 2, 1), (2, 0, 1, 0), (3, 0, 0, 0)]),
        # An open today keeps yesterday's streak; a missed day breaks it.
        (
            {1: {_day(0): 2, _day(1): 2, _day(2): 0}, 2: {_day(0): 2, _day(2): 3}},
            _day(2),
            [(1, 2, 0, 2), (2, 2, 3, 1), (3, 0, 0, 0)],
        ),
        # Logs before the start or after the end do not count.
        (
            {3: {_day(-1): 5, _day(0): 2, _day(6): 2, _day(7): 2}},
            _day(9),
            [(3, 2, 0, 1), (1, 0, 0, 0), (2, 0, 0, 0)],
        ),
    ],
)
def test_standings(
    counts: dict[int, dict[date, int]], today: date, expected: list[tuple[int, int, int, int]]
) -> None:
    ranked = ch.standings(MEMBERS, counts, starts_on=D, last_day=_day(6), target=2, today=today)
    assert [(s.person_id, s.days_done, s.today, s.streak) for s in ranked] == expected


@pytest.mark.parametrize(
    ("days_done", "days", "well"),
    [(4, 7, True), (3, 7, False), (3, 5, True), (2, 5, False), (7, 7, True), (0, 7, False)],
)
def test_finished_well_means_most_days(days_done: int, days: int, well: bool) -> None:
    assert ch.finished_well(days_done, days) is well


def test_finishers_keep_rank_order() -> None:
    ranked = [Standing(1, "A", 6, 0, 6), Standing(2, "B", 4, 0, 1), Standing(3, "C", 3, 0, 3)]
    assert [s.person_id for s in ch.finishers(ranked, 7)] == [1, 2]


def test_day_number_and_end() -> None:
    assert ch.ends_on(D, 7) == _day(6)
    assert ch.day_number(_day(6), D) == 7
