"""/tip: one tip now, chosen so the person does not see the same tips over and over."""

from __future__ import annotations

import random

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot.domain.habits import CATALOG, Habit
from bot.services import tips
from bot.telegram import texts
from bot.telegram.context import Context, NudgeApp

_RNG = random.Random()


def topic_label(topic: str) -> str:
    """Name a tip's topic, e.g. "💧 Hydration"."""
    try:
        return CATALOG[Habit(topic)].label
    except ValueError:
        return texts.TIP_GENERAL


async def send_tip(update: Update, context: Context) -> None:
    """Send one tip (in a group: a tip for everyone, nothing stored)."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    assert chat is not None and message is not None
    person_id = user.id if user is not None and chat.type == "private" else None
    chosen = await tips.next_tip(context.uow(), person_id, _RNG)
    await message.reply_text(
        texts.tip(topic_label(chosen.topic), chosen.text), parse_mode=ParseMode.HTML
    )


def register(app: NudgeApp) -> None:
    """Add /tip."""
    app.add_handler(CommandHandler("tip", send_tip))
