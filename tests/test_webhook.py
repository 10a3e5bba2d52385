"""Webhook mode: the sandbox posts updates with the secret; `nudgebot run` takes them over HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.config import ConfigError, load_settings
from bot.sandbox import BotApiSandbox, User
from bot.sandbox.server import PATIENCE, SECRET_HEADER
from bot.storage.models import InboxUpdate, Person
from bot.storage.uow import Database
from tests.harness import BOT_USERNAME, TOKEN

SECRET = "webhook_SECRET-for-tests_0123456789"
NEAR_MISS = "webhook_SECRET-for-tests_0123456788"
# A Telegram update as it arrives: the sandbox's ids start far above these.
FIRST_UPDATE_ID = 900_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_update(update_id: int, user: User, text: str = "/start") -> dict[str, Any]:
    """Return a Telegram-shaped update: `user` sends `text` in their private chat."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": user.to_dict(),
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def _people(url: str) -> int:
    db = Database(url)
    try:
        async with db.uow() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(Person)) or 0)
    finally:
        await db.close()


async def _listening(port: int, timeout: float = PATIENCE) -> None:  # noqa: ASYNC109
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on port {port}") from None
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return


class Bot:
    """One `nudgebot run` process in webhook mode."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, log_path: Path) -> None:
        self.process = process
        self.port = port
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{port}/telegram"
        self.log = ""

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        """POST an update to the bot as Telegram would; return the HTTP status."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, json=update, headers=headers) as response,
        ):
            return response.status

    async def post_raw(
        self, body: bytes, *, content_type: str = "application/json", path: str = ""
    ) -> int:
        """POST any body with the right secret; return the HTTP status."""
        headers = {SECRET_HEADER: SECRET, "Content-Type": content_type}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url + path, data=body, headers=headers) as response,
        ):
            return response.status

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        """Signal the process, wait for it and keep its log; return the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(sig)
        await asyncio.wait_for(self.process.wait(), timeout=PATIENCE)
        self.log = self.log_path.read_text(encoding="utf-8")
        assert self.process.returncode is not None
        return self.process.returncode


@asynccontextmanager
async def webhook_bot(
    sandbox: BotApiSandbox,
    cwd: Path,
    db_url: str,
    *,
    public_url: str | None = None,
    migrate: bool = True,
) -> AsyncIterator[Bot]:
    """Run `python -m bot run` in webhook mode until the block ends, then SIGTERM it."""
    port = _free_port()
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": sandbox.base_url,
        "DATABASE_URL": db_url,
        "LOG_LEVEL": "DEBUG",
        # PTB logs setWebhook's parameters at DEBUG (the secret too), and a wrong secret it got.
        "LOG_LEVEL_LIBRARIES": "DEBUG",
        "WEBHOOK_URL": public_url or f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    url = env["WEBHOOK_URL"]
    set_before = sandbox.stats.calls["setWebhook"]
    args = ["run"] if migrate else ["run", "--no-migrate"]
    # A file, not a pipe: at DEBUG the libraries say more than a pipe holds unread.
    log_path = cwd / f"bot-{port}.log"
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=cwd,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log_file,
        )
    bot = Bot(process, port, log_path)
    try:
        await _listening(port)
        # The server listens before the bot sets its webhook (run_webhook's order): wait for both.
        await sandbox.wait_until(
            lambda: sandbox.stats.calls["setWebhook"] > set_before and sandbox.webhook_url == url
        )
        yield bot
    finally:
        await bot.stop()


def _assert_clean(log: str) -> None:
    assert "Traceback" not in log, log[-3000:]
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    assert SECRET not in log


# ---------------------------------------------------------------------- the bot as a process


async def test_run_takes_updates_by_webhook_and_stops_cleanly(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        async with webhook_bot(sandbox, tmp_path, db_url) as bot:
            assert sandbox.webhook_url == bot.url
            assert sandbox.webhook_secret == SECRET
            ana = sandbox.add_user(first_name="Ana")
            sent = await sandbox.send_text(ana, "/start")
            [reply] = await sandbox.wait_for_bot_message(ana.id, after_message_id=sent.message_id)
            assert "Ana" in reply.text
            assert sandbox.webhook_deliveries.delivered == 1
            assert sandbox.webhook_deliveries.failed == 0
            assert sandbox.stats.calls["getUpdates"] == 0
            assert sandbox.stats.calls["setWebhook"] == 1
        assert bot.process.returncode == 0, bot.log[-3000:]
        # A stopping instance leaves the webhook for the others behind the same URL.
        assert sandbox.stats.calls["deleteWebhook"] == 0
    _assert_clean(bot.log)
    assert "<redacted-token>" in bot.log  # PTB logs the API URL, token redacted
    assert "'secret_token': '<redacted>'" in bot.log  # so was setWebhook's, secret redacted
    assert await _people(db_url) == 1


async def test_a_request_without_the_right_secret_is_refused(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        bea = sandbox.add_user(first_name="Bea")
        async with webhook_bot(sandbox, tmp_path, db_url) as bot:
            # A near miss of the real secret: PTB logs what it received at DEBUG.
            assert await bot.post(_start_update(FIRST_UPDATE_ID, bea), secret=NEAR_MISS) == 403
            assert await bot.post(_start_update(FIRST_UPDATE_ID + 1, bea), secret=None) == 403
            await asyncio.sleep(0.3)  # time enough to answer, had the update been taken
            assert sandbox.bot_messages(bea.id) == []
            assert await _people(db_url) == 0

            # The same update with the right secret is taken: the refusal above was the secret.
            assert await bot.post(_start_update(FIRST_UPDATE_ID + 2, bea)) == 200
            await sandbox.wait_for_bot_message(bea.id)
        assert bot.process.returncode == 0, bot.log[-3000:]
    _assert_clean(bot.log)
    assert NEAR_MISS not in bot.log
    assert "Request had the wrong secret token: <redacted>" in bot.log
    assert await _people(db_url) == 1


async def test_a_request_that_is_not_an_update_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        eve = sandbox.add_user(first_name="Eve")
        async with webhook_bot(sandbox, tmp_path, db_url) as bot:
            update = _start_update(FIRST_UPDATE_ID, eve)
            # Not JSON as Telegram sends it, not JSON at all, JSON that is no update, and a
            # body far beyond any update: each refused, nothing stored.
            assert await bot.post_raw(b"{}", content_type="text/plain") == 403
            assert await bot.post_raw(b"\xff not json " + "😀".encode()) == 400
            assert await bot.post_raw(b"[1, 2, 3]") == 400
            assert await bot.post_raw(b'{"update_id": "x"' + b" " * (2 << 20) + b"}") == 413
            assert await _inbox_ids(db_url) == []
            # A trailing slash is the same path; the update is stored as it was sent.
            assert await bot.post_raw(orjson.dumps(update), path="/") == 200
            await sandbox.wait_for_bot_message(eve.id)
            assert await _inbox(db_url) == [(FIRST_UPDATE_ID, update)]
        assert bot.process.returncode == 0, bot.log[-3000:]
    _assert_clean(bot.log)
    assert await _people(db_url) == 1


async def _inbox(url: str) -> list[tuple[int, dict[str, Any]]]:
    """Return the stored updates' ids and payloads, oldest first."""
    db = Database(url)
    try:
        async with db.uow() as uow:
            stmt = select(InboxUpdate.update_id, InboxUpdate.payload).order_by(
                InboxUpdate.update_id
            )
            return [(int(i), dict(p)) for i, p in await uow.session.execute(stmt)]
    finally:
        await db.close()


