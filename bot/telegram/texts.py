"""The one text catalog: every sentence people read that is not a nudge or a tip.

Each text is an English message id translated through gettext (`bot.i18n`) in the locale set at
the edge; numbers that meet nouns go through `ngettext`, dates and times through Babel. The
module constants are marked with `N_` and read as their translation: `texts.HELP` is the help
text in the person's language. Nudge and tip texts are data files (`bot.domain.content`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from bot.domain.nudging import BUDGETS, DEFAULT_BUDGET, MIN_GAP
from bot.domain.quicklog import HOT_DRINKS, NotLogged, Refusal
from bot.domain.safety import TIER_OF, Tier
from bot.i18n import (
    N_,
    _,
    catalog_module,
    format_clock,
    format_day,
    format_decimal,
    format_number,
    format_percent,
    ngettext,
)

APOLOGY = N_("Sorry, something went wrong on my side. Please try again in a moment.")
NOT_IN_GROUP = N_("Let's talk about that in private: open a chat with me and send /start.")
NOT_ADMIN = N_("Sorry, that command is for the bot's admins.")
UNKNOWN_COMMAND = N_("I don't know that command. /help lists what I can do.")
STALE_BUTTON = N_("That button is from an older message and no longer works.")
NOT_YOURS = N_("That button belongs to someone else's message.")
# A sticker, photo, voice note or file in a private chat, by the kind of thing it is.
CANNOT_READ = {
    "sticker": N_("I can't read stickers yet"),
    "photo": N_("I can't look at photos yet"),
    "animation": N_("I can't watch GIFs yet"),
    "video": N_("I can't watch videos yet"),
    "video_note": N_("I can't watch video messages yet"),
    "voice": N_("I can't listen to voice notes yet"),
    "audio": N_("I can't listen to audio yet"),
    "document": N_("I can't open files yet"),
    "contact": N_("I can't use contacts"),
    "poll": N_("I can't answer polls"),
}
CANNOT_READ_OTHER = N_("I can't read that kind of message")


def cannot_read(kind: str, *, answering: bool) -> str:
    """One line on what the bot understands, for a message it cannot read."""
    head = _(CANNOT_READ.get(kind, CANNOT_READ_OTHER))
    if answering:
        return _("{head} — please answer with words or the buttons.").format(head=head)
    return _("{head} — tell me in words, like “had kefir”, or try /help.").format(head=head)


HELP = N_(
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

BROADCAST_USAGE = N_(
    "Write the message after the command, e.g.\n"
    "<code>/broadcast Tip of the week: stand up and stretch every hour.</code>"
)
BROADCAST_SENT_ALREADY = N_("That broadcast was already sent or discarded.")
BROADCAST_DROPPED = N_("Discarded. Nothing was sent.")
BUTTON_SEND = N_("Send to everyone")
BUTTON_DISCARD = N_("Discard")


def broadcast_too_long(length: int, limit: int) -> str:
    """Refuse a broadcast over Telegram's limit, stating it."""
    return ngettext(
        "That is {length} character; one message holds at most {limit}. Please shorten it.",
        "That is {length} characters; one message holds at most {limit}. Please shorten it.",
        length,
    ).format(length=format_number(length), limit=format_number(limit))


def broadcast_preview(text: str, audience: int) -> str:
    """Show an admin what would be sent, and to how many."""
    head = ngettext(
        "<b>Preview</b> – this goes to {count} person:",
        "<b>Preview</b> – this goes to {count} people:",
        audience,
    ).format(count=format_number(audience))
    return f"{head}\n\n{escape(text)}"


def broadcast_queued(count: int) -> str:
    """Confirm a queued broadcast."""
    return ngettext(
        "Queued for {count} person. It goes out within Telegram's limits; "
        "/stats shows the progress.",
        "Queued for {count} people. It goes out within Telegram's limits; "
        "/stats shows the progress.",
        count,
    ).format(count=format_number(count))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {format_number(v)}" for k, v in sorted(counts.items()) if v)


def admin_stats(
    people: int,
    reachable: int,
    inactive: int,
    outbox: dict[str, int],
    week: dict[str, int],
    latest: tuple[int, int, dict[str, int]] | None,
) -> str:
    """Render the admin overview (the outbox's status and kind names stay as stored)."""
    lines = [
        "<b>nudgebot</b>",
        _("People: {people} ({reachable} reachable, {inactive} blocked the bot)").format(
            people=format_number(people),
            reachable=format_number(reachable),
            inactive=format_number(inactive),
        ),
        _("Waiting to go out: {counts}").format(counts=_counts(outbox) or _("nothing")),
        _("Last 7 days: {counts}").format(counts=_counts(week) or _("nothing yet")),
    ]
    if latest is not None:
        broadcast_id, recipients, by_status = latest
        done = by_status.get("sent", 0)
        others = "".join(
            f", {format_number(n)} {s}" for s, n in sorted(by_status.items()) if s != "sent" and n
        )
        lines.append(
            _("Last broadcast #{id}: {done} of {recipients} sent").format(
                id=broadcast_id, done=format_number(done), recipients=format_number(recipients)
            )
            + others
        )
    return "\n".join(lines)


# --- Nudges: the scheduled messages, their buttons and the answers to them ---------------------

NUDGE_DONE = N_("✅ Done")
NUDGE_SNOOZE_15 = N_("⏰ 15 min")
NUDGE_SNOOZE_60 = N_("⏰ 1 h")
NUDGE_SKIP_TODAY = N_("Skip today")
NUDGE_BREATHE = N_("🌬️ Breathe with me")
NUDGE_START_CHECKIN = N_("📝 Start check-in")
NUDGE_LESS = N_("Yes, less often")
NUDGE_KEEP = N_("No, keep it")
NUDGE_KEEP_RHYTHM = N_("Keep the old rhythm")
ALREADY_ANSWERED = N_("You already answered this one.")
NUDGE_PASSED = N_(
    "That reminder has passed, no worries. You can log it in words, like “had water”."
)
LESS_KEPT = N_("Got it, I'll keep nudging as before. 💪")
LESS_AT_MINIMUM = N_(
    "That's already as seldom as this nudge gets. You can turn it off in your settings."
)


def nudge(label: str, text: str) -> str:
    """Render a nudge: the habit's label and a (content, markup-free) text."""
    return f"<b>{escape(label)}</b>\n{escape(text)}"


def nudge_standing(done: int, goal: int | None, after_miss: bool) -> str:
    """Say where the person stands today in one line (empty for the day's first nudge)."""
    if goal is not None and goal - done == 1 and goal > 1:
        return _("One more and today's goal is met.")
    if goal is not None and 0 < done < goal:
        return _("{done} of {goal} so far today.").format(
            done=format_number(done), goal=format_number(goal)
        )
    if after_miss:
        return _("The last one slipped by — no worries, this is a fresh chance.")
    return ""


def ask_less(label: str) -> str:
    """Ask once, after three unanswered nudges, whether to nudge less often."""
    return _(
        "I've sent a few <b>{label}</b> nudges that went unanswered. "
        "Would you like me to nudge you less often?"
    ).format(label=escape(label))


def done_ack(label: str, done: int, target: int, streak: int) -> str:
    """Acknowledge a Done press with today's count and the streak."""
    line = _("✅ <b>{label}</b> – logged. {done}/{target} today.").format(
        label=escape(label), done=format_number(done), target=format_number(target)
    )
    if streak >= 2:
        line += " " + ngettext("🔥 {count}-day streak!", "🔥 {count}-day streak!", streak).format(
            count=format_number(streak)
        )
    elif done >= target:
        line += " " + _("Today's goal reached!")
    return line


def snoozed(label: str, until: str) -> str:
    """Confirm a snooze; `until` is the local time "HH:MM"."""
    return _("⏰ <b>{label}</b> – snoozed. I'll remind you again at {time}.").format(
        label=escape(label), time=until
    )


def skipped_today(label: str) -> str:
    """Confirm that a habit is skipped for the rest of the day."""
    return _("<b>{label}</b> – skipped for today. No more nudges for it until tomorrow.").format(
        label=escape(label)
    )


