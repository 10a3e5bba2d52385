"""Play people against the real bot: the sandbox, the Application polling it, a fake clock."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import SecretStr
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import build_application, start_in_loop, stop_in_loop
from bot.clock import FakeClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox import BotApiSandbox
from bot.sandbox.server import PATIENCE
from bot.storage.uow import Database
from bot.telegram.context import NudgeApp

TOKEN = "123456789:AAtestTOKENforSANDBOXonly-abcdefghij"
BOT_USERNAME = "nudge_test_bot"


class Harness:
    """A sandbox, a database and a running bot that can be stopped and started again."""

    def __init__(self, *, db_url: str, clock: FakeClock, **settings: Any) -> None:
        self.db_url = db_url
        self.clock = clock
        self.extra_settings = settings
        self.sandbox = BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME)
        self.db: Database | None = None
        self.app: NudgeApp | None = None
        self.settings: Settings | None = None
        self.processed_update_id = 0
        self._progress = asyncio.Event()

    async def open(self) -> None:
        """Start the sandbox and the bot."""
        await self.sandbox.start()
        await self.start_bot()

    async def close(self) -> None:
        """Stop the bot and the sandbox."""
        await self.stop_bot()
        await self.sandbox.stop()

    def make_settings(self) -> Settings:
        values: dict[str, Any] = {
            "bot_token": SecretStr(TOKEN),
            "database_url": self.db_url,
            "telegram_api_url": self.sandbox.base_url,
            "telegram_file_url": self.sandbox.base_file_url,
            "admin_ids": frozenset({1}),
            "run_migrations": False,
            # The tick runs once at start, then when a test calls tick(): a background tick every
            # real second would land wherever a busy machine happens to be in the test.
            "tick_seconds": 60,
        }
        values.update(self.extra_settings)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    async def start_bot(self) -> None:
        """Build and start a fresh Application (a new process, as far as the bot knows)."""
        self.settings = self.make_settings()
        self.db = Database(self.db_url)
        runtime = Runtime(settings=self.settings, db=self.db, clock=self.clock)
        self.app = build_application(runtime)
        # Runs after every other handler group, so it marks an update as fully handled.
        self.app.add_handler(TypeHandler(Update, self._processed), group=1_000_000)
        await start_in_loop(self.app)

    async def stop_bot(self) -> None:
        """Stop the Application as a clean shutdown would."""
        if self.app is None:
            return
        app, self.app = self.app, None
        await stop_in_loop(app)
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database and sandbox."""
        await self.stop_bot()
        await self.start_bot()

    @property
    def runtime(self) -> Runtime:
        assert self.app is not None
        runtime: Runtime = self.app.bot_data["runtime"]
        return runtime

    async def say(self, user: Any, text: str, *, chat_id: int | None = None) -> list[Any]:
        """Send text as a person and return the bot's messages once it has gone quiet."""
        chat = user.id if chat_id is None else chat_id
        before = {m.message_id for m in self.sandbox.bot_messages(chat)}
        await self.sandbox.send_text(user, text, chat_id=chat_id)
        await self.settle()
        return [m for m in self.sandbox.bot_messages(chat) if m.message_id not in before]

    async def press(
        self,
        user: Any,
        message: Any,
        *,
        text: str | None = None,
        data: str | None = None,
        chat_id: int | None = None,
    ) -> str:
        """Press an inline button and wait for the bot to finish reacting."""
        query_id: str = await self.sandbox.press_button(
            user, message.message_id, chat_id=chat_id, text=text, data=data
        )
        await self.settle()
        return query_id

    def make_admin(self, user: Any) -> None:
        """Give a sandbox user the admin commands (ADMIN_IDS)."""
        assert self.settings is not None
        self.extra_settings["admin_ids"] = frozenset({user.id})
        self.settings.admin_ids = frozenset({user.id})

    async def drain(self) -> None:
        """Send everything the outbox holds that is due, then wait for the bot to go quiet."""
        sender = self.runtime.sender
        if sender is not None:
            await sender.flush()
        await self.settle()

    async def tick(self) -> None:
        """Run the scheduler once at the fake clock's time, send what it queued, settle."""
        await self.runtime.dispatcher.tick()
        sender = self.runtime.sender
        if sender is not None:
            await sender.flush()
        await self.settle()

    async def _processed(self, update: Update, context: Any) -> None:
        self.processed_update_id = max(self.processed_update_id, update.update_id)
        self._progress.set()

    async def settle(self, timeout: float = PATIENCE) -> None:  # noqa: ASYNC109
        """Wait until the bot has handled every update it was sent and has gone quiet."""
        target = self.sandbox.last_update_id
        async with asyncio.timeout(timeout):
            while self.processed_update_id < target:
                self._progress.clear()
                await self._progress.wait()
            # Chats are handled concurrently: the last update done says nothing of an earlier
            # one in another chat. Every earlier update was taken before the last one, so once
            # nothing is waiting or running, all are done (and marked handled in the inbox).
            if self.app is not None:
                await self.runtime.inbox.processor.wait_idle()
        await self.sandbox.settle(quiet=0.05, timeout=timeout)
