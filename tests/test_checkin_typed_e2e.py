"""Typed check-in answers end to end: typing works like tapping, and odd text changes nothing."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.pending import Feature, PendingInput
from bot.telegram import texts
from tests.harness import Harness
from tests.talk import say
from tests.test_checkin_e2e import TODAY, checkin_row, code, flags, onboarded, press


async def awaiting(harness: Harness, person_id: int) -> PendingInput | None:
    assert harness.db is not None
    async with harness.db.uow() as uow:
        person = await uow.people.get(person_id)
    assert person is not None
    return person.pending


async def test_a_whole_checkin_can_be_typed(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    asked = {
        "6": "Where do you feel it most?",
        "lower back": "safety check",
        "none": "Stress today?",
        "4": "How is your mood?",
        "3": "How did you sleep",
        "ok": "How was your tummy today?",
    }
    for typed, next_question in asked.items():
        replies = await say(harness, ana, typed)
        assert len(replies) == 1, typed
        assert next_question in (replies[0].text or ""), typed
        assert replies[0].buttons, typed  # the next question keeps its buttons
    assert (await checkin_row(harness, ana.id)).pain == 6  # saved the moment it was typed
    replies = await say(harness, ana, "bloated")
    assert "check-in is saved" in (replies[-1].text or "")

    row = await checkin_row(harness, ana.id)
    assert (row.pain, row.pain_where, row.stress, row.mood) == (6, "lower_back", 4, 3)
    assert (row.sleep, row.gut, row.stool) == ("ok", "bloated", None)
    assert row.skipped == [] and row.note is None
    assert row.completed_at is not None
    assert await awaiting(harness, ana.id) is None
    # Once the check-in is done, a number is no longer an answer.
    replies = await say(harness, ana, "5")
    assert "logged nothing" in (replies[0].text or "")
    assert (await checkin_row(harness, ana.id)).pain == 6


async def test_typed_answers_that_do_not_fit_get_a_hint_and_change_nothing(
    harness: Harness,
) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    before = await awaiting(harness, ana.id)
    assert before is not None and (before.feature, before.step) == (Feature.CHECKIN, "pain")
    for odd in ("eleven", "🙂", "x" * 5000, "7/5", "twelve out of ten"):
        replies = await say(harness, ana, odd)
        assert [r.text for r in replies] == [
            "Pain: a number from 0 to 10, or tap a button. Or type skip."
        ], odd[:20]
    row = await checkin_row(harness, ana.id)
    assert row.pain is None and row.skipped == []
    assert await awaiting(harness, ana.id) == before

    await say(harness, ana, "2")
    replies = await say(harness, ana, "knee")
    assert replies[0].text == texts.typed_answer_hint("where").replace("<i>", "").replace(
        "</i>", ""
    )
    replies = await say(harness, ana, "neck")
    assert "Stress today?" in (replies[0].text or "")
    assert (await checkin_row(harness, ana.id)).pain_where == "neck"


async def test_typed_high_pain_takes_the_same_safety_path_as_the_button(
    harness: Harness,
) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    replies = await say(harness, ana, "8/10")
    text = replies[0].text or ""
    assert text.startswith(f"📝 Pain: 8 ✓\n\n🩺 {texts.SUGGEST_PROVIDER_TEXT}")
    assert "Where do you feel it" in text
    assert await flags(harness, ana.id) == [("high_pain", "pain 8")]
    replies = await say(harness, ana, "lower back")
    assert "safety check" in (replies[0].text or "") and replies[0].buttons

    # Signs are not guessed from words: they are tapped or typed by their number.
    replies = await say(harness, ana, "fever")
    assert "Safety check: tap each sign" in (replies[0].text or "")
    assert (await checkin_row(harness, ana.id)).red_flags_asked is False
    replies = await say(harness, ana, "none")
    assert "Stress today?" in (replies[0].text or "")
    row = await checkin_row(harness, ana.id)
    assert row.pain == 8 and row.red_flags_asked is True
    assert await flags(harness, ana.id) == [("high_pain", "pain 8"), ("no_signs", "none")]


async def test_a_typed_answer_after_a_restart_answers_the_open_question(
    harness: Harness,
) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    await press(harness, ana, f"c:a:{code()}:pain:3")
    await say(harness, ana, "shoulders")

    await harness.restart()

    replies = await say(harness, ana, "5")
    assert "How is your mood?" in (replies[0].text or "")
    row = await checkin_row(harness, ana.id)
    assert (row.pain, row.pain_where, row.stress) == (3, "neck", 5)


async def test_a_quick_log_mid_checkin_still_logs_and_the_question_stays_open(
    harness: Harness,
) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    replies = await say(harness, ana, "drank 2 glasses")
    assert "logged" in (replies[0].text or "")
    assert harness.db is not None
    async with harness.db.uow() as uow:
        assert (await uow.habit_logs.counts_on(ana.id, TODAY))["water"] == 2
    assert (await checkin_row(harness, ana.id)).pain is None
    replies = await say(harness, ana, "1")
    assert "Where do you feel it" in (replies[0].text or "")
    assert (await checkin_row(harness, ana.id)).pain == 1


async def test_an_old_open_question_stops_catching_text(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    harness.clock.advance(timedelta(hours=3))
    replies = await say(harness, ana, "5")
    assert "logged nothing" in (replies[0].text or "")
    assert (await checkin_row(harness, ana.id)).pain is None
    assert await awaiting(harness, ana.id) is None
    # Asking again opens the question again.
    await say(harness, ana, "/checkin")
    await say(harness, ana, "0")
    assert (await checkin_row(harness, ana.id)).pain == 0


async def test_a_typed_answer_while_updating_walks_on_like_a_button(harness: Harness) -> None:
    ana = await onboarded(harness)
    await say(harness, ana, "/checkin")
    for key in ("pain", "stress", "mood", "sleep", "gut"):
        await press(harness, ana, f"c:a:{code()}:{key}:skip")
    await say(harness, ana, "/checkin")
    await press(harness, ana, f"c:up:{code()}")
    replies = await say(harness, ana, "2")
    assert "Updating your check-in" in (replies[0].text or "")
    assert "Where do you feel it" in (replies[0].text or "")
    assert (await checkin_row(harness, ana.id)).pain == 2
