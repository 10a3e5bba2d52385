"""The sender's pacing core with a fake clock: Telegram's limits, 429s, holds, fairness, order."""

from __future__ import annotations

import itertools
from collections import Counter

from bot.delivery.limits import SendLimits
from bot.delivery.pacing import Pacing

FREE = SendLimits(per_second=30)
PAID = SendLimits(per_second=1000, paid=True)
# Per-chat gaps off, for tests about the overall budget and fairness only.
NO_GAPS = SendLimits(per_second=30, private_interval=0.0, group_interval=0.0)


class Ticking:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pacing(limits: SendLimits = FREE, max_in_flight: int = 100) -> tuple[Pacing[str], Ticking]:
    clock = Ticking()
    return Pacing[str](limits, clock, max_in_flight=max_in_flight), clock


def run(core: Pacing[str], clock: Ticking, seconds: float) -> list[tuple[float, int, str]]:
    """Start whatever is due, finish each send at once, jump to the next start; log sends."""
    log: list[tuple[float, int, str]] = []
    end = clock.now + seconds
    while clock.now < end:
        for chat_id, item in core.due():
            log.append((clock.now, chat_id, item))
            core.done(chat_id)
        if not core.held:
            break
        clock.now += max(core.wait(), 1e-6)
    return log


def test_one_chat_gets_one_message_a_second_in_order() -> None:
    core, clock = pacing()
    for i in range(3):
        core.add(7, f"m{i}")
    sent = run(core, clock, 10)
    assert [item for _, _, item in sent] == ["m0", "m1", "m2"]
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(sent)]
    assert all(gap >= 1.0 - 1e-9 for gap in gaps)
    assert core.held == 0 and core.in_flight == 0


def test_a_group_gets_twenty_a_minute() -> None:
    core, clock = pacing()
    for i in range(40):
        core.add(-100, f"g{i}")
    start = clock.now
    sent = run(core, clock, 60)
    in_first_minute = [s for s in sent if s[0] < start + 60]
    assert len(in_first_minute) == 20
    assert [item for _, _, item in sent] == [f"g{i}" for i in range(len(sent))]


def test_the_overall_budget_holds_at_thirty_a_second() -> None:
    core, clock = pacing(FREE)
    for chat in range(1, 1001):
        core.add(chat, "tip")
    start = clock.now
    sent = run(core, clock, 10)
    # A burst of 0.1 s worth at the start, then one every 1/30 s.
    assert 300 <= len(sent) <= 304
    for second in range(10):
        window = [s for s in sent if start + second <= s[0] < start + second + 1]
        assert len(window) <= 33


def test_the_paid_ceiling_is_a_thousand_a_second() -> None:
    core, clock = pacing(PAID, max_in_flight=200)
    for chat in range(1, 20_001):
        core.add(chat, "tip")
    sent = run(core, clock, 5)
    assert 5000 <= len(sent) <= 5100


def test_never_more_in_flight_than_allowed() -> None:
    core, clock = pacing(PAID, max_in_flight=8)
    for chat in range(1, 100):
        core.add(chat, "tip")
    clock.now += 1
    started = core.due()
    assert len(started) == 8 and core.in_flight == 8
    assert core.due() == []
    core.done(started[0][0])
    assert len(core.due()) == 1
    assert core.counts.max_in_flight == 8


def test_a_429_for_one_chat_waits_that_chat_only() -> None:
    core, clock = pacing(NO_GAPS)
    core.add(1, "a0")
    core.add(1, "a1")
    core.add(2, "b0")
    first = core.due()
    assert (1, "a0") in first
    assert core.flood(1, "a0", 5.0) is False
    for chat_id, _ in first:
        core.done(chat_id)
    sent = run(core, clock, 4)
    assert [item for _, chat, item in sent if chat == 1] == []
    clock.now += 1.1
    sent = run(core, clock, 3)
    # The refused message goes first again, and the chat keeps its order.
    assert [item for _, chat, item in sent if chat == 1] == ["a0", "a1"]
    assert core.counts.floods == 1 and core.counts.global_floods == 0


def test_429s_from_two_chats_mean_the_whole_bot_waits() -> None:
    core, clock = pacing(NO_GAPS)
    for chat in range(1, 50):
        core.add(chat, f"c{chat}")
    clock.now += 1
    first = core.due()
    (one, one_item), (two, two_item) = first[0], first[1]
    assert core.flood(one, one_item, 3.0) is False
    assert core.flood(two, two_item, 3.0) is True
    for chat_id, _ in first:
        core.done(chat_id)
    assert core.due() == []
    assert core.wait() >= 3.0 - 1e-9
    clock.now += 3.0
    after = run(core, clock, 1)
    # Slower for a while: half the rate after a global flood.
    assert 0 < len(after) <= 17
    assert core.counts.global_floods == 1


def test_a_hold_keeps_a_chat_back_without_reordering_it() -> None:
    core, clock = pacing(NO_GAPS)
    core.add(1, "x0")
    core.add(1, "x1")
    core.hold(1, 10.0)
    core.add(2, "y0")
    sent = run(core, clock, 5)
    assert [item for _, _, item in sent] == ["y0"]
    assert core.held == 2
    clock.now += 5.0
    sent = run(core, clock, 5)
    assert [item for _, _, item in sent] == ["x0", "x1"]


def test_chats_take_turns() -> None:
    core, clock = pacing(NO_GAPS, max_in_flight=1)
    for i in range(3):
        core.add(1, f"a{i}")
    for i in range(3):
        core.add(2, f"b{i}")
    sent = run(core, clock, 5)
    assert [item for _, _, item in sent] == ["a0", "b0", "a1", "b1", "a2", "b2"]


def test_one_send_at_a_time_per_chat_even_after_its_rows_moved() -> None:
    core, clock = pacing(NO_GAPS)
    core.add(1, "a0")
    assert core.take_chat(1) == ["a0"]
    core.add(1, "a0")
    core.add(1, "a1")
    clock.now += 1
    started = core.due()
    assert Counter(chat for chat, _ in started)[1] == 1
    assert core.held == 1


def test_moving_and_dropping_rows_keeps_the_count() -> None:
    core, _ = pacing(NO_GAPS)
    for i in range(5):
        core.add(-5, f"old{i}")
    core.add(3, "keep")
    core.add(4, "drop me")
    assert core.full_chats() == [-5]
    moved = core.take_chat(-5)
    for item in moved:
        core.add(-6, item)
    assert core.queued(-6) == [f"old{i}" for i in range(5)]
    assert core.drop(lambda item: item == "drop me") == ["drop me"]
    assert core.held == 6
    core.clear()
    assert core.held == 0 and core.due() == []


def test_nothing_to_send_waits_the_idle_time() -> None:
    core, _ = pacing()
    assert core.wait() == core.idle_seconds
    assert core.due() == []
