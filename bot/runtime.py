"""What every handler and job needs: settings, the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.storage.uow import Database


@dataclass
class Runtime:
    """Process-wide services, stored in `application.bot_data["runtime"]`."""

    settings: Settings
    db: Database
    clock: Clock
    instance_id: str = "nudgebot"
    # Background parts started in post_init (the sender, the tick); stopped on shutdown.
    services: list[Any] = field(default_factory=list)
    # The outbox sender and the scheduler tick, set when they start (tests drive them directly).
    sender: Any = None
    dispatcher: Any = None
    # The update inbox (bot.telegram.inbox.UpdateInbox), set when the application is built.
    inbox: Any = None
