"""Clock times as a person's row stores them: "HH:MM"."""

from __future__ import annotations

from datetime import time


def parse_hhmm(value: object) -> time:
    """Read a stored "HH:MM"; raise ValueError on anything else."""
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        raise ValueError(f"expected 'HH:MM', got {str(value)[:20]!r}")
    hh, mm = value[:2], value[3:]
    if not (hh.isascii() and hh.isdigit() and mm.isascii() and mm.isdigit()):
        raise ValueError(f"expected 'HH:MM', got {value!r}")
    try:
        return time(int(hh), int(mm))
    except ValueError:
        raise ValueError(f"not a valid time: {value!r}") from None


def format_hhmm(value: time) -> str:
    """Write a time the way a person's row stores it."""
    return f"{value:%H:%M}"
