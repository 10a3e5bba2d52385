"""The daily check-in's questions, their allowed answers and which one comes next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.domain.safety import RED_FLAG_KEYS, should_ask_red_flags

# The order questions are asked in; "rf" is the red-flag check, asked right after high pain.
QUESTIONS: tuple[str, ...] = (
    "pain",
    "rf",
    "where",
    "stress",
    "mood",
    "sleep",
    "bloating",
    "stool",
    "note",
)
SKIP = "skip"
NONE_OF_THESE = "none"
# Telegram caps a message at 4096 characters, so any typed note fits; this guards other callers.
NOTE_MAX = 4096
# A button from an older check-in message may update that day (after confirming) this far back.
EDITABLE_DAYS = 7

SCALE_0_10: tuple[int, ...] = tuple(range(11))
MOODS: tuple[int, ...] = (1, 2, 3, 4, 5)
BRISTOL: tuple[int, ...] = tuple(range(1, 8))
PAIN_PLACES: tuple[str, ...] = ("lower_back", "neck", "other", "none")
SLEEP: tuple[str, ...] = ("poor", "ok", "good")
BLOATING: tuple[str, ...] = ("none", "mild", "strong")

CHOICES: dict[str, tuple[int, ...] | tuple[str, ...]] = {
    "pain": SCALE_0_10,
    "where": PAIN_PLACES,
    "stress": SCALE_0_10,
    "mood": MOODS,
    "sleep": SLEEP,
    "bloating": BLOATING,
    "stool": BRISTOL,
}
# Question key -> CheckIn column.
COLUMNS: dict[str, str] = {
    "pain": "pain",
    "where": "pain_where",
    "stress": "stress",
    "mood": "mood",
    "sleep": "sleep",
    "bloating": "bloating",
    "stool": "stool",
    "note": "note",
}


class BadAnswer(ValueError):
    """An answer that is not one of the question's choices."""


@dataclass(frozen=True)
class Answers:
    """One day's check-in answers so far."""

    pain: int | None = None
    where: str | None = None
    stress: int | None = None
    mood: int | None = None
    sleep: str | None = None
    bloating: str | None = None
    stool: int | None = None
    note: str | None = None
    skipped: frozenset[str] = field(default_factory=frozenset)
    red_flags_asked: bool = False

    def value(self, key: str) -> int | str | None:
        """Return the stored answer to a question (None when unanswered or skipped)."""
        if key == "rf":
            return None
        value: int | str | None = getattr(self, key)
        return value


def needed(key: str, answers: Answers) -> bool:
    """Tell whether a question applies to this day at all."""
    if key == "where":
        return answers.pain is not None and answers.pain > 0
    if key == "rf":
        return answers.pain is not None and should_ask_red_flags(
            answers.pain, answers.red_flags_asked
        )
    return key in QUESTIONS


def answered(key: str, answers: Answers) -> bool:
    """Tell whether a question has an answer or was skipped."""
    if key == "rf":
        return answers.red_flags_asked
    return key in answers.skipped or answers.value(key) is not None


def next_question(answers: Answers, *, after: str | None = None) -> str | None:
    """Return the next question: the first open one, or while updating, the one after `after`.

    Updating a finished check-in walks through every question again in order (an answer
    replaces the old one); otherwise the next question is the first one the row still lacks,
    so a restart or an old button never loses the person's place.
    """
    if after is None:
        return next(
            (k for k in QUESTIONS if needed(k, answers) and not answered(k, answers)), None
        )
    if after not in QUESTIONS:
        raise ValueError(f"unknown question {after!r}")
    later = QUESTIONS[QUESTIONS.index(after) + 1 :]
    return next((k for k in later if needed(k, answers)), None)


def is_complete(answers: Answers) -> bool:
    """Tell whether every question that applies was answered or skipped."""
    return next_question(answers) is None


def parse_answer(key: str, raw: str) -> int | str | None:
    """Turn button data into a stored value (None means skip); raise BadAnswer on junk."""
    if raw == SKIP:
        return None
    if key == "rf":
        if raw == NONE_OF_THESE or raw in RED_FLAG_KEYS:
            return raw
        raise BadAnswer(f"not a red-flag answer: {raw[:20]!r}")
    choices = CHOICES.get(key)
    if choices is None:
        raise BadAnswer(f"not a question with choices: {key[:20]!r}")
    if choices and isinstance(choices[0], int):
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 2:
            raise BadAnswer(f"not a number: {raw[:20]!r}")
        number = int(raw)
        if number not in choices:
            raise BadAnswer(f"out of range: {number}")
        return number
    if raw not in choices:
        raise BadAnswer(f"not a choice: {raw[:20]!r}")
    return raw


def date_code(day: date) -> str:
    """Return the compact date carried by check-in buttons, e.g. "20260327"."""
    return f"{day:%Y%m%d}"


def parse_date_code(code: str) -> date:
    """Read a date made by date_code; raise ValueError on anything else."""
    if len(code) != 8 or not (code.isascii() and code.isdigit()):
        raise ValueError(f"not a date code: {code[:20]!r}")
    return date(int(code[:4]), int(code[4:6]), int(code[6:]))
