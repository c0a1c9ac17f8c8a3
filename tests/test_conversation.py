"""A conversation that keeps its subject (issue 9 items 7 and 8), through the real
Application with Telegram faked at the HTTP request: follow-ups by reply (in groups too) and
in a private chat while the window lasts, a candidate chosen by its number, and what is kept
(entity keys and a time, never the text). Also the answers that are not a card: the guide to
fake accounts, "not in the registry" with at most a related name, a minister's own account."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import astuple
from types import SimpleNamespace
from typing import Any, cast

import pytest
import telegram_fakes as fakes

from handlers import conversation
from handlers.context import SERVICES
from knowledge.engine import Engine
from knowledge.guides import REPORT_PAGES
from knowledge.index import RegistryIndex
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.validation import load_registry
from knowledge.render import Renderer
from knowledge.understand import Intent, choice_number

GROUP_ID = -100300
GROUP: dict[str, Any] = {"id": GROUP_ID, "type": "supergroup", "title": "Newsroom"}


async def send(bot: tuple[Any, fakes.RecordingRequest, fakes.Updates], update: Any) -> list[str]:
    """The texts of the messages the bot sent in answer to `update`."""
    application, request, _ = bot
    request.clear()
    await application.process_update(update)
    return [call.text for call in request.sent()]


def last_sent_id(application: Any, chat_id: int) -> int:
    """The id of the bot's last answer in a chat, as Telegram gave it back."""
    recent = application.chat_data[chat_id][conversation.BY_MESSAGE]
    return int(list(recent)[-1])


def bot_message(message_id: int, chat: dict[str, Any]) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "date": 0,
        "chat": chat,
        "from": {"id": fakes.BOT_ID, "is_bot": True, "first_name": "Rasmi"},
        "text": "…",
    }


@pytest.fixture(scope="module")
def engine() -> Engine:
    registry = load_registry(BUNDLED_REGISTRY)
    return Engine(RegistryIndex(registry.entities, registry.non_official))


async def test_a_private_follow_up_is_about_the_last_card(bot: Any) -> None:
    _, _, updates = bot
    user = updates.user(language_code="en")
    [card] = await send(bot, updates.message("Ministry of Education official account", user))
    assert "Ministry of Education" in card
    [people] = await send(bot, updates.message("and the spokesperson?", user))
    assert "Mona Al-Ajmi" in people
    [platform] = await send(bot, updates.message("et sur Instagram ?", user))
    assert "Instagram" in platform and "ministère de l'Éducation" in platform


async def test_the_follow_up_window_ends(bot: Any) -> None:
    application, _, updates = bot
    application.bot_data[conversation.WINDOW] = dt.timedelta(0)
    try:
        await send(bot, updates.message("وزارة التعليم"))
        [later] = await send(bot, updates.message("والمتحدث؟"))
    finally:
        del application.bot_data[conversation.WINDOW]
    assert "وزارة التعليم" not in later  # no subject any more: which body?


async def test_a_numbered_list_is_answered_with_its_number(bot: Any) -> None:
    _, _, updates = bot
    [listing] = await send(bot, updates.message("حساب الرياض الرسمي"))
    names = [name for _, name in re.findall(r"^(\d)\. (.+)$", listing, flags=re.MULTILINE)]
    assert len(names) >= 2 and "أرسل رقمها" in listing
    [second] = await send(bot, updates.message("٢"))
    assert names[1] in second and "أيّ جهة تقصد" not in second
    [after_a_card] = await send(bot, updates.message("1"))  # a card has no numbers
    assert names[0] not in after_a_card
    await send(bot, updates.message("حساب الرياض الرسمي"))
    [out_of_range] = await send(bot, updates.message("9"))
    assert not any(name in out_of_range for name in names)


