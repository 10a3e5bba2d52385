"""The `nudgebot` command: run, migrate, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging

if TYPE_CHECKING:
    from bot.telegram.context import NudgeApp

log = logging.getLogger("nudgebot")

# The same updates whether they come by long polling or by webhook.
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]

NO_TOKEN = """\
BOT_TOKEN is not set, so I can't talk to Telegram.

To get a token: open Telegram, start a chat with @BotFather, send /newbot, pick a name and a
username ending in "bot", and copy the token it gives you. Then put it in .env
(`cp .env.example .env` gives you one with every setting explained):

    BOT_TOKEN=123456789:AA...your-token...

To try the bot without a token, run the local demo instead:

    nudgebot demo
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    parser = argparse.ArgumentParser(prog="nudgebot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the bot (long polling, or a webhook)")
    run.add_argument("--no-migrate", action="store_true", help="do not upgrade the database first")
    commands.add_parser("migrate", help="upgrade the database to the latest schema")
    demo = commands.add_parser("demo", help="try the bot in the terminal, no token needed")
    _demo_arguments(demo)
    args = parser.parse_args(argv)
    if args.command == "demo":
        from bot.demo import run_demo

        return run_demo(args)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"nudgebot: configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, _secrets(settings))
    if args.command == "migrate":
        return _migrate(settings)
    if settings.bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    if not args.no_migrate and settings.run_migrations:
        code = _migrate(settings)
        if code:
            return code
    return _run(settings)


def _demo_arguments(demo: argparse.ArgumentParser) -> None:
    demo.add_argument("--speed", type=float, default=1.0, help="run the bot's clock N× faster")
    demo.add_argument("--group", action="store_true", help="join a simulated group chat")
    demo.add_argument("--keep", action="store_true", help="keep the demo's data afterwards")
    demo.add_argument("--zone", default=None, help="the simulated person's time zone")


def _migrate(settings: Settings) -> int:
    from bot.storage.migrate import upgrade

    try:
        asyncio.run(_ping(settings.database_url))
        upgrade(settings.database_url)
    except Exception as exc:  # one line, no traceback: the operator needs the cause only
        print(f"nudgebot: cannot migrate the database: {_one_line(exc)}", file=sys.stderr)
        return 1
    log.info("database is at the latest schema")
    return 0


async def _ping(url: str) -> None:
    from bot.storage.uow import Database

    db = Database(url)
    try:
        await asyncio.wait_for(db.ping(), timeout=15)
    finally:
        await db.close()


def _run(settings: Settings) -> int:
    from bot.app import build_application
    from bot.runtime import Runtime
    from bot.storage.uow import Database

    try:
        asyncio.run(_ping(settings.database_url))
    except Exception as exc:
        print(f"nudgebot: cannot reach the database: {_one_line(exc)}", file=sys.stderr)
        return 1
    runtime = Runtime(
        settings=settings,
        db=Database(settings.database_url),
        clock=SystemClock(),
        instance_id=f"nudgebot-{uuid.uuid4().hex[:8]}",
    )
    app = build_application(runtime)
    if settings.webhook_url is None:
        log.info("nudgebot is starting (database: %s, long polling)", runtime.db.dialect)
        # run_polling stops cleanly on SIGINT and SIGTERM and runs post_shutdown.
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
        return 0
    return _run_webhook(app, settings, runtime.db.dialect)


def _run_webhook(app: NudgeApp, settings: Settings, dialect: str) -> int:
    """Take updates that Telegram posts to the webhook until SIGTERM or SIGINT."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    log.info(
        "nudgebot is starting (database: %s, webhook on %s:%d/%s)",
        dialect,
        settings.webhook_listen,
        settings.webhook_port,
        settings.webhook_path,
    )
    try:
        # setWebhook on start: every instance behind the same URL sets the same URL and secret,
        # which is harmless. Stopping does not delete the webhook, so the others keep getting
        # updates. The server answers 403 to a request without the secret header.
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=settings.webhook_path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
    except OSError as exc:  # the port is taken or the address is not ours
        print(
            f"nudgebot: cannot listen on {settings.webhook_listen}:{settings.webhook_port}: "
            f"{_one_line(exc)}",
            file=sys.stderr,
        )
        return 1
    return 0


def _secrets(settings: Settings) -> tuple[str, ...]:
    """Return the values no log line may show."""
    values = [settings.bot_token, settings.webhook_secret]
    return tuple(v.get_secret_value() for v in values if v is not None)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return f"{type(exc).__name__}: {first}"[:300]
