"""Every sentence people read that is not a nudge or a tip (those live in domain/content)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from bot.domain.nudging import BUDGETS, DEFAULT_BUDGET, MIN_GAP
from bot.domain.safety import TIER_OF, Tier

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
NOT_IN_GROUP = "Let's talk about that in private: open a chat with me and send /start."
NOT_ADMIN = "Sorry, that command is for the bot's admins."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
STALE_BUTTON = "That button is from an older message and no longer works."
NOT_YOURS = "That button belongs to someone else's message."
# A sticker, photo, voice note or file in a private chat, by the kind of thing it is.
CANNOT_READ = {
    "sticker": "I can't read stickers yet",
    "photo": "I can't look at photos yet",
    "animation": "I can't watch GIFs yet",
    "video": "I can't watch videos yet",
    "video_note": "I can't watch video messages yet",
    "voice": "I can't listen to voice notes yet",
    "audio": "I can't listen to audio yet",
    "document": "I can't open files yet",
    "contact": "I can't use contacts",
    "poll": "I can't answer polls",
}
CANNOT_READ_OTHER = "I can't read that kind of message"


def cannot_read(kind: str, *, answering: bool) -> str:
    """One line on what the bot understands, for a message it cannot read."""
    head = CANNOT_READ.get(kind, CANNOT_READ_OTHER)
    if answering:
        return f"{head} — please answer with words or the buttons."
    return f"{head} — tell me in words, like “had kefir”, or try /help."


HELP = (
    "<b>What I can do</b>\n"
    "/start – set up (or see where you are)\n"
    "/checkin – your one-minute daily check-in\n"
    "/log – log a habit (or just write “drank a glass of water”)\n"
    "/today – what you did today\n"
    "/progress – streaks, trends and what seems to help (/progress 90 for longer)\n"
    "/tip – a tip for your habits\n"
    "/breathe – a guided breathing exercise\n"
    "/settings – time zone, your day, sitting hours, habits and times\n"
    "/pause – pause nudges (e.g. /pause 3d); /resume – turn them back on\n"
    "/privacy – what I store and why\n"
    "/export – download your data; /delete – erase it all\n"
    "/help – this list\n\n"
    "<b>Habit strength</b> (in /progress) grows with each day you reach a habit's goal and "
    "fades slowly on missed days: building → steady → strong.\n\n"
    "In a group: /challenge – start a group challenge (admins), /join – take part, "
    "/standings – who stands where, /stopchallenge – end it (admins), /tip – a tip for "
    "everyone; the rest happens in private."
)


# --- Admin: broadcasts and stats -------------------------------------------------------------

BROADCAST_USAGE = (
    "Write the message after the command, e.g.\n"
    "<code>/broadcast Tip of the week: stand up and stretch every hour.</code>"
)
BROADCAST_SENT_ALREADY = "That broadcast was already sent or discarded."
BROADCAST_DROPPED = "Discarded. Nothing was sent."
BUTTON_SEND = "Send to everyone"
BUTTON_DISCARD = "Discard"


def broadcast_too_long(length: int, limit: int) -> str:
    """Refuse a broadcast over Telegram's limit, stating it."""
    return f"That is {length} characters; one message holds at most {limit}. Please shorten it."


def broadcast_preview(text: str, audience: int) -> str:
    """Show an admin what would be sent, and to how many."""
    people = "person" if audience == 1 else "people"
    return f"<b>Preview</b> – this goes to {audience} {people}:\n\n{escape(text)}"


def broadcast_queued(count: int) -> str:
    """Confirm a queued broadcast."""
    people = "person" if count == 1 else "people"
    return (
        f"Queued for {count} {people}. It goes out within Telegram's limits; "
        "/stats shows the progress."
    )


def admin_stats(
    people: int,
    reachable: int,
    inactive: int,
    outbox: dict[str, int],
    week: dict[str, int],
    latest: tuple[int, int, dict[str, int]] | None,
) -> str:
    """Render the admin overview."""
    lines = [
        "<b>nudgebot</b>",
        f"People: {people} ({reachable} reachable, {inactive} blocked the bot)",
        "Waiting to go out: "
        + (", ".join(f"{k} {v}" for k, v in sorted(outbox.items()) if v) or "nothing"),
        "Last 7 days: "
        + (", ".join(f"{k} {v}" for k, v in sorted(week.items()) if v) or "nothing yet"),
    ]
    if latest is not None:
        broadcast_id, recipients, by_status = latest
        done = by_status.get("sent", 0)
        lines.append(
            f"Last broadcast #{broadcast_id}: {done} of {recipients} sent"
            + "".join(f", {n} {s}" for s, n in sorted(by_status.items()) if s != "sent" and n)
        )
    return "\n".join(lines)


# --- Nudges: the scheduled messages, their buttons and the answers to them ---------------------

NUDGE_DONE = "✅ Done"
NUDGE_SNOOZE_15 = "⏰ 15 min"
NUDGE_SNOOZE_60 = "⏰ 1 h"
NUDGE_SKIP_TODAY = "Skip today"
NUDGE_BREATHE = "🌬️ Breathe with me"
NUDGE_START_CHECKIN = "📝 Start check-in"
NUDGE_LESS = "Yes, less often"
NUDGE_KEEP = "No, keep it"
NUDGE_KEEP_RHYTHM = "Keep the old rhythm"
ALREADY_ANSWERED = "You already answered this one."
NUDGE_PASSED = "That reminder has passed, no worries. You can log it in words, like “had water”."
LESS_KEPT = "Got it, I'll keep nudging as before. 💪"
LESS_AT_MINIMUM = (
    "That's already as seldom as this nudge gets. You can turn it off in your settings."
)


def nudge(label: str, text: str) -> str:
    """Render a nudge: the habit's label and a (content, markup-free) text."""
    return f"<b>{escape(label)}</b>\n{escape(text)}"


