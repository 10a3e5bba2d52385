"""Turn what people type or share (a city, an IANA name, a location) into a time zone."""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
import zoneinfo
from typing import Any
from zoneinfo import ZoneInfo

COMMON_ZONES: list[tuple[str, str]] = [
    ("London", "Europe/London"),
    ("Berlin, Paris", "Europe/Berlin"),
    ("Kyiv, Athens", "Europe/Kyiv"),
    ("Moscow", "Europe/Moscow"),
    ("Dubai", "Asia/Dubai"),
    ("India", "Asia/Kolkata"),
    ("Singapore", "Asia/Singapore"),
    ("Tokyo", "Asia/Tokyo"),
    ("Sydney", "Australia/Sydney"),
    ("New York", "America/New_York"),
    ("Chicago", "America/Chicago"),
    ("Denver", "America/Denver"),
    ("Los Angeles", "America/Los_Angeles"),
    ("São Paulo", "America/Sao_Paulo"),
    ("UTC", "UTC"),
]

# Big cities whose name is not the last part of an IANA zone name.
ALIASES: dict[str, str] = {
    "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "las vegas": "America/Los_Angeles",
    "washington": "America/New_York",
    "washington dc": "America/New_York",
    "dc": "America/New_York",
    "nyc": "America/New_York",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "austin": "America/Chicago",
    "montreal": "America/Toronto",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "geneva": "Europe/Zurich",
    "krakow": "Europe/Warsaw",
    "kiev": "Europe/Kyiv",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "guangzhou": "Asia/Shanghai",
    "abu dhabi": "Asia/Dubai",
    "osaka": "Asia/Tokyo",
    "kyoto": "Asia/Tokyo",
    "ho chi minh city": "Asia/Ho_Chi_Minh",
    "saigon": "Asia/Ho_Chi_Minh",
    "hanoi": "Asia/Bangkok",
    "canberra": "Australia/Sydney",
    "wellington": "Pacific/Auckland",
    "rio de janeiro": "America/Sao_Paulo",
    "rio": "America/Sao_Paulo",
    "cape town": "Africa/Johannesburg",
    "abuja": "Africa/Lagos",
    "england": "Europe/London",
    "uk": "Europe/London",
    "india": "Asia/Kolkata",
    "japan": "Asia/Tokyo",
    "germany": "Europe/Berlin",
    "france": "Europe/Paris",
    "ukraine": "Europe/Kyiv",
}

# Names kept out of the city index: legacy areas and pseudo-zones that would shadow real cities.
_LEGACY_AREAS = ("US/", "Canada/", "Brazil/", "Mexico/", "Chile/", "Etc/", "SystemV/")
_EXCLUDED = frozenset({"localtime", "Factory", "posixrules"})
_CANONICAL_AREAS = (
    "Europe/",
    "America/",
    "Asia/",
    "Africa/",
    "Australia/",
    "Pacific/",
    "Atlantic/",
    "Indian/",
    "Antarctica/",
    "Arctic/",
)
_OFFSET = re.compile(r"(?:utc|gmt)\s*([+-])\s*([0-9]{1,2})(?::?00)?", re.ASCII)
_UTC_NAMES = frozenset({"utc", "gmt", "z", "zulu", "utc0", "gmt0", "universal"})


class UnknownZone(ValueError):
    """A time zone we could not recognise; `suggestions` lists close IANA names."""

    def __init__(self, message: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.suggestions = suggestions


def _key(text: str) -> str:
    """Fold case, accents, underscores and extra spaces away for matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.casefold().replace("_", " ").replace(".", "")
    plain = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", plain)
    return " ".join(plain.split())


def _rank(name: str) -> tuple[int, int, str]:
    canonical = 0 if name.startswith(_CANONICAL_AREAS) else 1
    return canonical, name.count("/"), name


@functools.cache
def _index() -> tuple[dict[str, str], dict[str, str]]:
    """Return {folded full name: IANA name} and {folded city: best IANA name}."""
    names = sorted((n for n in zoneinfo.available_timezones() if n not in _EXCLUDED), key=_rank)
    full: dict[str, str] = {}
    cities: dict[str, str] = {}
    for name in names:
        full.setdefault(_key(name).replace(" / ", "/"), name)
        if "/" in name and not name.startswith(_LEGACY_AREAS):
            cities.setdefault(_key(name.rsplit("/", 1)[1]), name)
    return full, cities


def _load(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _suggest(key: str) -> list[str]:
    full, cities = _index()
    choices = {**full, **cities, **ALIASES}
    found: list[str] = []
    for match in difflib.get_close_matches(key, list(choices), n=8, cutoff=0.6):
        name = choices[match]
        if name not in found:
            found.append(name)
    return found[:3]


def resolve_zone(text: str) -> ZoneInfo:
    """Resolve an IANA name, a city, a common alias or UTC±N; raise UnknownZone otherwise."""
    raw = text.strip() if isinstance(text, str) else ""
    key = _key(raw)[:64]
    if not key:
        raise UnknownZone("Please send a city like Berlin or a zone like Europe/Berlin.", [])
    if key in _UTC_NAMES:
        return ZoneInfo("UTC")
    offset = _OFFSET.fullmatch(key)
    if offset is not None and int(offset[2]) <= 14:
        hours = int(offset[2])
        # POSIX-style Etc names invert the sign: UTC+3 is Etc/GMT-3.
        etc = "UTC" if hours == 0 else f"Etc/GMT{'-' if offset[1] == '+' else '+'}{hours}"
        if (zone := _load(etc)) is not None:
            return zone
    full, cities = _index()
    key_slash = key.replace(" / ", "/")
    # A bare word prefers curated aliases and real cities over legacy names like "Singapore".
    if "/" in key_slash:
        candidates = [full.get(key_slash)]
    else:
        candidates = [ALIASES.get(key), cities.get(key), full.get(key)]
    for name in candidates:
        if name is not None and (zone := _load(name)) is not None:
            return zone
    suggestions = _suggest(key_slash if "/" in key_slash else key)
    shown = raw if len(raw) <= 20 else raw[:19] + "…"
    if suggestions:
        message = f"I don't know the time zone “{shown}”. Did you mean {' or '.join(suggestions)}?"
    else:
        message = f"I don't know the time zone “{shown}”. Try a city like Berlin or New York."
    raise UnknownZone(message, suggestions)


@functools.cache
def _finder() -> Any:
    # Imported lazily: timezonefinder loads large polygon data.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_from_location(latitude: float, longitude: float) -> ZoneInfo | None:
    """Return the zone at a shared location, or None for bad coordinates or open sea."""
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
        return None
    name = _finder().timezone_at(lng=lng, lat=lat)
    return _load(name) if isinstance(name, str) else None
