"""Settings from the environment and `.env`, validated once at start."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
DEFAULT_API_URL = "https://api.telegram.org/bot"
# What @BotFather hands out: the bot's numeric id, a colon, then 35 URL-safe characters.
BOT_TOKEN_PATTERN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,100}")
# What Telegram accepts as a webhook secret_token (1-256 of these), at least 16 long: a short
# one is easy to guess, and could not be redacted from logs without blanking ordinary words.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,256}")
WEBHOOK_PATH_PATTERN = re.compile(r"[A-Za-z0-9._~/-]{0,200}")


class Settings(BaseSettings):
    """Everything an operator can configure."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///./nudgebot.db"
    telegram_api_url: str = DEFAULT_API_URL
    telegram_file_url: str | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    # Empty means WARNING (or LOG_LEVEL when that is quieter) for aiosqlite, httpx, PTB & co.
    log_level_libraries: str | None = None
    log_format: str = "text"
    tick_seconds: float = Field(default=1.0, gt=0, le=60)
    grace_minutes: int = Field(default=10, ge=0, le=24 * 60)
    send_rate_per_second: float = Field(default=30.0, gt=0, le=30)
    paid_broadcast: bool = False
    paid_rate_per_second: float = Field(default=1000.0, gt=0, le=1000)
    # Finished outbox rows older than this are deleted; /stats keeps daily counts of them.
    outbox_retention_days: int = Field(default=30, ge=1, le=3650)
    # A nudge or broadcast that fails for a passing reason (5xx, network) is tried again with a
    # growing pause for this long, then recorded as missed.
    retry_span_minutes: int = Field(default=30, ge=0, le=24 * 60)
    # A handler's reply is tried again for at most this many seconds (429 waits aside).
    reply_retry_seconds: float = Field(default=5.0, ge=0, le=60)
    run_migrations: bool = True
    # Empty means long polling; set, Telegram posts updates here and several instances can
    # take them (each checks the secret on every request).
    webhook_url: str | None = None
    # Declared after webhook_url: its validator reads whether a webhook is configured.
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"

    @field_validator(
        "bot_token", "telegram_file_url", "webhook_url", "log_level_libraries", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `BOT_TOKEN=` copied from .env.example means "not set", not an empty token.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Never echo the value: even a malformed token may be most of the real one.
        if value is not None and not BOT_TOKEN_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError(
                "does not look like a token from @BotFather "
                "(digits, a colon, then about 35 letters, digits, _ or -)"
            )
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError(
                    "must be comma-separated Telegram user ids, e.g. 123,456"
                ) from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown IANA time zone {value[:40]!r}, e.g. Europe/Berlin"
            ) from None
        return value

    @field_validator("log_level", "log_level_libraries")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        if value is None:
            return None
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        fmt = value.strip().lower()
        if fmt not in LOG_FORMATS:
            raise ValueError(f"must be one of {', '.join(LOG_FORMATS)}")
        return fmt

    @field_validator("database_url")
    @classmethod
    def _supported_db(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org/bot")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be the public https:// URL Telegram posts updates to")
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object, info: ValidationInfo) -> object:
        # Never echo the value: it is a secret, and the message ends up on the console.
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str) and not value.strip():
            value = None
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError(
                    "required when WEBHOOK_URL is set: 16-256 characters of A-Z a-z 0-9 _ -"
                )
            return None
        if not isinstance(value, str) or not WEBHOOK_SECRET_PATTERN.fullmatch(value):
            raise ValueError("must be 16-256 characters of A-Z a-z 0-9 _ - only")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _webhook_path(cls, value: str) -> str:
        path = value.strip().strip("/")
        if not WEBHOOK_PATH_PATTERN.fullmatch(path):
            raise ValueError("must be a plain URL path such as telegram or hooks/nudgebot")
        return path

    @property
    def file_url(self) -> str:
        """Return the file download base URL that matches the API URL."""
        if self.telegram_file_url:
            return self.telegram_file_url
        base = self.telegram_api_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"


class ConfigError(Exception):
    """A setting is missing or invalid; the message names it."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning a validation failure into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
