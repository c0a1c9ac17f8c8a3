"""Handles that are safe to tap, checked where it matters: in what Telegram makes of the real
bot's messages (the local Bot API server detects mentions and links as Telegram does).

Only an official account may be a link; a look-alike, a fake, an unconfirmed, a former or an
unknown handle must be neither a `mention` (tapping it would open that *Telegram* account,
perhaps the impersonator's) nor a `url` or `text_link`. The transcript is printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_api_server import BotApiServer, JSONDict, utf16_slice
from test_end_to_end import RunningBot, running_bot, wait_until_polling

from knowledge.index import RegistryIndex
from knowledge.links import parse_handle
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.validation import load_registry

QUESTIONS = [
    "is @SaudiM0H official?",  # a look-alike of @SaudiMOH
    "@SaudiMOI",  # listed: stronger evidence points to another account
    "@KAUST",  # listed: not a government body's account
    "@riyadh_food_guide",  # unknown
    "twitter.com/saudimomrah",  # a former handle
    "وزارة الصحة",  # a card with confirmed and unconfirmed accounts
    "Ministry of Transport spokesperson",
    "وش حساب وزير الصحة الشخصي",
]


@pytest.fixture
def bot(database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    with BotApiServer() as server, running_bot(server, database_url, tmp_path) as running:
        wait_until_polling(running)
        yield running


def tappable(message: JSONDict) -> list[tuple[str, str]]:
    """(entity type, what it opens) for every mention and link Telegram made."""
    found: list[tuple[str, str]] = []
    for entity in message.get("entities", []):
        kind = entity["type"]
        if kind in ("mention", "url", "text_link"):
            shown = utf16_slice(message["text"], entity["offset"], entity["length"])
            found.append((kind, entity.get("url") or shown))
    return found


def test_only_official_handles_can_be_tapped(bot: RunningBot) -> None:
    registry = load_registry(BUNDLED_REGISTRY)
    index = RegistryIndex(registry.entities, registry.non_official)
    user = bot.server.user(3001, "Huda", language_code="ar")
    checked = 0
    for question in QUESTIONS:
        before = len(bot.server.sent(user["id"]))
        bot.ask(user, question)
        for message in bot.server.sent(user["id"])[before:]:
            print(f"> {question}\n< {message['text']}\n  entities: {tappable(message)}")
            for kind, target in tappable(message):
                assert kind != "mention", (question, target)
                # A link opens exactly its address: no isolate mark or "…" taken into it.
                assert not set(target) & {"\u2068", "\u2069", "…"}, (question, target)
                ref = parse_handle(target)
                if ref is None or ref.platform is None:
                    continue  # a website or a source page, not a profile
                hit = index.account(ref.platform, ref.handle)
                assert hit is not None and hit.account.official, (question, kind, target)
                checked += 1
    assert checked > 0, "the official accounts in these answers are links"
    lookalike = next(text for said, text in bot.transcript if said.startswith("is @SaudiM0H"))
    assert "@SaudiM0H" in lookalike and "the digit 0, not the letter O" in lookalike
