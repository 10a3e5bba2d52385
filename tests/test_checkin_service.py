"""The check-in's use cases without Telegram: typed results on a real database, a fake clock."""

from __future__ import annotations

import ast
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.domain.checkin import (
    NOTE_MAX,
    BadAnswer,
    FollowUpAnswer,
    Question,
    wait_of,
)
from bot.domain.habits import Habit
from bot.domain.pending import Feature, PendingInput
from bot.domain.safety import Tier
from bot.services import checkin as service
from bot.services.checkin import (
    CheckInDone,
    CheckInStep,
    Escalation,
    FollowedUp,
    FollowUpAsked,
    NoteSaved,
    RedFlagsAsked,
    TypedAnswer,
)
from bot.storage.checkins import EscalatedDay
from bot.storage.uow import Database
from tests.factories import make_person

ANA = 1001
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Words:
    """Stands in for the text catalog: the service stores whatever words the edge showed."""

    shown: list[str] = field(default_factory=list)

    def provider_suggestion(self) -> str:
        return self._show("see a provider")

    def sign_recorded(self, sign: str) -> str:
        return self._show(f"sign {sign}")

    def no_signs_recorded(self) -> str:
        return self._show("none of these")

    def follow_up_recorded(
        self, escalated: EscalatedDay, today: date, answer: FollowUpAnswer
    ) -> str:
        return self._show(f"checked {escalated.local_date} on {today}: {answer}")

    def _show(self, words: str) -> str:
        self.shown.append(words)
        return words


@pytest.fixture
async def ana(db: Database, clock: FakeClock) -> int:
    """An onboarded person in Berlin without reminders."""
    await make_person(db, ANA, now=clock.now(), habits=())
    return ANA


def today(clock: FakeClock) -> date:
    return clock.now().astimezone(BERLIN).date()


async def snapshot(db: Database, person_id: int) -> tuple[Any, ...]:
    """Everything a check-in answer could change: rows, flags, logs and the open question."""
    async with db.uow() as uow:
        checkins = await uow.checkins.between(person_id, date(2000, 1, 1), date(2100, 1, 1))
        flags = await uow.checkins.flags(person_id)
        person = await uow.people.get(person_id)
        logs = await uow.habit_logs.counts_on(person_id, date(2026, 3, 27))
    assert person is not None
    rows = [(c.local_date, c.pain, c.pain_where, c.mood, c.note, c.skipped) for c in checkins]
    return rows, [(f.kind, f.detail) for f in flags], person.pending, logs


async def answer_today(
    db: Database, clock: FakeClock, words: Words, *answers: tuple[str, str]
) -> service.CheckInResult:
    """Answer today's questions in order, as buttons would; return where the check-in stands."""
    result: service.CheckInResult | None = None
    for key, raw in answers:
        result = await service.answer(db.uow(), ANA, None, key, raw, clock.now(), words=words)
    assert result is not None
    return result


async def awaiting(db: Database, person_id: int) -> PendingInput | None:
    async with db.uow() as uow:
        person = await uow.people.get(person_id)
    assert person is not None
    return person.pending


async def test_a_whole_checkin_returns_typed_steps_and_logs_the_habit(
    db: Database, clock: FakeClock, ana: int
) -> None:
    words = Words()
    now = clock.now()
    step = await service.start(db.uow(), ana, now)
    assert isinstance(step, CheckInStep) and step.question is Question.PAIN
    assert step.day == today(clock) and step.is_today and step.number == "112"
    pending = await awaiting(db, ana)
    assert pending is not None
    wait = wait_of(pending, BERLIN)
    assert wait is not None and wait.question is Question.PAIN and wait.day == today(clock)
    asked: list[Question] = []
    for key, raw in [
        ("pain", "3"),
        ("where", "neck"),
        ("stress", "4"),
        ("mood", "4"),
        ("sleep", "good"),
        ("gut", "comfortable"),
    ]:
        assert isinstance(step, CheckInStep)
        asked.append(step.question)
        step = await service.answer(db.uow(), ana, None, key, raw, now, words=words)
    assert asked == ["pain", "where", "stress", "mood", "sleep", "gut"]
    assert isinstance(step, CheckInDone) and step.finished_now
    assert step.answers.pain == 3 and step.answers.where == "neck" and step.answers.gut
    assert await awaiting(db, ana) is None
    async with db.uow() as uow:
        done = await uow.habit_logs.counts_on(ana, today(clock))
    assert done.get(Habit.CHECKIN.value) == 1
    again = await service.start(db.uow(), ana, now)
    assert isinstance(again, CheckInDone) and not again.finished_now
    assert words.shown == []  # no safety question was asked


