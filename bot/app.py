"""Build the PTB Application: handlers, error handling, start-up and shutdown."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes
from telegram.request import HTTPXRequest

from bot.delivery.sender import start_sender
from bot.runtime import Runtime
from bot.scheduler import dispatcher
from bot.telegram import (
    admin,
    basics,
    breathe,
    challenges,
    checkin,
    data,
    menus,
    onboarding,
    presence,
    progress,
    quicklog,
    settings,
    text_router,
    texts,
    tips,
)
from bot.telegram import nudges as nudge_buttons
from bot.telegram.context import Context, NudgeApp
from bot.telegram.inbox import UpdateInbox

log = logging.getLogger(__name__)

# Each feature module exposes register(app); order matters only for overlapping filters.
FEATURES: list[Callable[[NudgeApp], None]] = [
    presence.register,
    basics.register,
    admin.register,
    onboarding.register,
    settings.register,
    tips.register,
    breathe.register,
    nudge_buttons.register,
    checkin.register,
    quicklog.register,
    progress.register,
    data.register,
    challenges.register,
    text_router.register,
]
# Started in post_init, stopped in post_shutdown: each gets the app and returns a stopper.
BACKGROUND: list[Callable[[NudgeApp], Any]] = [
    # First in, last out: the sender outlives the tick that feeds it.
    start_sender,
    dispatcher.start,
]


def build_application(runtime: Runtime) -> NudgeApp:
    """Create the Application wired to the runtime's settings, database and clock."""
    settings = runtime.settings
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    # Every update is stored before it is acknowledged; chats are handled concurrently.
    inbox = runtime.inbox = UpdateInbox(runtime)
    app: NudgeApp = (
        ApplicationBuilder()
        .update_queue(inbox.queue)
        .concurrent_updates(inbox.processor)
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.file_url)
        .context_types(ContextTypes(context=Context))
        # Replies to a person's own action go out at once on this bot; bulk sends use the
        # sender's own Bot and pacing. Here only a 429 is handled: wait retry_after and try
        # again (twice), so a burst of replies in one chat is delayed, never lost.
        .request(HTTPXRequest(connection_pool_size=64, read_timeout=15, write_timeout=15))
        .rate_limiter(AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=2))
        .get_updates_request(HTTPXRequest(read_timeout=40))
        .post_init(start_background)
        .post_shutdown(stop_background)
        .build()
    )
    app.bot_data["runtime"] = runtime
    for register in FEATURES:
        register(app)
    basics.register_fallbacks(app)
    app.add_error_handler(_on_error)
    return app


async def start_background(app: NudgeApp) -> None:
    """Publish the menus and start the background parts (run_polling calls this as post_init)."""
    runtime: Runtime = app.bot_data["runtime"]
    try:
        await menus.publish(app.bot, runtime.settings.admin_ids)
    except TelegramError as exc:
        log.warning("could not set the command menus: %s", exc)
    # Before polling or the webhook starts: what a crash left unhandled goes first.
    runtime.services.append(await runtime.inbox.start(app))
    for start in BACKGROUND:
        stopper = start(app)
        if stopper is not None:
            runtime.services.append(stopper)


async def stop_background(app: NudgeApp) -> None:
    """Stop the background parts (run_polling calls this as post_shutdown)."""
    runtime: Runtime = app.bot_data["runtime"]
    for stop in reversed(runtime.services):
        await stop()
    runtime.services.clear()


async def _on_error(update: object, context: Context) -> None:
    """Log an unexpected error once, with context, and apologise to the person."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("forbidden while handling an update: %s", error)
        return
    chat_id = (
        update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    )
    log.error("error while handling an update in chat %s", chat_id, exc_info=error)
    if isinstance(update, Update):
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(texts.APOLOGY[:190])
            elif update.effective_message is not None:
                await update.effective_message.reply_text(texts.APOLOGY)
        except TelegramError:
            log.info("could not deliver the apology to chat %s", chat_id)


async def start_in_loop(app: NudgeApp, *, poll_timeout: int = 1) -> None:
    """Start polling inside an already running event loop (the tests and the demo).

    The same order as run_polling: initialize, post_init, polling, start.
    """
    await app.initialize()
    await start_background(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
    await app.start()


async def stop_in_loop(app: NudgeApp) -> None:
    """Stop what start_in_loop started, as a clean shutdown would."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    await stop_background(app)
