"""Inline mode: `@bot وزارة الصحة` in any chat offers entity cards to share."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode

from handlers.context import Context, services
from handlers.keyboards import entity_keyboard
from handlers.language import interface_language
from handlers.questions import log_question
from knowledge.answer import body_account
from knowledge.i18n import Messages
from knowledge.registry.handles import display_handle
from knowledge.registry.schema import Entity
from knowledge.render import Renderer
from knowledge.understand import Intent

MAX_RESULTS = 10
CACHE_SECONDS = 300


async def inline_query(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    if not text:
        await query.answer([], cache_time=CACHE_SECONDS)
        return
    engine = services(context).engine
    # A shared card is read in another chat: it is written in the user's chosen language,
    # else their app's, never guessed from a two-word query.
    answer = engine.answer(text, await interface_language(update, context))
    lang = answer.lang
    renderer = Renderer(lang, html_mode=True)
    t = renderer.t
    results: list[InlineQueryResultArticle] = []
    if answer.intent is Intent.VERIFY and answer.verifications:
        check = answer.verifications[0]
        results.append(
            InlineQueryResultArticle(
                id=f"v-{check.verdict.value}"[:64],
                title=display_handle(check.platform, check.handle)
                if check.platform
                else check.handle,
                description=t("Check this handle against the registry"),
                input_message_content=InputTextMessageContent(
                    renderer.render(answer), parse_mode=ParseMode.HTML
                ),
            )
        )
    for match in answer.entities[:MAX_RESULTS]:
        card = engine.card(
            match.entity.id,
            lang,
            answer.intent if answer.intent is Intent.SPOKESPERSON else Intent.OFFICIAL_ACCOUNTS,
        )
        results.append(
            InlineQueryResultArticle(
                id=engine.index.key(match.entity.id),
                title=renderer.name(match.entity),
                description=_main_account(match.entity, t),
                input_message_content=InputTextMessageContent(
                    renderer.render(card), parse_mode=ParseMode.HTML
                ),
                reply_markup=entity_keyboard(
                    match.entity, engine.index, lang, bot_username=context.bot.username
                ),
            )
        )
    # Personal: the results follow the language the user chose, so Telegram must not hand
    # them to another user who sends the same query.
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)
    log_question(context, answer, "inline")


def _main_account(entity: Entity, t: Messages) -> str:
    """The body's account under its name in the list of results; one nothing confirms
    says so, as the card does."""
    main = body_account(entity)
    if main is None:
        return t("No account on record")
    shown = display_handle(main.platform, main.handle)
    return shown if main.official else shown + " " + t("(not confirmed)")
