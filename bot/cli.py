"""The `nudgebot` command: run, migrate, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from telegram.error import BadRequest, InvalidToken, NetworkError

from bot.clock import SystemClock
from bot.config import DEFAULT_API_URL, ConfigError, Settings, load_settings
from bot.logs import JsonFormatter, new_event_loop, redact, secrets_of, setup_logging
from bot.tuning import settle_memory

if TYPE_CHECKING:
    from bot.telegram.context import NudgeApp

log = logging.getLogger("nudgebot")

# Exit codes (the README lists them): a setting to fix, or a service to bring back.
EXIT_CONFIG = 2
EXIT_UNREACHABLE = 3

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
        return _fail(f"configuration error: {exc}", EXIT_CONFIG)
    setup_logging(
        settings.log_level,
        _secrets(settings),
        libraries=settings.log_level_libraries,
        fmt=settings.log_format,
    )
    if args.command == "migrate":
        return _migrate(settings)
    if settings.bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
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

    code = _reach_database(settings.database_url)
    if code:
        return code
    try:
        upgrade(settings.database_url)
    except Exception as exc:  # one line, no traceback: the operator needs the cause only
        return _fail(f"cannot migrate the database: {_one_line(exc)}", 1)
    log.info("database is at the latest schema")
    return 0


def _reach_database(url: str) -> int:
    """Return 0 if the database answers, else say why in one line and return the exit code."""
    from sqlalchemy.engine import make_url

    try:
        asyncio.run(_ping(url))
    except Exception as exc:  # unreachable, refused, unknown database, wrong password
        shown = make_url(url).render_as_string(hide_password=True)
        return _fail(f"cannot reach the database at {shown}: {_one_line(exc)}", EXIT_UNREACHABLE)
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

    code = _reach_database(settings.database_url)
    if code:
        return code
    runtime = Runtime(
        settings=settings,
        db=Database(settings.database_url),
        clock=SystemClock(),
        instance_id=f"nudgebot-{uuid.uuid4().hex[:8]}",
    )
    app = build_application(runtime)
    # PTB runs on the current loop; ours logs a lost task's exception redacted, in one record.
    new_event_loop()
    settle_memory()
    try:
        if settings.webhook_url is None:
            log.info("nudgebot is starting (database: %s, long polling)", runtime.db.dialect)
            # run_polling stops cleanly on SIGINT and SIGTERM and runs post_shutdown.
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
            return 0
        return _run_webhook(app, settings, runtime.db.dialect)
    except InvalidToken:
        # getMe answered 401 or 404: a revoked token, or a URL that is not a Bot API.
        assert settings.bot_token is not None
        tail = settings.bot_token.get_secret_value()[-4:]
        where = ""
        if settings.telegram_api_url != DEFAULT_API_URL:
            where = f" (and TELEGRAM_API_URL, {settings.telegram_api_url})"
        return _fail(
            f"Telegram rejected BOT_TOKEN …{tail} — check it with @BotFather{where}", EXIT_CONFIG
        )
    except BadRequest as exc:  # setWebhook refused: an http:// URL, a port Telegram won't use
        return _fail(f"Telegram refused to start the bot: {_one_line(exc)}", EXIT_CONFIG)
    except NetworkError as exc:  # only start-up gets here: polling retries on its own
        return _fail(
            f"cannot reach the Telegram Bot API at {settings.telegram_api_url}: {_one_line(exc)}",
            EXIT_UNREACHABLE,
        )


def _run_webhook(app: NudgeApp, settings: Settings, dialect: str) -> int:
    """Take updates that Telegram posts to the webhook until SIGTERM or SIGINT."""
    from bot.telegram.webhook import serve

    assert settings.webhook_url is not None and settings.webhook_secret is not None
    log.info(
        "nudgebot is starting (database: %s, webhook on %s:%d/%s)",
        dialect,
        settings.webhook_listen,
        settings.webhook_port,
        settings.webhook_path,
    )
    try:
        # On the loop _run made current, as run_polling would use it.
        asyncio.get_event_loop().run_until_complete(
            serve(
                app,
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                path=settings.webhook_path,
                url=settings.webhook_url,
                secret=settings.webhook_secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
            )
        )
    except OSError as exc:  # the port is taken or the address is not ours
        return _fail(
            f"cannot listen on {settings.webhook_listen}:{settings.webhook_port}: "
            f"{_one_line(exc)}",
            1,
        )
    return 0


def _secrets(settings: Settings) -> tuple[str, ...]:
    """Return the values no output may show."""
    values = [settings.bot_token, settings.webhook_secret]
    return secrets_of(
        (v.get_secret_value() for v in values if v is not None), settings.database_url
    )


def _fail(message: str, code: int) -> int:
    """Say what failed in one redacted line on stderr and return the exit code."""
    if any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers):
        log.critical("%s", message)  # LOG_FORMAT=json: one more object, not a stray line
    else:
        print(redact(f"nudgebot: {message}"), file=sys.stderr)
    return code


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return f"{type(exc).__name__}: {first}"[:300]
