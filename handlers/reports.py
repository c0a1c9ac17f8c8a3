"""Citizens' reports: `/report @handle [note]` and the "Report" button under look-alike,
unknown and unconfirmed answers (`handlers.report_buttons`); `/reports` and its accept and
dismiss buttons for admins; the "reported, under review" line of answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from db.repositories.reports import NOTE_CHARS, Filed, ReportRepository, reporter_hash
from handlers.context import Context, services
from handlers.guards import admin_only
from handlers.language import interface_language
from handlers.report_buttons import (
    ACCEPT,
    DISMISS,
    REPORT,
    REPORTABLE,
    report_data,
)
from handlers.sending import reply
from knowledge.answer import Answer
from knowledge.i18n import Messages
from knowledge.links import HandleRef, clean_text, parse_handle
from knowledge.registry.handles import FORMATS, Platform, handle_key
from knowledge.registry.schema import LocalizedText
from knowledge.render import Renderer
from knowledge.understand import LANGUAGES

_SETTINGS = "settings"
"""Where bot/app.py keeps the settings in `bot_data`."""


async def under_review(context: Context, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of `keys` ((platform, handle key) pairs), those reported by enough people and not
    yet reviewed: the answer says "reported, under review" for them."""
    threshold = _settings(context).report_review_threshold
    async with services(context).sessions() as session:
        return await ReportRepository(session).under_review(keys, threshold)


async def review_note(context: Context, answer: Answer) -> str:
    """A line for an answer about a handle that several people reported and no one has
    reviewed yet ("reported, under review"), or nothing. Never a ⛔: that needs a review."""
    keys = [
        _key(v.platform or Platform.X, v.handle)
        for v in answer.verifications
        if v.verdict in REPORTABLE
    ]
    if not keys or not await under_review(context, keys):
        return ""
    t = Messages(answer.lang)
    return "\n\n" + t(
        "🚩 Several people reported this account as an impersonation; it is under review."
    )


async def report(update: Update, context: Context) -> None:
    """/report @handle [note]."""
    message = update.effective_message
    if message is None:
        return
    lang = await interface_language(update, context)
    t = Messages(lang)
    args = context.args or []
    if not args:
        await reply(
            message,
            t(
                "Send the handle after the command, with a note if you wish, for example: "
                "/report @SaudiM0H it copies the Ministry of Health's name"
            ),
        )
        return
    ref = _one_handle(args[0])
    platform = (ref.platform or Platform.X) if ref else Platform.X
    if ref is None or not FORMATS[platform].is_valid(ref.handle):
        text = t(
            "{text} is not an account handle or link. Send it like this: /report @SaudiM0H",
            text=Renderer(lang, html_mode=True).s.code(args[0]),
        )
        await reply(message, text)
        return
    note = " ".join(args[1:]).strip() or None
    if note is not None and len(note) > NOTE_CHARS:
        text = t("Your note is too long: please keep it under {n} characters.", n=NOTE_CHARS)
        await reply(message, text)
        return
    await reply(message, await _file(update, context, platform, ref.handle, note))


async def _file(
    update: Update, context: Context, platform: Platform, handle: str, note: str | None
) -> str:
    """Files the report and says what became of it, in the user's language."""
    user = update.effective_user
    lang = await interface_language(update, context)
    t = Messages(lang)
    if user is None:
        return t("This button has expired. Please ask again.")
    settings = _settings(context)
    salt = settings.report_salt or settings.telegram_bot_token
    async with services(context).sessions() as session, session.begin():
        filed = await ReportRepository(session).file(
            platform,
            handle,
            note,
            lang,
            reporter_hash(user.id, salt.get_secret_value()),
            dt.datetime.now(dt.UTC),
            settings.reports_per_day,
        )
    shown = Renderer(lang, html_mode=True).handle_text(platform, handle)
    if filed is Filed.DUPLICATE:
        return t(
            "You have already reported {handle}. Thank you: each person's report counts once.",
            handle=shown,
        )
    if filed is Filed.LIMIT:
        return t.plural(
            "You have sent {n} report today, the most one person can send. "
            "Please try again tomorrow.",
            "You have sent {n} reports today, the most one person can send. "
            "Please try again tomorrow.",
            settings.reports_per_day,
        )
    if filed is Filed.REVIEWED:
        return t(
            "{handle} has already been reviewed: it is on record as an impersonation.", handle=shown
        )
    return t(
        "Thank you. Your report about {handle} is recorded, and the registry's maintainers "
        "will review it. Until then, the account is not marked as fake.",
        handle=shown,
    )