async def test_a_number_keeps_the_platform_the_list_was_asked_for(bot: Any) -> None:
    _, _, updates = bot
    [listing] = await send(bot, updates.message("حساب الرياض في انستقرام"))
    names = [name for _, name in re.findall(r"^(\d)\. (.+)$", listing, flags=re.MULTILINE)]
    assert len(names) >= 2
    [first] = await send(bot, updates.message("1"))
    assert names[0] in first and "إنستغرام" in first


async def test_in_a_group_a_reply_to_the_card_keeps_its_subject(bot: Any) -> None:
    application, _, updates = bot
    mention = f"@{fakes.BOT_USERNAME} Ministry of Education"
    [card] = await send(bot, updates.message(mention, chat=GROUP))
    assert "Ministry of Education" in card
    card_id = last_sent_id(application, GROUP_ID)
    reply = bot_message(card_id, GROUP)
    [people] = await send(
        bot, updates.message("and the spokesperson?", chat=GROUP, reply_to_message=reply)
    )
    assert "Mona Al-Ajmi" in people
    # without a reply (and without a mention) the group is not spoken to
    assert await send(bot, updates.message("and on Instagram?", chat=GROUP)) == []
    # a mention without a reply has no subject in a group: the window is for private chats
    [alone] = await send(
        bot, updates.message(f"@{fakes.BOT_USERNAME} and on Instagram?", chat=GROUP)
    )
    assert "Ministry of Education" not in alone


async def test_a_reply_to_an_older_card_is_about_that_card(bot: Any) -> None:
    application, _, updates = bot
    user = updates.user(language_code="en")
    await send(bot, updates.message("Ministry of Health", user))
    health = last_sent_id(application, user["id"])
    await send(bot, updates.message("Absher", user))
    [about_health] = await send(
        bot,
        updates.message(
            "and on Instagram?",
            user,
            reply_to_message=bot_message(health, {"id": user["id"], "type": "private"}),
        ),
    )
    assert "Ministry of Health" in about_health and "Absher" not in about_health


async def test_a_reply_to_a_card_not_remembered_reads_its_buttons(bot: Any) -> None:
    """After a restart (chat_data is in memory) a reply still finds its subject: Rasmi's
    buttons name their entities by key."""
    application, _, updates = bot
    index = application.bot_data[SERVICES].engine.index
    user = updates.user(user_id=4545, language_code="en")
    chat = {"id": user["id"], "type": "private"}
    card = bot_message(999_001, chat)
    card["reply_markup"] = {
        "inline_keyboard": [
            [{"text": "Spokesperson", "callback_data": f"spk:{index.key('moe')}"}],
            [{"text": "🔔 Follow", "callback_data": f"sub:{index.key('moe')}"}],
        ]
    }
    [people] = await send(
        bot, updates.message("and the spokesperson?", user, reply_to_message=card)
    )
    assert "Mona Al-Ajmi" in people
    listing = bot_message(999_002, chat)
    listing["reply_markup"] = {
        "inline_keyboard": [
            [{"text": "Absher", "callback_data": f"card:{index.key('absher')}"}],
            [{"text": "Balady", "callback_data": f"card:{index.key('balady')}"}],
        ]
    }
    [second] = await send(bot, updates.message("2", user, reply_to_message=listing))
    assert "Balady" in second and "Absher" not in second


async def test_only_keys_and_times_are_kept_never_the_text(bot: Any) -> None:
    application, _, updates = bot
    question = "Ministry of Commerce official account"
    user = updates.user(user_id=4242, language_code="en")
    await send(bot, updates.message(question, user))
    kept = application.chat_data[user["id"]]
    topics = [kept[conversation.LAST], *kept[conversation.BY_MESSAGE].values()]
    for topic in topics:
        fields = [f for f in astuple(topic) if isinstance(f, str)]
        assert not any("Commerce" in f or question in f for f in fields)
        assert all(len(key) == 10 for key in topic.keys)  # RegistryIndex.key


