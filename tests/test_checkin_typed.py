"""Typed check-in answers: which text stands for which button, as plain values."""

from __future__ import annotations

import pytest

from bot.domain.checkin import NONE_OF_THESE, SKIP, BadAnswer, read_typed


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("pain", "6", "6"),
        ("pain", " 0 ", "0"),
        ("pain", "10", "10"),
        ("pain", "7/10", "7"),
        ("pain", "7 / 10", "7"),
        ("pain", "3 out of 10", "3"),
        ("pain", "seven", "7"),
        ("pain", "Skip", SKIP),
        ("pain", "skip.", SKIP),
        ("stress", "4", "4"),
        ("stress", "ten", "10"),
        ("mood", "3", "3"),
        ("mood", "4/5", "4"),
        ("mood", "🙂", "4"),
        ("mood", "☹️", "2"),
        ("mood", "😄", "5"),
        ("mood", "great", "5"),
        ("where", "lower back", "lower_back"),
        ("where", "Lower Back!", "lower_back"),
        ("where", "neck", "neck"),
        ("where", "shoulders", "neck"),
        ("where", "other", "other"),
        ("where", "somewhere else", "other"),
        ("where", "none", "none"),
        ("where", "nowhere", "none"),
        ("sleep", "poor", "poor"),
        ("sleep", "OK", "ok"),
        ("sleep", "so-so", "ok"),
        ("sleep", "good", "good"),
        ("sleep", "well", "good"),
        ("where", "same", "same"),
        ("where", "Same place", "same"),
        ("where", "upper back", "upper_back"),
        ("where", "legs", "leg"),
        ("gut", "fine", "comfortable"),
        ("gut", "Bloated", "bloated"),
        ("gut", "diarrhoea", "upset"),
        ("gut", "constipated", "constipated"),
        ("rf", "1", "pick:bladder_bowel"),
        ("rf", "1, 4", "pick:bladder_bowel,fever"),
        ("rf", "4 and 1", "pick:bladder_bowel,fever"),
        ("rf", "7", "pick:night_pain"),
        ("rf", "none of these", NONE_OF_THESE),
        ("fu", "yes", "yes"),
        ("fu", "not yet", "not_yet"),
        ("fu", "It's gone", "gone"),
        ("fu", "it’s gone", "gone"),
        ("stool", "4", "4"),
        ("stool", "type 4", "4"),
        ("stool", "7", "7"),
        ("rf", "none", NONE_OF_THESE),
        ("rf", "No", NONE_OF_THESE),
        ("rf", "skip", SKIP),
    ],
)
def test_typed_text_stands_for_a_button(key: str, text: str, expected: str) -> None:
    assert read_typed(key, text) == expected


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("pain", "eleven"),
        ("pain", "11"),
        ("pain", "-1"),
        ("pain", "🙂"),
        ("pain", "7/5"),
        ("pain", "6.5"),
        ("pain", "100"),
        ("pain", ""),
        ("pain", "x" * 5000),
        ("pain", "drank 2 glasses"),
        ("stress", "calm"),
        ("mood", "0"),
        ("mood", "6"),
        ("mood", "🍕"),
        ("where", "knee"),
        ("where", "lower back and neck"),
        ("sleep", "7 hours"),
        ("gut", "6"),
        ("gut", "strong"),
        ("rf", "0"),
        ("rf", "8"),
        ("rf", "10"),
        ("fu", "maybe"),
        ("stool", "0"),
        ("stool", "8"),
        ("stool", "4/10"),
        ("rf", "fever"),  # a red-flag sign is tapped, never guessed from words
        ("rf", "yes"),
        ("note", "a note"),  # the note has its own path
        ("nonsense", "5"),
    ],
)
def test_typed_text_that_fits_no_button_is_refused(key: str, text: str) -> None:
    with pytest.raises(BadAnswer):
        read_typed(key, text)
