"""The sandbox and the real bot in one process, plus the simulated people who talk to it."""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import build_application, start_in_loop, stop_in_loop
from bot.clock import ScaledClock, SystemClock
from bot.config import Settings
from bot.demo import render
from bot.demo import texts as demo_texts
from bot.runtime import Runtime
from bot.sandbox import BotApiSandbox, ChatMessage, FloodLimits, SandboxEvent, User
from bot.storage.uow import Database
from bot.telegram.context import NudgeApp

log = logging.getLogger(__name__)

# Token-shaped so every code path that handles a real token (redaction, PTB) runs as usual.
DEMO_TOKEN = "987654321:AAdemoTOKENforTHEsandboxONLY-abcdefgh"
BOT_USERNAME = "nudgebot_demo_bot"
MAX_TEXT = 4096
# A made-up place to share when a reply keyboard asks for a location, by the demo's zone.
PLACES: dict[str, tuple[str, float, float]] = {
    "Europe/Berlin": ("Berlin", 52.52, 13.405),
    "Europe/London": ("London", 51.507, -0.128),
    "Europe/Paris": ("Paris", 48.857, 2.352),
    "Europe/Kyiv": ("Kyiv", 50.45, 30.523),
    "Europe/Moscow": ("Moscow", 55.756, 37.617),
    "Asia/Dubai": ("Dubai", 25.205, 55.271),
    "Asia/Kolkata": ("Mumbai", 19.076, 72.878),
    "Asia/Singapore": ("Singapore", 1.352, 103.82),
    "Asia/Tokyo": ("Tokyo", 35.676, 139.65),
    "Australia/Sydney": ("Sydney", -33.869, 151.209),
    "America/New_York": ("New York", 40.713, -74.006),
    "America/Chicago": ("Chicago", 41.878, -87.63),
    "America/Denver": ("Denver", 39.739, -104.99),
    "America/Los_Angeles": ("Los Angeles", 34.052, -118.244),
    "America/Sao_Paulo": ("São Paulo", -23.551, -46.633),
}
# Telegram tolerates short bursts in a private chat better than the sandbox's strict default,
# and a pasted script answers faster than anyone types: a 429 must not spoil the demo.
LIMITS = FloodLimits(private_burst=20)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


# After every feature's handler group.
HANDLED_GROUP = 1_000_000


def tick_seconds(speed: float) -> float:
    """Tick often enough that a nudge arrives within about a simulated minute of its time."""
    return max(0.2, min(1.0, 60.0 / speed))


def grace_minutes(speed: float) -> int:
    """Allow a few ticks of lateness in simulated minutes, so a fast clock misses no nudge."""
    return max(10, min(24 * 60, int(speed * tick_seconds(speed) * 5 / 60) + 1))


