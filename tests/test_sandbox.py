"""The Bot API sandbox speaks Telegram's protocol well enough for the real PTB."""

from __future__ import annotations

import asyncio
import datetime as dt
import warnings
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from bot.sandbox import BotApiSandbox, FloodLimits, SandboxEvent

TOKEN = "123456:TEST"

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def _png(width: int = 2, height: int = 3) -> bytes:
    """Return a minimal valid PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _seconds(error: RetryAfter) -> float:
    """Return retry_after in seconds whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    """Run a sandbox on a free port."""
    async with BotApiSandbox(token=TOKEN, bot_username="nudge_test_bot") as box:
        yield box


@pytest.fixture
async def bot(sandbox: BotApiSandbox) -> AsyncIterator[Bot]:
    """Return a real PTB Bot pointed at the sandbox."""
    request = HTTPXRequest(connection_pool_size=256, read_timeout=60.0)
    async with Bot(
        TOKEN,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        request=request,
    ) as real_bot:
        yield real_bot


def _application(sandbox: BotApiSandbox) -> Application[Any, Any, Any, Any, Any, Any]:
    """Build a real Application against the sandbox without a rate limiter."""
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .get_updates_read_timeout(5.0)
        .build()
    )


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "nudge_test_bot"
    assert me.id == 123456


async def test_wrong_token_and_unknown_method(sandbox: BotApiSandbox) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        bad = await client.post(f"{sandbox.base_url}999:NOPE/getMe")
        assert bad.status_code == 401
        assert bad.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        missing = await client.post(f"{sandbox.base_url}{TOKEN}/doMagic")
        assert missing.status_code == 404
        lower = await client.get(f"{sandbox.base_url}{TOKEN}/getme")
        assert lower.json()["ok"] is True


