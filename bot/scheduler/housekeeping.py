"""The housekeeping job: every few minutes, forget outbox rows older than the retention."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.runtime import Runtime
from bot.scheduler.dispatcher import Host
from bot.services.retention import prune

log = logging.getLogger(__name__)

EVERY_SECONDS = 5 * 60
# Not at start-up: starting is busy enough, and old rows can wait a minute.
FIRST_SECONDS = 60
JOB_NAME = "housekeeping"


class HasRuntime(Protocol):
    """A job's context: all the job needs is the runtime."""

    @property
    def runtime(self) -> Runtime: ...


async def run(context: HasRuntime) -> None:
    """Delete old finished deliveries (the repeating job's callback)."""
    runtime = context.runtime
    try:
        deleted = await prune(
            runtime.db, runtime.clock.now(), runtime.settings.outbox_retention_days
        )
    except Exception:
        # Housekeeping can wait for its next run; it must never disturb anything else.
        log.exception("old deliveries could not be deleted")
        return
    if deleted:
        log.info(
            "deleted %d finished deliveries older than %d days",
            deleted,
            runtime.settings.outbox_retention_days,
        )


def start(app: Host) -> Callable[[], Awaitable[None]]:
    """Start the repeating housekeeping job."""
    jobs = app.job_queue
    assert jobs is not None, "the dispatcher checks for the job queue first"
    job = jobs.run_repeating(
        run,
        interval=EVERY_SECONDS,
        first=FIRST_SECONDS,
        name=JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )

    async def stop() -> None:
        with contextlib.suppress(Exception):
            job.schedule_removal()

    return stop
