"""The one text catalog's machinery: gettext catalogs compiled by Babel and the person's locale.

English is the source language: the words in the code are the message ids, and a language is
added by dropping `locales/<lang>/LC_MESSAGES/nudgebot.po` (and its compiled `.mo`) beside this
file; nothing else names the languages. The locale is set once at the edge (a handler for each
update, the sender for each row) and read here by every text function.
"""

from __future__ import annotations

import gettext as _gettext
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

_locale: ContextVar[str] = ContextVar("nudgebot_locale", default=SOURCE)
# Set only by `using(..., localedir=...)`; otherwise LOCALE_DIR (which tests may point elsewhere).
_localedir: ContextVar[Path | None] = ContextVar("nudgebot_localedir", default=None)
T = TypeVar("T")


class Message(str):
    """An English source text marked for the catalog, translated when it is read (see N_)."""

    __slots__ = ()


def N_(message: str) -> Message:
    """Mark a text for extraction; it is translated later, where it is read."""
    return Message(message)


def _dir() -> Path:
    return _localedir.get() or LOCALE_DIR


@cache
def available(localedir: Path) -> tuple[str, ...]:
    """Return the languages with a compiled catalog, the source language first."""
    found = sorted(p.parent.parent.name for p in localedir.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE, *(code for code in found if code != SOURCE))


def negotiate(code: str | None, localedir: Path | None = None) -> str:
    """Pick the catalog for a language tag such as Telegram's ("de", "pt-br"), else English."""
    if not code:
        return SOURCE
    try:
        wanted = str(Locale.parse(code.replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        return SOURCE
    return negotiate_locale([wanted], list(available(localedir or _dir()))) or SOURCE


@cache
def _translations(locale: str, localedir: Path) -> _gettext.NullTranslations:
    return Translations.load(str(localedir), [locale], DOMAIN)


@cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


def current() -> str:
    """Return the locale the texts are rendered in now."""
    return _locale.get()


def set_locale(code: str | None) -> str:
    """Render the rest of this task's texts in the language of `code` (the handler edge)."""
    locale = negotiate(code)
    _locale.set(locale)
    return locale


@contextmanager
def using(code: str | None, localedir: Path | None = None) -> Iterator[str]:
    """Render the texts inside the block in the language of `code` (the sender, tests)."""
    dir_token = _localedir.set(localedir or _localedir.get())
    chosen = negotiate(code)
    token = _locale.set(chosen)
    try:
        yield chosen
    finally:
        _locale.reset(token)
        _localedir.reset(dir_token)


def gettext(message: str) -> str:
    """Translate a text into the current locale (the source text when it has no translation)."""
    return str(_translations(_locale.get(), _dir()).gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a text whose form depends on a number, by the language's plural rules."""
    return str(_translations(_locale.get(), _dir()).ngettext(singular, plural, n))


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


# Translated dicts by (the constant, locale, catalog folder): built once, then shared, so reading
# `texts.CHOICE_LABELS` costs a lookup, not forty translations. Callers only read them.
_translated: dict[tuple[int, str, Path], Any] = {}


class _CatalogModule(ModuleType):
    """A module whose marked constants are translated each time they are read."""

    def __getattribute__(self, name: str) -> Any:
        value = ModuleType.__getattribute__(self, name)
        kind = type(value)
        if kind is Message:
            return gettext(value)
        if kind is dict:
            key = (id(value), _locale.get(), _dir())
            if key not in _translated:
                _translated[key] = translate(value)
            return _translated[key]
        return value


def catalog_module(name: str) -> None:
    """Make `module.CONSTANT` read as the translation in the current locale.

    Callers keep writing `reply_text(texts.HELP)` or `texts.X.format(...)`: the constant is
    still a plain `str` when read, only in the person's language.
    """
    sys.modules[name].__class__ = _CatalogModule


# --- Babel formatting in the current locale --------------------------------------------------


def locale() -> Locale:
    """Return the Babel locale of the current texts."""
    return _babel_locale(_locale.get())


# Babel's formatting is pure but costs 10-100 µs a call, and the tick renders thousands of texts
# with the same few numbers, days and times: each result is kept per locale.
_ZONE_FIELDS = frozenset("zZvVOXx")


def format_day(day: date | datetime, pattern: str) -> str:
    """Format a date with a CLDR pattern (e.g. "EEE d MMM") in the current locale."""
    plain = day.date() if isinstance(day, datetime) else day
    return _day(plain, pattern, _locale.get())


@lru_cache(maxsize=4096)
def _day(day: date, pattern: str, locale: str) -> str:
    return dates.format_date(day, pattern, locale=_babel_locale(locale))


def format_clock(at: datetime, pattern: str = "HH:mm") -> str:
    """Format a local time of day (the datetime's own wall clock) in the current locale."""
    if _ZONE_FIELDS & set(pattern):
        return dates.format_time(at, pattern, locale=locale())
    return _clock(at.time(), pattern, _locale.get())


@lru_cache(maxsize=4096)
def _clock(at: time, pattern: str, locale: str) -> str:
    return dates.format_time(at, pattern, locale=_babel_locale(locale))


def format_number(value: int | float | Decimal) -> str:
    """Format a number in the current locale (no grouping: "4000 characters" stays whole)."""
    return _number(value, _locale.get())


@lru_cache(maxsize=4096, typed=True)
def _number(value: int | float | Decimal, locale: str) -> str:
    return numbers.format_decimal(value, locale=_babel_locale(locale), group_separator=False)


def format_decimal(value: float, places: int) -> str:
    """Format a number with exactly `places` decimals, rounded as Python rounds it."""
    return _fixed(round(value, places), places, _locale.get())


@lru_cache(maxsize=4096)
def _fixed(value: float, places: int, locale: str) -> str:
    pattern = "0." + "0" * places if places else "0"
    return numbers.format_decimal(
        value, pattern, locale=_babel_locale(locale), group_separator=False
    )


def format_percent(share: float) -> str:
    """Format a share (0.57) as a whole percentage ("57%"), rounded as Python rounds it."""
    return _percent(round(share * 100), _locale.get())


@lru_cache(maxsize=1024)
def _percent(whole: int, locale: str) -> str:
    return numbers.format_percent(Decimal(whole).scaleb(-2), locale=_babel_locale(locale))
