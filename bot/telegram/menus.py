"""The command menus Telegram shows, per scope (private chats, groups, admins)."""

from __future__ import annotations

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.ext import ExtBot

PRIVATE: list[tuple[str, str]] = [
    ("start", "Set up your habits"),
    ("help", "What I can do"),
]
GROUP: list[tuple[str, str]] = [
    ("help", "What I can do here"),
]
ADMIN_EXTRA: list[tuple[str, str]] = []


def _commands(pairs: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in pairs]


async def publish(bot: ExtBot[None], admin_ids: frozenset[int]) -> None:
    """Set the command menus; admins see the admin commands in their private chat."""
    await bot.set_my_commands(_commands(PRIVATE), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(_commands(GROUP), scope=BotCommandScopeAllGroupChats())
    if ADMIN_EXTRA:
        for admin_id in sorted(admin_ids):
            await bot.set_my_commands(
                _commands(PRIVATE + ADMIN_EXTRA), scope=BotCommandScopeChat(admin_id)
            )
