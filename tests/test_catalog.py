"""The one text catalog: every message id extracted, catalogs compiled, a language is one .po."""

from __future__ import annotations

import ast
import asyncio
import io
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from bot import i18n
from bot.delivery.rendering import render
from bot.domain import content
from bot.storage.deliveries import DeliveryRecord
from bot.telegram import log_texts, texts
from bot.telegram.renderers import Outgoing
from tests.harness import Harness

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "bot" / "locales"
TEMPLATE = LOCALES / f"{i18n.DOMAIN}.pot"
UPDATE = (
    "run: pybabel extract -F babel.cfg -c Translators: --no-location --sort-output "
    f"-o bot/locales/{i18n.DOMAIN}.pot . && pybabel update -i bot/locales/{i18n.DOMAIN}.pot "
    f"-d bot/locales -D {i18n.DOMAIN} --no-fuzzy-matching --ignore-obsolete && "
    f"pybabel compile -d bot/locales -D {i18n.DOMAIN}"
)

# --- Message ids: what the code uses is what the catalogs hold --------------------------------


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _extracted() -> set[str]:
    """The message ids Babel extracts from the code, as `pybabel extract -F babel.cfg` does."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(str(ROOT), method_map, options_map)
    return {_key(msgid) for _, _, msgid, _, _ in found}


def _po(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _catalogs() -> list[Path]:
    return sorted(LOCALES.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po"))


def test_english_ships_as_the_source_catalog() -> None:
    assert [p.parent.parent.name for p in _catalogs()] == ["en"]
    assert i18n.available(LOCALES) == ("en",)


def test_every_message_id_in_code_is_in_the_template_and_every_catalog() -> None:
    used = _extracted()
    assert len(used) > 300, "the extraction found too few texts; is babel.cfg still right?"
    for path in [TEMPLATE, *_catalogs()]:
        held = {_key(m.id) for m in _po(path) if m.id}
        missing = sorted(used - held)
        assert not missing, f"{path.name} lacks {len(missing)} message ids, e.g. {missing[:3]}; "
        unused = sorted(held - used)
        assert not unused, f"{path.name} holds ids no code uses, e.g. {unused[:3]}; {UPDATE}"


def _pairs(catalog: Catalog) -> set[tuple[object, object]]:
    """Each message id with its translation, hashable (plurals are lists)."""

    def frozen(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {(frozen(m.id), frozen(m.string)) for m in catalog if m.id}


def test_compiled_catalogs_match_their_po() -> None:
    for po_path in _catalogs():
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} is missing; {UPDATE}"
        fresh = io.BytesIO()
        write_mo(fresh, _po(po_path))
        fresh.seek(0)
        with mo_path.open("rb") as handle:
            shipped = read_mo(handle)
        assert _pairs(shipped) == _pairs(read_mo(fresh)), f"{mo_path} is stale; {UPDATE}"


# --- Adding a language is one .po --------------------------------------------------------------


@pytest.fixture
def german(tmp_path: Path) -> Iterator[Path]:
    """A throwaway German catalog: the template with three messages translated, compiled."""
    catalog = _po(TEMPLATE)
    catalog.locale = "de"
    catalog.fuzzy = False  # a template is marked fuzzy; a translated catalog is not
    translated = {
        texts.HELP: "<b>Was ich kann</b>",
        "{count} day": ("{count} Tag", "{count} Tage"),
    }
    for message in catalog:
        wanted = translated.get(_key(message.id))
        if wanted is not None:
            message.string = wanted
    target = tmp_path / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / f"{i18n.DOMAIN}.po").open("wb") as handle:
        write_po(handle, catalog)
    # What a developer runs after adding the .po (and what a build would run).
    pybabel = shutil.which("pybabel", path=str(Path(sys.executable).parent))
    assert pybabel is not None
    subprocess.run([pybabel, "-q", "compile", "-d", str(tmp_path), "-D", i18n.DOMAIN], check=True)
    yield tmp_path


def test_a_new_language_needs_only_its_po(german: Path) -> None:
    assert i18n.available(german) == ("en", "de")
    with i18n.using("de-AT", localedir=german) as chosen:
        assert chosen == "de"
        assert texts.HELP == "<b>Was ich kann</b>"
        # Plurals by the language's rules; untranslated texts stay English.
        line = texts.progress_line("Water", 1, 3, "steady", 0.5, None)
        assert "1 Tag in a row" in line and "(best 3)" in line
        assert "5 Tage in a row" in texts.progress_line("Water", 5, 5, "steady", None, None)
        # Dates, times and numbers come from Babel in the person's locale.
        assert texts.short_day(date(2026, 3, 27)) == "Fr. 27 März"
        assert "50\xa0%" in line  # a no-break space, as German writes it
        assert texts.bad_day(150).startswith("That would make your day 2,5 hours")
    # Outside the block, and for anyone else, English.
    assert texts.HELP.startswith("<b>What I can do</b>")
    with i18n.using("fr", localedir=german) as chosen:
        assert chosen == "en"


def test_a_language_reaches_constants_read_every_way(german: Path) -> None:
    with i18n.using("de", localedir=german):
        assert f"{texts.HELP}" == texts.HELP == "<b>Was ich kann</b>"
        assert texts.NOTE_PROMPT.format(day="Mo").startswith("📝 Type your note for Mo")
        assert isinstance(texts.CHOICE_LABELS["where"]["neck"], str)
        assert type(texts.HELP) is str
        assert log_texts.BUTTON_UNDO == texts.BUTTON_UNDO == "↩️ Undo"


def test_english_is_the_fallback_for_any_tag() -> None:
    for tag in (None, "", "en", "en-GB", "de", "pt-br", "zh-hans", "x-klingon", "??"):
        assert i18n.negotiate(tag, LOCALES) == "en"


def test_english_formats_stay_as_they_were() -> None:
    with i18n.using("en"):
        assert texts.short_day(date(2026, 3, 27)) == "Fri 27 Mar"
        at = datetime(2026, 3, 28, 7, 5, tzinfo=UTC)
        assert texts.local_when(at, date(2026, 3, 27)) == "tomorrow 07:05"
        assert texts.note_saved(4000) == "📝 Note saved (4000 characters)."
        assert texts.note_saved(1) == "📝 Note saved (1 character)."
        assert texts.broadcast_preview("x", 1).startswith(
            "<b>Preview</b> – this goes to 1 person:"
        )
        assert "1 day in a row" in texts.progress_line("W", 1, 1, "steady", 0.575, 1.0)
        # No run today is a start to make, never "0 days in a row".
        after_a_run = texts.progress_line("W", 0, 4, "steady", None, None)
        assert "🔥 best run 4 days: meet today's goal to start a new one" in after_a_run
        first_day = texts.progress_line("W", 0, 0, "building", None, None)
        assert "🔥 meet today's goal to start a run" in first_day and "best" not in first_day
        assert "7 days 57% · 30 days 100%" in texts.progress_line("W", 1, 1, "steady", 0.57, 1.0)


def test_content_falls_back_to_english_for_an_untranslated_language() -> None:
    for language in ("de", "pt_BR", "en"):
        assert content.nudges("water", language) == content.nudges("water")
        assert content.all_tips(language) == content.all_tips()


# --- No person-facing literal outside the catalog ----------------------------------------------

# Calls whose text arguments people read: the name, the positions of text arguments, keywords.
SENDS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "reply_text": ((0,), ("text",)),
    "reply_html": ((0,), ("text",)),
    "reply_photo": ((), ("caption",)),
    "reply_document": ((), ("caption",)),
    "send_message": ((1,), ("text",)),
    "send_photo": ((), ("caption",)),
    "send_document": ((), ("caption",)),
    "edit_message_text": ((0,), ("text",)),
    "edit_text": ((0,), ("text",)),
    "edit_message_caption": ((), ("caption",)),
    "answer": ((0,), ("text",)),
    "answer_callback_query": ((1,), ("text",)),
    "InlineKeyboardButton": ((0,), ("text",)),
    "KeyboardButton": ((0,), ("text",)),
    "BotCommand": ((1,), ("description",)),
}
WORDS = re.compile(r"[A-Za-z]{2,}")
# Literals that other work is still moving into the catalog: (module, the literal's words).
# The lead empties this list; a new entry needs a reason.
ALLOWED: set[tuple[str, str]] = {
    # The words of /export's README.txt and CSV columns (a file people read, still English-only
    # in export_files.py; the scan sees only this one, as a dict's "text" key).
    ("bot/telegram/export_files.py", "you wrote it"),
}


def _is_catalog_call(node: ast.Call) -> bool:
    """Tell whether a call reads the catalog: texts.x(...), log_texts.x(...), _(...)."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in {"_", "ngettext", "gettext"}
    return isinstance(func, ast.Attribute) and (
        isinstance(func.value, ast.Name) and func.value.id in {"texts", "log_texts", "i18n"}
    )


