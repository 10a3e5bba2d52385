"""Nudge and tip texts, loaded once from the package's JSON files, chosen without repeats.

The English texts are `<topic>.json` beside this file; a language adds `<lang>/<topic>.json`
(e.g. `de/water.json`) with the same number of texts in the same order, so a person's history
of shown texts (indices) means the same in every language. A topic without a file in the
person's language is shown in English.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from functools import cache
from importlib import resources

SOURCE_LANGUAGE = "en"
HABIT_TOPICS: tuple[str, ...] = ("water", "move", "food", "breathe", "checkin")
TIP_TOPICS: tuple[str, ...] = (*HABIT_TOPICS, "general")
MAX_TEXT_CHARS = 600
# Telegram HTML parse mode treats these as markup, so plain texts must not contain them.
_FORBIDDEN = frozenset("<>&")


class ContentError(ValueError):
    """The bundled content files are missing or malformed."""


def _check_texts(raw: object, where: str) -> tuple[str, ...]:
    """Return the texts in `raw` after checking they are a clean, non-empty list of strings."""
    if not isinstance(raw, list) or not raw:
        raise ContentError(f"{where}: expected a non-empty list of texts")
    texts: list[str] = []
    for i, text in enumerate(raw):
        if not isinstance(text, str) or not text.strip():
            raise ContentError(f"{where}[{i}]: expected a non-empty string")
        if text != text.strip():
            raise ContentError(f"{where}[{i}]: leading or trailing whitespace")
        if len(text) > MAX_TEXT_CHARS:
            raise ContentError(f"{where}[{i}]: longer than {MAX_TEXT_CHARS} characters")
        if _FORBIDDEN & set(text):
            raise ContentError(f"{where}[{i}]: contains '<', '>' or '&'")
        texts.append(text)
    return tuple(texts)


Texts = tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]


def _read(name: str) -> object:
    """Parse one content file."""
    try:
        return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ContentError(f"{name}: {exc}") from exc


def _exists(name: str) -> bool:
    """Tell whether a content file is present."""
    return resources.files(__name__).joinpath(name).is_file()


@cache
def _load(language: str = SOURCE_LANGUAGE) -> Texts:
    """Read every topic's JSON file of a language once and return (nudges, tips) by topic."""
    source = None if language == SOURCE_LANGUAGE else _load()
    nudge_map: dict[str, tuple[str, ...]] = {}
    tip_map: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for topic in TIP_TOPICS:
        name = f"{topic}.json" if source is None else f"{language}/{topic}.json"
        if source is not None and not _exists(name):
            # Not translated yet: this topic is shown in English.
            if topic in source[0]:
                nudge_map[topic] = source[0][topic]
            tip_map[topic] = source[1][topic]
            continue
        data = _read(name)
        if not isinstance(data, dict):
            raise ContentError(f"{name}: expected an object")
        allowed = {"tips", "nudges"} if topic in HABIT_TOPICS else {"tips"}
        if set(data) != allowed:
            raise ContentError(f"{name}: expected keys {sorted(allowed)}, got {sorted(data)}")
        for kind, target, index in (("nudges", nudge_map, 0), ("tips", tip_map, 1)):
            if kind not in data:
                continue
            where = f"{name}:{kind}"
            texts = _check_texts(data[kind], where)
            if source is not None and len(texts) != len(source[index][topic]):
                raise ContentError(
                    f"{where}: {len(texts)} texts, the English file has "
                    f"{len(source[index][topic])} (a translation keeps their number and order)"
                )
            for text in texts:
                key = text.casefold()
                if key in seen:
                    raise ContentError(f"{where}: duplicate of a text in {seen[key]}: {text!r}")
                seen[key] = where
            target[topic] = texts
    return nudge_map, tip_map


@cache
def _texts(language: str) -> Texts:
    """The texts of a locale such as "pt_BR": its own, its language's ("pt"), else English."""
    for candidate in (language, language.split("_")[0]):
        if candidate == SOURCE_LANGUAGE:
            break
        if candidate and resources.files(__name__).joinpath(candidate).is_dir():
            return _load(candidate)
    return _load()


def nudges(habit: str, language: str = SOURCE_LANGUAGE) -> tuple[str, ...]:
    """Return the nudge texts for a habit (its value, e.g. "water") in a language."""
    try:
        return _texts(language)[0][str(habit)]
    except KeyError:
        raise KeyError(f"no nudges for habit {habit!r}") from None


def tips(topic: str, language: str = SOURCE_LANGUAGE) -> tuple[str, ...]:
    """Return the tips for a topic (a habit value or "general") in a language."""
    try:
        return _texts(language)[1][str(topic)]
    except KeyError:
        raise KeyError(f"no tips for topic {topic!r}") from None


def all_tips(language: str = SOURCE_LANGUAGE) -> tuple[tuple[str, str], ...]:
    """Return every tip as (topic, text), topics in catalog order."""
    return tuple((topic, text) for topic, texts in _texts(language)[1].items() for text in texts)


def history_size(count: int) -> int:
    """Return how many recent indices to keep so most texts show before any repeats."""
    return max(1, (count * 3) // 4)


def choose(count: int, recent: Sequence[int], rng: random.Random) -> int:
    """Pick an index in range(count) that was not shown recently."""
    if count < 1:
        raise ValueError("count must be at least 1")
    blocked = {i for i in recent[-history_size(count) :] if 0 <= i < count}
    fresh = [i for i in range(count) if i not in blocked]
    if not fresh:
        # Only reachable with a single text, or a history longer than the content now allows.
        last = recent[-1] if recent else None
        fresh = [i for i in range(count) if i != last] or [0]
    return rng.choice(fresh)


def remember(recent: Sequence[int], index: int, count: int) -> list[int]:
    """Return the new bounded history after showing `index`."""
    if not 0 <= index < count:
        raise ValueError(f"index {index} out of range for {count} texts")
    kept = [i for i in recent if 0 <= i < count and i != index]
    kept.append(index)
    return kept[-history_size(count) :]
