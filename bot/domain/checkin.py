"""The daily check-in's questions, their allowed answers and which one comes next."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.pending import Feature, PendingInput
from bot.domain.safety import RED_FLAG_KEYS, should_ask_red_flags


class Question(StrEnum):
    """What the check-in asks, by the key its buttons and rows use."""

    PAIN = "pain"
    WHERE = "where"
    RED_FLAGS = "rf"  # the red-flag list (multi-select)
    STRESS = "stress"
    MOOD = "mood"
    SLEEP = "sleep"
    GUT = "gut"
    STOOL = "stool"
    FOLLOW_UP = "fu"  # "Did you get it checked?", asked before the check-in after an escalation
    NOTE = "note"  # the typed note offered under the closing summary


class FollowUpAnswer(StrEnum):
    """An answer to "Did you get it checked?"."""

    YES = "yes"
    NOT_YET = "not_yet"
    GONE = "gone"


# The order questions are asked in. "rf" is the red-flag list, asked right after "where" when
# the pain is high or newly in the back or legs; "stool" only for people who turned it on.
# The note is not a question: the closing summary offers "Add a note".
QUESTIONS: tuple[Question, ...] = (
    Question.PAIN,
    Question.WHERE,
    Question.RED_FLAGS,
    Question.STRESS,
    Question.MOOD,
    Question.SLEEP,
    Question.GUT,
    Question.STOOL,
)
SKIP = "skip"
NONE_OF_THESE = "none"
RF_DONE = "done"  # "Done" under the red-flag list: the ticked signs are the answer
RF_PICK = "pick:"  # typed sign numbers, e.g. "pick:bladder_bowel,fever"
SAME_PLACE = "same"  # "Same place" typed: the place remembered from the last check-in
# Telegram caps a message at 4096 characters, so any typed note fits; this guards other callers.
NOTE_MAX = 4096
# A button from an older check-in message may update that day (after confirming) this far back.
EDITABLE_DAYS = 7

SCALE_0_10: tuple[int, ...] = tuple(range(11))
MOODS: tuple[int, ...] = (1, 2, 3, 4, 5)
BRISTOL: tuple[int, ...] = tuple(range(1, 8))
PAIN_PLACES: tuple[str, ...] = ("lower_back", "upper_back", "neck", "leg", "other", "none")
SLEEP: tuple[str, ...] = ("poor", "ok", "good")
GUT: tuple[str, ...] = ("comfortable", "bloated", "upset", "constipated")
# "Did you get it checked?" after an escalation; "fu" is asked before the next check-in.
FOLLOW_UP = Question.FOLLOW_UP
FOLLOW_UP_ANSWERS: tuple[FollowUpAnswer, ...] = tuple(FollowUpAnswer)

CHOICES: dict[str, tuple[int, ...] | tuple[str, ...]] = {
    "pain": SCALE_0_10,
    "where": PAIN_PLACES,
    "stress": SCALE_0_10,
    "mood": MOODS,
    "sleep": SLEEP,
    "gut": GUT,
    "stool": BRISTOL,
}
# Question key -> CheckIn column.
COLUMNS: dict[str, str] = {
    "pain": "pain",
    "where": "pain_where",
    "stress": "stress",
    "mood": "mood",
    "sleep": "sleep",
    "gut": "gut",
    "stool": "stool",
    "note": "note",
}


class BadAnswer(ValueError):
    """An answer that is not one of the question's choices."""


@dataclass(frozen=True)
class Answers:
    """One day's check-in answers so far, with what the questions depend on."""

    pain: int | None = None
    where: str | None = None
    stress: int | None = None
    mood: int | None = None
    sleep: str | None = None
    gut: str | None = None
    stool: int | None = None
    note: str | None = None
    bloating: str | None = None  # the gut answer of check-ins before issue 14
    skipped: frozenset[str] = field(default_factory=frozenset)
    red_flags_asked: bool = False
    red_flags: tuple[str, ...] = ()  # signs ticked (so far, or as answered)
    escalation: str | None = None  # "emergency" or "soon" when the signs asked for care
    previous_where: str | None = None  # the place of the last earlier check-in
    ask_stool: bool = False  # the person turned the stool question on

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
        # Skipping "where" must not skip the safety check: an unknown place counts as maybe back.
        where = answers.where or ("unknown" if "where" in answers.skipped else None)
        return answers.red_flags_asked or should_ask_red_flags(
            answers.pain, where, answers.previous_where, False
        )
    if key == "stool":
        return answers.ask_stool
    return key in QUESTIONS


def answered(key: str, answers: Answers) -> bool:
    """Tell whether a question has an answer or was skipped."""
    if key == "rf":
        return answers.red_flags_asked
    return key in answers.skipped or answers.value(key) is not None


def next_question(answers: Answers, *, after: str | None = None) -> Question | None:
    """Return the next question: the first open one, or while updating, the one after `after`.

    Updating a finished check-in walks through every question again in order (an answer
    replaces the old one; the red-flag list is not asked twice a day); otherwise the next
    question is the first one the row still lacks, so a restart or an old button never loses
    the person's place.
    """
    if after is None:
        return next(
            (k for k in QUESTIONS if needed(k, answers) and not answered(k, answers)), None
        )
    if after not in QUESTIONS:
        raise ValueError(f"unknown question {after!r}")
    later = QUESTIONS[QUESTIONS.index(after) + 1 :]
    return next(
        (k for k in later if needed(k, answers) and not (k == "rf" and answers.red_flags_asked)),
        None,
    )


