"""Following entities: /subscribe, /unsubscribe, /subscriptions, /digest, the follow
button on cards; and the admins' /status and /notice."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from db.repositories.alerts import ALL, ENTITY, EVERYTHING, KIND, AlertRepository, send_time
from handlers.backlog import ALERTS_CAP, DEFAULT_CAP, backlog_text
from handlers.context import Context, services
from handlers.guards import admin_only
from handlers.keyboards import FOLLOW, UNFOLLOW, data
from handlers.language import interface_language
from handlers.sending import reply
from knowledge.answer import Answer
from knowledge.i18n import Messages
from knowledge.registry.schema import Entity, EntityKind
from knowledge.render import Renderer
from knowledge.understand import LANGUAGES, Lang
from knowledge.vocabulary import KIND_PLURALS, match_words

EVERYTHING_WORDS = frozenset(
    word
    for phrase in ("all", "everything", "الكل", "كل", "الجميع", "tout", "tous", "toutes")
    for word in match_words(phrase)
)
MAX_LISTED = 30


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe <entity>, /subscribe all, /subscribe ministries."""
    message = update.effective_message
    if message is None or not await _may_manage(update, context):
        return
    lang = await interface_language(update, context)
    t = Messages(lang)
    argument = " ".join(context.args or []).strip()
    if not argument:
        await reply(
            message,
            t(
                "Send what to follow after the command: /subscribe Ministry of Health, "
                "/subscribe ministries, or /subscribe all."
            ),
        )
        return
    scope, target = _target(argument)
    if scope is None:
        answer = services(context).engine.answer(argument, lang)
        if answer.confident is None:
            await _offer_candidates(update, context, [m.entity for m in answer.entities], lang)
            return
        scope, target = ENTITY, _followed_id(answer)
    await follow(update, context, scope, target, lang)


async def follow(update: Update, context: Context, scope: str, target: str, lang: Lang) -> None:
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return
    renderer = Renderer(lang, html_mode=True)
    t = renderer.t
    async with services(context).sessions() as session, session.begin():
        created = await AlertRepository(session).subscribe(chat.id, lang, scope, target)
    name = renderer.s.text(_describe(scope, target, context, renderer))
    if created:
        text = t("You will be alerted when the official accounts of {target} change.", target=name)
    else:
        text = t("You already follow {target}.", target=name)
    await reply(message, text + "\n" + t("To stop: /unsubscribe"))


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe <entity>, /unsubscribe all (everything), or the list with buttons."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await _may_manage(update, context):
        return
    t = Messages(await interface_language(update, context))
    argument = " ".join(context.args or []).strip()
    if not argument:
        await subscriptions(update, context)
        return
    scope, target = _target(argument)
    if scope is None:
        answer = services(context).engine.answer(argument)
        scope, target = ENTITY, _followed_id(answer) if answer.confident else ""
    async with services(context).sessions() as session, session.begin():
        repository = AlertRepository(session)
        if scope == ALL:
            removed = await repository.unsubscribe(chat.id)
        else:
            removed = await repository.unsubscribe(chat.id, scope, target)
    await reply(message, _stopped(t, removed))


async def subscriptions(update: Update, context: Context) -> None:
    """What this chat follows, with a button to stop each."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    renderer = Renderer(await interface_language(update, context), html_mode=True)
    t = renderer.t
    async with services(context).sessions() as session:
        repository = AlertRepository(session)
        followed = await repository.subscriptions(chat.id)
        reader = await repository.subscriber(chat.id)
    if not followed:
        await reply(
            message,
            t(
                "You follow nothing yet. Send /subscribe followed by a body's name, "
                "or /subscribe all."
            ),
        )
        return
    lines = [t("You follow:")]
    buttons = []
    for subscription_id, scope, target in followed[:MAX_LISTED]:
        name = _describe(scope, target, context, renderer)
        lines.append(f"• {renderer.s.text(name)}")
        label = t("Stop: {target}", target=name)  # button text is not HTML
        buttons.append(
            [InlineKeyboardButton(label[:60], callback_data=data(UNFOLLOW, str(subscription_id)))]
        )
    if reader is not None and reader.digest_hour is not None:
        lines.append(
            t("Alerts come as a daily digest at {hour}:00 UTC.", hour=f"{reader.digest_hour:02d}")
        )
    await reply(message, "\n".join(lines), InlineKeyboardMarkup(buttons))


async def digest(update: Update, context: Context) -> None:
    """/digest 8 for a daily digest at 08:00 UTC; /digest off for alerts as they happen."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not await _may_manage(update, context):
        return
    t = Messages(await interface_language(update, context))
    argument = (context.args or [""])[0].strip().lower()
    hour: int | None
    if argument in ("off", "stop", "ايقاف", "إيقاف", "non"):
        hour = None
    elif argument.isdigit() and 0 <= int(argument) <= 23:
        hour = int(argument)
    else:
        await reply(message, t("Send an hour from 0 to 23 (UTC) after /digest, or /digest off."))
        return
    async with services(context).sessions() as session, session.begin():
        known = await AlertRepository(session).set_digest(chat.id, hour)
    if not known:
        await reply(message, t("Follow something first with /subscribe."))
    elif hour is None:
        await reply(message, t("Alerts will come as they happen."))
    else:
        await reply(
            message, t("Alerts will come as a daily digest at {hour}:00 UTC.", hour=f"{hour:02d}")
        )


