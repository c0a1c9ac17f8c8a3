"""Inline keyboards under answers, and the callback data their buttons carry.

Callback data must fit in 64 bytes, so it names entities by their short key
(`RegistryIndex.key`), never by an Arabic name: `card:<key>`, `spk:<key>`, `lang:<code>`,
`ask:<n>` for the example questions of /start, `sub:<key>` to follow an entity,
`unsub:<subscription id>` to stop.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from knowledge.answer import Answer
from knowledge.i18n import Messages
from knowledge.index import RegistryIndex
from knowledge.registry.handles import Platform, display_handle, profile_url
from knowledge.registry.schema import AccountRole, AccountStatus, Entity
from knowledge.understand import Intent, Lang

CARD = "card"
SPOKESPERSON = "spk"
LANGUAGE = "lang"
EXAMPLE = "ask"
FOLLOW = "sub"
UNFOLLOW = "unsub"
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
    t = Messages(lang)
    if answer.intent is Intent.VERIFY:
        officials = [v for v in answer.verifications if v.official is not None]
        rows = [
            [_profile_button(v.official.platform, v.official.handle)]
            for v in officials[:MAX_ACCOUNT_BUTTONS]
            if v.official is not None
        ]
        return InlineKeyboardMarkup(rows) if rows else None
    if not answer.entities or answer.intent in (Intent.LIST_KIND,):
        return None
    if answer.confident is None:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _name(m.entity, lang), callback_data=data(CARD, index.key(m.entity.id))
                    )
                ]
                for m in answer.entities
            ]
        )
    entity = (
        answer.confident.successors[0] if answer.confident.successors else answer.confident.entity
    )
    return entity_keyboard(entity, index, lang, t, platform_only=answer.platform is not None)


def entity_keyboard(
    entity: Entity,
    index: RegistryIndex,
    lang: Lang,
    t: Messages,
    platform_only: bool = False,
    bot_username: str | None = None,
) -> InlineKeyboardMarkup | None:
    """With `bot_username` (cards shared in other chats, where Rasmi receives no button
    presses) the spokesperson button is a deep link into a private chat instead."""
    key = index.key(entity.id)
    rows: list[list[InlineKeyboardButton]] = []
    if not platform_only:
        accounts = [
            a
            for a in entity.accounts
            if a.status is AccountStatus.ACTIVE and a.role is not AccountRole.MINISTER
        ]
        rows.extend([_profile_button(a.platform, a.handle)] for a in accounts[:MAX_ACCOUNT_BUTTONS])
    if bot_username:
        link = create_deep_linked_url(bot_username, f"s_{key}")
        rows.append([InlineKeyboardButton(t("Spokesperson"), url=link)])
        return InlineKeyboardMarkup(rows)
    extra = [
        InlineKeyboardButton(t("Spokesperson"), callback_data=data(SPOKESPERSON, key)),
        InlineKeyboardButton(t("🔔 Follow"), callback_data=data(FOLLOW, key)),
    ]
    if platform_only:
        extra.append(InlineKeyboardButton(t("Other platforms"), callback_data=data(CARD, key)))
    rows.append(extra)
    return InlineKeyboardMarkup(rows)


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


def _profile_button(platform: Platform, handle: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        f"{display_handle(platform, handle)} · {platform.value}", url=profile_url(platform, handle)
    )


def _name(entity: Entity, lang: Lang) -> str:
    names = {"ar": entity.name.ar, "en": entity.name.en, "fr": entity.name.fr}
    return names[lang] or entity.name.ar or entity.name.en or entity.name.fr or entity.id
