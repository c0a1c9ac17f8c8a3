"""Inline keyboards under answers, and the callback data their buttons carry.

Callback data must fit in 64 bytes, so it names entities by their short key
(`RegistryIndex.key`), never by an Arabic name: `card:<key>`, `spk:<key>`, `lang:<code>`,
`ask:<n>` for the example questions of /start, `sub:<key>` to follow an entity,
`unsub:<subscription id>` to stop, `det:e:<key>` or `det:v:<platform>:<handle>` for the
sources behind an answer (the Details button). Deep links into a private chat with the bot carry
`/start e_<key>` (a card), `s_<key>` (a spokesperson) or `v_<handle>` (a check).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from handlers.report_buttons import report_rows
from knowledge.answer import Answer, Verification, body_accounts
from knowledge.index import RegistryIndex
from knowledge.registry.handles import Platform, profile_url
from knowledge.registry.schema import Entity
from knowledge.render import Renderer
from knowledge.understand import Intent, Lang

CARD = "card"
SPOKESPERSON = "spk"
LANGUAGE = "lang"
EXAMPLE = "ask"
FOLLOW = "sub"
UNFOLLOW = "unsub"
DETAILS = "det"
DETAILS_ENTITY = "e"
DETAILS_HANDLE = "v"
CARD_LINK = "e_"
SPOKESPERSON_LINK = "s_"
VERIFY_LINK = "v_"
MAX_ACCOUNT_BUTTONS = 6
LANGUAGE_NAMES: dict[Lang, str] = {"ar": "العربية", "en": "English", "fr": "Français"}


def data(action: str, value: str) -> str:
    text = f"{action}:{value}"
    assert len(text.encode()) <= 64, text
    return text


def parse(callback_data: str) -> tuple[str, str]:
    action, _, value = callback_data.partition(":")
    return action, value


def answer_keyboard(
    answer: Answer, index: RegistryIndex, lang: Lang
) -> InlineKeyboardMarkup | None:
    """Buttons for an answer: the accounts of the entity it is about, its spokesperson and
    its other platforms; or one button per candidate when the question was ambiguous."""
    renderer = Renderer(lang, html_mode=False)
    if answer.intent is Intent.VERIFY:
        # Only a confirmed official account gets a button that opens it.
        officials = [
            v.official
            for v in answer.verifications
            if v.official is not None and v.official.official
        ]
        rows = [
            [_profile_button(a.platform, a.handle, renderer)]
            for a in officials[:MAX_ACCOUNT_BUTTONS]
        ]
        details = [v for v in answer.verifications if v.evidence is not None]
        if details and (button := details_button(details[0], renderer)) is not None:
            rows.append([button])
        rows.extend(report_rows(answer, lang))
        return InlineKeyboardMarkup(rows) if rows else None
    if not answer.entities or answer.intent is Intent.LIST_KIND:
        return None
    if answer.confident is None:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        renderer.name(m.entity), callback_data=data(CARD, index.key(m.entity.id))
                    )
                ]
                for m in answer.entities
            ]
        )
    entity = answer.entities[0].current
    return entity_keyboard(entity, index, lang, platform_only=answer.platform is not None)


def entity_keyboard(
    entity: Entity,
    index: RegistryIndex,
    lang: Lang,
    platform_only: bool = False,
    bot_username: str | None = None,
) -> InlineKeyboardMarkup | None:
    """With `bot_username` (cards shared in other chats, where Rasmi receives no button
    presses) the spokesperson button is a deep link into a private chat instead."""
    renderer = Renderer(lang, html_mode=False)
    t = renderer.t
    key = index.key(entity.id)
    rows: list[list[InlineKeyboardButton]] = []
    if not platform_only:
        accounts = [a for a in body_accounts(entity) if a.official]
        rows.extend(
            [_profile_button(a.platform, a.handle, renderer)]
            for a in accounts[:MAX_ACCOUNT_BUTTONS]
        )
    if bot_username:
        link = create_deep_linked_url(bot_username, SPOKESPERSON_LINK + key)
        rows.append([InlineKeyboardButton(t("Spokesperson"), url=link)])
        return InlineKeyboardMarkup(rows)
    extra = [
        InlineKeyboardButton(t("Spokesperson"), callback_data=data(SPOKESPERSON, key)),
        InlineKeyboardButton(t("🔔 Follow"), callback_data=data(FOLLOW, key)),
        InlineKeyboardButton(t("Details"), callback_data=data(DETAILS, f"{DETAILS_ENTITY}:{key}")),
    ]
    if platform_only:
        extra.append(InlineKeyboardButton(t("Other platforms"), callback_data=data(CARD, key)))
    rows.append(extra)
    return InlineKeyboardMarkup(rows)


def details_button(v: Verification, renderer: Renderer) -> InlineKeyboardButton | None:
    """The Details button of a check: its data names the platform and the handle, and a
    handle too long for Telegram's 64 bytes gets no button rather than a cut one."""
    value = f"{DETAILS_HANDLE}:{(v.platform or Platform.X).value}:{v.handle}"
    if len(f"{DETAILS}:{value}".encode()) > 64:
        return None
    return InlineKeyboardButton(renderer.t("Details"), callback_data=data(DETAILS, value))


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(name, callback_data=data(LANGUAGE, code))]
            for code, name in LANGUAGE_NAMES.items()
        ]
    )


def examples_keyboard(examples: list[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(text, callback_data=data(EXAMPLE, str(n)))]
            for n, text in enumerate(examples)
        ]
    )


def _profile_button(platform: Platform, handle: str, renderer: Renderer) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        f"{renderer.handle_text(platform, handle)} · {renderer.platform(platform)}",
        url=profile_url(platform, handle),
    )
