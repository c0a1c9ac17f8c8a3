"""Subscribing through the bot: commands, the follow button, /subscriptions with its stop
buttons, the digest, and the admins' /status and /notice."""

from __future__ import annotations

from typing import Any

import telegram_fakes as fakes

from db.repositories.alerts import AlertRepository
from handlers.context import SERVICES, Services

ADMIN = fakes.ADMIN_ID


async def send(bot: Any, update: Any) -> list[fakes.Call]:
    application, request, _ = bot
    request.clear()
    await application.process_update(update)
    return [c for c in request.calls if c.method in ("sendMessage", "answerCallbackQuery")]


async def followed(bot: Any, chat_id: int) -> list[tuple[str, str]]:
    services: Services = bot[0].bot_data[SERVICES]
    async with services.sessions() as session:
        return [
            (scope, target)
            for _, scope, target in await AlertRepository(session).subscriptions(chat_id)
        ]


async def test_subscribe_to_an_entity_a_kind_and_everything(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(5, language_code="en")
    [call] = await send(bot, updates.message("/subscribe Ministry of Health", user))
    assert (
        "You will be alerted when the official accounts of Ministry of Health change." in call.text
    )
    [again] = await send(bot, updates.message("/subscribe MOH", user))
    assert "You already follow Ministry of Health." in again.text
    await send(bot, updates.message("/subscribe ministries", user))
    await send(bot, updates.message("/subscribe all", user))
    assert await followed(bot, 5) == [("entity", "moh"), ("kind", "ministry"), ("all", "*")]


async def test_a_renamed_body_is_followed_through_its_successor(bot: Any) -> None:
    _, _, updates = bot
    await send(bot, updates.message("/subscribe وزارة العمل والتنمية الاجتماعية", updates.user(6)))
    assert await followed(bot, 6) == [("entity", "hrsd")]


async def test_choosing_a_language_changes_the_language_of_alerts(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(12, language_code="ar")
    await send(bot, updates.message("/subscribe وزارة الصحة", user))

    async def alert_language() -> str:
        services: Services = bot[0].bot_data[SERVICES]
        async with services.sessions() as session:
            readers = await AlertRepository(session).audience("moh", "ministry")
        [reader] = [r for r in readers if r.chat_id == 12]
        return reader.lang

    assert await alert_language() == "ar"
    await send(bot, updates.press("lang:fr", user))
    assert await alert_language() == "fr"


async def test_the_follow_button_on_a_card(bot: Any) -> None:
    _, _, updates = bot
    [card] = await send(bot, updates.message("وزارة الصحة", updates.user(7)))
    follow = [
        b["callback_data"]
        for row in card.keyboard
        for b in row
        if b.get("callback_data", "").startswith("sub:")
    ]
    assert len(follow) == 1
    calls = await send(bot, updates.press(follow[0], updates.user(7)))
    assert calls[0].method == "answerCallbackQuery"
    assert await followed(bot, 7) == [("entity", "moh")]


async def test_subscriptions_list_has_a_stop_button_per_subscription(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(8, language_code="fr")
    await send(bot, updates.message("/subscribe ministère de la Santé", user))
    await send(bot, updates.message("/subscribe tout", user))
    [listing] = await send(bot, updates.message("/subscriptions", user))
    assert "Ministère de la Santé" in listing.text
    stops = [row[0]["callback_data"] for row in listing.keyboard]
    assert len(stops) == 2 and all(s.startswith("unsub:") for s in stops)
    await send(bot, updates.press(stops[0], user))
    assert await followed(bot, 8) == [("all", "*")]
    await send(bot, updates.message("/unsubscribe all", user))
    assert await followed(bot, 8) == []
    [empty] = await send(bot, updates.message("/subscriptions", user))
    assert "/subscribe" in empty.text


async def test_digest_hour(bot: Any) -> None:
    application, _, updates = bot
    user = updates.user(9, language_code="en")
    [first] = await send(bot, updates.message("/digest 8", user))
    assert "/subscribe" in first.text  # nothing followed yet
    await send(bot, updates.message("/subscribe MOH", user))
    [ok] = await send(bot, updates.message("/digest 8", user))
    assert "08:00 UTC" in ok.text
    [bad] = await send(bot, updates.message("/digest 25", user))
    assert "0 to 23" in bad.text
    services: Services = application.bot_data[SERVICES]
    async with services.sessions() as session:
        reader = await AlertRepository(session).subscriber(9)
    assert reader is not None and reader.digest_hour == 8


async def test_status_and_notice_are_for_admins_only(bot: Any) -> None:
    _, _, updates = bot
    [refused] = await send(bot, updates.message("/status", updates.user(10, language_code="en")))
    assert "administrators" in refused.text
    await send(bot, updates.message("/subscribe MOH", updates.user(11)))
    admin = updates.user(ADMIN, language_code="en")
    [scheduled] = await send(
        bot, updates.message("/notice now moh The ministry's new number is 937", admin)
    )
    assert "Scheduled for 1 chat at" in scheduled.text
    # The drain job may send the alert to chat 11 meanwhile: only the admin's reply counts.
    replies = await send(bot, updates.message("/status", admin))
    [status] = [call for call in replies if call.params.get("chat_id") == str(ADMIN)]
    assert "1 active" in status.text  # the drain job may already have sent it:
    assert any(f"1 {state}" in status.text for state in ("queued", "sending", "sent"))
    replies = await send(bot, updates.message("/notice tomorrow", admin))
    [usage] = [call for call in replies if call.params.get("chat_id") == str(ADMIN)]
    assert "Usage" in usage.text
