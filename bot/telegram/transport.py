"""The HTTP transport of the bot's own replies: retry briefly what is safe to send again.

A reply to a person's action goes out at once from the handler, so one 502 or one dropped
connection must not lose it. This request class sends again, within a few seconds in total:

- 429: after the `retry_after` Telegram asks for (up to a cap, at most twice), as before;
- 5xx: Telegram did not do it (a 500 is its own failure, a 502/503/504 its proxy's);
- a call that never reached Telegram: no connection, no free connection, a write onto a
  connection that was already closing (a request Telegram did not fully receive is one it did
  not act on);
- a connection closed or reset without an answer. Almost always a kept-alive connection that
  the other side had already closed, so the request was never read. The trade-off: if Telegram
  did act and the answer alone was lost, a sendMessage is sent twice. A late duplicate reply is
  judged better than a lost one;
- a timeout once connected, or an answer cut off after its status line, but only for calls that
  do nothing twice (edits, answers, reads): a send that timed out while Telegram was slow most
  likely went through, and sending it again would duplicate it, so it is not repeated.

Bulk sends do not use this: the outbox sender retries a row over minutes (see delivery.sender).

A no-op edit ("message is not modified", a double tap re-rendering the same screen) is a
success: the message already shows what the handler wanted, so the call returns True.

The transport is aiohttp, as for the sender (delivery.http), each with its own session: in a
py-spy profile of bench/replies.py, PTB's httpx path (httpx, httpcore, h11, anyio) took about a
quarter of the event loop's CPU. Bodies go out as one orjson-encoded JSON document (files as
multipart), answers are decoded with orjson.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData
from typing_extensions import override

from bot.delivery.http import AiohttpRequest

log = logging.getLogger(__name__)

# Calls that create something each time they succeed; everything else is safe to repeat.
_CREATING = ("send", "forward", "copy", "create", "post", "upload")
# Transport failures after which Telegram has not acted on the request: no connection (refused,
# DNS, TLS, a proxy's refusal), no free connection or no connect in time (aiohttp's `connect`
# timeout covers both), or a write onto a connection that was already closing.
_NOT_DELIVERED: tuple[type[Exception], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.ClientHttpProxyError,
    aiohttp.ClientConnectionResetError,
)
# Closed without an answer: usually unread, rarely acted on (see the module docstring). aiohttp
# says ServerDisconnectedError when the connection closed before the status line, and
# ClientOSError when it was reset while the request was written or the answer awaited.
_NO_ANSWER: tuple[type[Exception], ...] = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)
# The answer came too late or only in part: Telegram most likely acted (aiohttp's sock_read
# starts once the request is written; a cut body means the status line had arrived).
_LATE_ANSWER: tuple[type[Exception], ...] = (TimeoutError, aiohttp.ClientPayloadError)
_NOT_MODIFIED = b"message is not modified"
_NO_OP_EDIT = (200, b'{"ok":true,"result":true}')


def creates(api_method: str) -> bool:
    """Tell whether a Bot API call makes something new each time (so a repeat duplicates)."""
    return api_method.lower().startswith(_CREATING)


def resendable(cause: BaseException | None, api_method: str) -> bool:
    """Tell whether a call that failed with `cause` can be sent again without acting twice."""
    if isinstance(cause, _NOT_DELIVERED + _NO_ANSWER):
        return True  # the rare exception: see the module docstring
    if isinstance(cause, _LATE_ANSWER):
        return not creates(api_method)
    return False


def _retry_after(payload: bytes) -> float | None:
    """Read `parameters.retry_after` from a 429 answer, if it has one."""
    try:
        value = json.loads(payload)["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None


class TelegramRequest(AiohttpRequest):
    """The bot's own aiohttp request: the sender's request class, with the write bounded too."""

    # Every call on aiohttp: ReplyRequest's retry rules (`resendable`) read aiohttp's errors.
    LEAN_JSON = False

    @staticmethod
    @override
    def _timeout(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        # aiohttp has no write timeout, and its sock_read starts only once the request is
        # written: an upload that Telegram stops reading would hold the chat's handler for good.
        # A total of every phase at its longest bounds it without cutting any phase short.
        timeout = AiohttpRequest._timeout(read, write, connect, pool)
        if read is None or write is None or connect is None or pool is None:
            return timeout
        return aiohttp.ClientTimeout(
            total=read + write + connect + pool,
            connect=timeout.connect,
            sock_connect=timeout.sock_connect,
            sock_read=timeout.sock_read,
        )


class ReplyRequest(TelegramRequest):
    """TelegramRequest that retries 429, 5xx and safe network errors, briefly and boundedly."""

    def __init__(
        self,
        *,
        retry_seconds: float = 5.0,
        first_wait: float = 0.25,
        flood_wait_cap: float = 30.0,
        flood_retries: int = 2,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # The total of the waits between tries of one call, 429 waits aside.
        self.retry_seconds = retry_seconds
        self.first_wait = first_wait
        self.flood_wait_cap = flood_wait_cap
        self.flood_retries = flood_retries
        self._sleep = sleep
        self.retried = 0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one Bot API call, again after a short wait while that is safe and worthwhile."""
        api_method = url.rsplit("/", 1)[-1]
        waited = 0.0
        floods = 0
        wait = self.first_wait
        while True:
            try:
                code, payload = await super().do_request(
                    url,
                    method,
                    request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            except NetworkError as exc:  # TimedOut included
                if not resendable(exc.__cause__, api_method) or waited + wait > self.retry_seconds:
                    raise
                why = f"{type(exc.__cause__ or exc).__name__}"
            else:
                if code == 429:
                    seconds = _retry_after(payload)
                    if seconds is None or seconds > self.flood_wait_cap:
                        return code, payload
                    if floods >= self.flood_retries:
                        return code, payload
                    floods += 1
                    log.info("%s: 429, trying again in %.0fs", api_method, seconds)
                    self.retried += 1
                    await self._sleep(seconds)
                    continue
                if (
                    code == 400
                    and api_method.startswith("edit")
                    and _NOT_MODIFIED in payload.lower()
                ):
                    return _NO_OP_EDIT
                if code < 500 or waited + wait > self.retry_seconds:
                    return code, payload
                why = str(code)
            log.info("%s: %s, trying again in %.2fs", api_method, why, wait)
            self.retried += 1
            await self._sleep(wait)
            waited += wait
            wait *= 2
