"""Callback data: what the bot makes reads back; anything else is refused as BadCallback."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.callbacks import (
    ID_MAX,
    NUMBER,
    BadCallback,
    args_of,
    decode,
    encode,
    int_arg,
    pattern,
)

SHAPES = {"done": 1, "snz": 2, "menu": 0}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("n:done:7", ("done", ["7"])),
        ("n:snz:7:15", ("snz", ["7", "15"])),
        ("n:menu", ("menu", [])),
    ],
)
def test_decode_with_shapes(data: str, expected: tuple[str, list[str]]) -> None:
    assert decode(data, "n", SHAPES) == expected


@pytest.mark.parametrize(
    "data",
    ["n:done", "n:done:7:8", "n:snz:7", "n:menu:1", "n:nope", "s:done:7", "", None, "n", "n::7"],
)
def test_decode_refuses_other_shapes(data: str | None) -> None:
    with pytest.raises(BadCallback):
        decode(data, "n", SHAPES)


@pytest.mark.parametrize(("raw", "value"), [("0", 0), ("42", 42), (str(ID_MAX), ID_MAX)])
def test_int_arg_reads_ids(raw: str, value: int) -> None:
    assert int_arg([raw]) == value


@pytest.mark.parametrize(
    "raw",
    [
        "-1",
        str(ID_MAX + 1),
        "99999999999999999999",
        "1_000",
        "+5",
        " 5",
        "5\n",
        "٣",
        "0x10",
        "",
        "five",
    ],
)
def test_int_arg_refuses_what_no_button_carries(raw: str) -> None:
    with pytest.raises(BadCallback):
        int_arg([raw])


def test_int_arg_takes_a_wider_range_when_asked() -> None:
    assert int_arg(["1774594800"], high=2**40) == 1774594800
    assert int_arg(["-3"], low=-5) == -3
    with pytest.raises(BadCallback):
        int_arg([], 0)


@given(st.integers(0, ID_MAX), st.integers(0, ID_MAX))
def test_what_encode_writes_decodes_back(first: int, second: int) -> None:
    action, args = decode(encode("n", "snz", first, second), "n", SHAPES)
    assert (action, int_arg(args, 0), int_arg(args, 1)) == ("snz", first, second)


@given(st.text(max_size=80))
def test_any_text_decodes_or_is_refused(data: str) -> None:
    try:
        action, args = decode(data, "n", SHAPES)
    except BadCallback:
        return
    assert len(args) == SHAPES[action]


@pytest.mark.parametrize(
    ("data", "matches"),
    [
        ("b:start", True),
        ("b:start:12", True),
        ("b:start:", False),
        ("b:start:1:2", False),
        ("b:starts", False),
        ("b:start\n", False),
        ("x:start:1", False),
    ],
)
def test_a_pattern_matches_its_action_only(data: str, matches: bool) -> None:
    assert bool(pattern("b", "start", optional=NUMBER).match(data)) is matches


@given(st.integers(0, ID_MAX))
def test_a_pattern_matches_what_encode_writes(log_id: int) -> None:
    data = encode("l", "undo", log_id)
    assert pattern("l", "undo", 1, shape=NUMBER).match(data)
    assert int_arg(args_of(data)) == log_id
