"""SQLite's write turns: arrival order, the inbox's writes ahead, a cancelled waiter passes on."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage.engine import Turns


async def _waiter(turns: Turns, name: str, order: list[str], *, ahead: bool = False) -> None:
    await turns.acquire(ahead=ahead)
    order.append(name)
    await asyncio.sleep(0)
    turns.release()


async def _queued(turns: Turns, count: int) -> None:
    """Let the new waiters run to their first wait, and check `count` stand in line."""
    await asyncio.sleep(0)
    assert len(turns._ahead) + len(turns._others) == count


async def test_waiters_go_in_arrival_order_and_the_ones_ahead_first() -> None:
    turns = Turns()
    await turns.acquire()
    order: list[str] = []
    tasks = [asyncio.create_task(_waiter(turns, "handler 1", order))]
    await _queued(turns, 1)
    tasks.append(asyncio.create_task(_waiter(turns, "handler 2", order)))
    await _queued(turns, 2)
    tasks.append(asyncio.create_task(_waiter(turns, "inbox", order, ahead=True)))
    await _queued(turns, 3)
    turns.release()
    await asyncio.gather(*tasks)
    assert order == ["inbox", "handler 1", "handler 2"]
    assert not turns.locked()


async def test_a_waiter_cancelled_in_line_or_after_its_turn_came_gives_no_turn_away() -> None:
    turns = Turns()
    await turns.acquire()
    order: list[str] = []
    gone = asyncio.create_task(turns.acquire())
    await _queued(turns, 1)
    gone.cancel()  # cancelled while waiting: leaves the line
    with pytest.raises(asyncio.CancelledError):
        await gone
    late = asyncio.create_task(turns.acquire())
    after = asyncio.create_task(_waiter(turns, "after", order))
    await _queued(turns, 2)
    turns.release()  # the turn goes to `late` ...
    late.cancel()  # ... which is cancelled before it runs: it must pass the turn on
    with pytest.raises(asyncio.CancelledError):
        await late
    await after
    assert order == ["after"]
    assert not turns.locked()
