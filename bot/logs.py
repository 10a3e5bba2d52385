"""Logging set-up that never lets a secret reach any output, in text or JSON lines."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

from bot.tuning import loop_factory

# Any Telegram token shape, also when it sits in a URL path as "bot<token>".
TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
# The password in a URL such as postgresql+asyncpg://user:password@host/db.
URL_PASSWORD_PATTERN = re.compile(r"(?P<head>://[^:/@\s]*:)[^@\s]+(?=@)")
REDACTED = "<redacted-token>"
REDACTED_SECRET = "<redacted>"
# Shorter values would blank out ordinary words; the URL pattern still covers them in URLs.
MIN_SECRET_LENGTH = 4

# Third-party loggers that speak at LOG_LEVEL_LIBRARIES, not LOG_LEVEL: at DEBUG, aiosqlite
# alone writes a line per database operation (99% of the volume).
LIBRARY_LOGGERS = (
    "aiosqlite",
    "sqlalchemy",
    "httpcore",
    "httpx",
    "apscheduler",
    "telegram",
    "aiohttp",
    "alembic",
    "asyncio",
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# The chat the current update or delivery belongs to, for the JSON lines' chat_id.
current_chat: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_chat", default=None
)

# Longest first, so that a token is replaced whole before its secret part is.
_secrets: list[str] = []
_installed = False

# A *received* webhook secret, logged when it is wrong (bot.telegram.webhook, and PTB's own
# webhook): a near miss of the real one.
_SECRET_ARGUMENTS = {"Request had the wrong secret token: %s"}


def redact(text: str) -> str:
    """Remove the configured secrets, URL passwords and anything token-shaped from text."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED_SECRET if ":" not in secret else REDACTED)
    text = TOKEN_PATTERN.sub(REDACTED, text)
    return URL_PASSWORD_PATTERN.sub(rf"\g<head>{REDACTED_SECRET}", text)


def secrets_of(values: Iterable[str | None], database_url: str | None = None) -> tuple[str, ...]:
    """Return the strings to redact: the given values and the database URL's password."""
    found = [v for v in values if v]
    # A token's part after the colon is the secret part: redact it on its own too.
    found += [v.split(":", 1)[1] for v in list(found) if TOKEN_PATTERN.fullmatch(v)]
    if database_url:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            password = make_url(database_url).password
        except (ArgumentError, ValueError):
            password = None
        if password:
            found.append(str(password))
    return tuple(s for s in found if len(s) >= MIN_SECRET_LENGTH)


def protect(*secrets: str) -> None:
    """Redact these secrets from every log record made from now on, whatever its handler."""
    global _installed
    known = set(_secrets) | {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
    _secrets[:] = sorted(known, key=len, reverse=True)
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    # A record factory (not a handler filter) so that pytest's capture, third-party handlers
    # and anything added later all receive the redacted record.
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if isinstance(record.msg, str) and record.msg in _SECRET_ARGUMENTS:
            record.args = (REDACTED_SECRET,)
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format must not hide the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)


class TextFormatter(logging.Formatter):
    """The plain one-line format, redacted once more as a whole."""

    def __init__(self) -> None:
        """Use the project's text format."""
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """Format the record and redact the result."""
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, chat_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON, secrets redacted."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        chat_id = getattr(record, "chat_id", None)
        if chat_id is None:
            chat_id = current_chat.get()
        if chat_id is not None:
            line["chat_id"] = chat_id
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return redact(json.dumps(line, ensure_ascii=False, default=str))


def library_level(level: str, libraries: str | None) -> str:
    """Return the libraries' level: as set, else WARNING or LOG_LEVEL if that is quieter."""
    if libraries:
        return libraries
    return max(level, "WARNING", key=_rank)


def setup_logging(
    level: str,
    secrets: tuple[str, ...] = (),
    *,
    libraries: str | None = None,
    fmt: str = "text",
    stream: TextIO | None = None,
) -> None:
    """Log to stderr at `level` (libraries at their own), secrets redacted everywhere."""
    protect(*secrets)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_noisy_loggers(library_level(level, libraries))
    logging.captureWarnings(True)  # warnings go through the redacting records too
    install_excepthooks()


class _PollingErrors(logging.Filter):
    """Make each failed getUpdates one line: PTB retries it, and logs a traceback each time."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != "Exception happened while polling for updates." or not record.exc_text:
            return True
        lines = record.exc_text.strip().splitlines()
        # The last line names the error ("telegram.error.NetworkError: httpx.ConnectError: …").
        record.msg = f"could not get updates, trying again: {lines[-1].rpartition('.error.')[2]}"
        record.exc_text = None
        return True


class _BootstrapFailure(logging.Filter):
    """Drop PTB's start-up failure tracebacks: `nudgebot run` says what failed in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno >= logging.ERROR
            and str(record.msg).startswith("Network Retry Loop (Bootstrap ")
        )


_polling_errors = _PollingErrors()
_bootstrap_failure = _BootstrapFailure()


def shorten_library_errors() -> None:
    """Turn PTB's expected failures (polling errors, a failed start) into one line."""
    logging.getLogger("telegram.ext.Updater").addFilter(_polling_errors)
    logging.getLogger("telegram.ext").addFilter(_bootstrap_failure)


def quiet_noisy_loggers(level: str = "WARNING") -> None:
    """Set the third-party loggers to `level`: httpx logs every URL at INFO, aiosqlite worse."""
    shorten_library_errors()
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)
    # Alembic's plugin loader is chatty at INFO even when libraries are allowed to be.
    logging.getLogger("alembic.runtime.plugins").setLevel(max(level, "WARNING", key=_rank))


def _rank(level: str) -> int:
    return int(logging.getLevelName(level))


# ---------------------------------------------------------------------- uncaught exceptions


def format_exception(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> str:
    """Return a traceback as text with every secret redacted."""
    return redact("".join(traceback.format_exception(kind, value, tb)))


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """Print an uncaught exception's traceback, redacted."""
    sys.stderr.write(format_exception(kind, value, tb))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    """Print a thread's uncaught exception, redacted."""
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "a thread"
    sys.stderr.write(f"Exception in {name}:\n")
    sys.stderr.write(format_exception(args.exc_type, args.exc_value, args.exc_traceback))


def _unraisablehook(unraisable: Any) -> None:
    """Report an exception Python could not raise (in __del__, say), redacted."""
    message = unraisable.err_msg or "Exception ignored in"
    value = unraisable.exc_value
    sys.stderr.write(redact(f"{message}: {unraisable.object!r}\n"))
    if value is not None:
        sys.stderr.write(format_exception(type(value), value, unraisable.exc_traceback))


def install_excepthooks() -> None:
    """Route uncaught exceptions of the process, its threads and finalizers through redact."""
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    sys.unraisablehook = _unraisablehook


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Log an exception nobody awaited (a lost task's, a callback's) once, redacted."""
    message = str(context.get("message") or "unhandled exception in the event loop")
    error = context.get("exception")
    task = context.get("task") or context.get("future")
    where = f" ({task.get_coro()!r})" if isinstance(task, asyncio.Task) else ""
    # The record factory redacts the message and the traceback.
    logging.getLogger("nudgebot.asyncio").error(
        "%s%s", message, where, exc_info=error if isinstance(error, BaseException) else None
    )


def new_event_loop() -> asyncio.AbstractEventLoop:
    """Create and set an event loop whose unhandled exceptions are logged redacted."""
    loop = loop_factory()()
    loop.set_exception_handler(loop_exception_handler)
    asyncio.set_event_loop(loop)
    return loop
