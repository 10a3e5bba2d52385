"""Fuzzing the running bot: generated updates and button data must never make it log an error.

Hypothesis generates the inputs (button data of every known prefix with mutated arguments,
raw junk, odd and huge texts, commands in the wrong chats); they go through the sandbox to the
real Application in batches, each batch followed by a settle. Every pressed button must be
answered, and no log record may be above WARNING.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.telegram import callbacks, texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import forge, say

EXAMPLES = 600
BATCH = 40

HABITS = ["water", "move", "food", "breathe", "checkin", "sleep", "WATER", ""]
# Every prefix the bot makes, with placeholders for the arguments.
TEMPLATES = [
    "n:done:{id}",
    "n:snz:{id}:{num}",
    "n:skip:{id}",
    "n:less:{id}",
    "n:keep:{id}",
    "s:menu",
    "s:close",
    "s:zone",
    "s:day",
    "s:sit",
    "s:loc",
    "s:z:{num}",
    "s:dw:{window}",
    "s:sw:{window}",
    "s:pause",
    "s:p:{word}",
    "s:resume",
    "s:h:{habit}",
    "s:on:{habit}",
    "s:off:{habit}",
    "s:t:{habit}",
    "s:d:{habit}",
    "s:r:{habit}",
    "s:iv:{habit}:{num}",
    "s:tm:{habit}:{hhmm}",
    "s:dd:{habit}:{word}",
    "o:yes",
    "o:privacy",
    "o:z:{num}",
    "o:wake:{hhmm}",
    "o:sleep:{hhmm}",
    "o:sit:{window}",
    "o:on:{habit}",
    "o:off:{habit}",
    "o:done",
    "c:go",
    "c:no",
    "c:up:{date}",
    "c:a:{date}:{word}:{num}",
    "c:y:{date}:{word}:{num}",
    "x:del:{num}",
    "x:keep",
    "a:send:{id}",
    "a:drop:{id}",
    "l:add:{habit}",
    "b:start",
    "b:{word}",
    "g:join:{id}",
    "g:stand:{id}",
    "g:start:{word}",
]
COMMANDS = [
    "/start",
    "/help",
    "/settings",
    "/checkin",
    "/today",
    "/progress",
    "/tip",
    "/breathe",
    "/log",
    "/pause",
    "/resume",
    "/export",
    "/delete",
    "/privacy",
    "/challenge",
    "/join",
    "/standings",
    "/stopchallenge",
    "/broadcast",
    "/stats",
    "/nosuchcommand",
]

PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_.+-/", min_size=0, max_size=12)
NUMBERS = st.one_of(
    st.integers(-5, 200),
    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**20, -(2**63) - 1]),
    st.integers(-(10**30), 10**30),
).map(str)
FILLERS: dict[str, st.SearchStrategy[str]] = {
    "id": st.one_of(NUMBERS, PART),
    "num": st.one_of(NUMBERS, PART),
    "word": st.one_of(st.sampled_from(["1d", "3d", "7d", "0", "all", "wk", "we", "pain"]), PART),
    "habit": st.one_of(st.sampled_from(HABITS), PART),
    "hhmm": st.one_of(
        st.integers(0, 9999).map(lambda n: f"{n:04d}"), st.sampled_from(["0900", "2400"]), PART
    ),
    "window": st.one_of(
        st.tuples(st.integers(0, 2999), st.integers(0, 2999)).map(
            lambda t: f"{t[0]:04d}-{t[1]:04d}"
        ),
        PART,
    ),
    "date": st.one_of(
        st.sampled_from(["20260327", "20260326", "20250101", "20261399", "99999999"]), PART
    ),
}


@st.composite
def button_data(draw: st.DrawFn) -> str:
    """Callback data: a known shape with generated arguments, then perhaps mutated."""
    shape = draw(st.sampled_from(TEMPLATES))
    data = shape.format(**{k: draw(v) for k, v in FILLERS.items()})
    parts = data.split(":")
    match draw(st.integers(0, 5)):
        case 0:  # one more argument
            parts.append(draw(PART))
        case 1 if len(parts) > 1:  # one fewer
            parts.pop()
        case 2:  # one part replaced by anything at all
            parts[draw(st.integers(0, len(parts) - 1))] = draw(st.text(max_size=20))
        case _:
            pass
    return ":".join(parts)


TEXTS = st.one_of(
    st.text(min_size=1, max_size=200),
    st.text(alphabet="😀🙂💧🧘‍♀️🏃🥗 \u200b\u202e", min_size=1, max_size=30),
    st.sampled_from(["a" * 4096, "💧" * 2048, "/start " + "x" * 4000, "\u0000", " ", "8", "7"]),
    st.tuples(st.sampled_from(COMMANDS), st.text(max_size=60)).map(lambda t: f"{t[0]} {t[1]}"),
    st.sampled_from(COMMANDS),
    st.sampled_from(COMMANDS).map(lambda c: f"{c}@nudge_test_bot"),
    st.sampled_from(COMMANDS).map(lambda c: f"{c}@some_other_bot"),
)


@dataclass(frozen=True)
class Press:
    who: int  # index into the people
    where: int  # 0: their private chat, 1: the group
    message: int  # index into the bot's messages there (wraps around)
    data: str | None  # None: a real button of that message, mutated


@dataclass(frozen=True)
class Say:
    who: int
    where: int
    text: str


@dataclass(frozen=True)
class Share:
    """A shared location (how a person sets their time zone)."""

    who: int
    where: int
    latitude: float
    longitude: float


PRESSES = st.builds(
    Press,
    who=st.integers(0, 2),
    where=st.integers(0, 1),
    message=st.integers(0, 50),
    data=st.one_of(st.none(), button_data(), button_data(), button_data(), st.text(max_size=70)),
)
SAYS = st.builds(Say, who=st.integers(0, 2), where=st.integers(0, 1), text=TEXTS)
SHARES = st.builds(
    Share,
    who=st.integers(0, 2),
    where=st.integers(0, 1),
    latitude=st.floats(-90, 90),
    longitude=st.floats(-180, 180),
)
ACTIONS = st.one_of(PRESSES, PRESSES, SAYS, SAYS, SHARES)


def generate() -> list[Press | Say | Share]:
    """Let hypothesis draw the inputs (deterministically, so a failure can be replayed)."""
    drawn: list[Press | Say | Share] = []

    @settings(
        max_examples=EXAMPLES,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(ACTIONS)
    def collect(action: Press | Say | Share) -> None:
        drawn.append(action)

    collect()
    return drawn


def mutate(data: str, salt: int) -> str:
    """Change a real button's data a little: a stale or tampered copy of it."""
    parts = data.split(":")
    match salt % 4:
        case 0:
            return data
        case 1:
            return ":".join([*parts[:-1], "99999999999999999999"])
        case 2:
            return ":".join([*parts, "0"])
        case _:
            return ":".join(parts[:-1]) if len(parts) > 2 else data + "x"