async def reports(update: Update, context: Context) -> None:
    """/reports: for admins, the reported handles with their counts, to accept or dismiss."""
    message = update.effective_message
    if message is None or not await admin_only(update, context):
        return
    lang = await interface_language(update, context)
    t = Messages(lang)
    async with services(context).sessions() as session:
        pending = await ReportRepository(session).pending()
    if not pending:
        await reply(message, t("No reports are waiting for review."))
        return
    renderer = Renderer(lang, html_mode=True)
    for item in pending:
        text = t.plural(
            "{handle} on {platform}: {n} report",
            "{handle} on {platform}: {n} reports",
            item.count,
            handle=renderer.handle_text(item.platform, item.handle),
            platform=renderer.platform(item.platform),
        )
        for note in item.notes[:5]:
            text += "\n• " + renderer.s.italic(renderer.s.text(note))
        buttons = [
            InlineKeyboardButton(
                t("Accept"), callback_data=report_data(ACCEPT, item.platform, item.key)
            ),
            InlineKeyboardButton(
                t("Dismiss"), callback_data=report_data(DISMISS, item.platform, item.key)
            ),
        ]
        if all(b.callback_data for b in buttons):
            await reply(message, text, InlineKeyboardMarkup([buttons]))
        else:
            await reply(message, text)


async def button(update: Update, context: Context) -> None:
    """The "Report" button, and the admins' accept and dismiss buttons."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    action, _, rest = query.data.partition(":")
    platform_value, _, handle = rest.partition(":")
    platform = next((p for p in Platform if p.value == platform_value), None)
    message = update.effective_message
    if platform is None or not handle or message is None:
        await query.answer()
        return
    if action == REPORT:
        await query.answer()
        if FORMATS[platform].is_valid(handle):
            await reply(message, await _file(update, context, platform, handle, None))
        return
    await query.answer()
    if not await admin_only(update, context):
        return
    await reply(message, await _decide(update, context, platform, handle, action == ACCEPT))


async def _decide(
    update: Update, context: Context, platform: Platform, key: str, accept: bool
) -> str:
    lang = await interface_language(update, context)
    t = Messages(lang)
    now = dt.datetime.now(dt.UTC)
    async with services(context).sessions() as session, session.begin():
        repository = ReportRepository(session)
        spelling = await repository.spelling(platform, key) or key
        shown = Renderer(lang, html_mode=True).handle_text(platform, spelling)
        if accept:
            decision = await repository.accept(
                platform, key, now, _imitated(context, platform, key), _titles
            )
        else:
            decision = await repository.dismiss(platform, key, now)
    if decision.refused == "official":
        return t(
            "{handle} is a current account in the registry: it cannot be recorded as an "
            "impersonation.",
            handle=shown,
        )
    if decision.reports == 0:
        return t("Nothing to decide: these reports were already reviewed.")
    if not accept:
        return t.plural(
            "Dismissed {n} report about {handle}.",
            "Dismissed {n} reports about {handle}.",
            decision.reports,
            handle=shown,
        )
    await services(context).index_cache.current()  # answers see it now, not at the next poll
    return t.plural(
        "Accepted: {handle} is now on record as an impersonation, with {n} report as its evidence.",
        "Accepted: {handle} is now on record as an impersonation, "
        "with {n} reports as its evidence.",
        decision.reports,
        handle=shown,
    )


def _imitated(context: Context, platform: Platform, key: str) -> str | None:
    """The body the handle imitates, as the engine sees it: the look-alike's entity."""
    v = services(context).engine.verify(HandleRef(platform, key, key, True))
    if v.official_entity is not None:
        return v.official_entity.id
    return v.similar_to[0].entity.id if v.similar_to else None


def _titles(count: int, date: str) -> LocalizedText:
    """The evidence's label, "reported by N people, reviewed on DATE", in every language."""
    texts = {
        lang: Messages(lang).plural(
            "Reported by {n} person, reviewed on {date}",
            "Reported by {n} people, reviewed on {date}",
            count,
            date=Renderer(lang, html_mode=False).date(date),
        )
        for lang in LANGUAGES
    }
    return LocalizedText(**texts)


def _one_handle(word: str) -> HandleRef | None:
    """The handle `word` is, as a link or as a whole @handle: "@not-a<handle>" is not
    the handle @not."""
    ref = parse_handle(word)
    if ref is None or ref.from_link:
        return ref
    return ref if clean_text(word).removeprefix("@") == ref.handle else None


def _key(platform: Platform, handle: str) -> tuple[str, str]:
    return platform.value, handle_key(platform, handle)[1]


def _settings(context: Context) -> Any:
    return context.bot_data[_SETTINGS]
