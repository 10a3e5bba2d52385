"""The reply transport on aiohttp: bodies, files, pool, timeouts, and which failures are resent."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut

from bot.sandbox import BotApiSandbox
from bot.telegram.transport import ReplyRequest, TelegramRequest, resendable
from tests.harness import TOKEN

# Only the header matters to the sandbox (it reads the size from IHDR); the rest makes the
# upload big enough to be written in many pieces.
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + struct.pack(">I", 13)
    + b"IHDR"
    + struct.pack(">II", 3, 2)
    + b"\x08\x02\x00\x00\x00"
    + os.urandom(200_000)
)


class Waits:
    """A sleep that records the waits and returns at once."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def _bot(base_url: str, request: TelegramRequest) -> Bot:
    """A Bot on `request`; `async with` starts it (getMe) and closes the session."""
    return Bot(TOKEN, base_url=base_url, request=request)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# ------------------------------------------------------------------ which failures are resent


@pytest.mark.parametrize(
    ("cause", "for_a_send", "for_an_edit"),
    [
        # Never reached Telegram: resent whatever the call.
        (aiohttp.ConnectionTimeoutError("Connection timeout to host"), True, True),
        (aiohttp.ClientConnectionResetError("Cannot write to closing transport"), True, True),
        # Closed or reset without an answer: almost always unread, resent.
        (aiohttp.ServerDisconnectedError(), True, True),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), True, True),
        # Telegram most likely acted: only a call that does nothing twice is repeated.
        (aiohttp.SocketTimeoutError("Timeout on reading data from socket"), False, True),
        (TimeoutError(), False, True),  # the total that bounds a stuck write
        (aiohttp.ClientPayloadError("Response payload is not completed"), False, True),
        # Neither: a bug or a bad answer is not fixed by asking again.
        (aiohttp.InvalidURL("nowhere"), False, False),
        (None, False, False),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, bool) else str(v),
)
def test_which_failures_are_sent_again(
    cause: BaseException | None, for_a_send: bool, for_an_edit: bool
) -> None:
    assert resendable(cause, "sendMessage") is for_a_send
    assert resendable(cause, "editMessageText") is for_an_edit


async def test_a_refused_connection_is_retried_then_surfaces() -> None:
    waits = Waits()
    request = ReplyRequest(retry_seconds=1.0, first_wait=0.25, sleep=waits)
    await request.initialize()
    with pytest.raises(NetworkError) as caught:
        await request.post(f"http://127.0.0.1:{_free_port()}/bot{TOKEN}/sendMessage")
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert waits.seconds == [0.25, 0.5]
    await request.shutdown()


async def test_no_free_connection_is_not_a_sent_message(sandbox: BotApiSandbox) -> None:
    # The one connection is held by a call Telegram keeps waiting; the next call never leaves,
    # so it is retried even though it is a send, and gives up within the budget.
    ana = sandbox.add_user("Ana")
    waits = Waits()
    request = ReplyRequest(
        connection_pool_size=1, connect_timeout=0.2, pool_timeout=0.2, sleep=waits
    )
    async with _bot(sandbox.base_url, request) as bot:
        sandbox.hold("sendMessage")
        first = asyncio.create_task(bot.send_message(ana.id, "first"))
        await sandbox.wait_until(lambda: sandbox.stats.in_flight == 1)
        request.retry_seconds = 1.0
        with pytest.raises(TimedOut) as caught:
            await bot.send_message(ana.id, "second")
        assert isinstance(caught.value.__cause__, aiohttp.ConnectionTimeoutError)
        assert waits.seconds == [0.25, 0.5]
        sandbox.release("sendMessage")
        await first
        assert [m.text for m in sandbox.bot_messages(ana.id)] == ["first"]
        assert sandbox.stats.calls["sendMessage"] == 1


# ------------------------------------------------------------------ the pool and timeouts


async def test_calls_in_flight_stay_within_the_pool(sandbox: BotApiSandbox) -> None:
    # Six people, one message each (the sandbox holds a chat to Telegram's 1/s).
    people = [sandbox.add_user(f"P{i}") for i in range(6)]
    async with _bot(
        sandbox.base_url, ReplyRequest(connection_pool_size=2, pool_timeout=60)
    ) as bot:
        sandbox.delay = 0.05
        await asyncio.gather(*(bot.send_message(p.id, "hi") for p in people))
        assert all([m.text for m in sandbox.bot_messages(p.id)] == ["hi"] for p in people)
        assert sandbox.stats.max_in_flight == 2


