"""`nudgebot demo`: the real bot against a local sandbox, chatted with in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.demo import texts as demo_texts
from bot.demo.session import DEMO_TOKEN, DemoBot, start_of_demo
from bot.demo.terminal import Screen, converse, show_errors
from bot.logs import protect, quiet_noisy_loggers

__all__ = ["run_demo"]

DEFAULT_ZONE = "Europe/Berlin"
MAX_SPEED = 100_000.0


def run_demo(args: argparse.Namespace) -> int:
    """Run the terminal demo with the parsed `nudgebot demo` options; return the exit code."""
    speed = float(args.speed)
    if not (math.isfinite(speed) and 0 < speed <= MAX_SPEED):
        print(
            demo_texts.bad_option(f"--speed must be between 0 and {MAX_SPEED:g}"), file=sys.stderr
        )
        return 2
    zone = args.zone or os.environ.get("DEFAULT_TIMEZONE") or DEFAULT_ZONE
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        print(
            demo_texts.bad_option(f"unknown time zone {zone[:40]!r}, e.g. Europe/Berlin"),
            file=sys.stderr,
        )
        return 2
    interactive = sys.stdin is not None and sys.stdin.isatty()
    tty_out = sys.stdout.isatty()
    color = tty_out and not os.environ.get("NO_COLOR")
    screen = Screen(sys.stdout, live_prompt=interactive and tty_out)
    data_dir = Path(tempfile.mkdtemp(prefix="nudgebot-demo-"))
    keep = bool(args.keep)
    code = 1
    with _terminal_restored(interactive), _logging_to(data_dir / "demo.log", screen):
        try:
            bot = DemoBot(
                data_dir=data_dir,
                speed=speed,
                zone=zone,
                group=bool(args.group),
                show=screen.show,
                color=color,
            )
            start = start_of_demo(ZoneInfo(zone)).astimezone(ZoneInfo(zone))
            start_text = f"{start:%H:%M}"
            if interactive:
                screen.show(demo_texts.intro(speed, zone, start_text, bool(args.group)))
            else:
                screen.show(demo_texts.header(speed, zone, start_text))
            from bot.storage.migrate import upgrade

            upgrade(bot.db_url)
            code = asyncio.run(_run(bot, screen, interactive=interactive))
        except KeyboardInterrupt:  # before the event loop took over Ctrl-C
            screen.show("\n" + demo_texts.INTERRUPTED)
            code = 130
    if keep:
        screen.show(demo_texts.kept(str(data_dir)))
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
        screen.show(demo_texts.BYE)
    return code


async def _run(bot: DemoBot, screen: Screen, *, interactive: bool) -> int:
    await bot.open()
    try:
        return await converse(bot, screen, interactive=interactive)
    finally:
        await bot.close()


@contextlib.contextmanager
def _terminal_restored(interactive: bool) -> Iterator[None]:
    """Put the terminal back as it was: a read cut short by Ctrl-C can leave it in raw mode."""
    saved = None
    if interactive:
        with contextlib.suppress(ImportError, OSError):
            import termios

            saved = termios.tcgetattr(sys.stdin.fileno())
    try:
        yield
    finally:
        if saved is not None:
            with contextlib.suppress(ImportError, OSError):
                import termios

                termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)


@contextlib.contextmanager
def _logging_to(path: Path, screen: Screen) -> Iterator[None]:
    """Log to a file in the data folder; errors also get one line on the screen."""
    protect(DEMO_TOKEN)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers[:] = [handler, show_errors(screen, str(path))]
    root.setLevel(logging.INFO)
    quiet_noisy_loggers()
    try:
        yield
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        handler.close()
