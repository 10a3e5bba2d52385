"""Logging: library levels, JSON lines, redaction everywhere, redacting exception hooks."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import (
    LIBRARY_LOGGERS,
    REDACTED,
    REDACTED_SECRET,
    JsonFormatter,
    current_chat,
    loop_exception_handler,
    new_event_loop,
    protect,
    redact,
    secrets_of,
    setup_logging,
    shorten_library_errors,
)
from tests.harness import TOKEN, Harness

SECRET = "webhook_SECRET-for-log-tests_987"
PASSWORD = "pg-PASSWORD-for-log-tests"
DB_URL = f"postgresql+asyncpg://nudge:{PASSWORD}@db.internal:5432/nudgebot"


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Set up logging as `nudgebot run` does, into a buffer; restore everything after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    hooks = (sys.excepthook, threading.excepthook, sys.unraisablehook)
    buffer = io.StringIO()
    yield buffer
    root.handlers[:], level = saved
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)
    sys.excepthook, threading.excepthook, sys.unraisablehook = hooks
    logging.captureWarnings(False)


def _lines(buffer: io.StringIO) -> list[str]:
    return buffer.getvalue().strip().splitlines()


def _assert_no_secret(text: str) -> None:
    for secret in (TOKEN, TOKEN.split(":")[1], SECRET, PASSWORD):
        assert secret not in text, secret


# ---------------------------------------------------------------------- levels


def test_project_at_debug_libraries_at_warning(logs: io.StringIO) -> None:
    setup_logging("DEBUG", stream=logs)
    for name in ("aiosqlite", "sqlalchemy", "httpcore", "httpx", "apscheduler", "telegram"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
    assert logging.getLogger("sqlalchemy.engine.Engine").getEffectiveLevel() == logging.WARNING
    for name in ("nudgebot", "bot.delivery.sender", "bot.scheduler.dispatcher"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.DEBUG, name
    logging.getLogger("aiosqlite").debug("executing a statement")
    logging.getLogger("bot.scheduler.dispatcher").debug("tick")
    [line] = _lines(logs)
    assert line.endswith("DEBUG bot.scheduler.dispatcher: tick")


@pytest.mark.parametrize(
    ("level", "libraries", "expected"),
    [
        ("DEBUG", "INFO", logging.INFO),
        ("INFO", "DEBUG", logging.DEBUG),
        ("ERROR", None, logging.ERROR),  # never louder than LOG_LEVEL unless asked
        ("INFO", None, logging.WARNING),
    ],
)
def test_library_level_setting(
    logs: io.StringIO, level: str, libraries: str | None, expected: int
) -> None:
    setup_logging(level, libraries=libraries, stream=logs)
    assert logging.getLogger("aiosqlite").getEffectiveLevel() == expected
    assert logging.getLogger("nudgebot").getEffectiveLevel() == logging.getLevelName(level)


# ---------------------------------------------------------------------- JSON lines


def test_json_lines_carry_time_level_logger_message_and_chat(logs: io.StringIO) -> None:
    setup_logging("INFO", stream=logs, fmt="json")
    log = logging.getLogger("bot.test")
    log.info("no chat here")
    token = current_chat.set(-100123)
    try:
        log.warning("in a chat: %d nudges", 3)
    finally:
        current_chat.reset(token)
    log.info("named chat", extra={"chat_id": 42})
    first, second, third = (json.loads(line) for line in _lines(logs))
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["time"].endswith("+00:00")
    assert (first["level"], first["logger"], first["message"]) == (
        "INFO",
        "bot.test",
        "no chat here",
    )
    assert (second["level"], second["message"], second["chat_id"]) == (
        "WARNING",
        "in a chat: 3 nudges",
        -100123,
    )
    assert third["chat_id"] == 42


def test_json_lines_are_redacted_exceptions_too(logs: io.StringIO) -> None:
    setup_logging("DEBUG", secrets_of([TOKEN, SECRET], DB_URL), stream=logs, fmt="json")
    log = logging.getLogger("bot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe with %s", TOKEN, SECRET)
    log.info("database at %s", DB_URL)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected; password {PASSWORD}")
    except RuntimeError:
        log.exception("start-up failed")
    lines = [json.loads(line) for line in _lines(logs)]
    assert len(lines) == 3
    _assert_no_secret(logs.getvalue())
    assert lines[0]["message"] == (
        f"calling https://api.telegram.org/bot{REDACTED}/getMe with {REDACTED_SECRET}"
    )
    assert PASSWORD not in lines[1]["message"] and "db.internal" in lines[1]["message"]
    assert "Traceback" in lines[2]["exception"] and "RuntimeError" in lines[2]["exception"]


def test_text_tracebacks_are_redacted(logs: io.StringIO) -> None:
    setup_logging("INFO", secrets_of([TOKEN, SECRET], DB_URL), stream=logs)
    try:
        raise ValueError(f"{SECRET} {PASSWORD} {TOKEN}")
    except ValueError:
        logging.getLogger("bot.test").exception("it failed")
    text = logs.getvalue()
    assert "Traceback" in text and "ValueError" in text
    _assert_no_secret(text)


def test_a_received_wrong_webhook_secret_is_not_logged(logs: io.StringIO) -> None:
    setup_logging("DEBUG", libraries="DEBUG", stream=logs)
    near_miss = "a-near-miss-of-the-real-secret"
    # PTB's own line, from telegram/ext/_utils/webhookhandler.py.
    logging.getLogger("telegram.ext.Updater").debug(
        "Request had the wrong secret token: %s", near_miss
    )
    assert near_miss not in logs.getvalue()
    assert f"Request had the wrong secret token: {REDACTED_SECRET}" in logs.getvalue()


def test_any_message_object_is_logged_and_redacted(logs: io.StringIO) -> None:
    setup_logging("INFO", stream=logs)
    logging.getLogger("bot.test").info({"url": f"https://api.telegram.org/bot{TOKEN}/getMe"})
    logging.getLogger("bot.test").info("%s and %d", "broken")  # a bad format still logs
    text = logs.getvalue()
    assert "api.telegram.org/bot<redacted-token>/getMe" in text
    assert "%s and %d" in text
    _assert_no_secret(text)


def test_database_passwords_and_token_parts() -> None:
    assert PASSWORD in secrets_of([], DB_URL)
    assert TOKEN.split(":")[1] in secrets_of([TOKEN])
    assert secrets_of([], "sqlite+aiosqlite:///./x.db") == ()
    # Any URL's password, even one never configured.
    assert redact("postgresql://u:hunter22@h/db") == f"postgresql://u:{REDACTED_SECRET}@h/db"
    protect(TOKEN)
    assert redact(f"id {TOKEN}") == f"id {REDACTED}"  # whole, not "123456789:<redacted>"


# ---------------------------------------------------------------------- uncaught exceptions


def test_an_uncaught_exception_is_printed_redacted(tmp_path: Path) -> None:
    code = (
        "from bot.logs import secrets_of, setup_logging\n"
        f"setup_logging('INFO', secrets_of([{TOKEN!r}, {SECRET!r}], {DB_URL!r}))\n"
        f"raise RuntimeError('rejected ' + {TOKEN!r} + ' ' + {SECRET!r} + ' ' + {PASSWORD!r})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "RuntimeError: rejected" in result.stderr
    _assert_no_secret(result.stderr + result.stdout)


def test_a_thread_exception_is_printed_redacted(
    logs: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", secrets_of([SECRET]), stream=logs)

    def fail() -> None:
        raise RuntimeError(f"with {SECRET} and {TOKEN}")

    thread = threading.Thread(target=fail, name="worker")
    thread.start()
    thread.join()
    err = capsys.readouterr().err
    assert "Exception in worker" in err and "RuntimeError" in err
    _assert_no_secret(err)


def test_the_event_loop_logs_a_lost_exception_redacted(
    logs: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    protect(SECRET)
    loop = new_event_loop()
    try:
        assert loop.get_exception_handler() is loop_exception_handler

        async def fail() -> None:
            raise RuntimeError(f"lost with {TOKEN} and {SECRET}")

        async def lose_a_task() -> None:
            task = asyncio.get_running_loop().create_task(fail())
            await asyncio.wait([task])
            # Dropped without anyone reading its exception: the loop reports it when collected.
            del task

        with caplog.at_level(logging.ERROR, logger="nudgebot.asyncio"):
            loop.run_until_complete(lose_a_task())
            import gc

            gc.collect()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    [record] = [r for r in caplog.records if r.name == "nudgebot.asyncio"]
    assert "never retrieved" in record.getMessage()
    text = record.getMessage() + (record.exc_text or "")
    assert "RuntimeError: lost with" in text
    _assert_no_secret(text)


# ---------------------------------------------------------------------- the chat of a line


async def test_lines_made_while_handling_an_update_carry_its_chat(harness: Harness) -> None:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("bot.telegram.concurrency")
    old = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        ana = harness.sandbox.add_user(first_name="Ana")
        await harness.say(ana, "/start")
        await harness.sandbox.wait_until(lambda: "handled in" in buffer.getvalue(), timeout=30)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert any(line["chat_id"] == ana.id and "handled in" in line["message"] for line in lines)


async def test_a_failed_poll_is_one_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    shorten_library_errors()
    harness.sandbox.fail_next("getUpdates", 502, description="Bad Gateway", count=2)
    with caplog.at_level(logging.ERROR, logger="telegram.ext.Updater"):
        await harness.sandbox.wait_until(
            lambda: sum("could not get updates" in r.getMessage() for r in caplog.records) >= 2,
            timeout=30,
        )
    failed = [r for r in caplog.records if "could not get updates" in r.getMessage()]
    expected = "could not get updates, trying again: NetworkError: Bad Gateway"
    assert failed[0].getMessage() == expected
    assert all(r.exc_text is None and r.exc_info is None for r in failed)
    ana = harness.sandbox.add_user(first_name="Ana")
    assert await harness.say(ana, "/start")  # polling carried on
