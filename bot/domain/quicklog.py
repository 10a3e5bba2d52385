"""Turn a short free-text message ("walked 15 min", "had kefir") into a habit log, or refuse."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 200

WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# Spelled unit -> (canonical unit, factor to the canonical unit).
UNITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("glass", "glasses"), ("glass", 1)),
    **dict.fromkeys(("cup", "cups"), ("cup", 1)),
    **dict.fromkeys(("ml", "millilitre", "millilitres", "milliliter", "milliliters"), ("ml", 1)),
    **dict.fromkeys(("l", "litre", "litres", "liter", "liters"), ("ml", 1000)),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), ("min", 1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), ("min", 60)),
}
UNITS_FOR_HABIT = {"water": {"glass", "cup", "ml"}, "move": {"min"}, "breathe": {"min"}}
# Beyond these an amount is a typo or a joke; the habit is still logged, without the amount.
MAX_AMOUNT = {"glass": 30, "cup": 30, "ml": 10_000, "min": 24 * 60}

NEGATIONS = frozenset(
    {
        "not",
        "no",
        "nope",
        "didn't",
        "didnt",
        "don't",
        "dont",
        "never",
        "haven't",
        "havent",
        "won't",
        "wont",
        "can't",
        "cant",
        "cannot",
        "nothing",
        "hasn't",
        "hasnt",
        "wasn't",
        "wasnt",
        "isn't",
        "isnt",
        "couldn't",
        "couldnt",
        "skip",
        "skipped",
    }
)
INTENT = frozenset(
    {
        "will",
        "later",
        "tomorrow",
        "tonight",
        "soon",
        "want",
        "wants",
        "wanna",
        "going",
        "gonna",
        "should",
        "plan",
        "plans",
        "planning",
        "need",
        "needs",
        "try",
        "trying",
        "would",
        "could",
        "might",
        "maybe",
    }
)
# Words that make a mention a complaint about the habit rather than a report of doing it.
COMPLAINTS = frozenset(
    {
        "hate",
        "hates",
        "hated",
        "dislike",
        "hurts",
        "hurt",
        "hurting",
        "painful",
        "ouch",
    }
)
QUESTION_STARTS = frozenset(
    {
        "what",
        "why",
        "how",
        "should",
        "can",
        "is",
        "are",
        "do",
        "does",
        "could",
        "would",
        "when",
        "where",
        "which",
        "who",
    }
)

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))
# A leading minus is kept ("-3 glasses" is not three glasses); "7-8 glasses" still reads as 8.
_DIGIT_AMOUNT = re.compile(
    rf"(?<![\w.,])(-?\d{{1,5}}(?:[.,]\d{{1,2}})?)\s*-?\s*({_UNIT})(?![a-z])"
)
_WORD_AMOUNT = re.compile(rf"(?<![a-z])({'|'.join(WORD_NUMBERS)})\s+(?:-\s*)?({_UNIT})(?![a-z])")


@dataclass(frozen=True)
class QuickLog:
    """A habit completion read from a message."""

    habit: str
    amount: int | None
    unit: str | None
    label: str  # e.g. "2 glasses of water", "20 min walk", "kefir"


@dataclass(frozen=True)
class _Keyword:
    """A word or phrase that names a habit."""

    pattern: str
    habit: str
    label: str
    strong: bool = True  # weak words (drank, glass) count only when nothing stronger is named


def _kw(words: str, habit: str, label: str | None = None, strong: bool = True) -> list[_Keyword]:
    """Build keywords from "|"-separated phrases; each labels itself unless a label is given."""
    return [_Keyword(w, habit, label or w, strong) for w in words.split("|")]


KEYWORDS: tuple[_Keyword, ...] = (
    # water
    *_kw("water", "water"),
    *_kw("hydrated|hydrating", "water", "water"),
    *_kw("💧|🥤", "water", "water"),
    *_kw("drank|drink|drinking|glass|glasses|cup|cups", "water", "water", strong=False),
    # move
    *_kw("went for a walk|walk|walks|walked|walking|🚶|🏃", "move", "walk"),
    *_kw("stretch|stretches|stretched|stretching", "move", "stretch"),
    *_kw("yoga", "move"),
    *_kw("stood up|move|moved|moving|movement", "move", "movement break"),
    *_kw("exercise|exercises|exercised|workout", "move", "exercise"),
    *_kw("core", "move", "core exercise"),
    *_kw("plank|planks", "move", "plank"),
    *_kw("bridge|bridges", "move", "bridge"),
    # breathe
    *_kw("box breathing", "breathe"),
    *_kw("breath|breaths|breathe|breathed|breathing", "breathe", "breathing"),
    *_kw("meditate|meditated|meditating|meditation|🧘", "breathe", "meditation"),
    *_kw("relaxed|relaxation", "breathe", "relaxation"),
    # food: probiotic
    *_kw("yogurt|yoghurt|yogurts|yoghurts", "food", "yogurt"),
    *_kw("kefir|sauerkraut|kimchi|miso|tempeh|kombucha|fermented", "food"),
    *_kw("pickle|pickles", "food", "pickles"),
    # food: anti-inflammatory
    *_kw("fatty fish|salmon|sardines|mackerel|fish|walnuts|almonds|nuts", "food"),
    *_kw("leafy greens|greens|spinach|kale|berries|blueberries|olive oil", "food"),
    *_kw("oats|oatmeal|porridge|beans|lentils|fibre|fiber|🥗", "food"),
)

_KEYWORD_RE = re.compile(
    "|".join(
        f"(?P<k{i}>{re.escape(k.pattern)})"
        if not k.pattern.isascii()
        else f"(?<![a-z])(?P<k{i}>{re.escape(k.pattern)})(?![a-z])"
        for i, k in enumerate(sorted(KEYWORDS, key=lambda k: len(k.pattern), reverse=True))
    )
)
_KEYWORD_BY_GROUP = {
    f"k{i}": k for i, k in enumerate(sorted(KEYWORDS, key=lambda k: len(k.pattern), reverse=True))
}


def _normalize(text: str) -> str:
    """Lower-case and unify apostrophes and spaces."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    return " ".join(text.split())


