"""The bulk sender's lean HTTP/1.1 client: response parsing and kept-alive connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.delivery.http import AiohttpRequest, post
from bot.delivery.wire import ClosedError, Connections, ResponseReader

TOKEN = "123456789:AAwireTOKENforTESTSonly-abcdefghijklm"
OK = b'{"ok":true,"result":{"message_id":7}}'


def reply(body: bytes = OK, status: str = "200 OK", extra: bytes = b"") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n".encode()
    return head + extra + b"\r\n" + body


def feed_bytewise(data: bytes) -> ResponseReader:
    reader = ResponseReader()
    done = False
    for i in range(len(data)):
        assert not done, "complete before its last byte"
        done = reader.feed(data[i : i + 1])
    assert done
    return reader


def test_a_body_by_length_split_anywhere() -> None:
    reader = feed_bytewise(reply())
    assert (reader.status, reader.body, reader.keep_alive) == (200, OK, True)


def test_a_chunked_body_with_an_interim_response_first() -> None:
    data = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 429 Too Many Requests\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5;x=y\r\n{"ok"\r\n4\r\n:fal\r\n3\r\nse}\r\n0\r\n\r\n'
    )
    reader = feed_bytewise(data)
    assert (reader.status, reader.body) == (429, b'{"ok":false}')


def test_a_body_until_the_connection_closes() -> None:
    reader = ResponseReader()
    assert not reader.feed(b"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n<html>")
    assert not reader.feed(b"</html>")
    assert reader.eof()
    assert (reader.status, reader.body, reader.keep_alive) == (502, b"<html></html>", False)


def test_connection_close_is_not_kept() -> None:
    reader = ResponseReader()
    assert reader.feed(reply(extra=b"Connection: close\r\n"))
    assert not reader.keep_alive


def test_trailers_after_the_last_chunk_are_read_past() -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2\r\nok\r\n0\r\nX-Checksum: 1\r\nX-More: 2\r\n\r\n"
    )
    reader = feed_bytewise(data)
    assert (reader.status, reader.body, reader.keep_alive) == (200, b"ok", True)


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nshort",
        b"HTTP/1.1 200 OK\r\nContent-",
        b"HTTP/1.1 100 Continue\r\n\r\n",
    ],
)
def test_a_response_cut_short_is_not_complete(data: bytes) -> None:
    reader = ResponseReader()
    assert not reader.feed(data)
    assert not reader.eof()


def test_a_reader_reads_a_connections_responses_in_turn() -> None:
    reader = ResponseReader()
    assert reader.feed(reply(b"first"))
    assert reader.body == b"first"
    reader.expect()
    assert reader.feed(reply(b"second", "201 Created"))
    assert (reader.status, reader.body, reader.keep_alive) == (201, b"second", True)


def test_bytes_after_the_response_end_the_connection() -> None:
    reader = ResponseReader()
    assert reader.feed(reply() + b"HTTP/1.1 200 OK\r\n")
    assert (reader.status, reader.body, reader.keep_alive) == (200, OK, False)


def test_http_1_0_is_not_kept() -> None:
    reader = ResponseReader()
    assert reader.feed(reply().replace(b"HTTP/1.1", b"HTTP/1.0", 1))
    assert not reader.keep_alive


def test_junk_is_refused() -> None:
    with pytest.raises(ClosedError):
        ResponseReader().feed(b"SSH-2.0-OpenSSH\r\n\r\n")
    with pytest.raises(ClosedError):
        ResponseReader().feed(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n")


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], "asyncio.Future[None] | None"]


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[str], dict[str, object]]]:
    """A tiny HTTP server; `mode` picks how it answers; yields its URL and the requests seen."""
    seen: list[str] = []
    mode: dict[str, object] = {"how": "ok"}
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        mode["connections"] = connections
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.decode().split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":")[1])
                body = await reader.readexactly(length)
                seen.append(head.decode().split("\r\n")[0] + " " + body.decode())
                how = mode["how"]
                if how == "hang":
                    await asyncio.sleep(10)
                if how == "drop":
                    writer.close()
                    return
                writer.write(reply(extra=b"Connection: close\r\n" if how == "close" else b""))
                await writer.drain()
                if how == "close":
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", seen, mode
    srv.close()


async def test_requests_reuse_one_connection(
    server: tuple[str, list[str], dict[str, object]],
) -> None:
    url, seen, mode = server
    pool = Connections(url, 2, user_agent="test")
    for n in range(3):
        status, body = await pool.post(
            "/botX/sendMessage",
            b'{"n":%d}' % n,
            read_timeout=5,
            connect_timeout=5,
            pool_timeout=5,
        )
        assert (status, body) == (200, OK)
    assert seen == [f'POST /botX/sendMessage HTTP/1.1 {{"n":{n}}}' for n in range(3)]
    assert mode["connections"] == 1
    pool.close()


def test_connections_work_on_uvloop() -> None:
    uvloop = pytest.importorskip("uvloop")

    async def serve_and_post() -> tuple[int, bytes]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(2)
            writer.write(reply())
            await writer.drain()
            writer.close()

        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        pool = Connections(f"http://127.0.0.1:{port}", 1, user_agent="test")
        try:
            return await pool.post("/m", b"{}", read_timeout=5, connect_timeout=5, pool_timeout=5)
        finally:
            pool.close()
            srv.close()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(serve_and_post()) == (200, OK)


async def test_a_closed_connection_is_replaced(
    server: tuple[str, list[str], dict[str, object]],
) -> None:
    url, _seen, mode = server
    mode["how"] = "close"
    pool = Connections(url, 1, user_agent="test")
    for _ in range(2):
        assert (await pool.post("/m", b"{}", read_timeout=5, connect_timeout=5, pool_timeout=5))[
            0
        ] == 200
    assert mode["connections"] == 2
    pool.close()


async def test_errors_map_to_ptbs(server: tuple[str, list[str], dict[str, object]]) -> None:
    url, _seen, mode = server
    request = AiohttpRequest(2, read_timeout=0.2)
    await request.initialize()
    data = RequestData([RequestParameter("chat_id", 1, None)])
    try:
        assert await request.do_request(f"{url}/botX/sendMessage", "POST", data) == (200, OK)
        mode["how"] = "drop"
        with pytest.raises(NetworkError):
            await request.do_request(f"{url}/botX/sendMessage", "POST", data)
        mode["how"] = "hang"
        with pytest.raises(TimedOut):
            await request.do_request(f"{url}/botX/sendMessage", "POST", data)
        mode["how"] = "ok"
        # The timed-out connection is not reused: the next request gets a good answer.
        assert await request.do_request(f"{url}/botX/sendMessage", "POST", data) == (200, OK)
    finally:
        await request.shutdown()


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        ("429 Too Many Requests", b'{"ok":false,"parameters":{"retry_after":3}}', RetryAfter),
        ("403 Forbidden", b'{"ok":false,"description":"blocked"}', Forbidden),
        ("400 Bad Request", b'{"ok":false,"description":"chat not found"}', BadRequest),
        ("502 Bad Gateway", b"<html>proxy</html>", NetworkError),
    ],
)
async def test_a_refused_post_raises_what_ptb_raises(
    status: str, body: bytes, error: type[Exception]
) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(":")[1])
            for line in head.decode().split("\r\n")
            if line.lower().startswith("content-length:")
        )
        await reader.readexactly(length)
        writer.write(reply(body, status))
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest(2))
    await bot.request.initialize()
    try:
        with pytest.raises(error):
            await post(bot, "sendMessage", {"chat_id": 1, "text": "hi"})
    finally:
        await bot.request.shutdown()
        srv.close()
