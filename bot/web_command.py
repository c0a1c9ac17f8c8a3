"""`rasmi web`: the directory on the web, from the settings (web/ never reads them)."""

from __future__ import annotations

import asyncio

from bot.registry_commands import ensure_imported
from bot.settings import Settings
from db.engine import open_database
from web.config import WebConfig
from web.server import serve


async def _prepare(settings: Settings) -> None:
    """The first start imports the registry, as the bot's does."""
    async with open_database(settings.database_url) as sessions:
        await ensure_imported(sessions, settings.registry_path)


def web_config(settings: Settings) -> WebConfig:
    token = settings.web_admin_token
    return WebConfig(
        database_url=settings.database_url,
        default_lang=settings.default_language,
        admin_token=token.get_secret_value() if token else None,
        bot_username=settings.telegram_bot_username,
        rate_per_minute=settings.web_rate_per_minute,
    )


def web(settings: Settings, host: str, port: int) -> int:
    asyncio.run(_prepare(settings))
    print(f"Rasmi on the web: http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    return serve(web_config(settings), host, port)
