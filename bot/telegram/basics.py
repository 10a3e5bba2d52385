"""Handlers every chat needs: /help, unknown commands, messages the bot cannot read."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.services import people
from bot.telegram import texts
from bot.telegram.context import Context, NudgeApp


def speaker(update: Update) -> people.Speaker:
    """Describe who sent an update."""
    user = update.effective_user
    assert user is not None
    return people.Speaker(user.id, user.first_name, user.username, user.language_code)


async def show_help(update: Update, context: Context) -> None:
    """List the commands."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.HELP, parse_mode=ParseMode.HTML)


class _ForAnotherBot(filters.MessageFilter):
    """A command addressed to some other bot: /cmd@otherbot."""

    def filter(self, message: Message) -> bool:
        entity = message.entities[0] if message.entities else None
        if entity is None or entity.type != MessageEntity.BOT_COMMAND or entity.offset != 0:
            return False
        command = message.parse_entity(entity)
        _, at, addressee = command.partition("@")
        own = message.get_bot().username or ""
        return bool(at) and addressee.lower() != own.lower()


FOR_ANOTHER_BOT = _ForAnotherBot(name="ForAnotherBot")
# Stickers, photos, voice notes, files, contacts, polls... (a shared location has its own handler).
UNREADABLE = (
    filters.ChatType.PRIVATE
    & filters.UpdateType.MESSAGE
    & filters.ATTACHMENT
    & ~filters.LOCATION
    & ~filters.VENUE
)
# Checked in order: a GIF is also a document, a video note is not a video.
_KINDS = (
    "sticker",
    "animation",
    "photo",
    "video_note",
    "video",
    "voice",
    "audio",
    "document",
    "contact",
    "poll",
)


def attachment_kind(message: Message) -> str:
    """Name what a message carries instead of words ("other" for the rare kinds)."""
    for kind in _KINDS:
        if getattr(message, kind, None):
            return kind
    return "other"


async def unknown_command(update: Update, context: Context) -> None:
    """Answer a command nobody handles."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.UNKNOWN_COMMAND)


async def cannot_read(update: Update, context: Context) -> None:
    """Say in one line what the bot understands when a person sends something it cannot read."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    answering = await people.pending(context.uow(), user.id) is not None
    await message.reply_text(texts.cannot_read(attachment_kind(message), answering=answering))


async def unknown_button(update: Update, context: Context) -> None:
    """Answer a button press nobody handles, so the person's spinner stops."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.STALE_BUTTON)


def register(app: NudgeApp) -> None:
    """Add the basic handlers (/start belongs to bot.telegram.onboarding)."""
    app.add_handler(CommandHandler("help", show_help))


def register_fallbacks(app: NudgeApp) -> None:
    """Add the handlers for commands, buttons and messages nothing else took (last in group 0)."""
    # In a group where the bot is an admin it sees every command; those for other bots are not
    # ours to answer (CommandHandler already skips them, so they would land here).
    app.add_handler(MessageHandler(filters.COMMAND & ~FOR_ANOTHER_BOT, unknown_command))
    app.add_handler(MessageHandler(UNREADABLE, cannot_read))
    # Junk or forged callback data matches no feature's pattern; left alone it spins forever.
    app.add_handler(CallbackQueryHandler(unknown_button))
