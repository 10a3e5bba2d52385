"""Turn the bot's Telegram messages into terminal text: styles, links, numbered buttons."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

# ANSI codes for Telegram entity types; anything not listed is shown as plain text.
STYLES: dict[str, str] = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "spoiler": "2",
    "code": "36",
    "pre": "36",
    "blockquote": "3",
    "text_link": "4",
    "url": "4",
    "bot_command": "34",
}
RESET = "\x1b[0m"
INDENT = "     "


def _char_offsets(text: str) -> list[int]:
    """Return the UTF-16 offset of every character, plus the end (Telegram counts in UTF-16)."""
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return offsets


def _index(offsets: list[int], utf16: int) -> int:
    """Return the character index at a UTF-16 offset (clamped to the text)."""
    return min(bisect_left(offsets, utf16), len(offsets) - 1)


def format_text(text: str, entities: Sequence[dict[str, Any]], *, color: bool) -> str:
    """Render plain text and its entities: ANSI styles when `color`, links as "text (url)"."""
    offsets = _char_offsets(text)
    styles: list[set[str]] = [set() for _ in text]
    suffixes: dict[int, list[str]] = {}
    for entity in entities:
        try:
            start = _index(offsets, int(entity["offset"]))
            end = _index(offsets, int(entity["offset"]) + int(entity["length"]))
        except (KeyError, TypeError, ValueError):
            continue
        kind = str(entity.get("type", ""))
        code = STYLES.get(kind)
        if code is not None:
            for i in range(start, end):
                styles[i].add(code)
        url = entity.get("url")
        if kind == "text_link" and isinstance(url, str) and url != text[start:end]:
            suffixes.setdefault(end, []).append(f" ({url})")
    out: list[str] = []
    current: set[str] = set()
    for i, ch in enumerate(text):
        out.extend(_suffix(suffixes.get(i, ()), current, color))
        if color and styles[i] != current:
            out.append(RESET if current else "")
            if styles[i]:
                out.append("\x1b[" + ";".join(sorted(styles[i])) + "m")
            current = styles[i]
        out.append(ch)
    if color and current:
        out.append(RESET)
    out.extend(suffixes.get(len(text), ()))
    return "".join(out)


def _suffix(parts: Sequence[str], current: set[str], color: bool) -> list[str]:
    """Return a link's "(url)" unstyled, then the styles that were active again."""
    if not parts:
        return []
    if not color or not current:
        return list(parts)
    return [RESET, *parts, "\x1b[" + ";".join(sorted(current)) + "m"]


def button_lines(rows: Sequence[Sequence[str]], first: int) -> list[str]:
    """Render keyboard rows as "[1] Done  [2] Snooze", numbering from `first`."""
    lines = []
    number = first
    for row in rows:
        cells = []
        for label in row:
            cells.append(f"[{number}] {label}")
            number += 1
        if cells:
            lines.append("  ".join(cells))
    return lines


def indent(text: str, label: str) -> str:
    """Put `label` before the first line and indent the others under it."""
    lines = text.split("\n") or [""]
    return "\n".join([label + lines[0], *(INDENT + line for line in lines[1:])])


def paint(text: str, code: str, *, color: bool) -> str:
    """Wrap text in one ANSI style when colour is on."""
    return f"\x1b[{code}m{text}{RESET}" if color else text