def nudge_standing(done: int, goal: int | None, after_miss: bool) -> str:
    """Say where the person stands today in one line (empty for the day's first nudge)."""
    if goal is not None and goal - done == 1 and goal > 1:
        return "One more and today's goal is met."
    if goal is not None and 0 < done < goal:
        return f"{done} of {goal} so far today."
    if after_miss:
        return "The last one slipped by — no worries, this is a fresh chance."
    return ""


def ask_less(label: str) -> str:
    """Ask once, after three unanswered nudges, whether to nudge less often."""
    return (
        f"I've sent a few <b>{escape(label)}</b> nudges that went unanswered. "
        "Would you like me to nudge you less often?"
    )


def done_ack(label: str, done: int, target: int, streak: int) -> str:
    """Acknowledge a Done press with today's count and the streak."""
    line = f"✅ <b>{escape(label)}</b> – logged. {done}/{target} today."
    if streak >= 2:
        line += f" 🔥 {streak}-day streak!"
    elif done >= target:
        line += " Today's goal reached!"
    return line


def snoozed(label: str, until: str) -> str:
    """Confirm a snooze; `until` is the local time "HH:MM"."""
    return f"⏰ <b>{escape(label)}</b> – snoozed. I'll remind you again at {until}."


def skipped_today(label: str) -> str:
    """Confirm that a habit is skipped for the rest of the day."""
    return f"<b>{escape(label)}</b> – skipped for today. No more nudges for it until tomorrow."


def nudge_passed(emoji: str, at: datetime) -> str:
    """Shorten a passed nudge to one quiet line: "💧 Missed 10:05 — no worries"."""
    return f"{emoji} Missed {at:%H:%M} — no worries"


def backing_off(label: str) -> str:
    """Say once, in one line, that unanswered nudges of a habit will come less often."""
    return (
        f"The last few <b>{escape(label)}</b> nudges went unanswered, so I'll send them less "
        "often. Answering one brings them back step by step."
    )


def less_applied(label: str, rule: str) -> str:
    """Confirm the new, sparser schedule, e.g. "every 4 h 07:00–23:00"."""
    return f"Done: <b>{escape(label)}</b> nudges are now {escape(rule)}."


# --- Onboarding, settings, privacy, tips and breathing ---------------------------------------

PRIVACY = (
    "<b>Your data</b>\n"
    "Before you agree I keep only your Telegram id and first name, so I can answer you.\n\n"
    "After you agree I store:\n"
    "• your time zone, waking and sitting hours and habit schedules;\n"
    "• the habits you log and your daily check-ins (pain, stress, mood, sleep, gut);\n"
    "• which nudges and tips I sent, so I don't repeat myself.\n\n"
    "I use them only to nudge you and show your progress; nothing is shared or sold.\n"
    "/export sends you everything I keep about you; /delete erases it all."
)
NOT_MEDICAL = (
    "I'm not a doctor and this is not medical advice. Pain that persists or gets worse, or "
    "comes with numbness, weakness, fever or trouble with bladder or bowels, deserves a "
    "healthcare provider."
)
BUTTON_AGREE = "✅ I agree"
BUTTON_PRIVACY = "📄 What do you store?"
BUTTON_SHARE_LOCATION = "📍 Share my location"
BUTTON_SEND_LOCATION = "📍 Send my location"
BUTTON_DONE = "Done ✓"
BUTTON_BACK = "‹ Back"
BUTTON_CLOSE = "Close"
USE_BUTTONS = "Please tap one of the buttons above (or send /start to see them again)."
ONB_STALE = "That step is already answered."
ONB_FINISHED = "You're all set already. /settings changes anything."
NEED_START = "Let's set you up first: send /start."
LOCATION_ASK = "Tap the button below to share your location. Only the time zone is kept."
LOCATION_UNKNOWN = "I couldn't find a time zone for that spot. Please type your city, e.g. Berlin."
LOCATION_UNEXPECTED = "Thanks! I only use a location to set your time zone: /settings."


def _name(first_name: str) -> str:
    return escape(first_name[:64]) or "there"


def onboarding_welcome(first_name: str) -> str:
    """Greet a new person and ask for consent."""
    return (
        f"Hi {_name(first_name)}! I'm nudgebot 👋\n\n"
        "Tight muscles, an unsettled gut and low-grade inflammation tend to feed each other, "
        "and so do stress and lower back pain. Small daily habits help break the loop: "
        "drinking water, getting up from the chair, gut-friendly food and slow breathing. "
        "I'll nudge you at good moments of your day and ask a one-minute check-in.\n\n"
        f"<i>{NOT_MEDICAL}</i>\n\n"
        "To keep your check-ins and logs I need your OK. /privacy says what I store and how "
        "to export or delete it."
    )


def step_header(number: int, total: int) -> str:
    """Label a setup step."""
    return f"<b>Setup {number}/{total}</b>\n"


ZONE_QUESTION = (
    "Which time zone are you in? Tap a city near you, share your location, or type a city "
    "or zone (e.g. <i>Berlin</i>, <i>New York</i>, <i>Europe/Berlin</i>)."
)
WAKE_QUESTION = (
    "When do you usually wake up? Tap a time or type one (e.g. <i>7am</i>, <i>06:30</i>)."
)


def zone_set(zone: str) -> str:
    """Confirm a time zone."""
    return f"🌍 Time zone: <b>{escape(zone)}</b> ✓"


def sleep_question(wake: str) -> str:
    """Ask when the day ends."""
    return (
        f"You wake at {wake}. When do you usually go to sleep? I stay quiet from then until "
        "you wake. Tap or type (e.g. <i>23:30</i>, <i>11pm</i>; after midnight is fine)."
    )


def bad_day(minutes: int) -> str:
    """Refuse an implausible waking day."""
    if minutes == 0:
        return "Waking and sleeping at the same time doesn't leave a day. When do you sleep?"
    hours = minutes / 60
    return (
        f"That would make your day {hours:.1f} hours long. I need 6 to 20 waking hours: when "
        "do you usually go to sleep? (A night shift like 20:00 to 12:00 is fine.)"
    )


