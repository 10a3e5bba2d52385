"""`nudgebot demo`: rendering, the piped one-liner and an interactive session in a terminal."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

from bot.demo import run_demo
from bot.demo.render import button_lines, format_text
from bot.demo.session import DEMO_TOKEN, DemoBot, tick_seconds
from bot.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
BOLD, RESET = "\x1b[1m", "\x1b[0m"


def _env(tmp_path: Path) -> dict[str, str]:
    """The demo's environment: no token or database settings, a private temp folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BOT_TOKEN", "DATABASE_URL", "DEFAULT_TIMEZONE", "ADMIN_IDS")
    }
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    env.update(TMPDIR=str(temp), PYTHONPATH=str(ROOT), NO_COLOR="1", TERM="dumb")
    return env


def _pipe(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", *args],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path),
        timeout=180,  # a generous deadline: a busy machine runs the demo slowly
        check=False,
    )


# ---------------------------------------------------------------- rendering


def test_bold_is_ansi_on_a_terminal_and_plain_otherwise() -> None:
    entities = [{"type": "bold", "offset": 0, "length": 4}]
    assert format_text("Done today", entities, color=True) == f"{BOLD}Done{RESET} today"
    assert format_text("Done today", entities, color=False) == "Done today"


def test_offsets_count_utf16_like_telegram() -> None:
    # "💧" is two UTF-16 code units, so the bold word starts at offset 3, not 2.
    entities = [{"type": "bold", "offset": 3, "length": 5}]
    assert format_text("💧 water!", entities, color=True) == f"💧 {BOLD}water{RESET}!"


def test_links_show_their_address() -> None:
    entities = [{"type": "text_link", "offset": 5, "length": 4, "url": "https://example.org"}]
    assert format_text("Read this.", entities, color=False) == "Read this (https://example.org)."
    colored = format_text("Read this.", entities, color=True)
    assert "(https://example.org)" in colored
    assert colored.endswith(".")


def test_junk_entities_are_ignored() -> None:
    entities = [{"type": "bold"}, {"type": "mystery", "offset": 0, "length": 2}]
    assert format_text("hi", entities, color=True) == "hi"


def test_buttons_are_numbered_across_rows() -> None:
    rows = [["✅ Done", "⏰ 15 min"], ["Skip today"]]
    assert button_lines(rows, 1) == ["[1] ✅ Done  [2] ⏰ 15 min", "[3] Skip today"]
    assert button_lines([["Send my location"]], 17) == ["[17] Send my location"]


def test_tick_follows_the_speed() -> None:
    assert tick_seconds(1) == 1.0
    assert tick_seconds(600) == 0.2
    assert tick_seconds(120) == 0.5


@pytest.mark.parametrize(
    ("speed", "zone", "message"),
    [(0.0, None, "--speed"), (float("nan"), None, "--speed"), (1.0, "Mars/Base", "time zone")],
)
def test_bad_options_are_explained(
    speed: float, zone: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(speed=speed, group=False, keep=False, zone=zone)
    assert run_demo(args) == 2
    assert message in capsys.readouterr().err


# A 1x1 PNG header is all the sandbox needs to accept a photo.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"


async def test_files_edits_links_and_buttons_are_shown(tmp_path: Path) -> None:
    shown: list[str] = []
    demo = DemoBot(
        data_dir=tmp_path,
        speed=1,
        zone="Europe/Berlin",
        group=False,
        show=shown.append,
        color=False,
    )
    await asyncio.to_thread(upgrade, demo.db_url)
    await demo.open()
    try:
        me = demo.me.id
        async with Bot(DEMO_TOKEN, base_url=demo.sandbox.base_url) as tg:
            doc = await tg.send_document(
                me,
                b"day,water\n",
                filename="../export.csv",
                caption="<b>Your data</b>",
                parse_mode=ParseMode.HTML,
            )
            photo = await tg.send_photo(me, PNG, filename="chart.png")
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="x:y")]])
            nudge = await tg.send_message(
                me,
                'Drink <a href="https://example.org">water</a> &amp; rest',
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
            )
            await tg.edit_message_text("Logged", chat_id=me, message_id=nudge.message_id)
            assert await demo.press(demo.me, 1) == "(demo) There are no buttons to press here."
    finally:
        await demo.close()
    text = "\n".join(shown)
    saved = tmp_path / "files" / f"{doc.message_id}-export.csv"
    assert saved.read_bytes() == b"day,water\n"
    assert f"bot #{doc.message_id}> Your data\n     📎 document saved to {saved}" in text
    assert (tmp_path / "files" / f"{photo.message_id}-chart.png").read_bytes() == PNG
    assert "Drink water (https://example.org) & rest\n     [1] Done" in text
    assert f"bot #{nudge.message_id} (edited)> Logged" in text


# ---------------------------------------------------------------- piped


