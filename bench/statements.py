"""Count database transactions and SQL statements per typical update, against the real bot.

Run: .venv/bin/python bench/statements.py [--show]

Drives the real Application through the sandbox (tests/harness.py) on a fresh SQLite file,
with the tick and the sender stopped while measuring, so every statement counted belongs to
the update: a typed "had kefir", a press of a nudge's Done button, and /today, three people
each. Prints the median per update: transactions (and how many of them wrote), statements
by kind, and how many statements read the person. --show lists one update's statements.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEOPLE = 3
WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class Tally:
    """What the engine did while one update was handled."""

    transactions: int = 0
    writing: int = 0
    statements: list[str] = field(default_factory=list)
    _wrote: set[int] = field(default_factory=set)

    def kinds(self) -> Counter[str]:
        return Counter(s.split(None, 1)[0].upper() for s in self.statements)

    def person_reads(self) -> int:
        return sum(1 for s in self.statements if s.startswith("SELECT") and "FROM people" in s)


class Counter_:
    """SQLAlchemy event hooks that fill the current Tally."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.current: Tally | None = None
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._statement)
        event.listen(sync, "commit", self._end)
        event.listen(sync, "rollback", self._end)

    def _statement(self, conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if self.current is None:
            return
        text = " ".join(sql.split())
        self.current.statements.append(text)
        if text.split(None, 1)[0].upper() in WRITES:
            self.current._wrote.add(id(conn))

    def _end(self, conn: Any) -> None:
        if self.current is None:
            return
        self.current.transactions += 1
        if id(conn) in self.current._wrote:
            self.current.writing += 1
            self.current._wrote.discard(id(conn))


async def measure(url: str) -> dict[str, list[Tally]]:
    """Play three people through the three updates; return a Tally per update."""
    from bot.clock import FakeClock
    from tests.factories import make_person
    from tests.harness import Harness

    clock = FakeClock(datetime(2026, 3, 27, 7, 0, tzinfo=UTC))
    harness = Harness(db_url=url, clock=clock)
    await harness.open()
    results: dict[str, list[Tally]] = {"typed 'had kefir'": [], "Done press": [], "/today": []}
    try:
        assert harness.db is not None and harness.app is not None
        users = [harness.sandbox.add_user(first_name=f"P{i}") for i in range(PEOPLE)]
        for user in users:
            await make_person(harness.db, user.id, now=clock.now(), habits=("water", "food"))
        clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))  # 09:00 in Berlin: water is due
        await harness.tick()
        nudges = [harness.sandbox.bot_messages(u.id)[-1] for u in users]
        # Only the update's own work from here on: no tick, no sender, no housekeeping.
        assert harness.app.job_queue is not None
        for job in harness.app.job_queue.jobs():
            job.schedule_removal()
        sender = harness.runtime.sender
        if sender is not None:
            await sender.stop()
        counter = Counter_(harness.db.engine)
        for user, nudge in zip(users, nudges, strict=True):
            for label, act in (
                ("typed 'had kefir'", harness.say(user, "had kefir")),
                ("Done press", harness.press(user, nudge, text="✅ Done")),
                ("/today", harness.say(user, "/today")),
            ):
                counter.current = tally = Tally()
                await act
                counter.current = None
                results[label].append(tally)
    finally:
        await harness.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list one update's statements")
    args = parser.parse_args()
    from bot.storage.migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix="nudgebot-statements-"))
    url = f"sqlite+aiosqlite:///{folder / 'bot.db'}"
    upgrade(url)
    results = asyncio.run(measure(url))
    print(f"Per update, real bot against the sandbox, SQLite (median of {PEOPLE} people)\n")
    print(
        f"  {'update':<20} {'transactions':>12} {'writing':>8} {'statements':>10}"
        f" {'person reads':>13}  by kind"
    )
    for label, tallies in results.items():
        tx = statistics.median(t.transactions for t in tallies)
        writing = statistics.median(t.writing for t in tallies)
        statements = statistics.median(len(t.statements) for t in tallies)
        reads = statistics.median(t.person_reads() for t in tallies)
        kinds = tallies[len(tallies) // 2].kinds()
        by_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        print(
            f"  {label:<20} {tx:>12.0f} {writing:>8.0f} {statements:>10.0f} {reads:>13.0f}"
            f"  {by_kind}"
        )
    if args.show:
        for label, tallies in results.items():
            print(f"\n{label}:")
            for sql in tallies[0].statements:
                print(f"  {sql[:150]}")


if __name__ == "__main__":
    main()
