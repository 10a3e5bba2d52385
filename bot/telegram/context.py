"""The callback context every handler receives, with typed access to the runtime."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.runtime import Runtime
from bot.storage.uow import Database, UnitOfWork


class Context(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context plus the runtime's services."""

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.application.bot_data["runtime"]
        return runtime

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    def uow(self) -> UnitOfWork:
        """Start a unit of work for one service call."""
        return self.runtime.db.uow()

    def now(self) -> datetime:
        return self.runtime.clock.now()


NudgeApp = Application[ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