def nudge_passed(emoji: str, at: datetime) -> str:
    """Shorten a passed nudge to one quiet line: "💧 Missed 10:05 — no worries"."""
    return _("{emoji} Missed {time} — no worries").format(emoji=emoji, time=format_clock(at))


def backing_off(label: str) -> str:
    """Say once, in one line, that unanswered nudges of a habit will come less often."""
    return _(
        "The last few <b>{label}</b> nudges went unanswered, so I'll send them less "
        "often. Answering one brings them back step by step."
    ).format(label=escape(label))


def less_applied(label: str, rule: str) -> str:
    """Confirm the new, sparser schedule, e.g. "every 4 h 07:00–23:00"."""
    return _("Done: <b>{label}</b> nudges are now {rule}.").format(
        label=escape(label), rule=escape(rule)
    )


# --- Onboarding, settings, privacy, tips and breathing ---------------------------------------

PRIVACY = N_(
    "<b>Your data</b>\n"
    "Before you agree I keep only your Telegram id and first name, so I can answer you.\n\n"
    "After you agree I store:\n"
    "• your time zone, waking and sitting hours and habit schedules;\n"
    "• the habits you log and your daily check-ins (pain, stress, mood, sleep, gut);\n"
    "• which nudges and tips I sent, so I don't repeat myself.\n\n"
    "I use them only to nudge you and show your progress; nothing is shared or sold.\n"
    "/export sends you everything I keep about you; /delete erases it all."
)
NOT_MEDICAL = N_(
    "I'm not a doctor and this is not medical advice. Pain that persists or gets worse, or "
    "comes with numbness, weakness, fever or trouble with bladder or bowels, deserves a "
    "healthcare provider."
)
BUTTON_AGREE = N_("✅ I agree")
BUTTON_PRIVACY = N_("📄 What do you store?")
BUTTON_SHARE_LOCATION = N_("📍 Share my location")
BUTTON_SEND_LOCATION = N_("📍 Send my location")
BUTTON_DONE = N_("Done ✓")
BUTTON_BACK = N_("‹ Back")
BUTTON_CLOSE = N_("Close")
USE_BUTTONS = N_("Please tap one of the buttons above (or send /start to see them again).")
ONB_STALE = N_("That step is already answered.")
ONB_FINISHED = N_("You're all set already. /settings changes anything.")
NEED_START = N_("Let's set you up first: send /start.")
LOCATION_ASK = N_("Tap the button below to share your location. Only the time zone is kept.")
LOCATION_UNKNOWN = N_(
    "I couldn't find a time zone for that spot. Please type your city, e.g. Berlin."
)
LOCATION_UNEXPECTED = N_("Thanks! I only use a location to set your time zone: /settings.")


def _name(first_name: str) -> str:
    # Translators: how to greet someone whose first name is empty ("Hi there!").
    return escape(first_name[:64]) or _("there")


def onboarding_welcome(first_name: str) -> str:
    """Greet a new person and ask for consent."""
    return _(
        "Hi {name}! I'm nudgebot 👋\n\n"
        "Tight muscles, an unsettled gut and low-grade inflammation tend to feed each other, "
        "and so do stress and lower back pain. Small daily habits help break the loop: "
        "drinking water, getting up from the chair, gut-friendly food and slow breathing. "
        "I'll nudge you at good moments of your day and ask a one-minute check-in.\n\n"
        "<i>{not_medical}</i>\n\n"
        "To keep your check-ins and logs I need your OK. /privacy says what I store and how "
        "to export or delete it."
    ).format(name=_name(first_name), not_medical=_(NOT_MEDICAL))


def step_header(number: int, total: int) -> str:
    """Label a setup step."""
    return _("<b>Setup {number}/{total}</b>").format(number=number, total=total) + "\n"


ZONE_QUESTION = N_(
    "Which time zone are you in? Tap a city near you, share your location, or type a city "
    "or zone (e.g. <i>Berlin</i>, <i>New York</i>, <i>Europe/Berlin</i>)."
)
WAKE_QUESTION = N_(
    "When do you usually wake up? Tap a time or type one (e.g. <i>7am</i>, <i>06:30</i>)."
)


def zone_set(zone: str) -> str:
    """Confirm a time zone."""
    return _("🌍 Time zone: <b>{zone}</b> ✓").format(zone=escape(zone))


def sleep_question(wake: str) -> str:
    """Ask when the day ends."""
    return _(
        "You wake at {wake}. When do you usually go to sleep? I stay quiet from then until "
        "you wake. Tap or type (e.g. <i>23:30</i>, <i>11pm</i>; after midnight is fine)."
    ).format(wake=wake)


def bad_day(minutes: int) -> str:
    """Refuse an implausible waking day."""
    if minutes == 0:
        return _("Waking and sleeping at the same time doesn't leave a day. When do you sleep?")
    return _(
        "That would make your day {hours} hours long. I need 6 to 20 waking hours: when "
        "do you usually go to sleep? (A night shift like 20:00 to 12:00 is fine.)"
    ).format(hours=format_decimal(minutes / 60, 1))


def sit_question(awake: str) -> str:
    """Ask for the sitting hours."""
    return _(
        "Your day: {awake}. Which hours do you usually sit (work or study)? Movement breaks "
        "go there. Tap or type a range (e.g. <i>9-17</i>, <i>22:00-06:00</i>)."
    ).format(awake=awake)


def not_in_day(awake: str) -> str:
    """Refuse sitting hours outside the waking day."""
    return _("Those hours are not inside your day ({awake}). Which hours do you sit?").format(
        awake=awake
    )


def habit_line(label: str, schedule: str, enabled: bool) -> str:
    """One habit with its schedule."""
    mark = "✅" if enabled else "⬜"
    shown = escape(schedule) if enabled else _("off")
    return f"{mark} {escape(label)}: {shown}"


def habits_question(lines: list[str]) -> str:
    """Propose the habits."""
    return (
        _(
            "Here are your habits with a schedule that fits your day. Tap one to switch it off "
            "or on, then Done. You can change each schedule later in /settings."
        )
        + "\n\n"
        + "\n".join(lines)
    )


def onboarding_done(first_name: str, lines: list[str]) -> str:
    """Close onboarding with what happens next."""
    per_day = BUDGETS[DEFAULT_BUDGET]
    gap = MIN_GAP.seconds // 60
    messages = ngettext("{count} message", "{count} messages", per_day)
    minutes = ngettext("{count} minute", "{count} minutes", gap)
    return (
        _("All set, {name}! 🎉").format(name=_name(first_name))
        + "\n\n"
        + "\n".join(lines)
        + "\n\n"
        + _(
            "That's a menu, not a to-do list: I send at most {messages} a day, at least "
            "{minutes} apart — your check-in first, then whatever you're furthest behind on — "
            "and none once a habit's goal is met. I'll stay quiet outside your waking hours. "
            "Try /tip or /breathe now; /settings changes anything, /pause takes a break, /help "
            "lists everything."
        ).format(
            messages=messages.format(count=format_number(per_day)),
            minutes=minutes.format(count=format_number(gap)),
        )
    )


def welcome_back(first_name: str) -> str:
    """Greet someone who finished onboarding."""
    return _(
        "Welcome back, {name}! You're set up. /settings changes your day and "
        "habits, /help lists everything."
    ).format(name=_name(first_name))


# Settings
SETTINGS_TITLE = N_("<b>Settings</b> – tap what you want to change.")
SETTINGS_CLOSED = N_("Settings saved ✓")
SETTINGS_ALREADY = N_("That's already set.")
SETTINGS_SAVED = N_("Saved ✓")
DAY_QUESTION = N_(
    "When does your day start and end? Tap one or type a range (e.g. <i>7-23</i>, "
    "<i>6:30am to 10:30pm</i>, a night shift like <i>20:00-12:00</i>)."
)
SIT_QUESTION = N_("Which hours do you usually sit? Tap one or type a range (e.g. <i>9-17</i>).")
TIMES_FORMAT = N_("That doesn't look like times. Try 12:30, 18:30 (up to 6 times).")
INTERVAL_FORMAT = N_("Please send a spacing between 15 minutes and 6 hours, e.g. 90m or 2h.")
PAUSE_MENU = N_("Pause all nudges for how long?")
RESUMED = N_("Welcome back! Your nudges are on again ▶️")
NOT_PAUSED = N_("You're not paused. /pause 3d takes a break for three days.")


