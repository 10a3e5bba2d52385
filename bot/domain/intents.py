"""What the bot decided to say, as values: the outbox stores them as versioned intents.

A delivery's payload is {"v": 1, "kind": ..., "params": {...}}: which message and its facts,
never its words. The Telegram layer renders it when it is sent, so a wording fix (or a
person's language) reaches messages already queued. A payload without "v" is a message
rendered before intents existed (version 0, kind "rendered"): it is sent as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Self

from bot.domain.challenges import Standing

VERSION = 1
RENDERED = "rendered"


@dataclass(frozen=True)
class Intent:
    """A decoded outbox payload: its version, its kind and its parameters."""

    kind: str
    params: Mapping[str, Any]
    v: int = VERSION


class UnknownVersion(ValueError):
    """A payload written by a newer version of the bot."""


def decode(payload: Mapping[str, Any]) -> Intent:
    """Read an outbox payload; one without a version is a message rendered before intents."""
    v = payload.get("v")
    if v is None:
        return Intent(RENDERED, payload, 0)
    if not isinstance(v, int) or v > VERSION:
        raise UnknownVersion(str(v))
    params = payload.get("params")
    return Intent(str(payload.get("kind")), params if isinstance(params, Mapping) else {}, v)


def encode(message: Message) -> dict[str, Any]:
    """Return the outbox payload of a message."""
    return {"v": VERSION, "kind": message.KIND, "params": message.params()}


def rendered(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Wrap a message rendered before intents existed (what migration 0010 writes)."""
    return {"v": 0, "kind": RENDERED, "params": dict(payload)}


class Message:
    """A kind of message the bot sends from the outbox."""

    KIND: ClassVar[str]

    def params(self) -> dict[str, Any]:
        """Return the parameters as JSON values."""
        raise NotImplementedError

    @classmethod
    def of(cls, p: Mapping[str, Any]) -> Self:
        """Read the message back from its parameters."""
        raise NotImplementedError


@dataclass(frozen=True)
class NudgeDue(Message):
    """A habit's nudge: which of its texts, and where the person stands today."""

    KIND: ClassVar[str] = "nudge"
    habit: str
    text: int  # index into the habit's nudge texts (bot.domain.content)
    done: int = 0
    goal: int | None = None
    after_miss: bool = False

    def params(self) -> dict[str, Any]:
        return {
            "habit": self.habit,
            "text": self.text,
            "done": self.done,
            "goal": self.goal,
            "after_miss": self.after_miss,
        }

    @classmethod
    def of(cls, p: Mapping[str, Any]) -> NudgeDue:
        return cls(p["habit"], int(p["text"]), int(p["done"]), p.get("goal"), p["after_miss"])


@dataclass(frozen=True)
class LessOften(Message):
    """One line saying a habit's nudges thin out, with a way to keep them."""

    KIND: ClassVar[str] = "less_often"
    habit: str

    def params(self) -> dict[str, Any]:
        return {"habit": self.habit}

    @classmethod
    def of(cls, p: Mapping[str, Any]) -> LessOften:
        return cls(p["habit"])


@dataclass(frozen=True)
class FollowUp(Message):
    """The check-in reminder of a day after an escalation: did you get it checked?"""

    KIND: ClassVar[str] = "follow_up"
    day: date
    today: date
    signs: tuple[str, ...]

    def params(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "today": self.today.isoformat(),
            "signs": list(self.signs),
        }

    @classmethod
    def of(cls, p: Mapping[str, Any]) -> FollowUp:
        return cls(date.fromisoformat(p["day"]), date.fromisoformat(p["today"]), tuple(p["signs"]))


@dataclass(frozen=True)
class WeeklySummaryDue(Message):
    """A person's weekly summary, built from their data as of `as_of` when it is sent."""

    KIND: ClassVar[str] = "weekly_summary"
    as_of: datetime

    def params(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat()}

    @classmethod
    def of(cls, p: Mapping[str, Any]) -> WeeklySummaryDue:
        return cls(datetime.fromisoformat(p["as_of"]))


@dataclass(frozen=True)
class NudgePassed(Message):
    """An edit of an unanswered nudge down to one quiet line, without its buttons."""

    KIND: ClassVar[str] = "nudge_passed"
    habit: str
    sent_at: datetime
    zone: str
    message_id: int

    def params(self) -> dict[str, Any]:
        return {
            "habit": self.habit,
            "sent_at": self.sent_at.isoformat(),
            "zone": self.zone,
            "message_id": self.message_id,
        }

    @classmethod
    def of(cls, p: Mapping[str, Any]) -> NudgePassed:
        return cls(
            p["habit"], datetime.fromisoformat(p["sent_at"]), p["zone"], int(p["message_id"])
        )


@dataclass(frozen=True)
class ChallengeBoard(Message):
    """A challenge's standings as posted: the first members, how many more, the finishers."""

    KIND: ClassVar[str] = "challenge_board"
    challenge_id: int
    title: str
    day_number: int
    days: int
    daily_target: int
    final: bool
    ranked: tuple[Standing, ...]
    hidden: int
    winners: tuple[str, ...]

    def params(self) -> dict[str, Any]:
        return {
            "challenge_id": self.challenge_id,
            "title": self.title,
            "day_number": self.day_number,
            "days": self.days,
            "daily_target": self.daily_target,
            "final": self.final,
            "ranked": [[s.person_id, s.name, s.days_done, s.today, s.streak] for s in self.ranked],
            "hidden": self.hidden,
            "winners": list(self.winners),
        }

    @classmethod
    def of(cls, p: Mapping[str, Any]) -> ChallengeBoard:
        return cls(
            int(p["challenge_id"]),
            p["title"],
            int(p["day_number"]),
            int(p["days"]),
            int(p["daily_target"]),
            bool(p["final"]),
            tuple(
                Standing(int(a), str(b), int(c), int(d), int(e)) for a, b, c, d, e in p["ranked"]
            ),
            int(p["hidden"]),
            tuple(p["winners"]),
        )


@dataclass(frozen=True)
class BroadcastMessage(Message):
    """An admin's message to everyone, sent as they wrote it."""

    KIND: ClassVar[str] = "broadcast"
    text: str

    def params(self) -> dict[str, Any]:
        return {"text": self.text}

    @classmethod
    def of(cls, p: Mapping[str, Any]) -> BroadcastMessage:
        return cls(p["text"])
