"""Logging set-up that never lets the bot token reach a log line."""

from __future__ import annotations

import logging
import re
from typing import Any

# Any Telegram token shape, also when it sits in a URL path as "bot<token>".
TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "<redacted-token>"

_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    """Remove the configured tokens and anything token-shaped from text."""
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


def protect(*secrets: str) -> None:
    """Redact these secrets from every log record made from now on, whatever its handler."""
    global _installed
    _secrets.update(s for s in secrets if s)
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    # A record factory (not a handler filter) so that pytest's capture, third-party handlers
    # and anything added later all receive the redacted record.
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format must not hide the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return record

    logging.setLogRecordFactory(factory)


def setup_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    """Log to stderr at `level`, with tokens redacted everywhere."""
    protect(*secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_noisy_loggers()


class _RefusedWebhookRequests(logging.Filter):
    """Keep one line, not a stack trace, for each webhook request PTB refuses (403/400)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # PTB logs every refused request (a wrong secret, say) with the tornado traceback at
        # DEBUG; refusing is expected, so the line before it, naming the reason, is enough.
        if "Exception in TelegramHandler" not in str(record.msg):
            return True
        detail = record.exc_text or ""
        if record.exc_info and record.exc_info[1] is not None:
            detail = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        last = detail.strip().splitlines()[-1] if detail.strip() else ""
        if "HTTPError: HTTP 4" in last:
            record.msg, record.args = f"{record.getMessage()}: {last}", None
            record.exc_info = record.exc_text = None
        return True


_refused_webhook_requests = _RefusedWebhookRequests()


def quiet_noisy_loggers() -> None:
    """Keep request-per-line loggers quiet: httpx logs every URL at INFO."""
    logging.getLogger("telegram.ext.Updater").addFilter(_refused_webhook_requests)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
