"""The HTTP transport of the bot's own replies: retry briefly what is safe to send again.

A reply to a person's action goes out at once from the handler, so one 502 or one dropped
connection must not lose it. This request class sends again, within a few seconds in total:

- 429: after the `retry_after` Telegram asks for (up to a cap, at most twice), as before;
- 5xx: Telegram did not do it (a 500 is its own failure, a 502/503/504 its proxy's);
- a call that never reached Telegram: no connection, no free connection, a failed or timed-out
  write (a request Telegram did not fully receive is one it did not act on);
- a connection closed without an answer. Almost always a kept-alive connection that the other
  side had already closed, so the request was never read. The trade-off: if Telegram did act
  and the answer alone was lost, a sendMessage is sent twice. A late duplicate reply is judged
  better than a lost one;
- a read timeout, but only for calls that do nothing twice (edits, answers, reads): a send that
  timed out while Telegram was slow most likely went through, and sending it again would
  duplicate it, so it is not repeated.

Bulk sends do not use this: the outbox sender retries a row over minutes (see delivery.sender).

A no-op edit ("message is not modified", a double tap re-rendering the same screen) is a
success: the message already shows what the handler wanted, so the call returns True.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

# Calls that create something each time they succeed; everything else is safe to repeat.
_CREATING = ("send", "forward", "copy", "create", "post", "upload")
# Transport failures after which Telegram has not acted on the request.
_NOT_DELIVERED: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.ProxyError,
)
# Closed without an answer: usually unread, rarely acted on (see the module docstring).
_NO_ANSWER: tuple[type[Exception], ...] = (httpx.RemoteProtocolError, httpx.ReadError)
_NOT_MODIFIED = b"message is not modified"
_NO_OP_EDIT = (200, b'{"ok":true,"result":true}')


def creates(api_method: str) -> bool:
    """Tell whether a Bot API call makes something new each time (so a repeat duplicates)."""
    return api_method.lower().startswith(_CREATING)


def _retry_after(payload: bytes) -> float | None:
    """Read `parameters.retry_after` from a 429 answer, if it has one."""
    try:
        value = json.loads(payload)["parameters"]["retry_after"]
    except (ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None


class ReplyRequest(HTTPXRequest):
    """HTTPXRequest that retries 429, 5xx and safe network errors with a short, bounded backoff."""

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
                if not self._resendable(exc, api_method) or waited + wait > self.retry_seconds:
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

    @staticmethod
    def _resendable(error: NetworkError, api_method: str) -> bool:
        """Tell whether sending the call again cannot act twice (or very rarely can)."""
        cause = error.__cause__
        if isinstance(cause, _NOT_DELIVERED + _NO_ANSWER):
            return True
        if isinstance(cause, httpx.ReadTimeout):
            return not creates(api_method)
        return False
