"""Rasmi's configuration, read from the environment and a `.env` file.

Every setting has a working default, so `rasmi` runs on a fresh machine with nothing set:
an SQLite database in the user's data directory and no Telegram token (offline mode).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from db.engine import default_database_url

SUPPORTED_DATABASES = ("sqlite", "postgresql", "postgres")


class Settings(BaseSettings):
    """See `.env.example` for every variable with its meaning."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    x_bearer_token: SecretStr | None = None
    """X API v2 app token: `rasmi registry resolve-ids` looks X usernames up with it."""
    x_api_base_url: str = "https://api.x.com/2"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    """Telegram user ids: `123,456` or a JSON list `[123, 456]`."""
    default_language: Literal["ar", "en", "fr"] = "ar"
    registry_path: Path | None = None
    """The registry a deployment imports; None means the registry bundled with Rasmi."""
    log_level: str = "INFO"
    alerts_per_second: float = Field(default=30.0, gt=0.0, le=1000.0)
    """Cap of alerts a second; they only get what replies leave of SEND_PER_SECOND (with
    ALERTS_PAID_BROADCAST, up to Telegram's 1,000/s, paid in Stars)."""
    alerts_per_chat_interval: float = 1.05
    """Seconds between two alerts to one chat."""
    alerts_paid_broadcast: bool = False
    """Send alerts with allow_paid_broadcast: 0.1 Telegram Star per message over 30/s."""
    send_per_second: float = Field(default=30.0, gt=0.0)
    """The bot's budget of messages a second, replies and alerts together."""
    send_per_chat_interval: float = Field(default=1.05, gt=0.0)
    """Seconds between two messages to one chat (Telegram's 1 s, and 50 ms of jitter)."""
    send_group_per_minute: float = Field(default=20.0, gt=0.0)
    reply_max_age: float = Field(default=300.0, gt=0.0)
    """Seconds a reply may wait for its turn (flood waits included) before it is given up."""
    redis_url: str | None = None
    """Redis shared by replicas: the send budget, flood waits and per-user flood control."""
    follow_up_minutes: float = Field(default=10.0, ge=0.0)
    """How long, in a private chat, a question that names no body ("and on Instagram?")
    is about the body of the last answer."""
    registry_sync_cron: str | None = None
    """Crontab (UTC) for re-importing REGISTRY_PATH, e.g. "0 * * * *" for every hour."""
    import_max_removals: float = Field(default=0.05, ge=0.0, le=1.0)
    """The share of entities or of active accounts an import may remove or retire
    without --allow-removals (the scheduled sync never allows more)."""
    webhook_url: str | None = None
    """The public HTTPS address Telegram posts updates to; unset means long polling."""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_secret: SecretStr | None = None
    """Telegram sends it in X-Telegram-Bot-Api-Secret-Token; other requests are refused."""

    web_admin_token: SecretStr | None = None
    """Opens the web directory's view for decision makers (/ar/admin); unset closes it."""
    web_rate_per_minute: int = Field(default=120, ge=1)
    """Requests one client may make to the web directory per minute."""
    telegram_bot_username: str | None = None
    """The bot's username, for the web pages' "follow on Telegram" links."""
    report_salt: SecretStr | None = None
    """Salt of the hashes that stand for citizens who report a handle; unset: the bot's
    token, which is as secret and as stable."""
    reports_per_day: int = Field(default=5, ge=1)
    """Reports one citizen may file in 24 hours."""
    report_review_threshold: int = Field(default=2, ge=1)
    """Open reports after which answers say a handle is "reported, under review"."""

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        """People write ADMIN_IDS=123,456; a JSON list works too."""
        if isinstance(value, str):
            text = value.strip().removeprefix("[").removesuffix("]")
            return [item.strip() for item in text.split(",") if item.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError as exc:
            raise ValueError("not a database URL like sqlite:///rasmi.db") from exc
        if backend not in SUPPORTED_DATABASES:
            raise ValueError(f"{backend} is not supported: use SQLite or PostgreSQL")
        return url

    @cached_property
    def offline(self) -> bool:
        """No token: Rasmi works in the terminal only."""
        return self.telegram_bot_token is None


def settings_problem(error: ValidationError) -> str:
    """One line naming each bad setting as it is set (DEFAULT_LANGUAGE, not a field path)
    and what is wrong with it, for an operator who mistyped a variable."""
    parts = []
    for problem in error.errors():
        name = str(problem["loc"][0]).upper() if problem["loc"] else "settings"
        message = problem["msg"].removeprefix("Value error, ")
        parts.append(f"{name}={problem['input']!r}: {message}")
    return "Bad setting: " + "; ".join(parts)
