"""Run `python -m bot` as the `nudgebot` command."""

from bot.cli import main

raise SystemExit(main())
