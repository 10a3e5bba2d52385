"""Turn a short free-text message ("walked 15 min", "had kefir") into a habit log, or refuse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

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
# Above SANE an amount is logged and questioned ("20 glasses? I logged 20 ..."); above ABSURD
# it cannot be true (a glass every waking half hour, 8 litres, 12 hours) and nothing is logged.
SANE_AMOUNT = {"glass": 12, "cup": 12, "ml": 3000, "min": 180}
ABSURD_AMOUNT = {"glass": 30, "cup": 30, "ml": 8000, "min": 12 * 60}
# Logs reach back a week; further back a person's memory (and the streak) is guesswork.
MAX_DAYS_BACK = 7
# A glass is the unit of the hydration target; millilitres count as glasses of this size.
GLASS_ML = 250
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Drinks that are not water. Hot drinks count toward water only if the person opted in.
HOT_DRINKS = frozenset(
    {"coffee", "coffees", "tea", "teas", "latte", "lattes", "espresso", "cappuccino", "herbal tea"}
)
OTHER_DRINKS = frozenset(
    {
        "wine",
        "beer",
        "beers",
        "soda",
        "sodas",
        "cola",
        "coke",
        "pepsi",
        "juice",
        "lemonade",
        "alcohol",
        "vodka",
        "whisky",
        "whiskey",
        "gin",
        "rum",
        "cocktail",
        "cocktails",
        "champagne",
        "prosecco",
        "cider",
        "milk",
        "milkshake",
        "smoothie",
        "energy drink",
        "energy drinks",
        "hot chocolate",
        "cocoa",
    }
)

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
    rf"(?<![\w.,])(-?\d{{1,9}}(?:[.,]\d{{1,2}})?)\s*-?\s*({_UNIT})(?![a-z])"
)
_WORD_AMOUNT = re.compile(rf"(?<![a-z])({'|'.join(WORD_NUMBERS)})\s+(?:-\s*)?({_UNIT})(?![a-z])")


class Refusal(StrEnum):
    """Why a message logged nothing."""

    NOT_UNDERSTOOD = "not_understood"
    TOO_LONG = "too_long"
    OTHER_DRINK = "other_drink"  # wine, beer, coffee...: not water
    NOT_DONE = "not_done"  # "didn't", "no water today"
    NOT_YET = "not_yet"  # "will walk later"
    QUESTION = "question"
    TOO_FAR_BACK = "too_far_back"  # "3 weeks ago"
    TOO_MUCH = "too_much"  # "500 glasses"


@dataclass(frozen=True)
class NotLogged:
    """A message that logs nothing, and why."""

    reason: Refusal
    habit: str | None = None
    detail: str = ""  # the drink ("wine") or the amount ("500 glasses")


@dataclass(frozen=True)
class QuickLog:
    """A habit completion read from a message."""

    habit: str
    amount: int | None
    unit: str | None
    label: str  # e.g. "2 glasses of water", "20 min walk", "kefir"
    days_back: int = 0  # 1 for "yesterday"; with a weekday, resolved by `log_day`
    weekday: int | None = None  # 0 = Monday, for "on Monday"
    strictly_before: bool = False  # "last Monday" said on a Monday means a week ago
    large: bool = False  # above the sane limit: logged, and said so


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


_DRINK_RE = re.compile(
    "|".join(
        rf"(?<![a-z]){re.escape(d)}(?![a-z])"
        for d in sorted(HOT_DRINKS | OTHER_DRINKS, key=len, reverse=True)
    )
)
_NUMBER = rf"(\d{{1,3}}|{'|'.join(WORD_NUMBERS)})"
# Past-day phrases, most specific first; each is cut out before amounts are read, so
# "walked 2 hours ago" is not a 2-hour walk.
_TOO_FAR = re.compile(
    rf"(?<![a-z])(?:{_NUMBER}\s+(?:weeks?|months?|years?)\s+ago|last\s+(?:week|month|year)"
    r"|a\s+(?:month|year)\s+ago)(?![a-z])"
)
_DAYS_AGO = re.compile(rf"(?<![a-z]){_NUMBER}\s+days?\s+ago(?![a-z])")
_WEEK_AGO = re.compile(r"(?<![a-z])(?:a|one)\s+week\s+ago(?![a-z])")
_HOURS_AGO = re.compile(
    rf"(?<![a-z])(?:{_NUMBER}|an?|a\s+few|few)\s+(?:hours?|hrs?|minutes?|mins?)\s+ago(?![a-z])"
)
_DAY_BEFORE = re.compile(r"(?<![a-z])(?:the\s+)?day\s+before\s+yesterday(?![a-z])")
_YESTERDAY = re.compile(
    r"(?<![a-z])(?:yesterday(?:\s+(?:morning|afternoon|evening|night))?|last\s+night)(?![a-z])"
)
_WEEKDAY = re.compile(rf"(?<![a-z])(?:(on|last)\s+)?({'|'.join(WEEKDAYS)})(?![a-z])")


def _normalize(text: str) -> str:
    """Lower-case and unify apostrophes and spaces."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    return " ".join(text.split())


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _is_question(text: str) -> bool:
    words = _words(text)
    return "?" in text or bool(words and words[0] in QUESTION_STARTS)


