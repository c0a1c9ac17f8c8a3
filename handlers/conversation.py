"""What a chat is talking about, so that "and the spokesperson?" or "2" can be answered.

People do not repeat the name of the body they just asked about: they reply to the card
("and on Instagram?"), or, in a private chat, they simply go on. And a numbered "which
one do you mean?" list is answered with a number as often as with a button.

Rasmi keeps, in PTB's `chat_data`, only what the next answer needs: the entity keys of
the answer (one for a card, several for a candidate list), its intent, platform and
language, and when it was sent. Never the question's text. A reply finds the topic of the
very message it replies to (in groups too), or, when that message is not remembered (an
older one, or a bot restarted since), reads it from the message's own buttons, which name
their entities by key; a private message without a reply follows the last topic while it is
recent (`WINDOW` in `bot_data`, `FOLLOW_UP_MINUTES` in settings).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType

from handlers.context import Context
from handlers.keyboards import CARD, FOLLOW, SPOKESPERSON, parse
from knowledge.answer import Answer
from knowledge.index import RegistryIndex
from knowledge.registry.handles import Platform
from knowledge.registry.schema import Entity
from knowledge.understand import Intent, Lang, choice_number

WINDOW = "rasmi_follow_up_window"
"""`bot_data` key: how long a private chat's last topic is followed (a timedelta)."""
DEFAULT_WINDOW = dt.timedelta(minutes=10)
LAST = "rasmi_topic"
"""`chat_data` key: the topic of the last answer in the chat."""
BY_MESSAGE = "rasmi_topics"
"""`chat_data` key: the topics of the chat's recent answers, by message id (for replies)."""
REMEMBERED = 20
"""Answers per chat whose topic a reply can still find; older ones are forgotten."""


@dataclass(frozen=True)
class Topic:
    keys: tuple[str, ...]
    """`RegistryIndex.key` of the entity a card was about, or of each candidate offered."""
    choice: bool
    """True for a numbered candidate list: the next message may be its number."""
    intent: Intent
    platform: Platform | None
    lang: Lang | None
    """The answer's language; None when read from buttons, which do not say it."""
    at: float
    """When the answer was sent (seconds since the epoch)."""


def topic_of(answer: Answer, index: RegistryIndex) -> Topic | None:
    """What an answer leaves the conversation about, if anything: a card's entity, the
    candidates of a list, or the body a single checked handle belongs to."""
    now = time.time()
    confident = answer.confident
    if confident is not None:
        keys: tuple[str, ...] = (index.key(confident.current.id),)
        return Topic(keys, False, answer.intent, answer.platform, answer.lang, now)
    if answer.entities and answer.intent is not Intent.LIST_KIND:
        keys = tuple(index.key(m.entity.id) for m in answer.entities)
        return Topic(keys, True, answer.intent, answer.platform, answer.lang, now)
    if len(answer.verifications) == 1:
        check = answer.verifications[0]
        owner = check.official_entity or check.entity
        if owner is not None:
            keys = (index.key(owner.id),)
            return Topic(keys, False, Intent.OFFICIAL_ACCOUNTS, None, answer.lang, now)
    return None


def remember(context: Context, answer: Answer, index: RegistryIndex) -> Topic | None:
    """Keeps the topic of an answer as the chat's last, before the answer is sent (so that
    a quick "1" finds its list); `remember_sent` files it under the sent message's id."""
    topic = topic_of(answer, index)
    chat_data = context.chat_data  # None without a chat (inline queries)
    if topic is not None and chat_data is not None:
        chat_data[LAST] = topic
    return topic


def remember_sent(context: Context, sent: Message, topic: Topic | None) -> None:
    """Files a sent answer's topic under its message id, for replies to it."""
    chat_data = context.chat_data
    if topic is None or chat_data is None:
        return
    recent: dict[int, Topic] = chat_data.setdefault(BY_MESSAGE, {})
    recent[sent.message_id] = topic
    while len(recent) > REMEMBERED:
        del recent[next(iter(recent))]  # dicts keep insertion order: the oldest first


def recall(update: Update, context: Context) -> Topic | None:
    """The topic a message continues: that of the bot's message it replies to, or in a
    private chat the last one while it is recent."""
    message = update.effective_message
    chat_data = context.chat_data  # None without a chat (inline queries)
    if message is None or chat_data is None:
        return None
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None:
        if replied.from_user.id != context.bot.id:
            return None
        recent: dict[int, Topic] = chat_data.get(BY_MESSAGE, {})
        return recent.get(replied.message_id) or from_buttons(replied.reply_markup)
    last: Topic | None = chat_data.get(LAST)
    if last is None or message.chat.type != ChatType.PRIVATE:
        return None
    window: dt.timedelta = context.bot_data.get(WINDOW, DEFAULT_WINDOW)
    return last if time.time() - last.at <= window.total_seconds() else None


def from_buttons(markup: InlineKeyboardMarkup | None) -> Topic | None:
    """The topic of one of Rasmi's messages, read from its buttons: several `card:` buttons
    are a candidate list, in order; a card's own buttons (spokesperson, follow, other
    platforms) all name its entity."""
    if markup is None:
        return None
    found = [
        parse(b.callback_data)
        for row in markup.inline_keyboard
        for b in row
        if isinstance(b.callback_data, str)
    ]
    keys: dict[str, str] = {}
    for action, value in found:
        if action in (CARD, SPOKESPERSON, FOLLOW):
            keys.setdefault(value, action)
    if not keys:
        return None
    choice = len(keys) > 1 and all(action == CARD for action in keys.values())
    return Topic(tuple(keys), choice, Intent.OFFICIAL_ACCOUNTS, None, None, time.time())


def chosen(topic: Topic | None, text: str, index: RegistryIndex) -> Entity | None:
    """The candidate a message picks by its number ("2", "٢") from the list it follows."""
    if topic is None or not topic.choice:
        return None
    number = choice_number(text)
    if number is None or not 1 <= number <= len(topic.keys):
        return None
    return index.by_key(topic.keys[number - 1])


def subject(topic: Topic | None, index: RegistryIndex) -> str | None:
    """The id of the entity a follow-up is about: a card's, never a list's."""
    if topic is None or topic.choice:
        return None
    entity = index.by_key(topic.keys[0])
    return entity.id if entity is not None else None
