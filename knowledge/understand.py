"""What a question asks: its language, its intent, and the slots the answer needs.

Slots come out first (handles and links from the raw text, then platform words, then the
words that name an intent), and what remains, without filler, is the entity mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from knowledge.links import HandleRef, extract_handles
from knowledge.normalize import normalize, tokens
from knowledge.registry.handles import Platform
from knowledge.registry.schema import EntityKind
from knowledge.vocabulary import (
    ENGLISH_MARKERS,
    FILLER,
    FRENCH_MARKERS,
    GREETING_WORDS,
    HELP_WORDS,
    KIND_PLURALS,
    LIST_WORDS,
    OUT_OF_SCOPE_HINTS,
    PLATFORM_WORDS,
    SPOKESPERSON_WORDS,
    STOPWORDS,
    TYPE_WORDS,
    collapse_gaf,
    fold_spelling,
)

Lang = Literal["ar", "en", "fr"]
LANGUAGES: tuple[Lang, ...] = ("ar", "en", "fr")

MAX_QUESTION_CHARS = 1000
"""Longer input is cut: no real question is longer, and matching cost grows with length."""

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-zÀ-ÿ]")
_FRENCH_LETTERS = re.compile(r"[éèêàâçôûîœù]", re.IGNORECASE)
_LINKISH = re.compile(r"\S*[@/.]\S*")


class Intent(StrEnum):
    OFFICIAL_ACCOUNTS = "official_accounts"
    PLATFORM_ACCOUNT = "platform_account"
    VERIFY = "verify"
    SPOKESPERSON = "spokesperson"
    LIST_KIND = "list_kind"
    HELP = "help"
    GREETING = "greeting"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Understanding:
    text: str
    lang: Lang | None
    """None when the text says nothing about its language (a bare handle)."""
    intent: Intent
    platform: Platform | None = None
    handles: list[HandleRef] = field(default_factory=list)
    kind: EntityKind | None = None
    """The kind of body named: 'ministry' in 'Ministry of Health', or the listed kind."""
    mention: tuple[str, ...] = ()
    """The words left to name an entity."""
    weak: frozenset[str] = frozenset()
    """Words of the mention that are usually filler but also part of a registry name
    ('moi' in French, 'media', 'real'): they name an entity only if nothing else does."""
    asks_for_account: bool = False
    """The question spoke of an account or a kind of body, so it is about the registry even
    when no entity matches."""


def detect_language(text: str) -> Lang | None:
    """Arabic script wins; Latin text is French when it has French words or letters."""
    words = _LINKISH.sub(" ", text)
    arabic = len(_ARABIC.findall(words))
    latin = len(_LATIN.findall(words))
    if arabic == 0 and latin == 0:
        return None
    if arabic >= latin / 2:
        return "ar"
    if _FRENCH_LETTERS.search(words):
        return "fr"
    found = set(tokens(normalize(words)))
    french = len(found & FRENCH_MARKERS)
    english = len(found & ENGLISH_MARKERS)
    return "fr" if french > english else "en"


def understand(text: str, known_words: frozenset[str] = frozenset()) -> Understanding:
    text = text[:MAX_QUESTION_CHARS]
    lang = detect_language(text)
    handles = extract_handles(text)
    if handles:
        return Understanding(text, lang, Intent.VERIFY, handles=handles)

    words = tokens(fold_spelling(normalize(text)), known_words)
    platform, words = _take_platform(words)
    spokesperson = any(w in SPOKESPERSON_WORDS for w in words)
    listed = next((KIND_PLURALS[w] for w in words if w in KIND_PLURALS), None)
    asks_for_list = any(w in LIST_WORDS for w in words)
    kind = next((TYPE_WORDS[w] for w in words if w in TYPE_WORDS), None)
    asks = any(w in FILLER for w in words) or kind is not None or platform is not None

    filler = FILLER - known_words
    mention = tuple(
        w
        for w in words
        if w not in filler
        and w not in STOPWORDS
        and w not in SPOKESPERSON_WORDS
        and w not in GREETING_WORDS
        and w not in HELP_WORDS
        and w not in LIST_WORDS
        and w not in KIND_PLURALS
    )
    if listed is not None and (asks_for_list or not mention):
        return Understanding(text, lang, Intent.LIST_KIND, platform, kind=listed)
    weak = frozenset(w for w in mention if w in FILLER)
    if spokesperson:
        return Understanding(
            text, lang, Intent.SPOKESPERSON, platform, kind=kind, mention=mention, weak=weak
        )
    greeting = any(w in GREETING_WORDS for w in words)
    helping = any(w in HELP_WORDS for w in words) or not words
    if not mention or (set(mention) <= weak and (greeting or helping)):
        if platform is not None:
            return Understanding(
                text, lang, Intent.PLATFORM_ACCOUNT, platform, asks_for_account=True
            )
        if greeting:
            return Understanding(text, lang, Intent.GREETING)
        if helping:
            return Understanding(text, lang, Intent.HELP)
        return Understanding(text, lang, Intent.OUT_OF_SCOPE)
    if kind is None and any(w in OUT_OF_SCOPE_HINTS for w in mention):
        return Understanding(text, lang, Intent.OUT_OF_SCOPE, mention=mention)
    intent = Intent.PLATFORM_ACCOUNT if platform is not None else Intent.OFFICIAL_ACCOUNTS
    return Understanding(
        text, lang, intent, platform, kind=kind, mention=mention, weak=weak, asks_for_account=asks
    )


def _take_platform(words: list[str]) -> tuple[Platform | None, list[str]]:
    """The first platform named, and the words without it."""
    collapsed = [collapse_gaf(w) for w in words]
    for phrase, platform in PLATFORM_WORDS.items():
        size = len(phrase)
        for start in range(len(words) - size + 1):
            if tuple(collapsed[start : start + size]) == phrase:
                return platform, words[:start] + words[start + size :]
    return None, words