BUDGET_QUESTION = N_(
    "How many messages a day may I start? Your check-in comes first, then the habits you're "
    "furthest behind on, spread across your day. Replies to you never count."
)
_BUDGET_NAMES = {"light": N_("Light"), "normal": N_("Normal"), "more": N_("More")}


def budget_label(key: str, per_day: int) -> str:
    """Name a daily message budget, e.g. "Normal: up to 7 a day"."""
    name = _(_BUDGET_NAMES[key]) if key in _BUDGET_NAMES else key
    return _("{name}: up to {count} a day").format(name=name, count=format_number(per_day))


def settings_menu(
    zone: str, day: str, sit: str, lines: list[str], pause: str | None, budget: str
) -> str:
    """Render the settings overview."""
    text = (
        _(SETTINGS_TITLE)
        + "\n\n"
        + _("🌍 Time zone: {zone}\n☀️ Day: {day}\n🪑 Sitting: {sit}\n📬 Messages: {budget}").format(
            zone=escape(zone), day=day, sit=sit, budget=escape(budget)
        )
        + "\n\n"
        + "\n".join(lines)
    )
    return text + (f"\n\n⏸ {pause}" if pause else "")


BUTTON_PIN_TIME = N_("📌 Back to my time")


def learned_hint(own_times: str) -> str:
    """Explain a nudge time moved toward when the person usually does the habit."""
    return _(
        "I moved this toward when you usually do it (your own time was {times}). "
        "It moves at most an hour a week, only within your day."
    ).format(times=escape(own_times))


def habit_settings(label: str, schedule: str, enabled: bool, hint: str) -> str:
    """Show one habit's settings."""
    state = escape(schedule) if enabled else _("off")
    return _("<b>{label}</b>\nNow: {state}").format(label=escape(label), state=state) + (
        f"\n\n{hint}"
    )


BUTTON_GOAL_FROM_SCHEDULE = N_("🗓 Follow my schedule")


def goal_hint(goal: int, own: bool) -> str:
    """Say a habit's daily goal and where it comes from."""
    if own:
        text = _("🎯 Goal: {count} a day (your own number).")
    else:
        text = _("🎯 Goal: {count} a day (follows your times).")
    return text.format(count=format_number(goal))


def goal_question(label: str) -> str:
    """Ask for a habit's daily goal."""
    return _(
        "<b>{label}</b>\nHow many a day is a good day for you? Or let the goal follow "
        "your nudge times (one per fixed time)."
    ).format(label=escape(label))


def stool_setting(on: bool) -> str:
    """Say whether the check-in asks the optional stool question."""
    state = _("on") if on else _("off")
    return "\n" + _(
        "Stool question: <b>{state}</b> — an optional extra check-in question about your poo "
        "(seven plain descriptions, from hard lumps to watery)."
    ).format(state=state)


def stool_toggle(on: bool) -> str:
    """Label the button that turns the stool question on or off."""
    return _("Turn the stool question off") if on else _("Turn the stool question on")


def times_question(label: str) -> str:
    """Ask for clock times of a habit."""
    return _(
        "When should I nudge {label}? Type one or more times, e.g. <i>12:30, 18:30</i>."
    ).format(label=escape(label))


def interval_question(label: str) -> str:
    """Ask for the spacing of an interval habit."""
    return _("How often should I nudge {label}? Tap one or type e.g. <i>90m</i>.").format(
        label=escape(label)
    )


def days_question(label: str) -> str:
    """Ask for a habit's weekdays."""
    return _(
        "On which days should I nudge {label}? Tap one or type e.g. <i>mon-fri</i>, "
        "<i>mon,wed,fri</i>."
    ).format(label=escape(label))


def outside_day(awake: str) -> str:
    """Refuse times in the quiet hours."""
    return _("Some of those times fall outside your day ({awake}), so they'd never fire.").format(
        awake=awake
    )


def paused_until(when: str) -> str:
    """Confirm a pause with an end."""
    return _("Paused until {when} ⏸ /resume ends it earlier.").format(when=when)


PAUSED_FOREVER = N_("Paused until you send /resume ⏸")


def pause_line(when: str | None) -> str:
    """Describe the pause in the settings menu."""
    if when is None:
        return _("Paused until /resume")
    return _("Paused until {when}").format(when=when)


# Tips and breathing
def tip(label: str, text: str) -> str:
    """Render a tip."""
    return f"💡 <b>{escape(label)}</b>\n{escape(text)}"


BREATHE_CHOOSE = N_(
    "🌬️ <b>Breathing exercise</b>\nSit comfortably, shoulders loose. Pick one; I'll pace you "
    "in this message."
)
BREATHE_BUSY = N_("This exercise is already running.")
BREATHE_GONE = N_("That exercise has ended. Send /breathe for a new one.")
BREATHE_LOGGED = N_("Logged 🌬️ Nicely done.")
BREATHE_NOT_LOGGED = N_("Nicely done. (Finish /start so I can keep a record of it.)")


def breathe_phase(
    title: str, round_no: int, rounds: int, phase: str, seconds: int, bar: str
) -> str:
    """Render one phase of a breathing exercise."""
    return _(
        "🌬️ <b>{title}</b> · round {round}/{rounds}\n\n<b>{phase}</b> for {seconds}\n{bar}"
    ).format(
        title=escape(title),
        round=format_number(round_no),
        rounds=format_number(rounds),
        phase=escape(phase),
        seconds=format_number(seconds),
        bar=bar,
    )


def breathe_done(title: str, logged: bool) -> str:
    """Close a breathing exercise."""
    return f"🌬️ <b>{escape(title)}</b> ✓\n\n" + (
        _(BREATHE_LOGGED) if logged else _(BREATHE_NOT_LOGGED)
    )


# --- Check-in, quick log, today, progress, weekly summary, export and delete (issue 5) ---------


def _text(value: str) -> str:
    """Escape text for HTML parse mode (quotes need no escaping outside attributes)."""
    return escape(value, quote=False)


FINISH_START_FIRST = N_(
    "Let's finish setting you up first: send /start and answer the few setup questions."
)
BUTTON_SKIP = N_("Skip")
BUTTON_UPDATE_CHECKIN = N_("✏️ Update my answers")
BUTTON_LEAVE_IT = N_("No, leave it")
BUTTON_SOMEWHERE_ELSE = N_("Somewhere else")
BUTTON_ADD_NOTE = N_("📝 Add a note")
BUTTON_CHECKIN_DONE = N_("Done")
CHECKIN_QUESTIONS: dict[str, str] = {
    "pain": N_("<b>Pain right now?</b>\n0 = none, 10 = the worst you can imagine."),
    "where": N_("<b>Where do you feel it most?</b>"),
    "stress": N_("<b>Stress today?</b>\n0 = calm, 10 = overwhelmed."),
    "mood": N_("<b>How is your mood?</b>"),
    "sleep": N_("<b>How did you sleep last night?</b>"),
    "gut": N_("<b>How was your tummy today?</b>"),
    "stool": N_(
        "<b>Which is closest to your poo today?</b>\n(You turned this question on in /settings.)"
    ),
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "where": {
        "lower_back": N_("Lower back"),
        "upper_back": N_("Upper back"),
        "neck": N_("Neck & shoulders"),
        "leg": N_("Hip or leg"),
        "other": N_("Elsewhere"),
        "none": N_("Nowhere really"),
    },
    "mood": {"1": "😫", "2": "😕", "3": "😐", "4": "🙂", "5": "😄"},
    "sleep": {"poor": N_("😴 Poorly"), "ok": N_("🙂 OK"), "good": N_("😊 Well")},
    "gut": {
        "comfortable": N_("Comfortable"),
        "bloated": N_("Bloated"),
        "upset": N_("Upset"),
        "constipated": N_("Constipated"),
    },
    # Before issue 14 the gut question was about bloating; old days still show it.
    "bloating": {
        "none": N_("no bloating"),
        "mild": N_("mild bloating"),
        "strong": N_("strong bloating"),
    },
    # The Bristol stool form scale (Lewis & Heaton 1997), types 1-7 in plain words.
    "stool": {
        "1": N_("Hard separate lumps"),
        "2": N_("Lumpy, sausage-shaped"),
        "3": N_("Sausage with cracks"),
        "4": N_("Smooth and soft"),
        "5": N_("Soft blobs, clear edges"),
        "6": N_("Mushy, ragged pieces"),
        "7": N_("Watery, no solid bits"),
    },
    "fu": {"yes": N_("Yes"), "not_yet": N_("Not yet"), "gone": N_("It's gone")},
}


