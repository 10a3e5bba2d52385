"""Render what the bot decided into messages: one registry (kind -> renderer) for the outbox.

The sender looks a queued row's kind up here when it sends it, so a queued message shows
today's wording; the handlers call the same functions (a challenge board, a nudge's
keyboard) for what they show at once.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode

from bot.domain import content, insights
from bot.domain.checkin import FOLLOW_UP_ANSWERS, date_code
from bot.domain.habits import CATALOG, Habit
from bot.domain.intents import (
    RENDERED,
    BroadcastMessage,
    ChallengeBoard,
    FollowUp,
    LessOften,
    NudgeDue,
    NudgePassed,
    WeeklySummaryDue,
)
from bot.domain.nudging import habit_info
from bot.services import summary
from bot.services.summary import WeeklyReport
from bot.storage.deliveries import DeliveryRecord
from bot.storage.uow import Database
from bot.telegram import texts
from bot.telegram.keyboards import button, inline

NUDGE = "n"


@dataclass(frozen=True)
class Outgoing:
    """One message ready for the Bot API (or an edit of an earlier one)."""

    text: str | None
    parse_mode: str | None = None
    markup: InlineKeyboardMarkup | None = None
    quiet: bool | None = None
    document: InputFile | None = None
    edit: int | None = None


Renderer = Callable[[Database, DeliveryRecord, Mapping[str, Any]], Awaitable[Outgoing]]
Registry = Mapping[str, Renderer]


# -------------------------------------------------------------------- nudges


def label_of(habit: str) -> str:
    """Return a habit's label, e.g. "💧 Hydration"."""
    info = habit_info(habit)
    return info.label if info is not None else habit


def nudge_text(due: NudgeDue) -> str:
    """Say a nudge: its text, one line on where the person stands, the check-in's question."""
    choices = content.nudges(due.habit)
    text = texts.nudge(label_of(due.habit), choices[due.text % len(choices)])
    standing = texts.nudge_standing(due.done, due.goal, due.after_miss)
    if standing:
        text = f"{text}\n<i>{standing}</i>"
    if due.habit == "checkin":
        text = f"{text}\n\n{texts.CHECKIN_QUESTIONS['pain']}"
    return text


def nudge_keyboard(habit: str, delivery_id: int) -> InlineKeyboardMarkup:
    """Return a nudge's buttons; each names the delivery it belongs to."""
    snooze_60 = button(texts.NUDGE_SNOOZE_60, NUDGE, "snz", delivery_id, 60)
    skip = button(texts.NUDGE_SKIP_TODAY, NUDGE, "skip", delivery_id)
    if habit == "checkin":
        # The check-in reminder asks the first question itself: a tap is today's pain.
        pain = [button(str(n), "c", "p", n) for n in range(11)]
        return inline([pain[:6], pain[6:], [snooze_60, skip]])
    rows: list[list[InlineKeyboardButton]] = []
    if habit == "breathe":
        rows.append([button(texts.NUDGE_BREATHE, "b", "start", delivery_id)])
    rows.append([button(texts.NUDGE_DONE, NUDGE, "done", delivery_id)])
    rows.append([button(texts.NUDGE_SNOOZE_15, NUDGE, "snz", delivery_id, 15), snooze_60, skip])
    return inline(rows)


async def _nudge(_db: Database, record: DeliveryRecord, p: Mapping[str, Any]) -> Outgoing:
    due = NudgeDue.of(p)
    return Outgoing(nudge_text(due), ParseMode.HTML, nudge_keyboard(due.habit, record.id))


async def _less_often(_db: Database, record: DeliveryRecord, p: Mapping[str, Any]) -> Outgoing:
    habit = LessOften.of(p).habit
    keep = button(texts.NUDGE_KEEP_RHYTHM, NUDGE, "keep", record.id)
    return Outgoing(texts.backing_off(label_of(habit)), ParseMode.HTML, inline([[keep]]))


async def _follow_up(_db: Database, _record: DeliveryRecord, p: Mapping[str, Any]) -> Outgoing:
    ask = FollowUp.of(p)
    labels = texts.CHOICE_LABELS["fu"]
    day = date_code(ask.day)
    buttons = [button(labels[a], "c", "f", day, a) for a in FOLLOW_UP_ANSWERS]
    text = texts.follow_up_question(ask.day, ask.today, ask.signs)
    return Outgoing(text, ParseMode.HTML, inline([buttons]))


async def _nudge_passed(_db: Database, _record: DeliveryRecord, p: Mapping[str, Any]) -> Outgoing:
    passed = NudgePassed.of(p)
    info = habit_info(passed.habit)
    at = passed.sent_at.astimezone(ZoneInfo(passed.zone))
    line = texts.nudge_passed(info.emoji if info else "⏰", at)
    return Outgoing(line, None, edit=passed.message_id)


# -------------------------------------------------------------------- the weekly summary


