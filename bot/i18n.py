"""The one text catalog's machinery: gettext catalogs compiled by Babel and the person's locale.

English is the source language: the words in the code are the message ids, and a language is
added by dropping `locales/<lang>/LC_MESSAGES/nudgebot.po` (and its compiled `.mo`) beside this
file; nothing else names the languages. The locale is set once at the edge (a handler for each
update, the sender for each row) and read here by every text function.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from babel import Locale, UnknownLocaleError, dates, numbers
from babel.core import negotiate_locale
from babel.support import Translations

DOMAIN = "nudgebot"
SOURCE = "en"
LOCALE_DIR = Path(__file__).with_name("locales")

T = TypeVar("T")


class Message(str):
    """An English source text marked for the catalog, translated when it is read (see N_)."""

    __slots__ = ()


def N_(message: str) -> str:
    """Mark a text for extraction; it is translated later, where it is read.

    Typed as `str`, which is what readers of the constant get (see catalog_module).
    """
    return Message(message)


@cache
def available(localedir: Path) -> tuple[str, ...]:
    """Return the languages with a compiled catalog, the source language first."""
    found = sorted(p.parent.parent.name for p in localedir.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE, *(code for code in found if code != SOURCE))


class _Catalog:
    """One language's compiled catalog, with the texts it has translated so far kept.

    The catalogs never change while the bot runs, so a text is looked up once per language:
    the tick renders thousands of the same few texts.
    """

    def __init__(self, locale: str, localedir: Path) -> None:
        self.locale = locale
        self.localedir = localedir
        self.translations = Translations.load(str(localedir), [locale], DOMAIN)
        self.texts: dict[str, str] = {}
        self.numbers: dict[int | float | Decimal, str] = {}

    def look_up(self, message: str) -> str:
        """Translate a text not looked up before, and keep it."""
        text = self.texts[message] = str(self.translations.gettext(message))
        return text


@cache
def _catalog(locale: str, localedir: Path) -> _Catalog:
    return _Catalog(locale, localedir)


# The catalog texts are rendered in now; None means English from LOCALE_DIR (which a test may
# point elsewhere). Set at the edge: once per update by a handler, per row by the sender.
_active: ContextVar[_Catalog | None] = ContextVar("nudgebot_catalog", default=None)


_english: _Catalog | None = None


def _current() -> _Catalog:
    active = _active.get()
    if active is not None:
        return active
    global _english
    if _english is None or _english.localedir is not LOCALE_DIR:
        _english = _catalog(SOURCE, LOCALE_DIR)
    return _english


def negotiate(code: str | None, localedir: Path | None = None) -> str:
    """Pick the catalog for a language tag such as Telegram's ("de", "pt-br"), else English."""
    if not code:
        return SOURCE
    return _negotiated(code, localedir or _current().localedir)