def _choice(question: str, key: str) -> str | None:
    """The label of one answer in the current language (None when there is none)."""
    label = CHOICE_LABELS[question].get(key)
    return None if label is None else _(label)


def button_same_place(place: str) -> str:
    """Label the one-tap "same place as last time" answer."""
    where = _choice("where", place) or place
    return _("Same place ({place})").format(place=where.lower())


# --- Safety: every text the safety rules show (reviewed in docs/safety.md) --------------------

# The red-flag signs as listed in the question (the words recorded with each answer).
RED_FLAG_WORDING: dict[str, str] = {
    "bladder_bowel": N_("New trouble controlling or emptying your bladder or bowels"),
    "saddle": N_("New numbness or tingling around your genitals, buttocks or inner thighs"),
    "both_legs": N_(
        "New weakness or numbness in both legs, or leg weakness that is getting worse"
    ),
    "fever": N_("A fever, or feeling very unwell, along with the back pain"),
    "injury": N_("A recent fall or injury"),
    "weight_cancer": N_("Weight loss you can't explain, or a history of cancer"),
    "night_pain": N_("Pain that is worse at night and doesn't ease with rest"),
}
RED_FLAG_BUTTONS: dict[str, str] = {
    "bladder_bowel": N_("1 Bladder or bowels"),
    "saddle": N_("2 Numb groin or buttocks"),
    "both_legs": N_("3 Legs weak or numb"),
    "fever": N_("4 Fever or very unwell"),
    "injury": N_("5 Fall or injury"),
    "weight_cancer": N_("6 Weight loss or cancer"),
    "night_pain": N_("7 Worse at night"),
}
# "Yesterday you told me about ..." and "You told me about ...".
RED_FLAG_ABOUT: dict[str, str] = {
    "bladder_bowel": N_("trouble with your bladder or bowels"),
    "saddle": N_("numbness around your genitals, buttocks or inner thighs"),
    "both_legs": N_("weakness or numbness in your legs"),
    "fever": N_("a fever or feeling very unwell"),
    "injury": N_("a recent fall or injury"),
    "weight_cancer": N_("weight loss or a history of cancer"),
    "night_pain": N_("pain that is worse at night"),
    # Signs of check-ins before issue 14.
    "leg_weakness": N_("leg weakness getting worse"),
    "weight_loss": N_("weight loss without trying"),
    "blood_in_stool": N_("blood in your stool"),
}
RED_FLAG_INTRO = N_(
    "<b>A quick safety check.</b> Since this pain began or got worse, have you noticed any of "
    "these?"
)
RED_FLAG_HOW = N_("Tap each one that applies, then <b>Done</b> — or “None of these”.")
BUTTON_NONE_OF_THESE = N_("✅ None of these")
BUTTON_RF_DONE = N_("Done")
PAST_DAY_LEFT = N_("Okay, I left that day as it was. Send /checkin for today's check-in.")
EMPTY_PICK = N_("Tick the signs you have, or tap “None of these”.")
SUGGEST_PROVIDER_TEXT = N_(
    "It may be worth talking to a healthcare provider about this pain — a doctor or "
    "physiotherapist can look at what's going on and give you personal advice, especially if "
    "the pain persists or gets worse. Until then, keep to what feels okay and ease off anything "
    "that makes it worse."
)
LOCAL_EMERGENCY_NUMBER = N_("your local emergency number")
BUTTON_REST_LATER = N_("Answer the other questions")
BUTTON_ITS_GONE = N_("It's gone now")
CHECKIN_STOPPED = N_("I've stopped today's check-in here. The other questions can wait.")


def _call(number: str | None) -> str:
    return _("call {number}").format(number=number or _(LOCAL_EMERGENCY_NUMBER))


def _about(signs: tuple[str, ...] | list[str]) -> str:
    about = [_(RED_FLAG_ABOUT[s]) if s in RED_FLAG_ABOUT else s for s in signs]
    if len(about) == 1:
        return about[0]
    # Translators: the last two of a list of signs, e.g. "a fever, a fall and back pain".
    return _("{items} and {last}").format(items=", ".join(about[:-1]), last=about[-1])


def _intro_plain() -> str:
    return _(RED_FLAG_INTRO).replace("<b>", "").replace("</b>", "")


def red_flag_question(ticked: tuple[str, ...]) -> str:
    """Ask about the signs (numbered, so they can be typed), showing the ones ticked."""
    lines = [
        f"{'☑️' if key in ticked else '▫️'} {n}. {_text(_(wording))}"
        for n, (key, wording) in enumerate(RED_FLAG_WORDING.items(), start=1)
    ]
    return f"{_(RED_FLAG_INTRO)}\n" + "\n".join(lines) + f"\n\n{_(RED_FLAG_HOW)}"


def red_flag_recorded(sign: str) -> str:
    """The words recorded with a ticked sign: the question and the sign as listed."""
    return f"{_intro_plain()} — {_(RED_FLAG_WORDING[sign])}"


def no_signs_recorded() -> str:
    """The words recorded with “None of these”."""
    return f"{_intro_plain()} — " + _("None of these")


def emergency_advice(signs: tuple[str, ...], number: str | None) -> str:
    """The warning for a possible cauda equina sign: emergency department now."""
    return _(
        "⚠️ <b>Go to an emergency department now or {call}.</b>\n"
        "You told me about {about}. Together with back pain this needs a "
        "doctor's check straight away — please don't wait to see if it passes. I'm a habit bot "
        "and can't examine you; a doctor can."
    ).format(call=_call(number), about=_text(_about(signs)))


def see_doctor_advice(signs: tuple[str, ...], number: str | None) -> str:
    """The warning for the other red-flag signs: see a doctor within a day or two."""
    return _(
        "🩺 <b>Please see a doctor within a day or two.</b>\n"
        "You told me about {about}. With back pain, that is worth a doctor's "
        "look soon. If you notice numbness around your groin or buttocks, trouble with your "
        "bladder or bowels, or weakness in both legs, go to an emergency department or "
        "{call} straight away."
    ).format(call=_call(number), about=_text(_about(signs)))


def escalation_warning(tier: str | None, signs: tuple[str, ...], number: str | None) -> str:
    """The warning a day's red-flag answers asked for (empty when they asked for none)."""
    if tier == "emergency":
        return emergency_advice(signs, number)
    if tier == "soon":
        return see_doctor_advice(signs, number)
    return ""


def follow_up_question(day: date, today: date, signs: tuple[str, ...]) -> str:
    """Ask, the next time we talk, whether a red-flag sign was checked."""
    about = _text(_about(signs))
    if day == today - timedelta(days=1):
        return _("Yesterday you told me about {about}. Did you get it checked?").format(
            about=about
        )
    return _("On {day} you told me about {about}. Did you get it checked?").format(
        day=short_day(day), about=about
    )


def follow_up_ack(answer: str, tier: str, signs: tuple[str, ...], number: str | None) -> str:
    """Answer "did you get it checked?" kindly, keeping the warning where it still applies."""
    if answer == "yes":
        return _(
            "Thank you for telling me. I'm glad you got it checked — follow what you were advised."
        )
    if answer == "not_yet" and tier == "emergency":
        return _(
            "Thanks for telling me. Please don't wait with this: go to an emergency department "
            "or {call} today."
        ).format(call=_call(number))
    if answer == "not_yet":
        return _(
            "Thanks for telling me. Please book to see a doctor in the next day or two; if it "
            "gets worse, go to an emergency department or {call}."
        ).format(call=_call(number))
    if tier == "emergency":
        return _(
            "Good to hear it has eased. Even so, "
            "{about} with back pain should be checked by a doctor today — "
            "please don't leave it. If it comes back, go to an emergency department or "
            "{call}."
        ).format(about=_text(_about(signs)), call=_call(number))
    return _(
        "Good to hear it has eased. If it comes back, or the pain gets worse, please see a doctor."
    )


