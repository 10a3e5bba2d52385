"""Handlers every chat needs: /help, unknown commands."""

from __future__ import annotations

from telegram import Update
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


async def unknown_command(update: Update, context: Context) -> None:
    """Answer a command nobody handles."""
    message = update.effective_message
    assert message is not None
    await message.reply_text(texts.UNKNOWN_COMMAND)


async def unknown_button(update: Update, context: Context) -> None:
    """Answer a button press nobody handles, so the person's spinner stops."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.STALE_BUTTON)


def register(app: NudgeApp) -> None:
    """Add the basic handlers (/start belongs to bot.telegram.onboarding)."""
    app.add_handler(CommandHandler("help", show_help))


def register_fallbacks(app: NudgeApp) -> None:
    """Add the handlers for commands and buttons nothing else took (last in group 0)."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    # Junk or forged callback data matches no feature's pattern; left alone it spins forever.
    app.add_handler(CallbackQueryHandler(unknown_button))
