"""Every sentence people read that is not a nudge or a tip (those live in domain/content)."""

from __future__ import annotations

from html import escape

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
NOT_IN_GROUP = "Let's talk about that in private: open a chat with me and send /start."
NOT_ADMIN = "Sorry, that command is for the bot's admins."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
STALE_BUTTON = "That button is from an older message and no longer works."
NOT_YOURS = "That button belongs to someone else's message."

HELP = "<b>What I can do</b>\n/start – set up or restart the welcome\n/help – this list\n"


def welcome(first_name: str, *, returning: bool) -> str:
    """Greet a person on /start."""
    name = escape(first_name[:64]) or "there"
    if returning:
        return f"Welcome back, {name}! Send /help to see what I can do."
    return (
        f"Hi {name}! I'm nudgebot. I send gentle nudges for small daily habits – water, "
        "movement breaks, gut-friendly food and slow breathing – that may ease muscle tension "
        "and lower back pain. Send /help to see what I can do."
    )
