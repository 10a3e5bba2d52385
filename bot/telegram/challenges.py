"""Group challenges: /challenge, /join, /standings, /stopchallenge, their buttons, and the group
itself going away (bot removed) or moving (upgraded to a supergroup)."""

from __future__ import annotations

import contextlib

from telegram import Chat, ChatMember, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler
from telegram.ext import filters as f

from bot.domain.challenges import KINDS
from bot.domain.habits import CATALOG, Habit
from bot.services import challenges
from bot.services.challenges import Joined
from bot.telegram import callbacks, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.keyboards import button, inline, rows
from bot.telegram.renderers import board_keyboard, board_text

AREA = "g"
# Group and supergroup membership events run in their own handler group, so a handler other
# features add for the same updates in group 0 cannot swallow them.
CHAT_EVENTS = 1
DEEP_LINK = "challenge"
_MANAGERS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
_GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})


def _in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in ("group", "supergroup")


async def _may_manage(update: Update, context: Context) -> bool:
    """Tell whether the sender is a group admin (asked each time; nothing is cached)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert chat is not None and user is not None
    if message is not None and message.sender_chat is not None:
        # An anonymous admin writes as the group itself.
        return message.sender_chat.id == chat.id
    member = await context.bot.get_chat_member(chat.id, user.id)
    if member.status in _MANAGERS:
        return True
    # In a group without (human) admins, anyone may start or stop a challenge.
    admins = await context.bot.get_chat_administrators(chat.id)
    return not any(not a.user.is_bot for a in admins)


def _join_markup(challenge_id: int) -> InlineKeyboardMarkup:
    return board_keyboard(challenge_id, join=True)


def _board_text(board: challenges.Board, *, final: bool = False) -> str:
    return board_text(challenges.post_of(board, final=final))


def _menu() -> InlineKeyboardMarkup:
    choices = [
        button(texts.challenge_choice(k.title, k.daily_target), AREA, "start", k.key)
        for k in KINDS
    ]
    return inline(rows(choices, 1))


def _link(context: Context) -> str:
    return f"https://t.me/{context.bot.username}?start={DEEP_LINK}"


async def _group_message(update: Update) -> tuple[Chat, Message] | None:
    """Return the group chat and message, or say that challenges live in groups."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    if not _in_group(update):
        await message.reply_text(texts.CHALLENGE_IN_GROUPS)
        return None
    return chat, message


async def show_menu(update: Update, context: Context) -> None:
    """Offer the challenges to start, or show the one that is running."""
    found = await _group_message(update)
    if found is None:
        return
    chat, message = found
    board = await challenges.running(context.uow(), chat.id, context.now())
    if board is None:
        await message.reply_text(
            texts.CHALLENGE_MENU, parse_mode=ParseMode.HTML, reply_markup=_menu()
        )
        return
    await message.reply_text(
        texts.challenge_running(_board_text(board)),
        parse_mode=ParseMode.HTML,
        reply_markup=_join_markup(board.challenge.id),
    )


async def join(update: Update, context: Context) -> None:
    """Join the group's running challenge."""
    user = update.effective_user
    found = await _group_message(update)
    if user is None or found is None:
        return
    chat, message = found
    result = await challenges.join(context.uow(), chat.id, user.id, None, context.now())
    match result.outcome:
        case Joined.JOINED:
            assert result.challenge is not None
            text = texts.challenge_joined(user.first_name, result.challenge.title, result.members)
        case Joined.ALREADY:
            text = texts.JOIN_ALREADY
        case Joined.NEED_START:
            text = texts.join_need_start(user.first_name, _link(context))
        case _:
            text = texts.NO_CHALLENGE
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def standings(update: Update, context: Context) -> None:
    """Show who stands where in the running challenge."""
    found = await _group_message(update)
    if found is None:
        return
    chat, message = found
    board = await challenges.running(context.uow(), chat.id, context.now())
    if board is None:
        await message.reply_text(texts.NO_CHALLENGE)
        return
    await message.reply_text(_board_text(board), parse_mode=ParseMode.HTML)


async def stop(update: Update, context: Context) -> None:
    """Stop the running challenge (group admins only)."""
    found = await _group_message(update)
    if found is None:
        return
    chat, message = found
    may_manage = await _may_manage(update, context)
    try:
        board = await challenges.stop(
            context.uow(), chat.id, may_manage=may_manage, now=context.now()
        )
    except challenges.NoChallenge:
        await message.reply_text(texts.NO_CHALLENGE)
        return
    except challenges.NotGroupAdmin:
        await message.reply_text(texts.NOT_GROUP_ADMIN)
        return
    await message.reply_text(
        texts.challenge_stopped(board.challenge.title), parse_mode=ParseMode.HTML
    )


async def _challenge_id(update: Update, action: str) -> int | None:
    """Read the challenge id of a group button; answer (and return None) if it is junk."""
    query = update.callback_query
    assert query is not None
    try:
        _, args = callbacks.decode(query.data, AREA, {action: 1})
        challenge_id = callbacks.int_arg(args)
    except callbacks.BadCallback:
        await query.answer(texts.STALE_BUTTON)
        return None
    if not _in_group(update):
        await query.answer(texts.CHALLENGE_IN_GROUPS)
        return None
    return challenge_id


