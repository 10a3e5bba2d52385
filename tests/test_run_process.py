"""`nudgebot run` as a real process: migrates, polls the sandbox, answers, stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.sandbox import BotApiSandbox
from tests.harness import BOT_USERNAME, TOKEN


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
async def test_run_answers_start_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    async with BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        env = {
            **os.environ,
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": sandbox.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "LOG_LEVEL": "DEBUG",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        # Drain the log while the bot runs: a full pipe would block its logging, and the bot.
        assert process.stderr is not None
        reading = asyncio.create_task(process.stderr.read())
        try:
            ana = sandbox.add_user(first_name="Ana")
            await sandbox.wait_until(lambda: sandbox.commands("all_private_chats"), timeout=60)
            sent = await sandbox.send_text(ana, "/start")
            [reply] = await sandbox.wait_for_bot_message(
                ana.id, timeout=60, after_message_id=sent.message_id
            )
            assert "Ana" in reply.text
        finally:
            process.send_signal(stop)
            await asyncio.wait_for(process.wait(), timeout=60)
            stderr = await reading
    log = stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert (tmp_path / "bot.db").exists()  # migrated on start
    assert "Traceback" not in log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
