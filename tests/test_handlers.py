"""The bot's handlers through `Application.process_update`, with Telegram faked at the
HTTP request: every command, flow, button and error path, in the three languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import telegram_fakes as fakes
from pydantic import SecretStr
from test_subscription_handlers import followed

from bot.app import build_application, prepare
from bot.settings import Settings
from db.repositories.questions import QuestionLogRepository
from handlers.context import SERVICES, Services


async def send(
    bot: tuple[Any, fakes.RecordingRequest, fakes.Updates], update: Any
) -> list[fakes.Call]:
    application, request, _ = bot
    request.clear()
    await application.process_update(update)
    return request.calls


async def test_command_menus_are_set_in_three_languages(database_url: str) -> None:
    request = fakes.RecordingRequest()
    settings = Settings(database_url=database_url, telegram_bot_token=SecretStr(fakes.TOKEN))
    application = build_application(settings, request=request)
    async with application:
        await prepare(application)
    menus = {
        c.params.get("language_code"): c.params["commands"] for c in request.sent("setMyCommands")
    }
    assert set(menus) == {None, "ar", "en", "fr"}
    assert menus[None] == menus["ar"]
    assert {c["command"] for c in menus["en"]} == {
        "start",
        "verify",
        "spokesperson",
        "language",
        "help",
        "about",
        "subscribe",
        "subscriptions",
        "unsubscribe",
        "digest",
    }
    assert menus["fr"][1]["description"] == "Vérifier un identifiant ou un lien"


async def test_start_greets_in_the_app_language_with_example_buttons(bot: Any) -> None:
    _, _, updates = bot
    for code, greeting in (("ar", "مرحبًا"), ("en", "Hello!"), ("fr", "Bonjour")):
        [call] = await send(bot, updates.message("/start", updates.user(language_code=code)))
        assert greeting in call.text
        assert len(call.keyboard) == 3
        assert all(row[0]["callback_data"].startswith("ask:") for row in call.keyboard)
    [call] = await send(bot, updates.message("/start", updates.user(language_code="de")))
    assert "مرحبًا" in call.text  # a language Rasmi does not speak: Arabic


async def test_an_example_button_asks_its_question(bot: Any) -> None:
    _, _, updates = bot
    calls = await send(bot, updates.press("ask:0", updates.user(language_code="en")))
    assert calls[0].method == "answerCallbackQuery"
    assert "Official accounts of the Ministry of Health" in calls[-1].text


async def test_deep_links_open_a_card_a_spokesperson_or_a_check(bot: Any) -> None:
    application, _, updates = bot
    key = application.bot_data[SERVICES].engine.index.key("moe")
    [card] = await send(bot, updates.message(f"/start e_{key}", updates.user(language_code="en")))
    assert "the Ministry of Education" in card.text  # its accounts, none confirmed yet
    [people] = await send(bot, updates.message(f"/start s_{key}", updates.user(language_code="en")))
    assert "Mona Al-Ajmi" in people.text
    [check] = await send(
        bot, updates.message("/start v_SaudiM0H", updates.user(language_code="en"))
    )
    assert "looks like" in check.text
    [fallback] = await send(
        bot, updates.message("/start e_nothing", updates.user(language_code="en"))
    )
    assert "Hello!" in fallback.text


async def test_a_dialect_question_gets_the_card_with_account_buttons(bot: Any) -> None:
    _, _, updates = bot
    [call] = await send(bot, updates.message("وش حساب وزارة الصحة الرسمي؟"))
    assert "الحسابات الرسمية" in call.text
    assert call.params["parse_mode"] == "HTML"
    urls = [b.get("url") for row in call.keyboard for b in row]
    assert "https://x.com/SaudiMOH" in urls
    labels = [b["text"] for row in call.keyboard for b in row if "url" in b]
    assert all(" · " in label and " · x" not in label for label in labels)  # the platform's name
    assert any(b.get("callback_data", "").startswith("spk:") for row in call.keyboard for b in row)
    assert all(len(b.get("callback_data", "").encode()) <= 64 for row in call.keyboard for b in row)


async def test_questions_are_answered_in_their_own_language(bot: Any) -> None:
    _, _, updates = bot
    [en] = await send(bot, updates.message("is @SaudiM0H official?"))
    assert "is not in the registry, but it looks like" in en.text
    [fr] = await send(bot, updates.message("compte officiel du ministère de la Santé"))
    assert "Comptes officiels" in fr.text


async def test_a_chosen_language_wins_and_is_remembered(bot: Any) -> None:
    _, _, updates = bot
    [menu] = await send(bot, updates.message("/language"))
    assert [row[0]["callback_data"] for row in menu.keyboard] == ["lang:ar", "lang:en", "lang:fr"]
    calls = await send(bot, updates.press("lang:fr"))
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    assert "français" in calls[1].text
    [answer] = await send(bot, updates.message("وزارة الصحة"))
    assert "Comptes officiels" in answer.text


async def test_verify_and_spokesperson_commands(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(language_code="en")
    [ok] = await send(bot, updates.message("/verify https://x.com/SaudiMOH?s=20", user))
    assert "is the official X (Twitter) account of the Ministry of Health" in ok.text
    [bare] = await send(bot, updates.message("/verify SaudiMOH", user))
    assert "official" in bare.text
    [usage] = await send(bot, updates.message("/verify", user))
    assert "/verify @SaudiMOH" in usage.text
    [people] = await send(bot, updates.message("/spokesperson Ministry of Education", user))
    assert "Mona Al-Ajmi" in people.text
    [arabic] = await send(bot, updates.message("/spokesperson وزارة التعليم", user))
    assert "منى العجمي" in arabic.text  # a question in Arabic is answered in Arabic
    [none] = await send(bot, updates.message("/spokesperson Ministry of Justice", user))
    assert "No current spokesperson" in none.text


async def test_about_says_where_the_data_comes_from(bot: Any) -> None:
    _, _, updates = bot
    [call] = await send(bot, updates.message("/about", updates.user(language_code="en")))
    assert "exact match" in call.text and "Registry last updated" in call.text


async def test_buttons_open_cards_and_spokespeople_and_expire_politely(bot: Any) -> None:
    application, _, updates = bot
    key = application.bot_data[SERVICES].engine.index.key("moh")
    en = updates.user(language_code="en")
    calls = await send(bot, updates.press(f"spk:{key}", en))
    assert calls[0].method == "answerCallbackQuery"
    assert "Spokesperson of the Ministry of Health" in calls[-1].text
    calls = await send(bot, updates.press(f"card:{key}", en))
    assert "Official accounts of the Ministry of Health" in calls[-1].text
    calls = await send(bot, updates.press("card:0000000000", en))
    assert "expired" in calls[0].params.get("text", "")


async def test_ambiguous_questions_offer_one_button_per_candidate(bot: Any) -> None:
    _, _, updates = bot
    [call] = await send(bot, updates.message("حساب جدة"))  # the municipality or the governorate
    assert len(call.keyboard) == 2 and all("callback_data" in row[0] for row in call.keyboard)


async def test_forwarded_posts_are_checked_by_origin_and_content(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(language_code="en")
    channel = {
        "type": "channel",
        "date": 1700000000,
        "chat": {
            "id": -1001234567890,
            "type": "channel",
            "title": "Saudi MOI",
            "username": "saudimoi",
        },
        "message_id": 7,
    }
    [call] = await send(
        bot, updates.message("Official: visit x.com/SaudiM0H now", user, forward_origin=channel)
    )
    assert "forwarded from Saudi MOI" in call.text
    assert "is not confirmed" in call.text  # the channel is listed as unverified, not a fake
    assert "looks like" in call.text  # the link inside the post
    hidden = {"type": "hidden_user", "date": 1700000000, "sender_user_name": "Abu Fahad"}
    [call] = await send(bot, updates.message("hello", user, forward_origin=hidden))
    assert "hides their account" in call.text


async def test_groups_answer_only_mentions_replies_and_commands(bot: Any) -> None:
    _, _, updates = bot
    group = {"id": -100200, "type": "supergroup", "title": "Journalists"}
    assert await send(bot, updates.message("وزارة الصحة", chat=group)) == []
    [mention] = await send(bot, updates.message(f"@{fakes.BOT_USERNAME} وزارة الصحة", chat=group))
    assert "الحسابات الرسمية" in mention.text
    bot_message = {
        "message_id": 1,
        "date": 1,
        "chat": group,
        "from": {"id": fakes.BOT_ID, "is_bot": True, "first_name": "Rasmi"},
        "text": "…",
    }
    [reply] = await send(
        bot,
        updates.message("and the spokesperson of MOE?", chat=group, reply_to_message=bot_message),
    )
    assert "Mona Al-Ajmi" in reply.text
    [command] = await send(bot, updates.message("/help", chat=group))
    assert command.text


async def test_inline_mode_returns_shareable_cards(bot: Any) -> None:
    _, _, updates = bot
    [call] = await send(bot, updates.inline("وزارة الصحة"))
    assert call.method == "answerInlineQuery"
    results = call.params["results"]
    assert 1 <= len(results) <= 50
    first = results[0]
    assert first["type"] == "article" and len(first["id"].encode()) <= 64
    assert "@SaudiMOH" in first["input_message_content"]["message_text"]
    buttons = [b for row in first["reply_markup"]["inline_keyboard"] for b in row]
    assert all("url" in b for b in buttons)  # no callbacks in chats where Rasmi is not
    assert call.params["is_personal"] == "true"  # results follow the language a user chose
    [empty] = await send(bot, updates.inline(""))
    assert empty.params["results"] == []


async def test_strange_updates_never_crash(bot: Any) -> None:
    _, _, updates = bot
    sticker = {
        "file_id": "x",
        "file_unique_id": "y",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    [call] = await send(bot, updates.message(None, sticker=sticker))
    assert "only read text" in call.text or "النصوص" in call.text
    [edited] = await send(bot, updates.edited("وزارة التعليم"))
    assert "وزارة التعليم" in edited.text
    long = await send(bot, updates.message("وزارة " * 5000))
    assert long and all(len(c.text) <= 4096 for c in long)
    weird = await send(bot, updates.message("\u200f\u202e<b>&amp;</b>\x00"))
    assert weird and "<b>&amp;" not in weird[0].text


async def test_a_burst_gets_one_notice_and_other_users_are_unaffected(bot: Any) -> None:
    application, request, updates = bot
    services: Services = application.bot_data[SERVICES]
    flooder, other = updates.user(1), updates.user(2)
    request.clear()
    for _ in range(30):
        await application.process_update(updates.message("وزارة الصحة", flooder))
    to_flooder = [c for c in request.sent() if c.params["chat_id"] == "1"]
    notices = [c for c in to_flooder if "بسرعة" in c.text]
    assert len(notices) == 1
    assert len(to_flooder) == services.flood.limit + 1
    [answer] = await send(bot, updates.message("وزارة الصحة", other))
    assert "الحسابات الرسمية" in answer.text


async def test_telegram_errors_are_retried_or_reported_politely(bot: Any) -> None:
    _, request, updates = bot
    request.fail["sendMessage"] = [
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            },
        ),
    ]
    calls = await send(bot, updates.message("وزارة الصحة"))
    assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
    request.fail["sendMessage"] = [
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: can't parse entities"}),
    ]
    calls = await send(bot, updates.message("وزارة الصحة"))
    assert calls[-1].method == "sendMessage" and "عذرًا" in calls[-1].text


async def test_questions_are_logged_without_the_user(bot: Any) -> None:
    application, _, updates = bot
    await send(bot, updates.message("وزارة الصحة", updates.user(99)))
    await send(bot, updates.message("وزارة السعادة", updates.user(99)))
    services: Services = application.bot_data[SERVICES]
    await services.flush_question_log()  # the job does this every few seconds
    async with services.sessions() as session:
        stats = await QuestionLogRepository(session).stats(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert stats.total == 2 and stats.unanswered == 1
    assert stats.top_unanswered[0][0] == "وزارة السعادة"


async def test_subscribe_all_of_a_kind_follows_the_kind(bot: Any) -> None:
    _, _, updates = bot
    await send(bot, updates.message("/subscribe all ministries", updates.user(21)))
    await send(bot, updates.message("/subscribe كل الوزارات", updates.user(22)))
    await send(bot, updates.message("/subscribe الجميع", updates.user(23)))
    assert await followed(bot, 21) == [("kind", "ministry")]
    assert await followed(bot, 22) == [("kind", "ministry")]
    assert await followed(bot, 23) == [("all", "*")]


async def test_unsubscribe_by_a_former_name_stops_what_it_followed(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(24, language_code="en")
    await send(bot, updates.message("/subscribe وزارة العمل والتنمية الاجتماعية", user))
    assert await followed(bot, 24) == [("entity", "hrsd")]
    [done] = await send(bot, updates.message("/unsubscribe وزارة العمل والتنمية الاجتماعية", user))
    assert "no longer" in done.text
    assert await followed(bot, 24) == []


async def test_names_are_escaped_in_messages_and_plain_on_buttons(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(25, language_code="en")
    name = "Prince Sultan Defense Studies & Research Center"
    [followed_call] = await send(bot, updates.message(f"/subscribe {name}", user))
    assert name.replace("&", "&amp;") in followed_call.text
    [listing] = await send(bot, updates.message("/subscriptions", user))
    assert name.replace("&", "&amp;") in listing.text
    assert listing.keyboard[0][0]["text"] == f"Stop: {name}"