def sit_question(awake: str) -> str:
    """Ask for the sitting hours."""
    return (
        f"Your day: {awake}. Which hours do you usually sit (work or study)? Movement breaks "
        "go there. Tap or type a range (e.g. <i>9-17</i>, <i>22:00-06:00</i>)."
    )


def not_in_day(awake: str) -> str:
    """Refuse sitting hours outside the waking day."""
    return f"Those hours are not inside your day ({awake}). Which hours do you sit?"


def habit_line(label: str, schedule: str, enabled: bool) -> str:
    """One habit with its schedule."""
    mark = "✅" if enabled else "⬜"
    return f"{mark} {escape(label)}: {escape(schedule) if enabled else 'off'}"


def habits_question(lines: list[str]) -> str:
    """Propose the habits."""
    return (
        "Here are your habits with a schedule that fits your day. Tap one to switch it off or "
        "on, then Done. You can change each schedule later in /settings.\n\n" + "\n".join(lines)
    )


def onboarding_done(first_name: str, lines: list[str]) -> str:
    """Close onboarding with what happens next."""
    return (
        f"All set, {_name(first_name)}! 🎉\n\n"
        + "\n".join(lines)
        + f"\n\nThat's a menu, not a to-do list: I send at most {BUDGETS[DEFAULT_BUDGET]} "
        f"messages a day, at least {MIN_GAP.seconds // 60} minutes apart — your check-in "
        "first, then whatever you're furthest behind on — and none once a habit's goal is "
        "met. I'll stay quiet outside your waking hours. Try /tip or /breathe now; /settings "
        "changes anything, /pause takes a break, /help lists everything."
    )


def welcome_back(first_name: str) -> str:
    """Greet someone who finished onboarding."""
    return (
        f"Welcome back, {_name(first_name)}! You're set up. /settings changes your day and "
        "habits, /help lists everything."
    )


# Settings
SETTINGS_TITLE = "<b>Settings</b> – tap what you want to change."
SETTINGS_CLOSED = "Settings saved ✓"
SETTINGS_ALREADY = "That's already set."
SETTINGS_SAVED = "Saved ✓"
DAY_QUESTION = (
    "When does your day start and end? Tap one or type a range (e.g. <i>7-23</i>, "
    "<i>6:30am to 10:30pm</i>, a night shift like <i>20:00-12:00</i>)."
)
SIT_QUESTION = "Which hours do you usually sit? Tap one or type a range (e.g. <i>9-17</i>)."
TIMES_FORMAT = "That doesn't look like times. Try 12:30, 18:30 (up to 6 times)."
INTERVAL_FORMAT = "Please send a spacing between 15 minutes and 6 hours, e.g. 90m or 2h."
PAUSE_MENU = "Pause all nudges for how long?"
RESUMED = "Welcome back! Your nudges are on again ▶️"
NOT_PAUSED = "You're not paused. /pause 3d takes a break for three days."


BUDGET_QUESTION = (
    "How many messages a day may I start? Your check-in comes first, then the habits you're "
    "furthest behind on, spread across your day. Replies to you never count."
)
_BUDGET_NAMES = {"light": "Light", "normal": "Normal", "more": "More"}


def budget_label(key: str, per_day: int) -> str:
    """Name a daily message budget, e.g. "Normal: up to 7 a day"."""
    return f"{_BUDGET_NAMES.get(key, key)}: up to {per_day} a day"


def settings_menu(
    zone: str, day: str, sit: str, lines: list[str], pause: str | None, budget: str
) -> str:
    """Render the settings overview."""
    text = (
        f"{SETTINGS_TITLE}\n\n🌍 Time zone: {escape(zone)}\n☀️ Day: {day}\n🪑 Sitting: {sit}\n"
        f"📬 Messages: {escape(budget)}\n\n" + "\n".join(lines)
    )
    return text + (f"\n\n⏸ {pause}" if pause else "")


BUTTON_PIN_TIME = "📌 Back to my time"


def learned_hint(own_times: str) -> str:
    """Explain a nudge time moved toward when the person usually does the habit."""
    return (
        f"I moved this toward when you usually do it (your own time was {escape(own_times)}). "
        "It moves at most an hour a week, only within your day."
    )


def habit_settings(label: str, schedule: str, enabled: bool, hint: str) -> str:
    """Show one habit's settings."""
    state = escape(schedule) if enabled else "off"
    return f"<b>{escape(label)}</b>\nNow: {state}\n\n{hint}"


BUTTON_GOAL_FROM_SCHEDULE = "🗓 Follow my schedule"


def goal_hint(goal: int, own: bool) -> str:
    """Say a habit's daily goal and where it comes from."""
    source = "your own number" if own else "follows your times"
    return f"🎯 Goal: {goal} a day ({source})."


def goal_question(label: str) -> str:
    """Ask for a habit's daily goal."""
    return (
        f"<b>{escape(label)}</b>\nHow many a day is a good day for you? Or let the goal follow "
        "your nudge times (one per fixed time)."
    )


def stool_setting(on: bool) -> str:
    """Say whether the check-in asks the optional stool question."""
    state = "on" if on else "off"
    return (
        f"\nStool question: <b>{state}</b> — an optional extra check-in question about your poo "
        "(seven plain descriptions, from hard lumps to watery)."
    )


def stool_toggle(on: bool) -> str:
    """Label the button that turns the stool question on or off."""
    return "Turn the stool question off" if on else "Turn the stool question on"


def times_question(label: str) -> str:
    """Ask for clock times of a habit."""
    return (
        f"When should I nudge {escape(label)}? Type one or more times, e.g. <i>12:30, 18:30</i>."
    )


def interval_question(label: str) -> str:
    """Ask for the spacing of an interval habit."""
    return f"How often should I nudge {escape(label)}? Tap one or type e.g. <i>90m</i>."


def days_question(label: str) -> str:
    """Ask for a habit's weekdays."""
    return (
        f"On which days should I nudge {escape(label)}? Tap one or type e.g. <i>mon-fri</i>, "
        "<i>mon,wed,fri</i>."
    )


def outside_day(awake: str) -> str:
    """Refuse times in the quiet hours."""
    return f"Some of those times fall outside your day ({awake}), so they'd never fire."


