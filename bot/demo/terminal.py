"""The terminal side of the demo: reading lines, printing the chat, turning lines into actions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import sys
import threading
from typing import TextIO

from bot.demo import texts as demo_texts
from bot.demo.session import DemoBot
from bot.sandbox import User

PROMPT = demo_texts.PROMPT
# "#6 2": button 2 of message #6.
ADDRESSED = re.compile(r"#(\d{1,7})\s+(\d{1,3})", re.ASCII)
# "/wait 90m", "/wait 2h": let simulated time pass (for scripts that want to see nudges).
WAIT = re.compile(r"/wait\s+(\d{1,4})\s*(m|min|h)", re.ASCII | re.IGNORECASE)
MAX_WAIT_SECONDS = 600.0
# Piped mode waits this long without a bot call before sending the next line.
PIPED_QUIET = 0.5
PIPED_TIMEOUT = 30.0
# Interactive mode shows the prompt again once the bot has answered (or after the timeout).
TYPED_QUIET = 0.3
TYPED_TIMEOUT = 5.0

try:  # line editing and history where available; plain input() otherwise
    import readline
except ImportError:  # pragma: no cover - Windows
    readline = None  # type: ignore[assignment]


class Screen:
    """Prints whole lines without trampling the line the person is typing."""

    def __init__(self, stream: TextIO, *, live_prompt: bool) -> None:
        self.stream = stream
        self.live_prompt = live_prompt
        self.prompting = False
        self.broken = False
        self._lock = threading.Lock()

    def drop_prompt(self) -> None:
        """Stop redrawing the prompt (the demo is ending while a read is still pending)."""
        with self._lock:
            self.live_prompt = False
            self.prompting = False

    def show(self, text: str) -> None:
        """Print text; while the prompt is up, print above it and put the typed line back."""
        with self._lock:
            if self.broken:
                return
            try:
                if self.prompting and self.live_prompt:
                    typed = readline.get_line_buffer() if readline is not None else ""
                    self.stream.write(f"\r\x1b[K{text}\n{PROMPT}{typed}")
                else:
                    self.stream.write(text + "\n")
                self.stream.flush()
            except (BrokenPipeError, ValueError):  # the reader went away (`| head`)
                self.broken = True


class LineReader:
    """Reads one line at a time in a thread, only when asked, so output and input can overlap."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, *, interactive: bool, screen: Screen
    ) -> None:
        self._loop = loop
        self._interactive = interactive
        self._screen = screen
        self._wanted = threading.Event()
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._buffer = b""
        # A daemon thread: a read blocked at exit (Ctrl-C) must not keep the process alive.
        self._thread = threading.Thread(target=self._run, name="demo-input", daemon=True)

    def start(self) -> None:
        """Start the reading thread."""
        self._thread.start()

    async def next(self) -> str | None:
        """Return the next line, or None at the end of input."""
        self._wanted.set()
        return await self._lines.get()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                line = self._read_typed() if self._interactive else self._read_piped()
            except (EOFError, OSError, ValueError):
                line = None
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
            if line is None:
                return

    def _read_typed(self) -> str | None:
        self._screen.prompting = self._screen.live_prompt
        try:
            return input(PROMPT)
        finally:
            self._screen.prompting = False

    def _read_piped(self) -> str | None:
        # os.read, not sys.stdin: a daemon thread holding stdin's buffer lock at exit would
        # make the interpreter abort.
        if sys.stdin is None:
            return None
        fd = sys.stdin.fileno()
        while b"\n" not in self._buffer:
            chunk = os.read(fd, 65536)
            if not chunk:
                if not self._buffer:
                    return None
                line, self._buffer = self._buffer, b""
                return line.decode("utf-8", "replace").rstrip("\r")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", "replace").rstrip("\r")