def _is_negation(text: str) -> bool:
    return any(w in NEGATIONS or w.endswith("n't") for w in _words(text))


def _is_intention(text: str) -> bool:
    return any(w in INTENT or w.endswith("'ll") for w in _words(text))


def _is_complaint(text: str) -> bool:
    return any(w in COMPLAINTS for w in _words(text))


@dataclass(frozen=True)
class _When:
    """The day a message talks about, before it is resolved against today."""

    days_back: int = 0
    weekday: int | None = None
    strictly_before: bool = False
    too_far: bool = False


def _number(raw: str) -> int:
    return WORD_NUMBERS[raw] if raw in WORD_NUMBERS else int(raw)


def _find_when(text: str) -> tuple[_When, str]:
    """Read the day a message is about; return it and the text without the phrase."""
    found: tuple[_When, re.Match[str]] | None = None
    if match := _WEEK_AGO.search(text):
        found = (_When(days_back=MAX_DAYS_BACK), match)
    elif _TOO_FAR.search(text):
        return _When(too_far=True), text
    elif match := _DAYS_AGO.search(text):
        days = _number(match.group(1))
        found = (_When(days_back=days, too_far=days > MAX_DAYS_BACK), match)
    elif match := _HOURS_AGO.search(text):
        found = (_When(), match)  # earlier today
    elif match := _DAY_BEFORE.search(text):
        found = (_When(days_back=2), match)
    elif match := _YESTERDAY.search(text):
        found = (_When(days_back=1), match)
    elif match := _WEEKDAY.search(text):
        weekday = WEEKDAYS.index(match.group(2))
        found = (_When(weekday=weekday, strictly_before=match.group(1) == "last"), match)
    if found is None:
        return _When(), text
    when, match = found
    return when, f"{text[: match.start()]} {text[match.end() :]}"


def completions(entry: QuickLog) -> int:
    """Return how many completions an entry is: each glass of water counts towards the target."""
    if entry.habit != "water" or entry.amount is None:
        return 1
    glasses = entry.amount if entry.unit in ("glass", "cup") else round(entry.amount / GLASS_ML)
    return max(glasses, 1)


def log_day(entry: QuickLog, today: date) -> date:
    """Return the local day a log belongs to ("on Monday" is the latest Monday up to today)."""
    if entry.weekday is None:
        return today - timedelta(days=entry.days_back)
    back = (today.weekday() - entry.weekday) % 7
    if back == 0 and entry.strictly_before:
        back = 7
    return today - timedelta(days=back)


def _find_keyword(text: str) -> _Keyword | None:
    """Return the first strong keyword in the text, else the first weak one."""
    found = [_KEYWORD_BY_GROUP[m.lastgroup] for m in _KEYWORD_RE.finditer(text) if m.lastgroup]
    strong = [k for k in found if k.strong]
    return next(iter(strong or found), None)


