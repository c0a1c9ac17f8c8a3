"""Questions in messages: private chats, groups (when addressed), edits, forwarded posts."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from telegram import (
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)

from db.repositories.questions import LoggedQuestion
from handlers import conversation, reports
from handlers.context import Context, services
from handlers.keyboards import answer_keyboard
from handlers.language import chosen_language, interface_language
from handlers.sending import reply
from knowledge.answer import Answer, Verification
from knowledge.engine import Engine
from knowledge.i18n import Messages
from knowledge.links import HandleRef
from knowledge.registry.handles import Platform, telegram_platform_id
from knowledge.render import Renderer
from knowledge.understand import MAX_QUESTION_CHARS, Intent

log = logging.getLogger(__name__)


async def answer_question(
    update: Update, context: Context, text: str, source: str, intent: Intent | None = None
) -> None:
    """The one path from a question to a reply: engine, words, buttons, question log.
    A message that goes on from an earlier answer (a reply to it, or in a private chat
    soon after it) picks a candidate by its number or asks about the same body."""
    message = update.effective_message
    if message is None:
        return
    text = text[:MAX_QUESTION_CHARS]
    engine = services(context).engine
    chosen = await chosen_language(update, context)
    fallback = await interface_language(update, context)
    topic = conversation.recall(update, context)
    picked = conversation.chosen(topic, text, engine.index)
    if topic is not None and picked is not None:
        card = engine.card(picked.id, chosen or topic.lang or fallback, topic.intent)
        answer = replace(card, query=text, platform=topic.platform)
    else:
        subject = conversation.subject(topic, engine.index)
        answer = engine.answer(text, chosen, intent, fallback, subject)
    rendered = Renderer(answer.lang, html_mode=True).render(answer)
    rendered += await reports.review_note(context, answer)
    kept = conversation.remember(context, answer, engine.index)
    sent = await reply(message, rendered, answer_keyboard(answer, engine.index, answer.lang))
    conversation.remember_sent(context, sent, kept)
    log_question(context, answer, source)


def log_question(context: Context, answer: Answer, source: str) -> None:
    """Queues the question for the maintainers' log (never who asked); a job writes the
    queue in batches, so the reply is not held up by the write."""
    services(context).question_log.append(
        LoggedQuestion(answer.query, answer.lang, answer.intent.value, answer.answered, source)
    )


async def private_text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await answer_question(update, context, message.text, "private")


async def group_text(update: Update, context: Context) -> None:
    """In groups Rasmi speaks only when spoken to: a mention of it, or a reply to it."""
    message = update.effective_message
    if message is None or not message.text:
        return
    username = context.bot.username
    text, mentioned = message.text, 0
    if username:
        mention = re.escape(f"@{username}")
        text, mentioned = re.subn(mention, "", text, count=1, flags=re.IGNORECASE)
    replied = (
        message.reply_to_message is not None
        and message.reply_to_message.from_user is not None
        and message.reply_to_message.from_user.id == context.bot.id
    )
    if mentioned or replied:
        await answer_question(update, context, text.strip(), "group")


async def edited_text(update: Update, context: Context) -> None:
    """An edited question (in a private chat) is answered again: the edit usually fixes a
    typo."""
    message = update.edited_message
    if message is not None and message.text:
        await answer_question(update, context, message.text, "private")


async def forwarded(update: Update, context: Context) -> None:
    """A forwarded post: who it came from, then every link and @mention inside it."""
    message = update.effective_message
    if message is None or message.forward_origin is None:
        return
    engine = services(context).engine
    lang = await interface_language(update, context)
    renderer = Renderer(lang, html_mode=True)
    origin_line, checks = origin_checks(message.forward_origin, engine, renderer.t)
    body = (message.text or message.caption or "")[:MAX_QUESTION_CHARS]
    if body:
        inner = engine.answer(body, lang)
        if inner.intent is Intent.VERIFY:
            checks += [v for v in inner.verifications if v not in checks]
    answer = Answer(origin_line, lang, Intent.VERIFY, verifications=checks)
    text = renderer.s.text(origin_line)
    if checks:
        text += "\n\n" + renderer.render(answer)
    await reply(message, text, answer_keyboard(answer, engine.index, lang))
    log_question(context, answer, "forward")


def origin_checks(
    origin: MessageOrigin, engine: Engine, t: Messages
) -> tuple[str, list[Verification]]:
    """A line saying where a post came from, and the check of its origin: by numeric id
    first (it survives renames), else by its public username as a Telegram handle."""
    if isinstance(origin, MessageOriginHiddenUser):
        line = t(
            "This post was forwarded from {origin}, who hides their account: its origin "
            "cannot be checked.",
            origin=origin.sender_user_name,
        )
        return line, []
    if isinstance(origin, MessageOriginUser):
        user = origin.sender_user
        username, shown, numeric = user.username, user.full_name, user.id
    elif isinstance(origin, MessageOriginChannel | MessageOriginChat):
        chat = origin.chat if isinstance(origin, MessageOriginChannel) else origin.sender_chat
        username, shown, numeric = chat.username, chat.title or str(chat.id), chat.id
    else:
        return t("This post was forwarded from {origin}.", origin="?"), []
    line = t("This post was forwarded from {origin}.", origin=shown)
    by_id = engine.verify_platform_id(
        Platform.TELEGRAM, telegram_platform_id(numeric), str(numeric)
    )
    if by_id is not None:
        return line, [by_id]
    if not username:
        return line + " " + t("It has no public username to check."), []
    return line, [engine.verify(HandleRef(Platform.TELEGRAM, username, f"@{username}", False))]


async def caption(update: Update, context: Context) -> None:
    """A photo with a caption (a screenshot of a post, say): the caption is the question."""
    message = update.effective_message
    if message is not None and message.caption:
        await answer_question(update, context, message.caption, "private")
