"""Words of quick logging: confirmations, Undo, and why a message logged nothing."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.domain.quicklog import HOT_DRINKS, NotLogged, Refusal
from bot.telegram.texts import LOG_HINT, short_day

BUTTON_UNDO = "↩️ Undo"
BUTTON_HOT_ON = "☕ Count tea & coffee as water"
BUTTON_HOT_OFF = "☕ Stop counting tea & coffee"
UNDO_GONE = "That entry was already undone, so nothing changed."
UNDO_TOO_LATE = "That entry is more than a day old, so it stays. Nothing changed."
HOT_ON = (
    "☕ Done: tea and coffee now count toward water. Send it again and I'll log it. "
    "(You can switch this off under any tea you log.)"
)
HOT_OFF = "☕ Okay: tea and coffee no longer count toward water. Earlier logs stay as they are."


def _t(value: str) -> str:
    return escape(value, quote=False)


def day_words(day: date | None, today: date | None) -> str:
    """Name a log's day: "today", "yesterday (Mon 30 Nov)" or "on Sat 28 Nov"."""
    if day is None or today is None or day == today:
        return "today"
    if (today - day).days == 1:
        return f"yesterday ({short_day(day)})"
    return f"on {short_day(day)}"


def _count(done: int, target: int, day: date | None, today: date | None) -> str:
    when = "today" if day is None or day == today else "that day"
    return f"{done}/{target} {when}."


def logged(
    label: str,
    what: str,
    done: int,
    target: int,
    *,
    day: date | None = None,
    today: date | None = None,
    large: tuple[int, str] | None = None,
) -> str:
    """Confirm a quick log: what, which day, the day's count; question a large amount."""
    line = f"✅ {_t(label)}: {_t(what)} logged"
    if day is not None and day != today:
        line += f" for {day_words(day, today).removeprefix('on ')}"
    line += f". {_count(done, target, day, today)}"
    if done == target:
        line += " Goal reached! 🎉"
    if large:
        amount, unit = large
        line += f"\n{amount} {_t(unit)}? I logged {amount} — tap Undo if that was a typo."
    return line


def undone(
    label: str, what: str, done: int, target: int, day: date | None, today: date | None
) -> str:
    """Say exactly which entry Undo removed and where the day stands now."""
    return (
        f"↩️ Undone: {_t(what)} ({_t(label)}, {day_words(day, today)}) removed. "
        f"{_count(done, target, day, today)}"
    )


def _habit_words(habit: str | None) -> str:
    names = {"water": "water", "move": "movement", "food": "food", "breathe": "breathing"}
    return f" for {names[habit]}" if habit in names else ""


def not_logged(refusal: NotLogged) -> str:
    """Say in one short answer why nothing was logged."""
    match refusal.reason:
        case Refusal.OTHER_DRINK:
            drink = _t(refusal.detail.capitalize())
            extra = (
                " If you'd like tea and coffee to count toward water, tap below."
                if refusal.detail in HOT_DRINKS
                else ""
            )
            return f"{drink} isn't water, so I logged nothing for 💧 Hydration.{extra}"
        case Refusal.NOT_DONE:
            return (
                f"Okay, I logged nothing{_habit_words(refusal.habit)}. No pressure — tell me "
                "when you've done it."
            )
        case Refusal.NOT_YET:
            return (
                "Sounds like a plan! I log things once they're done, so I logged nothing yet — "
                "tell me afterwards."
            )
        case Refusal.QUESTION:
            return (
                "That reads like a question, so I logged nothing. I log what you did, e.g. "
                "<i>walked 20 min</i>; /help lists what I can do."
            )
        case Refusal.TOO_FAR_BACK:
            return (
                "That's more than a week back, so I logged nothing. I can log up to 7 days "
                "back, e.g. <i>had kefir yesterday</i> or <i>walked on Monday</i>."
            )
        case Refusal.TOO_MUCH:
            return (
                f"{_t(refusal.detail)}? That can't be right, so I logged nothing. Write it "
                "again with the real amount."
            )
        case Refusal.TOO_LONG:
            return (
                "That's a long message, so I logged nothing. A few words do, e.g. "
                "<i>walked 20 min</i>."
            )
    return LOG_HINT