def weekly_text(report: WeeklyReport) -> str:
    """Say a week's summary, then the week's red-flag escalations again."""
    week = report.week
    if week is None:
        text = texts.WEEKLY_UNAVAILABLE
    else:
        adherence = [
            (CATALOG[Habit(habit)].label, share)
            for habit, share in week.adherence.items()
            if habit in {h.value for h in Habit}
        ]
        insight = (
            insights.say(report.finding, texts.INSIGHT_LABELS)
            if report.finding is not None
            else ""
        )
        text = texts.weekly_summary(adherence, week.pain_start, week.pain_end, week.trend, insight)
    care = [texts.weekly_care_line(c.day, c.signs, c.answer) for c in report.care]
    peg = report.peg
    if peg is not None and peg.meaningful:
        # A change of a point or more is named plainly, never read as a diagnosis.
        text += "\n\n" + texts.peg_weekly_change(peg.first, peg.last, peg.weeks)
    return "\n\n".join([text, *care])


async def _weekly(db: Database, record: DeliveryRecord, p: Mapping[str, Any]) -> Outgoing:
    if record.person_id is None:
        raise ValueError("a weekly summary needs a person")
    report = await summary.build(db, record.person_id, WeeklySummaryDue.of(p).as_of)
    return Outgoing(weekly_text(report), ParseMode.HTML)


# -------------------------------------------------------------------- group challenges


def board_text(board: ChallengeBoard) -> str:
    """Say a challenge's standings: a header and one line per member shown."""
    lines = [
        texts.challenge_line(
            rank,
            s.name,
            s.days_done,
            s.today,
            board.daily_target,
            s.streak,
            show_today=not board.final,
        )
        for rank, s in enumerate(board.ranked, start=1)
    ]
    if board.final:
        return texts.challenge_final(
            board.title, board.days, list(board.winners), lines, board.hidden
        )
    return texts.challenge_board(
        board.title, board.day_number, board.days, board.daily_target, lines, board.hidden
    )


def board_keyboard(challenge_id: int, *, join: bool) -> InlineKeyboardMarkup:
    """Return a challenge's buttons: Join while it runs, and Standings."""
    row = [button(texts.CHALLENGE_STANDINGS_BUTTON, "g", "stand", challenge_id)]
    if join:
        row.insert(0, button(texts.CHALLENGE_JOIN_BUTTON, "g", "join", challenge_id))
    return inline([row])


async def _board(_db: Database, _record: DeliveryRecord, p: Mapping[str, Any]) -> Outgoing:
    board = ChallengeBoard.of(p)
    keyboard = board_keyboard(board.challenge_id, join=not board.final)
    return Outgoing(board_text(board), ParseMode.HTML, keyboard)


# -------------------------------------------------------------------- broadcasts and old rows


async def _broadcast(_db: Database, _record: DeliveryRecord, p: Mapping[str, Any]) -> Outgoing:
    # The admin's own words, sent as typed (no HTML: nothing in them is markup).
    return Outgoing(BroadcastMessage.of(p).text, None)


def _legacy_keyboard(payload: Mapping[str, Any], delivery_id: int) -> InlineKeyboardMarkup | None:
    """Build a rendered payload's keyboard; "{id}" in button data becomes the delivery id."""
    rows = payload.get("buttons")
    if not rows:
        return None
    built = []
    for row in rows:
        buttons = []
        for b in row:
            if "url" in b:
                buttons.append(InlineKeyboardButton(b["text"], url=b["url"]))
            else:
                data = str(b["data"]).replace("{id}", str(delivery_id))
                buttons.append(InlineKeyboardButton(b["text"], callback_data=data))
        built.append(buttons)
    return InlineKeyboardMarkup(built)


def _legacy_document(payload: Mapping[str, Any]) -> InputFile | None:
    """Return a rendered payload's document as an upload, if it has one."""
    doc = payload.get("document")
    if not doc:
        return None
    filename = doc.get("filename")
    if "base64" in doc:
        return InputFile(base64.b64decode(doc["base64"]), filename=filename)
    path = Path(doc["path"])
    return InputFile(path.read_bytes(), filename=filename or path.name)


async def _rendered(_db: Database, record: DeliveryRecord, p: Mapping[str, Any]) -> Outgoing:
    """Send a message rendered before intents existed (version 0) as it was stored."""
    text, edit = p.get("text"), p.get("edit")
    return Outgoing(
        text=text if isinstance(text, str) else None,
        parse_mode=p.get("parse_mode"),
        markup=_legacy_keyboard(p, record.id),
        quiet=p.get("disable_notification"),
        document=_legacy_document(p),
        edit=edit if isinstance(edit, int) else None,
    )


REGISTRY: Registry = {
    NudgeDue.KIND: _nudge,
    LessOften.KIND: _less_often,
    FollowUp.KIND: _follow_up,
    NudgePassed.KIND: _nudge_passed,
    WeeklySummaryDue.KIND: _weekly,
    ChallengeBoard.KIND: _board,
    BroadcastMessage.KIND: _broadcast,
    RENDERED: _rendered,
}
