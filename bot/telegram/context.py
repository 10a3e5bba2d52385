"""The callback context every handler receives, with typed access to the runtime."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.runtime import Runtime
from bot.services import people
from bot.storage.people import PersonRecord
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

    async def person(self, person_id: int) -> PersonRecord | None:
        """Return the person, read once per update and shared by the update's handlers.

        PTB makes one context per update, so this is the sender as the update began: good for
        reading (their zone, what they are asked); a service that changes them reads its row.
        """
        cached: tuple[int, PersonRecord | None] | None = self.__dict__.get("_person")
        if cached is not None and cached[0] == person_id:
            return cached[1]
        record = await people.find(self.runtime.db.single_read(), person_id)
        self.__dict__["_person"] = (person_id, record)
        return record

    def forget_person(self) -> None:
        """Drop the person read for this update (it changed; the next call reads again)."""
        self.__dict__.pop("_person", None)


NudgeApp = Application[ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
