"""Sum a py-spy raw profile of `nudgebot run` into the phases of an update's handling.

Run: .venv/bin/python bench/webhook.py --rates 200 --seconds 10 --py-spy /tmp/wh.raw
     .venv/bin/python bench/profile_shares.py /tmp/wh.raw [--detail "PHASE"]

Counts the event loop's thread only (aiosqlite's threads are listed apart), and leaves out
the samples py-spy takes of threads that wait (aiosqlite's idle `queue.get`, PTB's update
fetcher). SQLAlchemy's async layer runs each statement in a greenlet whose stack py-spy shows
without the coroutine that awaits it, so those samples are a phase of their own, named by the
greenlet's first frame ("SQL in greenlet (Session.execute)"). "the loop itself" is time with
no Python frame above `run_until_complete`: uvloop's C code, and waits for the GIL.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

# Frames of a thread that is waiting, not working.
IDLE = ("aiosqlite/core.py:59", "aiosqlite/core.py:63", "_application.py:1062")
REPLY = ("Bot._post", "_do_post", "_send_message", "edit_message", "answer_callback")


def phase(frames: list[str]) -> str:
    """Name the phase one sample of the loop's thread belongs to."""

    def has(key: str) -> bool:
        return any(key in frame for frame in frames)

    root = frames[0]
    if not root.startswith("_run_module"):
        return f"SQL in greenlet ({root.split(' (')[0]})" if root else "no Python frame"
    if (has("web_protocol") or has("tornado/")) and not has("_tagged"):  # before: tornado
        if has("InboxQueue"):
            return "webhook: storing the update"
        return "webhook: parsing the update" if has("de_json") else "webhook: HTTP"
    if has("InboxWrites"):
        return "inbox writes (group commit)"
    if has("_tagged"):
        if any(has(key) for key in REPLY):
            return "handler: the reply (PTB and HTTP)"
        if has("Context.person"):
            return "handler: Context.person"
        if has("sqlalchemy/"):
            return "handler: SQLAlchemy outside the greenlet"
        return "handler: PTB's dispatch and our code" if has("check_update") else "handler: ours"
    if has("aiohttp/"):
        return "aiohttp client (reply responses)"
    if "(bot/cli.py" in frames[-1] or "run_until_complete" in frames[-1]:
        return "the loop itself"
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("raw", type=Path, help="py-spy record --format raw output")
    parser.add_argument("--detail", help="also list the leaf frames of this phase")
    args = parser.parse_args()
    shares: collections.Counter[str] = collections.Counter()
    leaves: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    threads = 0
    for line in args.raw.read_text().splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        frames, n = stack.split(";"), int(count)
        if any(key in frames[-1] for key in IDLE):
            continue
        if frames[0].startswith("Thread._bootstrap"):
            threads += n
            continue
        name = phase(frames)
        shares[name] += n
        leaves[name][frames[-1][:100]] += n
    total = sum(shares.values())
    print(f"{total} samples of the loop's thread (and {threads} of aiosqlite's threads)")
    for name, n in shares.most_common():
        print(f"{100 * n / total:5.1f}% {name}")
    if args.detail:
        for leaf, n in leaves[args.detail].most_common(30):
            print(f"    {100 * n / total:5.1f}% {leaf}")


if __name__ == "__main__":
    main()
