"""What the web directory needs to know, given by whoever starts it (`rasmi web`)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.understand import Lang


@dataclass(frozen=True)
class WebConfig:
    database_url: str
    default_lang: Lang = "ar"
    admin_token: str | None = None
    """Opens the decision makers' view; None closes it."""
    bot_username: str | None = None
    """The bot's Telegram username, for the "follow on Telegram" links; None hides them."""
    rate_per_minute: int = 120
    """Requests one client may make per minute (with a burst of the same size)."""
    refresh_seconds: float = 2.0
    """How often the stored registry's version is read, to serve an import at once."""
    flush_seconds: float = 5.0
    """How often the question log's buffer is written."""
