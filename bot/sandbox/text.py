"""Parse formatted text into plain text and entities the way Telegram does."""

from __future__ import annotations

import re
from typing import Any

JsonDict = dict[str, Any]


class EntityParseError(ValueError):
    """The text cannot be parsed in the requested parse mode."""


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_ATTR_RE = re.compile(r"""([a-zA-Z_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class _Builder:
    """Accumulate plain text while tracking the UTF-16 offset."""

    def __init__(self) -> None:
        """Start empty."""
        self.parts: list[str] = []
        self.offset = 0

    def add(self, text: str) -> None:
        """Append plain text."""
        self.parts.append(text)
        self.offset += utf16_len(text)

    def text(self) -> str:
        """Return the text built so far."""
        return "".join(self.parts)


def _byte_offset(source: str, index: int) -> int:
    """Return the UTF-8 byte offset of character ``index``."""
    return len(source[:index].encode("utf-8"))


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Return the plain text and entities of Telegram-flavoured HTML."""
    out = _Builder()
    stack: list[tuple[str, JsonDict, int]] = []
    entities: list[JsonDict] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "<":
            end = source.find(">", i)
            if end == -1:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(source, i)}"
                )
            inner = source[i + 1 : end].strip()
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise EntityParseError(
                        f"Unexpected end tag at byte offset {_byte_offset(source, i)}"
                    )
                open_name, entity, start = stack.pop()
                if name != open_name:
                    raise EntityParseError(
                        f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
                        f'expected "</{open_name}>", found "</{name}>"'
                    )
                length = out.offset - start
                if length > 0 and entity:
                    entities.append({**entity, "offset": start, "length": length})
            else:
                if inner.endswith("/"):
                    inner = inner[:-1]
                parts = inner.split(None, 1)
                name = parts[0].lower() if parts else ""
                attrs = {
                    m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                    for m in _ATTR_RE.finditer(parts[1] if len(parts) > 1 else "")
                }
                entity = _entity_for_tag(name, attrs, source, i, stack)
                stack.append((name, entity, out.offset))
            i = end + 1
        elif ch == "&":
            match = re.match(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);", source[i:])
            if match is None:
                out.add("&")
                i += 1
                continue
            ref = match.group(1)
            if ref.startswith(("#x", "#X")):
                out.add(chr(int(ref[2:], 16)))
            elif ref.startswith("#"):
                out.add(chr(int(ref[1:])))
            elif ref.lower() in _NAMED_ENTITIES:
                out.add(_NAMED_ENTITIES[ref.lower()])
            else:
                out.add(match.group(0))
            i += len(match.group(0))
        else:
            nxt = n
            for stop in ("<", "&"):
                found = source.find(stop, i)
                if found != -1:
                    nxt = min(nxt, found)
            out.add(source[i:nxt])
            i = nxt
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), entities


def _entity_for_tag(
    name: str, attrs: dict[str, str], source: str, index: int, stack: list[Any]
) -> JsonDict:
    """Return the entity an opening tag starts, or raise for unsupported tags."""
    if name == "a":
        href = attrs.get("href", "")
        if not href:
            return {}
        return {"type": "text_link", "url": href}
    if name == "span":
        if attrs.get("class") == "tg-spoiler":
            return {"type": "spoiler"}
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, index)}'
        )
    if name == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": attrs.get("emoji-id", "0")}
    if name == "blockquote" and "expandable" in source[index : source.find(">", index)]:
        return {"type": "expandable_blockquote"}
    if name == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][1]["language"] = language[len("language-") :]
        return {}
    if name in _SIMPLE_TAGS:
        return {"type": _SIMPLE_TAGS[name]}
    raise EntityParseError(
        f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, index)}'
    )


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_MARKS = [
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
]


