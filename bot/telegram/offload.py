"""CPU-heavy rendering (the chart, the export files) in a worker process.

A thread is not enough: matplotlib's drawing holds the GIL for long stretches, and a chart
rendered in a thread stalled the event loop for up to a quarter of a second in bench/progress.py.
A worker process shares no GIL with the bot, so the loop only pickles the input and the bytes.
The pool starts on first use (spawned, not forked: the bot runs threads), keeps one warm worker
per core (at most two), and is replaced if a worker dies. It lives as long as the process
(application restarts in tests reuse it); concurrent.futures stops it at interpreter exit.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
MAX_WORKERS = 2
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=min(MAX_WORKERS, os.cpu_count() or 1),
                mp_context=multiprocessing.get_context("spawn"),
            )
        return _pool


def _discard(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


async def run(fn: Callable[..., T], *args: object) -> T:
    """Run a picklable function in the worker pool; retry once on a fresh pool if it broke."""
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        pool = _executor()
        try:
            return await loop.run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            _discard(pool)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