async def test_a_long_poll_outlasts_the_read_timeout(sandbox: BotApiSandbox) -> None:
    # PTB adds the poll's timeout to the request's read timeout: a poll of 3 s on a read
    # timeout of 1 s is answered (empty), not cut off.
    async with Bot(
        TOKEN,
        base_url=sandbox.base_url,
        request=TelegramRequest(),
        get_updates_request=TelegramRequest(read_timeout=1.0),
    ) as bot:
        assert await bot.get_updates(timeout=3) == ()


def test_the_write_is_bounded_by_a_total() -> None:
    timeout = TelegramRequest._timeout(read=15, write=15, connect=5, pool=1)
    assert (timeout.sock_read, timeout.sock_connect, timeout.connect) == (15, 5, 6)
    assert timeout.total == 36
    assert TelegramRequest._timeout(read=None, write=15, connect=5, pool=1).total is None


@pytest.fixture
async def deaf_server() -> AsyncIterator[str]:
    """A server that accepts connections and never reads from them; yields its base URL."""
    done = asyncio.Event()

    async def ignore(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await done.wait()
        writer.close()

    server = await asyncio.start_server(ignore, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        done.set()
        server.close()
        await server.wait_closed()


async def test_an_upload_nobody_reads_ends_and_is_not_sent_again(deaf_server: str) -> None:
    # aiohttp starts its read timeout only once the body is written, so without the total a
    # stuck upload would wait for good. The total cannot tell a stuck write from a slow
    # answer, so a send is not repeated.
    waits = Waits()
    request = ReplyRequest(
        read_timeout=0.5, write_timeout=0.5, connect_timeout=0.5, pool_timeout=0.5, sleep=waits
    )
    await request.initialize()  # no getMe: this server never answers
    try:
        big = InputFile(os.urandom(64 * 1024 * 1024), filename="big.bin")
        with pytest.raises(TimedOut) as caught:
            await _bot(deaf_server, request).send_document(1, big)
        assert type(caught.value.__cause__) is TimeoutError
        assert waits.seconds == []
    finally:
        await request.shutdown()


# ------------------------------------------------------------------ bodies and files


async def test_a_photo_goes_up_as_multipart_with_its_caption_and_buttons(
    sandbox: BotApiSandbox,
) -> None:
    ana = sandbox.add_user("Ana")
    async with _bot(sandbox.base_url, ReplyRequest()) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="p:again")]])
        sent = await bot.send_photo(
            ana.id, InputFile(PNG, filename="chart.png"), caption="Week 1", reply_markup=markup
        )
        [message] = sandbox.bot_messages(ana.id)
        assert message.photo == PNG
        assert message.raw["caption"] == "Week 1"
        assert message.button_texts == ["Again"]
        assert sent.photo[-1].width == 3 and sent.caption == "Week 1"


async def test_a_document_is_uploaded_again_after_a_502(sandbox: BotApiSandbox) -> None:
    ana = sandbox.add_user("Ana")
    async with _bot(sandbox.base_url, ReplyRequest(sleep=Waits())) as bot:
        sandbox.fail_next_page("sendDocument", 502)
        data = os.urandom(300_000)
        await bot.send_document(ana.id, InputFile(data, filename="export.csv"), caption="yours")
        [message] = sandbox.bot_messages(ana.id)
        assert message.document == data and message.filename == "export.csv"
        assert sandbox.stats.calls["sendDocument"] == 2


async def test_nested_parameters_go_as_json(sandbox: BotApiSandbox) -> None:
    ana = sandbox.add_user("Ana")
    async with _bot(sandbox.base_url, ReplyRequest()) as bot:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Yes ✓", callback_data="y"),
                    InlineKeyboardButton("No", url="https://example.org"),
                ]
            ]
        )
        sent = await bot.send_message(ana.id, "Çà va? 💧", reply_markup=markup)
        [message] = sandbox.bot_messages(ana.id)
        assert message.text == sent.text == "Çà va? 💧"
        assert message.button_texts == ["Yes ✓", "No"]


# ------------------------------------------------------------------ the session's life


async def test_the_session_opens_and_closes_with_the_bot(sandbox: BotApiSandbox) -> None:
    request = TelegramRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{sandbox.base_url}{TOKEN}/getMe", "POST")
    bot = Bot(TOKEN, base_url=sandbox.base_url, request=request)
    for _ in range(2):  # started again after a shutdown, as Application.initialize may
        async with bot:
            assert (await bot.get_me()).is_bot
        with pytest.raises(RuntimeError, match="not initialized"):
            await request.do_request(f"{sandbox.base_url}{TOKEN}/getMe", "POST")
    await request.shutdown()  # twice is harmless