def follow_up_recorded(escalation: Any, today: date, answer: str) -> str:
    """The words recorded with a follow-up answer: the question and the answer shown."""
    day: date = escalation.local_date
    if day == today:
        return f"{_(CHECKIN_STOPPED)} — {_(BUTTON_ITS_GONE)}"
    question = follow_up_question(day, today, escalation.signs)
    return f"{question} — {_(CHOICE_LABELS['fu'][answer])}"


def late_sign(day: date, sign: str, number: str | None) -> str:
    """Answer a sign pressed on an older red-flag list: the day stays, the advice is given."""
    head = _("That list is from {day}, so I left that day as it was, and noted {about}.").format(
        day=short_day(day), about=_text(_(RED_FLAG_ABOUT[sign]))
    )
    if TIER_OF[sign] is Tier.EMERGENCY:
        return f"{head}\n\n" + emergency_advice((sign,), number)
    return f"{head}\n\n" + see_doctor_advice((sign,), number)


def short_day(day: date) -> str:
    """Render a local date as "Fri 27 Mar"."""
    # Translators: a CLDR date pattern (weekday, day, month), e.g. "Fri 27 Mar".
    return format_day(day, _("EEE d MMM"))


def checkin_header(day: date, is_today: bool, updating: bool) -> str:
    """Label a check-in question with the day it belongs to."""
    when = _("today") if is_today else short_day(day)
    if updating:
        label = _("Updating your check-in · {when}").format(when=when)
    else:
        label = _("Check-in · {when}").format(when=when)
    return f"📝 <i>{label}</i>\n"


def checkin_question(
    key: str, day: date, is_today: bool, updating: bool, ticked: tuple[str, ...] = ()
) -> str:
    """Render one check-in question."""
    body = red_flag_question(ticked) if key == "rf" else _(CHECKIN_QUESTIONS[key])
    return checkin_header(day, is_today, updating) + body


def confirm_past_day(day: date) -> str:
    """Ask before a button from an older check-in changes that day."""
    return _(
        "That button is from your check-in of <b>{day}</b>, not today's. "
        "Update that day with this answer?"
    ).format(day=short_day(day))


def button_update_day(day: date) -> str:
    """Label the button that confirms changing an earlier day."""
    return _("Yes, update {day}").format(day=short_day(day))


def note_too_long(length: int, limit: int) -> str:
    """Refuse a note over the limit, stating it (nothing is cut or stored)."""
    return ngettext(
        "That note is {length} character; I keep notes of up to {limit}. Nothing was saved: "
        "please send a shorter one.",
        "That note is {length} characters; I keep notes of up to {limit}. Nothing was saved: "
        "please send a shorter one.",
        length,
    ).format(length=format_number(length), limit=format_number(limit))


def note_saved(length: int) -> str:
    """Confirm a stored note."""
    return ngettext(
        "📝 Note saved ({length} character).", "📝 Note saved ({length} characters).", length
    ).format(length=format_number(length))


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
    place = _choice("where", where or "") or ""
    if pain is None:
        pain_text = dash
    else:
        pain_text = _("{score}/10").format(score=format_number(pain))
        if place:
            pain_text += f" ({place.lower()})"
    tummy = _choice("gut", gut or "") or _choice("bloating", bloating or "") or dash
    lines = [
        _("Pain: {answer}").format(answer=pain_text),
        _("Stress: {answer}").format(
            answer=dash if stress is None else _("{score}/10").format(score=format_number(stress))
        ),
        _("Mood: {answer}").format(answer=_choice("mood", str(mood)) or dash),
        _("Sleep: {answer}").format(answer=_choice("sleep", sleep or "") or dash),
        _("Tummy: {answer}").format(answer=tummy),
    ]
    if stool is not None:
        shown_stool = _choice("stool", str(stool)) or str(stool)
        lines.append(_("Stool: {answer}").format(answer=shown_stool.lower()))
    if note:
        # The person's own words, shown back; a very long note is shortened here only.
        shown = note if len(note) <= NOTE_SHOWN else note[: NOTE_SHOWN - 1].rstrip() + "…"
        lines.append(_("Note: “{note}”").format(note=_text(shown)))
    return "\n".join(lines)


def checkin_done(summary: str, is_today: bool, day: date) -> str:
    """Thank the person for a finished check-in."""
    if is_today:
        head = _("✅ Thanks, today's check-in is saved.")
    else:
        head = _("✅ Thanks, the check-in of {day} is saved.").format(day=short_day(day))
    return f"{head}\n\n{summary}"


def checkin_already(summary: str) -> str:
    """Show today's finished check-in and offer to change it."""
    return _("✅ You've checked in today.") + f"\n\n{summary}\n\n" + _("Want to change something?")


# A question's short name in the record of a typed answer (callers pass these words as keys).
ANSWER_NAMES: dict[str, str] = {
    "pain": N_("Pain"),
    "where": N_("Where"),
    "stress": N_("Stress"),
    "mood": N_("Mood"),
    "sleep": N_("Sleep"),
    "tummy": N_("Tummy"),
    "stool": N_("Stool"),
    "safety check": N_("Safety check"),
    "checked": N_("Checked"),
}


def checkin_ack(key: str, shown: str) -> str:
    """Leave a short record of an answer when the conversation moves on below it."""
    name = _(ANSWER_NAMES[key]) if key in ANSWER_NAMES else key.capitalize()
    return f"📝 {_text(name)}: {_text(shown)} ✓"


# Typed check-in answers: what fits each question when the text did not.
# Translators: the words in <i>...</i> are what the bot understands when typed; keep them.
TYPED_ANSWER_HINTS: dict[str, str] = {
    "pain": N_("Pain: a number from 0 to 10, or tap a button."),
    "rf": N_(
        "Safety check: tap each sign that applies and then Done, type their numbers "
        "(like <i>1 3</i>), or type <i>none</i>."
    ),
    "where": N_(
        "Where: <i>same</i>, <i>lower back</i>, <i>upper back</i>, <i>neck</i>, "
        "<i>leg</i>, <i>other</i> or <i>none</i>, or tap a button."
    ),
    "stress": N_("Stress: a number from 0 to 10, or tap a button."),
    "mood": N_("Mood: a number from 1 (low) to 5 (great) or a face like 🙂, or tap a button."),
    "sleep": N_("Sleep: <i>poor</i>, <i>ok</i> or <i>good</i>, or tap a button."),
    "gut": N_(
        "Tummy: <i>comfortable</i>, <i>bloated</i>, <i>upset</i> or <i>constipated</i>, "
        "or tap a button."
    ),
    "stool": N_("Stool: a number from 1 to 7 (the list's order), or tap a button."),
    "fu": N_(
        "Did you get it checked? <i>yes</i>, <i>not yet</i> or <i>it's gone</i>, or tap a button."
    ),
    "fu_today": N_(
        "If it has passed, type <i>it's gone</i>. Either way, please get it checked "
        "today. To go on with the check-in, tap “Answer the other questions”."
    ),
}
SKIPPED = N_("skipped")
SAME_UNKNOWN = N_("I don't have an earlier place yet — tap where you feel it.")
NOTE_PROMPT = N_("📝 Type your note for {day} — anything you'd like to remember.")


def typed_answer_hint(key: str) -> str:
    """Say what a typed answer to the open question looks like; nothing was saved."""
    hint = _(TYPED_ANSWER_HINTS.get(key, N_("Please tap a button.")))
    if key.startswith("fu"):
        return hint
    return _("{hint} Or type <i>skip</i>.").format(hint=hint)


def with_advice(ack: str, advice: str) -> str:
    """Put the gentle pain suggestion under the answer that raised it."""
    return f"{ack}\n\n🩺 {_text(advice)}"


