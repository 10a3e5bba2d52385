"""`nudgebot run` as a process that fails to start: one line, the right exit code, no secret."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from pathlib import Path

import pytest

from bot.sandbox import BotApiSandbox
from tests.harness import BOT_USERNAME, TOKEN

WEBHOOK_SECRET = "webhook_SECRET-for-the-leak-test_0123456789"
DB_PASSWORD = "db-PASSWORD-for-the-leak-test"
# One character off the real token: malformed, and most of the secret all the same.
MALFORMED = TOKEN + "!"


def _closed_port() -> int:
    """Return a local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _secrets() -> list[str]:
    return [TOKEN, TOKEN.split(":")[1], MALFORMED, WEBHOOK_SECRET, DB_PASSWORD]


async def _run(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run `python -m bot run`; return its exit code and everything it printed."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "WEBHOOK_", "LOG_", "DATABASE_", "TELEGRAM_"))
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env={**clean, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode()


BAD_WEBHOOK = "Bad Request: bad webhook: HTTPS url must be provided for webhook"
REJECTED = f"Telegram rejected BOT_TOKEN …{TOKEN[-4:]} — check it with @BotFather"
CASES = {
    # name: (settings beyond the defaults, exit code, what the last line says)
    "rejected-token": (
        {},
        2,
        f"Telegram rejected BOT_TOKEN …{TOKEN[-4:]} — check it with @BotFather",
    ),
    "malformed-token": ({"BOT_TOKEN": MALFORMED}, 2, "BOT_TOKEN: does not look like a token"),
    "unreachable-api": ({"TELEGRAM_API_URL": "closed"}, 3, "cannot reach the Telegram Bot API"),
    "unreachable-database": ({"DATABASE_URL": "closed"}, 3, "cannot reach the database"),
    "refused-webhook": ({}, 2, "Telegram refused to start the bot: BadRequest: Bad webhook"),
}


@pytest.mark.parametrize("verbose", [True, False], ids=["debug", "default-levels"])
@pytest.mark.parametrize("case", list(CASES))
async def test_a_failed_start_is_one_line_and_prints_no_secret(
    tmp_path: Path, case: str, verbose: bool
) -> None:
    extra, code, expected = CASES[case]
    async with BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        # Telegram answers 401 to every call with a revoked token, getMe first.
        sandbox.token_revoked = case == "rejected-token"
        if case == "refused-webhook":  # as Telegram answers an http:// WEBHOOK_URL
            sandbox.fail_next("setWebhook", 400, description=BAD_WEBHOOK)
        env = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": sandbox.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            **extra,
        }
        if verbose or case == "refused-webhook":  # else long polling, at the default levels
            env |= {
                "WEBHOOK_URL": f"http://127.0.0.1:{_closed_port()}/telegram",
                "WEBHOOK_SECRET": WEBHOOK_SECRET,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(_closed_port()),
            }
        if env["TELEGRAM_API_URL"] == "closed":
            env["TELEGRAM_API_URL"] = f"http://127.0.0.1:{_closed_port()}/bot"
        if env["DATABASE_URL"] == "closed":
            env["DATABASE_URL"] = (
                f"postgresql+asyncpg://nudge:{DB_PASSWORD}@127.0.0.1:{_closed_port()}/nudgebot"
            )
        if verbose:
            env |= {"LOG_LEVEL": "DEBUG", "LOG_LEVEL_LIBRARIES": "DEBUG"}
        returncode, printed = await _run(env, tmp_path)
    lines = printed.strip().splitlines()
    assert returncode == code, printed[-3000:]
    assert expected in lines[-1], printed[-3000:]
    assert "Traceback" not in printed, printed[-3000:]
    for secret in _secrets():
        assert secret not in printed, (secret, printed[-3000:])
    if case == "malformed-token":
        assert lines == [lines[-1]]  # refused before anything else runs
    elif verbose:
        assert len(lines) > 5  # the libraries did speak at DEBUG: the grep saw real output
    else:
        # Besides the start-up INFO lines, the failure is the only thing said.
        assert [line for line in lines if " INFO " not in line] == [lines[-1]], printed


async def test_json_logs_are_one_object_per_line_to_the_last(tmp_path: Path) -> None:
    async with BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        sandbox.token_revoked = True
        env = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": sandbox.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "LOG_LEVEL": "DEBUG",
            "LOG_LEVEL_LIBRARIES": "DEBUG",
            "LOG_FORMAT": "json",
        }
        returncode, printed = await _run(env, tmp_path)
    assert returncode == 2, printed[-3000:]
    lines = [json.loads(line) for line in printed.strip().splitlines()]
    assert len(lines) > 5
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert lines[-1]["level"] == "CRITICAL"
    assert lines[-1]["message"].startswith(REJECTED)
    for secret in _secrets():
        assert secret not in printed