def _find_amount(text: str, habit: str) -> tuple[int, str] | None:
    """Return the first amount with a unit that fits the habit, converted to its canonical unit."""
    # A zero or negative amount is returned as it is: it says the habit was not done.
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
        return value, unit
    return None


# Units counted one by one, and their plurals.
PLURALS = {"glass": "glasses", "cup": "cups"}


def unit_words(amount: int | None, unit: str | None) -> str:
    """Name a unit for an amount: "glass", "glasses", "minutes", "ml" ("" for none)."""
    if unit is None:
        return ""
    if unit == "min":
        return "minutes"
    return unit if amount == 1 else PLURALS.get(unit, unit)


def _describe(amount: tuple[int, str]) -> str:
    """Say an amount the way a person would ("500 glasses", "9 hours")."""
    value, unit = amount
    if unit == "min":
        return f"{value} minutes" if value < 120 else f"{value / 60:g} hours"
    if unit == "ml":
        return f"{value} ml"
    return f"{value} {unit_words(value, unit)}"


def _label(keyword: _Keyword, amount: tuple[int, str] | None, drink: str | None) -> str:
    """Describe the log the way a person would say it."""
    what = drink or "water"
    if amount is None:
        return drink or keyword.label
    value, unit = amount
    if unit == "min":
        return f"{value} min {keyword.label}"
    if unit == "ml":
        return f"{value} ml of {what}"
    return f"{value} {unit_words(value, unit)} of {what}"


_WATER_ONLY = _Keyword("drink", "water", "water", strong=False)


def read_log(text: str, *, hot_drinks_count: bool = False) -> QuickLog | NotLogged:
    """Read a habit log from a short message, or say why it logs nothing."""
    if len(text) > MAX_LENGTH:
        return NotLogged(Refusal.TOO_LONG)
    normalized = _normalize(text)
    if not normalized:
        return NotLogged(Refusal.NOT_UNDERSTOOD)
    when, rest = _find_when(normalized)
    keyword = _find_keyword(rest)
    habit = keyword.habit if keyword else None
    if _is_question(normalized):
        return NotLogged(Refusal.QUESTION, habit)
    if _is_negation(normalized):
        return NotLogged(Refusal.NOT_DONE, habit)
    if _is_intention(normalized):
        return NotLogged(Refusal.NOT_YET, habit)
    drink_match = _DRINK_RE.search(rest)
    drink = drink_match.group(0) if drink_match else None
    counts_as_water = drink in HOT_DRINKS and hot_drinks_count
    if drink is not None and (keyword is None or not keyword.strong):
        # "3 glasses of wine": the drinking words were about another drink, not water.
        if not counts_as_water:
            return NotLogged(Refusal.OTHER_DRINK, "water", drink)
        keyword = _WATER_ONLY
    else:
        drink = None
    if keyword is None or _is_complaint(normalized):
        return NotLogged(Refusal.NOT_UNDERSTOOD, habit)
    if when.too_far:
        return NotLogged(Refusal.TOO_FAR_BACK, keyword.habit)
    amount = _find_amount(rest, keyword.habit)
    if amount is not None and amount[0] <= 0:
        return NotLogged(Refusal.NOT_DONE, keyword.habit)  # "drank 0 glasses"
    if amount is not None and amount[0] > ABSURD_AMOUNT[amount[1]]:
        return NotLogged(Refusal.TOO_MUCH, keyword.habit, _describe(amount))
    return QuickLog(
        habit=keyword.habit,
        amount=amount[0] if amount else None,
        unit=amount[1] if amount else None,
        label=_label(keyword, amount, drink),
        days_back=when.days_back,
        weekday=when.weekday,
        strictly_before=when.strictly_before,
        large=amount is not None and amount[0] > SANE_AMOUNT[amount[1]],
    )


def parse_log(text: str, *, hot_drinks_count: bool = False) -> QuickLog | None:
    """Read a habit log from a short message, or None if it is not clearly a done habit."""
    entry = read_log(text, hot_drinks_count=hot_drinks_count)
    return entry if isinstance(entry, QuickLog) else None
