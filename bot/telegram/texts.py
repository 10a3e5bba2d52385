"""Every sentence people read that is not a nudge or a tip (those live in domain/content)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

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
    "/progress – streaks, trends and what seems to help\n"
    "/tip – a tip for your habits\n"
    "/breathe – a guided breathing exercise\n"
    "/settings – time zone, your day, sitting hours, habits and times\n"
    "/pause – pause nudges (e.g. /pause 3d); /resume – turn them back on\n"
    "/privacy – what I store and why\n"
    "/export – download your data; /delete – erase it all\n"
    "/help – this list\n\n"
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
    latest: tuple[int, int, dict[str, int]] | None,
) -> str:
    """Render the admin overview."""
    lines = [
        "<b>nudgebot</b>",
        f"People: {people} ({reachable} reachable, {inactive} blocked the bot)",
        "Outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(outbox.items())) or "empty"),
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
ALREADY_ANSWERED = "You already answered this one."
LESS_KEPT = "Got it, I'll keep nudging as before. 💪"
LESS_AT_MINIMUM = (
    "That's already as seldom as this nudge gets. You can turn it off in your settings."
)


def nudge(label: str, text: str) -> str:
    """Render a nudge: the habit's label and a (content, markup-free) text."""
    return f"<b>{escape(label)}</b>\n{escape(text)}"


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
        + "\n\nI'll stay quiet outside your waking hours. Try /tip or /breathe now; "
        "/settings changes anything, /pause takes a break, /help lists everything."
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


def settings_menu(zone: str, day: str, sit: str, lines: list[str], pause: str | None) -> str:
    """Render the settings overview."""
    text = (
        f"{SETTINGS_TITLE}\n\n🌍 Time zone: {escape(zone)}\n☀️ Day: {day}\n🪑 Sitting: {sit}\n\n"
        + "\n".join(lines)
    )
    return text + (f"\n\n⏸ {pause}" if pause else "")


def habit_settings(label: str, schedule: str, enabled: bool, hint: str) -> str:
    """Show one habit's settings."""
    state = escape(schedule) if enabled else "off"
    return f"<b>{escape(label)}</b>\nNow: {state}\n\n{hint}"


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
BUTTON_SKIP_NOTE = "Skip the note"
BUTTON_UPDATE_CHECKIN = "✏️ Update my answers"
BUTTON_LEAVE_IT = "No, leave it"
CHECKIN_QUESTIONS: dict[str, str] = {
    "pain": "<b>Pain right now?</b>\n0 = none, 10 = the worst you can imagine.",
    "where": "<b>Where do you feel it most?</b>",
    "stress": "<b>Stress today?</b>\n0 = calm, 10 = overwhelmed.",
    "mood": "<b>How is your mood?</b>",
    "sleep": "<b>How did you sleep last night?</b>",
    "bloating": "<b>Your gut today: any bloating?</b>",
    "stool": (
        "<b>Stool form today?</b> (Bristol scale, optional)\n"
        "1–2 hard lumps · 3–4 smooth, easy · 5–7 soft to watery"
    ),
    "note": "<b>Anything else about today?</b>\nType a short note, or tap Skip.",
}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "where": {
        "lower_back": "Lower back",
        "neck": "Neck & shoulders",
        "other": "Somewhere else",
        "none": "Nowhere really",
    },
    "mood": {"1": "😫", "2": "😕", "3": "😐", "4": "🙂", "5": "😄"},
    "sleep": {"poor": "😴 Poorly", "ok": "🙂 OK", "good": "😊 Well"},
    "bloating": {"none": "None", "mild": "Mild", "strong": "Strong"},
}
RED_FLAG_INTRO = (
    "<b>A quick safety check</b>, because your pain is high. Since it began or got worse, "
    "have you noticed any of these?"
)
RED_FLAG_BUTTONS: dict[str, str] = {
    "saddle": "Numbness: groin or buttocks",
    "bladder_bowel": "Bladder or bowel control",
    "leg_weakness": "Leg weakness getting worse",
    "fever": "Fever or feeling unwell",
    "weight_loss": "Weight loss without trying",
    "blood_in_stool": "Blood in stool",
}
BUTTON_NONE_OF_THESE = "✅ None of these"
PAST_DAY_LEFT = "Okay, I left that day as it was. Send /checkin for today's check-in."


def short_day(day: date) -> str:
    """Render a local date as "Fri 27 Mar"."""
    return f"{day:%a} {day.day} {day:%b}"


def checkin_header(day: date, is_today: bool, updating: bool) -> str:
    """Label a check-in question with the day it belongs to."""
    when = "today" if is_today else short_day(day)
    verb = "Updating your check-in" if updating else "Check-in"
    return f"📝 <i>{verb} · {when}</i>\n"


