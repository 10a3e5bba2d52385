"""Test turning typed places and shared locations into time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.zones import ALIASES, COMMON_ZONES, UnknownZone, resolve_zone, zone_from_location


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("  EUROPE/BERLIN ", "Europe/Berlin"),
        ("America/New_York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("new_york", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Port-au-Prince", "America/Port-au-Prince"),
        ("port au prince", "America/Port-au-Prince"),
        ("lord howe", "Australia/Lord_Howe"),
        ("kathmandu", "Asia/Kathmandu"),
        ("london", "Europe/London"),
        ("san francisco", "America/Los_Angeles"),
        ("Los Angeles", "America/Los_Angeles"),
        ("LA", "America/Los_Angeles"),
        ("sf", "America/Los_Angeles"),
        ("seattle", "America/Los_Angeles"),
        ("munich", "Europe/Berlin"),
        ("mumbai", "Asia/Kolkata"),
        ("delhi", "Asia/Kolkata"),
        ("bangalore", "Asia/Kolkata"),
        ("beijing", "Asia/Shanghai"),
        ("shenzhen", "Asia/Shanghai"),
        ("washington", "America/New_York"),
        ("boston", "America/New_York"),
        ("miami", "America/New_York"),
        ("toronto", "America/Toronto"),
        ("sydney", "Australia/Sydney"),
        ("melbourne", "Australia/Melbourne"),
        ("rome", "Europe/Rome"),
        ("madrid", "Europe/Madrid"),
        ("kyiv", "Europe/Kyiv"),
        ("kiev", "Europe/Kyiv"),
        ("istanbul", "Europe/Istanbul"),
        ("dubai", "Asia/Dubai"),
        ("singapore", "Asia/Singapore"),
        ("tokyo", "Asia/Tokyo"),
        ("moscow", "Europe/Moscow"),
        ("cairo", "Africa/Cairo"),
        ("lagos", "Africa/Lagos"),
        ("nairobi", "Africa/Nairobi"),
        ("mexico city", "America/Mexico_City"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("st. petersburg", "Europe/Moscow"),
        ("UTC", "UTC"),
        ("gmt", "UTC"),
        ("UTC+3", "Etc/GMT-3"),
        ("gmt-5", "Etc/GMT+5"),
        ("UTC+0", "UTC"),
    ],
)
def test_resolve_zone(text: str, expected: str) -> None:
    # Links (Asia/Calcutta, Europe/Kiev...) are the same zone under another key.
    got = resolve_zone(text)
    assert isinstance(got, ZoneInfo)
    reference = ZoneInfo(expected)
    assert got.key == expected or _same_rules(got, reference), (got.key, expected)


def _same_rules(a: ZoneInfo, b: ZoneInfo) -> bool:
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    for _ in range(24):
        if moment.astimezone(a).utcoffset() != moment.astimezone(b).utcoffset():
            return False
        moment += timedelta(days=30)
    return True


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("berln", "Europe/Berlin"),
        ("europe/berlim", "Europe/Berlin"),
        ("new yrok", "America/New_York"),
        ("tokio", "Asia/Tokyo"),
    ],
)
def test_unknown_zone_suggests(text: str, suggestion: str) -> None:
    with pytest.raises(UnknownZone) as caught:
        resolve_zone(text)
    assert isinstance(caught.value, ValueError)
    assert suggestion in caught.value.suggestions
    assert len(caught.value.suggestions) <= 3
    assert suggestion in str(caught.value)


@pytest.mark.parametrize(
    "text", ["", "   ", "xyzzy", "🙂" * 40, "a" * 1000, "UTC+99", "localtime"]
)
def test_unknown_zone_is_friendly(text: str) -> None:
    with pytest.raises(UnknownZone) as caught:
        resolve_zone(text)
    message = str(caught.value)
    assert len(message) < 160
    assert "a" * 21 not in message and "🙂" * 21 not in message
    assert all(isinstance(name, str) for name in caught.value.suggestions)


def test_aliases_and_common_zones_exist() -> None:
    for name in [*ALIASES.values(), *(iana for _, iana in COMMON_ZONES)]:
        assert ZoneInfo(name)
    assert 10 <= len(COMMON_ZONES) <= 16
    assert all(resolve_zone(label.split(",")[0]) for label, _ in COMMON_ZONES)


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        (52.52, 13.405, "Europe/Berlin"),
        (40.7128, -74.006, "America/New_York"),
        (27.7172, 85.324, "Asia/Kathmandu"),
        (-33.8688, 151.2093, "Australia/Sydney"),
        (-43.95, -176.55, "Pacific/Chatham"),
    ],
)
def test_zone_from_location(latitude: float, longitude: float, expected: str) -> None:
    got = zone_from_location(latitude, longitude)
    assert got is not None and got.key == expected


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (91.0, 0.0),
        (-91.0, 0.0),
        (0.0, 181.0),
        (0.0, -180.5),
        (float("nan"), 0.0),
        (0.0, float("inf")),
    ],
)
def test_zone_from_location_rejects_bad_coordinates(latitude: float, longitude: float) -> None:
    assert zone_from_location(latitude, longitude) is None