def _rendered(node: ast.AST) -> Iterator[ast.Constant]:
    """The string literals that end up in the text an expression makes.

    Follows what is pasted into the text (f-strings, `+`, `x or y`, `a if c else b`, the
    template of `.format()` and `.join()`), not keys, callees or helper arguments.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            yield from _rendered(part.value if isinstance(part, ast.FormattedValue) else part)
    elif isinstance(node, ast.BinOp):
        yield from _rendered(node.left)
        yield from _rendered(node.right)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _rendered(value)
    elif isinstance(node, ast.IfExp):
        yield from _rendered(node.body)
        yield from _rendered(node.orelse)
    elif isinstance(node, ast.Call) and not _is_catalog_call(node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in {"format", "join"}:
            yield from _rendered(func.value)
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                yield from _rendered(arg)


def literals_outside_catalog(source: str) -> list[tuple[int, str]]:
    """Find literal words handed to a send or a button: (line, literal), in line order.

    Also the "text" and "caption" of a dict literal: a payload an outbox row will send.
    """
    hits: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in {"text", "caption"}:
                    hits += [
                        (c.lineno, c.value) for c in _rendered(value) if WORDS.search(c.value)
                    ]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in SENDS:
            continue
        positions, keywords = SENDS[name]
        args = [node.args[i] for i in positions if i < len(node.args)]
        args += [k.value for k in node.keywords if k.arg in keywords]
        for arg in args:
            hits += [(c.lineno, c.value) for c in _rendered(arg) if WORDS.search(c.value)]
    return sorted(hits)


def _modules() -> Iterator[Path]:
    for folder in ("telegram", "services", "scheduler", "delivery"):
        for path in sorted((ROOT / "bot" / folder).rglob("*.py")):
            if path.name not in {"texts.py", "log_texts.py"}:
                yield path


def test_the_scan_finds_a_literal_and_lets_the_catalog_through() -> None:
    caught = literals_outside_catalog(
        "async def f(update, texts, k):\n"
        "    await update.message.reply_text('Hello there')\n"
        "    await update.message.reply_text(f'{k} people joined')\n"
        "    await bot.send_message(1, text='Good ' + texts.HELP)\n"
        "    InlineKeyboardButton('Yes', callback_data='y:1')\n"
        "    await query.answer(texts.NOT_YOURS)\n"
        "    await update.message.reply_text(texts.logged('a', 'b', 1, 2))\n"
        "    await update.message.reply_text(_('Fine') + '\\n\\n' + texts.HELP)\n"
        "    InlineKeyboardButton(texts.BUTTON_DONE, callback_data='n:done:1')\n"
        "    await query.edit_message_text(texts.X if ok else 'Sorry, no', parse_mode='HTML')\n"
        "    InlineKeyboardButton(button['text'], callback_data=data)\n"
        "    payload = {'text': 'Your week', 'parse_mode': 'HTML'}\n"
    )
    assert [text for _, text in caught] == [
        "Hello there",
        " people joined",
        "Good ",
        "Yes",
        "Sorry, no",
        "Your week",
    ]


def test_no_person_facing_literal_outside_the_catalog() -> None:
    found = []
    for path in _modules():
        name = str(path.relative_to(ROOT))
        for line, text in literals_outside_catalog(path.read_text(encoding="utf-8")):
            if (name, text) not in ALLOWED:
                found.append(f"{name}:{line}: {text!r}")
    assert not found, "texts people read belong in bot/telegram/texts.py:\n" + "\n".join(found)


def test_the_allowlist_holds_only_literals_still_there() -> None:
    present = {
        (str(path.relative_to(ROOT)), text)
        for path in _modules()
        for _, text in literals_outside_catalog(path.read_text(encoding="utf-8"))
    }
    assert sorted(ALLOWED - present) == []


# --- The edge: each update is answered in its sender's Telegram language ------------------------


async def test_a_person_is_answered_in_their_telegram_language(
    harness: Harness, german: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", german)
    hans = harness.sandbox.add_user(first_name="Hans", language_code="de")
    ana = harness.sandbox.add_user(first_name="Ana", language_code="en-GB")
    mia = harness.sandbox.add_user(first_name="Mia", language_code=None)
    assert [m.text for m in await harness.say(hans, "/help")] == ["Was ich kann"]
    assert (await harness.say(ana, "/help"))[0].text.startswith("What I can do\n/start")
    assert (await harness.say(mia, "/help"))[0].text.startswith("What I can do\n/start")
    assert [m.text for m in await harness.say(hans, "/help")] == ["Was ich kann"]


# --- No prose outside the catalog --------------------------------------------------------------

PROSE = re.compile(r"[A-Za-z]{2,}[,.:;!?]? [A-Za-z]{2,}")
# Calls whose string arguments are for developers, not people (logs, errors, SQL's text()).
FOR_DEVELOPERS = {"debug", "info", "warning", "error", "exception", "critical", "__init__", "text"}
# Modules that still write words people read outside the catalog, and why (the lead empties
# this as the callers move to texts.py; a module here is still scanned for sends above).
PROSE_ALLOWED: dict[str, str] = {
    "bot/telegram/menus.py": "command descriptions (setMyCommands takes one list per language)",
    "bot/telegram/charts.py": "the chart's labels, drawn in a worker process",
    "bot/telegram/export_files.py": "the export's README.txt and CSV words",
    "bot/telegram/settings.py": "button labels: Every day, Time zone, Sitting hours, Turn on/off",
    "bot/telegram/checkin.py": "'safety check': a key texts.checkin_ack turns into its name",
}
# Literals that read like prose but nobody reads in a chat: (module, literal).
NOT_PROSE: set[tuple[str, str]] = {
    # Telegram's own error descriptions, matched to tell an unchanged message from a failure.
    ("bot/telegram/keyboards.py", "there is no text in the message to edit"),
    ("bot/telegram/keyboards.py", "message to edit not found"),
    ("bot/telegram/keyboards.py", "message can't be edited"),
    ("bot/telegram/charts.py", "offset points"),  # matplotlib arguments
    ("bot/telegram/charts.py", "lower center"),
    ("bot/delivery/sender.py", "bad request: "),  # the outbox row's recorded error
    ("bot/delivery/sender.py", "migrated too many times"),
    ("bot/services/checkin.py", " (list of "),  # a flag's stored detail
}


def prose_literals(source: str) -> list[tuple[int, str]]:
    """String literals that read like a sentence, except docstrings, logs, errors and asserts."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Raise | ast.Assert):
            skip.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FOR_DEVELOPERS or name.endswith(("Error", "Callback")):
                skip.update(id(n) for n in ast.walk(node))
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and PROSE.search(node.value)
    )


