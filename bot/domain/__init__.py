"""Pure domain logic: no I/O, no Telegram or database imports, time passed in."""
