"""Every check-in button reaches exactly one action's handler; anything else is stale."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from telegram import InlineKeyboardMarkup

from bot.domain.checkin import QUESTIONS, Answers
from bot.domain.safety import Tier
from bot.services.checkin import CheckInDone, Escalation
from bot.telegram import checkin

DAY = date(2026, 3, 27)


def data_of(markup: InlineKeyboardMarkup | None) -> list[str]:
    assert markup is not None
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]


def actions_matching(data: str) -> list[str]:
    return [a for a in checkin.PRESSES if re.match(checkin.pattern(a), data)]


def every_button() -> list[str]:
    made: list[str] = []
    for key in QUESTIONS:
        for action in (checkin.Action.ANSWER, checkin.Action.CONFIRMED):
            made += data_of(checkin.question_keyboard(key, DAY, action, same="lower_back"))
    made += data_of(checkin.closing_keyboard(DAY))
    made += data_of(checkin.follow_up_keyboard(DAY))
    shown: dict[str, Any] = {"day": DAY, "is_today": True, "answers": Answers(pain=3)}
    made += data_of(checkin.render(CheckInDone(**shown))[1])
    made += data_of(checkin.render(Escalation(tier=Tier.SOON, signs=("fever",), **shown))[1])
    made += data_of(InlineKeyboardMarkup(checkin.reminder_pain_rows()))
    return [*made, "c:go", "c:no", "c:more"]


def test_the_reminder_asks_pain_with_the_buttons_it_always_had() -> None:
    rows = [[b.callback_data for b in row] for row in checkin.reminder_pain_rows()]
    assert rows == [[f"c:p:{n}" for n in range(6)], [f"c:p:{n}" for n in range(6, 11)]]


def test_each_button_made_has_exactly_one_handler() -> None:
    for data in every_button():
        assert len(actions_matching(data)) == 1, data


@pytest.mark.parametrize(
    "data",
    ["c:", "c:go:1", "c:a:20260327:pain", "c:a:20260327:pain:3:4", "c:t:20260327", "c:zz", "c:p"],
)
def test_forged_shapes_reach_no_action(data: str) -> None:
    assert actions_matching(data) == []