async def test_high_pain_asks_red_flags_and_an_emergency_sign_stops_the_checkin(
    db: Database, clock: FakeClock, ana: int
) -> None:
    words = Words()
    now = clock.now()
    code = today(clock)
    step = await service.answer(db.uow(), ana, None, "pain", "8", now, words=words)
    assert isinstance(step, CheckInStep) and step.question is Question.WHERE
    assert step.pain_flags_now and step.pain_flags == ("high_pain",)
    listed = await service.answer(db.uow(), ana, None, "where", "lower_back", now, words=words)
    assert isinstance(listed, RedFlagsAsked) and listed.ticked == ()
    ticked = await service.toggle_sign(db.uow(), ana, code, "saddle", now)
    ticked = await service.toggle_sign(db.uow(), ana, code, "bladder_bowel", now)
    assert isinstance(ticked, RedFlagsAsked) and ticked.ticked == ("bladder_bowel", "saddle")
    stop = await service.answer(db.uow(), ana, code, "rf", "done", now, words=words)
    assert isinstance(stop, Escalation)
    assert stop.tier is Tier.EMERGENCY and stop.signs == ("bladder_bowel", "saddle")
    assert stop.number == "112"
    _, flags, wait, _ = await snapshot(db, ana)
    assert flags == [
        ("high_pain", "pain 8"),
        ("emergency", "bladder_bowel"),
        ("emergency", "saddle"),
    ]
    assert words.shown == ["see a provider", "sign bladder_bowel", "sign saddle"]
    assert wait is not None
    typed = wait_of(wait, BERLIN)
    assert typed is not None and typed.question is Question.FOLLOW_UP  # "it's gone" may follow


async def test_the_next_day_asks_the_follow_up_first(
    db: Database, clock: FakeClock, ana: int
) -> None:
    words = Words()
    day = today(clock)
    await answer_today(db, clock, words, ("pain", "7"), ("where", "leg"))
    await service.toggle_sign(db.uow(), ana, day, "fever", clock.now())
    stop = await service.answer(db.uow(), ana, day, "rf", "done", clock.now(), words=words)
    assert isinstance(stop, Escalation) and stop.tier is Tier.SOON
    clock.advance(timedelta(days=1))
    asked = await service.start(db.uow(), ana, clock.now())
    assert isinstance(asked, FollowUpAsked) and asked.escalated.local_date == day
    wait = await awaiting(db, ana)
    assert wait is not None
    done = await service.answer_text(db.uow(), ana, wait, "not yet", clock.now(), words=words)
    assert isinstance(done, FollowedUp) and done.answer is FollowUpAnswer.NOT_YET
    assert isinstance(done.next, CheckInStep) and done.next.question is Question.PAIN
    assert words.shown[-1] == f"checked {day} on {day + timedelta(days=1)}: not_yet"
    again = await service.start(db.uow(), ana, clock.now())
    assert isinstance(again, CheckInStep)  # answered: not asked twice


async def test_typed_answers_go_through_the_open_question(
    db: Database, clock: FakeClock, ana: int
) -> None:
    words = Words()
    await service.start(db.uow(), ana, clock.now())
    wait = await awaiting(db, ana)
    assert wait is not None
    typed = await service.answer_text(db.uow(), ana, wait, "7/10", clock.now(), words=words)
    assert isinstance(typed, TypedAnswer) and typed.question is Question.PAIN
    assert typed.raw == "7" and typed.result.answers.pain == 7
    assert isinstance(typed.result, CheckInStep) and typed.result.question is Question.WHERE