def paused_until(when: str) -> str:
    """Confirm a pause with an end."""
    return f"Paused until {when} ⏸ /resume ends it earlier."


PAUSED_FOREVER = "Paused until you send /resume ⏸"


def pause_line(when: str | None) -> str:
    """Describe the pause in the settings menu."""
    return "Paused until /resume" if when is None else f"Paused until {when}"


# Tips and breathing
def tip(label: str, text: str) -> str:
    """Render a tip."""
    return f"💡 <b>{escape(label)}</b>\n{escape(text)}"


BREATHE_CHOOSE = (
    "🌬️ <b>Breathing exercise</b>\nSit comfortably, shoulders loose. Pick one; I'll pace you "
    "in this message."
)
BREATHE_BUSY = "This exercise is already running."
BREATHE_GONE = "That exercise has ended. Send /breathe for a new one."
BREATHE_LOGGED = "Logged 🌬️ Nicely done."
BREATHE_NOT_LOGGED = "Nicely done. (Finish /start so I can keep a record of it.)"


def breathe_phase(
    title: str, round_no: int, rounds: int, phase: str, seconds: int, bar: str
) -> str:
    """Render one phase of a breathing exercise."""
    return (
        f"🌬️ <b>{escape(title)}</b> · round {round_no}/{rounds}\n\n"
        f"<b>{escape(phase)}</b> for {seconds}\n{bar}"
    )


def breathe_done(title: str, logged: bool) -> str:
    """Close a breathing exercise."""
    return f"🌬️ <b>{escape(title)}</b> ✓\n\n" + (BREATHE_LOGGED if logged else BREATHE_NOT_LOGGED)


# --- Check-in, quick log, today, progress, weekly summary, export and delete (issue 5) ---------


def _text(value: str) -> str:
    """Escape text for HTML parse mode (quotes need no escaping outside attributes)."""
    return escape(value, quote=False)


FINISH_START_FIRST = (
    "Let's finish setting you up first: send /start and answer the few setup questions."
)
BUTTON_SKIP = "Skip"
BUTTON_UPDATE_CHECKIN = "✏️ Update my answers"
BUTTON_LEAVE_IT = "No, leave it"
BUTTON_SOMEWHERE_ELSE = "Somewhere else"
BUTTON_ADD_NOTE = "📝 Add a note"
BUTTON_CHECKIN_DONE = "Done"
CHECKIN_QUESTIONS: dict[str, str] = {
    "pain": "<b>Pain right now?</b>\n0 = none, 10 = the worst you can imagine.",
    "where": "<b>Where do you feel it most?</b>",
    "stress": "<b>Stress today?</b>\n0 = calm, 10 = overwhelmed.",
    "mood": "<b>How is your mood?</b>",
    "sleep": "<b>How did you sleep last night?</b>",
    "gut": "<b>How was your tummy today?</b>",
    "stool": (
        "<b>Which is closest to your poo today?</b>\n(You turned this question on in /settings.)"
    ),
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "where": {
        "lower_back": "Lower back",
        "upper_back": "Upper back",
        "neck": "Neck & shoulders",
        "leg": "Hip or leg",
        "other": "Elsewhere",
        "none": "Nowhere really",
    },
    "mood": {"1": "😫", "2": "😕", "3": "😐", "4": "🙂", "5": "😄"},
    "sleep": {"poor": "😴 Poorly", "ok": "🙂 OK", "good": "😊 Well"},
    "gut": {
        "comfortable": "Comfortable",
        "bloated": "Bloated",
        "upset": "Upset",
        "constipated": "Constipated",
    },
    # Before issue 14 the gut question was about bloating; old days still show it.
    "bloating": {"none": "no bloating", "mild": "mild bloating", "strong": "strong bloating"},
    # The Bristol stool form scale (Lewis & Heaton 1997), types 1-7 in plain words.
    "stool": {
        "1": "Hard separate lumps",
        "2": "Lumpy, sausage-shaped",
        "3": "Sausage with cracks",
        "4": "Smooth and soft",
        "5": "Soft blobs, clear edges",
        "6": "Mushy, ragged pieces",
        "7": "Watery, no solid bits",
    },
    "fu": {"yes": "Yes", "not_yet": "Not yet", "gone": "It's gone"},
}


def button_same_place(place: str) -> str:
    """Label the one-tap "same place as last time" answer."""
    return f"Same place ({CHOICE_LABELS['where'].get(place, place).lower()})"


# --- Safety: every text the safety rules show (reviewed in docs/safety.md) --------------------

# The red-flag signs as listed in the question (the words recorded with each answer).
RED_FLAG_WORDING: dict[str, str] = {
    "bladder_bowel": "New trouble controlling or emptying your bladder or bowels",
    "saddle": "New numbness or tingling around your genitals, buttocks or inner thighs",
    "both_legs": "New weakness or numbness in both legs, or leg weakness that is getting worse",
    "fever": "A fever, or feeling very unwell, along with the back pain",
    "injury": "A recent fall or injury",
    "weight_cancer": "Weight loss you can't explain, or a history of cancer",
    "night_pain": "Pain that is worse at night and doesn't ease with rest",
}
RED_FLAG_BUTTONS: dict[str, str] = {
    "bladder_bowel": "1 Bladder or bowels",
    "saddle": "2 Numb groin or buttocks",
    "both_legs": "3 Legs weak or numb",
    "fever": "4 Fever or very unwell",
    "injury": "5 Fall or injury",
    "weight_cancer": "6 Weight loss or cancer",
    "night_pain": "7 Worse at night",
}
# "Yesterday you told me about ..." and "You told me about ...".
RED_FLAG_ABOUT: dict[str, str] = {
    "bladder_bowel": "trouble with your bladder or bowels",
    "saddle": "numbness around your genitals, buttocks or inner thighs",
    "both_legs": "weakness or numbness in your legs",
    "fever": "a fever or feeling very unwell",
    "injury": "a recent fall or injury",
    "weight_cancer": "weight loss or a history of cancer",
    "night_pain": "pain that is worse at night",
    # Signs of check-ins before issue 14.
    "leg_weakness": "leg weakness getting worse",
    "weight_loss": "weight loss without trying",
    "blood_in_stool": "blood in your stool",
}
RED_FLAG_INTRO = (
    "<b>A quick safety check.</b> Since this pain began or got worse, have you noticed any of "
    "these?"
)
RED_FLAG_HOW = "Tap each one that applies, then <b>Done</b> — or “None of these”."
BUTTON_NONE_OF_THESE = "✅ None of these"
BUTTON_RF_DONE = "Done"
PAST_DAY_LEFT = "Okay, I left that day as it was. Send /checkin for today's check-in."
EMPTY_PICK = "Tick the signs you have, or tap “None of these”."
SUGGEST_PROVIDER_TEXT = (
    "It may be worth talking to a healthcare provider about this pain — a doctor or "
    "physiotherapist can look at what's going on and give you personal advice, especially if "
    "the pain persists or gets worse. Until then, keep to what feels okay and ease off anything "
    "that makes it worse."
)
LOCAL_EMERGENCY_NUMBER = "your local emergency number"
BUTTON_REST_LATER = "Answer the other questions"
BUTTON_ITS_GONE = "It's gone now"
CHECKIN_STOPPED = "I've stopped today's check-in here. The other questions can wait."


