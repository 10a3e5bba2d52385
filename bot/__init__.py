"""nudgebot: a Telegram bot for daily habits that ease muscle tension and lower back pain."""

__version__ = "0.1.0"

import os

# Opt in to PTB's coming behaviour (retry_after as a timedelta) so we code against one API.
os.environ.setdefault("PTB_TIMEDELTA", "1")