@lru_cache(maxsize=1024)
def _negotiated(code: str, directory: Path) -> str:
    # Every update picks its sender's language; parsing the tag each time showed in profiles.
    try:
        wanted = str(Locale.parse(code.replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        return SOURCE
    return negotiate_locale([wanted], list(available(directory))) or SOURCE


@cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


def current() -> str:
    """Return the locale the texts are rendered in now."""
    return _current().locale


def set_locale(code: str | None) -> str:
    """Render the rest of this task's texts in the language of `code` (the handler edge)."""
    localedir = _current().localedir
    chosen = negotiate(code, localedir)
    _active.set(_catalog(chosen, localedir))
    return chosen


@contextmanager
def using(code: str | None, localedir: Path | None = None) -> Iterator[str]:
    """Render the texts inside the block in the language of `code` (the sender, tests)."""
    directory = localedir or _current().localedir
    chosen = negotiate(code, directory)
    token = _active.set(_catalog(chosen, directory))
    try:
        yield chosen
    finally:
        _active.reset(token)


def gettext(message: str) -> str:
    """Translate a text into the current locale (the source text when it has no translation)."""
    catalog = _active.get() or _current()
    text = catalog.texts.get(message)
    return catalog.look_up(message) if text is None else text


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a text whose form depends on a number, by the language's plural rules."""
    return str(_current().translations.ngettext(singular, plural, n))


_ = gettext


def translate(value: T) -> T:
    """Translate marked texts, also inside dicts, lists and tuples; leave everything else."""
    if isinstance(value, Message):
        return gettext(value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: translate(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return type(value)(translate(v) for v in value)
    return value


# Translated dicts by (the constant, the catalog): built once, then shared, so reading
# `texts.CHOICE_LABELS` costs a lookup, not forty translations. Callers only read them.
_translated: dict[tuple[int, int], Any] = {}


def _marked(value: object) -> bool:
    """Tell whether a constant holds texts marked with N_ (maybe inside dicts)."""
    if type(value) is Message:
        return True
    return isinstance(value, dict) and any(_marked(v) for v in value.values())


def _reader(value: object) -> property:
    """A property that reads a marked constant in the current locale."""
    if type(value) is Message:
        message: str = value
        return property(lambda _module: gettext(message))

    def read(_module: object) -> Any:
        key = (id(value), id(_active.get() or _current()))
        if key not in _translated:
            _translated[key] = translate(value)
        return _translated[key]

    return property(read)


def catalog_module(name: str) -> None:
    """Make `module.CONSTANT` read as the translation in the current locale.

    Callers keep writing `reply_text(texts.HELP)` or `texts.X.format(...)`: the constant is a
    plain `str` when read, only in the person's language. Each marked constant becomes a
    property of the module's class (reading functions stays a plain lookup); code inside the
    module sees the English message ids and translates them with `_()`.
    """
    module = sys.modules[name]
    readers = {key: _reader(v) for key, v in vars(module).items() if _marked(v)}
    module.__class__ = type("CatalogModule", (ModuleType,), readers)


# --- Babel formatting in the current locale --------------------------------------------------


def locale() -> Locale:
    """Return the Babel locale of the current texts."""
    return _babel_locale(current())


# Babel's formatting is pure but costs 10-100 µs a call, and the tick renders thousands of texts
# with the same few numbers, days and times: each result is kept per locale.
_ZONE_FIELDS = frozenset("zZvVOXx")


def format_day(day: date | datetime, pattern: str) -> str:
    """Format a date with a CLDR pattern (e.g. "EEE d MMM") in the current locale."""
    plain = day.date() if isinstance(day, datetime) else day
    return _day(plain, pattern, _current().locale)


@lru_cache(maxsize=4096)
def _day(day: date, pattern: str, locale: str) -> str:
    return dates.format_date(day, pattern, locale=_babel_locale(locale))


def format_clock(at: datetime, pattern: str = "HH:mm") -> str:
    """Format a local time of day (the datetime's own wall clock) in the current locale."""
    if _ZONE_FIELDS & set(pattern):
        return dates.format_time(at, pattern, locale=locale())
    return _clock(at.time(), pattern, _current().locale)


@lru_cache(maxsize=4096)
def _clock(at: time, pattern: str, locale: str) -> str:
    return dates.format_time(at, pattern, locale=_babel_locale(locale))


def format_number(value: int | float | Decimal) -> str:
    """Format a number in the current locale (no grouping: "4000 characters" stays whole)."""
    catalog = _active.get() or _current()
    text = catalog.numbers.get(value)
    if text is None:
        text = numbers.format_decimal(
            value, locale=_babel_locale(catalog.locale), group_separator=False
        )
        if len(catalog.numbers) < 4096:  # counts, days and scores: a few hundred in practice
            catalog.numbers[value] = text
    return text


def format_decimal(value: float, places: int) -> str:
    """Format a number with exactly `places` decimals, rounded as Python rounds it."""
    return _fixed(round(value, places), places, _current().locale)


@lru_cache(maxsize=4096)
def _fixed(value: float, places: int, locale: str) -> str:
    pattern = "0." + "0" * places if places else "0"
    return numbers.format_decimal(
        value, pattern, locale=_babel_locale(locale), group_separator=False
    )


def format_percent(share: float) -> str:
    """Format a share (0.57) as a whole percentage ("57%"), rounded as Python rounds it."""
    return _percent(round(share * 100), _current().locale)


@lru_cache(maxsize=1024)
def _percent(whole: int, locale: str) -> str:
    return numbers.format_percent(Decimal(whole).scaleb(-2), locale=_babel_locale(locale))
