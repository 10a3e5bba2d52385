"""A lean HTTP/1.1 client for the bulk sender's JSON posts: kept-alive connections, no frills.

Measured with bench/delivery.py (py-spy) at the paid ceiling: aiohttp's client was the largest
share of the sender's CPU per message (a ClientRequest, a ClientResponse, a timer, a task and
their helpers for each 200-byte post). This writes one prebuilt request per call on a pooled
connection and reads the reply with llhttp, Node's C parser, through httptools (as uvicorn
does): Content-Length, chunked (with trailers) or to-close bodies, interim 1xx replies skipped.
It only ever moves bytes: what a status or a body means is left to PTB's request wrapper, so
the sender handles failures exactly as before. Anything it cannot do (files, proxies) stays
with aiohttp.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from typing import cast
from urllib.parse import urlsplit

from httptools import HttpParserError, HttpParserUpgrade, HttpResponseParser

__all__ = ["ClosedError", "Connections", "ResponseReader"]


class ClosedError(ConnectionError):
    """The connection closed (or broke) before the whole response arrived."""


class ResponseReader:
    """A connection's responses, one after another, parsed by llhttp as the bytes arrive."""

    __slots__ = ("_chunks", "_framed", "_parser", "body", "done", "keep_alive", "status")

    def __init__(self) -> None:
        # One parser for the connection's life: llhttp reads kept-alive responses in turn.
        self._parser = HttpResponseParser(self)
        self._chunks: list[bytes] = []
        self.expect()

    def expect(self) -> None:
        """Start over for the next response."""
        self._chunks.clear()
        # Whether the body has a length (Content-Length or chunked); without one it runs to the
        # connection's end, which httptools cannot be told of (it has no llhttp_finish).
        self._framed = False
        self.status = 0
        self.body = b""
        self.keep_alive = True
        self.done = False

    def feed(self, data: bytes) -> bool:
        """Take more bytes; return whether the response is complete."""
        try:
            self._parser.feed_data(data)
        except HttpParserUpgrade:
            raise ClosedError("the server switched protocols") from None
        except HttpParserError as exc:
            if not self.done:
                raise ClosedError(f"not an HTTP/1.x response: {exc}") from exc
            # Bytes after the whole response: it stands, the connection is out of step.
            self.keep_alive = False
        return self.done

    def eof(self) -> bool:
        """The connection ended; return whether that completed the response."""
        if self.status and not self._framed and not self.done:
            self.keep_alive = False
            self._finish()
        return self.done

    def _finish(self) -> None:
        self.body = b"".join(self._chunks)
        self._chunks.clear()
        self.done = True

    # The parser's callbacks.

    def on_message_begin(self) -> None:
        if self.done:
            raise ClosedError("bytes after the response")

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"content-length" or (
            name == b"transfer-encoding" and b"chunked" in value.lower()
        ):
            self._framed = True

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if status >= 200:  # not an interim response (the real one follows those)
            self.status = status
            self.keep_alive = self._parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)

    def on_message_complete(self) -> None:
        if self.status:
            self._finish()
        else:
            self._framed = False
            self._chunks.clear()


class _Connection(asyncio.Protocol):
    """One kept-alive connection: one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._reader = ResponseReader()
        self._waiter: asyncio.Future[ResponseReader] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A cast, not an isinstance check: uvloop's TCP transports do not subclass asyncio's.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            # Bytes nobody asked for: the connection is out of step, do not reuse it.
            self.close()
            return
        try:
            complete = self._reader.feed(data)
        except ClosedError as exc:
            waiter.set_exception(exc)
            self.close()
            return
        if complete:
            self._waiter = None
            waiter.set_result(self._reader)

    def eof_received(self) -> bool | None:
        self._ended(None)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended(exc)

    def _ended(self, exc: Exception | None) -> None:
        self.closed = True
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            if self._reader.eof():
                waiter.set_result(self._reader)
            else:
                error = ClosedError("the server closed the connection")
                if exc is not None:
                    error.__cause__ = exc
                waiter.set_exception(error)

    def send(self, request: bytes) -> asyncio.Future[ResponseReader]:
        """Write a request; return the future of its response."""
        assert self.transport is not None
        waiter = asyncio.get_running_loop().create_future()
        self._reader.expect()
        self._waiter = waiter
        self.transport.write(request)
        return waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Connections:
    """A bounded pool of kept-alive connections to one server, for JSON posts."""

    def __init__(self, url: str, size: int, *, user_agent: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {parts.scheme}://")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.ssl = ssl.create_default_context() if parts.scheme == "https" else None
        netloc = parts.netloc.rpartition("@")[2]
        self._head = b"".join(
            (
                b"Host: ",
                netloc.encode("latin-1"),
                b"\r\nUser-Agent: ",
                user_agent.encode("latin-1"),
                b"\r\nContent-Type: application/json\r\nContent-Length: ",
            )
        )
        self.size = size
        self._idle: deque[_Connection] = deque()
        self._open = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._closing = False

    async def post(
        self,
        path: str,
        body: bytes,
        *,
        read_timeout: float | None,
        connect_timeout: float | None,
        pool_timeout: float | None,
    ) -> tuple[int, bytes]:
        """POST a JSON body to `path` (the URL's path); return the status and the body.

        Raises TimeoutError when a timeout runs out and ClosedError/OSError when the connection
        fails; the request may or may not have reached the server then, as with any client.
        """
        connection = await self._take(connect_timeout, pool_timeout)
        healthy = False
        try:
            request = b"".join(
                (
                    b"POST ",
                    path.encode("latin-1"),
                    b" HTTP/1.1\r\n",
                    self._head,
                    str(len(body)).encode("ascii"),
                    b"\r\n\r\n",
                    body,
                )
            )
            waiter = connection.send(request)
            if read_timeout is None:
                reader = await waiter
            else:
                async with asyncio.timeout(read_timeout):
                    reader = await waiter
            healthy = reader.keep_alive
            return reader.status, reader.body
        finally:
            self._give_back(connection, healthy)

    async def _take(
        self, connect_timeout: float | None, pool_timeout: float | None
    ) -> _Connection:
        while True:
            if self._closing:
                raise ClosedError("the pool is closed")
            while self._idle:
                connection = self._idle.pop()  # the most recently used is the likeliest alive
                if not connection.closed:
                    return connection
                self._open -= 1
            if self._open < self.size:
                self._open += 1
                try:
                    return await self._connect(connect_timeout)
                except BaseException:
                    self._open -= 1
                    self._wake_one()
                    raise
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                if pool_timeout is None:
                    await waiter
                else:
                    async with asyncio.timeout(pool_timeout):
                        await waiter
            except BaseException:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                elif waiter.done() and not waiter.cancelled():
                    self._wake_one()  # it was woken for a connection it will not use
                raise

    async def _connect(self, seconds: float | None) -> _Connection:
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(seconds):
            _, connection = await loop.create_connection(
                _Connection,
                self.host,
                self.port,
                ssl=self.ssl,
                server_hostname=self.host if self.ssl is not None else None,
            )
        return connection

    def _give_back(self, connection: _Connection, healthy: bool) -> None:
        if healthy and not connection.closed and not self._closing:
            self._idle.append(connection)
        else:
            connection.close()
            self._open -= 1
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def close(self) -> None:
        """Close every idle connection; those in use close when their request ends."""
        self._closing = True
        while self._idle:
            self._idle.pop().close()
            self._open -= 1
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(ClosedError("the pool is closed"))
        self._waiters.clear()