def test_piped_script_prints_the_conversation_and_exits_0(tmp_path: Path) -> None:
    done = _pipe(tmp_path, "/start\n/help\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "you> /start" in out
    assert "Alex" in out.split("you> /start", 1)[1], out  # the bot greets the demo person
    assert "you> /help" in out
    assert "What I can do" in out.split("you> /help", 1)[1]
    assert "Traceback" not in done.stderr
    # The throwaway data is gone.
    assert list((tmp_path / "tmp").iterdir()) == []


def test_piped_sticker_and_voice_get_one_line_each(tmp_path: Path) -> None:
    done = _pipe(tmp_path, "/send sticker\n/send voice\n/send pizza\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    after_sticker = out.split("(demo) sent a made-up sticker", 1)[1]
    assert after_sticker.count("I can't read stickers yet") == 1, out
    assert "I can't listen to voice notes yet" in after_sticker
    assert "(demo) Send what? /send sticker" in out


def test_piped_onboarding_by_numbers_then_a_nudge_under_speed(tmp_path: Path) -> None:
    script = [
        "/start",
        "9",  # no such button
        "",  # an empty line
        "1",  # consent
        "'5",  # "5" as text: not a time zone
        "x" * 5000,  # longer than Telegram allows
        "16",  # share my location (inline) ...
        "17",  # ... then the reply keyboard's location button
        "3",  # wake 07:00
        "2",  # sleep 22:00
        "1",  # the first sitting window
        "6",  # habits: Done
        "/wait 2h",
    ]
    done = _pipe(tmp_path, "\n".join(script) + "\n", "--speed", "600")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"No button 9 here — the buttons are 1–\d+\.", out), out
    assert "Type a message or a button number" in out
    assert "(demo) pressed “✅ I agree”" in out
    assert "Berlin" in out.split("pressed “✅ I agree”", 1)[1]  # the time zone step came next
    assert "only the first 4096 were sent" in out
    assert "shared a made-up location: Berlin" in out
    assert "Europe/Berlin ✓" in out
    assert "All set, Alex!" in out
    # A nudge with its buttons comes within two simulated hours of setting up (the clock runs
    # on while the script types, so it may come before the wait).
    after_setup = out.split("All set, Alex!", 1)[1]
    assert re.search(r"bot #\d+> [^\n]*\n(?:[^\n]*\n){0,8}?\s+\[1\] [^\n]*Done", after_setup), out


def test_group_lines_go_to_the_group_and_keep_leaves_the_data(tmp_path: Path) -> None:
    script = "g /help\nsam: /help\ng\ng /challenge\ng 1\n"
    done = _pipe(tmp_path, script, "--group", "--keep")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("[Back-care crew] bot") >= 2, out
    assert "Put the text or a button number after the prefix" in out
    # The demo person created the group, so they may start a challenge from its menu.
    after_menu = out.split("Pick a challenge for this group", 1)[1]
    assert "7-day hydration starts today!" in after_menu, out
    match = re.search(r"data is kept in (\S+) ", out)
    assert match is not None, out
    assert (Path(match.group(1)) / "demo.db").exists()


# ---------------------------------------------------------------- interactive (a real terminal)


def _spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", "demo", *args],
        cwd=str(tmp_path),
        env=_env(tmp_path),
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 220),
    )
    child.expect_exact("you> ")
    return child


def _number(child: pexpect.spawn, label: str) -> str:
    """Wait for a numbered button and return its number."""
    child.expect(r"\[(\d+)\] " + re.escape(label))
    return str(child.match.group(1))


def test_terminal_session_onboarding_nudge_checkin_and_quit(tmp_path: Path) -> None:
    child = _spawn(tmp_path, "--speed", "600")
    try:
        child.sendline("/start")
        child.expect_exact("[1] ✅ I agree")
        child.sendline("7")
        child.expect_exact("No button 7 here — the buttons are 1–2.")
        child.sendline("")
        child.expect_exact("Type a message or a button number")
        # Onboarding by number keys: consent, zone, wake, sleep, sitting hours, habits.
        child.sendline("1")
        child.sendline(_number(child, "Berlin, Paris"))
        child.sendline(_number(child, "07:00"))
        child.sendline(_number(child, "22:00"))
        child.expect_exact("Setup 5/6")
        child.sendline("1")
        child.sendline(_number(child, "Done ✓"))
        child.expect_exact("All set, Alex!")
        # At 600x a nudge arrives on its own within seconds; press its Done button.
        child.expect(r"bot #(\d+)> [^\n]*\n(?:[^\n]*\n){0,8}?\s*\[(\d+)\] [^\n]*Done", timeout=60)
        nudge, done = child.match.group(1), child.match.group(2)
        child.sendline(f"#{nudge} {done}")
        child.expect(rf"bot #{nudge} \(edited\)> [^\n]*logged")
        # The daily check-in: answer the first question by button, the next one comes.
        child.sendline("/checkin")
        child.expect(r"bot #(\d+)> 📝 Check-in")
        checkin = child.match.group(1)
        child.expect_exact("Pain right now?")
        zero = _number(child, "0 ")
        child.sendline(f"#{checkin} {zero}")
        child.expect_exact("pressed “0”")
        child.expect(rf"bot #{checkin} \(edited\)> [^\n]*\n\s*Stress")
        child.sendline("/clock")
        child.expect(r"clock says \w{3} \d\d \w{3} \d{4}, \d\d:\d\d \(Europe/Berlin\)")
        child.sendline("/quit")
        child.expect_exact("Bye! The demo's data was removed.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize(("key", "code"), [("d", 0), ("c", 130)])
def test_ctrl_d_and_ctrl_c_end_the_demo_cleanly(tmp_path: Path, key: str, code: int) -> None:
    child = _spawn(tmp_path)
    try:
        child.sendline("/help")
        child.expect_exact("What I can do")
        child.expect_exact("you> ")
        if key == "c":
            child.send("half a line")  # Ctrl-C ends the demo even mid-line
        child.sendcontrol(key)  # Ctrl-D only on an empty line, as in any terminal program
        child.expect_exact("Bye! The demo's data was removed.")
        child.expect(pexpect.EOF)
        output = child.before or ""
    finally:
        child.close(force=True)
    assert child.exitstatus == code
    assert "Traceback" not in output
    assert list((tmp_path / "tmp").iterdir()) == []
