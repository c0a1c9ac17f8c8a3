"""Button presses under Rasmi's messages: an entity's card, its spokesperson, a language,
an example question."""

from __future__ import annotations

from telegram import Update

from handlers import subscriptions
from handlers.commands import examples, send_card
from handlers.context import Context, services
from handlers.keyboards import (
    CARD,
    DETAILS,
    DETAILS_ENTITY,
    DETAILS_HANDLE,
    EXAMPLE,
    FOLLOW,
    LANGUAGE,
    SPOKESPERSON,
    UNFOLLOW,
    parse,
)
from handlers.language import choose_language, interface_language
from handlers.questions import answer_question
from handlers.sending import reply
from knowledge.engine import Engine
from knowledge.i18n import Messages, supported
from knowledge.links import HandleRef
from knowledge.registry.handles import Platform
from knowledge.render import Renderer
from knowledge.understand import Intent


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    action, value = parse(query.data)
    entity = services(context).engine.index.by_key(value)
    if action in (CARD, SPOKESPERSON) and entity is not None:
        await query.answer()
        intent = Intent.SPOKESPERSON if action == SPOKESPERSON else Intent.OFFICIAL_ACCOUNTS
        await send_card(update, context, entity.id, intent)
    elif action == LANGUAGE and (lang := supported(value)) is not None:
        await choose_language(update, context, lang)
        await query.answer()
        if query.message is not None:
            t = Messages(lang)
            text = t("From now on I will answer in English.")
            await query.edit_message_text(text)
    elif action == FOLLOW and entity is not None:
        await query.answer()
        await subscriptions.follow_button(update, context, entity.id)
    elif action == UNFOLLOW and value.isdigit():
        await query.answer()
        await subscriptions.unfollow_button(update, context, int(value))
    elif action == DETAILS and query.message is not None and update.effective_message:
        renderer = Renderer(await interface_language(update, context), html_mode=True)
        sources = details(services(context).engine, renderer, value)
        await query.answer(
            None if sources else renderer.t("This button has expired. Please ask again.")
        )
        if sources:
            await reply(update.effective_message, sources)
    elif action == EXAMPLE and value.isdigit():
        await query.answer()
        lang = await interface_language(update, context)
        questions = examples(lang)
        if int(value) < len(questions):
            await answer_question(update, context, questions[int(value)], "example")
    else:
        # A button from an older registry version, or data Rasmi never sent.
        t = Messages(await interface_language(update, context))
        expired = t("This button has expired. Please ask again.")
        await query.answer(expired)
        if query.message is not None and update.effective_message is not None:
            await reply(update.effective_message, expired)


def details(engine: Engine, renderer: Renderer, value: str) -> str | None:
    """The sources behind a card (`e:<key>`) or a check (`v:<platform>:<handle>`), with
    their provenance; None when the button names something this registry no longer has."""
    kind, _, rest = value.partition(":")
    if kind == DETAILS_ENTITY:
        entity = engine.index.by_key(rest)
        return renderer.details(entity, None) if entity is not None else None
    platform_name, _, handle = rest.partition(":")
    known = {p.value: p for p in Platform}
    if kind != DETAILS_HANDLE or platform_name not in known or not handle:
        return None
    check = engine.verify(HandleRef(known[platform_name], handle, f"@{handle}", False))
    return renderer.details(None, check)
