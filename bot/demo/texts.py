"""What the demo itself says in the terminal; the bot's own words are in bot/telegram/texts.py."""

from __future__ import annotations

PROMPT = "you> "
PERSON = "Alex"
GROUP_TITLE = "Back-care crew"
MEMBERS = ("Sam", "Lee")

KEYS = """\
  text, /commands   say it to the bot, as in Telegram (try /start, then /help)
  1, 2, ...         press the numbered button of the latest message with buttons
  #6 2              press button 2 of message #6 (an older message's buttons)
  '7                send "7" as a message instead of pressing button 7
  /clock            show the bot's simulated time
  /wait 90m         let simulated time pass (also /wait 2h)
  /send sticker     send a sticker (or photo, voice, video, audio, document, contact)
  /demo             show these keys again
  /quit             leave (Ctrl-D or Ctrl-C work too)"""

GROUP_KEYS = """\
  g <text or n>     say it (or press button n) in the group "{title}"
  sam: <text or n>  the same as Sam; lee: ... as Lee"""


SEND_KINDS = ("sticker", "photo", "voice", "video", "audio", "document", "contact")
SEND_HOW = "(demo) Send what? /send " + ", /send ".join(SEND_KINDS) + "."


def sent(kind: str) -> str:
    """Confirm what the demo person sent instead of words."""
    return f"(demo) sent a made-up {kind}"


def intro(speed: float, zone: str, start: str, group: bool) -> str:
    """Explain the demo before the chat starts."""
    lines = [
        "nudgebot demo: the real bot and a simulated Telegram on this computer, no token needed.",
        f'You are "{PERSON}" in a private chat with the bot. Keys:',
        KEYS,
    ]
    if group:
        lines.append(GROUP_KEYS.format(title=GROUP_TITLE))
    lines.append(
        f"The bot's clock starts at {start} ({zone}) and runs {speed_text(speed)}, "
        "so scheduled nudges arrive on their own."
    )
    return "\n".join(lines)


def header(speed: float, zone: str, start: str) -> str:
    """Say in one line what the piped demo runs with."""
    return (
        f"nudgebot demo: you are {PERSON}; the bot's clock starts at {start} ({zone}) "
        f"and runs {speed_text(speed)}."
    )


def speed_text(speed: float) -> str:
    """Describe the clock speed."""
    return "at real speed" if speed == 1 else f"{speed:g}× faster than real time"


def clock(now: str, zone: str, speed: float) -> str:
    """Answer /clock."""
    return f"(demo) The bot's clock says {now} ({zone}); it runs {speed_text(speed)}."


WAIT_HOW = "(demo) Say how long, in simulated time: /wait 30m or /wait 2h."


def waiting(minutes: int, seconds: float) -> str:
    """Say how long a /wait takes in real time."""
    return f"(demo) waiting {minutes} simulated min ({seconds:.0f} s real)…"


def wait_too_long(real_minutes: float, limit_minutes: float) -> str:
    """Refuse a /wait that would take too long at this speed."""
    return (
        f"(demo) That would take {real_minutes:.0f} real minutes at this speed; the most is "
        f"{limit_minutes:.0f}. Start the demo with a higher --speed."
    )


EMPTY_LINE = "(demo) Type a message or a button number; /demo lists the keys, /quit leaves."
NOTHING_AFTER_PREFIX = "(demo) Say what? Put the text or a button number after the prefix."
TOO_LONG = "(demo) Telegram allows 4096 characters per message, so only the first 4096 were sent."


def no_such_button(number: int, count: int) -> str:
    """Answer a button number that is not on screen."""
    if count == 0:
        return "(demo) There are no buttons to press here."
    if count == 1:
        return f"(demo) No button {number} here — the only button is 1."
    return f"(demo) No button {number} here — the buttons are 1–{count}."


def pressed(label: str) -> str:
    """Say which button a number pressed."""
    return f"(demo) pressed “{label}”"


def opens_link(label: str, url: str) -> str:
    """Explain a link button, which the demo cannot open."""
    return f"(demo) “{label}” opens a link in Telegram: {url}"


def no_such_message(message_id: int) -> str:
    """Answer "#N k" for a message that has no buttons."""
    return f"(demo) Message #{message_id} has no buttons to press."


UNSUPPORTED_BUTTON = "(demo) The demo can't press that kind of button."
BUTTON_GONE = "(demo) That button's message is gone; its buttons no longer work."


def shared_location(city: str, latitude: float, longitude: float) -> str:
    """Say which made-up location the demo shared."""
    return f"(demo) shared a made-up location: {city} ({latitude:.2f}, {longitude:.2f})"


def saved_file(kind: str, path: str) -> str:
    """Say where a photo or document from the bot was saved."""
    return f"📎 {kind} saved to {path}"


def bot_error(message: str, log_path: str) -> str:
    """Mention an error the bot logged, without a traceback."""
    return f"(demo) the bot logged an error: {message} (full log: {log_path})"


BYE = "Bye! The demo's data was removed."
INTERRUPTED = "Interrupted."


def kept(path: str) -> str:
    """Say where the kept data is."""
    return f"Bye! The demo's data is kept in {path} (demo.db, demo.log, files/)."


def bad_option(message: str) -> str:
    """Explain a bad command-line option."""
    return f"nudgebot demo: {message}"