async def _inbox_ids(url: str) -> list[int]:
    return [update_id for update_id, _ in await _inbox(url)]


async def test_an_update_is_stored_before_200_and_a_redelivery_changes_nothing(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        dan = sandbox.add_user(first_name="Dan")
        async with webhook_bot(sandbox, tmp_path, db_url) as bot:
            update = _start_update(FIRST_UPDATE_ID, dan)
            assert await bot.post(update) == 200
            # The 200 came after the update was written: it is in the inbox already.
            assert await _inbox_ids(db_url) == [FIRST_UPDATE_ID]
            [reply] = await sandbox.wait_for_bot_message(dan.id, timeout=20, after_message_id=0)
            assert "Dan" in reply.text
            # Telegram did not see the 200 (a timeout) and sends the same update again, twice.
            assert await bot.post(update) == 200
            assert await bot.post(update) == 200
            # A later update is answered, so the bot had every chance to answer the copies.
            assert await bot.post(_start_update(FIRST_UPDATE_ID + 1, dan, "/help")) == 200
            await sandbox.wait_for_bot_message(
                dan.id, timeout=20, after_message_id=reply.message_id
            )
            await sandbox.settle(quiet=0.3)
            assert len(sandbox.bot_messages(dan.id)) == 2
        assert bot.process.returncode == 0, bot.log[-3000:]
    _assert_clean(bot.log)
    assert await _people(db_url) == 1
    assert await _inbox_ids(db_url) == [FIRST_UPDATE_ID, FIRST_UPDATE_ID + 1]


async def test_two_instances_share_one_postgres_database(
    pg_only: None, db_url: str, tmp_path: Path
) -> None:
    async with BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        cleo = sandbox.add_user(first_name="Cleo")
        public = "http://127.0.0.1:9/telegram"  # the load balancer's URL: never called here
        async with (
            webhook_bot(sandbox, tmp_path, db_url, public_url=public, migrate=False) as one,
            webhook_bot(sandbox, tmp_path, db_url, public_url=public, migrate=False) as two,
        ):
            # Both set the same URL and secret on start, which is harmless.
            assert sandbox.stats.calls["setWebhook"] == 2
            assert sandbox.webhook_url == public
            # The same person's /start reaches both at once, as a load balancer may send it.
            statuses = await asyncio.gather(
                one.post(_start_update(FIRST_UPDATE_ID, cleo)),
                two.post(_start_update(FIRST_UPDATE_ID + 1, cleo)),
            )
            assert statuses == [200, 200]
            replies = await sandbox.wait_for_bot_message(cleo.id, count=2)
            assert all("Cleo" in r.text for r in replies)
        for bot in (one, two):
            assert bot.process.returncode == 0, bot.log[-3000:]
            _assert_clean(bot.log)
    assert await _people(db_url) == 1


def _cli(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WEBHOOK_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={**clean, "BOT_TOKEN": TOKEN, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"WEBHOOK_URL": "https://bot.example.org/telegram"},
        {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "not allowed!"},
    ],
    ids=["missing-secret", "bad-characters"],
)
def test_webhook_config_error_is_one_line_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    result = _cli(env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "WEBHOOK_SECRET" in result.stderr
    assert "not allowed!" not in result.stderr  # a secret, even a bad one, is never echoed


async def test_a_taken_port_is_one_line_exit_1(tmp_path: Path) -> None:
    async with BotApiSandbox(token=TOKEN, bot_username=BOT_USERNAME) as sandbox:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            env = {
                "TELEGRAM_API_URL": sandbox.base_url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
            }
            # In a thread: the sandbox must keep answering on this loop meanwhile.
            result = await asyncio.to_thread(_cli, env, tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr


# ---------------------------------------------------------------------- settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("WEBHOOK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_webhook_settings_default_to_long_polling(clean_env: None) -> None:
    settings = load_settings()
    assert settings.webhook_url is None
    assert settings.webhook_secret is None
    assert (settings.webhook_listen, settings.webhook_port) == ("0.0.0.0", 8443)
    assert settings.webhook_path == "telegram"


def test_webhook_settings_are_read_and_the_secret_kept_secret(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/hooks/nudge")
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("WEBHOOK_PORT", "9000")
    monkeypatch.setenv("WEBHOOK_PATH", "/hooks/nudge/")
    settings = load_settings()
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == SECRET
    assert SECRET not in repr(settings)
    assert (settings.webhook_port, settings.webhook_path) == (9000, "hooks/nudge")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WEBHOOK_URL": "https://x.org/t"}, "WEBHOOK_SECRET: required"),
        ({"WEBHOOK_URL": "https://x.org/t", "WEBHOOK_SECRET": " "}, "WEBHOOK_SECRET: required"),
        ({"WEBHOOK_URL": "https://x.org/t", "WEBHOOK_SECRET": "a" * 257}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://x.org/t", "WEBHOOK_SECRET": "ünïcode"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://x.org/t", "WEBHOOK_SECRET": "short_secret_15"}, "16-256"),
        ({"WEBHOOK_URL": "x.org/t", "WEBHOOK_SECRET": "ok"}, "WEBHOOK_URL"),
        ({"WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
        ({"WEBHOOK_PATH": "a b"}, "WEBHOOK_PATH"),
    ],
)
def test_bad_webhook_settings_name_the_variable(
    clean_env: None, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=expected) as caught:
        load_settings()
    secret = env.get("WEBHOOK_SECRET", "").strip()
    assert not secret or secret not in str(caught.value)


def test_the_longest_allowed_secret_is_accepted(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://x.org/t")
    monkeypatch.setenv("WEBHOOK_SECRET", "A-z_9" * 51 + "x")
    assert load_settings().webhook_secret is not None


# ---------------------------------------------------------------------- the sandbox's side


class Receiver:
    """A tiny webhook endpoint that records what it gets and answers a scripted status."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.statuses: list[int] = []  # answered in turn; 200 once they run out
        self.changed = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((request.headers.get(SECRET_HEADER), await request.json()))
        self.changed.set()
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    def update_ids(self) -> list[int]:
        return [update["update_id"] for _, update in self.received]


@asynccontextmanager
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield rec, f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


async def _call(sandbox: BotApiSandbox, method: str, **params: Any) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sandbox.base_url}{TOKEN}/{method}", json=params) as response,
    ):
        return response.status, await response.json()


async def _until(predicate: Callable[[], bool], sandbox: BotApiSandbox) -> None:
    await sandbox.wait_until(predicate)


async def test_sandbox_posts_updates_in_order_with_the_secret() -> None:
    async with BotApiSandbox(token=TOKEN) as sandbox, receiver() as (rec, url):
        ana = sandbox.add_user(first_name="Ana")
        await sandbox.send_text(ana, "queued before the webhook")
        status, body = await _call(sandbox, "setWebhook", url=url, secret_token=SECRET)
        assert (status, body["result"]) == (200, True)
        for text in ("one", "two", "three"):
            await sandbox.send_text(ana, text)
        await _until(lambda: sandbox.webhook_deliveries.delivered == 4, sandbox)
        assert [secret for secret, _ in rec.received] == [SECRET] * 4
        texts = [update["message"]["text"] for _, update in rec.received]
        assert texts == ["queued before the webhook", "one", "two", "three"]
        assert rec.update_ids() == sorted(rec.update_ids())
        assert sandbox.pending_updates() == 0

        status, body = await _call(sandbox, "getUpdates")
        assert status == 409
        assert "can't use getUpdates method while webhook is active" in body["description"]
        status, body = await _call(sandbox, "getWebhookInfo")
        assert body["result"]["url"] == url
        assert "secret_token" not in body["result"]


async def test_sandbox_retries_a_failed_delivery_then_gives_up() -> None:
    async with BotApiSandbox(token=TOKEN) as sandbox, receiver() as (rec, url):
        sandbox.webhook_backoff = 0.01
        sandbox.webhook_retries = 2
        rec.statuses = [500, 403]  # fails twice, then is taken
        await _call(sandbox, "setWebhook", url=url, secret_token=SECRET)
        ana = sandbox.add_user(first_name="Ana")
        await sandbox.send_text(ana, "hello")
        await _until(lambda: sandbox.webhook_deliveries.delivered == 1, sandbox)
        assert len(rec.received) == 3
        assert sandbox.webhook_deliveries.attempts == 3
        assert sandbox.webhook_deliveries.failed == 0

        rec.statuses = [500, 500, 500]  # every try fails: given up, and the next one goes on
        await sandbox.send_text(ana, "lost")
        await sandbox.send_text(ana, "after")
        await _until(lambda: sandbox.webhook_deliveries.delivered == 2, sandbox)
        assert sandbox.webhook_deliveries.failed == 1
        assert [u["message"]["text"] for _, u in rec.received][-1] == "after"
        _, body = await _call(sandbox, "getWebhookInfo")
        assert body["result"]["last_error_message"].startswith("Wrong response from the webhook")


async def test_sandbox_retries_while_nothing_listens_yet() -> None:
    async with BotApiSandbox(token=TOKEN) as sandbox:
        sandbox.webhook_backoff = 0.01
        sandbox.webhook_retries = 1
        await _call(sandbox, "setWebhook", url=f"http://127.0.0.1:{_free_port()}/x")
        ana = sandbox.add_user(first_name="Ana")
        await sandbox.send_text(ana, "hello")
        await _until(lambda: sandbox.webhook_deliveries.failed == 1, sandbox)
        assert sandbox.webhook_deliveries.attempts == 2
        assert sandbox.webhook_deliveries.last_error is not None
        assert sandbox.webhook_deliveries.last_error.startswith("Connection failed")


async def test_sandbox_delete_webhook_stops_delivery_and_polling_works_again() -> None:
    async with BotApiSandbox(token=TOKEN) as sandbox, receiver() as (rec, url):
        await _call(sandbox, "setWebhook", url=url, secret_token=SECRET)
        ana = sandbox.add_user(first_name="Ana")
        await sandbox.send_text(ana, "by webhook")
        await _until(lambda: sandbox.webhook_deliveries.delivered == 1, sandbox)

        status, _ = await _call(sandbox, "deleteWebhook")
        assert status == 200
        assert (sandbox.webhook_url, sandbox.webhook_secret) == ("", None)
        await sandbox.send_text(ana, "by polling")
        status, body = await _call(sandbox, "getUpdates", timeout=0)
        assert status == 200
        assert [u["message"]["text"] for u in body["result"]] == ["by polling"]
        assert len(rec.received) == 1


async def test_sandbox_refuses_a_secret_telegram_would_refuse() -> None:
    async with BotApiSandbox(token=TOKEN) as sandbox:
        status, body = await _call(
            sandbox, "setWebhook", url="https://x.org/t", secret_token="no spaces"
        )
        assert status == 400
        assert "secret token" in body["description"]
        assert sandbox.webhook_url == ""
