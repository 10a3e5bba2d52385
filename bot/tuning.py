"""How the bot's process runs: a faster event loop, and a collector that keeps out of the way."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

# Python collects its youngest objects after every 700 allocations by default. A reply builds
# thousands (PTB objects, SQLAlchemy results), so the bot spent about a tenth of its CPU in
# the collector under webhook load (bench/webhook.py; gc.callbacks timing: 1.06 s of 12.3 s).
YOUNG_THRESHOLD = 50_000
OLDER_THRESHOLDS = (20, 50)


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """Return what makes the bot's event loop: uvloop's where it is installed, else asyncio's."""
    try:
        import uvloop
    except ImportError:  # Windows, or a build without it: the stock loop works, only slower
        return asyncio.new_event_loop
    # The loop's own work (callbacks, sockets) is about a tenth of a reply's CPU in asyncio's.
    return uvloop.new_event_loop


def settle_memory() -> None:
    """Collect less often, and never again walk what start-up built (call once, started)."""
    gc.collect()
    # Start-up's objects (mappers, handlers, catalogs, caches) live as long as the process:
    # frozen, no collection walks them again.
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