async def test_generated_updates_log_nothing_above_warning(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sandbox = harness.sandbox
    unlimited = 1_000_000
    sandbox.limits = replace(
        sandbox.limits,
        private_per_second=unlimited,
        private_burst=unlimited,
        group_per_minute=unlimited,
        group_burst=unlimited,
        global_per_second=unlimited,
        global_burst=unlimited,
    )
    assert harness.db is not None
    ana, bo, cy = (sandbox.add_user(n) for n in ("Ana", "Bo", "Cy"))
    for person in (ana, bo):
        await make_person(
            harness.db, person.id, now=harness.clock.now(), first_name=person.first_name
        )
    harness.make_admin(ana)
    group = sandbox.add_group("Team", members=[ana, bo, cy])
    await sandbox.add_bot_to_group(group.id, ana)
    await harness.settle()
    # Screens with buttons to press (and to tamper with), and a few real nudges.
    for person in (ana, bo):
        for command in ("/settings", "/checkin", "/delete", "/breathe", "/today", "/tip"):
            await say(harness, person, command, replies=0)
    await say(harness, ana, "/broadcast Drink a glass of water.", replies=0)
    await say(harness, cy, "/start", replies=0)
    await say(harness, ana, "/challenge", chat_id=group.id, replies=0)
    harness.clock.advance(timedelta(hours=3))
    await harness.tick()
    people = [ana, bo, cy]

    actions = generate()
    assert len(actions) >= 500
    pressed: list[tuple[str, str]] = []
    for start in range(0, len(actions), BATCH):
        for n, action in enumerate(actions[start : start + BATCH]):
            user = people[action.who]
            chat_id = user.id if action.where == 0 else group.id
            if isinstance(action, Say):
                await sandbox.send_text(user, action.text, chat_id=chat_id)
                continue
            if isinstance(action, Share):
                await sandbox.send_location(user, action.latitude, action.longitude, chat_id)
                continue
            messages = sandbox.bot_messages(chat_id) or sandbox.bot_messages(ana.id)
            target = messages[action.message % len(messages)]
            data = action.data
            if data is None:
                real = [b.callback_data for row in target.buttons for b in row if b.callback_data]
                if not real:
                    data = "zzz"
                else:
                    chosen = real[(start + n) % len(real)]
                    data = mutate(chosen, start + n)
            query_id = await sandbox.press_callback(user, target.message_id, data, target.chat_id)
            pressed.append((query_id, data))
        await harness.settle(timeout=60)
        errors = [r for r in caplog.records if r.levelno > logging.WARNING]
        assert not errors, _describe(errors)

    unanswered = [data for query_id, data in pressed if sandbox.callback_answer(query_id) is None]
    assert unanswered == []
    assert len(pressed) >= 200


def _describe(records: list[logging.LogRecord]) -> str:
    lines = []
    for r in records[:10]:
        where = [line.strip() for line in (r.exc_text or "").splitlines() if "/bot/" in line]
        error = (r.exc_text or "").splitlines()[-1:]
        lines.append(f"{r.levelname} {r.name}: {r.getMessage()} {where[-1:]} {error}")
    return "\n".join(lines)


FORGED = [
    "n:done:99999999999999999999",
    "n:done:2147483648",
    "n:snz:1:99999999999999999999",
    "n:skip:-1",
    "n:done:1_0",
    "s:tm:water:0900",
    "s:tm:move:2400",
    "s:iv:food:60",
    "s:z:99999999999999999999",
    "a:send:99999999999999999999",
    "a:drop:2147483648",
    "x:del:99999999999999999999",
    "c:a:99999999:pain:5",
    "l:add:99999999999999999999",
    "o:z:-99999999999999999999",
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_buttons_get_the_stale_answer_quietly(
    harness: Harness, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    caplog.set_level(logging.DEBUG)
    ana = harness.sandbox.add_user("Ana")
    harness.make_admin(ana)
    assert harness.db is not None
    await make_person(harness.db, ana.id, now=harness.clock.now())
    [menu] = await say(harness, ana, "/settings")
    answer: Any = await forge(harness, ana, menu, data)
    assert answer.text == texts.STALE_BUTTON
    loud = [r for r in caplog.records if r.levelno > logging.INFO]
    assert loud == [], _describe(loud)


async def test_a_forged_challenge_button_gets_the_stale_answer_quietly(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ana = harness.sandbox.add_user("Ana")
    group = harness.sandbox.add_group("Team", members=[ana])
    await harness.sandbox.add_bot_to_group(group.id, ana)
    await harness.settle()
    [menu] = await say(harness, ana, "/challenge", chat_id=group.id)
    for data in ("g:join:99999999999999999999", "g:stand:2147483648", "g:join:-5"):
        query_id = await harness.sandbox.press_callback(ana, menu.message_id, data, group.id)
        answer = await harness.sandbox.wait_for_callback_answer(query_id)
        assert answer.text == texts.STALE_BUTTON
    await harness.settle()
    loud = [r for r in caplog.records if r.levelno > logging.INFO]
    assert loud == [], _describe(loud)


async def test_a_delete_confirmation_pressed_twenty_times(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    ana = harness.sandbox.add_user("Ana")
    assert harness.db is not None
    await make_person(harness.db, ana.id, now=harness.clock.now())
    [ask] = await say(harness, ana, "/delete")
    [data] = [
        b.callback_data for row in ask.buttons for b in row if "x:del" in (b.callback_data or "")
    ]
    pressed = [await harness.sandbox.press_callback(ana, ask.message_id, data) for _ in range(20)]
    await harness.settle()
    assert all(harness.sandbox.callback_answer(q) is not None for q in pressed)
    assert [r for r in caplog.records if r.levelno > logging.WARNING] == []


async def test_a_bad_button_a_handler_missed_gets_the_stale_answer(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    async def careless(update: Update, context: object) -> None:
        assert update.callback_query is not None
        callbacks.int_arg(callbacks.decode(update.callback_query.data, "zz")[1])

    assert harness.app is not None
    # First among the feature handlers (ahead of the catch-all for unknown buttons).
    harness.app.handlers[0].insert(0, CallbackQueryHandler(careless, pattern="^zz:"))
    ana = harness.sandbox.add_user("Ana")
    [reply] = await say(harness, ana, "/help")
    answer = await forge(harness, ana, reply, "zz:x:99999999999999999999")
    assert answer.text == texts.STALE_BUTTON
    assert [r for r in caplog.records if r.levelno > logging.INFO] == []
    assert any("stale or forged button" in r.getMessage() for r in caplog.records)