async def follow_button(update: Update, context: Context, entity_id: str) -> None:
    if await _may_manage(update, context):
        lang = await interface_language(update, context)
        await follow(update, context, ENTITY, entity_id, lang)


async def unfollow_button(update: Update, context: Context, subscription_id: int) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or not await _may_manage(update, context):
        return
    t = Messages(await interface_language(update, context))
    async with services(context).sessions() as session, session.begin():
        removed = await AlertRepository(session).unsubscribe_id(chat.id, subscription_id)
    await reply(message, _stopped(t, removed))


# Admins


async def status(update: Update, context: Context) -> None:
    """/status: the outbox and the subscribers, for admins."""
    message = update.effective_message
    if message is None or not await admin_only(update, context):
        return
    t = Messages(await interface_language(update, context))
    now = dt.datetime.now(dt.UTC)
    async with services(context).sessions() as session:
        counts = await AlertRepository(session).status()
        backlog = await AlertRepository(session).backlog(now)
    cap = float(context.bot_data.get(ALERTS_CAP, DEFAULT_CAP))
    await reply(
        message,
        t(
            "Alerts: {queued} queued, {sending} sending, {sent} sent, {failed} failed, "
            "{cancelled} cancelled. Subscribers: {active} active, {deactivated} deactivated.",
            queued=counts["queued"],
            sending=counts["sending"],
            sent=counts["sent"],
            failed=counts["failed"],
            cancelled=counts["cancelled"],
            active=counts["subscribers_active"],
            deactivated=counts["subscribers_deactivated"],
        )
        + "\n"
        + backlog_text(t, backlog, cap, now),
    )


async def notice(update: Update, context: Context) -> None:
    """/notice <YYYY-MM-DDTHH:MM|now> <entity id|all> <text>: a message to followers."""
    message = update.effective_message
    if message is None or not await admin_only(update, context):
        return
    t = Messages(await interface_language(update, context))
    args = context.args or []
    try:
        when = send_time(args[0]) if len(args) >= 3 else None
    except ValueError:
        when = None
    if when is None:
        await reply(
            message,
            t(
                "Usage: /notice 2026-12-01T09:00 moh text of the message "
                "(time in UTC, or now; all for everyone)"
            ),
        )
        return
    target, text = args[1], " ".join(args[2:])
    index = services(context).engine.index
    entity = index.entities.get(target)
    if target != ALL and entity is None:
        await reply(message, t("No entity has the id {id}.", id=target))
        return
    async with services(context).sessions() as session, session.begin():
        _, queued = await AlertRepository(session).schedule_message(
            entity.id if entity else None,
            entity.kind.value if entity else None,
            dict.fromkeys(LANGUAGES, text),
            when,
        )
    await reply(
        message,
        t.plural(
            "Scheduled for {n} chat at {at} UTC.",
            "Scheduled for {n} chats at {at} UTC.",
            queued,
            at=f"{when:%Y-%m-%d %H:%M}",
        ),
    )


def _stopped(t: Messages, removed: bool | int) -> str:
    if removed:
        return t("Done: you no longer receive these alerts.")
    return t("You were not following that.")


async def _may_manage(update: Update, context: Context) -> bool:
    """Anyone manages a private chat's alerts; in a group, only its administrators."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    try:
        member = await chat.get_member(user.id)
    except TelegramError:
        return False
    if member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
        return True
    if update.effective_message is not None:
        t = Messages(await interface_language(update, context))
        await reply(
            update.effective_message, t("In a group, only its administrators can change alerts.")
        )
    return False


def _target(argument: str) -> tuple[str | None, str]:
    """A kind ("ministries", "all ministries"), everything ("all"), or (None) a body to
    find by its name."""
    words = match_words(argument)
    kinds = [KIND_PLURALS[w] for w in words if w in KIND_PLURALS]
    if kinds and len(words) <= 2:
        return KIND, kinds[0].value
    if any(w in EVERYTHING_WORDS for w in words):
        return ALL, EVERYTHING
    return None, argument


def _followed_id(answer: Answer) -> str:
    """The body a confident answer is about, or what it was renamed to: what /subscribe
    follows and /unsubscribe stops."""
    return answer.entities[0].current.id


def _describe(scope: str, target: str, context: Context, renderer: Renderer) -> str:
    """What a subscription follows, in words; plain text (escape it for HTML)."""
    if scope == ALL:
        return renderer.t("all government bodies")
    if scope == KIND:
        return renderer.kind(EntityKind(target))
    entity = services(context).engine.index.entities.get(target)
    return renderer.name(entity) if entity else target


async def _offer_candidates(
    update: Update, context: Context, entities: list[Entity], lang: Lang
) -> None:
    message = update.effective_message
    if message is None:
        return
    t = Messages(lang)
    if not entities:
        await reply(
            message,
            t(
                "I could not find that body in the registry. Try its official name or its "
                "abbreviation, for example: Ministry of Health, MOH."
            ),
        )
        return
    index = services(context).engine.index
    renderer = Renderer(lang, html_mode=False)
    buttons = [
        [InlineKeyboardButton(renderer.name(e)[:60], callback_data=data(FOLLOW, index.key(e.id)))]
        for e in entities
    ]
    await reply(message, t("Which one do you want to follow?"), InlineKeyboardMarkup(buttons))
