"""The command menus Telegram shows, per scope (private chats, groups, admins)."""

from __future__ import annotations

from typing import Any

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
    ("checkin", "Your one-minute daily check-in"),
    ("log", "Log a habit, e.g. /log walk 20 min"),
    ("today", "What you did today and what's next"),
    ("progress", "Streaks, strength and a chart"),
    ("export", "Download your data"),
    ("delete", "Erase all your data"),
    ("tip", "A tip for your habits"),
    ("breathe", "A guided breathing exercise"),
    ("settings", "Time zone, your day, habits and times"),
    ("pause", "Pause nudges, e.g. /pause 3d"),
    ("resume", "Turn nudges back on"),
    ("privacy", "What I store and why"),
]
GROUP: list[tuple[str, str]] = [
    ("help", "What I can do here"),
    ("tip", "A tip for everyone"),
    ("challenge", "Start a group challenge (admins)"),
    ("join", "Join the running challenge"),
    ("standings", "Who stands where"),
    ("stopchallenge", "End the challenge (admins)"),
]
ADMIN_EXTRA: list[tuple[str, str]] = [
    ("broadcast", "Admin: send a message to everyone"),
    ("stats", "Admin: people and outbox"),
]


def _commands(pairs: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in pairs]


async def publish(bot: ExtBot[Any], admin_ids: frozenset[int]) -> None:
    """Set the command menus; admins see the admin commands in their private chat."""
    await bot.set_my_commands(_commands(PRIVATE), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(_commands(GROUP), scope=BotCommandScopeAllGroupChats())
    if ADMIN_EXTRA:
        for admin_id in sorted(admin_ids):
            await bot.set_my_commands(
                _commands(PRIVATE + ADMIN_EXTRA), scope=BotCommandScopeChat(admin_id)
            )