def parse_markdown_v2(source: str) -> tuple[str, list[JsonDict]]:
    """Return the plain text and entities of MarkdownV2, rejecting unescaped reserved chars."""
    out = _Builder()
    stack: list[tuple[str, str, int]] = []
    entities: list[JsonDict] = []
    link_starts: list[int] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "\\":
            if i + 1 < n:
                out.add(source[i + 1])
                i += 2
                continue
            raise EntityParseError(
                "Character '\\' is reserved and must be escaped with the preceding '\\'"
            )
        if source.startswith("```", i):
            end = source.find("```", i + 3)
            if end == -1:
                raise EntityParseError(f"Can't find end of Pre entity at byte offset {i}")
            body = source[i + 3 : end]
            language = ""
            if "\n" in body:
                first, rest = body.split("\n", 1)
                if first and " " not in first:
                    language, body = first, rest
            body = re.sub(r"\\(.)", r"\1", body)
            start = out.offset
            out.add(body)
            entity: JsonDict = {"type": "pre", "offset": start, "length": out.offset - start}
            if language:
                entity["language"] = language
            entities.append(entity)
            i = end + 3
            continue
        if ch == "`":
            end = source.find("`", i + 1)
            if end == -1:
                raise EntityParseError(f"Can't find end of Code entity at byte offset {i}")
            body = re.sub(r"\\(.)", r"\1", source[i + 1 : end])
            start = out.offset
            out.add(body)
            entities.append({"type": "code", "offset": start, "length": out.offset - start})
            i = end + 1
            continue
        if ch == "[":
            link_starts.append(out.offset)
            i += 1
            continue
        if ch == "]" and link_starts:
            if not source.startswith("(", i + 1):
                raise EntityParseError("Can't find end of a URL at byte offset " + str(i))
            end = source.find(")", i + 2)
            if end == -1:
                raise EntityParseError("Can't find end of a URL at byte offset " + str(i))
            start = link_starts.pop()
            url = source[i + 2 : end]
            if out.offset > start:
                entities.append(
                    {
                        "type": "text_link",
                        "offset": start,
                        "length": out.offset - start,
                        "url": url,
                    }
                )
            i = end + 1
            continue
        matched = False
        for mark, kind in _MDV2_MARKS:
            if source.startswith(mark, i):
                if stack and stack[-1][0] == mark:
                    _, kind_open, start = stack.pop()
                    if out.offset > start:
                        entities.append(
                            {"type": kind_open, "offset": start, "length": out.offset - start}
                        )
                else:
                    stack.append((mark, kind, out.offset))
                i += len(mark)
                matched = True
                break
        if matched:
            continue
        if ch in _MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.add(ch)
        i += 1
    if stack:
        raise EntityParseError(f"Can't find end of {_kind_title(stack[-1][1])} entity")
    if link_starts:
        raise EntityParseError("Can't find end of TextUrl entity")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.text(), entities


def _kind_title(kind: str) -> str:
    """Return Telegram's name for an entity kind in error messages."""
    return {"bold": "Bold", "italic": "Italic", "underline": "Underline"}.get(
        kind, kind.capitalize()
    )


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[JsonDict]]:
    """Return plain text and entities for ``parse_mode`` (None, HTML, MarkdownV2, Markdown)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return _parse_legacy_markdown(text)
    if mode:
        raise EntityParseError(f"Unsupported parse_mode {parse_mode}")
    return text, []


def _parse_legacy_markdown(source: str) -> tuple[str, list[JsonDict]]:
    """Return plain text for legacy Markdown, handling only *bold*, _italic_ and `code`."""
    out = _Builder()
    entities: list[JsonDict] = []
    i = 0
    marks = {"*": "bold", "_": "italic", "`": "code"}
    while i < len(source):
        ch = source[i]
        if ch in marks:
            end = source.find(ch, i + 1)
            if end == -1:
                raise EntityParseError(f"Can't find end of the entity starting at byte offset {i}")
            start = out.offset
            out.add(source[i + 1 : end])
            if out.offset > start:
                entities.append({"type": marks[ch], "offset": start, "length": out.offset - start})
            i = end + 1
        else:
            out.add(ch)
            i += 1
    return out.text(), entities


def command_entity(text: str) -> JsonDict | None:
    """Return the ``bot_command`` entity for text that starts with a command."""
    match = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if match is None:
        return None
    return {"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}
