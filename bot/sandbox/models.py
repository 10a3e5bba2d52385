"""Plain data the sandbox keeps about people, chats and messages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

JsonDict = dict[str, Any]

EventKind = Literal["message", "edit", "delete", "callback_answer"]


@dataclass(frozen=True)
class User:
    """A person (or the bot) as Telegram describes them."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "en"
    last_name: str | None = None
    is_bot: bool = False

    def to_dict(self) -> JsonDict:
        """Render the Telegram ``User`` object."""
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    """A private chat, group or supergroup the sandbox knows about."""

    id: int
    type: Literal["private", "group", "supergroup"]
    title: str | None = None
    user: User | None = None
    member_ids: list[int] = field(default_factory=list)
    creator_id: int | None = None
    admin_ids: set[int] = field(default_factory=set)
    bot_status: str = "left"
    migrated_to: int | None = None
    migrated_from: int | None = None
    next_message_id: int = 1

    def to_dict(self) -> JsonDict:
        """Render the Telegram ``Chat`` object."""
        if self.type == "private" and self.user is not None:
            data: JsonDict = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.type == "group":
            data["all_members_are_administrators"] = False
        return data


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the person sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ChatMessage:
    """A snapshot of one message in a chat, with edits applied."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None
    buttons: list[list[Button]]
    reply_keyboard: list[list[str]] | None
    photo: bytes | None
    document: bytes | None
    filename: str | None
    location: tuple[float, float] | None
    edited: bool
    raw: JsonDict

    @property
    def button_texts(self) -> list[str]:
        """Return all inline button labels, row by row."""
        return [b.text for row in self.buttons for b in row]


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a callback query."""

    text: str | None
    show_alert: bool
    url: str | None = None
    cache_time: int | None = None


@dataclass(frozen=True)
class SandboxEvent:
    """A bot-side change an observer may want to show."""

    kind: EventKind
    chat_id: int
    message: ChatMessage | None
    query_id: str | None = None
    answer: CallbackAnswer | None = None


@dataclass
class Stats:
    """Counters of what the bot did against the sandbox."""

    sent: int = 0
    rejected_429: int = 0
    rejected_403: int = 0
    injected_failures: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    sent_by_method: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0


@dataclass
class WebhookDeliveries:
    """Counters of updates the sandbox posted to the bot's webhook."""

    delivered: int = 0
    # Updates given up on after every retry failed (Telegram would keep trying longer).
    failed: int = 0
    # Every POST made, retries included.
    attempts: int = 0
    last_error: str | None = None


@dataclass
class StoredFile:
    """An uploaded file the bot can fetch again by ``file_id``."""

    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None
    file_path: str


@dataclass
class StoredMessage:
    """The sandbox's own record of a message; ``raw`` is the Telegram JSON."""

    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    raw: JsonDict
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    edited: bool = False
    deleted: bool = False
    answered_queries: list[str] = field(default_factory=list)

    def snapshot(self) -> ChatMessage:
        """Return the person's view of this message."""
        raw = self.raw
        markup = raw.get("reply_markup") or {}
        buttons = [
            [
                Button(
                    text=b.get("text", ""), callback_data=b.get("callback_data"), url=b.get("url")
                )
                for b in row
            ]
            for row in markup.get("inline_keyboard", [])
        ]
        reply_keyboard = raw.get("_reply_keyboard")
        loc = raw.get("location")
        return ChatMessage(
            message_id=self.message_id,
            chat_id=self.chat_id,
            from_bot=self.from_bot,
            sender_id=self.sender_id,
            date=int(raw.get("date", 0)),
            text=raw.get("text", raw.get("caption")),
            buttons=buttons,
            reply_keyboard=reply_keyboard,
            photo=self.photo,
            document=self.document,
            filename=self.filename,
            location=(loc["latitude"], loc["longitude"]) if loc else None,
            edited=self.edited,
            raw={k: v for k, v in raw.items() if not k.startswith("_")},
        )

    def public(self) -> JsonDict:
        """Return the Telegram JSON without sandbox-private keys."""
        return {k: v for k, v in self.raw.items() if not k.startswith("_")}