def _call(number: str | None) -> str:
    return f"call {number}" if number else f"call {LOCAL_EMERGENCY_NUMBER}"


def _about(signs: tuple[str, ...] | list[str]) -> str:
    about = [RED_FLAG_ABOUT.get(s, s) for s in signs]
    return about[0] if len(about) == 1 else ", ".join(about[:-1]) + " and " + about[-1]


def red_flag_question(ticked: tuple[str, ...]) -> str:
    """Ask about the signs (numbered, so they can be typed), showing the ones ticked."""
    lines = [
        f"{'☑️' if key in ticked else '▫️'} {n}. {_text(wording)}"
        for n, (key, wording) in enumerate(RED_FLAG_WORDING.items(), start=1)
    ]
    return f"{RED_FLAG_INTRO}\n" + "\n".join(lines) + f"\n\n{RED_FLAG_HOW}"


def red_flag_recorded(sign: str) -> str:
    """The words recorded with a ticked sign: the question and the sign as listed."""
    return f"{RED_FLAG_INTRO.replace('<b>', '').replace('</b>', '')} — {RED_FLAG_WORDING[sign]}"


def no_signs_recorded() -> str:
    """The words recorded with “None of these”."""
    intro = RED_FLAG_INTRO.replace("<b>", "").replace("</b>", "")
    return f"{intro} — None of these"


def emergency_advice(signs: tuple[str, ...], number: str | None) -> str:
    """The warning for a possible cauda equina sign: emergency department now."""
    return (
        f"⚠️ <b>Go to an emergency department now or {_call(number)}.</b>\n"
        f"You told me about {_text(_about(signs))}. Together with back pain this needs a "
        "doctor's check straight away — please don't wait to see if it passes. I'm a habit bot "
        "and can't examine you; a doctor can."
    )


def see_doctor_advice(signs: tuple[str, ...], number: str | None) -> str:
    """The warning for the other red-flag signs: see a doctor within a day or two."""
    return (
        "🩺 <b>Please see a doctor within a day or two.</b>\n"
        f"You told me about {_text(_about(signs))}. With back pain, that is worth a doctor's "
        "look soon. If you notice numbness around your groin or buttocks, trouble with your "
        "bladder or bowels, or weakness in both legs, go to an emergency department or "
        f"{_call(number)} straight away."
    )


def escalation_warning(tier: str | None, signs: tuple[str, ...], number: str | None) -> str:
    """The warning a day's red-flag answers asked for (empty when they asked for none)."""
    if tier == "emergency":
        return emergency_advice(signs, number)
    if tier == "soon":
        return see_doctor_advice(signs, number)
    return ""


def follow_up_question(day: date, today: date, signs: tuple[str, ...]) -> str:
    """Ask, the next time we talk, whether a red-flag sign was checked."""
    when = "Yesterday" if day == today - timedelta(days=1) else f"On {short_day(day)}"
    return f"{when} you told me about {_text(_about(signs))}. Did you get it checked?"


def follow_up_ack(answer: str, tier: str, signs: tuple[str, ...], number: str | None) -> str:
    """Answer "did you get it checked?" kindly, keeping the warning where it still applies."""
    if answer == "yes":
        return (
            "Thank you for telling me. I'm glad you got it checked — follow what you were advised."
        )
    if answer == "not_yet" and tier == "emergency":
        return (
            "Thanks for telling me. Please don't wait with this: go to an emergency department "
            f"or {_call(number)} today."
        )
    if answer == "not_yet":
        return (
            "Thanks for telling me. Please book to see a doctor in the next day or two; if it "
            f"gets worse, go to an emergency department or {_call(number)}."
        )
    if tier == "emergency":
        return (
            "Good to hear it has eased. Even so, "
            f"{_text(_about(signs))} with back pain should be checked by a doctor today — "
            f"please don't leave it. If it comes back, go to an emergency department or "
            f"{_call(number)}."
        )
    return (
        "Good to hear it has eased. If it comes back, or the pain gets worse, please see a doctor."
    )


def follow_up_recorded(escalation: Any, today: date, answer: str) -> str:
    """The words recorded with a follow-up answer: the question and the answer shown."""
    day: date = escalation.local_date
    if day == today:
        return f"{CHECKIN_STOPPED} — {BUTTON_ITS_GONE}"
    question = follow_up_question(day, today, escalation.signs)
    return f"{question} — {CHOICE_LABELS['fu'][answer]}"


def late_sign(day: date, sign: str, number: str | None) -> str:
    """Answer a sign pressed on an older red-flag list: the day stays, the advice is given."""
    head = (
        f"That list is from {short_day(day)}, so I left that day as it was, and noted "
        f"{_text(RED_FLAG_ABOUT[sign])}."
    )
    if TIER_OF[sign] is Tier.EMERGENCY:
        return f"{head}\n\n" + emergency_advice((sign,), number)
    return f"{head}\n\n" + see_doctor_advice((sign,), number)


