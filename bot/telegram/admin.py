"""Admin commands: /broadcast (with a preview to confirm) and /stats."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services import admin
from bot.telegram import callbacks, keyboards, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import private_only

AREA = "a"


async def broadcast(update: Update, context: Context) -> None:
    """Show a preview of a broadcast with buttons to send or discard it."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    if not await private_only(update):
        return
    text = (message.text or "").partition(" ")[2].strip()
    if user.id not in context.runtime.settings.admin_ids:
        await message.reply_text(texts.NOT_ADMIN)
        return
    if not text:
        await message.reply_text(texts.BROADCAST_USAGE, parse_mode=ParseMode.HTML)
        return
    try:
        draft = await admin.draft_broadcast(
            context.uow(),
            user.id,
            text,
            admins=context.runtime.settings.admin_ids,
            now=context.now(),
        )
    except admin.TooLong:
        await message.reply_text(texts.broadcast_too_long(len(text), admin.MAX_BROADCAST_CHARS))
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_SEND,
                    callback_data=callbacks.encode(AREA, "send", draft.broadcast.id),
                ),
                InlineKeyboardButton(
                    texts.BUTTON_DISCARD,
                    callback_data=callbacks.encode(AREA, "drop", draft.broadcast.id),
                ),
            ]
        ]
    )
    preview = texts.broadcast_preview(text, draft.audience)
    if len(preview) > admin.MAX_BROADCAST_CHARS:
        preview = texts.broadcast_preview(text[:3500] + " …", draft.audience)
    await message.reply_text(preview, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def _broadcast_id(query: CallbackQuery, action: str) -> int | None:
    """Read a preview button's broadcast id; answer (and return None) if it is junk."""
    try:
        _, args = callbacks.decode(query.data, AREA, {action: 1})
        return callbacks.int_arg(args)
    except callbacks.BadCallback:
        await query.answer(texts.STALE_BUTTON)
        return None


async def on_send(update: Update, context: Context) -> None:
    """Send a previewed broadcast to everyone."""
    query = update.callback_query
    assert query is not None
    broadcast_id = await _broadcast_id(query, "send")
    if broadcast_id is None:
        return
    try:
        queued = await admin.send_broadcast(
            context.uow(),
            query.from_user.id,
            broadcast_id,
            admins=context.runtime.settings.admin_ids,
            now=context.now(),
        )
    except admin.NotAdmin:
        await query.answer(texts.NOT_ADMIN)
        return
    if queued is None:
        await query.answer(texts.BROADCAST_SENT_ALREADY)
        return
    await query.answer()
    sender = context.runtime.sender
    if sender is not None:
        sender.wake()
    await keyboards.edit(query, texts.broadcast_queued(queued.recipients), parse_mode=None)


async def on_drop(update: Update, context: Context) -> None:
    """Discard a previewed broadcast."""
    query = update.callback_query
    assert query is not None
    broadcast_id = await _broadcast_id(query, "drop")
    if broadcast_id is None:
        return
    try:
        dropped = await admin.drop_broadcast(
            context.uow(),
            query.from_user.id,
            broadcast_id,
            admins=context.runtime.settings.admin_ids,
        )
    except admin.NotAdmin:
        await query.answer(texts.NOT_ADMIN)
        return
    if not dropped:
        await query.answer(texts.BROADCAST_SENT_ALREADY)
        return
    await query.answer()
    await keyboards.edit(query, texts.BROADCAST_DROPPED, parse_mode=None)


async def on_stale(update: Update, _context: Context) -> None:
    """Answer an admin button this version does not know."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.STALE_BUTTON)


async def stats(update: Update, context: Context) -> None:
    """Show the admin overview."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    if not await private_only(update):
        return
    try:
        view, progress = await admin.stats(
            context.uow(), user.id, admins=context.runtime.settings.admin_ids, now=context.now()
        )
    except admin.NotAdmin:
        await message.reply_text(texts.NOT_ADMIN)
        return
    latest = (
        None
        if progress is None
        else (progress.broadcast.id, progress.broadcast.recipients, progress.by_status)
    )
    await message.reply_text(
        texts.admin_stats(
            view.people, view.reachable, view.inactive, view.outbox, view.week, latest
        ),
        parse_mode=ParseMode.HTML,
    )


def register(app: NudgeApp) -> None:
    """Add the admin handlers."""
    app.add_handler(CommandHandler("broadcast", broadcast))
    app.add_handler(CommandHandler("stats", stats))
    app.add_handler(CallbackQueryHandler(on_send, pattern=rf"^{AREA}:send:"))
    app.add_handler(CallbackQueryHandler(on_drop, pattern=rf"^{AREA}:drop:"))
    app.add_handler(CallbackQueryHandler(on_stale, pattern=rf"^{AREA}:"))