def test_remembered_answers_are_bounded(engine: Engine) -> None:
    context = SimpleNamespace(chat_data={})
    answer = engine.answer("Absher")
    for message_id in range(conversation.REMEMBERED + 5):
        sent = SimpleNamespace(message_id=message_id)
        topic = conversation.remember(cast(Any, context), answer, engine.index)
        conversation.remember_sent(cast(Any, context), cast(Any, sent), topic)
    recent = context.chat_data[conversation.BY_MESSAGE]
    assert list(recent) == list(range(5, conversation.REMEMBERED + 5))  # the newest kept


@pytest.mark.parametrize(
    ("text", "number"),
    [("1", 1), ("١", 1), ("۲", 2), (" 3 ", 3), ("(2)", 2), ("2.", 2), ("#1", 1), ("12", 12)],
)
def test_a_number_alone_is_a_choice(text: str, number: int) -> None:
    assert choice_number(text) == number


@pytest.mark.parametrize("text", ["", "1 2", "وزارة 1", "2030 رؤية", "one", "123", "1/2"])
def test_anything_else_is_not_a_choice(text: str) -> None:
    assert choice_number(text) is None


# Answers that are not a card


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("حساب وهمي", "ar"),
        ("كيف أبلغ عن حساب منتحل", "ar"),
        ("how do I report a fake account", "en"),
        ("comment signaler un faux compte", "fr"),
    ],
)
def test_fakes_get_the_guide_with_every_platforms_help_page(
    engine: Engine, question: str, lang: str
) -> None:
    answer = engine.answer(question)
    assert answer.intent is Intent.REPORT_FAKE and answer.lang == lang and answer.answered
    html = Renderer(answer.lang, html_mode=True).render(answer)
    links = re.findall(r'<a href="([^"]+)">', html)
    assert links[-len(REPORT_PAGES) :] == list(REPORT_PAGES.values())
    assert "…" not in html
    plain = Renderer(answer.lang, html_mode=False).render(answer)
    assert all(url in plain for url in REPORT_PAGES.values())  # whole URLs in plain text
    assert "@SaudiMOH" in plain  # how to check a handle here


def test_a_guide_question_that_names_a_body_gets_its_card(engine: Engine) -> None:
    answer = engine.answer(
        "I need the real account of the General Directorate of Passports, there are so many fakes"
    )
    assert answer.intent is Intent.OFFICIAL_ACCOUNTS
    assert answer.confident is not None and answer.confident.entity.id == "jawazat"


def test_a_programme_not_in_the_registry_is_not_given_unrelated_bodies(engine: Engine) -> None:
    answer = engine.answer("حساب المواطن")
    assert answer.confident is None and not answer.entities and not answer.nearest
    text = Renderer("ar", html_mode=False).render(answer)
    assert "الموانئ" not in text and "حفر الباطن" not in text


def test_a_nearest_name_shares_the_kind_asked(engine: Engine) -> None:
    answer = engine.answer("Citizen Account program official account")
    assert not answer.entities and len(answer.nearest) <= 1
    assert all(m.entity.kind.value == "programme" for m in answer.nearest)


def test_a_ministers_account_is_the_officials_labelled_as_personal(engine: Engine) -> None:
    answer = engine.answer("وش حساب وزير الصحة الشخصي")
    assert answer.intent is Intent.MINISTER
    assert answer.confident is not None and answer.confident.entity.id == "moh"
    text = Renderer("ar", html_mode=True).render(answer)
    assert "الحساب الشخصي للوزير" in text and "FahadAlJalajel" in text
    assert "أيّ جهة تقصد" not in text
    english = Renderer("en", html_mode=False).render(engine.answer("the health minister's account"))
    assert "personal account" in english and "FahadAlJalajel" in english


def test_without_a_minister_on_record_the_body_card_follows(engine: Engine) -> None:
    answer = engine.answer("compte du ministre de l'Intérieur")
    assert answer.intent is Intent.MINISTER
    text = Renderer("fr", html_mode=False).render(answer)
    assert "aucun compte personnel du ministre" in text