@pytest.mark.parametrize(
    "text",
    ["seven", "7/10", "🤷", "x" * 5000, "fever", "", "   "],
)
async def test_typed_text_that_fits_no_answer_changes_nothing(
    db: Database, clock: FakeClock, ana: int, text: str
) -> None:
    words = Words()
    await answer_today(db, clock, words, ("pain", "2"), ("where", "neck"), ("stress", "2"))
    wait = await awaiting(db, ana)  # the mood question (1-5) is open
    assert wait is not None
    before = await snapshot(db, ana)
    with pytest.raises(service.NotAnAnswer) as miss:
        await service.answer_text(db.uow(), ana, wait, text, clock.now(), words=words)
    assert miss.value.key == "mood"
    assert await snapshot(db, ana) == before


async def test_skip_typed_marks_the_gap_and_walks_on(
    db: Database, clock: FakeClock, ana: int
) -> None:
    await service.start(db.uow(), ana, clock.now())
    wait = await awaiting(db, ana)
    assert wait is not None
    typed = await service.answer_text(db.uow(), ana, wait, "skip", clock.now(), words=Words())
    assert isinstance(typed, TypedAnswer) and typed.raw == "skip"
    assert "pain" in typed.result.answers.skipped and typed.result.answers.pain is None


async def test_red_flags_typed_as_words_are_never_guessed(
    db: Database, clock: FakeClock, ana: int
) -> None:
    words = Words()
    await answer_today(db, clock, words, ("pain", "9"), ("where", "lower_back"))
    wait = await awaiting(db, ana)
    assert wait is not None
    before = await snapshot(db, ana)
    for text in ("fever", "yes", "8", "😱"):
        with pytest.raises(service.NotAnAnswer):
            await service.answer_text(db.uow(), ana, wait, text, clock.now(), words=words)
    assert await snapshot(db, ana) == before
    picked = await service.answer_text(db.uow(), ana, wait, "4 and 5", clock.now(), words=words)
    assert isinstance(picked, TypedAnswer) and isinstance(picked.result, Escalation)
    assert picked.result.signs == ("fever", "injury")


async def test_an_old_question_stops_catching_typed_text(
    db: Database, clock: FakeClock, ana: int
) -> None:
    await service.start(db.uow(), ana, clock.now())
    wait = await awaiting(db, ana)
    assert wait is not None
    clock.advance(timedelta(hours=3))
    with pytest.raises(service.AnswerExpired):
        await service.answer_text(db.uow(), ana, wait, "4", clock.now(), words=Words())
    assert await awaiting(db, ana) is None
    for junk in (
        PendingInput(Feature.CHECKIN, "nope", clock.now()),
        PendingInput(Feature.CHECKIN, "note", clock.now()),  # a note without its day
        PendingInput(Feature.SETTINGS, "pain", clock.now()),
    ):
        with pytest.raises(service.AnswerExpired):
            await service.answer_text(db.uow(), ana, junk, "4", clock.now(), words=Words())


async def test_a_note_is_stored_whole_and_a_longer_one_changes_nothing(
    db: Database, clock: FakeClock, ana: int
) -> None:
    day = today(clock)
    shown = await service.ask_note(db.uow(), ana, day, clock.now())
    assert isinstance(shown, CheckInDone)
    wait = await awaiting(db, ana)
    assert wait is not None
    before = await snapshot(db, ana)
    with pytest.raises(service.NoteTooLong):
        await service.answer_text(
            db.uow(), ana, wait, "n" * (NOTE_MAX + 1), clock.now(), words=Words()
        )
    assert await snapshot(db, ana) == before
    note = "slept badly; " * 300
    saved = await service.answer_text(db.uow(), ana, wait, note, clock.now(), words=Words())
    assert isinstance(saved, NoteSaved) and saved.length == len(note)
    assert saved.result.answers.note == note
    assert await awaiting(db, ana) is None


