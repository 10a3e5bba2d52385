"""Retention: old finished deliveries go in small batches; daily counts keep what /stats shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from bot.scheduler import housekeeping
from bot.services.retention import prune
from bot.storage.broadcasts import overview
from bot.storage.models import Delivery, HabitLog
from bot.storage.uow import Database
from tests.factories import make_person
from tests.harness import Harness

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=31)
RECENT = NOW - timedelta(days=29)


def _row(person_id: int, status: str, at: datetime, n: int = 0) -> dict[str, Any]:
    return {
        "chat_id": person_id,
        "person_id": person_id,
        "kind": "broadcast",
        "payload": {"text": f"tip {n}"},
        "due_at": at,
        "send_after": at,
        "status": status,
        "created_at": at,
    }


async def _statuses(db: Database) -> list[tuple[str, datetime]]:
    async with db.uow() as uow:
        rows = await uow.session.execute(
            select(Delivery.status, Delivery.send_after).order_by(Delivery.id)
        )
        return [(s, at) for s, at in rows.tuples()]


async def test_prune_forgets_only_old_finished_rows(db: Database) -> None:
    await make_person(db, 1, now=OLD - timedelta(days=1), habits=())
    rows = [_row(1, s, OLD, n) for n, s in enumerate(("sent", "failed", "missed", "skipped"))]
    rows += [_row(1, "cancelled", OLD), _row(1, "pending", OLD), _row(1, "sending", OLD)]
    rows += [_row(1, "sent", RECENT), _row(1, "failed", RECENT)]
    async with db.uow() as uow:
        await uow.deliveries.add_many(rows)
        await uow.commit()

    assert await prune(db, NOW, 30) == 5
    # Unsent rows stay however old they are; finished rows younger than 30 days stay too.
    assert await _statuses(db) == [
        ("pending", OLD),
        ("sending", OLD),
        ("sent", RECENT),
        ("failed", RECENT),
    ]
    assert await prune(db, NOW, 30) == 0
    assert await prune(db, NOW, 28) == 2


async def test_prune_works_in_small_batches(db: Database) -> None:
    await make_person(db, 1, now=OLD - timedelta(days=1), habits=())
    async with db.uow() as uow:
        await uow.deliveries.add_many([_row(1, "sent", OLD, n) for n in range(7)])
        await uow.commit()
    # One batch of 3 per run at most: a backlog shrinks over several runs.
    assert await prune(db, NOW, 30, batch=3, max_batches=1) == 3
    assert len(await _statuses(db)) == 4
    assert await prune(db, NOW, 30, batch=3) == 4
    assert await _statuses(db) == []


async def test_a_habit_logged_from_a_forgotten_nudge_stays(db: Database) -> None:
    await make_person(db, 1, now=OLD - timedelta(days=1), habits=())
    async with db.uow() as uow:
        await uow.deliveries.add_many([_row(1, "sent", OLD)])
        delivery_id = (await uow.deliveries.for_person(1))[0].id
        await uow.habit_logs.add(
            1, "water", at=OLD, local_date=OLD.date(), source="nudge", delivery_id=delivery_id
        )
        await uow.commit()
    assert await prune(db, NOW, 30) == 1
    async with db.uow() as uow:
        logs = (await uow.session.execute(select(HabitLog.habit, HabitLog.delivery_id))).all()
    assert [tuple(r) for r in logs] == [("water", None)]


async def test_daily_counts_are_kept_as_rows_finish(db: Database) -> None:
    await make_person(db, 1, now=OLD - timedelta(days=1), habits=())
    async with db.uow() as uow:
        await uow.deliveries.add_many([_row(1, "pending", NOW, n) for n in range(3)])
        await uow.commit()
        ids = [d.id for d in await uow.deliveries.for_person(1)]
    async with db.uow() as uow:
        await uow.deliveries.mark_sent([(ids[0], 100, NOW), (ids[1], 101, NOW)])
        await uow.deliveries.fail(ids[2], "bad request: chat not found", now=NOW)
        await uow.commit()
    async with db.uow() as uow:
        await uow.due.queue(
            [
                {**_row(1, "skipped", NOW), "kind": "nudge", "attempts": 0, "reminder_id": None}
                | {"habit": "water", "payload": {"reason": "done_today"}},
            ]
        )
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.delivery_days.by_day(NOW.date()) == {
            NOW.date(): {"sent": 2, "failed": 1, "skipped": 1}
        }
        await uow.deliveries.mark_sent([])  # nothing to add
        await uow.commit()

    # The rows go (here by a short retention); what /stats shows stays.
    assert await prune(db, NOW + timedelta(days=2), 1) == 4
    async with db.uow() as uow:
        view = await overview(uow.session, NOW + timedelta(days=2))
    assert view.week == {"sent": 2, "failed": 1, "skipped": 1}
    assert view.outbox == {}
    async with db.uow() as uow:
        # A week later, those days have left the window.
        later = await overview(uow.session, NOW + timedelta(days=7))
    assert later.week == {}


async def test_the_bot_runs_the_prune_every_few_minutes(harness: Harness) -> None:
    assert harness.app is not None and harness.app.job_queue is not None and harness.db
    [job] = harness.app.job_queue.get_jobs_by_name(housekeeping.JOB_NAME)
    assert job.job.trigger.interval == timedelta(seconds=housekeeping.EVERY_SECONDS)
    await make_person(harness.db, 1, now=harness.clock.now() - timedelta(days=40), habits=())
    old = harness.clock.now() - timedelta(days=harness.runtime.settings.outbox_retention_days + 1)
    async with harness.db.uow() as uow:
        # The unsent one waits for a later time, so the running sender leaves it alone.
        waiting = _row(1, "pending", old) | {"send_after": harness.clock.now() + timedelta(days=1)}
        await uow.deliveries.add_many([_row(1, "sent", old), waiting])
        await uow.commit()
    # What the job does when it fires (here called at once rather than waiting minutes).
    await housekeeping.run(SimpleNamespace(runtime=harness.runtime))  # type: ignore[arg-type]
    assert [s for s, _ in await _statuses(harness.db)] == ["pending"]