def is_complete(answers: Answers) -> bool:
    """Tell whether every question that applies was answered or skipped."""
    return next_question(answers) is None


def parse_signs(raw: str) -> tuple[str, ...]:
    """Read the signs of a typed pick ("pick:a,b"); raise BadAnswer on anything else."""
    signs = tuple(raw.removeprefix(RF_PICK).split(","))
    if not raw.startswith(RF_PICK) or not all(s in RED_FLAG_KEYS for s in signs):
        raise BadAnswer(f"not a pick of signs: {raw[:30]!r}")
    return signs


def parse_question(key: str) -> Question:
    """Read a daily question's key from button data; raise BadAnswer on anything else."""
    if key not in QUESTIONS:
        raise BadAnswer(f"not a check-in question: {key[:20]!r}")
    return Question(key)


def parse_sign(sign: str) -> str:
    """Read a red-flag sign's key from button data; raise BadAnswer on anything else."""
    if sign not in RED_FLAG_KEYS:
        raise BadAnswer(f"not a sign: {sign[:20]!r}")
    return sign


def parse_follow_up(raw: str) -> FollowUpAnswer:
    """Read an answer to "did you get it checked?"; raise BadAnswer on anything else."""
    if raw not in FOLLOW_UP_ANSWERS:
        raise BadAnswer(f"not a follow-up answer: {raw[:20]!r}")
    return FollowUpAnswer(raw)


def parse_answer(key: str, raw: str) -> int | str | None:
    """Turn button data into a stored value (None means skip); raise BadAnswer on junk."""
    if raw == SKIP:
        return None
    if key == "rf":
        if raw in (NONE_OF_THESE, RF_DONE):
            return raw
        parse_signs(raw)
        return raw
    if key == "where" and raw == SAME_PLACE:
        return raw
    if key == FOLLOW_UP:
        return parse_follow_up(raw)
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


def editable(day: date, today: date) -> bool:
    """Tell whether a check-in button of `day` may still change that day (never a future one)."""
    return today - timedelta(days=EDITABLE_DAYS) <= day <= today


# --- What typed text answers: the check-in's open question, kept as the person's pending input

# An open question (or the note) catches typed text this long; later text goes to quick-log.
WAIT = timedelta(hours=2)


@dataclass(frozen=True)
class CheckInWait:
    """The check-in question that typed text answers: which one, for which day, asked when."""

    question: Question  # a daily question, FOLLOW_UP, or NOTE
    day: date
    asked_at: datetime

    def is_open(self, now: datetime) -> bool:
        """Tell whether typed text at `now` still answers it (asked, and not too long ago)."""
        return timedelta(0) <= now - self.asked_at <= WAIT


_TYPED_STEPS = frozenset({*QUESTIONS, FOLLOW_UP, Question.NOTE})


def pending_of(wait: CheckInWait) -> PendingInput:
    """Write a wait as the person's pending input."""
    return PendingInput(Feature.CHECKIN, wait.question.value, wait.asked_at, day=wait.day)


def wait_of(pending: PendingInput, zone: ZoneInfo) -> CheckInWait | None:
    """Read the check-in question a pending input stands for; None if the check-in never asked it.

    An input without a day (written before days were kept) answers the local day it was asked.
    """
    if not pending.is_for(Feature.CHECKIN) or pending.step not in _TYPED_STEPS:
        return None
    question = Question(pending.step)
    if question is Question.NOTE and pending.day is None:
        return None
    day = pending.day if pending.day is not None else pending.asked_at.astimezone(zone).date()
    return CheckInWait(question, day, pending.asked_at)


# --- Typed answers: what a person may type instead of tapping a button -------------------------

