"""A shared location as an answer to "which time zone?", for setup and settings alike.

The features that ask for a zone offer the share-location button through `ask`; bot/app.py
registers which feature takes the zone for which of its questions, so neither feature knows
the other's questions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from telegram import CallbackQuery, Update
from telegram.ext import MessageHandler, filters

from bot.domain.pending import Feature
from bot.domain.zones import zone_from_location
from bot.telegram import keyboards, texts
from bot.telegram.context import Context, NudgeApp

# Stores the zone found from a shared location and tells the person.
ZoneTaker = Callable[[Update, Context, str], Awaitable[None]]


async def ask(query: CallbackQuery, context: Context) -> None:
    """Offer the reply keyboard button that shares a location."""
    await context.bot.send_message(
        query.from_user.id, texts.LOCATION_ASK, reply_markup=keyboards.location_request()
    )
    await query.answer()


@dataclass(frozen=True)
class LocationZones:
    """Which feature takes a shared location, by the question it asked: (feature, step)."""

    takers: Mapping[tuple[Feature, str], ZoneTaker]

    async def on_location(self, update: Update, context: Context) -> None:
        """Turn a shared location into a time zone for the question that asked for one."""
        message, user = update.effective_message, update.effective_user
        assert message is not None and user is not None and message.location is not None
        person = await context.person(user.id)
        pending = person.pending if person is not None else None
        taker = None if pending is None else self.takers.get((pending.feature, pending.step))
        if taker is None:
            await message.reply_text(texts.LOCATION_UNEXPECTED, reply_markup=keyboards.remove())
            return
        # The first lookup loads timezonefinder's polygons (about 0.3 s): keep the loop free.
        found = await asyncio.to_thread(
            zone_from_location, message.location.latitude, message.location.longitude
        )
        if found is None:
            await message.reply_text(texts.LOCATION_UNKNOWN, reply_markup=keyboards.remove())
            return
        await taker(update, context, found.key)

    def register(self, app: NudgeApp) -> None:
        """Add the handler for shared locations in private chats."""
        # New messages only: a live location sends an edit every few seconds; one is enough.
        shared = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.LOCATION
        app.add_handler(MessageHandler(shared, self.on_location))