def short_day(day: date) -> str:
    """Render a local date as "Fri 27 Mar"."""
    return f"{day:%a} {day.day} {day:%b}"


def checkin_header(day: date, is_today: bool, updating: bool) -> str:
    """Label a check-in question with the day it belongs to."""
    when = "today" if is_today else short_day(day)
    verb = "Updating your check-in" if updating else "Check-in"
    return f"📝 <i>{verb} · {when}</i>\n"


def checkin_question(
    key: str, day: date, is_today: bool, updating: bool, ticked: tuple[str, ...] = ()
) -> str:
    """Render one check-in question."""
    body = red_flag_question(ticked) if key == "rf" else CHECKIN_QUESTIONS[key]
    return checkin_header(day, is_today, updating) + body


def confirm_past_day(day: date) -> str:
    """Ask before a button from an older check-in changes that day."""
    return (
        f"That button is from your check-in of <b>{short_day(day)}</b>, not today's. "
        "Update that day with this answer?"
    )


def button_update_day(day: date) -> str:
    """Label the button that confirms changing an earlier day."""
    return f"Yes, update {short_day(day)}"


def note_too_long(length: int, limit: int) -> str:
    """Refuse a note over the limit, stating it (nothing is cut or stored)."""
    return (
        f"That note is {length} characters; I keep notes of up to {limit}. Nothing was saved: "
        "please send a shorter one."
    )


def note_saved(length: int) -> str:
    """Confirm a stored note."""
    return f"📝 Note saved ({length} characters)."


NOTE_SHOWN = 300


def checkin_summary(
    *,
    pain: int | None,
    where: str | None,
    stress: int | None,
    mood: int | None,
    sleep: str | None,
    gut: str | None,
    bloating: str | None,
    stool: int | None,
    note: str | None,
) -> str:
    """Render a day's answers on a few short lines."""
    dash = "–"
    place = CHOICE_LABELS["where"].get(where or "", "")
    pain_text = dash if pain is None else f"{pain}/10" + (f" ({place.lower()})" if place else "")
    tummy = CHOICE_LABELS["gut"].get(gut or "") or CHOICE_LABELS["bloating"].get(
        bloating or "", dash
    )
    lines = [
        f"Pain: {pain_text}",
        f"Stress: {dash if stress is None else f'{stress}/10'}",
        f"Mood: {CHOICE_LABELS['mood'].get(str(mood), dash)}",
        f"Sleep: {CHOICE_LABELS['sleep'].get(sleep or '', dash)}",
        f"Tummy: {tummy}",
    ]
    if stool is not None:
        lines.append(f"Stool: {CHOICE_LABELS['stool'].get(str(stool), str(stool)).lower()}")
    if note:
        # The person's own words, shown back; a very long note is shortened here only.
        shown = note if len(note) <= NOTE_SHOWN else note[: NOTE_SHOWN - 1].rstrip() + "…"
        lines.append(f"Note: “{_text(shown)}”")
    return "\n".join(lines)


def checkin_done(summary: str, is_today: bool, day: date) -> str:
    """Thank the person for a finished check-in."""
    when = "today's check-in" if is_today else f"the check-in of {short_day(day)}"
    return f"✅ Thanks, {when} is saved.\n\n{summary}"


def checkin_already(summary: str) -> str:
    """Show today's finished check-in and offer to change it."""
    return f"✅ You've checked in today.\n\n{summary}\n\nWant to change something?"


def checkin_ack(key: str, shown: str) -> str:
    """Leave a short record of an answer when the conversation moves on below it."""
    return f"📝 {_text(key.capitalize())}: {_text(shown)} ✓"


# Typed check-in answers: what fits each question when the text did not.
TYPED_ANSWER_HINTS: dict[str, str] = {
    "pain": "Pain: a number from 0 to 10, or tap a button.",
    "rf": "Safety check: tap each sign that applies and then Done, type their numbers "
    "(like <i>1 3</i>), or type <i>none</i>.",
    "where": "Where: <i>same</i>, <i>lower back</i>, <i>upper back</i>, <i>neck</i>, "
    "<i>leg</i>, <i>other</i> or <i>none</i>, or tap a button.",
    "stress": "Stress: a number from 0 to 10, or tap a button.",
    "mood": "Mood: a number from 1 (low) to 5 (great) or a face like 🙂, or tap a button.",
    "sleep": "Sleep: <i>poor</i>, <i>ok</i> or <i>good</i>, or tap a button.",
    "gut": "Tummy: <i>comfortable</i>, <i>bloated</i>, <i>upset</i> or <i>constipated</i>, "
    "or tap a button.",
    "stool": "Stool: a number from 1 to 7 (the list's order), or tap a button.",
    "fu": "Did you get it checked? <i>yes</i>, <i>not yet</i> or <i>it's gone</i>, or tap a "
    "button.",
    "fu_today": "If it has passed, type <i>it's gone</i>. Either way, please get it checked "
    "today. To go on with the check-in, tap “Answer the other questions”.",
}
SKIPPED = "skipped"
SAME_UNKNOWN = "I don't have an earlier place yet — tap where you feel it."
NOTE_PROMPT = "📝 Type your note for {day} — anything you'd like to remember."


def typed_answer_hint(key: str) -> str:
    """Say what a typed answer to the open question looks like; nothing was saved."""
    hint = TYPED_ANSWER_HINTS.get(key, "Please tap a button.")
    return hint if key.startswith("fu") else f"{hint} Or type <i>skip</i>."


def with_advice(ack: str, advice: str) -> str:
    """Put the gentle pain suggestion under the answer that raised it."""
    return f"{ack}\n\n🩺 {_text(advice)}"


def checkin_closing(summary: str, warning: str, gentle: bool) -> str:
    """The summary's care lines: a red-flag warning repeated, or the gentler suggestion."""
    if warning:
        return f"{summary}\n\n{warning}"
    if gentle:
        return f"{summary}\n\n🩺 {_text(SUGGEST_PROVIDER_TEXT)}"
    return summary


