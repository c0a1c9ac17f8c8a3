"""Driving the real Application of the `bot` fixture (conftest.py): an update in, the
messages the bot sent out, and what the update left in the database."""

from __future__ import annotations

from typing import Any

import telegram_fakes as fakes

from db.repositories.registry import RegistryRepository
from handlers.context import SERVICES, Services
from knowledge.registry.schema import Registry


def services(bot: Any) -> Services:
    found: Services = bot[0].bot_data[SERVICES]
    return found


async def send(bot: Any, update: Any) -> list[fakes.Call]:
    """Processes `update` and returns the messages the bot sent in answer."""
    application, request, _ = bot
    request.clear()
    await application.process_update(update)
    return [c for c in request.calls if c.method == "sendMessage"]


async def stored(bot: Any) -> Registry:
    """The registry as the database holds it now."""
    async with services(bot).sessions() as session:
        return await RegistryRepository(session).load()
