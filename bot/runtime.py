"""What every handler and job needs: settings, the database and the clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.clock import Clock
from bot.config import Settings
from bot.storage.uow import Database

if TYPE_CHECKING:
    # Types only: both modules import this one.
    from bot.scheduler.dispatcher import Dispatcher
    from bot.telegram.inbox import UpdateInbox

Stopper = Callable[[], Awaitable[None]]


class Outbox(Protocol):
    """The outbox sender as handlers and the tick see it (bot.delivery.sender.Sender)."""

    def wake(self) -> None:
        """Look for due rows now."""

    async def flush(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        """Return once nothing due is left unsent."""


@dataclass
class Runtime:
    """Process-wide services, stored in `application.bot_data["runtime"]`."""

    settings: Settings
    db: Database
    clock: Clock
    instance_id: str = "nudgebot"
    # Background parts started in post_init (the sender, the tick); stopped on shutdown.
    services: list[Stopper] = field(default_factory=list)
    # The outbox sender and the scheduler tick, set when they start (tests drive them directly).
    sender: Outbox | None = None
    dispatcher: Dispatcher | None = None
    # The update inbox, set when the application is built.
    inbox: UpdateInbox | None = None