# Quick log
LOG_HINT = (
    "I didn't catch a habit there, so I logged nothing. Tap what you did, or write it like "
    "<i>drank 2 glasses</i>, <i>walked 20 min</i>, <i>had kefir</i>, <i>did breathing</i>."
)
LOG_USAGE = (
    "What did you do? Tap one, or write e.g. <code>/log water</code>, "
    "<code>/log walk 20 min</code>."
)
LOG_ALREADY = "Already logged from this message ✓"


def logged(label: str, what: str, done: int, target: int) -> str:
    """Confirm a quick log with today's count."""
    line = f"✅ {_text(label)}: {_text(what)} logged. {done}/{target} today."
    if done == target:
        line += " Today's goal reached! 🎉"
    return line


# Today and progress
NOTHING_YET = "Nothing logged yet today."
PROGRESS_EMPTY = (
    "No progress to show yet. Log a habit (e.g. <i>drank a glass of water</i>) or do a "
    "/checkin, and your streaks and chart appear here."
)
PROGRESS_USAGE = (
    "Send /progress for your recent days, or a number of days from 7 to 120, e.g. "
    "<code>/progress 90</code>."
)


def chart_caption(days: int) -> str:
    """Caption the chart: what it shows, over how many days."""
    return f"Pain and mood, and each habit's days (goal met / some / none), last {days} days."


def local_when(at: datetime, today: date) -> str:
    """Render a local time as "14:00", "tomorrow 07:00" or "Mon 09:00"."""
    if at.date() == today:
        return f"{at:%H:%M}"
    if at.date() == today + timedelta(days=1):
        return f"tomorrow {at:%H:%M}"
    return f"{at:%a} {at:%H:%M}" if at.date() < today + timedelta(days=7) else short_day(at.date())


def today_line(label: str, done: int, target: int, state: str) -> str:
    """One habit's line in /today."""
    mark = "✅" if target and done >= target else "▫️"
    return f"{mark} {_text(label)}: {done}/{target}" + (f" · {state}" if state else "")


def today_view(day: date, lines: list[str], upcoming: str | None, paused: str | None) -> str:
    """Render /today."""
    text = f"<b>Today, {short_day(day)}</b>\n" + "\n".join(lines)
    if paused:
        text += f"\n\n⏸ Nudges paused until {paused}."
    elif upcoming:
        text += f"\n\n⏭ Next: {upcoming}"
    return text


def progress_line(
    label: str,
    streak: int,
    best: int,
    strength_word: str,
    week: float | None,
    month: float | None,
    *,
    goal: int = 1,
    flexible: int = 0,
) -> str:
    """One habit's line in /progress: goal, streaks, strength in words, adherence."""

    def pct(value: float | None) -> str:
        return "–" if value is None else f"{round(value * 100)}%"

    def days(n: int) -> str:
        return f"{n} day" if n == 1 else f"{n} days"

    flex = f" · 🌱 flexible {days(flexible)}" if flexible > streak else ""
    return (
        f"<b>{_text(label)}</b> · goal {goal} a day\n"
        f"🔥 goal met {days(streak)} in a row (best {best}){flex}\n"
        f"habit strength: {strength_word} · 7 days {pct(week)} · 30 days {pct(month)}"
    )


def freezes_line(spent: list[tuple[str, date]], left: int) -> str:
    """Say which missed days a streak freeze saved, and how many are left."""
    saved = "; ".join(f"{_text(label)} on {short_day(day)}" for label, day in spent)
    left_text = {0: "no freezes left", 1: "1 freeze left"}.get(left, f"{left} freezes left")
    if saved:
        return f"🧊 A streak freeze saved your streak: {saved} ({left_text})."
    if left:
        return f"🧊 {left_text.capitalize()}: a missed day won't break your streak."
    return ""


MILESTONE_LINES: dict[int, str] = {
    3: "🌱 3 days in a row — it's taking root.",
    7: "🎉 A whole week in a row!",
    14: "💪 Two weeks in a row — this is becoming yours.",
    30: "🏅 30 days in a row. That's a real habit now.",
    100: "🏆 100 days in a row. Remarkable.",
}


def progress_view(lines: list[str], trend: str, freezes: str = "") -> str:
    """Render /progress."""
    trend_text = {
        "down": "Your pain has been going down lately. 📉",
        "up": "Your pain has been rising lately; go gently. 📈",
        "steady": "Your pain has been about steady lately.",
    }.get(trend, "A few more check-ins and I can show how your pain moves.")
    extra = f"\n\n{freezes}" if freezes else ""
    return "<b>Your progress</b>\n\n" + "\n\n".join(lines) + extra + f"\n\n{trend_text}"


# Weekly summary
WEEKLY_UNAVAILABLE = "Your weekly summary will be here once you've finished /start."
INSIGHT_LABELS: dict[str, str] = {
    "move": "movement",
    "water": "water",
    "food": "gut-friendly food",
    "breathe": "breathing",
}


def weekly_summary(
    adherence: list[tuple[str, float | None]],
    pain_start: float | None,
    pain_end: float | None,
    trend: str,
    insight: str,
) -> str:
    """Render the Sunday summary."""
    lines = ["<b>Your week</b> 🗓"]
    for label, share in adherence:
        lines.append(f"{_text(label)}: " + ("–" if share is None else f"{round(share * 100)}%"))
    if pain_start is None or pain_end is None:
        lines.append("\nPain: no check-ins this week.")
    else:
        moved = {
            "down": "going down",
            "up": "going up",
            "steady": "about steady",
        }.get(trend, "too few check-ins for a trend")
        lines.append(f"\nPain: {pain_start:g} → {pain_end:g} this week ({moved}).")
    if insight:
        lines.append(f"\n💡 {_text(insight)}")
    return "\n".join(lines)


