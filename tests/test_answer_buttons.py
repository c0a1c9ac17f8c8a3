"""The buttons under answers (Telegram faked at the HTTP request): only a confirmed official
account gets a button that opens it; the Details button shows the sources with their
provenance, which the answer itself never shows; inline results speak the user's language."""

from __future__ import annotations

from typing import Any

import telegram_fakes as fakes

from handlers.context import SERVICES
from knowledge.links import parse_handle

PROVENANCE = "public GitHub code"
"""Words of the bundled registry's dataset notes: provenance, never in an answer's text."""


async def send(bot: tuple[Any, fakes.RecordingRequest, fakes.Updates], update: Any) -> list[Any]:
    application, request, _ = bot
    request.clear()
    await application.process_update(update)
    return request.calls


def buttons(call: Any) -> list[dict[str, Any]]:
    return [b for row in call.keyboard for b in row]


async def test_a_check_has_details_and_opens_only_confirmed_accounts(bot: Any) -> None:
    application, _, updates = bot
    index = application.bot_data[SERVICES].engine.index
    en = updates.user(language_code="en")
    [answer] = await send(bot, updates.message("@ZATCA_SA", en))
    assert PROVENANCE not in answer.text
    for button in buttons(answer):
        if "url" in button:
            ref = parse_handle(button["url"])
            assert ref is not None and ref.platform is not None
            hit = index.account(ref.platform, ref.handle)
            assert hit is not None and hit.account.official, button
    [details] = [b for b in buttons(answer) if b.get("callback_data", "").startswith("det:")]
    assert details["callback_data"] == "det:v:x:ZATCA_SA"
    calls = await send(bot, updates.press(details["callback_data"], en))
    assert calls[0].method == "answerCallbackQuery"
    assert PROVENANCE in calls[-1].text and "Sources of this answer" in calls[-1].text


async def test_a_card_has_details_of_every_record(bot: Any) -> None:
    application, _, updates = bot
    key = application.bot_data[SERVICES].engine.index.key("moh")
    en = updates.user(language_code="en")
    [card] = await send(bot, updates.message("Ministry of Health account", en))
    data = [b.get("callback_data") for b in buttons(card)]
    assert f"det:e:{key}" in data
    assert all(len(d.encode()) <= 64 for d in data if d)
    calls = await send(bot, updates.press(f"det:e:{key}", en))
    text = calls[-1].text
    assert "Sources of this answer" in text and "@SaudiMOH" in text
    calls = await send(bot, updates.press("det:e:0000000000", en))
    assert "expired" in calls[0].params.get("text", "")


async def test_an_inline_result_says_when_the_bodys_account_is_not_confirmed(bot: Any) -> None:
    _, _, updates = bot
    en = updates.user(language_code="en")
    [call] = await send(bot, updates.inline("Ministry of Interior", en))
    assert call.params["results"][0]["description"] == "@MOISaudiArabia (not confirmed)"
    [call] = await send(bot, updates.inline("Ministry of Health", en))
    assert call.params["results"][0]["description"] == "@SaudiMOH"


async def test_inline_results_follow_the_users_app_language(bot: Any) -> None:
    _, _, updates = bot
    [call] = await send(bot, updates.inline("وزارة الصحة", updates.user(language_code="fr")))
    text = call.params["results"][0]["input_message_content"]["message_text"]
    assert "du ministère de la Santé" in text
    [call] = await send(bot, updates.inline("Ministry of Health", updates.user(language_code="ar")))
    text = call.params["results"][0]["input_message_content"]["message_text"]
    assert "لوزارة الصحة" in text
