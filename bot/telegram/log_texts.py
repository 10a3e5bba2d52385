"""The quick-log words now live in the one catalog (texts.py); these names keep callers working."""

from __future__ import annotations

from bot.telegram import texts
from bot.telegram.texts import day_words, logged, not_logged, undone

__all__ = ["day_words", "logged", "not_logged", "undone"]
_CONSTANTS = frozenset(
    {"BUTTON_HOT_OFF", "BUTTON_HOT_ON", "BUTTON_UNDO", "HOT_OFF", "HOT_ON", "UNDO_GONE"}
    | {"UNDO_TOO_LATE"}
)


def __getattr__(name: str) -> str:
    """Read a quick-log constant from the catalog, translated in the current locale."""
    if name in _CONSTANTS:
        value: str = getattr(texts, name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
