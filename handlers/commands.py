"""Commands: /start (with deep links), /help, /about, /language, /verify, /spokesperson."""

from __future__ import annotations

from telegram import Update

from db.repositories.registry import RegistryRepository
from handlers import conversation
from handlers.context import Context, services
from handlers.keyboards import (
    CARD_LINK,
    SPOKESPERSON_LINK,
    VERIFY_LINK,
    answer_keyboard,
    examples_keyboard,
    language_keyboard,
)
from handlers.language import interface_language
from handlers.questions import answer_question
from handlers.sending import reply
from knowledge.i18n import Messages
from knowledge.render import Renderer
from knowledge.understand import Intent, Lang


def examples(lang: Lang) -> list[str]:
    """Example questions under /start, in the user's language."""
    t = Messages(lang)
    return [
        t("Ministry of Health official account"),
        t("Is @SaudiMOH official?"),
        t("Ministry of Education spokesperson"),
    ]


async def start(update: Update, context: Context) -> None:
    """/start greets and explains; /start <payload> opens what a deep link names."""
    message = update.effective_message
    if message is None:
        return
    if context.args and await _deep_link(update, context, context.args[0]):
        return
    lang = await interface_language(update, context)
    t = Messages(lang)
    text = "\n".join(
        [
            t("Hello! I am Rasmi: I tell you which government accounts are the official ones."),
            Renderer(lang, html_mode=True).help(),
        ]
    )
    await reply(message, text, examples_keyboard(examples(lang)))


async def _deep_link(update: Update, context: Context, payload: str) -> bool:
    """t.me/<bot>?start=e_<key> opens an entity card, s_<key> its spokesperson,
    v_<handle> a verification. Unknown payloads fall back to the greeting."""
    message = update.effective_message
    engine = services(context).engine
    kind, value = payload[:2], payload[2:]
    if message is None or not value:
        return False
    if kind in (CARD_LINK, SPOKESPERSON_LINK):
        entity = engine.index.by_key(value)
        if entity is None:
            return False
        intent = Intent.SPOKESPERSON if kind == SPOKESPERSON_LINK else Intent.OFFICIAL_ACCOUNTS
        await send_card(update, context, entity.id, intent)
        return True
    if kind == VERIFY_LINK:
        await answer_question(update, context, f"@{value}", "deeplink")
        return True
    return False


async def send_card(update: Update, context: Context, entity_id: str, intent: Intent) -> None:
    message = update.effective_message
    if message is None:
        return
    engine = services(context).engine
    lang = await interface_language(update, context)
    answer = engine.card(entity_id, lang, intent)
    text = Renderer(lang, html_mode=True).render(answer)
    kept = conversation.remember(context, answer, engine.index)
    sent = await reply(message, text, answer_keyboard(answer, engine.index, lang))
    conversation.remember_sent(context, sent, kept)


async def help_command(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None:
        lang = await interface_language(update, context)
        await reply(
            message, Renderer(lang, html_mode=True).help(), examples_keyboard(examples(lang))
        )


async def about(update: Update, context: Context) -> None:
    """What the registry is, where its data comes from, and when it was last updated."""
    message = update.effective_message
    if message is None:
        return
    lang = await interface_language(update, context)
    t = Messages(lang)
    index = services(context).engine.index
    async with services(context).sessions() as session:
        last = await RegistryRepository(session).last_import()
    lines = [
        t(
            "Rasmi answers from a registry of official government accounts: {entities} bodies "
            "and {accounts} accounts, each with its sources and the date it was checked.",
            entities=len(index.entities),
            accounts=index.account_count,
        ),
        t(
            '"Official" is said only for an exact match in the registry. A handle that is not '
            'in it is "not in the registry", which does not make it fake.'
        ),
        t(
            "The bundled data was compiled from public sources (the national government "
            "directory, official websites, news reports) in November 2026."
        ),
    ]
    if last is not None:
        lines.append(t("Registry last updated: {date}", date=f"{last.at:%Y-%m-%d %H:%M} UTC"))
    await reply(message, "\n\n".join(lines))


async def language(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is not None:
        t = Messages(await interface_language(update, context))
        await reply(message, t("Choose the language of my answers:"), language_keyboard())


async def verify(update: Update, context: Context) -> None:
    """/verify <handle or link>."""
    await _with_argument(update, context, Intent.VERIFY)


async def spokesperson(update: Update, context: Context) -> None:
    """/spokesperson <entity>."""
    await _with_argument(update, context, Intent.SPOKESPERSON)


async def _with_argument(update: Update, context: Context, intent: Intent) -> None:
    message = update.effective_message
    if message is None:
        return
    argument = " ".join(context.args or []).strip()
    if argument:
        await answer_question(update, context, argument, "command", intent)
        return
    t = Messages(await interface_language(update, context))
    if intent is Intent.VERIFY:
        usage = t("Send the handle or link after the command, for example: /verify @SaudiMOH")
    else:
        usage = t(
            "Send the body's name after the command, for example: "
            "/spokesperson Ministry of Education"
        )
    await reply(message, usage)