def _blocked(text: str) -> bool:
    """Tell whether the message is a question, a negation, an intention or a complaint."""
    if "?" in text:
        return True
    words = _WORD.findall(text)
    if words and words[0] in QUESTION_STARTS:
        return True
    for word in words:
        if word in NEGATIONS or word in INTENT or word in COMPLAINTS:
            return True
        if word.endswith(("n't", "'ll")):
            return True
    return False


def _find_keyword(text: str) -> _Keyword | None:
    """Return the first strong keyword in the text, else the first weak one."""
    found = [_KEYWORD_BY_GROUP[m.lastgroup] for m in _KEYWORD_RE.finditer(text) if m.lastgroup]
    strong = [k for k in found if k.strong]
    return next(iter(strong or found), None)


def _find_amount(text: str, habit: str) -> tuple[int, str] | None:
    """Return the first amount with a unit that fits the habit, converted to its canonical unit.

    A zero or negative amount is returned as it is: it says the habit was not done.
    """
    allowed = UNITS_FOR_HABIT.get(habit, set())
    matches = sorted(
        [*_DIGIT_AMOUNT.finditer(text), *_WORD_AMOUNT.finditer(text)], key=lambda m: m.start()
    )
    for match in matches:
        raw, spelled = match.group(1), match.group(2)
        unit, factor = UNITS[spelled]
        if unit not in allowed:
            continue
        number = WORD_NUMBERS.get(raw)
        value = round(float(raw.replace(",", ".")) * factor) if number is None else number * factor
        if value <= MAX_AMOUNT[unit]:
            return value, unit
    return None


def _label(keyword: _Keyword, amount: tuple[int, str] | None) -> str:
    """Describe the log the way a person would say it."""
    if amount is None:
        return keyword.label
    value, unit = amount
    if unit == "min":
        return f"{value} min {keyword.label}"
    if unit == "ml":
        return f"{value} ml of water"
    plural = {"glass": "glasses", "cup": "cups"}[unit] if value != 1 else unit
    return f"{value} {plural} of water"


def parse_log(text: str) -> QuickLog | None:
    """Read a habit log from a short message, or None if it is not clearly a done habit."""
    if not text or len(text) > MAX_LENGTH:
        return None
    normalized = _normalize(text)
    if not normalized or _blocked(normalized):
        return None
    keyword = _find_keyword(normalized)
    if keyword is None:
        return None
    amount = _find_amount(normalized, keyword.habit)
    if amount is not None and amount[0] <= 0:
        return None  # "drank 0 glasses", "-3 glasses": nothing to log
    return QuickLog(
        habit=keyword.habit,
        amount=amount[0] if amount else None,
        unit=amount[1] if amount else None,
        label=_label(keyword, amount),
    )
