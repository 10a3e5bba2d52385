"""The emergency number for a person's country, derived from their IANA time zone."""

from __future__ import annotations

import functools
from pathlib import Path

# The system's zone tables map each zone to the country it lies in; zone.tab gives one country
# per zone (zone1970.tab may list several, the first being the most populous).
ZONE_TABLES: tuple[Path, ...] = (
    Path("/usr/share/zoneinfo/zone.tab"),
    Path("/usr/share/zoneinfo/zone1970.tab"),
)

# The number that reaches an ambulance, per ISO country code. 112 works across the EU (and on
# mobiles in many other places); only numbers we are sure of are listed, anything else falls
# back to "your local emergency number".
_EU_112 = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "IS LI NO CH UA TR RS BA ME MK AL MD GE AM AZ AD MC SM VA GI FO GL IN RU BY"
)
EMERGENCY_NUMBERS: dict[str, str] = {
    **dict.fromkeys(_EU_112.split(), "112"),
    **dict.fromkeys(("US", "CA", "MX", "PR", "PH", "VI", "GU"), "911"),
    "GB": "999",
    "IM": "999",
    "JE": "999",
    "GG": "999",
    "HK": "999",
    "AU": "000",
    "NZ": "111",
    "JP": "119",
    "KR": "119",
    "TW": "119",
    "CN": "120",
    "SG": "995",
    "BR": "192",
    "IL": "101",
    "AE": "998",
}


@functools.cache
def _zone_countries() -> dict[str, str]:
    """Read zone -> country code from the system's zone tables (empty if none is installed)."""
    countries: dict[str, str] = {}
    for table in reversed(ZONE_TABLES):  # zone.tab, read last, wins
        try:
            lines = table.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) >= 3:
                countries[fields[2]] = fields[0].split(",")[0]
    return countries


def country_of(zone: str | None) -> str | None:
    """Return the ISO country code of an IANA zone, or None when the tables do not say."""
    if not zone:
        return None
    return _zone_countries().get(zone)


# A free, well-known support line per country for someone who is struggling (Samaritans,
# 988, TelefonSeelsorge, Lifeline); only lines we are sure of, elsewhere none is named.
SUPPORT_LINES: dict[str, str] = {
    "GB": "Samaritans 116 123",
    "IE": "Samaritans 116 123",
    "US": "988 (call or text)",
    "DE": "TelefonSeelsorge 0800 111 0 111",
    "AU": "Lifeline 13 11 14",
}


def support_line(zone: str | None) -> str | None:
    """Return the support line for the zone's country, or None when the table has none."""
    country = country_of(zone)
    return None if country is None else SUPPORT_LINES.get(country)


def emergency_number(zone: str | None) -> str | None:
    """Return the emergency number for the zone's country, or None when it is not known."""
    country = country_of(zone)
    return None if country is None else EMERGENCY_NUMBERS.get(country)