# Longer text is never a one-word answer; stop before looking at it.
TYPED_MAX = 40
SKIP_WORDS = frozenset({"skip", "pass", "skip it", "next"})
NUMBER_WORDS: dict[str, int] = {
    word: n
    for n, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    )
}
MOOD_WORDS: dict[str, int] = {
    **dict.fromkeys(("😫", "😩", "😢", "😭", "😞", "awful", "terrible"), 1),
    **dict.fromkeys(("😕", "🙁", "☹", "😟", "😔", "bad", "low", "down"), 2),
    **dict.fromkeys(("😐", "😶", "ok", "okay", "meh", "so so", "so-so"), 3),
    **dict.fromkeys(("🙂", "😊", "good", "fine"), 4),
    **dict.fromkeys(("😄", "😀", "😃", "😁", "🤩", "great", "very good", "excellent"), 5),
}
# Question key -> typed words -> the button data they stand for.
TYPED_WORDS: dict[str, dict[str, str]] = {
    "where": {
        **dict.fromkeys(
            ("lower back", "low back", "back", "lower_back", "lumbar", "my back", "my lower back"),
            "lower_back",
        ),
        **dict.fromkeys(("upper back", "mid back", "middle back", "my upper back"), "upper_back"),
        **dict.fromkeys(
            ("neck", "shoulders", "shoulder", "neck and shoulders", "neck & shoulders", "my neck"),
            "neck",
        ),
        **dict.fromkeys(
            ("leg", "legs", "my leg", "my legs", "hip", "hips", "buttock", "sciatica"), "leg"
        ),
        **dict.fromkeys(("other", "somewhere else", "elsewhere", "something else"), "other"),
        **dict.fromkeys(("none", "nowhere", "nowhere really", "no pain", "nothing"), "none"),
        **dict.fromkeys(
            ("same", "same place", "same as before", "same as yesterday", "yes", "the same"),
            SAME_PLACE,
        ),
    },
    "sleep": {
        **dict.fromkeys(("poor", "poorly", "bad", "badly", "terrible", "awful", "😴"), "poor"),
        **dict.fromkeys(("ok", "okay", "fine", "alright", "so so", "so-so", "meh"), "ok"),
        **dict.fromkeys(("good", "well", "great", "very well", "slept well", "😊"), "good"),
    },
    "gut": {
        **dict.fromkeys(
            ("comfortable", "comfy", "fine", "ok", "okay", "good", "normal", "none", "no"),
            "comfortable",
        ),
        **dict.fromkeys(("bloated", "bloating", "gassy", "gas", "full", "swollen"), "bloated"),
        **dict.fromkeys(
            ("upset", "upset tummy", "diarrhoea", "diarrhea", "loose", "runny", "sick"), "upset"
        ),
        **dict.fromkeys(("constipated", "constipation", "blocked", "stuck"), "constipated"),
    },
    "rf": dict.fromkeys(
        ("none", "no", "nope", "none of these", "none of them", "nothing"), NONE_OF_THESE
    ),
    FOLLOW_UP: {
        **dict.fromkeys(("yes", "yep", "yes i did", "i did", "checked", "got it checked"), "yes"),
        **dict.fromkeys(("not yet", "no", "nope", "no not yet", "later", "not yet no"), "not_yet"),
        **dict.fromkeys(
            (
                "it's gone",
                "it’s gone",
                "its gone",
                "it is gone",
                "gone",
                "it went away",
                "it has gone",
                "it's gone now",
                "it’s gone now",
                "gone now",
            ),
            "gone",
        ),
    },
}
# Typed red-flag signs are their numbers on the list: "1", "1 3", "1, 3", "1 and 3".
_SIGN_NUMBERS = re.compile(r"\d(?:\s*(?:,|and|&|\s)\s*\d)*")
_NUMBER = re.compile(r"(?:type\s*)?(\d{1,2}|[a-z]+)(?:\s*(?:/|out of|of)\s*(\d{1,2}))?")


def _normalize(text: str) -> str:
    """Lower-case, drop emoji variation selectors, edge punctuation and repeated spaces."""
    plain = text.replace("\ufe0f", "").lower().strip().strip(".!,;")
    return " ".join(plain.split())


def _typed_number(words: str, choices: tuple[int, ...]) -> str:
    match = _NUMBER.fullmatch(words)
    if match is None:
        raise BadAnswer(f"not a number: {words[:20]!r}")
    first, scale = match.groups()
    number = int(first) if first.isdigit() else NUMBER_WORDS.get(first)
    if number is None or number not in choices:
        raise BadAnswer(f"not a choice: {words[:20]!r}")
    if scale is not None and int(scale) != max(choices):
        raise BadAnswer(f"wrong scale: {words[:20]!r}")
    return str(number)


def _typed_signs(words: str) -> str:
    """Turn "1 and 3" into the pick of the first and third signs on the list."""
    numbers = sorted({int(d) for d in re.findall(r"\d", words)})
    if not numbers or numbers[0] < 1 or numbers[-1] > len(RED_FLAG_KEYS):
        raise BadAnswer(f"not a sign number: {words[:20]!r}")
    return RF_PICK + ",".join(RED_FLAG_KEYS[n - 1] for n in numbers)


def read_typed(key: str, text: str) -> str:
    """Turn typed text into the button data it stands for; raise BadAnswer if it does not fit."""
    if len(text) > TYPED_MAX:
        raise BadAnswer("too long for an answer")
    words = _normalize(text)
    if words in SKIP_WORDS:
        return SKIP
    raw: str | None
    if key == "rf" and _SIGN_NUMBERS.fullmatch(words):
        raw = _typed_signs(words)
    elif key in TYPED_WORDS:
        raw = TYPED_WORDS[key].get(words)
        if raw is None:
            raise BadAnswer(f"not a choice: {words[:20]!r}")
    elif key == "mood" and words in MOOD_WORDS:
        raw = str(MOOD_WORDS[words])
    elif key in ("pain", "stress", "mood", "stool"):
        raw = _typed_number(words, tuple(int(c) for c in CHOICES[key]))
    else:
        raise BadAnswer(f"not a question answered by typing: {key[:20]!r}")
    parse_answer(key, raw)  # the same check a button's data gets
    return raw
