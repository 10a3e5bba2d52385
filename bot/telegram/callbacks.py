"""Callback data: short, versioned, validated. Shape: "<area>:<action>[:<arg>...]" <= 64 bytes."""

from __future__ import annotations

import re
from collections.abc import Mapping

MAX_BYTES = 64
_PART = re.compile(r"^[A-Za-z0-9_.+\-/]{1,40}$")
# Plain ASCII digits, as encode() writes them (int() would also take "+1", "1_000" and "١").
_NUMBER = re.compile(r"-?[0-9]{1,19}")
# The largest id of an Integer primary key (32-bit on PostgreSQL): anything above is forged.
ID_MAX = 2**31 - 1


class BadCallback(ValueError):
    """Callback data that this version of the bot did not make (forged, stale or junk)."""


def encode(area: str, action: str, *args: object) -> str:
    """Build callback data; raises ValueError if it would not fit Telegram's 64 bytes."""
    parts = [area, action, *(str(a) for a in args)]
    for part in parts:
        if not _PART.match(part):
            raise ValueError(f"bad callback part {part!r}")
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback data too long")
    return data


def pattern(area: str, action: str, arity: int = 0) -> str:
    """Return the regex matching one action's callback data with `arity` arguments."""
    return rf"^{re.escape(area)}:{re.escape(action)}(?::[^:]+){{{arity}}}$"


def decode(
    data: str | None, area: str, shapes: Mapping[str, int] | None = None
) -> tuple[str, list[str]]:
    """Split callback data of one area into (action, args); raise BadCallback otherwise.

    With `shapes` (action -> number of arguments), an unknown action or a wrong number of
    arguments is refused too.
    """
    if not data or len(data.encode()) > MAX_BYTES:
        raise BadCallback("empty or oversized")
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != area or not all(_PART.match(p) for p in parts):
        raise BadCallback(f"not a {area} callback")
    action, args = parts[1], parts[2:]
    if shapes is not None and shapes.get(action) != len(args):
        raise BadCallback(f"not a {area}:{action} callback with {len(args)} arguments")
    return action, args


def int_arg(args: list[str], index: int = 0, *, low: int = 0, high: int = ID_MAX) -> int:
    """Read a whole number in [low, high]; raise BadCallback if missing, junk or out of range."""
    if index >= len(args) or not _NUMBER.fullmatch(args[index]):
        raise BadCallback("missing or bad number")
    value = int(args[index])
    if not low <= value <= high:
        raise BadCallback("number out of range")
    return value
