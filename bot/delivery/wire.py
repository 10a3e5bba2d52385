"""A lean HTTP/1.1 client for the bulk sender's JSON posts: kept-alive connections, no frills.

Measured with bench/delivery.py (py-spy) at the paid ceiling: aiohttp's client was the largest
share of the sender's CPU per message (a ClientRequest, a ClientResponse, a timer, a task and
their helpers for each 200-byte post). This writes one prebuilt request per call on a pooled
connection and reads the reply with a small parser (Content-Length, chunked or to-close
bodies). It only ever moves bytes: what a status or a body means is left to PTB's request
wrapper, so the sender handles failures exactly as before. Anything it cannot do (files,
proxies) stays with aiohttp.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from typing import cast
from urllib.parse import urlsplit

__all__ = ["ClosedError", "Connections", "ResponseReader"]


class ClosedError(ConnectionError):
    """The connection closed (or broke) before the whole response arrived."""


class ResponseReader:
    """Parse one HTTP/1.1 response from the bytes as they arrive."""

    __slots__ = ("_buffer", "_chunks", "_length", "_mode", "body", "done", "keep_alive", "status")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._mode = "head"  # head -> length | chunked | close -> done
        self._length = 0
        self._chunks: list[bytes] = []
        self.status = 0
        self.body = b""
        self.keep_alive = True
        self.done = False

    def feed(self, data: bytes) -> bool:
        """Take more bytes; return whether the response is complete."""
        self._buffer += data
        while not self.done:
            if self._mode == "head":
                if not self._head():
                    return False
            elif self._mode == "length":
                if len(self._buffer) < self._length:
                    return False
                self._finish(bytes(self._buffer[: self._length]))
                del self._buffer[: self._length]
            elif self._mode == "chunked":
                if not self._chunk():
                    return False
            else:  # close-delimited: complete when the connection ends
                return False
        return True

    def eof(self) -> bool:
        """The connection ended; return whether that completed the response."""
        if self._mode == "close" and not self.done:
            self._finish(bytes(self._buffer))
            self._buffer.clear()
        return self.done

    def _finish(self, body: bytes) -> None:
        self.body = body
        self.done = True

    def _head(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > 65536:
                raise ClosedError("response head too long")
            return False
        lines = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        del self._buffer[: end + 4]
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ClosedError(f"not an HTTP/1.x response: {lines[0][:40]!r}")
        status = int(parts[1])
        if 100 <= status < 200:  # an interim response: the real one follows
            return True
        self.status = status
        length: int | None = None
        chunked = False
        self.keep_alive = parts[0] != "HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            value = value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value
            elif name == "connection":
                if "close" in value:
                    self.keep_alive = False
                elif "keep-alive" in value:
                    self.keep_alive = True
        if chunked:
            self._mode = "chunked"
        elif length is not None:
            self._mode, self._length = "length", length
        elif status in (204, 304):
            self._finish(b"")
        else:
            self._mode, self.keep_alive = "close", False
        return True

    def _chunk(self) -> bool:
        end = self._buffer.find(b"\r\n")
        if end < 0:
            return False
        size = int(bytes(self._buffer[:end]).split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            # The last chunk, then optional trailers, then an empty line.
            tail = self._buffer.find(b"\r\n\r\n", end)
            if tail < 0:
                if self._buffer[end + 2 : end + 4] == b"\r\n":
                    tail = end
                else:
                    return False
            del self._buffer[: tail + 4]
            self._finish(b"".join(self._chunks))
            return True
        start = end + 2
        if len(self._buffer) < start + size + 2:
            return False
        self._chunks.append(bytes(self._buffer[start : start + size]))
        del self._buffer[: start + size + 2]
        return True


class _Connection(asyncio.Protocol):
    """One kept-alive connection: one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._reader: ResponseReader | None = None
        self._waiter: asyncio.Future[ResponseReader] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Not an isinstance check: uvloop's transports are not asyncio.Transport subclasses.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        reader, waiter = self._reader, self._waiter
        if reader is None or waiter is None or waiter.done():
            # Bytes nobody asked for: the connection is out of step, do not reuse it.
            self.close()
            return
        try:
            complete = reader.feed(data)
        except (ClosedError, ValueError) as exc:
            waiter.set_exception(exc if isinstance(exc, ClosedError) else ClosedError(str(exc)))
            self.close()
            return
        if complete:
            self._reader = self._waiter = None
            waiter.set_result(reader)

    def eof_received(self) -> bool | None:
        self._ended(None)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended(exc)

    def _ended(self, exc: Exception | None) -> None:
        self.closed = True
        reader, waiter = self._reader, self._waiter
        self._reader = self._waiter = None
        if waiter is not None and not waiter.done():
            if reader is not None and reader.eof():
                waiter.set_result(reader)
            else:
                error = ClosedError("the server closed the connection")
                if exc is not None:
                    error.__cause__ = exc
                waiter.set_exception(error)

    def send(self, request: bytes) -> asyncio.Future[ResponseReader]:
        """Write a request; return the future of its response."""
        assert self.transport is not None
        waiter = asyncio.get_running_loop().create_future()
        self._reader, self._waiter = ResponseReader(), waiter
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