def checkin_closing(summary: str, warning: str, gentle: bool) -> str:
    """The summary's care lines: a red-flag warning repeated, or the gentler suggestion."""
    if warning:
        return f"{summary}\n\n{warning}"
    if gentle:
        return f"{summary}\n\n🩺 {_text(_(SUGGEST_PROVIDER_TEXT))}"
    return summary


# Quick log: confirmations, Undo, and why a message logged nothing
LOG_HINT = N_(
    "I didn't catch a habit there, so I logged nothing. Tap what you did, or write it like "
    "<i>drank 2 glasses</i>, <i>walked 20 min</i>, <i>had kefir</i>, <i>did breathing</i>."
)
LOG_USAGE = N_(
    "What did you do? Tap one, or write e.g. <code>/log water</code>, "
    "<code>/log walk 20 min</code>."
)
LOG_ALREADY = N_("Already logged from this message ✓")
BUTTON_UNDO = N_("↩️ Undo")
BUTTON_HOT_ON = N_("☕ Count tea & coffee as water")
BUTTON_HOT_OFF = N_("☕ Stop counting tea & coffee")
UNDO_GONE = N_("That entry was already undone, so nothing changed.")
UNDO_TOO_LATE = N_("That entry is more than a day old, so it stays. Nothing changed.")
HOT_ON = N_(
    "☕ Done: tea and coffee now count toward water. Send it again and I'll log it. "
    "(You can switch this off under any tea you log.)"
)
HOT_OFF = N_(
    "☕ Okay: tea and coffee no longer count toward water. Earlier logs stay as they are."
)


def day_words(day: date | None, today: date | None) -> str:
    """Name a log's day: "today", "yesterday (Mon 30 Nov)" or "on Sat 28 Nov"."""
    if day is None or today is None or day == today:
        return _("today")
    if (today - day).days == 1:
        return _("yesterday ({day})").format(day=short_day(day))
    return _("on {day}").format(day=short_day(day))


def _count(done: int, target: int, day: date | None, today: date | None) -> str:
    counts = {"done": format_number(done), "target": format_number(target)}
    if day is None or day == today:
        return _("{done}/{target} today.").format(**counts)
    return _("{done}/{target} that day.").format(**counts)


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
    names = {"label": _text(label), "what": _text(what)}
    if day is None or day == today:
        line = _("✅ {label}: {what} logged.").format(**names)
    elif today is None:
        line = _("✅ {label}: {what} logged for today.").format(**names)
    elif (today - day).days == 1:
        line = _("✅ {label}: {what} logged for yesterday ({day}).").format(
            day=short_day(day), **names
        )
    else:
        line = _("✅ {label}: {what} logged for {day}.").format(day=short_day(day), **names)
    line += " " + _count(done, target, day, today)
    if done == target:
        line += " " + _("Goal reached! 🎉")
    if large:
        amount, unit = large
        line += "\n" + _(
            "{amount} {unit}? I logged {amount} — tap Undo if that was a typo."
        ).format(amount=format_number(amount), unit=_text(unit))
    return line


def undone(
    label: str, what: str, done: int, target: int, day: date | None, today: date | None
) -> str:
    """Say exactly which entry Undo removed and where the day stands now."""
    return (
        _("↩️ Undone: {what} ({label}, {when}) removed.").format(
            what=_text(what), label=_text(label), when=day_words(day, today)
        )
        + " "
        + _count(done, target, day, today)
    )


_HABIT_WORDS = {
    "water": N_("water"),
    "move": N_("movement"),
    "food": N_("food"),
    "breathe": N_("breathing"),
}


def not_logged(refusal: NotLogged) -> str:
    """Say in one short answer why nothing was logged."""
    match refusal.reason:
        case Refusal.OTHER_DRINK:
            drink = _text(refusal.detail.capitalize())
            text = _("{drink} isn't water, so I logged nothing for 💧 Hydration.").format(
                drink=drink
            )
            if refusal.detail in HOT_DRINKS:
                text += " " + _("If you'd like tea and coffee to count toward water, tap below.")
            return text
        case Refusal.NOT_DONE:
            if refusal.habit in _HABIT_WORDS:
                return _(
                    "Okay, I logged nothing for {habit}. No pressure — tell me when you've "
                    "done it."
                ).format(habit=_(_HABIT_WORDS[refusal.habit]))
            return _("Okay, I logged nothing. No pressure — tell me when you've done it.")
        case Refusal.NOT_YET:
            return _(
                "Sounds like a plan! I log things once they're done, so I logged nothing yet — "
                "tell me afterwards."
            )
        case Refusal.QUESTION:
            return _(
                "That reads like a question, so I logged nothing. I log what you did, e.g. "
                "<i>walked 20 min</i>; /help lists what I can do."
            )
        case Refusal.TOO_FAR_BACK:
            return _(
                "That's more than a week back, so I logged nothing. I can log up to 7 days "
                "back, e.g. <i>had kefir yesterday</i> or <i>walked on Monday</i>."
            )
        case Refusal.TOO_MUCH:
            return _(
                "{amount}? That can't be right, so I logged nothing. Write it "
                "again with the real amount."
            ).format(amount=_text(refusal.detail))
        case Refusal.TOO_LONG:
            return _(
                "That's a long message, so I logged nothing. A few words do, e.g. "
                "<i>walked 20 min</i>."
            )
    return _(LOG_HINT)


# Today and progress
NOTHING_YET = N_("Nothing logged yet today.")
PROGRESS_EMPTY = N_(
    "No progress to show yet. Log a habit (e.g. <i>drank a glass of water</i>) or do a "
    "/checkin, and your streaks and chart appear here."
)
PROGRESS_USAGE = N_(
    "Send /progress for your recent days, or a number of days from 7 to 120, e.g. "
    "<code>/progress 90</code>."
)


def chart_caption(days: int) -> str:
    """Caption the chart: what it shows, over how many days."""
    return ngettext(
        "Pain and mood, and each habit's days (goal met / some / none), last {count} day.",
        "Pain and mood, and each habit's days (goal met / some / none), last {count} days.",
        days,
    ).format(count=format_number(days))


def local_when(at: datetime, today: date) -> str:
    """Render a local time as "14:00", "tomorrow 07:00" or "Mon 09:00"."""
    time = format_clock(at)
    if at.date() == today:
        return time
    if at.date() == today + timedelta(days=1):
        return _("tomorrow {time}").format(time=time)
    if at.date() < today + timedelta(days=7):
        # Translators: a CLDR pattern for a short weekday ("Mon"), followed by the time.
        return _("{weekday} {time}").format(weekday=format_day(at, _("EEE")), time=time)
    return short_day(at.date())


def today_line(label: str, done: int, target: int, state: str) -> str:
    """One habit's line in /today."""
    mark = "✅" if target and done >= target else "▫️"
    line = f"{mark} {_text(label)}: {format_number(done)}/{format_number(target)}"
    return line + (f" · {state}" if state else "")


def today_view(day: date, lines: list[str], upcoming: str | None, paused: str | None) -> str:
    """Render /today."""
    text = _("<b>Today, {day}</b>").format(day=short_day(day)) + "\n" + "\n".join(lines)
    if paused:
        text += "\n\n" + _("⏸ Nudges paused until {when}.").format(when=paused)
    elif upcoming:
        text += "\n\n" + _("⏭ Next: {when}").format(when=upcoming)
    return text


def _days(n: int) -> str:
    return ngettext("{count} day", "{count} days", n).format(count=format_number(n))


def _pct(value: float | None) -> str:
    return "–" if value is None else format_percent(value)


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
    flex = (
        " · " + _("🌱 flexible {days}").format(days=_days(flexible)) if flexible > streak else ""
    )
    return (
        _("<b>{label}</b> · goal {goal} a day").format(
            label=_text(label), goal=format_number(goal)
        )
        + "\n"
        + _run_line(streak, best)
        + flex
        + "\n"
        + _("habit strength: {word} · 7 days {week} · 30 days {month}").format(
            word=strength_word, week=_pct(week), month=_pct(month)
        )
    )


