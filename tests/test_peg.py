"""The weekly PEG-3: its domain, its use cases without Telegram, and one week end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.peg import (
    BadPegAnswer,
    PegItem,
    PegPoint,
    is_peg_day,
    next_item,
    parse_value,
    peg_weekday,
    score,
    score_of,
    trend,
    week_of,
)
from bot.domain.pending import Feature, PendingInput
from bot.domain.schedule import Rule
from bot.services import peg as service
from bot.services.peg import PegAsked, PegDone
from bot.services.summary import report
from bot.storage.uow import Database
from bot.telegram import texts
from bot.telegram.renderers import weekly_text
from tests.factories import make_person
from tests.harness import Harness
from tests.talk import say
from tests.test_checkin_e2e import code, onboarded, press

ANA = 1001
SUNDAY = date(2026, 3, 29)
# 07:00 UTC on Sunday 29 March 2026 is 09:00 in Berlin (summer time starts that night).
SUNDAY_MORNING = datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


# --- Domain -------------------------------------------------------------------------------------


def test_score_is_the_mean_to_one_decimal() -> None:
    assert score(6, 5, 5) == 5.3
    assert score(4, 4, 4) == 4.0
    assert score_of({PegItem.PAIN: 7, PegItem.ENJOYMENT: 7}) is None
    assert score_of({PegItem.PAIN: 7, PegItem.ENJOYMENT: 6, PegItem.ACTIVITY: 8}) == 7.0


def test_answers_are_whole_numbers_from_0_to_10() -> None:
    assert parse_value("0") == 0 and parse_value("10") == 10
    for bad in ("11", "-1", "7.5", "seven", ""):
        with pytest.raises(BadPegAnswer):
            parse_value(bad)


def test_weeks_days_and_order() -> None:
    assert week_of(SUNDAY) == "2026-W13" and week_of(SUNDAY + timedelta(days=1)) == "2026-W14"
    assert is_peg_day(SUNDAY) and not is_peg_day(SUNDAY - timedelta(days=2))
    assert is_peg_day(SUNDAY - timedelta(days=2), weekday=4)
    assert peg_weekday(frozenset({4})) == 4
    assert peg_weekday(frozenset({1, 4})) == peg_weekday(None) == 6
    assert next_item({}) is PegItem.PAIN
    assert next_item({PegItem.PAIN: 3}) is PegItem.ENJOYMENT
    assert next_item(dict.fromkeys(PegItem, 1)) is None


def test_a_change_of_a_point_or_more_over_four_weeks_is_meaningful() -> None:
    points = [
        PegPoint(f"2026-W{w:02d}", SUNDAY, s)
        for w, s in ((9, 8.0), (10, 6.0), (11, 5.3), (12, 5.0), (13, 4.7))
    ]
    moved = trend(points)
    assert moved is not None and (moved.first, moved.last, moved.weeks) == (6.0, 4.7, 4)
    assert moved.meaningful
    small = trend([PegPoint("2026-W12", SUNDAY, 5.0), PegPoint("2026-W13", SUNDAY, 4.3)])
    assert small is not None and not small.meaningful
    single = trend([PegPoint("2026-W13", SUNDAY, 5.0)])
    assert single is not None and single.weeks == 1 and not single.meaningful
    assert trend([]) is None


# --- Use cases without Telegram -----------------------------------------------------------------


async def test_peg_is_offered_only_on_its_day_and_stores_a_weekly_score(db: Database) -> None:
    friday = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
    await make_person(db, ANA, now=friday, habits=())
    assert await service.offer(db.uow(), ANA, friday) is None

    asked = await service.offer(db.uow(), ANA, SUNDAY_MORNING)
    assert asked == PegAsked(SUNDAY, PegItem.PAIN, first=True)
    async with db.uow() as uow:
        person = await uow.people.get(ANA)
    assert person is not None and person.pending is not None
    assert (person.pending.feature, person.pending.step) == (Feature.CHECKIN, "peg_p")

    step = await service.answer(db.uow(), ANA, SUNDAY, "peg_p", "6", SUNDAY_MORNING)
    assert step == PegAsked(SUNDAY, PegItem.ENJOYMENT, first=False)
    with pytest.raises(BadPegAnswer):
        await service.answer(db.uow(), ANA, SUNDAY, "peg_e", "11", SUNDAY_MORNING)
    step = await service.answer(db.uow(), ANA, SUNDAY, "peg_e", "5", SUNDAY_MORNING)
    done = await service.answer(db.uow(), ANA, SUNDAY, "peg_g", "5", SUNDAY_MORNING)
    assert done == PegDone(SUNDAY, 5.3)
    assert await service.offer(db.uow(), ANA, SUNDAY_MORNING) is None  # one per week
    # Answering again the same week replaces the item and the score.
    again = await service.answer(db.uow(), ANA, SUNDAY, "peg_e", "2", SUNDAY_MORNING)
    assert again == PegDone(SUNDAY, 4.3)
    async with db.uow() as uow:
        assert await uow.checkins.peg_scores(ANA) == [PegPoint("2026-W13", SUNDAY, 4.3)]
        person = await uow.people.get(ANA)
    assert person is not None and person.pending is None
    # A button of last week changes nothing.
    with pytest.raises(service.StaleWeek):
        await service.answer(
            db.uow(), ANA, SUNDAY, "peg_p", "1", SUNDAY_MORNING + timedelta(days=1)
        )


async def test_the_peg_day_follows_the_weekly_summary_day(db: Database) -> None:
    friday = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
    await make_person(db, ANA, now=friday, habits=())
    async with db.uow() as uow:
        rule = Rule(times=(time(19, 0),), weekdays=frozenset({4}))
        await uow.reminders.set_rule(ANA, "summary", rule=rule.to_dict(), enabled=True, now=friday)
        await uow.commit()
    assert await service.offer(db.uow(), ANA, SUNDAY_MORNING) is None
    asked = await service.offer(db.uow(), ANA, friday)
    assert asked is not None and asked.day == date(2026, 3, 27)


async def test_no_peg_on_a_day_with_a_red_flag_warning(db: Database) -> None:
    await make_person(db, ANA, now=SUNDAY_MORNING, habits=())
    async with db.uow() as uow:
        record = await uow.checkins.ensure(ANA, SUNDAY, SUNDAY_MORNING)
        await uow.checkins.change(record.id, SUNDAY_MORNING, escalation="emergency")
        await uow.commit()
    assert await service.offer(db.uow(), ANA, SUNDAY_MORNING) is None


async def test_typed_answers_read_numbers_and_refuse_the_rest(db: Database) -> None:
    await make_person(db, ANA, now=SUNDAY_MORNING, habits=())
    await service.offer(db.uow(), ANA, SUNDAY_MORNING)
    pending = PendingInput(Feature.CHECKIN, "peg_p", SUNDAY_MORNING, day=SUNDAY)
    for odd in ("11", "seven hundred", "skip", "lots"):
        with pytest.raises(service.NotAPegAnswer):
            await service.answer_text(db.uow(), ANA, pending, odd, SUNDAY_MORNING)
    async with db.uow() as uow:
        assert await uow.checkins.peg_answers(ANA, "2026-W13") == {}
    step = await service.answer_text(db.uow(), ANA, pending, "7/10", SUNDAY_MORNING)
    assert step == PegAsked(SUNDAY, PegItem.ENJOYMENT, first=False)
    later = SUNDAY_MORNING + timedelta(hours=3)
    with pytest.raises(service.PegExpired):
        await service.answer_text(db.uow(), ANA, pending, "7", later)


async def test_the_summary_names_a_change_of_a_point_plainly(db: Database) -> None:
    await make_person(db, ANA, now=SUNDAY_MORNING - timedelta(days=28), habits=())
    for weeks_ago, (p, e, g) in enumerate(((4, 5, 5), (5, 5, 5), (6, 6, 6), (6, 6, 6))):
        now = SUNDAY_MORNING - timedelta(weeks=weeks_ago)
        day = SUNDAY - timedelta(weeks=weeks_ago)
        for item, value in zip(PegItem, (p, e, g), strict=True):
            await service.answer(db.uow(), ANA, day, item.value, str(value), now)
    async with db.uow() as uow:
        found = await report(uow, ANA, SUNDAY_MORNING)
    assert found.peg is not None and found.peg.meaningful
    assert "Your weekly pain score went from 6.0 to 4.7 over 4 weeks." in weekly_text(found)


# --- End to end ---------------------------------------------------------------------------------


async def test_a_sunday_checkin_asks_the_peg_and_progress_shows_the_score(
    harness: Harness,
) -> None:
    harness.clock.set(SUNDAY_MORNING)
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    for key, raw in (("pain", 3), ("where", "neck"), ("stress", 4), ("mood", 4), ("sleep", "ok")):
        await press(harness, ana, f"c:a:{code(SUNDAY)}:{key}:{raw}")
    message = await press(harness, ana, f"c:a:{code(SUNDAY)}:gut:comfortable")
    assert "three quick questions about the past week" in message.text
    assert "what number best describes your pain on average?" in message.text

    replies = await say(harness, ana, "11")
    assert [r.text for r in replies] == [texts.PEG_NUMBER_PLEASE]
    replies = await say(harness, ana, "seven")
    assert "interfered with your enjoyment of life?" in (replies[0].text or "")
    message = await press(harness, ana, f"c:g:{code(SUNDAY)}:peg_e:5")
    assert "interfered with your general activity?" in message.text
    message = await press(harness, ana, f"c:g:{code(SUNDAY)}:peg_g:6")
    assert "Your weekly pain score (PEG) is 6.0 out of 10." in message.text
    assert "check-in is saved" in message.text

    assert harness.db is not None
    async with harness.db.uow() as uow:
        assert await uow.checkins.peg_scores(ana.id) == [PegPoint("2026-W13", SUNDAY, 6.0)]
    replies = await say(harness, ana, "/progress", replies=2)
    assert "Weekly pain score (PEG): 6.0" in (replies[0].text or "")
