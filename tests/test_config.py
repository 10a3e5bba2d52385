"""Configuration: defaults, validation with one readable line, and the CLI's exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_settings
from tests.harness import TOKEN


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name in {"BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS", "DEFAULT_TIMEZONE"} or (
            name.startswith("LOG_")
        ):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///./nudgebot.db"
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.file_url == "https://api.telegram.org/file/bot"
    assert settings.bot_token is None
    assert settings.admin_ids == frozenset()


def test_env_file_and_admin_ids(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nADMIN_IDS=5, 7\nLOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)
    assert settings.admin_ids == frozenset({5, 7})
    assert settings.log_level == "DEBUG"


def test_the_example_env_file_is_valid_and_means_no_token(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    (tmp_path / ".env").write_text(example.read_text())
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.telegram_file_url is None
    assert settings.file_url == "https://api.telegram.org/file/bot"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ADMIN_IDS", "alice", "ADMIN_IDS"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("TELEGRAM_API_URL", "ftp://x", "TELEGRAM_API_URL"),
        ("LOG_LEVEL_LIBRARIES", "chatty", "LOG_LEVEL_LIBRARIES"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT"),
        ("BOT_TOKEN", "garbage", "BOT_TOKEN"),
        ("BOT_TOKEN", "1:abc", "BOT_TOKEN"),
        ("BOT_TOKEN", TOKEN[:-10], "BOT_TOKEN"),
    ],
)
def test_invalid_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=expected) as raised:
        load_settings()
    if name == "BOT_TOKEN":  # a bad token may be most of the real one: never echoed
        assert value not in str(raised.value)


@pytest.mark.parametrize(
    "token",
    [TOKEN, "987654321:AAdemoTOKENforTHEsandboxONLY-abcdefgh", "7123456789:" + "A" * 35],
)
def test_token_shaped_values_pass(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("BOT_TOKEN", token)
    settings = load_settings()
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == token


def test_log_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().log_level_libraries is None
    assert load_settings().log_format == "text"
    monkeypatch.setenv("LOG_LEVEL_LIBRARIES", "info")
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    settings = load_settings()
    assert settings.log_level_libraries == "INFO"
    assert settings.log_format == "json"


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_without_token_explains_and_exits_2(tmp_path: Path) -> None:
    result = _cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert "nudgebot demo" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADMIN_IDS", "bob"),
        ("BOT_TOKEN", "garbage"),
        ("BOT_TOKEN", TOKEN + " extra"),
        ("DATABASE_URL", "mysql://root:pw@db/x"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("DEFAULT_TIMEZONE", "Nowhere/City"),
        ("LOG_LEVEL", "LOUD"),
        ("LOG_LEVEL_LIBRARIES", "chatty"),
        ("LOG_FORMAT", "xml"),
        ("TICK_SECONDS", "soon"),
        ("GRACE_MINUTES", "-1"),
        ("SEND_RATE_PER_SECOND", "100"),
        ("PAID_BROADCAST", "maybe"),
        ("RETRY_SPAN_MINUTES", "-1"),
        ("RUN_MIGRATIONS", "perhaps"),
        ("WEBHOOK_URL", "ftp://x"),
        ("WEBHOOK_PORT", "99999"),
        ("WEBHOOK_PATH", "a b"),
    ],
)
def test_bad_setting_is_one_line_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    # In-process for speed: the command reads the settings first (a process test is below).
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv(name, value)
    for command in ("run", "migrate"):
        assert main([command]) == 2
        out, err = capsys.readouterr()
        assert err.strip().count("\n") == 0, err
        assert err.startswith(f"nudgebot: configuration error: {name}:"), err
        assert TOKEN not in err + out


def test_bad_setting_is_one_line_exit_2_as_a_process(tmp_path: Path) -> None:
    result = _cli("run", env={"ADMIN_IDS": "bob"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "ADMIN_IDS" in result.stderr


def test_unreachable_database_is_one_line_nonzero(tmp_path: Path) -> None:
    env = {"BOT_TOKEN": TOKEN, "DATABASE_URL": "postgresql+asyncpg://u@127.0.0.1:9/x"}
    result = _cli("run", env=env, cwd=tmp_path)
    assert result.returncode == 3
    assert "cannot" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_creates_the_sqlite_file(tmp_path: Path) -> None:
    result = _cli("migrate", env={"DATABASE_URL": "sqlite+aiosqlite:///./x.db"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()