def red_flag_question(signs: list[str]) -> str:
    """Ask once about the signs that need a doctor soon."""
    listed = "\n".join(f"• {_text(s)}" for s in signs)
    return f"{RED_FLAG_INTRO}\n{listed}\n\nTap one that applies, or “None of these”."


def checkin_question(key: str, day: date, is_today: bool, updating: bool, signs: list[str]) -> str:
    """Render one check-in question."""
    body = red_flag_question(signs) if key == "rf" else CHECKIN_QUESTIONS[key]
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


def checkin_summary(
    *,
    pain: int | None,
    where: str | None,
    stress: int | None,
    mood: int | None,
    sleep: str | None,
    bloating: str | None,
    stool: int | None,
    note: str | None,
) -> str:
    """Render a day's answers on a few short lines."""
    dash = "–"
    place = CHOICE_LABELS["where"].get(where or "", "")
    pain_text = dash if pain is None else f"{pain}/10" + (f" ({place.lower()})" if place else "")
    lines = [
        f"Pain: {pain_text}",
        f"Stress: {dash if stress is None else f'{stress}/10'}",
        f"Mood: {CHOICE_LABELS['mood'].get(str(mood), dash)}",
        f"Sleep: {CHOICE_LABELS['sleep'].get(sleep or '', dash)}",
        f"Bloating: {CHOICE_LABELS['bloating'].get(bloating or '', dash)}"
        + (f" · stool {stool}" if stool is not None else ""),
    ]
    if note:
        lines.append(f"Note: {len(note)} characters")
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
    "rf": "Safety check: tap the sign that applies, or type <i>none</i>.",
    "where": "Where: <i>lower back</i>, <i>neck</i>, <i>shoulders</i>, <i>other</i> or "
    "<i>none</i>, or tap a button.",
    "stress": "Stress: a number from 0 to 10, or tap a button.",
    "mood": "Mood: a number from 1 (low) to 5 (great) or a face like 🙂, or tap a button.",
    "sleep": "Sleep: <i>poor</i>, <i>ok</i> or <i>good</i>, or tap a button.",
    "bloating": "Bloating: <i>none</i>, <i>mild</i> or <i>strong</i>, or tap a button.",
    "stool": "Stool: a number from 1 to 7 (Bristol scale), or tap a button.",
}
SKIPPED = "skipped"


def typed_answer_hint(key: str) -> str:
    """Say what a typed answer to the open question looks like; nothing was saved."""
    hint = TYPED_ANSWER_HINTS.get(key, "Please tap a button.")
    return f"{hint} Or type <i>skip</i>."


def with_advice(ack: str, advice: str, *, urgent: bool) -> str:
    """Put safety advice under the answer that raised it."""
    if urgent:
        return f"{ack}\n\n⚠️ <b>{_text(advice)}</b>"
    return f"{ack}\n\n🩺 {_text(advice)}"


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
CHART_CAPTION = "Pain and stress (top) and habits done per day (bottom), last 30 days."


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
    label: str, streak: int, best: int, strength: float, week: float | None, month: float | None
) -> str:
    """One habit's line in /progress."""

    def pct(value: float | None) -> str:
        return "–" if value is None else f"{round(value * 100)}%"

    return (
        f"<b>{_text(label)}</b>\n"
        f"🔥 streak {streak} (best {best}) · 💪 strength {round(strength)}%\n"
        f"7 days {pct(week)} · 30 days {pct(month)}"
    )


def progress_view(lines: list[str], trend: str) -> str:
    """Render /progress."""
    trend_text = {
        "down": "Your pain has been going down lately. 📉",
        "up": "Your pain has been rising lately; go gently. 📈",
        "steady": "Your pain has been about steady lately.",
    }.get(trend, "A few more check-ins and I can show how your pain moves.")
    return "<b>Your progress</b>\n\n" + "\n\n".join(lines) + f"\n\n{trend_text}"


# Weekly summary
WEEKLY_UNAVAILABLE = "Your weekly summary will be here once you've finished /start."
INSIGHT_LABELS: dict[str, str] = {
    "move": "movement breaks",
    "water": "glasses of water",
    "food": "gut-friendly meals",
    "breathe": "breathing breaks",
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
    lines.append(f"\n💡 {_text(insight)}")
    return "\n".join(lines)


# Export and delete
EXPORT_NOTHING = "I have nothing stored about you, so there is nothing to export."
EXPORT_CAPTION_ZIP = "Your data: one CSV file per table."
EXPORT_CAPTION_JSON = "The same data as one JSON file."
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