def _run_line(streak: int, best: int) -> str:
    """Say the goal-met run; no run yet is a start to make, not a zero."""
    if streak:
        return _("🔥 goal met {days} in a row (best {best})").format(
            days=_days(streak), best=format_number(best)
        )
    if best:
        return _("🔥 best run {days}: meet today's goal to start a new one").format(
            days=_days(best)
        )
    return _("🔥 meet today's goal to start a run")


def freezes_line(spent: list[tuple[str, date]], left: int) -> str:
    """Say which missed days a streak freeze saved, and how many are left."""
    saved = "; ".join(
        _("{label} on {day}").format(label=_text(label), day=short_day(day))
        for label, day in spent
    )
    if left == 0:
        left_text = _("no freezes left")
    else:
        left_text = ngettext("{count} freeze left", "{count} freezes left", left).format(
            count=format_number(left)
        )
    if saved:
        return _("🧊 A streak freeze saved your streak: {saved} ({left}).").format(
            saved=saved, left=left_text
        )
    if left:
        return _("🧊 {left}: a missed day won't break your streak.").format(
            left=left_text.capitalize()
        )
    return ""


MILESTONE_LINES: dict[int, str] = {
    3: N_("🌱 3 days in a row — it's taking root."),
    7: N_("🎉 A whole week in a row!"),
    14: N_("💪 Two weeks in a row — this is becoming yours."),
    30: N_("🏅 30 days in a row. That's a real habit now."),
    100: N_("🏆 100 days in a row. Remarkable."),
}
_PAIN_TRENDS = {
    "down": N_("Your pain has been going down lately. 📉"),
    "up": N_("Your pain has been rising lately; go gently. 📈"),
    "steady": N_("Your pain has been about steady lately."),
}


def progress_view(lines: list[str], trend: str, freezes: str = "") -> str:
    """Render /progress."""
    trend_text = _(
        _PAIN_TRENDS.get(trend, N_("A few more check-ins and I can show how your pain moves."))
    )
    extra = f"\n\n{freezes}" if freezes else ""
    return _("<b>Your progress</b>") + "\n\n" + "\n\n".join(lines) + extra + f"\n\n{trend_text}"


# Weekly summary
WEEKLY_UNAVAILABLE = N_("Your weekly summary will be here once you've finished /start.")
INSIGHT_LABELS: dict[str, str] = {
    "move": N_("movement"),
    "water": N_("water"),
    "food": N_("gut-friendly food"),
    "breathe": N_("breathing"),
}
_WEEK_TRENDS = {
    "down": N_("going down"),
    "up": N_("going up"),
    "steady": N_("about steady"),
}


def weekly_summary(
    adherence: list[tuple[str, float | None]],
    pain_start: float | None,
    pain_end: float | None,
    trend: str,
    insight: str,
) -> str:
    """Render the Sunday summary."""
    lines = [_("<b>Your week</b> 🗓")]
    for label, share in adherence:
        lines.append(f"{_text(label)}: {_pct(share)}")
    if pain_start is None or pain_end is None:
        lines.append("\n" + _("Pain: no check-ins this week."))
    else:
        moved = _(_WEEK_TRENDS.get(trend, N_("too few check-ins for a trend")))
        lines.append(
            "\n"
            + _("Pain: {start} → {end} this week ({moved}).").format(
                start=format_number(pain_start), end=format_number(pain_end), moved=moved
            )
        )
    if insight:
        lines.append(f"\n💡 {_text(insight)}")
    return "\n".join(lines)


def weekly_care_line(day: date, signs: tuple[str, ...], answer: str | None) -> str:
    """Mention a red-flag escalation of the week in the weekly summary."""
    told = _("🩺 On {day} you told me about {about}.").format(
        day=short_day(day), about=_text(_about(signs))
    )
    if answer == "yes":
        return f"{told} " + _("Thank you for getting it checked.")
    if answer == "gone":
        return f"{told} " + _("You said it had eased; if it comes back, please see a doctor.")
    return f"{told} " + _("If you haven't yet, please get it checked by a doctor.")


# Export and delete
EXPORT_NOTHING = N_("I have nothing stored about you, so there is nothing to export.")
EXPORT_CAPTION_ZIP = N_(
    "Your data. README.txt explains every file and column; the CSV files open in any "
    "spreadsheet, nudgebot.json is the same for programs."
)
DELETE_ASK = N_(
    "<b>Delete everything?</b> This erases your check-ins, logs, schedules, messages and "
    "challenge memberships, and stops all nudges. It cannot be undone. (/export first if you "
    "want a copy.)"
)
BUTTON_DELETE = N_("🗑 Yes, delete everything")
BUTTON_KEEP_DATA = N_("No, keep it")
DELETE_NOTHING = N_("There is nothing stored about you, so there is nothing to delete.")
DELETE_KEPT = N_("Okay, nothing was deleted.")
DELETE_DONE = N_(
    "Done: everything I stored about you is erased and I won't message you. "
    "Send /start any time to begin again from scratch."
)


BREATHE_IN = N_("Breathe in")
BREATHE_HOLD = N_("Hold")
BREATHE_OUT = N_("Breathe out")
BOX_TITLE = N_("Box breathing 4-4-4-4")
BOX_BUTTON = N_("⬜ Box 4-4-4-4 · 1 min")
RELAX_TITLE = N_("4-7-8 breathing")
RELAX_BUTTON = N_("🌙 4-7-8 · 1¼ min")
TIP_GENERAL = N_("🌿 Good to know")


# --- Group challenges ------------------------------------------------------------------------

CHALLENGE_IN_GROUPS = N_(
    "Challenges live in group chats: add me to a group and send /challenge there."
)
CHALLENGE_MENU = N_("<b>Pick a challenge for this group</b> – everyone can join, admins start it:")
CHALLENGE_JOIN_BUTTON = N_("🙋 Join")
CHALLENGE_STANDINGS_BUTTON = N_("📊 Standings")
NOT_GROUP_ADMIN = N_("Only the group's admins can start or stop a challenge.")
NO_CHALLENGE = N_("No challenge is running here. An admin can start one with /challenge.")
CHALLENGE_OVER = N_("That challenge has ended. /challenge shows what's running now.")
CHALLENGE_GONE = N_("That challenge is not in this group.")
JOIN_ALREADY = N_("You're in already 💪")
JOIN_NEED_START_SHORT = N_("Say hi to me in private first (tap /start there), then join.")


def challenge_choice(title: str, target: int) -> str:
    """Label a challenge in the menu, e.g. "💧 7-day hydration · 6/day"."""
    return _("{title} · {target}/day").format(title=title, target=format_number(target))


def challenge_running_short(title: str, day: int, days: int) -> str:
    """Say briefly that a challenge runs already (fits a button's answer)."""
    return _("{title} is running already (day {day} of {days}). One at a time!").format(
        title=title, day=format_number(day), days=format_number(days)
    )


def challenge_running(board: str) -> str:
    """Say that a challenge runs already and show where it stands."""
    return _("One challenge at a time – this one is running:") + f"\n\n{board}"


def challenge_started(title: str, days: int, target: int, verb: str) -> str:
    """Announce a new challenge in the group."""
    return ngettext(
        "🏁 <b>{title}</b> starts today!\n"
        "Goal: {verb} {target}× a day, for {days} day. A day counts when you reach {target}.\n\n"
        "Tap <b>Join</b> (or send /join). Then log as usual in our private chat – a nudge's "
        "Done button, /log or just tell me. Standings every evening at 20:00.",
        "🏁 <b>{title}</b> starts today!\n"
        "Goal: {verb} {target}× a day, for {days} days. A day counts when you reach {target}.\n\n"
        "Tap <b>Join</b> (or send /join). Then log as usual in our private chat – a nudge's "
        "Done button, /log or just tell me. Standings every evening at 20:00.",
        days,
    ).format(
        title=escape(title), verb=verb, target=format_number(target), days=format_number(days)
    )


def challenge_joined(name: str, title: str, members: int) -> str:
    """Welcome a member to the challenge."""
    others = members - 1
    names = {"name": escape(name[:64]), "title": escape(title)}
    if not others:
        return _("🙌 {name} joined {title}.").format(**names)
    return ngettext(
        "🙌 {name} joined {title} with {count} other.",
        "🙌 {name} joined {title} with {count} others.",
        others,
    ).format(count=format_number(others), **names)


