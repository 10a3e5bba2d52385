"""Telegram's side of a reply bench: the sandbox and the people, in a process of their own.

The bot under test keeps its CPU to itself: the sandbox, the people acting through it and the
clock that times them run in a child process, driven over a pipe. A person types "had kefir",
presses a check-in button or sends /today, and the time until the bot's reply reaches the
sandbox (a new message or an edit in their chat) is what a bench reads.

Updates reach the bot by long polling, or (`direct`) are POSTed to its webhook by the people's
side itself, many at once over parallel connections as Telegram does (up to 40 by default);
the sandbox's own webhook delivery posts one update at a time, which would measure the sandbox.
A person acts again only after the bot has answered them, as people do.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from bot.sandbox import BotApiSandbox
from bot.sandbox.limits import FloodLimits
from bot.sandbox.models import ChatMessage, JsonDict, SandboxEvent, User
from bot.sandbox.server import SECRET_HEADER

TOKEN = "123456789:AAbenchTOKENforSANDBOXonly-abcdefghij"
# What people do, in turn: a typed log, a check-in button, a look at the day.
ACTIONS = ("log", "press", "today")
LOG_TEXT = "had kefir"
# Check-in buttons: an answer, or "Update" on a finished check-in (both edit the question).
CHECKIN_BUTTONS = ("c:a:", "c:up:")


@dataclass(frozen=True)
class Sample:
    """One action and its reply, timed on this side (time.monotonic, shared by processes)."""

    action: str
    chat_id: int
    posted: float
    replied: float | None
    status: int = 200
    acked: float | None = None  # the webhook's 200 (the update was stored)

    @property
    def seconds(self) -> float | None:
        return None if self.replied is None else self.replied - self.posted


class PeopleSandbox(BotApiSandbox):
    """The sandbox; with `direct`, an update is handed to whoever made it instead of queued."""

    def __init__(self, *, direct: bool) -> None:
        super().__init__(token=TOKEN, bot_username="bench_bot")
        self.direct = direct
        self.emitted: JsonDict | None = None
        # Replies to thousands of people a second: Telegram's 30/s bulk limit is not the point.
        self.limits = FloodLimits(enabled=False)

    def _emit(self, kind: str, payload: JsonDict) -> JsonDict:
        update = super()._emit(kind, payload)
        if self.direct:
            self._updates.pop()  # posted by the people's side, not the delivery loop
        self.emitted = update
        return update


class People:
    """People acting through the sandbox, each waiting for the bot's reply before acting again."""

    def __init__(self, sandbox: PeopleSandbox) -> None:
        self.sandbox = sandbox
        self.users: dict[int, User] = {}
        self.turn: dict[int, itertools.cycle[str]] = {}
        self.checkin: dict[int, ChatMessage] = {}
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.http: aiohttp.ClientSession | None = None
        self.targets: list[str] = []
        self.secret = ""
        sandbox.subscribe(self._on_event)

    def add(self, count: int) -> list[int]:
        """Create people in the sandbox; return their ids."""
        for i in range(count):
            user = self.sandbox.add_user(first_name=f"P{i}")
            self.users[user.id] = user
            # Each starts at a different action, so every moment has the whole mix.
            start = i % len(ACTIONS)
            self.turn[user.id] = itertools.cycle(ACTIONS[start:] + ACTIONS[:start])
        return list(self.users)

    def _on_event(self, event: SandboxEvent) -> None:
        message = event.message
        if message is None or not message.from_bot or event.kind not in ("message", "edit"):
            return
        data = [b.callback_data or "" for row in message.buttons for b in row]
        if any(d.startswith(CHECKIN_BUTTONS) for d in data):
            self.checkin[event.chat_id] = message
        elif self.checkin.get(event.chat_id, message).message_id == message.message_id:
            self.checkin.pop(event.chat_id, None)  # the check-in finished in this message
        waiter = self.waiting.pop(event.chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(time.monotonic())

    async def _make(self, chat_id: int, action: str) -> tuple[str, JsonDict | None]:
        """Make the person do `action` in the sandbox; return what it was and its update."""
        user = self.users[chat_id]
        if action == "press":
            shown = self.checkin.get(chat_id)
            if shown is None:
                action = "checkin"  # nothing to press yet: open today's check-in
            else:
                data = next(
                    b.callback_data
                    for prefix in CHECKIN_BUTTONS
                    for row in shown.buttons
                    for b in row
                    if b.callback_data and b.callback_data.startswith(prefix)
                )
                await self.sandbox.press_callback(user, shown.message_id, data)
                return action, self.sandbox.emitted
        text = {"log": LOG_TEXT, "today": "/today", "checkin": "/checkin"}[action]
        await self.sandbox.send_text(user, text)
        return action, self.sandbox.emitted

    async def act(
        self,
        chat_id: int,
        action: str | None = None,
        timeout: float = 30.0,  # noqa: ASYNC109
        connections: asyncio.Semaphore | None = None,
    ) -> Sample:
        """Do the person's next action (or `action`) and wait for the bot's reply.

        With `connections`, a webhook POST waits for one of them and frees it at the answer,
        as Telegram's webhook connections do (max_connections): the reply is not waited for.
        """
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[float] = loop.create_future()
        self.waiting[chat_id] = waiter
        if action is None:
            action = next(self.turn[chat_id])
        posted = time.monotonic()
        label, update = await self._make(chat_id, action)
        status, acked = 200, None
        if self.sandbox.direct and update is not None:
            async with connections or contextlib.nullcontext():
                status = await self._post(update, chat_id)
            acked = time.monotonic()
        replied: float | None = None
        if status == 200:
            with contextlib.suppress(TimeoutError):
                replied = await asyncio.wait_for(waiter, timeout)
        self.waiting.pop(chat_id, None)
        return Sample(label, chat_id, posted, replied, status, acked)

    async def _post(self, update: JsonDict, chat_id: int) -> int:
        """POST one update to a webhook (the instances in turn, as a load balancer would)."""
        assert self.http is not None
        url = self.targets[chat_id % len(self.targets)]
        try:
            async with self.http.post(
                url, json=update, headers={SECRET_HEADER: self.secret}
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    async def load(self, rate: float, seconds: float, connections: int) -> list[Sample]:
        """Post `rate` updates a second for `seconds`, from people who are not waiting."""
        assert self.http is not None
        idle: deque[int] = deque(self.users)
        samples: list[Sample] = []
        tasks: set[asyncio.Task[None]] = set()
        gate = asyncio.Semaphore(connections)

        async def one(chat_id: int) -> None:
            if self.sandbox.direct:  # webhook: a connection is held until the POST's answer
                sample = await self.act(chat_id, connections=gate)
            else:
                async with gate:
                    sample = await self.act(chat_id)
            samples.append(sample)
            idle.append(chat_id)

        started = time.monotonic()
        for i in range(int(rate * seconds)):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if not idle:
                samples.append(Sample("busy", 0, time.monotonic(), None, 0))
                continue  # everyone still waits for a reply: the bot is behind
            task = asyncio.create_task(one(idle.popleft()))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=60)
        return samples


def serve(conn: Connection, direct: bool) -> None:
    """Run the sandbox and the people in this process and obey the pipe's commands."""
    asyncio.run(_serve(conn, direct))


async def _serve(conn: Connection, direct: bool) -> None:
    sandbox = PeopleSandbox(direct=direct)
    await sandbox.start()
    people = People(sandbox)
    conn.send(sandbox.base_url)
    try:
        while True:
            command, arg = await asyncio.to_thread(conn.recv)
            if command == "people":
                conn.send(people.add(int(arg)))
            elif command == "act":
                conn.send(await people.act(*arg))
            elif command == "webhook":
                people.targets, people.secret, connections = arg
                connector = aiohttp.TCPConnector(limit=connections)
                people.http = aiohttp.ClientSession(connector=connector)
                conn.send(None)
            elif command == "load":
                conn.send(await people.load(*arg))
            elif command == "stats":
                conn.send(dict(sandbox.stats.calls))
            else:
                break
    finally:
        if people.http is not None:
            await people.http.close()
        await sandbox.stop()
        conn.send(None)


class TelegramSide:
    """The child process, as the bench sees it."""

    def __init__(self, *, direct: bool = False) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, direct), daemon=True)
        self.process.start()
        self.base_url: str = self.conn.recv()

    @property
    def pid(self) -> int:
        """The process that plays Telegram's side."""
        assert self.process.pid is not None
        return self.process.pid

    async def ask(self, command: str, arg: object = None) -> Any:
        """Send a command and wait for its answer without blocking the loop."""
        self.conn.send((command, arg))
        return await asyncio.to_thread(self.conn.recv)

    async def close(self) -> None:
        await self.ask("stop")
        await asyncio.to_thread(self.process.join, 10)