def weekly_care_line(day: date, signs: tuple[str, ...], answer: str | None) -> str:
    """Mention a red-flag escalation of the week in the weekly summary."""
    told = f"🩺 On {short_day(day)} you told me about {_text(_about(signs))}."
    if answer == "yes":
        return f"{told} Thank you for getting it checked."
    if answer == "gone":
        return f"{told} You said it had eased; if it comes back, please see a doctor."
    return f"{told} If you haven't yet, please get it checked by a doctor."


# Export and delete
EXPORT_NOTHING = "I have nothing stored about you, so there is nothing to export."
EXPORT_CAPTION_ZIP = (
    "Your data. README.txt explains every file and column; the CSV files open in any "
    "spreadsheet, nudgebot.json is the same for programs."
)
DELETE_ASK = (
    "<b>Delete everything?</b> This erases your check-ins, logs, schedules, messages and "
    "challenge memberships, and stops all nudges. It cannot be undone. (/export first if you "
    "want a copy.)"
)
BUTTON_DELETE = "🗑 Yes, delete everything"
BUTTON_KEEP_DATA = "No, keep it"
DELETE_NOTHING = "There is nothing stored about you, so there is nothing to delete."
DELETE_KEPT = "Okay, nothing was deleted."
DELETE_DONE = (
    "Done: everything I stored about you is erased and I won't message you. "
    "Send /start any time to begin again from scratch."
)


BREATHE_IN = "Breathe in"
BREATHE_HOLD = "Hold"
BREATHE_OUT = "Breathe out"
BOX_TITLE = "Box breathing 4-4-4-4"
BOX_BUTTON = "⬜ Box 4-4-4-4 · 1 min"
RELAX_TITLE = "4-7-8 breathing"
RELAX_BUTTON = "🌙 4-7-8 · 1¼ min"
TIP_GENERAL = "🌿 Good to know"


# --- Group challenges ------------------------------------------------------------------------

CHALLENGE_IN_GROUPS = (
    "Challenges live in group chats: add me to a group and send /challenge there."
)
CHALLENGE_MENU = "<b>Pick a challenge for this group</b> – everyone can join, admins start it:"
CHALLENGE_JOIN_BUTTON = "🙋 Join"
CHALLENGE_STANDINGS_BUTTON = "📊 Standings"
NOT_GROUP_ADMIN = "Only the group's admins can start or stop a challenge."
NO_CHALLENGE = "No challenge is running here. An admin can start one with /challenge."
CHALLENGE_OVER = "That challenge has ended. /challenge shows what's running now."
CHALLENGE_GONE = "That challenge is not in this group."
JOIN_ALREADY = "You're in already 💪"
JOIN_NEED_START_SHORT = "Say hi to me in private first (tap /start there), then join."


def challenge_choice(title: str, target: int) -> str:
    """Label a challenge in the menu, e.g. "💧 7-day hydration · 6/day"."""
    return f"{title} · {target}/day"


def challenge_running_short(title: str, day: int, days: int) -> str:
    """Say briefly that a challenge runs already (fits a button's answer)."""
    return f"{title} is running already (day {day} of {days}). One at a time!"


def challenge_running(board: str) -> str:
    """Say that a challenge runs already and show where it stands."""
    return f"One challenge at a time – this one is running:\n\n{board}"


def challenge_started(title: str, days: int, target: int, verb: str) -> str:
    """Announce a new challenge in the group."""
    return (
        f"🏁 <b>{escape(title)}</b> starts today!\n"
        f"Goal: {verb} {target}× a day, for {days} days. A day counts when you reach {target}.\n\n"
        "Tap <b>Join</b> (or send /join). Then log as usual in our private chat – a nudge's "
        "Done button, /log or just tell me. Standings every evening at 20:00."
    )


def challenge_joined(name: str, title: str, members: int) -> str:
    """Welcome a member to the challenge."""
    others = members - 1
    company = f" with {others} other{'s' if others != 1 else ''}" if others else ""
    return f"🙌 {escape(name[:64])} joined {escape(title)}{company}."


def join_need_start(name: str, link: str) -> str:
    """Ask someone to start the bot in private before joining, with a link to do it."""
    return (
        f"{escape(name[:64])}, to join I need your OK in private first (so I can count your "
        f'logs): <a href="{escape(link)}">open a chat with me</a>, tap Start, then /join here.'
    )


def challenge_stopped(title: str) -> str:
    """Confirm that an admin stopped the challenge."""
    return f"⏹ {escape(title)} is stopped. Thanks for taking part! /challenge starts a new one."


def challenge_line(
    rank: int, name: str, days_done: int, today: int, target: int, streak: int, *, show_today: bool
) -> str:
    """One member's standing: days done, today's count, streak."""
    day_word = "day" if days_done == 1 else "days"
    parts = [f"{rank}. {escape(name[:64]) or '?'} – {days_done} {day_word}"]
    if show_today:
        parts.append(f"today {today}/{target}" + (" ✅" if today >= target else ""))
    if streak >= 2:
        parts.append(f"🔥{streak}")
    return " · ".join(parts)


def _members(lines: list[str], hidden: int) -> str:
    if not lines:
        return "Nobody has joined yet – tap Join!"
    more = f"\n…and {hidden} more" if hidden else ""
    return "\n".join(lines) + more


def challenge_board(
    title: str, day: int, days: int, target: int, lines: list[str], hidden: int
) -> str:
    """The standings of a running challenge."""
    return (
        f"<b>{escape(title)}</b> – day {day} of {days} (goal {target}/day)\n"
        f"{_members(lines, hidden)}"
    )


def challenge_final(
    title: str, days: int, winners: list[str], lines: list[str], hidden: int
) -> str:
    """The final post: congratulations to everyone who completed most of the days."""
    if winners:
        names = ", ".join(escape(n[:64]) for n in winners)
        cheer = f"🎉 Congratulations to {names} for completing most of the {days} days!"
    elif lines:
        cheer = "Every day you showed up counts. Ready for another round? /challenge"
    else:
        cheer = "Nobody joined this time. Maybe the next one? /challenge"
    return f"🏆 <b>{escape(title)}</b> is over!\n{cheer}\n\n{_members(lines, hidden)}"