def join_need_start(name: str, link: str) -> str:
    """Ask someone to start the bot in private before joining, with a link to do it."""
    return _(
        "{name}, to join I need your OK in private first (so I can count your "
        'logs): <a href="{link}">open a chat with me</a>, tap Start, then /join here.'
    ).format(name=escape(name[:64]), link=escape(link))


def challenge_stopped(title: str) -> str:
    """Confirm that an admin stopped the challenge."""
    return _("⏹ {title} is stopped. Thanks for taking part! /challenge starts a new one.").format(
        title=escape(title)
    )


def challenge_line(
    rank: int, name: str, days_done: int, today: int, target: int, streak: int, *, show_today: bool
) -> str:
    """One member's standing: days done, today's count, streak."""
    parts = [f"{rank}. {escape(name[:64]) or '?'} – {_days(days_done)}"]
    if show_today:
        today_text = _("today {done}/{target}").format(
            done=format_number(today), target=format_number(target)
        )
        parts.append(today_text + (" ✅" if today >= target else ""))
    if streak >= 2:
        parts.append(f"🔥{format_number(streak)}")
    return " · ".join(parts)


def _members(lines: list[str], hidden: int) -> str:
    if not lines:
        return _("Nobody has joined yet – tap Join!")
    more = "\n" + _("…and {count} more").format(count=format_number(hidden)) if hidden else ""
    return "\n".join(lines) + more


def challenge_board(
    title: str, day: int, days: int, target: int, lines: list[str], hidden: int
) -> str:
    """The standings of a running challenge."""
    head = _("<b>{title}</b> – day {day} of {days} (goal {target}/day)").format(
        title=escape(title),
        day=format_number(day),
        days=format_number(days),
        target=format_number(target),
    )
    return f"{head}\n{_members(lines, hidden)}"


def challenge_final(
    title: str, days: int, winners: list[str], lines: list[str], hidden: int
) -> str:
    """The final post: congratulations to everyone who completed most of the days."""
    if winners:
        names = ", ".join(escape(n[:64]) for n in winners)
        cheer = ngettext(
            "🎉 Congratulations to {names} for completing most of the {days} day!",
            "🎉 Congratulations to {names} for completing most of the {days} days!",
            days,
        ).format(names=names, days=format_number(days))
    elif lines:
        cheer = _("Every day you showed up counts. Ready for another round? /challenge")
    else:
        cheer = _("Nobody joined this time. Maybe the next one? /challenge")
    head = _("🏆 <b>{title}</b> is over!").format(title=escape(title))
    return f"{head}\n{cheer}\n\n{_members(lines, hidden)}"


# --- The weekly PEG-3 (Krebs et al. 2009): wording reviewed in docs/safety.md ------------------

PEG_INTRO = N_("One more, just once a week: three quick questions about the <b>past week</b>.")
PEG_QUESTIONS = {
    "peg_p": N_("In the past week, what number best describes your pain on average?"),
    "peg_e": N_("In the past week, how much has pain interfered with your enjoyment of life?"),
    "peg_g": N_("In the past week, how much has pain interfered with your general activity?"),
}
# Under the 0-10 buttons, what the ends of the scale mean for each question.
PEG_SCALES = {
    "peg_p": N_("0 = no pain, 10 = pain as bad as you can imagine"),
    "peg_e": N_("0 = does not interfere, 10 = completely interferes"),
    "peg_g": N_("0 = does not interfere, 10 = completely interferes"),
}
PEG_NUMBER_PLEASE = N_("A number from 0 to 10, please.")
BUTTON_PEG_LATER = N_("Not this week")
PEG_LATER = N_("No problem, maybe next week.")


def peg_question(key: str, first: bool) -> str:
    """One PEG question with what its scale means (the first says what these are)."""
    body = f"{_(PEG_QUESTIONS[key])}\n<i>{_(PEG_SCALES[key])}</i>"
    return f"{_(PEG_INTRO)}\n\n{body}" if first else body


def peg_done(score: float) -> str:
    """Thanks for the three answers, with the week's score."""
    return _("Thank you. Your weekly pain score (PEG) is {score} out of 10.").format(
        score=format_decimal(score, 1)
    )


def _peg_numbers(first: float, last: float, weeks: int) -> dict[str, str]:
    """The numbers of a PEG change, as the person's locale writes them."""
    return {
        "first": format_decimal(first, 1),
        "last": format_decimal(last, 1),
        "weeks": format_number(weeks),
    }


def peg_progress_line(first: float, last: float, weeks: int) -> str:
    """The /progress line: the weekly score, and how it moved."""
    if weeks < 2:
        return _("Weekly pain score (PEG): {score}").format(score=format_decimal(last, 1))
    return ngettext(
        "Weekly pain score (PEG): {first} → {last} over {weeks} week",
        "Weekly pain score (PEG): {first} → {last} over {weeks} weeks",
        weeks,
    ).format(**_peg_numbers(first, last, weeks))


def peg_weekly_change(first: float, last: float, weeks: int) -> str:
    """The weekly summary's plain line about a change of a point or more (never a diagnosis)."""
    return ngettext(
        "Your weekly pain score went from {first} to {last} over {weeks} week.",
        "Your weekly pain score went from {first} to {last} over {weeks} weeks.",
        weeks,
    ).format(**_peg_numbers(first, last, weeks))


# --- The optional PHQ-4 (Kroenke et al. 2009; see docs/safety.md) ------------------------------

PHQ_OFFER = N_("Every two weeks I can ask four short questions about mood and worry. Want that?")
BUTTON_PHQ_YES = N_("Yes")
BUTTON_PHQ_NO = N_("No thanks")
PHQ_ON = N_(
    "Good. Every two weeks, after your check-in, I'll ask them. "
    "You can turn this off in /settings."
)
PHQ_OFF = N_("No problem. If you change your mind, it's in /settings.")
PHQ_NO_CONSENT = N_(
    "I can only keep these answers if you agreed to me storing your data. Send /start to see it."
)


def phq_item(item: str) -> str:
    """One PHQ-4 item in its published wording."""
    words = {
        "interest": _("Little interest or pleasure in doing things"),
        "down": _("Feeling down, depressed or hopeless"),
        "nervous": _("Feeling nervous, anxious or on edge"),
        "worry": _("Not being able to stop or control worrying"),
    }
    return words[item]


def phq_answer(score: int) -> str:
    """The label of one PHQ-4 answer (0-3)."""
    labels = (
        _("Not at all"),
        _("Several days"),
        _("More than half the days"),
        _("Nearly every day"),
    )
    return labels[score]


def phq_question(item: str, number: int, total: int) -> str:
    """Ask one PHQ-4 item with its two-week wording."""
    head = _("Over the last 2 weeks, how often have you been bothered by:")
    count = _("Question {number} of {total}").format(
        number=format_number(number), total=format_number(total)
    )
    return f"<i>{count}</i>\n{head}\n<b>{escape(phq_item(item))}</b>"


def phq_done(care: bool, line: str | None) -> str:
    """Close a PHQ-4: thanks, and at the cut-off the kind line with the support line if known."""
    if not care:
        return _("Thank you for answering. I'll ask again in two weeks.")
    text = _(
        "Some of these weeks sound hard. Talking to a doctor or a mental-health service can help."
    )
    if line is not None:
        text += "\n" + _("If you'd like to talk to someone now: {line}.").format(line=escape(line))
    return text


def phq_setting(on: bool) -> str:
    """Say whether the PHQ-4 is asked every two weeks."""
    state = _("on") if on else _("off")
    return "\n" + _(
        "Mood questions: <b>{state}</b> — four short questions about mood and worry every two "
        "weeks, after the check-in."
    ).format(state=state)


def phq_toggle(on: bool) -> str:
    """Label the button that turns the PHQ-4 on or off."""
    return _("Turn the mood questions off") if on else _("Turn the mood questions on")


# Reading a constant from this module gives its translation in the current locale.
catalog_module(__name__)
