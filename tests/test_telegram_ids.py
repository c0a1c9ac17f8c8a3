"""One convention for Telegram's numeric ids: the registry keeps the id Telegram itself
uses, digits only (a channel's -1001234567890 in the Bot API is 1234567890), the id
resolver stores it so, and a post forwarded from the channel is looked up so."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bot_api_server import BotApiServer

from bot.resolve_ids import ResolveOptions, resolve_ids, review_registry
from db.importer import ImportOptions, import_path
from handlers.context import SERVICES, Services
from knowledge.registry.export import export_registry
from knowledge.registry.handles import telegram_platform_id
from knowledge.registry.schema import Registry

CHANNEL = -1001234567890
"""The channel's id as the Bot API writes it."""
REGISTRY: dict[str, Any] = {
    "entities": [
        {
            "id": "moh",
            "name": {"en": "Ministry of Health", "ar": "وزارة الصحة"},
            "kind": "ministry",
            "evidence": {
                "sources": [{"kind": "official_website", "url": "https://www.moh.gov.sa/"}],
                "checked": "2026-11-20",
                "confidence": "confirmed",
            },
            "accounts": [
                {
                    "platform": "telegram",
                    "handle": "SaudiMOHchannel",
                    "evidence": {
                        "sources": [
                            {"kind": "official_website", "url": "https://www.moh.gov.sa/en"}
                        ],
                        "checked": "2026-11-20",
                        "confidence": "confirmed",
                    },
                }
            ],
        }
    ]
}


def test_bot_api_chat_ids_become_the_registrys_digits() -> None:
    assert telegram_platform_id(CHANNEL) == "1234567890"  # a channel or supergroup
    assert telegram_platform_id(-4012345) == "4012345"  # a basic group
    assert telegram_platform_id(42) == "42"  # a user or a bot


async def test_a_post_forwarded_from_a_channel_whose_id_the_resolver_stored_is_recognized(
    bot: Any, tmp_path: Path
) -> None:
    registry = Registry.model_validate(REGISTRY)
    with BotApiServer() as server:
        server.channel(CHANNEL, "وزارة الصحة", username="SaudiMOHchannel")
        options = ResolveOptions(telegram_url=server.url, telegram_pause=0)
        [resolution] = await resolve_ids(registry, options)
    assert (resolution.outcome, resolution.platform_id) == ("resolved", "1234567890")
    reviewed = review_registry(registry, [resolution])
    [account] = reviewed.entities[0].accounts
    assert account.platform_id == telegram_platform_id(CHANNEL) == "1234567890"

    # The reviewed file imported in place of the bundled registry (hence the removals).
    path = tmp_path / "reviewed.yaml"
    path.write_text(export_registry(reviewed, "yaml"), encoding="utf-8")
    application, request, updates = bot
    services: Services = application.bot_data[SERVICES]
    await import_path(services.sessions, path, ImportOptions(allow_removals=True))
    await services.index_cache.current()

    # The channel has since dropped its public username: only its id can tell who it is.
    origin = {
        "type": "channel",
        "date": int(time.time()) - 60,
        "chat": {"id": CHANNEL, "type": "channel", "title": "وزارة الصحة"},
        "message_id": 7,
    }
    user = updates.user(700, "en")
    request.clear()
    await application.process_update(
        updates.message("Vaccination dates for this winter", user, forward_origin=origin)
    )
    [answer] = [c for c in request.calls if c.method == "sendMessage"]
    assert "This post was forwarded from وزارة الصحة." in answer.text
    assert "✅" in answer.text and "Ministry of Health" in answer.text
    assert "no public username" not in answer.text