def start_of_demo(zone: ZoneInfo) -> datetime:
    """Return 07:55 today in the zone, as UTC: the first nudges of the day come soon after."""
    today = SystemClock().now().astimezone(zone).date()
    return datetime.combine(today, time(7, 55), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Option:
    """Something a number can press: an inline button or a reply-keyboard key."""

    label: str
    message_id: int | None
    callback_data: str | None = None
    url: str | None = None


class DemoBot:
    """A sandbox, a throwaway database and the running bot; the demo person acts through it."""

    def __init__(
        self,
        *,
        data_dir: Path,
        speed: float,
        zone: str,
        group: bool,
        show: Callable[[str], None],
        color: bool,
    ) -> None:
        self.data_dir = data_dir
        self.files_dir = data_dir / "files"
        self.db_url = f"sqlite+aiosqlite:///{data_dir / 'demo.db'}"
        self.speed = speed
        self.zone = zone
        self.with_group = group
        self.show = show
        self.color = color
        self.clock = ScaledClock(speed, start=start_of_demo(ZoneInfo(zone)))
        self.sandbox = BotApiSandbox(
            token=DEMO_TOKEN, bot_username=BOT_USERNAME, bot_first_name="nudgebot", limits=LIMITS
        )
        self.me: User = self.sandbox.add_user(first_name=demo_texts.PERSON, username="alex")
        self.members: dict[str, User] = {}
        self.group_id: int | None = None
        self.app: NudgeApp | None = None
        self.db: Database | None = None
        self._unsubscribe: Callable[[], None] | None = None
        # The newest update the bot has finished with: a busy machine may take a while.
        self.handled_update_id = 0
        self._handled = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle

    async def open(self) -> None:
        """Start the sandbox and the bot (the database must already be migrated)."""
        await self.sandbox.start()
        self._unsubscribe = self.sandbox.subscribe(self._on_event)
        settings = Settings(
            _env_file=None,
            bot_token=SecretStr(DEMO_TOKEN),
            database_url=self.db_url,
            telegram_api_url=self.sandbox.base_url,
            telegram_file_url=self.sandbox.base_file_url,
            # The demo person may try the admin commands too.
            admin_ids=frozenset({self.me.id}),
            default_timezone=self.zone,
            tick_seconds=tick_seconds(self.speed),
            grace_minutes=grace_minutes(self.speed),
            run_migrations=False,
        )
        self.db = Database(self.db_url)
        runtime = Runtime(settings=settings, db=self.db, clock=self.clock, instance_id="demo")
        self.app = build_application(runtime)
        # Runs after every feature's handlers, so it marks an update as fully handled.
        self.app.add_handler(TypeHandler(Update, self._mark_handled), group=HANDLED_GROUP)
        await start_in_loop(self.app)
        if self.with_group:
            await self._open_group()

    async def _open_group(self) -> None:
        people = [self.me]
        for name in demo_texts.MEMBERS:
            member = self.sandbox.add_user(first_name=name, username=name.lower())
            self.members[name.lower()] = member
            people.append(member)
        chat = self.sandbox.add_group(demo_texts.GROUP_TITLE, members=people, creator=self.me)
        self.group_id = chat.id
        await self.sandbox.add_bot_to_group(chat.id, by=self.me)

    async def close(self) -> None:
        """Stop the bot, then the sandbox, as a clean shutdown would."""
        app, self.app = self.app, None
        try:
            if app is not None:
                await stop_in_loop(app)
        finally:
            if self.db is not None:
                await self.db.close()
                self.db = None
            if self._unsubscribe is not None:
                self._unsubscribe()
            await self.sandbox.stop()

    @property
    def runtime(self) -> Runtime:
        assert self.app is not None
        runtime: Runtime = self.app.bot_data["runtime"]
        return runtime

    # ------------------------------------------------------------------ acting

    def speaker(self, name: str) -> User | None:
        """Return a simulated group member by name (sam, lee)."""
        return self.members.get(name.lower())

    async def say(self, user: User, text: str, chat_id: int | None = None) -> bool:
        """Send text as a person; return False when it had to be cut to Telegram's limit."""
        await self.sandbox.send_text(user, text[:MAX_TEXT], chat_id=chat_id)
        return len(text) <= MAX_TEXT

    async def send(self, user: User, kind: str, chat_id: int | None = None) -> None:
        """Send a sticker, photo, voice note, file... as a person."""
        await self.sandbox.send_attachment(user, kind, chat_id=chat_id)

    def options(self, chat_id: int, message_id: int | None = None) -> list[Option]:
        """Return what numbers press: one message's buttons, else the latest ones and the keys."""
        if message_id is not None:
            chosen = next(
                (m for m in self.sandbox.bot_messages(chat_id) if m.message_id == message_id),
                None,
            )
            return self._inline(chosen) if chosen is not None else []
        found = self._inline(self._latest_with_buttons(chat_id))
        for row in self.sandbox.reply_keyboard(chat_id) or []:
            found.extend(Option(label, None) for label in row)
        return found

    @staticmethod
    def _inline(message: ChatMessage | None) -> list[Option]:
        if message is None:
            return []
        return [
            Option(b.text, message.message_id, b.callback_data, b.url)
            for row in message.buttons
            for b in row
        ]

    def _latest_with_buttons(self, chat_id: int) -> ChatMessage | None:
        for message in reversed(self.sandbox.bot_messages(chat_id)):
            if message.buttons:
                return message
        return None

    async def press(
        self,
        user: User,
        number: int,
        chat_id: int | None = None,
        message_id: int | None = None,
    ) -> str:
        """Press a numbered button as a person; return what the demo should say about it."""
        chat = user.id if chat_id is None else chat_id
        options = self.options(chat, message_id)
        if message_id is not None and not options:
            return demo_texts.no_such_message(message_id)
        if not 1 <= number <= len(options):
            return demo_texts.no_such_button(number, len(options))
        option = options[number - 1]
        if option.message_id is None:
            return await self._press_key(user, option.label, chat_id)
        if option.callback_data is None:
            if option.url:
                return demo_texts.opens_link(option.label, option.url)
            return demo_texts.UNSUPPORTED_BUTTON
        try:
            await self.sandbox.press_button(
                user,
                option.message_id,
                chat_id=chat_id,
                text=option.label,
                data=option.callback_data,
            )
        except LookupError:
            return demo_texts.BUTTON_GONE
        return demo_texts.pressed(option.label)

    async def _press_key(self, user: User, label: str, chat_id: int | None) -> str:
        # The sandbox keeps only the labels of a reply keyboard, so a location request is
        # recognised by its label; the demo then shares a fixed place in the demo's zone.
        if "location" in label.lower() or "📍" in label:
            city, latitude, longitude = PLACES.get(self.zone, PLACES["Europe/Berlin"])
            await self.sandbox.send_location(user, latitude, longitude, chat_id=chat_id)
            return demo_texts.shared_location(city, latitude, longitude)
        await self.sandbox.send_text(user, label, chat_id=chat_id)
        return demo_texts.pressed(label)

    async def _mark_handled(self, update: Update, context: object) -> None:
        self.handled_update_id = max(self.handled_update_id, update.update_id)
        self._handled.set()

    async def _handled_all(self) -> None:
        """Wait until the bot has handled every update the sandbox handed it."""
        while self.app is not None and self.handled_update_id < self.sandbox.last_update_id:
            self._handled.clear()
            await self._handled.wait()

    async def settle(self, quiet: float, within: float) -> None:
        """Wait until the bot has handled every update, sent what is due and gone quiet."""
        try:
            async with asyncio.timeout(within):
                await self._handled_all()
        except TimeoutError:
            log.info("the bot did not handle every update within %ss; going on", within)
        sender = self.runtime.sender if self.app is not None else None
        flush = getattr(sender, "flush", None)
        if callable(flush):
            try:
                result = flush()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("the outbox sender failed to flush")
        try:
            await self.sandbox.settle(quiet=quiet, timeout=within)
        except TimeoutError:
            log.info("the bot did not go quiet within %ss; going on", within)

    async def clock_text(self) -> str:
        """Describe the bot's simulated time in the person's zone (UTC until they set one)."""
        zone = "UTC"
        if self.db is not None:
            async with self.db.uow() as uow:
                person = await uow.people.get(self.me.id)
            if person is not None and person.timezone:
                zone = person.timezone
        now = self.clock.now().astimezone(ZoneInfo(zone))
        return demo_texts.clock(f"{now:%a %d %b %Y, %H:%M}", zone, self.speed)

    # ------------------------------------------------------------------ showing

    def _on_event(self, event: SandboxEvent) -> None:
        """Print what the bot did in a chat the demo person can see."""
        if event.chat_id != self.me.id and event.chat_id != self.group_id:
            return
        where = "" if event.chat_id == self.me.id else f"[{demo_texts.GROUP_TITLE}] "
        try:
            text = self._describe(event, where)
        except Exception:  # a display problem must never stop the bot's event stream
            log.exception("could not show a sandbox event")
            return
        if text:
            self.show(text)

    def _describe(self, event: SandboxEvent, where: str) -> str | None:
        message = event.message
        if event.kind == "callback_answer":
            answer = event.answer
            if answer is None or not answer.text:
                return None
            kind = "alert" if answer.show_alert else "notice"
            return render.indent(answer.text, self._label(f"{where}bot ({kind})> "))
        if message is None:
            return None
        if event.kind == "delete":
            return self._label(f"{where}bot #{message.message_id} (deleted)")
        edited = " (edited)" if event.kind == "edit" else ""
        label = self._label(f"{where}bot #{message.message_id}{edited}> ")
        return render.indent(self._body(message, new=event.kind == "message"), label)

    def _label(self, text: str) -> str:
        return render.paint(text, "32", color=self.color)

    def _body(self, message: ChatMessage, *, new: bool) -> str:
        raw = message.raw
        entities = raw.get("entities") or raw.get("caption_entities") or []
        parts: list[str] = []
        if message.text:
            parts.append(render.format_text(message.text, entities, color=self.color))
        if new and (message.photo is not None or message.document is not None):
            parts.append(self._save_file(message))
        if message.location is not None:
            parts.append(f"📍 location {message.location[0]:.4f}, {message.location[1]:.4f}")
        # Every message numbers its own buttons; a bare number presses the latest ones.
        parts.extend(render.button_lines([[b.text for b in row] for row in message.buttons], 1))
        options = self.options(message.chat_id)
        keyboard = self.sandbox.reply_keyboard(message.chat_id)
        if message.reply_keyboard and message.reply_keyboard == keyboard:
            first = len(options) - sum(len(row) for row in keyboard) + 1
            parts.extend(render.button_lines(keyboard, first))
        return "\n".join(parts) or "(empty message)"

    def _save_file(self, message: ChatMessage) -> str:
        kind = "photo" if message.photo is not None else "document"
        data = message.photo if message.photo is not None else message.document
        assert data is not None
        default = "photo.jpg" if kind == "photo" else "document.bin"
        name = _UNSAFE_NAME.sub("_", Path(message.filename or default).name).strip("._")
        self.files_dir.mkdir(parents=True, exist_ok=True)
        where = "group-" if message.chat_id < 0 else ""
        path = self.files_dir / f"{where}{message.message_id}-{name or default}"
        path.write_bytes(data)
        return demo_texts.saved_file(kind, str(path))