async def converse(bot: DemoBot, screen: Screen, *, interactive: bool) -> int:
    """Run the chat until /quit or the end of input; return the exit code."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        if not interrupted:
            interrupted = True
            task.cancel()

    # Ctrl-C ends the demo cleanly instead of raising KeyboardInterrupt somewhere inside PTB.
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGINT, interrupt)
    reader = LineReader(loop, interactive=interactive, screen=screen)
    reader.start()
    try:
        return await _talk(bot, screen, reader, interactive=interactive)
    except asyncio.CancelledError:
        if not interrupted:
            raise
        task.uncancel()
        screen.drop_prompt()
        screen.show("\n" + demo_texts.INTERRUPTED)
        return 130
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGINT)


async def _talk(bot: DemoBot, screen: Screen, reader: LineReader, *, interactive: bool) -> int:
    while True:
        if not interactive:
            await bot.settle(PIPED_QUIET, PIPED_TIMEOUT)
        line = await reader.next()
        if line is None:
            if interactive:
                screen.show("")
            else:
                await bot.settle(PIPED_QUIET, PIPED_TIMEOUT)
            return 0
        if not interactive:
            screen.show(PROMPT + line)
        if not await act(bot, screen, line):
            return 0
        if interactive:
            await bot.settle(TYPED_QUIET, TYPED_TIMEOUT)


async def act(bot: DemoBot, screen: Screen, line: str) -> bool:
    """Carry out one line: a demo command, a button number or a message; False means quit."""
    text = line.strip()
    if not text:
        screen.show(demo_texts.EMPTY_LINE)
        return True
    command = text.lower()
    if command in ("/quit", "/exit"):
        return False
    if command == "/clock":
        screen.show(await bot.clock_text())
        return True
    if command.startswith("/wait"):
        await _wait(bot, screen, command)
        return True
    if command.startswith("/send"):
        kind = command.removeprefix("/send").strip()
        if kind not in demo_texts.SEND_KINDS:
            screen.show(demo_texts.SEND_HOW)
            return True
        await bot.send(bot.me, kind)
        screen.show(demo_texts.sent(kind))
        return True
    if command == "/demo":
        keys = demo_texts.KEYS
        if bot.group_id is not None:
            keys += "\n" + demo_texts.GROUP_KEYS.format(title=demo_texts.GROUP_TITLE)
        screen.show(keys)
        return True
    user, chat_id, text = _route(bot, text)
    if not text:
        screen.show(demo_texts.NOTHING_AFTER_PREFIX)
        return True
    addressed = ADDRESSED.fullmatch(text)
    if addressed is not None:
        message_id, number = int(addressed.group(1)), int(addressed.group(2))
        screen.show(await bot.press(user, number, chat_id, message_id))
        return True
    if text.isascii() and text.isdigit() and len(text) <= 3 and bot.options(chat_id or user.id):
        screen.show(await bot.press(user, int(text), chat_id))
        return True
    if text.startswith("'") and len(text) > 1:
        text = text[1:]
    if not await bot.say(user, text, chat_id):
        screen.show(demo_texts.TOO_LONG)
    return True


async def _wait(bot: DemoBot, screen: Screen, command: str) -> None:
    match = WAIT.fullmatch(command)
    if match is None:
        screen.show(demo_texts.WAIT_HOW)
        return
    minutes = int(match.group(1)) * (60 if match.group(2).lower() == "h" else 1)
    seconds = minutes * 60 / bot.speed
    if seconds > MAX_WAIT_SECONDS:
        screen.show(demo_texts.wait_too_long(seconds / 60, MAX_WAIT_SECONDS / 60))
        return
    screen.show(demo_texts.waiting(minutes, seconds))
    await asyncio.sleep(seconds)


def _route(bot: DemoBot, text: str) -> tuple[User, int | None, str]:
    """Return who speaks, in which chat (None: their private chat), and what they say."""
    if bot.group_id is None:
        return bot.me, None, text
    head, _, rest = text.partition(" ")
    if head.lower() == "g":
        return bot.me, bot.group_id, rest.strip()
    name, colon, rest = text.partition(":")
    member = bot.speaker(name.strip()) if colon else None
    if member is not None:
        return member, bot.group_id, rest.strip()
    return bot.me, None, text


def show_errors(screen: Screen, log_path: str) -> logging.Handler:
    """Return a logging handler that mentions each error in one line on the screen."""

    class ShowErrors(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage().splitlines()[0][:200] if record.msg else "error"
            screen.show(demo_texts.bot_error(message, log_path))

    return ShowErrors(logging.ERROR)
