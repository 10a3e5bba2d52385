"""The check-in's question order, skips, updates and answer parsing, as plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.checkin import (
    QUESTIONS,
    WAIT,
    Answers,
    BadAnswer,
    CheckInWait,
    FollowUpAnswer,
    Question,
    date_code,
    editable,
    is_complete,
    next_question,
    parse_answer,
    parse_date_code,
    parse_follow_up,
    parse_question,
    parse_sign,
    pending_of,
    wait_of,
)
from bot.domain.pending import Feature, PendingInput


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (Answers(), "pain"),
        (Answers(pain=3), "where"),
        (Answers(pain=0), "stress"),  # no pain: nowhere to ask about
        (Answers(skipped=frozenset({"pain"})), "stress"),
        (Answers(pain=7), "where"),  # high pain: where first, then the safety check
        (Answers(pain=7, where="other"), "rf"),
        (Answers(pain=7, skipped=frozenset({"where"})), "rf"),
        (Answers(pain=9, where="neck"), "stress"),  # the list is about the low back
        (Answers(pain=3, where="lower_back"), "rf"),  # a new back pain
        (Answers(pain=3, where="lower_back", previous_where="lower_back"), "stress"),
        (Answers(pain=9, where="other", red_flags_asked=True), "stress"),
        (Answers(pain=2, where="neck", stress=4), "mood"),
        (Answers(pain=2, where="neck", mood=3), "stress"),  # an old button filled a later one
        (Answers(pain=1, where="other", stress=1, mood=1, sleep="ok"), "gut"),
        (
            Answers(pain=1, where="other", stress=1, mood=1, sleep="ok", gut="upset"),
            None,  # the stool question is off unless turned on
        ),
        (
            Answers(
                pain=1, where="other", stress=1, mood=1, sleep="ok", gut="upset", ask_stool=True
            ),
            "stool",
        ),
        (
            Answers(
                pain=1,
                where="other",
                stress=1,
                mood=1,
                sleep="ok",
                ask_stool=True,
                skipped=frozenset({"stool", "gut"}),
            ),
            None,
        ),
    ],
)
def test_next_question_is_the_first_thing_the_row_lacks(
    answers: Answers, expected: str | None
) -> None:
    assert next_question(answers) == expected
    assert is_complete(answers) == (expected is None)


def test_updating_walks_every_question_that_applies_in_order() -> None:
    answers = Answers(pain=8, where="neck", stress=1, red_flags_asked=True)
    walked = []
    key: str | None = "pain"
    while key is not None:
        walked.append(key)
        key = next_question(answers, after=key)
    assert walked == ["pain", "where", "stress", "mood", "sleep", "gut"]
    assert next_question(Answers(pain=0), after="pain") == "stress"
    with pytest.raises(ValueError):
        next_question(answers, after="shoe")
    assert QUESTIONS[0] == "pain" and QUESTIONS[-1] == "stool"
    # The red-flag list is asked once a day, even while walking through again.
    asked = Answers(pain=9, where="lower_back", red_flags_asked=True)
    assert next_question(asked, after="where") == "stress"
    assert next_question(Answers(pain=9, where="lower_back"), after="where") == "rf"


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("pain", "0", 0),
        ("pain", "10", 10),
        ("stress", "skip", None),
        ("mood", "5", 5),
        ("where", "lower_back", "lower_back"),
        ("sleep", "good", "good"),
        ("gut", "constipated", "constipated"),
        ("where", "same", "same"),
        ("fu", "not_yet", "not_yet"),
        ("stool", "7", 7),
        ("rf", "none", "none"),
        ("rf", "done", "done"),
        ("rf", "pick:saddle,fever", "pick:saddle,fever"),
    ],
)
def test_parse_answer_accepts_the_choices(key: str, raw: str, value: object) -> None:
    assert parse_answer(key, raw) == value


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("pain", "11"),
        ("pain", "-1"),
        ("pain", "seven"),
        ("pain", "٣"),  # a digit, but not an ASCII one
        ("pain", "007"),
        ("mood", "0"),
        ("stool", "0"),
        ("sleep", "great"),
        ("where", "knee"),
        ("rf", "yes"),
        ("rf", "saddle"),  # a sign is ticked (c:t), not answered
        ("rf", "pick:saddle,cancer"),
        ("fu", "maybe"),
        ("gut", "mild"),
        ("note", "hello"),
        ("shoe", "1"),
    ],
)
def test_parse_answer_refuses_everything_else(key: str, raw: str) -> None:
    with pytest.raises(BadAnswer):
        parse_answer(key, raw)


def test_date_codes_round_trip_and_refuse_junk() -> None:
    day = date(2026, 3, 27)
    assert parse_date_code(date_code(day)) == day
    for junk in ("20260231", "2026327", "2026-3-27", "abcdefgh", ""):
        with pytest.raises(ValueError):
            parse_date_code(junk)


BERLIN = ZoneInfo("Europe/Berlin")
# 23:30 UTC on Friday 27 March is already Saturday the 28th in Berlin.
LATE = datetime(2026, 3, 27, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "wait",
    [
        CheckInWait(Question.MOOD, date(2026, 3, 28), LATE),
        CheckInWait(Question.RED_FLAGS, date(2026, 3, 28), LATE),
        CheckInWait(Question.FOLLOW_UP, date(2026, 3, 28), LATE),
        CheckInWait(Question.NOTE, date(2026, 3, 25), LATE),  # a note keeps its own day
    ],
)
def test_a_wait_round_trips_as_a_pending_input(wait: CheckInWait) -> None:
    assert wait_of(pending_of(wait), BERLIN) == wait


def test_a_question_without_a_day_answers_the_local_day_it_was_asked() -> None:
    pending = PendingInput(Feature.CHECKIN, "pain", LATE)
    assert wait_of(pending, BERLIN) == CheckInWait(Question.PAIN, date(2026, 3, 28), LATE)


@pytest.mark.parametrize(
    "pending",
    [
        PendingInput(Feature.CHECKIN, "shoe", LATE),
        PendingInput(Feature.CHECKIN, "note", LATE),  # a note needs its day
        PendingInput(Feature.SETTINGS, "pain", LATE),
        PendingInput(Feature.ONBOARDING, "zone", LATE),
    ],
)
def test_a_pending_input_the_checkin_never_asked_is_none(pending: PendingInput) -> None:
    assert wait_of(pending, BERLIN) is None


def test_a_wait_is_open_for_two_hours_and_never_before_it_was_asked() -> None:
    wait = CheckInWait(Question.PAIN, date(2026, 3, 28), LATE)
    assert wait.is_open(LATE) and wait.is_open(LATE + WAIT)
    assert not wait.is_open(LATE + WAIT + timedelta(minutes=1))
    assert not wait.is_open(LATE - timedelta(minutes=1))


def test_editable_days_are_the_last_week_and_never_the_future() -> None:
    today = date(2026, 3, 27)
    assert editable(today, today) and editable(today - timedelta(days=7), today)
    assert not editable(today - timedelta(days=8), today)
    assert not editable(today + timedelta(days=1), today)


def test_button_parts_are_read_into_typed_values() -> None:
    assert parse_question("rf") is Question.RED_FLAGS
    assert parse_sign("saddle") == "saddle"
    assert parse_follow_up("not_yet") is FollowUpAnswer.NOT_YET
    for junk in ("fu", "note", "Pain", "", "pain "):
        with pytest.raises(BadAnswer):
            parse_question(junk)
    for junk in ("", "fever,saddle", "Saddle", "1"):
        with pytest.raises(BadAnswer):
            parse_sign(junk)
    for junk in ("", "maybe", "Yes", "gone "):
        with pytest.raises(BadAnswer):
            parse_follow_up(junk)
