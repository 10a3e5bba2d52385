"""Inline and reply keyboards shared by onboarding, settings and breathing, and safe edits."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import time

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.domain.zones import COMMON_ZONES
from bot.telegram import callbacks, texts

log = logging.getLogger(__name__)

# Telegram's answers when the pressed message cannot take the edit at all.
_CANNOT_EDIT = (
    "there is no text in the message to edit",
    "message to edit not found",
    "message can't be edited",
)


def button(label: str, area: str, action: str, *args: object) -> InlineKeyboardButton:
    """Make one callback button."""
    return InlineKeyboardButton(label, callback_data=callbacks.encode(area, action, *args))


def rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out `width` to a row."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def inline(*groups: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    """Join rows of buttons into one inline keyboard."""
    return InlineKeyboardMarkup([row for group in groups for row in group])


def compact(t: time) -> str:
    """Write a time as callback-safe "HHMM"."""
    return f"{t:%H%M}"


def from_compact(value: str) -> time:
    """Read "HHMM" from callback data; raise BadCallback if it is not a time."""
    if len(value) != 4 or not value.isdigit():
        raise callbacks.BadCallback("bad time")
    try:
        return time(int(value[:2]), int(value[2:]))
    except ValueError:
        raise callbacks.BadCallback("bad time") from None


def zone_buttons(area: str) -> list[list[InlineKeyboardButton]]:
    """The short list of common zones plus the share-location button."""
    picks = [button(label, area, "z", i) for i, (label, _) in enumerate(COMMON_ZONES)]
    return [*rows(picks, 3), [button(texts.BUTTON_SHARE_LOCATION, area, "loc")]]


def zone_from_index(args: list[str]) -> str:
    """Return the IANA zone a zone button stands for."""
    index = callbacks.int_arg(args)
    if not 0 <= index < len(COMMON_ZONES):
        raise callbacks.BadCallback("no such zone")
    return COMMON_ZONES[index][1]


def time_buttons(
    area: str, action: str, times: Sequence[time]
) -> list[list[InlineKeyboardButton]]:
    """Buttons for a few clock times."""
    return rows([button(f"{t:%H:%M}", area, action, compact(t)) for t in times], 3)


def window_buttons(
    area: str, action: str, windows: Sequence[tuple[time, time]]
) -> list[list[InlineKeyboardButton]]:
    """Buttons for a few time ranges."""
    return rows(
        [
            button(f"{a:%H:%M}–{b:%H:%M}", area, action, f"{compact(a)}-{compact(b)}")
            for a, b in windows
        ],
        2,
    )


def window_from_arg(args: list[str]) -> tuple[time, time]:
    """Read "HHMM-HHMM" from callback data."""
    if len(args) != 1 or args[0].count("-") != 1:
        raise callbacks.BadCallback("bad window")
    start, end = args[0].split("-")
    return from_compact(start), from_compact(end)


def location_request() -> ReplyKeyboardMarkup:
    """A reply keyboard whose button shares the person's location."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(texts.BUTTON_SEND_LOCATION, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def remove() -> ReplyKeyboardRemove:
    """Take the reply keyboard away."""
    return ReplyKeyboardRemove()


async def edit(
    query: CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    parse_mode: str | None = ParseMode.HTML,
) -> bool:
    """Show new text and buttons on the pressed message; return False if it cannot show them."""
    # An identical edit (a double tap) already counts as done (see telegram.transport).
    try:
        await query.edit_message_text(text, parse_mode=parse_mode, reply_markup=markup)
    except BadRequest as exc:
        reason = str(exc).lower()
        if not any(why in reason for why in _CANNOT_EDIT):
            raise
        # Only a forged press (or one on a message since deleted) gets here; the press is
        # still answered and counted, there is just nothing to show it on.
        log.info("could not edit message %s: %s", _message_id(query), exc)
        return False
    return True


def _message_id(query: CallbackQuery) -> int | None:
    return query.message.message_id if query.message is not None else None


def owned(query: CallbackQuery) -> bool:
    """Tell whether the presser owns the message (their own private chat)."""
    message = query.message
    return message is not None and message.chat.id == query.from_user.id