def test_the_prose_scan_finds_words_and_passes_code() -> None:
    found = prose_literals(
        '"""A module docstring is fine."""\n'
        "LABELS = {'sit': '🪑 Sitting hours', 'key': 'snake_case', 'data': 'n:done:1'}\n"
        "def f(x):\n"
        "    '''A docstring.'''\n"
        "    log.info('sent %s to chat %s', x, x)\n"
        "    assert x, 'the job queue is there'\n"
        "    raise ValueError('not a valid zone')\n"
        "    return f'Your last {x} days'\n"
    )
    assert found == [(2, "🪑 Sitting hours"), (8, "Your last ")]


def test_no_prose_outside_the_catalog() -> None:
    found = []
    for path in _modules():
        name = str(path.relative_to(ROOT))
        if name in PROSE_ALLOWED:
            continue
        for line, text in prose_literals(path.read_text(encoding="utf-8")):
            if (name, text) not in NOT_PROSE:
                found.append(f"{name}:{line}: {text!r}")
    assert not found, "texts people read belong in bot/telegram/texts.py:\n" + "\n".join(found)


def test_the_prose_allowlist_is_still_needed() -> None:
    for name in PROSE_ALLOWED:
        left = [t for _, t in prose_literals((ROOT / name).read_text(encoding="utf-8"))]
        assert [t for t in left if (name, t) not in NOT_PROSE], f"{name} is clean: drop it"


