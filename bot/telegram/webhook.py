"""The webhook: Telegram posts each update here, and the 200 goes back once it is in the inbox.

An aiohttp server rather than PTB's tornado one: its HTTP parsing is llhttp in C, where
tornado's is Python, and tornado's request handling was about a tenth of the bot's CPU per
update under load (bench/README.md, "The webhook, third pass"). The rules are
PTB's: only POST with a JSON body, the secret token header must match (403 otherwise), a body
that is not an update is refused with 400, and the update is stored before the 200. The
stored payload is the body Telegram sent, so a replay after a crash sees exactly what came.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from collections.abc import Sequence

import orjson
from aiohttp import web
from telegram import Update

from bot.app import start_background, stop_background
from bot.telegram.context import NudgeApp
from bot.telegram.inbox import InboxQueue

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram opens at most this many connections at once (setWebhook's max_connections).
MAX_CONNECTIONS = 40
# An update is a few KiB; a megabyte is far beyond any real one.
MAX_BODY = 1 << 20
# On stop, the requests under way get this long to finish storing their update; one cut off
# gets no 200, so Telegram sends it again.
SHUTDOWN_SECONDS = 10.0


class WebhookServer:
    """Takes Telegram's POSTs on one path and hands each update to the inbox queue."""

    def __init__(self, app: NudgeApp, *, path: str, secret: str) -> None:
        assert isinstance(app.update_queue, InboxQueue), "build_application sets the inbox"
        self.app = app
        self.queue = app.update_queue
        self.path = "/" + path.strip("/")
        self._secret = secret.encode()
        self._runner: web.AppRunner | None = None

    async def start(self, listen: str, port: int) -> None:
        """Listen on listen:port (OSError if that address is taken or not ours)."""
        server = web.Application(client_max_size=MAX_BODY)
        server.router.add_post(self.path, self.receive)
        server.router.add_post(self.path + "/", self.receive)
        # No access log: one line per update is noise, and a URL could carry a secret.
        runner = web.AppRunner(
            server, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_SECONDS
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, listen, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        """Stop listening; the requests under way finish first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        """Store one posted update and answer 200, or refuse the request."""
        if request.content_type != "application/json":
            return web.Response(status=403)
        token = request.headers.get(SECRET_HEADER)
        if token is None:
            log.debug("Request did not include the secret token")
            return web.Response(status=403)
        if not hmac.compare_digest(token.encode(), self._secret):
            log.debug("Request had the wrong secret token: %s", token)  # logs redact it
            return web.Response(status=403)
        body = await request.read()  # 413 beyond MAX_BODY
        try:
            payload = orjson.loads(body)
            update = Update.de_json(payload, self.app.bot)
        except Exception as exc:  # not JSON, or not an update
            log.warning("a webhook request was not an update: %s", type(exc).__name__)
            return web.Response(status=400)
        await self.queue.put_received(update, payload)
        return web.Response(status=200)


async def serve(
    app: NudgeApp,
    *,
    listen: str,
    port: int,
    path: str,
    url: str,
    secret: str,
    allowed_updates: Sequence[str],
) -> None:
    """Run the bot on the webhook until SIGTERM or SIGINT, in run_webhook's order."""
    server = WebhookServer(app, path=path, secret=secret)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Windows' loops take no signal handlers: there Ctrl-C ends the process at once.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stopping.set)
            handled.append(sig)
    await app.initialize()
    try:
        await start_background(app)
        await server.start(listen, port)
        # Every instance behind the same URL sets the same URL and secret, which is harmless.
        # Stopping does not delete the webhook, so the others keep getting updates.
        await app.bot.set_webhook(
            url=url,
            allowed_updates=list(allowed_updates),
            secret_token=secret,
            max_connections=MAX_CONNECTIONS,
            drop_pending_updates=False,
        )
        await app.start()
        await stopping.wait()
    finally:
        await _stop(app, server)
        for sig in handled:
            loop.remove_signal_handler(sig)


async def _stop(app: NudgeApp, server: WebhookServer) -> None:
    """Stop taking updates, finish the ones taken, then stop the rest."""
    await server.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    await stop_background(app)