async def test_stale_and_forged_buttons_change_nothing(
    db: Database, clock: FakeClock, ana: int
) -> None:
    words = Words()
    now = clock.now()
    day = today(clock)
    await service.start(db.uow(), ana, now)
    before = await snapshot(db, ana)
    uow, yesterday = db.uow, day - timedelta(days=1)

    def answer(day: date, key: str, raw: str) -> Any:
        return service.answer(uow(), ana, day, key, raw, now, words=words)

    refused: list[tuple[type[Exception], Callable[[], Awaitable[object]]]] = [
        (service.StaleDay, lambda: answer(day + timedelta(days=1), "pain", "3")),
        (service.StaleDay, lambda: answer(day - timedelta(days=30), "pain", "3")),
        (BadAnswer, lambda: answer(day, "nope", "3")),
        (BadAnswer, lambda: answer(day, "pain", "11")),
        (BadAnswer, lambda: answer(day, "pain", "-1")),
        (BadAnswer, lambda: answer(day, "mood", "seven")),
        (BadAnswer, lambda: service.toggle_sign(uow(), ana, day, "headache", now)),
        (service.StaleDay, lambda: service.toggle_sign(uow(), ana, yesterday, "fever", now)),
        (service.EmptyPick, lambda: answer(day, "rf", "done")),
        (service.StaleDay, lambda: service.follow_up(uow(), ana, day, "yes", now, words=words)),
        (BadAnswer, lambda: service.follow_up(uow(), ana, day, "maybe", now, words=words)),
        (service.StaleDay, lambda: service.update_today(uow(), ana, yesterday, now)),
        (service.SameUnknown, lambda: answer(day, "where", "same")),
        (service.NeedsConfirm, lambda: answer(yesterday, "pain", "3")),
    ]
    for error, call in refused:
        with pytest.raises(error):
            await call()
    after = await snapshot(db, ana)
    # An empty row for the earlier day may exist now (it was read); no answer changed.
    assert [r for r in after[0] if r[0] == day] == [r for r in before[0] if r[0] == day]
    assert all(r[1:] == (None, None, None, None, []) for r in after[0] if r[0] != day)
    assert after[1:] == before[1:]
    assert words.shown == []


async def test_a_sign_pressed_on_an_older_list_is_kept_and_the_day_stays(
    db: Database, clock: FakeClock, ana: int
) -> None:
    words = Words()
    day = today(clock)
    await answer_today(db, clock, words, ("pain", "8"), ("where", "lower_back"), ("rf", "none"))
    with pytest.raises(service.StaleDay):
        await service.toggle_sign(db.uow(), ana, day, "both_legs", clock.now())
    late = await service.late_sign(db.uow(), ana, day, "both_legs", clock.now(), words=words)
    assert late == service.LateSign(day, "both_legs", "112")
    _, flags, _, _ = await snapshot(db, ana)
    assert flags[-1] == ("late_sign", f"both_legs (list of {day.isoformat()})")
    async with db.uow() as uow:
        row = await uow.checkins.get(ana, day)
    assert row is not None and row.red_flags == () and row.escalation is None


OWNED = (
    "bot/services/checkin.py",
    "bot/domain/checkin.py",
    "bot/domain/safety.py",
    "bot/domain/emergency.py",
    "bot/storage/checkins.py",
)


@pytest.mark.parametrize("path", OWNED)
def test_the_checkin_below_the_edge_never_imports_telegram(path: str) -> None:
    root = Path(__file__).resolve().parent.parent
    tree = ast.parse((root / path).read_text())
    imported = {
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not [m for m in imported if m.startswith(("bot.telegram", "telegram"))]
    if path.startswith("bot/services"):
        source = (root / path).read_text()
        assert ".row(" not in source and "uow.session" not in source
