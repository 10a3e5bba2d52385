"""Run a bench's bot process under pyinstrument when NUDGEBOT_PYINSTRUMENT names a file.

bench/webhook.py puts this folder on the first instance's PYTHONPATH with `--pyinstrument`;
Python imports `sitecustomize` at start-up, before the bot, so the whole process is sampled
(the main thread, every 0.5 ms) and the session is saved at exit for bench/profile_tree.py.
"""

from __future__ import annotations

import atexit
import os

_OUT = os.environ.get("NUDGEBOT_PYINSTRUMENT")

if _OUT:
    from pyinstrument import Profiler

    # Not async-aware on purpose: a coroutine's stack is what runs, so a frame's time is CPU
    # (and GIL waits), never the time it spent awaiting.
    _profiler = Profiler(interval=0.0005, async_mode="disabled")
    _profiler.start()

    def _save() -> None:
        _profiler.stop()
        _profiler.last_session.save(_OUT)

    atexit.register(_save)