async def test_concurrent_updates_keep_their_own_language(
    german: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", german)
    both_set = asyncio.Barrier(2)

    async def handle(code: str) -> str:
        i18n.set_locale(code)  # what bot.telegram.language does for each update
        await both_set.wait()  # the other chat's update has set its language meanwhile
        return texts.HELP

    german_help, english_help = await asyncio.gather(handle("de"), handle("en"))
    assert german_help == "<b>Was ich kann</b>"
    assert english_help.startswith("<b>What I can do</b>")
    assert i18n.current() == "en"  # the tasks' choices stayed in the tasks


async def test_a_queued_message_is_rendered_in_its_persons_language(
    german: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", german)

    async def help_text(db: Any, record: Any, params: Any) -> Outgoing:
        return Outgoing(text=texts.HELP)

    def queued(language: str | None) -> DeliveryRecord:
        payload = {"v": 1, "kind": "help", "params": {}}
        return DeliveryRecord(
            1, 7, 7, "tip", None, None, payload, now, now, "sending", 0, None, None, None, None,
            language=language,
        )  # fmt: skip

    now = datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
    registry = {"help": help_text}
    assert (await render(None, queued("de"), registry)).text == "<b>Was ich kann</b>"  # type: ignore[arg-type]
    assert (await render(None, queued(None), registry)).text.startswith("<b>What I can do")  # type: ignore[arg-type,union-attr]
    assert texts.HELP.startswith("<b>What I can do")  # the row's language stays with the row
