"""The optional PHQ-4: cut-offs, the service without Telegram, and the whole path end to end."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.clock import FakeClock
from bot.domain.emergency import support_line
from bot.domain.habits import CATALOG, Habit
from bot.domain.phq import CUTOFF, BadScore, Item, Scores, due, next_item, offer_due, scores_of
from bot.domain.schedule import local_date
from bot.services import phq as service
from bot.services.phq import PhqDone, PhqOffer, PhqQuestion
from bot.storage.models import CheckIn, Person
from bot.storage.uow import Database
from bot.telegram import texts
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import last, quick_typist, say
from tests.test_care_e2e import SAME, Taps

ANA = 1001
NOT_AT_ALL, SEVERAL, MORE_THAN_HALF, NEARLY = (texts.phq_answer(s) for s in range(4))

# --- Domain -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "phq2", "gad2", "care"),
    [
        ((0, 0, 0, 0), 0, 0, False),
        ((1, 1, 1, 1), 2, 2, False),
        ((2, 1, 0, 0), 3, 0, True),  # PHQ-2 at the cut-off
        ((0, 0, 3, 0), 0, 3, True),  # GAD-2 at the cut-off
        ((1, 1, 2, 0), 2, 2, False),  # 4 in all, but neither pair reaches 3
        ((3, 3, 3, 3), 6, 6, True),
    ],
)
def test_pair_sums_and_the_cut_off(
    answers: tuple[int, ...], phq2: int, gad2: int, care: bool
) -> None:
    scores = scores_of(answers)
    assert scores == Scores(phq2, gad2)
    assert scores.suggest_care is care
    assert CUTOFF == 3


def test_items_come_in_order_and_answers_are_0_to_3() -> None:
    assert next_item((None, None, None, None)) is Item.INTEREST
    assert next_item((0, 1, None, None)) is Item.NERVOUS
    assert next_item((0, 1, 2, 3)) is None
    with pytest.raises(BadScore):
        scores_of((0, 1, 4, 0))
    with pytest.raises(BadScore):
        scores_of((0, 1, None, 0))


def test_two_weeks_apart_and_one_offer_after_two_weeks_of_checkins() -> None:
    day = date(2026, 3, 27)
    assert due(None, day)
    assert not due(day - timedelta(days=13), day)
    assert due(day - timedelta(days=14), day)
    assert not offer_due(13, offered=False, on=False)
    assert offer_due(14, offered=False, on=False)
    assert not offer_due(20, offered=True, on=False)
    assert not offer_due(20, offered=False, on=True)


def test_support_lines_by_zone() -> None:
    assert support_line("Europe/London") == "Samaritans 116 123"
    assert support_line("America/New_York") == "988 (call or text)"
    assert support_line("Europe/Berlin") == "TelefonSeelsorge 0800 111 0 111"
    assert support_line("Australia/Sydney") == "Lifeline 13 11 14"
    assert support_line("Asia/Tokyo") is None  # no line in the table: none is named
    assert support_line("Not/AZone") is None
    assert support_line(None) is None


# --- Service ------------------------------------------------------------------------------------


async def seed_days(db: Database, person_id: int, today: date, count: int, now: datetime) -> None:
    """Completed check-ins on the `count` days before today."""
    async with db.uow() as uow:
        for back in range(1, count + 1):
            uow.session.add(
                CheckIn(
                    person_id=person_id,
                    local_date=today - timedelta(days=back),
                    pain=3,
                    pain_where="lower_back",
                    skipped=[],
                    red_flags_asked=False,
                    started_at=now,
                    updated_at=now,
                    completed_at=now,
                )
            )
        await uow.commit()


async def test_offer_once_then_a_round_every_two_weeks(db: Database, clock: FakeClock) -> None:
    now = clock.now()
    today = local_date(now, ZoneInfo("Europe/Berlin"))
    await make_person(db, ANA, now=now, habits=())
    await seed_days(db, ANA, today, 13, now)
    assert await service.after_checkin(db.uow(), ANA, now) is None  # 13 days: too early
    async with db.uow() as uow:
        await uow.checkins.ensure(ANA, today, now)
        record = await uow.checkins.get(ANA, today)
        assert record is not None
        await uow.checkins.complete(record.id, now)
        await uow.commit()
    assert isinstance(await service.after_checkin(db.uow(), ANA, now), PhqOffer)
    assert await service.after_checkin(db.uow(), ANA, now) is None  # offered once only
    assert not await service.is_on(db.uow(), ANA)

    await service.choose(db.uow(), ANA, True, now)
    asked = await service.after_checkin(db.uow(), ANA, now)
    assert asked == PhqQuestion(today, Item.INTEREST, 1)
    with pytest.raises(service.StaleRound):  # out of turn
        await service.answer(db.uow(), ANA, today, "down", "1", now)
    step = await service.answer(db.uow(), ANA, today, "interest", "2", now)
    assert step == PhqQuestion(today, Item.DOWN, 2)
    # Halfway: asking again resumes at the open item.
    assert await service.after_checkin(db.uow(), ANA, now) == step
    for item, raw in (("down", "1"), ("nervous", "0")):
        await service.answer(db.uow(), ANA, today, item, raw, now)
    done = await service.answer(db.uow(), ANA, today, "worry", "1", now)
    assert done == PhqDone(today, Scores(3, 1), "TelefonSeelsorge 0800 111 0 111")
    async with db.uow() as uow:
        stored = await uow.phq.get(ANA, today)
    assert stored is not None
    assert (stored.answers, stored.phq2, stored.gad2) == ((2, 1, 0, 1), 3, 1)
    assert await service.after_checkin(db.uow(), ANA, now) is None  # done for today
    later = now + timedelta(days=13)
    assert await service.after_checkin(db.uow(), ANA, later) is None  # within two weeks
    again = await service.after_checkin(db.uow(), ANA, now + timedelta(days=14))
    assert again == PhqQuestion(today + timedelta(days=14), Item.INTEREST, 1)
    with pytest.raises(service.StaleRound):  # yesterday's round's button
        await service.answer(db.uow(), ANA, today, "interest", "0", now + timedelta(days=15))


async def test_nothing_is_offered_or_stored_without_the_onboarding_consent(
    db: Database, clock: FakeClock
) -> None:
    now = clock.now()
    today = local_date(now, ZoneInfo("Europe/Berlin"))
    await make_person(db, ANA, now=now, habits=())
    await seed_days(db, ANA, today + timedelta(days=1), 14, now)
    async with db.uow() as uow:
        await uow.session.execute(update(Person).values(consent_at=None))
        await uow.commit()
    assert await service.after_checkin(db.uow(), ANA, now) is None
    with pytest.raises(service.NoConsent):
        await service.choose(db.uow(), ANA, True, now)
    assert not await service.is_on(db.uow(), ANA)


# --- End to end ---------------------------------------------------------------------------------


async def ready(harness: Harness, zone: str) -> Any:
    """A person with 13 finished check-in days behind them, in `zone`."""
    quick_typist(harness)
    user = harness.sandbox.add_user(first_name="Ana")
    assert harness.db is not None
    now = harness.clock.now()
    await make_person(harness.db, user.id, now=now, zone=zone, habits=())
    await seed_days(harness.db, user.id, local_date(now, ZoneInfo(zone)), 13, now)
    return user


async def checkin(harness: Harness, user: Any) -> Any:
    """Today's check-in in six taps; return the bot's latest message after it."""
    [question] = await say(harness, user, "/checkin")
    tap = Taps(harness, user)
    message = await tap("4", question)
    for label in (SAME, "3", "🙂", "😊 Well", "Comfortable"):
        message = await tap(label, message)
    assert "check-in is saved" in (message.text or "")
    return last(harness, user)


async def four_answers(tap: Taps, message: Any, labels: tuple[str, ...]) -> Any:
    for label in labels:
        message = await tap(label, message)
    return message


@pytest.mark.parametrize(
    ("zone", "line"),
    [("Europe/London", "Samaritans 116 123"), ("UTC", None)],
)
async def test_opt_in_after_two_weeks_the_four_items_and_the_kind_line(
    harness: Harness, zone: str, line: str | None
) -> None:
    ana = await ready(harness, zone)
    offer = await checkin(harness, ana)
    assert offer.text == texts.PHQ_OFFER
    assert offer.button_texts == [texts.BUTTON_PHQ_YES, texts.BUTTON_PHQ_NO]
    tap = Taps(harness, ana)
    first = await tap(texts.BUTTON_PHQ_YES, offer)
    assert "Over the last 2 weeks" in (first.text or "")
    assert "Little interest or pleasure in doing things" in (first.text or "")
    assert first.button_texts == [NOT_AT_ALL, SEVERAL, MORE_THAN_HALF, NEARLY]
    done = await four_answers(tap, first, (MORE_THAN_HALF, SEVERAL, NOT_AT_ALL, NOT_AT_ALL))
    assert done.message_id == offer.message_id  # one message, edited in place
    assert done.buttons == []
    text = done.text or ""
    assert "Talking to a doctor or a mental-health service can help." in text
    if line is None:
        assert "talk to someone now" not in text
    else:
        assert f"If you'd like to talk to someone now: {line}." in text
    for word in ("depress", "anxiety", "score", "disorder"):
        assert word not in text.lower().replace("depressed or hopeless", "")


async def test_below_the_cut_off_only_thanks(harness: Harness) -> None:
    ana = await ready(harness, "Europe/London")
    offer = await checkin(harness, ana)
    tap = Taps(harness, ana)
    first = await tap(texts.BUTTON_PHQ_YES, offer)
    done = await four_answers(tap, first, (SEVERAL, SEVERAL, SEVERAL, SEVERAL))
    assert done.text == "Thank you for answering. I'll ask again in two weeks."


async def test_no_thanks_stores_nothing_and_is_not_asked_again(harness: Harness) -> None:
    ana = await ready(harness, "Europe/London")
    offer = await checkin(harness, ana)
    tap = Taps(harness, ana)
    declined = await tap(texts.BUTTON_PHQ_NO, offer)
    assert declined.text == texts.PHQ_OFF and declined.buttons == []
    assert harness.db is not None
    async with harness.db.uow() as uow:
        assert await uow.phq.latest(ana.id) is None
        assert not (await uow.phq.choice(ana.id)).on


async def test_halfway_resumed_after_a_restart_and_a_stale_round(harness: Harness) -> None:
    ana = await ready(harness, "Europe/London")
    offer = await checkin(harness, ana)
    tap = Taps(harness, ana)
    first = await tap(texts.BUTTON_PHQ_YES, offer)
    half = await four_answers(tap, first, (NEARLY, NEARLY))
    assert "Feeling nervous, anxious or on edge" in (half.text or "")
    await harness.restart()
    done = await four_answers(tap, half, (NOT_AT_ALL, SEVERAL))
    assert "Samaritans 116 123" in (done.text or "")
    assert harness.db is not None
    async with harness.db.uow() as uow:
        stored = await uow.phq.latest(ana.id)
    assert stored is not None
    assert (stored.answers, stored.phq2, stored.gad2) == ((3, 3, 0, 1), 6, 1)

    # A round left halfway and pressed the next day: the usual stale reply, nothing stored.
    harness.clock.advance(timedelta(days=14))
    another = await checkin(harness, ana)
    assert "Little interest" in (another.text or "")
    harness.clock.advance(timedelta(days=1))
    query = await harness.sandbox.press_button(ana, another.message_id, text=NOT_AT_ALL)
    answer = await harness.sandbox.wait_for_callback_answer(query, timeout=10)
    assert answer.text == texts.STALE_BUTTON
    async with harness.db.uow() as uow:
        stale = await uow.phq.latest(ana.id)
    assert stale is not None and stale.answers == (None, None, None, None)


async def test_switched_on_and_off_in_settings(harness: Harness) -> None:
    ana = await ready(harness, "Europe/London")
    await say(harness, ana, "/settings")
    tap = Taps(harness, ana)
    screen = await tap(CATALOG[Habit.CHECKIN].label, last(harness, ana))
    assert "Mood questions: off" in (screen.text or "")
    screen = await tap(texts.phq_toggle(False), screen)
    assert texts.phq_toggle(True) in screen.button_texts
    assert harness.db is not None
    async with harness.db.uow() as uow:
        choice = await uow.phq.choice(ana.id)
    assert choice.on and choice.offered  # switched on here: the offer is never shown
    first = await checkin(harness, ana)
    assert "Little interest or pleasure in doing things" in (first.text or "")
    await say(harness, ana, "/settings")
    screen = await tap(CATALOG[Habit.CHECKIN].label, last(harness, ana))
    screen = await tap(texts.phq_toggle(True), screen)
    assert texts.phq_toggle(False) in screen.button_texts


async def test_the_offer_follows_a_checkin_finished_by_typing(harness: Harness) -> None:
    ana = await ready(harness, "America/New_York")
    [question] = await say(harness, ana, "/checkin")
    tap = Taps(harness, ana)
    message = await tap("4", question)
    for label in (SAME, "3", "🙂", "😊 Well"):
        message = await tap(label, message)
    replies = await say(harness, ana, "comfortable")
    assert "check-in is saved" in (replies[0].text or "")
    assert replies[-1].text == texts.PHQ_OFFER
