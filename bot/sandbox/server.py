"""A local Telegram Bot API server on 127.0.0.1 plus a driver API that plays people."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import logging
import mimetypes
import re
import secrets
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web
from aiohttp.web_request import FileField

from bot.sandbox.limits import FloodController, FloodLimits, ManualTime
from bot.sandbox.models import (
    CallbackAnswer,
    Chat,
    ChatMessage,
    EventKind,
    JsonDict,
    SandboxEvent,
    Stats,
    StoredFile,
    StoredMessage,
    User,
    WebhookDeliveries,
)
from bot.sandbox.text import EntityParseError, command_entity, parse_text

log = logging.getLogger(__name__)

ChatRef = int | User | Chat
Subscriber = Callable[[SandboxEvent], object]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
# How long a driver waits for a condition by default: generous, since a busy machine is slow and
# a condition that holds returns at once.
PATIENCE = 60.0
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
DEFAULT_ALLOWED = {
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "my_chat_member",
    "inline_query",
    "chosen_inline_result",
}
_INLINE_ACTIONS = {
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "login_url",
    "callback_game",
    "pay",
    "copy_text",
}
_ACCEPT_ONLY = (
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
    "pinChatMessage",
    "unpinChatMessage",
    "unpinAllChatMessages",
    "setMessageReaction",
)
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_ANONYMOUS_ADMIN = User(
    id=1087968824, first_name="Group", username="GroupAnonymousBot", is_bot=True
)


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        """Keep the HTTP status, description and optional parameters."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        """Return the JSON body Telegram would send."""
        data: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def _bad(description: str, parameters: JsonDict | None = None) -> ApiError:
    """Return a 400 Bad Request error."""
    return ApiError(400, f"Bad Request: {description}", parameters)


@dataclass
class _Fault:
    """One injected failure: an error answer, a non-JSON page, or a dropped connection."""

    status: int
    description: str
    parameters: JsonDict | None
    # A body that is not the Bot API's JSON (what a proxy in front of Telegram sends on a 502).
    page: str | None = None
    # Close the connection without an answer: before the method runs, or after it took effect.
    drop: str | None = None


@dataclass
class _Query:
    """A callback query the bot has to answer."""

    chat_id: int
    message_id: int
    user: User
    data: str | None
    answer: CallbackAnswer | None = None


class _Params:
    """Request parameters from JSON, form, multipart or the query string."""

    def __init__(self, data: dict[str, Any]) -> None:
        """Wrap the merged parameter mapping."""
        self.data = data

    def has(self, name: str) -> bool:
        """Return whether ``name`` was given."""
        return self.data.get(name) is not None

    def text(self, name: str) -> str | None:
        """Return a string parameter."""
        value = self.data.get(name)
        if value is None or isinstance(value, FileField):
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict | list):
            return json.dumps(value)
        return str(value)

    def int(self, name: str) -> int | None:
        """Return an integer parameter or raise 400."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise _bad(f"invalid {name} specified") from None

    def float(self, name: str) -> float | None:
        """Return a float parameter or raise 400."""
        value = self.data.get(name)
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f"invalid {name} specified") from None

    def bool(self, name: str) -> bool:
        """Return a boolean parameter (absent means false)."""
        value = self.data.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def obj(self, name: str) -> Any:
        """Return a JSON object parameter, decoding it if it came as a string."""
        value = self.data.get(name)
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise _bad(f"can't parse {name} JSON object") from None
        return value

    def loggable(self) -> JsonDict:
        """Return the parameters with uploads replaced by their file names."""
        return {
            k: (f"<file {v.filename}>" if isinstance(v, FileField) else v)
            for k, v in self.data.items()
        }


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) of a PNG, GIF, JPEG or WebP image, or None if not an image."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 1, 1
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 <= len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(w), int(h)
            (seg,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + int(seg)
        return None
    return None


def _attachment_fields(kind: str, n: int) -> JsonDict:
    """Return the message fields of a sticker, photo, voice note, file... a person sends."""
    file = {"file_id": f"AgAD{kind}{n}", "file_unique_id": f"u{kind}{n}", "file_size": 1024}
    clip = {**file, "width": 320, "height": 240, "duration": 3}
    shapes: dict[str, JsonDict] = {
        "sticker": {
            "sticker": {
                **file,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        },
        "photo": {
            "photo": [{**file, "width": 90, "height": 90}, {**file, "width": 800, "height": 800}]
        },
        "voice": {"voice": {**file, "duration": 4, "mime_type": "audio/ogg"}},
        "audio": {"audio": {**file, "duration": 180, "mime_type": "audio/mpeg"}},
        "video": {"video": {**clip, "mime_type": "video/mp4"}},
        "video_note": {"video_note": {**file, "length": 240, "duration": 5}},
        # Telegram sends a GIF as both an animation and a document.
        "animation": {"animation": clip, "document": {**file, "file_name": "fun.gif.mp4"}},
        "document": {
            "document": {**file, "file_name": "notes.pdf", "mime_type": "application/pdf"}
        },
        "contact": {"contact": {"phone_number": "+15550100", "first_name": "Kim"}},
        "dice": {"dice": {"emoji": "🎲", "value": 4}},
    }
    if kind not in shapes:
        raise ValueError(f"unknown attachment kind {kind!r}; known: {sorted(shapes)}")
    return shapes[kind]


def _member_dict(user: User, status: str) -> JsonDict:
    """Render a Telegram ``ChatMember`` object."""
    data: JsonDict = {"status": status, "user": user.to_dict()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    elif status == "kicked":
        data["until_date"] = 0
    elif status == "restricted":
        data.update(
            is_member=True,
            can_send_messages=False,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_manage_topics=False,
            until_date=0,
        )
    return data


class BotApiSandbox:
    """A fake Telegram Bot API server for one bot token, driven from the same event loop."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "nudge_test_bot",
        bot_first_name: str = "Nudge Test Bot",
        *,
        limits: FloodLimits | None = None,
    ) -> None:
        """Create the sandbox; call ``start`` to listen."""
        self.token = token
        # Revoked (as @BotFather's /revoke does): every call answers 401 Unauthorized.
        self.token_revoked = False
        head = token.split(":", 1)[0]
        self.bot = User(
            id=int(head) if head.isdigit() else 1,
            first_name=bot_first_name,
            username=bot_username,
            is_bot=True,
        )
        self.delay: float = 0.0
        self.stats = Stats()
        self.requests: deque[tuple[str, JsonDict]] = deque(maxlen=2000)
        self._limits = limits or FloodLimits()
        self._flood_clock: Callable[[], float] = time.monotonic
        self._flood = FloodController(self._limits, self._flood_clock)
        self._users: dict[int, User] = {}
        self._chats: dict[int, Chat] = {}
        self._messages: dict[int, dict[int, StoredMessage]] = {}
        self._reply_keyboards: dict[int, list[list[str]] | None] = {}
        self._updates: list[JsonDict] = []
        self._handed_out = 0
        self._update_ids = itertools.count(1)
        # The newest update handed to the bot; tests wait until the bot has processed it.
        self.last_update_id = 0
        self._user_ids = itertools.count(10_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_001_000_000_001)
        self._query_ids = itertools.count(5_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._updates_event = asyncio.Event()
        self._change_event = asyncio.Event()
        self._poll_generation = 0
        self._allowed_updates: set[str] = set(DEFAULT_ALLOWED)
        self._faults: dict[str, deque[_Fault]] = {}
        self._slow: dict[str, deque[float]] = {}
        self._holds: dict[str, asyncio.Event] = {}
        self._commands: dict[tuple[str, int | None, int | None, str], list[JsonDict]] = {}
        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._last_webhook_error = 0
        self.webhook_deliveries = WebhookDeliveries()
        # Like Telegram, a failed POST is tried again after a growing pause; here only a few
        # times and briefly, so a test sees `failed` quickly.
        self.webhook_retries = 4
        self.webhook_backoff = 0.1
        self.webhook_timeout = 10.0
        self._queries: dict[str, _Query] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._blocked: set[int] = set()
        self._subscribers: list[Subscriber] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._busy = 0
        self._last_call = time.monotonic()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._handlers: dict[str, Callable[[_Params], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "logOut": self._accept,
            "close": self._accept,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendLocation": self._send_location,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatMemberCount": self._get_chat_member_count,
            "getChatAdministrators": self._get_chat_administrators,
            "leaveChat": self._leave_chat,
            "getFile": self._get_file,
        }
        for name in _ACCEPT_ONLY:
            self._handlers[name] = self._accept_chat
        self._canonical = {name.lower(): name for name in self._handlers}

    # ------------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> None:
        """Listen on ``host``:``port`` (0 picks a free port)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, backlog=1024)
        await site.start()
        addresses = self._runner.addresses
        self._port = int(addresses[0][1]) if addresses else port
        self._host = host
        self._stopping = False

    async def stop(self) -> None:
        """Wake long polls and shut the server down."""
        self._stopping = True
        self._pulse_updates()
        self._pulse_change()
        for method in list(self._holds):
            self.release(method)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        for task in list(self._tasks):
            task.cancel()

    async def __aenter__(self) -> Self:
        """Start on a free port."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    @property
    def port(self) -> int:
        """Return the bound TCP port."""
        return self._port

    @property
    def base_url(self) -> str:
        """Return the PTB ``base_url`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the PTB ``base_file_url``."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    @property
    def limits(self) -> FloodLimits:
        """Return the flood limits in force."""
        return self._limits

    @limits.setter
    def limits(self, value: FloodLimits) -> None:
        """Replace the flood limits and start with full buckets."""
        self._limits = value
        self._flood = FloodController(value, self._flood_clock)

    def freeze_flood_clock(self) -> ManualTime:
        """Let the flood limits' time move only when the returned clock is advanced."""
        clock = ManualTime()
        self._flood_clock = clock
        self._flood = FloodController(self._limits, clock)
        return clock

    def reset_stats(self) -> None:
        """Zero all counters."""
        self.stats = Stats()
        self.webhook_deliveries = WebhookDeliveries()

    @property
    def webhook_url(self) -> str:
        """Return the URL the bot set with setWebhook ("" when it polls)."""
        return self._webhook_url

    @property
    def webhook_secret(self) -> str | None:
        """Return the secret_token the bot set with setWebhook (Telegram never shows it)."""
        return self._webhook_secret

    # ------------------------------------------------------------------ HTTP plumbing

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        """Route one HTTP request to a Bot API method or a file download."""
        path = request.match_info.get("tail", "")
        if path.startswith("file/bot"):
            return self._download(path[len("file/bot") :])
        if not path.startswith("bot"):
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        token, _, method = path[3:].partition("/")
        if token != self.token or self.token_revoked:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        name = self._canonical.get(method.lower())
        if name is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        self.stats.calls[name] += 1
        self._pulse_change()
        polling = name == "getUpdates"
        if not polling:
            self._busy += 1
            self.stats.in_flight += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
        try:
            params = await self._read_params(request)
            self.requests.append((name, params.loggable()))
            if self.delay > 0:
                await asyncio.sleep(self.delay)
            slow = self._slow.get(name.lower())
            if slow:
                await asyncio.sleep(slow.popleft())
            gate = self._holds.get(name.lower())
            if gate is not None:
                await gate.wait()
            faults = self._faults.get(name.lower())
            fault = faults.popleft() if faults else None
            if fault is not None:
                self.stats.injected_failures += 1
                if fault.drop == "before":
                    return self._hang_up(request)
                if fault.page is not None:
                    return web.Response(
                        text=fault.page, status=fault.status, content_type="text/html"
                    )
                if fault.drop is None:
                    raise ApiError(fault.status, fault.description, fault.parameters)
            result = await self._handlers[name](params)
            if fault is not None:  # dropped after the method took effect
                return self._hang_up(request)
            return web.json_response({"ok": True, "result": result})
        except ApiError as err:
            if err.status == 403:
                self.stats.rejected_403 += 1
            return web.json_response(err.body(), status=err.status)
        finally:
            if not polling:
                self._busy -= 1
                self.stats.in_flight -= 1
                self._last_call = time.monotonic()
                self._pulse_change()

    @staticmethod
    def _hang_up(request: web.Request) -> web.StreamResponse:
        """Close the connection without answering (the client sees a dropped connection)."""
        if request.transport is not None:
            request.transport.abort()
        return web.Response()

    async def _read_params(self, request: web.Request) -> _Params:
        """Merge query-string and body parameters."""
        data: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.read()
                if body.strip():
                    try:
                        decoded = json.loads(body)
                    except ValueError:
                        raise _bad("can't parse JSON body") from None
                    if isinstance(decoded, dict):
                        data.update(decoded)
            elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
                form = await request.post()
                for key, value in form.items():
                    data[key] = value
        return _Params(data)

    def _download(self, rest: str) -> web.StreamResponse:
        """Serve a stored file at ``/file/bot<token>/<file_path>``."""
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # ------------------------------------------------------------------ notifications

    def _pulse_updates(self) -> None:
        """Wake every long poll."""
        self._updates_event.set()
        self._updates_event = asyncio.Event()

    def _pulse_change(self) -> None:
        """Wake every waiter that re-checks a condition."""
        self._change_event.set()
        self._change_event = asyncio.Event()

    def _notify(
        self,
        kind: EventKind,
        chat_id: int,
        message: StoredMessage | None,
        query_id: str | None = None,
        answer: CallbackAnswer | None = None,
    ) -> None:
        """Tell subscribers about a bot-side change."""
        self._pulse_change()
        if not self._subscribers:
            return
        event = SandboxEvent(
            kind=kind,
            chat_id=chat_id,
            message=message.snapshot() if message is not None else None,
            query_id=query_id,
            answer=answer,
        )
        for callback in list(self._subscribers):
            try:
                result = callback(event)
            except Exception:
                log.exception("sandbox subscriber failed")
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(event)`` on every bot-side change; return an unsubscribe function."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def _emit(self, kind: str, payload: JsonDict) -> JsonDict:
        """Queue one update for getUpdates."""
        update_id = next(self._update_ids)
        update: JsonDict = {"update_id": update_id, kind: payload}
        self.last_update_id = update_id
        self._updates.append(update)
        self._pulse_updates()
        self._pulse_change()
        return update

    # ------------------------------------------------------------------ lookups

    @staticmethod
    def _cid(chat: ChatRef) -> int:
        """Return the chat id of an id, a user (their private chat) or a chat."""
        return chat if isinstance(chat, int) else chat.id

    def _chat(self, chat: ChatRef) -> Chat:
        """Return a known chat or raise LookupError."""
        found = self._chats.get(self._cid(chat))
        if found is None:
            raise LookupError(f"sandbox has no chat {self._cid(chat)}")
        return found

    def chat(self, chat_id: ChatRef) -> Chat:
        """Return the sandbox's record of a chat."""
        return self._chat(chat_id)

    def user(self, user_id: int) -> User:
        """Return a person added with ``add_user``."""
        return self._users[user_id]

    def _resolve_chat_param(self, params: _Params, name: str = "chat_id") -> Chat:
        """Return the chat named by a parameter or raise 400 chat not found."""
        raw = params.text(name)
        if raw is None or not raw.strip():
            raise _bad(f"{name} is empty")
        try:
            chat_id = int(raw.strip())
        except ValueError:
            raise _bad("chat not found") from None
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad("chat not found")
        return chat

    def _target_chat(self, params: _Params) -> Chat:
        """Return the chat the bot wants to write to, applying migration, blocks and membership."""
        chat = self._resolve_chat_param(params)
        if chat.migrated_to is not None:
            raise _bad(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.type == "private":
            if chat.id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        elif chat.bot_status not in ("member", "administrator", "creator"):
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    def _flood_check(self, chat: Chat, params: _Params) -> None:
        """Raise 429 when a send would exceed the flood limits."""
        retry = self._flood.acquire(
            chat.id, chat.type != "private", paid=params.bool("allow_paid_broadcast")
        )
        if retry:
            self.stats.rejected_429 += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    def _stored(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """Return a live (not deleted) message or None."""
        msg = self._messages.get(chat_id, {}).get(message_id)
        if msg is None or msg.deleted:
            return None
        return msg

    def _new_message(
        self, chat: Chat, sender: User, fields: JsonDict, *, from_bot: bool
    ) -> StoredMessage:
        """Store a new message in ``chat``."""
        message_id = chat.next_message_id
        chat.next_message_id += 1
        raw: JsonDict = {
            "message_id": message_id,
            "from": sender.to_dict(),
            "date": int(time.time()),
            "chat": chat.to_dict(),
        }
        raw.update(fields)
        stored = StoredMessage(
            chat_id=chat.id,
            message_id=message_id,
            from_bot=from_bot,
            sender_id=sender.id,
            raw=raw,
        )
        self._messages.setdefault(chat.id, {})[message_id] = stored
        return stored

    def _record_sent(self, method: str, stored: StoredMessage) -> JsonDict:
        """Count an accepted send, notify observers and return the Message JSON."""
        self.stats.sent += 1
        self.stats.sent_by_method[method] += 1
        self._notify("message", stored.chat_id, stored)
        return stored.public()

    # ------------------------------------------------------------------ validation helpers

    def _parse_formatted(
        self, params: _Params, text_key: str, entities_key: str
    ) -> tuple[str, list[JsonDict]]:
        """Parse text with its parse mode, raising 400 on malformed entities."""
        source = params.text(text_key) or ""
        parse_mode = params.text("parse_mode")
        try:
            plain, entities = parse_text(source, parse_mode)
        except EntityParseError as err:
            raise _bad(f"can't parse entities: {err}") from None
        given = params.obj(entities_key)
        if isinstance(given, list) and given and not parse_mode:
            entities = [e for e in given if isinstance(e, dict)]
        return plain, entities

    def _check_text(self, plain: str) -> None:
        """Apply the message text length rules."""
        if not plain.strip():
            raise _bad("message text is empty")
        if len(plain) > MAX_TEXT:
            raise _bad("message is too long")

    def _parse_markup(self, params: _Params, *, inline_only: bool = False) -> JsonDict | None:
        """Validate ``reply_markup`` and return it normalised (None when absent)."""
        markup = params.obj("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            return {"inline_keyboard": self._check_inline_keyboard(markup["inline_keyboard"])}
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse reply keyboard markup JSON object")
            texts: list[list[str]] = []
            for row in rows:
                labels = []
                for button in row:
                    label = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(label, str) or not label:
                        raise _bad("can't parse keyboard button: Text is empty")
                    labels.append(label)
                texts.append(labels)
            return {"_reply_keyboard": texts, "_source": markup}
        if markup.get("remove_keyboard"):
            return {"_remove_keyboard": True}
        if markup.get("force_reply"):
            return {"_force_reply": True}
        raise _bad("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_keyboard(rows: Any) -> list[list[JsonDict]]:
        """Validate an inline keyboard like Telegram does."""
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad("can't parse inline keyboard markup JSON object")
        result: list[list[JsonDict]] = []
        count = 0
        for row in rows:
            out_row: list[JsonDict] = []
            for button in row:
                count += 1
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad("can't parse inline keyboard button: Text is empty")
                actions = [k for k in _INLINE_ACTIONS if button.get(k) is not None]
                if not actions:
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                if "callback_data" in actions:
                    data = button["callback_data"]
                    size = len(str(data).encode("utf-8"))
                    if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_BYTES:
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in actions:
                    url = str(button["url"])
                    if not url.startswith(("http://", "https://", "tg://")):
                        raise _bad("BUTTON_URL_INVALID")
                out_row.append({k: v for k, v in button.items() if v is not None})
            result.append(out_row)
        if count > 100:
            raise _bad("reply markup is too long")
        return result

    def _apply_markup(self, chat: Chat, fields: JsonDict, markup: JsonDict | None) -> None:
        """Put inline markup into the message JSON and track the chat's reply keyboard."""
        if markup is None:
            return
        if "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        elif "_reply_keyboard" in markup:
            fields["_reply_keyboard"] = markup["_reply_keyboard"]
            self._reply_keyboards[chat.id] = markup["_reply_keyboard"]
        elif "_remove_keyboard" in markup:
            self._reply_keyboards[chat.id] = None
            fields["_remove_keyboard"] = True
        elif "_force_reply" in markup:
            fields["_force_reply"] = True

    def _reply_to(self, chat: Chat, params: _Params) -> JsonDict | None:
        """Return the message being replied to, if any."""
        reply = params.obj("reply_parameters")
        target: int | None = None
        allow_missing = params.bool("allow_sending_without_reply")
        if isinstance(reply, dict) and reply.get("message_id") is not None:
            target = int(reply["message_id"])
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        elif params.has("reply_to_message_id"):
            target = params.int("reply_to_message_id")
        if target is None:
            return None
        found = self._stored(chat.id, target)
        if found is None:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        original = found.public()
        original.pop("reply_to_message", None)
        return original

    # ------------------------------------------------------------------ Bot API methods

    async def _accept(self, params: _Params) -> bool:
        """Accept a call that needs no state."""
        return True

    async def _accept_chat(self, params: _Params) -> bool:
        """Accept a chat-scoped call after checking the chat exists."""
        if params.has("chat_id"):
            self._resolve_chat_param(params)
        return True

    async def _get_me(self, params: _Params) -> JsonDict:
        """Return the bot user."""
        return {
            **self.bot.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, params: _Params) -> bool:
        """Store the webhook URL and secret, and start posting updates to it."""
        url = params.text("url") or ""
        secret = params.text("secret_token") or None
        if url and not url.startswith(("http://", "https://")):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret):
            raise _bad("secret token contains unallowed characters")
        allowed = params.obj("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = {str(a) for a in allowed} or set(DEFAULT_ALLOWED)
        self._webhook_url = url
        self._webhook_secret = secret if url else None
        if params.bool("drop_pending_updates"):
            self._drop_pending()
        if url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        self._pulse_updates()
        self._pulse_change()  # a test may wait_until the webhook is set
        return True

    async def _delete_webhook(self, params: _Params) -> bool:
        """Forget the webhook URL; updates wait for getUpdates again."""
        self._webhook_url = ""
        self._webhook_secret = None
        if params.bool("drop_pending_updates"):
            self._drop_pending()
        self._pulse_updates()  # the delivery loop wakes and ends
        self._pulse_change()
        return True

    async def _deliver_webhooks(self) -> None:
        """Post queued updates to the webhook one at a time, in order, until it is deleted."""
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while self._webhook_url and not self._stopping:
                event = self._updates_event
                batch = self._deliverable(1)
                if not batch:
                    await event.wait()
                    continue
                update = batch[0]
                if not await self._post_update(session, update):
                    continue  # the webhook was deleted meanwhile: the update waits for polling
                update_id = update["update_id"]
                self._updates = [u for u in self._updates if u["update_id"] != update_id]
                self._handed_out = max(self._handed_out, update_id)
                self._pulse_change()

    async def _post_update(self, session: aiohttp.ClientSession, update: JsonDict) -> bool:
        """POST one update with the secret header, retrying; False if the webhook went away."""
        tally = self.webhook_deliveries
        for attempt in range(self.webhook_retries + 1):
            url, secret = self._webhook_url, self._webhook_secret
            if not url:
                return False
            headers = {SECRET_HEADER: secret} if secret else {}
            tally.attempts += 1
            try:
                async with session.post(url, json=update, headers=headers) as response:
                    await response.read()
                    if 200 <= response.status < 300:
                        tally.delivered += 1
                        return True
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {type(exc).__name__}"
            tally.last_error = error
            self._last_webhook_error = int(time.time())
            if attempt < self.webhook_retries:
                await asyncio.sleep(self.webhook_backoff * 2**attempt)
        tally.failed += 1
        log.info("sandbox gave up on update %s: %s", update["update_id"], tally.last_error)
        return True

    def _drop_pending(self) -> None:
        """Discard queued updates."""
        self._updates.clear()
        self._handed_out = 0

    async def _get_webhook_info(self, params: _Params) -> JsonDict:
        """Describe the webhook."""
        info: JsonDict = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_url:
            info["allowed_updates"] = sorted(self._allowed_updates)
        if self.webhook_deliveries.last_error is not None:
            info["last_error_date"] = self._last_webhook_error
            info["last_error_message"] = self.webhook_deliveries.last_error
        return info

    def _deliverable(self, limit: int) -> list[JsonDict]:
        """Drop disallowed updates and return up to ``limit`` queued ones."""
        self._updates = [
            u
            for u in self._updates
            if any(k in self._allowed_updates for k in u if k != "update_id")
        ]
        return self._updates[:limit]

    async def _get_updates(self, params: _Params) -> list[JsonDict]:
        """Long-poll for updates, confirming those below ``offset``."""
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.int("offset")
        limit = max(1, min(params.int("limit") or 100, 100))
        timeout = max(0.0, params.float("timeout") or 0.0)
        allowed = params.obj("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = {str(a) for a in allowed} or set(DEFAULT_ALLOWED)
        if offset is not None:
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        self._pulse_updates()
        deadline = time.monotonic() + timeout
        while True:
            event = self._updates_event
            batch = self._deliverable(limit)
            if batch or self._stopping:
                if batch:
                    self._handed_out = max(self._handed_out, batch[-1]["update_id"])
                    self._pulse_change()
                return batch
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )

    @staticmethod
    def _scope_key(scope: Any, language: str) -> tuple[str, int | None, int | None, str]:
        """Return the storage key of a command scope."""
        if not isinstance(scope, dict):
            scope = {"type": "default"}
        chat_id = scope.get("chat_id")
        user_id = scope.get("user_id")
        return (
            str(scope.get("type", "default")),
            int(chat_id) if chat_id is not None else None,
            int(user_id) if user_id is not None else None,
            language,
        )

    async def _set_my_commands(self, params: _Params) -> bool:
        """Store the command list for a scope and language."""
        commands = params.obj("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        clean: list[JsonDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("can't parse BotCommand")
            command = str(item.get("command", "")).lstrip("/")
            description = str(item.get("description", ""))
            if not (
                1 <= len(command) <= 32
                and all(c.islower() or c.isdigit() or c == "_" for c in command)
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad("command description must be non-empty")
            clean.append({"command": command, "description": description})
        key = self._scope_key(params.obj("scope"), params.text("language_code") or "")
        self._commands[key] = clean
        return True

    async def _get_my_commands(self, params: _Params) -> list[JsonDict]:
        """Return the stored commands for a scope and language."""
        key = self._scope_key(params.obj("scope"), params.text("language_code") or "")
        return list(self._commands.get(key, []))

    async def _delete_my_commands(self, params: _Params) -> bool:
        """Delete the commands for a scope and language."""
        key = self._scope_key(params.obj("scope"), params.text("language_code") or "")
        self._commands.pop(key, None)
        return True

    async def _send_message(self, params: _Params) -> JsonDict:
        """Send a text message."""
        chat = self._target_chat(params)
        plain, entities = self._parse_formatted(params, "text", "entities")
        self._check_text(plain)
        markup = self._parse_markup(params)
        reply = self._reply_to(chat, params)
        self._flood_check(chat, params)
        fields: JsonDict = {"text": plain}
        if entities:
            fields["entities"] = entities
        if reply is not None:
            fields["reply_to_message"] = reply
        self._apply_markup(chat, fields, markup)
        stored = self._new_message(chat, self.bot, fields, from_bot=True)
        return self._record_sent("sendMessage", stored)

    def _caption(self, params: _Params) -> tuple[str | None, list[JsonDict]]:
        """Parse and check a media caption."""
        if not params.has("caption"):
            return None, []
        plain, entities = self._parse_formatted(params, "caption", "caption_entities")
        if len(plain) > MAX_CAPTION:
            raise _bad("message caption is too long")
        return (plain or None), entities

    def _take_file(
        self, params: _Params, field: str
    ) -> tuple[StoredFile | None, FileField | None]:
        """Return an existing file (by id) or the uploaded part for ``field``."""
        value = params.data.get(field)
        if isinstance(value, FileField):
            return None, value
        if isinstance(value, str):
            if value.startswith("attach://"):
                part = params.data.get(value[len("attach://") :])
                if isinstance(part, FileField):
                    return None, part
                raise _bad("wrong file identifier/HTTP URL specified")
            existing = self._files.get(value)
            if existing is not None:
                return existing, None
            raise _bad("wrong file identifier/HTTP URL specified")
        raise _bad(f"there is no {field} in the request")

    def _store_upload(self, upload: FileField, kind: str) -> StoredFile:
        """Keep uploaded bytes under a new file id."""
        data = upload.file.read()
        if not data:
            raise _bad("file must be non-empty")
        n = next(self._file_ids)
        filename = upload.filename or f"file_{n}"
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        ext = (
            filename.rsplit(".", 1)[-1]
            if "." in filename
            else ("jpg" if kind == "photo" else "bin")
        )
        prefix = "AgAC" if kind == "photo" else "BQAC"
        stored = StoredFile(
            file_id=f"{prefix}AgIA{n:06d}{secrets.token_hex(6)}",
            file_unique_id=f"AQAD{n:06d}",
            data=data,
            filename=filename,
            mime_type=mime,
            file_path=f"{kind}s/file_{n}.{ext}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    async def _send_media(self, params: _Params, kind: str) -> JsonDict:
        """Send a photo or a document."""
        chat = self._target_chat(params)
        existing, upload = self._take_file(params, kind)
        caption, entities = self._caption(params)
        markup = self._parse_markup(params)
        reply = self._reply_to(chat, params)
        size: tuple[int, int] | None = None
        if upload is not None and kind == "photo":
            head = upload.file.read(65536)
            upload.file.seek(0)
            size = _image_size(head)
            if size is None:
                raise _bad("IMAGE_PROCESS_FAILED")
        self._flood_check(chat, params)
        stored_file = existing if existing is not None else self._store_upload(upload, kind)  # type: ignore[arg-type]
        fields: JsonDict = {}
        if kind == "photo":
            width, height = size or _image_size(stored_file.data) or (1, 1)
            fields["photo"] = [
                {
                    "file_id": stored_file.file_id,
                    "file_unique_id": stored_file.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(stored_file.data),
                }
            ]
        else:
            fields["document"] = {
                "file_id": stored_file.file_id,
                "file_unique_id": stored_file.file_unique_id,
                "file_name": stored_file.filename,
                "mime_type": stored_file.mime_type,
                "file_size": len(stored_file.data),
            }
        if caption is not None:
            fields["caption"] = caption
            if entities:
                fields["caption_entities"] = entities
        if reply is not None:
            fields["reply_to_message"] = reply
        self._apply_markup(chat, fields, markup)
        stored = self._new_message(chat, self.bot, fields, from_bot=True)
        if kind == "photo":
            stored.photo = stored_file.data
        else:
            stored.document = stored_file.data
        stored.filename = stored_file.filename
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        return self._record_sent(method, stored)

    async def _send_photo(self, params: _Params) -> JsonDict:
        """Send a photo."""
        return await self._send_media(params, "photo")

    async def _send_document(self, params: _Params) -> JsonDict:
        """Send a document."""
        return await self._send_media(params, "document")

    async def _send_location(self, params: _Params) -> JsonDict:
        """Send a location."""
        chat = self._target_chat(params)
        lat = params.float("latitude")
        lon = params.float("longitude")
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise _bad("invalid location")
        markup = self._parse_markup(params)
        reply = self._reply_to(chat, params)
        self._flood_check(chat, params)
        fields: JsonDict = {"location": {"latitude": lat, "longitude": lon}}
        if reply is not None:
            fields["reply_to_message"] = reply
        self._apply_markup(chat, fields, markup)
        stored = self._new_message(chat, self.bot, fields, from_bot=True)
        return self._record_sent("sendLocation", stored)

    def _message_to_edit(self, params: _Params) -> tuple[Chat, StoredMessage]:
        """Return the bot message an edit targets."""
        if params.has("inline_message_id"):
            raise _bad("inline messages are not supported by the sandbox")
        chat = self._target_chat(params)
        message_id = params.int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        msg = self._stored(chat.id, message_id)
        if msg is None:
            raise _bad("message to edit not found")
        if not msg.from_bot:
            raise _bad("message can't be edited")
        return chat, msg

    def _finish_edit(
        self, msg: StoredMessage, changes: JsonDict, markup: JsonDict | None
    ) -> JsonDict:
        """Apply an edit unless nothing changes; return the edited Message JSON."""
        new_raw = dict(msg.raw)
        for key, value in changes.items():
            if value:
                new_raw[key] = value
            else:
                new_raw.pop(key, None)
        if markup is not None:
            new_raw["reply_markup"] = markup
        else:
            new_raw.pop("reply_markup", None)
        keys = ("text", "entities", "caption", "caption_entities", "reply_markup")
        if all(new_raw.get(k) == msg.raw.get(k) for k in keys):
            raise _bad(NOT_MODIFIED[len("Bad Request: ") :])
        new_raw["edit_date"] = int(time.time())
        msg.raw = new_raw
        msg.edited = True
        self._notify("edit", msg.chat_id, msg)
        return msg.public()

    async def _edit_message_text(self, params: _Params) -> JsonDict:
        """Edit the text (and inline keyboard) of a bot message."""
        _, msg = self._message_to_edit(params)
        if "text" not in msg.raw:
            raise _bad("there is no text in the message to edit")
        plain, entities = self._parse_formatted(params, "text", "entities")
        self._check_text(plain)
        markup = self._parse_markup(params, inline_only=True)
        return self._finish_edit(msg, {"text": plain, "entities": entities}, markup)

    async def _edit_message_caption(self, params: _Params) -> JsonDict:
        """Edit the caption (and inline keyboard) of a bot media message."""
        _, msg = self._message_to_edit(params)
        if "photo" not in msg.raw and "document" not in msg.raw:
            raise _bad("there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = self._parse_markup(params, inline_only=True)
        return self._finish_edit(msg, {"caption": caption, "caption_entities": entities}, markup)

    async def _edit_message_reply_markup(self, params: _Params) -> JsonDict:
        """Replace or remove the inline keyboard of a bot message."""
        _, msg = self._message_to_edit(params)
        markup = self._parse_markup(params, inline_only=True)
        return self._finish_edit(msg, {}, markup)

    def _delete_one(self, chat: Chat, message_id: int) -> bool:
        """Delete one message; return whether it existed."""
        msg = self._stored(chat.id, message_id)
        if msg is None:
            return False
        msg.deleted = True
        self._notify("delete", chat.id, msg)
        return True

    async def _delete_message(self, params: _Params) -> bool:
        """Delete a message."""
        chat = self._resolve_chat_param(params)
        message_id = params.int("message_id")
        if message_id is None or not self._delete_one(chat, message_id):
            raise _bad("message to delete not found")
        return True

    async def _delete_messages(self, params: _Params) -> bool:
        """Delete several messages, ignoring missing ones."""
        chat = self._resolve_chat_param(params)
        ids = params.obj("message_ids")
        if not isinstance(ids, list) or not ids:
            raise _bad("message_ids is empty")
        for message_id in ids:
            self._delete_one(chat, int(message_id))
        return True

    async def _answer_callback_query(self, params: _Params) -> bool:
        """Record the bot's answer to a callback query."""
        query_id = params.text("callback_query_id") or ""
        query = self._queries.get(query_id)
        if query is None or query.answer is not None:
            raise _bad(QUERY_INVALID[len("Bad Request: ") :])
        text = params.text("text")
        if text is not None and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        query.answer = CallbackAnswer(
            text=text,
            show_alert=params.bool("show_alert"),
            url=params.text("url"),
            cache_time=params.int("cache_time"),
        )
        msg = self._messages.get(query.chat_id, {}).get(query.message_id)
        if msg is not None:
            msg.answered_queries.append(query_id)
        self._notify("callback_answer", query.chat_id, msg, query_id, query.answer)
        return True

    async def _send_chat_action(self, params: _Params) -> bool:
        """Accept a chat action after the usual chat checks."""
        self._target_chat(params)
        return True

    async def _get_chat(self, params: _Params) -> JsonDict:
        """Return ChatFullInfo for a chat."""
        chat = self._resolve_chat_param(params)
        data = chat.to_dict()
        data.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return data

    def _status_of(self, chat: Chat, user_id: int) -> str:
        """Return the membership status of a user (or the bot) in a chat."""
        if user_id == self.bot.id:
            if chat.type == "private":
                return "kicked" if chat.id in self._blocked else "member"
            return chat.bot_status
        if chat.type == "private":
            return "member" if user_id == chat.id else "left"
        if user_id not in chat.member_ids:
            return "left"
        if user_id == chat.creator_id:
            return "creator"
        if user_id in chat.admin_ids:
            return "administrator"
        return "member"

    async def _get_chat_member(self, params: _Params) -> JsonDict:
        """Return a ChatMember."""
        chat = self._resolve_chat_param(params)
        user_id = params.int("user_id")
        if user_id is None:
            raise _bad("user_id is empty")
        user = self.bot if user_id == self.bot.id else self._users.get(user_id)
        if user is None:
            raise _bad("user not found")
        if chat.type != "private" and chat.bot_status not in ("member", "administrator"):
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return _member_dict(user, self._status_of(chat, user_id))

    async def _get_chat_member_count(self, params: _Params) -> int:
        """Return how many people (and the bot) are in a chat."""
        chat = self._resolve_chat_param(params)
        if chat.type == "private":
            return 2
        bot = 1 if chat.bot_status in ("member", "administrator") else 0
        return len(chat.member_ids) + bot

    async def _get_chat_administrators(self, params: _Params) -> list[JsonDict]:
        """Return the creator and administrators of a group."""
        chat = self._resolve_chat_param(params)
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        result = [
            _member_dict(self._users[uid], self._status_of(chat, uid))
            for uid in chat.member_ids
            if uid == chat.creator_id or uid in chat.admin_ids
        ]
        if chat.bot_status == "administrator":
            result.append(_member_dict(self.bot, "administrator"))
        return result

    async def _leave_chat(self, params: _Params) -> bool:
        """Make the bot leave a group."""
        chat = self._resolve_chat_param(params)
        if chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        if chat.bot_status not in ("member", "administrator"):
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        self._set_bot_status(chat, "left", by=self.bot)
        return True

    async def _get_file(self, params: _Params) -> JsonDict:
        """Return a File for a stored file id."""
        stored = self._files.get(params.text("file_id") or "")
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # ------------------------------------------------------------------ driver: people & chats

    def add_user(
        self,
        first_name: str = "Ana",
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
    ) -> User:
        """Create a person and their private chat with the bot."""
        user = User(
            id=next(self._user_ids),
            first_name=first_name,
            username=username,
            language_code=language_code,
            last_name=last_name,
        )
        self._users[user.id] = user
        self._chats[user.id] = Chat(id=user.id, type="private", user=user, member_ids=[user.id])
        return user

    def add_group(
        self,
        title: str,
        members: Iterable[User] = (),
        supergroup: bool = False,
        creator: User | None = None,
        admins: Iterable[User] = (),
    ) -> Chat:
        """Create a group (the bot is not in it yet; see ``add_bot_to_group``)."""
        people = list(members)
        owner = creator or (people[0] if people else None)
        if owner is not None and owner not in people:
            people.insert(0, owner)
        chat_id = -next(self._supergroup_ids if supergroup else self._group_ids)
        chat = Chat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            member_ids=[p.id for p in people],
            creator_id=owner.id if owner else None,
            admin_ids={a.id for a in admins},
        )
        self._chats[chat_id] = chat
        return chat

    def _set_bot_status(self, chat: Chat, status: str, by: User) -> None:
        """Change the bot's membership and emit ``my_chat_member``."""
        old = chat.bot_status
        chat.bot_status = status
        now = int(time.time())
        self._emit(
            "my_chat_member",
            {
                "chat": chat.to_dict(),
                "from": by.to_dict(),
                "date": now,
                "old_chat_member": _member_dict(self.bot, old),
                "new_chat_member": _member_dict(self.bot, status),
            },
        )

    async def add_bot_to_group(
        self, group_id: ChatRef, by: User, *, as_admin: bool = False
    ) -> ChatMessage:
        """Add the bot to a group: emit ``my_chat_member`` and a ``new_chat_members`` message."""
        chat = self._chat(group_id)
        if chat.type == "private":
            raise ValueError("cannot add the bot to a private chat")
        if by.id not in chat.member_ids:
            chat.member_ids.append(by.id)
        self._set_bot_status(chat, "administrator" if as_admin else "member", by)
        stored = self._new_message(
            chat,
            by,
            {
                "new_chat_members": [self.bot.to_dict()],
                "new_chat_member": self.bot.to_dict(),
                "new_chat_participant": self.bot.to_dict(),
            },
            from_bot=False,
        )
        self._emit("message", stored.public())
        return stored.snapshot()

    async def remove_bot_from_group(self, group_id: ChatRef, by: User) -> None:
        """Remove the bot from a group and emit ``my_chat_member``."""
        chat = self._chat(group_id)
        self._set_bot_status(chat, "kicked" if chat.type == "supergroup" else "left", by)

    async def join_group(self, user: User, group_id: ChatRef) -> ChatMessage:
        """Add a person to a group and emit a ``new_chat_members`` message."""
        chat = self._chat(group_id)
        if user.id not in chat.member_ids:
            chat.member_ids.append(user.id)
        stored = self._new_message(
            chat, user, {"new_chat_members": [user.to_dict()]}, from_bot=False
        )
        self._deliver_incoming(chat, stored)
        return stored.snapshot()

    def block(self, user: User | int) -> None:
        """Make a person block the bot; sends to them then fail with 403."""
        user_id = self._cid(user)
        chat = self._chat(user_id)
        if user_id in self._blocked:
            return
        self._blocked.add(user_id)
        self._emit(
            "my_chat_member",
            {
                "chat": chat.to_dict(),
                "from": self._users[user_id].to_dict(),
                "date": int(time.time()),
                "old_chat_member": _member_dict(self.bot, "member"),
                "new_chat_member": _member_dict(self.bot, "kicked"),
            },
        )

    def unblock(self, user: User | int) -> None:
        """Make a person unblock the bot."""
        user_id = self._cid(user)
        chat = self._chat(user_id)
        if user_id not in self._blocked:
            return
        self._blocked.discard(user_id)
        self._emit(
            "my_chat_member",
            {
                "chat": chat.to_dict(),
                "from": self._users[user_id].to_dict(),
                "date": int(time.time()),
                "old_chat_member": _member_dict(self.bot, "kicked"),
                "new_chat_member": _member_dict(self.bot, "member"),
            },
        )

    def is_blocked(self, user: User | int) -> bool:
        """Return whether a person has blocked the bot."""
        return self._cid(user) in self._blocked

    def migrate_group(self, chat_id: ChatRef, by: User | None = None) -> int:
        """Upgrade a group to a supergroup with a new id; return the new id."""
        old = self._chat(chat_id)
        if old.type != "group" or old.migrated_to is not None:
            raise ValueError(f"chat {old.id} is not a basic group that can be upgraded")
        new = Chat(
            id=-next(self._supergroup_ids),
            type="supergroup",
            title=old.title,
            member_ids=list(old.member_ids),
            creator_id=old.creator_id,
            admin_ids=set(old.admin_ids),
            bot_status=old.bot_status,
            migrated_from=old.id,
        )
        self._chats[new.id] = new
        old.migrated_to = new.id
        actor = by or (self._users.get(old.creator_id) if old.creator_id else None)
        actor = actor or _ANONYMOUS_ADMIN
        first = self._new_message(old, actor, {"migrate_to_chat_id": new.id}, from_bot=False)
        second = self._new_message(new, actor, {"migrate_from_chat_id": old.id}, from_bot=False)
        self._deliver_incoming(old, first)
        self._deliver_incoming(new, second)
        return new.id

    def _deliver_incoming(self, chat: Chat, stored: StoredMessage) -> None:
        """Emit a person's message as an update when the bot can see the chat."""
        if chat.type == "private" or chat.bot_status in ("member", "administrator"):
            self._emit("message", stored.public())

    def _incoming_chat(self, user: User, chat_id: ChatRef | None) -> Chat:
        """Return the chat a person writes to, unblocking the bot if they write privately."""
        chat = self._chat(user.id if chat_id is None else chat_id)
        if chat.type == "private":
            if chat.id != user.id:
                raise ValueError("a person can only write in their own private chat")
            if user.id in self._blocked:
                self.unblock(user)
        elif user.id not in chat.member_ids:
            chat.member_ids.append(user.id)
        return chat

    async def send_text(
        self,
        user: User,
        text: str,
        chat_id: ChatRef | None = None,
        *,
        reply_to: int | None = None,
    ) -> ChatMessage:
        """Make a person send a text message; commands get a ``bot_command`` entity."""
        chat = self._incoming_chat(user, chat_id)
        fields: JsonDict = {"text": text}
        entity = command_entity(text)
        if entity is not None:
            fields["entities"] = [entity]
        if reply_to is not None:
            original = self._stored(chat.id, reply_to)
            if original is None:
                raise LookupError(f"message {reply_to} not found in chat {chat.id}")
            quoted = original.public()
            quoted.pop("reply_to_message", None)
            fields["reply_to_message"] = quoted
        stored = self._new_message(chat, user, fields, from_bot=False)
        self._deliver_incoming(chat, stored)
        return stored.snapshot()

    async def send_location(
        self, user: User, latitude: float, longitude: float, chat_id: ChatRef | None = None
    ) -> ChatMessage:
        """Make a person share a location."""
        chat = self._incoming_chat(user, chat_id)
        fields: JsonDict = {"location": {"latitude": latitude, "longitude": longitude}}
        stored = self._new_message(chat, user, fields, from_bot=False)
        self._deliver_incoming(chat, stored)
        return stored.snapshot()

    async def send_attachment(
        self,
        user: User,
        kind: str,
        chat_id: ChatRef | None = None,
        *,
        caption: str | None = None,
    ) -> ChatMessage:
        """Make a person send a sticker, photo, voice note, file, contact... (no words)."""
        chat = self._incoming_chat(user, chat_id)
        fields = _attachment_fields(kind, next(self._file_ids))
        if caption is not None:
            fields["caption"] = caption
        stored = self._new_message(chat, user, fields, from_bot=False)
        self._deliver_incoming(chat, stored)
        return stored.snapshot()

    async def move_live_location(
        self, user: User, message_id: int, latitude: float, longitude: float
    ) -> None:
        """Move a person's live location: Telegram sends each move as an edited message."""
        stored = self._stored(user.id, message_id)
        if stored is None or stored.from_bot or "location" not in stored.raw:
            raise LookupError(f"no location {message_id} from {user.id} to move")
        stored.raw["location"] = {
            "latitude": latitude,
            "longitude": longitude,
            "live_period": 900,
        }
        stored.raw["edit_date"] = int(time.time())
        self._emit("edited_message", stored.public())

    def _callback(self, user: User, msg: StoredMessage, data: str) -> str:
        """Emit a callback query for ``msg`` and return its id."""
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _Query(
            chat_id=msg.chat_id, message_id=msg.message_id, user=user, data=data
        )
        self._emit(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "message": msg.public(),
                "chat_instance": str(abs(hash((msg.chat_id, self.bot.id))) % 10**18),
                "data": data,
            },
        )
        return query_id

    def _bot_message(self, user: User, message_id: int, chat_id: ChatRef | None) -> StoredMessage:
        """Return a live bot message a person can press buttons on."""
        cid = user.id if chat_id is None else self._cid(chat_id)
        msg = self._stored(cid, message_id)
        if msg is None:
            raise LookupError(f"message {message_id} not found in chat {cid}")
        if not msg.from_bot:
            raise LookupError(f"message {message_id} in chat {cid} was not sent by the bot")
        return msg

    async def press_button(
        self,
        user: User,
        message_id: int,
        chat_id: ChatRef | None = None,
        *,
        text: str | None = None,
        data: str | None = None,
    ) -> str:
        """Press an inline button found by label or callback data; return the query id."""
        if text is None and data is None:
            raise ValueError("press_button needs text= or data=")
        msg = self._bot_message(user, message_id, chat_id)
        rows = (msg.raw.get("reply_markup") or {}).get("inline_keyboard", [])
        for row in rows:
            for button in row:
                if (text is None or button.get("text") == text) and (
                    data is None or button.get("callback_data") == data
                ):
                    if button.get("callback_data") is None:
                        raise ValueError(f"button {button.get('text')!r} has no callback_data")
                    return self._callback(user, msg, str(button["callback_data"]))
        labels = [(b.get("text"), b.get("callback_data")) for row in rows for b in row]
        raise LookupError(
            f"no button text={text!r} data={data!r} on message {message_id}; buttons: {labels}"
        )

    async def press_callback(
        self, user: User, message_id: int, data: str, chat_id: ChatRef | None = None
    ) -> str:
        """Send a callback query with arbitrary (possibly forged) data; return the query id."""
        msg = self._bot_message(user, message_id, chat_id)
        return self._callback(user, msg, data)

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        """Return the bot's answer to a callback query, or None if unanswered."""
        query = self._queries.get(query_id)
        return query.answer if query else None

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = PATIENCE,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Wait until the bot answers a callback query."""
        await self.wait_until(lambda: self.callback_answer(query_id) is not None, timeout)
        answer = self.callback_answer(query_id)
        assert answer is not None
        return answer

    # ------------------------------------------------------------------ driver: reading

    def transcript(self, chat_id: ChatRef) -> list[ChatMessage]:
        """Return the chat as a person sees it: edits applied, deletions removed."""
        messages = self._messages.get(self._cid(chat_id), {})
        return [m.snapshot() for m in messages.values() if not m.deleted]

    def bot_messages(self, chat_id: ChatRef) -> list[ChatMessage]:
        """Return only the bot's live messages in a chat."""
        messages = self._messages.get(self._cid(chat_id), {})
        return [m.snapshot() for m in messages.values() if m.from_bot and not m.deleted]

    def last_bot_message(self, chat_id: ChatRef) -> ChatMessage | None:
        """Return the bot's latest live message in a chat."""
        messages = self._messages.get(self._cid(chat_id), {})
        for msg in reversed(list(messages.values())):
            if msg.from_bot and not msg.deleted:
                return msg.snapshot()
        return None

    def reply_keyboard(self, chat_id: ChatRef) -> list[list[str]] | None:
        """Return the reply keyboard a person currently sees in a chat."""
        return self._reply_keyboards.get(self._cid(chat_id))

    def commands(
        self,
        scope_type: str = "default",
        chat_id: int | None = None,
        language_code: str = "",
        user_id: int | None = None,
    ) -> list[tuple[str, str]]:
        """Return the (command, description) list the bot set for a scope."""
        stored = self._commands.get((scope_type, chat_id, user_id, language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    def pending_updates(self) -> int:
        """Return how many updates the bot has not confirmed yet."""
        return len(self._updates)

    def _format_transcript(self, chat_id: int) -> str:
        """Return a readable transcript for error messages."""
        lines = []
        for m in self.transcript(chat_id):
            who = "bot" if m.from_bot else f"user {m.sender_id}"
            lines.append(f"  #{m.message_id} {who}: {m.text!r} {m.button_texts or ''}")
        return "\n".join(lines) or "  (empty)"

    # ------------------------------------------------------------------ driver: waiting

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = PATIENCE,  # noqa: ASYNC109
    ) -> None:
        """Wait until ``predicate()`` is true, re-checking on every sandbox change."""
        deadline = time.monotonic() + timeout
        while True:
            event = self._change_event
            if predicate():
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def wait_for_bot_message(
        self,
        chat_id: ChatRef,
        count: int = 1,
        timeout: float = PATIENCE,  # noqa: ASYNC109
        after_message_id: int | None = None,
    ) -> list[ChatMessage]:
        """Wait until the bot has sent ``count`` new messages to a chat; return them."""
        cid = self._cid(chat_id)
        if after_message_id is None:
            existing = self._messages.get(cid, {})
            after_message_id = max(existing, default=0)
        baseline = after_message_id

        def new_messages() -> list[StoredMessage]:
            return [
                m
                for mid, m in self._messages.get(cid, {}).items()
                if mid > baseline and m.from_bot and not m.deleted
            ]

        try:
            await self.wait_until(lambda: len(new_messages()) >= count, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"bot sent {len(new_messages())} of {count} expected messages to chat {cid} "
                f"within {timeout}s; transcript:\n{self._format_transcript(cid)}"
            ) from None
        return [m.snapshot() for m in new_messages()]

    async def settle(
        self,
        quiet: float = 0.3,
        timeout: float = PATIENCE,  # noqa: ASYNC109
    ) -> None:
        """Return once the bot has made no call but getUpdates for ``quiet`` seconds."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            event = self._change_event
            now = time.monotonic()
            undelivered = any(u["update_id"] > self._handed_out for u in self._updates)
            idle_since = max(self._last_call, started)
            if self._busy == 0 and not undelivered and now - idle_since >= quiet:
                return
            if now >= deadline:
                raise TimeoutError(f"bot did not go quiet for {quiet}s within {timeout}s")
            wait = min(deadline - now, max(quiet - (now - idle_since), 0.01))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), wait)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        status: int = 500,
        count: int = 1,
        description: str = "Internal Server Error",
        parameters: JsonDict | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with ``status``."""
        if status == 429 and parameters is None:
            parameters = {"retry_after": 1}
        queue = self._faults.setdefault(method.lower(), deque())
        for _ in range(count):
            queue.append(_Fault(status, description, parameters))

    def fail_next_page(
        self, method: str, status: int = 502, count: int = 1, page: str = "<html>502</html>"
    ) -> None:
        """Make the next ``count`` calls of ``method`` answer ``status`` with a non-JSON page."""
        queue = self._faults.setdefault(method.lower(), deque())
        for _ in range(count):
            queue.append(_Fault(status, "", None, page=page))

    def drop_next(self, method: str, count: int = 1, *, after: bool = False) -> None:
        """Close the connection on the next ``count`` calls of ``method`` without an answer.

        By default the call is dropped before it takes effect (nothing happened, as when a
        stale connection is reused); with ``after=True`` it takes effect first and only the
        answer is lost (a retry would then do it twice).
        """
        queue = self._faults.setdefault(method.lower(), deque())
        for _ in range(count):
            queue.append(_Fault(0, "", None, drop="after" if after else "before"))

    def slow_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Delay the next ``count`` calls of ``method`` by ``seconds`` (they still take effect)."""
        queue = self._slow.setdefault(method.lower(), deque())
        for _ in range(count):
            queue.append(seconds)

    def hold(self, method: str) -> None:
        """Keep every call of ``method`` waiting (it stays in flight) until ``release``."""
        self._holds.setdefault(method.lower(), asyncio.Event())

    def release(self, method: str) -> None:
        """Let the held calls of ``method`` go on, and stop holding new ones."""
        gate = self._holds.pop(method.lower(), None)
        if gate is not None:
            gate.set()

    def clear_faults(self) -> None:
        """Forget all pending injected failures, slowdowns and holds."""
        self._faults.clear()
        self._slow.clear()
        for method in list(self._holds):
            self.release(method)