async def test_inline_keyboard_in_transcript(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Done ✅", callback_data="done:1")],
            [InlineKeyboardButton("Site", url="https://example.org")],
        ]
    )
    sent = await bot.send_message(
        ana.id, "<b>Drink</b> water 💧", ParseMode.HTML, reply_markup=markup
    )
    assert sent.text == "Drink water 💧"
    assert sent.entities[0].type == "bold"
    emoji_first = await bot.send_message(ana.id, "💧 <b>x</b>", ParseMode.HTML)
    assert emoji_first.entities[0].offset == 3  # UTF-16 units: the emoji counts twice
    assert emoji_first.parse_entity(emoji_first.entities[0]) == "x"
    await bot.delete_message(ana.id, emoji_first.message_id)
    assert sent.reply_markup == markup
    assert sent.from_user is not None and sent.from_user.is_bot
    [message] = sandbox.transcript(ana.id)
    assert message.from_bot
    assert message.text == "Drink water 💧"
    assert message.buttons[0][0].callback_data == "done:1"
    assert message.buttons[1][0].url == "https://example.org"

    edited = await bot.edit_message_text("Done!", chat_id=ana.id, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    last = sandbox.last_bot_message(ana.id)
    assert last is not None and last.text == "Done!" and last.edited and last.buttons == []
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("Done!", chat_id=ana.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ana.id, message_id=999)
    assert await bot.delete_message(ana.id, sent.message_id)
    assert sandbox.transcript(ana.id) == []


async def test_validation_errors(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ana.id, "hi", reply_markup=too_long_data)
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(ana.id, "x" * 4097)
    await bot.send_message(ana.id, "x" * 4096)
    # HTML tags do not count towards the limit.
    await bot.send_message(ana.id, "<b>" + "y" * 4096 + "</b>", ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ana.id, "<b>unclosed", ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ana.id, "1. Done.", ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hi")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ana.id, "   ")
    assert len(sandbox.bot_messages(ana.id)) == 2


async def test_flood_limit_raises_retry_after(sandbox: BotApiSandbox, bot: Bot) -> None:
    # Time stands still for the buckets, however slowly the machine sends.
    sandbox.freeze_flood_clock()
    ana = sandbox.add_user("Ana")
    with pytest.raises(RetryAfter) as caught:
        for i in range(5):
            await bot.send_message(ana.id, f"spam {i}")
    assert _seconds(caught.value) >= 1
    assert sandbox.stats.sent == 3
    assert sandbox.stats.rejected_429 == 1
    sandbox.limits = FloodLimits(enabled=False)
    await bot.send_message(ana.id, "now fine")


async def test_group_and_paid_broadcast_limits(sandbox: BotApiSandbox, bot: Bot) -> None:
    sandbox.freeze_flood_clock()
    sandbox.limits = FloodLimits(global_per_second=30, global_burst=5, private_burst=10)
    people = [sandbox.add_user(f"P{i}") for i in range(8)]
    results = await asyncio.gather(
        *(bot.send_message(p.id, "hi") for p in people), return_exceptions=True
    )
    assert sum(isinstance(r, RetryAfter) for r in results) == 3
    sandbox.limits = FloodLimits(global_burst=5)
    results = await asyncio.gather(
        *(bot.send_message(p.id, "paid", allow_paid_broadcast=True) for p in people),
        return_exceptions=True,
    )
    assert not any(isinstance(r, Exception) for r in results)
    group = sandbox.add_group("Team", members=people[:2])
    await sandbox.add_bot_to_group(group.id, by=people[0])
    sandbox.limits = FloodLimits(group_burst=2)
    await bot.send_message(group.id, "1")
    await bot.send_message(group.id, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "3")
    assert _seconds(caught.value) == 3


async def test_blocked_user_is_forbidden(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    sandbox.block(ana)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(ana.id, "hi")
    assert sandbox.stats.rejected_403 == 1
    sandbox.unblock(ana)
    await bot.send_message(ana.id, "hi again")


async def test_migrated_group(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    group = sandbox.add_group("Team", members=[ana])
    with pytest.raises(Forbidden, match=r"(?i)not a member"):
        await bot.send_message(group.id, "hi")
    await sandbox.add_bot_to_group(group.id, by=ana)
    await bot.send_message(group.id, "hi")
    new_id = sandbox.migrate_group(group.id)
    assert str(new_id).startswith("-100")
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(group.id, "hi")
    assert caught.value.new_chat_id == new_id
    sent = await bot.send_message(new_id, "hi supergroup")
    assert sent.chat.type == "supergroup"
    member = await bot.get_chat_member(new_id, ana.id)
    assert member.status == "creator"
    me = await bot.get_chat_member(new_id, bot.id)
    assert me.status == "member"
    info = await bot.get_chat(new_id)
    assert info.title == "Team"


async def test_fail_next_and_slow_next(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    sandbox.fail_next("sendMessage", status=500)
    with pytest.raises(NetworkError):
        await bot.send_message(ana.id, "hi")
    assert sandbox.transcript(ana.id) == []
    sandbox.fail_next("sendmessage", status=429, parameters={"retry_after": 7})
    with pytest.raises(RetryAfter):
        await bot.send_message(ana.id, "hi")
    await bot.send_message(ana.id, "hi")
    sandbox.slow_next("sendMessage", 0.5)
    with pytest.raises(NetworkError):  # TimedOut is a NetworkError
        await bot.send_message(ana.id, "slow", read_timeout=0.1)
    # Like Telegram, the message is still delivered after the client gave up.
    await sandbox.wait_for_bot_message(ana.id, after_message_id=1)
    assert [m.text for m in sandbox.bot_messages(ana.id)] == ["hi", "slow"]


async def test_dropped_connections_and_proxy_pages(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    sandbox.drop_next("sendMessage")
    with pytest.raises(NetworkError, match="RemoteProtocolError"):
        await bot.send_message(ana.id, "lost on the way")
    assert sandbox.transcript(ana.id) == []
    sandbox.drop_next("sendMessage", after=True)
    with pytest.raises(NetworkError, match="RemoteProtocolError"):
        await bot.send_message(ana.id, "only the answer was lost")
    assert [m.text for m in sandbox.bot_messages(ana.id)] == ["only the answer was lost"]
    sandbox.fail_next_page("sendMessage", 502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ana.id, "behind a proxy")
    assert sandbox.stats.injected_failures == 3
    await bot.send_message(ana.id, "fine again")
    assert len(sandbox.bot_messages(ana.id)) == 2


async def test_photo_document_and_file_download(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    png = _png(4, 5)
    sent = await bot.send_photo(ana.id, png, caption="Your <i>week</i>", parse_mode="HTML")
    assert sent.photo[-1].width == 4 and sent.photo[-1].height == 5
    assert sent.caption == "Your week"
    doc = await bot.send_document(ana.id, b"a,b\n1,2\n", filename="log.csv")
    assert doc.document is not None and doc.document.file_name == "log.csv"
    [photo_msg, doc_msg] = sandbox.transcript(ana.id)
    assert photo_msg.photo == png and photo_msg.text == "Your week"
    assert doc_msg.document == b"a,b\n1,2\n" and doc_msg.filename == "log.csv"
    tg_file = await bot.get_file(doc.document.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == b"a,b\n1,2\n"
    again = await bot.send_photo(ana.id, sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(ana.id, b"not an image")


async def test_commands_are_stored_per_scope(sandbox: BotApiSandbox, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeAllGroupChats

    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands(
        [BotCommand("join", "Join the challenge")], scope=BotCommandScopeAllGroupChats()
    )
    assert sandbox.commands() == [("start", "Start"), ("help", "Help")]
    assert sandbox.commands("all_group_chats") == [("join", "Join the challenge")]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    await bot.delete_my_commands()
    assert sandbox.commands() == []


async def test_application_round_trip(sandbox: BotApiSandbox) -> None:
    events: list[SandboxEvent] = []
    sandbox.subscribe(events.append)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Yes", callback_data="yes"),
                    InlineKeyboardButton("No", callback_data="no"),
                ]
            ]
        )
        await update.effective_message.reply_text(
            "Hello! Ready?", reply_markup=keyboard, do_quote=True
        )
        await update.effective_message.reply_text(
            "Pick a time", reply_markup=ReplyKeyboardMarkup([["08:00", "09:00"]])
        )

    async def join(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"joined {context.args}")

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        if query.data == "yes":
            await query.answer("Great", show_alert=True)
            await query.edit_message_text("You said yes")
        else:
            await query.answer()

    app = _application(sandbox)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("join", join))
    app.add_handler(CallbackQueryHandler(on_button))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        try:
            ana = sandbox.add_user("Ana")
            incoming = await sandbox.send_text(ana, "/start")
            replies = await sandbox.wait_for_bot_message(
                ana.id, count=2, after_message_id=incoming.message_id
            )
            assert [m.text for m in replies] == ["Hello! Ready?", "Pick a time"]
            assert sandbox.reply_keyboard(ana.id) == [["08:00", "09:00"]]
            question = replies[0]
            assert question.raw["reply_to_message"]["message_id"] == incoming.message_id

            query_id = await sandbox.press_button(ana, question.message_id, text="Yes")
            answer = await sandbox.wait_for_callback_answer(query_id)
            assert answer.text == "Great" and answer.show_alert
            await sandbox.wait_until(lambda: sandbox.transcript(ana.id)[1].text == "You said yes")
            with pytest.raises(LookupError, match=r"(?i)buttons"):
                await sandbox.press_button(ana, question.message_id, text="Maybe")
            forged = await sandbox.press_callback(ana, question.message_id, "no")
            assert (await sandbox.wait_for_callback_answer(forged)).text is None

            bob = sandbox.add_user("Bob")
            group = sandbox.add_group("Team", members=[ana, bob])
            await sandbox.add_bot_to_group(group.id, by=ana)
            await sandbox.send_text(bob, "/join@nudge_test_bot now", chat_id=group.id)
            [reply] = await sandbox.wait_for_bot_message(group.id)
            assert reply.text == "joined ['now']"
            await sandbox.settle(quiet=0.1)
        finally:
            await app.updater.stop()
            await app.stop()
    kinds = {e.kind for e in events}
    assert {"message", "edit", "callback_answer"} <= kinds
    assert sandbox.stats.calls["getUpdates"] >= 1


async def test_callback_answer_twice_is_rejected(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    sent = await bot.send_message(ana.id, "Press", reply_markup=markup)
    query_id = await sandbox.press_button(ana, sent.message_id, data="go")
    updates = await bot.get_updates(timeout=1)
    assert updates[-1].callback_query is not None
    assert updates[-1].callback_query.data == "go"
    assert await bot.answer_callback_query(query_id, "ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id, "again")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("nope")


async def test_long_polling_wakes_on_update(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    # A poll that did not wake would run for 120 s: waiting 60 for it tells the two apart.
    poll = asyncio.create_task(bot.get_updates(timeout=120))
    await sandbox.wait_until(lambda: sandbox.stats.calls["getUpdates"] == 1)
    await sandbox.send_text(ana, "/go👋 now")
    try:
        async with asyncio.timeout(60):
            [update] = await asyncio.shield(poll)
    finally:
        poll.cancel()
    assert update.message is not None and update.message.text == "/go👋 now"
    assert update.message.entities[0].length == 3
    # Confirming with offset drops the update.
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_my_chat_member_updates(sandbox: BotApiSandbox, bot: Bot) -> None:
    ana = sandbox.add_user("Ana")
    group = sandbox.add_group("Team", members=[ana], supergroup=True)
    await sandbox.add_bot_to_group(group.id, by=ana)
    await sandbox.remove_bot_from_group(group.id, by=ana)
    sandbox.block(ana)
    updates = await bot.get_updates(allowed_updates=Update.ALL_TYPES)
    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["member", "kicked", "kicked"]
    joined = [u.message for u in updates if u.message]
    assert joined[0] is not None and joined[0].new_chat_members[0].id == bot.id
    with pytest.raises(Forbidden, match=r"(?i)kicked"):
        await bot.send_message(group.id, "hi")


async def test_many_concurrent_sends_overlap(sandbox: BotApiSandbox, bot: Bot) -> None:
    sandbox.limits = FloodLimits(enabled=False)
    # Held until 21 are in flight at once: serial handling would never get there.
    sandbox.hold("sendMessage")
    people = [sandbox.add_user(f"P{i}") for i in range(200)]
    sends = asyncio.gather(*(bot.send_message(p.id, "nudge") for p in people))
    try:
        await sandbox.wait_until(lambda: sandbox.stats.in_flight > 20)
    finally:
        sandbox.release("sendMessage")
    results = await sends
    assert len({(m.chat.id, m.message_id) for m in results}) == 200
    assert sandbox.stats.sent == 200
    # Serial handling would keep one request in flight; the sandbox overlaps them.
    assert sandbox.stats.max_in_flight > 20


@pytest.mark.parametrize(
    ("source", "mode", "plain", "types"),
    [
        ("<b>a</b> &amp; <i>b</i>", "HTML", "a & b", ["bold", "italic"]),
        ('<a href="https://x.org">x</a>', "HTML", "x", ["text_link"]),
        ('<pre><code class="language-py">x=1</code></pre>', "HTML", "x=1", ["pre"]),
        ("*bold* and _it_ 1\\.", "MarkdownV2", "bold and it 1.", ["bold", "italic"]),
        ("plain <b>", None, "plain <b>", []),
    ],
)
def test_parse_text(source: str, mode: str | None, plain: str, types: list[str]) -> None:
    from bot.sandbox.text import parse_text

    text, entities = parse_text(source, mode)
    assert text == plain
    assert [e["type"] for e in entities] == types


@pytest.mark.parametrize(
    ("source", "mode"),
    [
        ("<b>open", "HTML"),
        ("<b><i>x</b></i>", "HTML"),
        ("<br>", "HTML"),
        ("a < b", "HTML"),
        ("Done!", "MarkdownV2"),
        ("*open", "MarkdownV2"),
    ],
)
def test_parse_text_rejects_malformed(source: str, mode: str) -> None:
    from bot.sandbox.text import EntityParseError, parse_text

    with pytest.raises(EntityParseError):
        parse_text(source, mode)
