"""Red-flag rules for check-in answers: when to suggest a provider or urgent care.

Every rule here is listed in docs/safety.md with its trigger, wording and source.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

HIGH_PAIN = 8
RED_FLAG_QUESTION_PAIN = 7
PERSISTENT_PAIN = 6
PERSISTENT_WINDOW_DAYS = 14
PERSISTENT_MIN_CHECKINS = 10
# Rising pain needs three check-ins close together, ending at a level worth a conversation;
# 0 -> 1 -> 2 is not a reason to send someone to a provider.
RISING_WINDOW_DAYS = 7
RISING_MIN_PAIN = 4


class Flag(StrEnum):
    """A reason to suggest seeing a healthcare provider."""

    HIGH_PAIN = "high_pain"
    RISING_PAIN = "rising_pain"
    PERSISTENT_PAIN = "persistent_pain"
    RED_FLAG = "red_flag"  # a sign ticked on the red-flag list (before issue 14)
    EMERGENCY = "emergency"  # an emergency-tier sign ticked; detail: the sign
    SEE_DOCTOR = "see_doctor"  # a see-a-doctor-soon sign ticked; detail: the sign
    NO_SIGNS = "no_signs"  # "None of these" on the red-flag list
    FOLLOW_UP = "follow_up"  # the answer to "did you get it checked?"; detail: the answer
    LATE_SIGN = "late_sign"  # a sign pressed on an earlier day's list; detail: sign and day


class Tier(StrEnum):
    """How soon a red-flag sign needs a doctor."""

    EMERGENCY = "emergency"  # possible cauda equina syndrome: emergency department now
    SOON = "soon"  # see a doctor within a day or two


# The signs asked after high pain or a new back/leg pain, in the order they are listed; their
# wording lives in bot/telegram/texts.py (RED_FLAG_WORDING). Sources: docs/safety.md.
RED_FLAG_SIGNS: tuple[tuple[str, Tier], ...] = (
    ("bladder_bowel", Tier.EMERGENCY),
    ("saddle", Tier.EMERGENCY),
    ("both_legs", Tier.EMERGENCY),
    ("fever", Tier.SOON),
    ("injury", Tier.SOON),
    ("weight_cancer", Tier.SOON),
    ("night_pain", Tier.SOON),
)
RED_FLAG_KEYS: tuple[str, ...] = tuple(key for key, _ in RED_FLAG_SIGNS)
TIER_OF: dict[str, Tier] = dict(RED_FLAG_SIGNS)
# Places where the low-back red-flag list applies (neck pain has other warning signs).
BACK_PLACES: frozenset[str] = frozenset({"lower_back", "upper_back", "leg"})
# A follow-up is offered for an escalation this many days back (the next check-in after it).
FOLLOW_UP_DAYS = 3


def tier_of(signs: Sequence[str]) -> Tier | None:
    """Return the most urgent tier among the ticked signs (None when none was ticked)."""
    tiers = {TIER_OF[s] for s in signs if s in TIER_OF}
    if Tier.EMERGENCY in tiers:
        return Tier.EMERGENCY
    return Tier.SOON if tiers else None


def should_ask_red_flags(
    pain: int | None, where: str | None, previous_where: str | None, already_asked: bool
) -> bool:
    """Tell whether to ask the red-flag list, once "where" is known.

    Asked at pain 7+ unless the pain is in the neck, or when the pain moved to a new place in
    the back or legs (any score above 0); never twice a day.
    """
    if already_asked or pain is None or pain == 0 or where is None:
        return False
    if pain >= RED_FLAG_QUESTION_PAIN and where != "neck":
        return True
    return where in BACK_PLACES and where != previous_where


def _score_by_day(history: Sequence[tuple[date, int]], today: date) -> dict[date, int]:
    """Keep one score per day up to today, the highest when a day has several."""
    by_day: dict[date, int] = {}
    for day, pain in history:
        if day <= today:
            by_day[day] = max(pain, by_day.get(day, pain))
    return by_day


def pain_flags(history: Sequence[tuple[date, int]], today: date) -> list[Flag]:
    """Return the pain-history flags for today, in Flag order.

    HIGH_PAIN: today's score is 8 or more. RISING_PAIN: the last three check-ins (by date, today's
    included) strictly increase, all fall within 7 days of today and the last is 4 or more.
    PERSISTENT_PAIN: at least 10 check-ins in the 14 days ending today, every one 6 or more.
    Check-ins after today are ignored; a day with several scores keeps the highest.
    """
    by_day = _score_by_day(history, today)
    flags: list[Flag] = []
    if by_day.get(today, 0) >= HIGH_PAIN:
        flags.append(Flag.HIGH_PAIN)
    last_three = sorted(by_day.items())[-3:]
    if (
        len(last_three) == 3
        and last_three[0][0] > today - timedelta(days=RISING_WINDOW_DAYS)
        and last_three[0][1] < last_three[1][1] < last_three[2][1]
        and last_three[2][1] >= RISING_MIN_PAIN
    ):
        flags.append(Flag.RISING_PAIN)
    window_start = today - timedelta(days=PERSISTENT_WINDOW_DAYS - 1)
    recent = [pain for day, pain in by_day.items() if day >= window_start]
    if len(recent) >= PERSISTENT_MIN_CHECKINS and min(recent) >= PERSISTENT_PAIN:
        flags.append(Flag.PERSISTENT_PAIN)
    return flags
