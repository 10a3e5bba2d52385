"""Admin commands: /broadcast (with a preview to confirm) and /stats."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services import admin
from bot.telegram import callbacks, keyboards, texts
from bot.telegram.context import Context, NudgeApp
from bot.telegram.guards import private_only


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
                    callback_data=callbacks.encode("a", "send", draft.broadcast.id),
                ),
                InlineKeyboardButton(
                    texts.BUTTON_DISCARD,
                    callback_data=callbacks.encode("a", "drop", draft.broadcast.id),
                ),
            ]
        ]
    )
    preview = texts.broadcast_preview(text, draft.audience)
    if len(preview) > admin.MAX_BROADCAST_CHARS:
        preview = texts.broadcast_preview(text[:3500] + " …", draft.audience)
    await message.reply_text(preview, parse_mode=ParseMode.HTML, reply_markup=buttons)


async def decide(update: Update, context: Context) -> None:
    """Send or discard a previewed broadcast."""
    query = update.callback_query
    assert query is not None
    try:
        action, args = callbacks.decode(query.data, "a", {"send": 1, "drop": 1})
        broadcast_id = callbacks.int_arg(args)
        if action not in {"send", "drop"}:
            raise callbacks.BadCallback(action)
    except callbacks.BadCallback:
        await query.answer(texts.STALE_BUTTON)
        return
    admins = context.runtime.settings.admin_ids
    try:
        if action == "send":
            count = await admin.send_broadcast(
                context.uow(), query.from_user.id, broadcast_id, admins=admins, now=context.now()
            )
        else:
            dropped = await admin.drop_broadcast(
                context.uow(), query.from_user.id, broadcast_id, admins=admins
            )
            count = 0 if dropped else None
    except admin.NotAdmin:
        await query.answer(texts.NOT_ADMIN)
        return
    if count is None:
        await query.answer(texts.BROADCAST_SENT_ALREADY)
        return
    await query.answer()
    sender = context.runtime.sender
    if action == "send" and sender is not None:
        sender.wake()
    await keyboards.edit(
        query,
        texts.broadcast_queued(count) if action == "send" else texts.BROADCAST_DROPPED,
        parse_mode=None,
    )


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
    app.add_handler(CallbackQueryHandler(decide, pattern=r"^a:"))
