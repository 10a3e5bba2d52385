"""Sum a pyinstrument session of the webhook bench's bot into where its time went.

Run: .venv/bin/python bench/webhook.py --rates 90 --seconds 14 --pyinstrument /tmp/bot.pyisession
     .venv/bin/python bench/profile_tree.py /tmp/bot.pyisession [--under FUNCTION ...]

SQLAlchemy's async layer runs every statement in a greenlet, and pyinstrument sees a greenlet's
stack without the coroutine that awaits it: those samples are roots of their own ("SQL in
greenlets"), summed here apart from the event loop's. The loop's own time ("the loop itself":
uvloop's C code, and the waits for work) is the loop's frame with nothing above it: the
frame that calls PTB's per-update task callback. Shares are
of the main thread's wall time over the whole run, start-up included. `--under` prints the
tree under a function (by name), two levels deep.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

from pyinstrument.frame import Frame
from pyinstrument.session import Session

# A callback the event loop runs for every update: its caller is the loop's frame.
LOOP_CHILD = "__create_task_callback"
GREENLET_ROOTS = ("execute", "commit", "close", "scalar")


def name(frame: Frame) -> str:
    """Return a frame's function and short file."""
    path = (frame.file_path_short or "").split("site-packages/")[-1]
    return f"{frame.function} ({path}:{frame.line_no})"


def find(frame: Frame, function: str, found: list[Frame]) -> None:
    """Collect the outermost frames of `function` under `frame`."""
    if frame.function == function:
        found.append(frame)
        return
    for child in frame.children:
        find(child, function, found)


def find_all(frame: Frame, identity: tuple[str, str | None], found: list[Frame]) -> None:
    """Collect the outermost frames of one function (any line) under `frame`."""
    if (frame.function, frame.file_path_short) == identity:
        found.append(frame)
        return
    for child in frame.children:
        find_all(child, identity, found)


def loop_frames(frame: Frame, found: list[Frame]) -> None:
    """Collect the frames that run the event loop (the bot's and the floor's differ)."""
    if any(c.function == LOOP_CHILD for c in frame.children):
        found.append(frame)
        return
    for child in frame.children:
        loop_frames(child, found)


def children_of(frames: list[Frame]) -> collections.Counter[str]:
    """Sum the children of several frames by name."""
    total: collections.Counter[str] = collections.Counter()
    for frame in frames:
        for child in frame.children:
            if child.function != "[self]":  # pyinstrument's own-time entry, shown apart
                total[name(child)] += child.time
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("session", type=Path, help="saved by bench/webhook.py --pyinstrument")
    parser.add_argument("--under", nargs="*", default=[], help="functions to open up")
    args = parser.parse_args()
    root = Session.load(str(args.session)).root_frame()
    assert root is not None, "an empty session"
    total = root.time
    greenlets = [
        c
        for c in root.children
        if c.function in GREENLET_ROOTS and "sqlalchemy/" in (c.file_path_short or "")
    ]
    callers: list[Frame] = []
    loop_frames(root, callers)
    # The same function at other lines (start-up, shutdown) and in other branches counts too.
    loops: list[Frame] = []
    for identity in {(f.function, f.file_path_short) for f in callers}:
        find_all(root, identity, loops)
    print(f"{total:.1f} s of the main thread's samples")
    print(f"{100 * sum(g.time for g in greenlets) / total:5.1f}% SQL in greenlets")
    print(f"{100 * sum(f.time for f in loops) / total:5.1f}% the event loop:")
    print(f"  {100 * sum(f.total_self_time for f in loops) / total:5.1f}% the loop itself")
    for key, seconds in children_of(loops).most_common(8):
        print(f"  {100 * seconds / total:5.1f}% {key}")
    for function in args.under:
        frames: list[Frame] = []
        find(root, function, frames)
        print(f"{100 * sum(f.time for f in frames) / total:5.1f}% {function}:")
        for key, seconds in children_of(frames).most_common(10):
            print(f"  {100 * seconds / total:5.1f}% {key}")
            kids = [g for f in frames for c in f.children if name(c) == key for g in [c]]
            for sub, sub_seconds in children_of(kids).most_common(4):
                if sub_seconds / total >= 0.002:
                    print(f"      {100 * sub_seconds / total:5.1f}% {sub}")


if __name__ == "__main__":
    main()
