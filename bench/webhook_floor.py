"""The webhook's floor: PTB alone, answering the bench's updates with no database and no logic.

Run by bench/webhook.py with `--floor` in place of `python -m bot run`, with the same
environment. It keeps what any PTB bot on a webhook pays: aiohttp's server, the JSON parse,
`Update.de_json`, PTB's dispatch to one handler per pattern, and the same Bot API calls the
bot makes per update (a reply to a typed log, /today and /checkin; an answer and an edit for a
check-in button), on the bot's own transport (aiohttp), event loop and collector settings. It
stores nothing, so the bot's CPU per update minus the floor's is what the bot's own work (the
inbox, the services, the database, the texts) costs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import orjson
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's bot

from bot.telegram.transport import TelegramRequest
from bot.tuning import loop_factory, settle_memory

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
QUESTIONS = ("Pain?", "Stress?", "Mood?", "Sleep?", "Gut?")


def question(step: int) -> tuple[str, InlineKeyboardMarkup]:
    """A check-in question of about the bot's size, with five answer buttons."""
    buttons = [InlineKeyboardButton(str(n), callback_data=f"c:a:{step}:{n}") for n in range(5)]
    text = f"<b>{QUESTIONS[step % len(QUESTIONS)]}</b>\n0 is none, 4 is a lot."
    return text, InlineKeyboardMarkup([buttons])


async def log_food(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a typed log."""
    assert update.message is not None
    undo = InlineKeyboardMarkup([[InlineKeyboardButton("Undo", callback_data="u:1")]])
    await update.message.reply_text("Logged: kefir 🥛", reply_markup=undo)


async def show_today(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /today."""
    assert update.message is not None
    await update.message.reply_text(
        "<b>Today</b>\nWater 2 of 6\nMoves 1 of 4\nCheck-in: not yet", parse_mode=ParseMode.HTML
    )


async def start_checkin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /checkin with its first question."""
    assert update.message is not None
    text, markup = question(0)
    await update.message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def record_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a check-in button and edit the question into the next one."""
    query = update.callback_query
    assert query is not None and query.data is not None
    step = int(query.data.split(":")[2]) + 1
    await query.answer()
    text, markup = question(step)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def main() -> None:
    """Serve the webhook until SIGTERM."""
    api = os.environ["TELEGRAM_API_URL"]  # the sandbox's, ending in /bot
    request = TelegramRequest(connection_pool_size=64)  # the bot's transport (aiohttp)
    app = (
        Application.builder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(api)
        .base_file_url(api.rstrip("/").removesuffix("/bot") + "/file/bot")
        .request(request)
        .get_updates_request(TelegramRequest())
        .concurrent_updates(256)
        .updater(None)
        .build()
    )
    app.add_handler(CommandHandler("today", show_today))
    app.add_handler(CommandHandler("checkin", start_checkin))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, log_food))
    app.add_handler(CallbackQueryHandler(record_answer, pattern=r"^c:"))
    secret = os.environ["WEBHOOK_SECRET"].encode()

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER, "").encode() != secret:
            return web.Response(status=403)
        update = Update.de_json(orjson.loads(await request.read()), app.bot)
        await app.update_queue.put(update)
        return web.Response(status=200)

    server = web.Application()
    server.router.add_post("/telegram", receive)
    runner = web.AppRunner(server, access_log=None, handle_signals=False)
    await runner.setup()
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    async with app:
        await app.start()
        await web.TCPSite(
            runner, os.environ["WEBHOOK_LISTEN"], int(os.environ["WEBHOOK_PORT"])
        ).start()
        settle_memory()  # as the bot does once started
        await stopping.wait()
        await runner.cleanup()
        await app.stop()


if __name__ == "__main__":
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(main())