async def on_start(update: Update, context: Context) -> None:
    """Start the challenge chosen from the menu."""
    query = update.callback_query
    assert query is not None
    try:
        _, args = callbacks.decode(query.data, AREA, {"start": 1})
        await _start(update, context, args[0])
    except (callbacks.BadCallback, challenges.UnknownKind):
        await query.answer(texts.STALE_BUTTON)


async def on_join(update: Update, context: Context) -> None:
    """Join the challenge a post's Join button names."""
    challenge_id = await _challenge_id(update, "join")
    if challenge_id is not None:
        await _join_button(update, context, challenge_id)


async def on_standings(update: Update, context: Context) -> None:
    """Post the standings of the challenge a Standings button names."""
    challenge_id = await _challenge_id(update, "stand")
    if challenge_id is not None:
        await _standings_button(update, context, challenge_id)


async def on_stale(update: Update, _context: Context) -> None:
    """Answer a challenge button this version does not know."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.STALE_BUTTON)


async def _start(update: Update, context: Context, key: str) -> None:
    """Start the chosen challenge and turn the menu into its announcement."""
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    if not _in_group(update):
        await query.answer(texts.CHALLENGE_IN_GROUPS)
        return
    may_manage = await _may_manage(update, context)
    try:
        started = await challenges.start(
            context.uow(),
            chat.id,
            key,
            starter_id=query.from_user.id,
            may_manage=may_manage,
            default_zone=context.runtime.settings.default_timezone,
            now=context.now(),
        )
    except challenges.NotGroupAdmin:
        await query.answer(texts.NOT_GROUP_ADMIN, show_alert=True)
        return
    except challenges.Running as running:
        c = running.board.challenge
        await query.answer(
            texts.challenge_running_short(c.title, running.board.day_number, c.days)
        )
        return
    await query.answer()
    verb = CATALOG[Habit(started.habit)].verb
    announcement = texts.challenge_started(started.title, started.days, started.daily_target, verb)
    # The menu may be too old to edit; the challenge started either way, so say so anew.
    try:
        await query.edit_message_text(
            announcement, parse_mode=ParseMode.HTML, reply_markup=_join_markup(started.id)
        )
    except BadRequest:
        await context.bot.send_message(
            chat.id, announcement, parse_mode=ParseMode.HTML, reply_markup=_join_markup(started.id)
        )


async def _join_button(update: Update, context: Context, challenge_id: int) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    result = await challenges.join(
        context.uow(), chat.id, query.from_user.id, challenge_id, context.now()
    )
    match result.outcome:
        case Joined.JOINED:
            assert result.challenge is not None
            await query.answer()
            await context.bot.send_message(
                chat.id,
                texts.challenge_joined(
                    query.from_user.first_name, result.challenge.title, result.members
                ),
                parse_mode=ParseMode.HTML,
            )
        case Joined.ALREADY:
            await query.answer(texts.JOIN_ALREADY)
        case Joined.NEED_START:
            # Telegram opens a t.me/<bot>?start=... link from a button's answer.
            await query.answer(texts.JOIN_NEED_START_SHORT, url=_link(context))
        case Joined.OVER:
            await query.answer(texts.CHALLENGE_OVER)
        case Joined.NONE:
            await query.answer(texts.CHALLENGE_GONE)


async def _standings_button(update: Update, context: Context, challenge_id: int) -> None:
    query, chat = update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    try:
        board = await challenges.standings(context.uow(), chat.id, challenge_id, context.now())
    except challenges.NoChallenge:
        await query.answer(texts.CHALLENGE_GONE)
        return
    await query.answer()
    final = not board.challenge.active
    with contextlib.suppress(BadRequest):
        await context.bot.send_message(
            chat.id, _board_text(board, final=final), parse_mode=ParseMode.HTML
        )


async def on_membership(update: Update, context: Context) -> None:
    """Stop a group's challenge when the bot is removed from the group."""
    member = update.my_chat_member
    if member is None or member.chat.type not in ("group", "supergroup"):
        return
    if member.new_chat_member.status in _GONE:
        await challenges.bot_left(context.uow(), member.chat.id, context.now())


async def on_migrate(update: Update, context: Context) -> None:
    """Follow a group that became a supergroup: its challenge moves with it."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    await challenges.follow_migration(
        context.uow(), message.chat.id, int(message.migrate_to_chat_id), context.now()
    )


def register(app: NudgeApp) -> None:
    """Add the challenge commands, buttons and group events."""
    app.add_handler(CommandHandler("challenge", show_menu))
    app.add_handler(CommandHandler("join", join))
    app.add_handler(CommandHandler("standings", standings))
    app.add_handler(CommandHandler("stopchallenge", stop))
    app.add_handler(CallbackQueryHandler(on_start, pattern=rf"^{AREA}:start:"))
    app.add_handler(CallbackQueryHandler(on_join, pattern=rf"^{AREA}:join:"))
    app.add_handler(CallbackQueryHandler(on_standings, pattern=rf"^{AREA}:stand:"))
    app.add_handler(CallbackQueryHandler(on_stale, pattern=rf"^{AREA}:"))
    app.add_handler(
        ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER), group=CHAT_EVENTS
    )
    app.add_handler(MessageHandler(f.StatusUpdate.MIGRATE, on_migrate), group=CHAT_EVENTS)
