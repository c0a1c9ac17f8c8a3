"""Rasmi's configuration, read from the environment and a `.env` file.

Every setting has a working default, so `rasmi` runs on a fresh machine with nothing set:
an SQLite database in the user's data directory and no Telegram token (offline mode).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """SQLite in the per-user data directory (~/.local/share/rasmi on Linux)."""
    return f"sqlite+aiosqlite:///{user_data_path('rasmi', ensure_exists=True) / 'rasmi.db'}"


class Settings(BaseSettings):
    """See `.env.example` for every variable with its meaning."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    admin_ids: list[int] = Field(default_factory=list)
    default_language: Literal["ar", "en", "fr"] = "ar"
    registry_path: Path | None = None
    """The registry a deployment imports; None means the registry bundled with Rasmi."""
    log_level: str = "INFO"
    alerts_per_second: float = 25.0
    """Overall pace of alert delivery; Telegram allows about 30/s, the rest is for replies."""
    alerts_per_chat_interval: float = 1.0
    """Seconds between two alerts to one chat."""
    registry_sync_cron: str | None = None
    """Crontab (UTC) for re-importing REGISTRY_PATH, e.g. "0 * * * *" for every hour."""
    webhook_url: str | None = None
    """The public HTTPS address Telegram posts updates to; unset means long polling."""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_secret: SecretStr | None = None
    """Telegram sends it in X-Telegram-Bot-Api-Secret-Token; other requests are refused."""

    @cached_property
    def offline(self) -> bool:
        """No token: Rasmi works in the terminal only."""
        return self.telegram_bot_token is None
