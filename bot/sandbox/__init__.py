"""A local Telegram Bot API server for end-to-end tests and the terminal demo."""

from bot.sandbox.limits import FloodLimits
from bot.sandbox.models import (
    Button,
    CallbackAnswer,
    Chat,
    ChatMessage,
    SandboxEvent,
    Stats,
    User,
    WebhookDeliveries,
)
from bot.sandbox.server import ApiError, BotApiSandbox

__all__ = [
    "ApiError",
    "BotApiSandbox",
    "Button",
    "CallbackAnswer",
    "Chat",
    "ChatMessage",
    "FloodLimits",
    "SandboxEvent",
    "Stats",
    "User",
    "WebhookDeliveries",
]
