"""Red-flag rules for check-in answers: when to suggest a provider or urgent care."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    RED_FLAG = "red_flag"


RED_FLAG_SIGNS: tuple[tuple[str, str], ...] = (
    (
        "saddle",
        "Any new numbness or tingling around your groin, genitals, buttocks or inner thighs?",
    ),
    ("bladder_bowel", "Any new trouble controlling or emptying your bladder or bowel?"),
    ("leg_weakness", "Is weakness in one or both legs getting worse?"),
    ("fever", "Do you have a fever or feel generally unwell along with the pain?"),
    ("weight_loss", "Have you lost weight recently without trying?"),
    ("blood_in_stool", "Have you noticed blood in your stool?"),
)
RED_FLAG_KEYS: frozenset[str] = frozenset(key for key, _ in RED_FLAG_SIGNS)

RED_FLAG_URGENT_TEXT = (
    "Please seek medical care promptly — today if you can. What you described is something a "
    "doctor should check soon, not something to wait out with habits. If it is severe or came "
    "on suddenly, call your local emergency number. I'm a habit bot and can't assess symptoms."
)
SUGGEST_PROVIDER_TEXT = (
    "It may be worth talking to a healthcare provider about this pain — a doctor or "
    "physiotherapist can look at what's going on. Until then, keep to what feels okay and ease "
    "off anything that makes it worse."
)


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


def red_flags(answers: Mapping[str, bool]) -> list[Flag]:
    """Return [RED_FLAG] when any known red-flag sign was answered yes."""
    return [Flag.RED_FLAG] if any(answers.get(key, False) for key in RED_FLAG_KEYS) else []


def should_ask_red_flags(pain: int, already_asked_today: bool) -> bool:
    """Tell whether to ask the red-flag questions after a pain score."""
    return pain >= RED_FLAG_QUESTION_PAIN and not already_asked_today


def advice_for(flags: Sequence[Flag]) -> str | None:
    """Return the care advice for the flags: urgent for a red flag, a provider for the rest."""
    if Flag.RED_FLAG in flags:
        return RED_FLAG_URGENT_TEXT
    if flags:
        return SUGGEST_PROVIDER_TEXT
    return None
