"""Run the sandbox standalone: ``python -m bot.sandbox --port 8081 --token 123:ABC``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.sandbox.server import BotApiSandbox


async def _serve(port: int, token: str, username: str) -> None:
    """Start the sandbox and print each bot-side change until interrupted."""
    sandbox = BotApiSandbox(token=token, bot_username=username)
    await sandbox.start(port=port)
    sandbox.subscribe(
        lambda e: print(f"[{e.kind}] chat {e.chat_id}: {e.message.text if e.message else ''}")
    )
    print(f"Bot API sandbox on {sandbox.base_url}<token> (files: {sandbox.base_file_url})")
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main() -> None:
    """Parse arguments and serve forever."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API sandbox")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--username", default="nudge_test_bot")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.token, args.username))


if __name__ == "__main__":
    main()
