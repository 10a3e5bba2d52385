"""The check-in's question order, skips, updates and answer parsing, as plain values."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.checkin import (
    QUESTIONS,
    Answers,
    BadAnswer,
    date_code,
    is_complete,
    next_question,
    parse_answer,
    parse_date_code,
)


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
