"""Build the PTB Application: handlers, error handling, start-up and shutdown."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.delivery.sender import start_sender
from bot.domain.pending import Feature
from bot.runtime import Runtime
from bot.scheduler import dispatcher, housekeeping
from bot.services.onboarding import OnboardingStep
from bot.services.settings import SettingsQuestion
from bot.telegram import (
    admin,
    basics,
    breathe,
    callbacks,
    challenges,
    checkin,
    data,
    language,
    menus,
    onboarding,
    phq,
    presence,
    progress,
    quicklog,
    settings,
    texts,
    tips,
)
from bot.telegram import nudges as nudge_buttons
from bot.telegram.context import Context, NudgeApp
from bot.telegram.inbox import UpdateInbox
from bot.telegram.location import LocationZones
from bot.telegram.text_router import TextRouter
from bot.telegram.transport import ReplyRequest, TelegramRequest

log = logging.getLogger(__name__)

# How much longer than the long poll itself a getUpdates call may take before it is given up.
POLL_MARGIN_SECONDS = 5.0

# Typed text goes to the feature whose question it answers; text nobody asked for is a log.
TYPED_ANSWERS = TextRouter(
    answers={
        Feature.ONBOARDING: onboarding.on_text,
        Feature.SETTINGS: settings.on_text,
        # The check-in: on_typed(update, context, pending: PendingInput) -> None.
        Feature.CHECKIN: checkin.on_typed,
    },
    plain=lambda update, context: quicklog.on_plain_text(update, context, ""),
)
# A shared location answers the questions that ask for a time zone.
SHARED_LOCATIONS = LocationZones(
    takers={
        (Feature.ONBOARDING, OnboardingStep.ZONE.value): onboarding.take_zone,
        (Feature.SETTINGS, SettingsQuestion.ZONE.value): settings.take_zone,
    }
)

# Each feature module exposes register(app); order matters only for overlapping filters.
FEATURES: list[Callable[[NudgeApp], None]] = [
    language.register,
    presence.register,
    basics.register,
    admin.register,
    onboarding.register,
    settings.register,
    SHARED_LOCATIONS.register,
    tips.register,
    breathe.register,
    nudge_buttons.register,
    checkin.register,
    phq.register,
    quicklog.register,
    progress.register,
    data.register,
    challenges.register,
    TYPED_ANSWERS.register,
]
# Started in post_init, stopped in post_shutdown: each gets the app and returns a stopper.
BACKGROUND: list[Callable[[NudgeApp], Any]] = [
    # First in, last out: the sender outlives the tick that feeds it.
    start_sender,
    dispatcher.start,
    housekeeping.start,
]


class _Application(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, closing the bot's HTTP sessions when start-up fails."""

    async def initialize(self) -> None:
        """Initialize; on failure (getMe refused or unreachable), release the bot's requests."""
        try:
            await super().initialize()
        except Exception:
            # PTB's shutdown skips an application that never finished initializing, so the
            # requests opened before getMe stay open, and aiohttp reports each unclosed
            # session at exit, after the one-line reason the CLI prints.
            await self.bot.shutdown()
            raise


def build_application(runtime: Runtime) -> NudgeApp:
    """Create the Application wired to the runtime's settings, database and clock."""
    settings = runtime.settings
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    # Every update is stored before it is acknowledged; chats are handled concurrently.
    inbox = runtime.inbox = UpdateInbox(runtime)
    app: NudgeApp = (
        ApplicationBuilder()
        .application_class(_Application)
        .update_queue(inbox.queue)
        .concurrent_updates(inbox.processor)
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.file_url)
        .context_types(ContextTypes(context=Context))
        # Replies to a person's own action go out at once on this bot; bulk sends use the
        # sender's own Bot and pacing. A 429, a 5xx or a dropped connection is tried again
        # within a few seconds, so a reply is late rather than lost (see telegram.transport).
        .request(
            ReplyRequest(
                retry_seconds=settings.reply_retry_seconds,
                connection_pool_size=64,
                read_timeout=15,
                write_timeout=15,
            )
        )
        # PTB adds the long-poll timeout to this read timeout: a hung getUpdates costs the
        # poll plus a few seconds, then polling starts over.
        .get_updates_request(
            TelegramRequest(connection_pool_size=2, read_timeout=POLL_MARGIN_SECONDS)
        )
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
    assert runtime.inbox is not None, "build_application sets the inbox"
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
    if isinstance(error, callbacks.BadCallback) and isinstance(update, Update):
        # Forged or stale button data a handler did not catch: not a fault of ours.
        await _stale_button(update, error)
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


async def _stale_button(update: Update, error: callbacks.BadCallback) -> None:
    """Give a forged or stale button the stale-button answer."""
    query = update.callback_query
    log.info("stale or forged button %r: %s", query.data if query else None, error)
    if query is not None:
        try:
            await query.answer(texts.STALE_BUTTON)
        except TelegramError as exc:
            log.info("could not answer a stale button: %s", exc)


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
