"""What a question asks: its language, its intent, and the slots the answer needs.

Slots come out first (handles and links from the raw text, then platform words, then the
words that name an intent), and what remains, without filler, is the entity mention.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from knowledge.links import HandleRef, extract_handles, has_link, parse_handle, without_links
from knowledge.normalize import normalize, tokens
from knowledge.registry.handles import Platform
from knowledge.registry.schema import EntityKind
from knowledge.vocabulary import (
    ACCOUNT_WORDS,
    ENGLISH_MARKERS,
    FAKE_WORDS,
    FILLER,
    FRENCH_MARKERS,
    GENERIC_WORDS,
    GREETING_WORDS,
    HELP_WORDS,
    KIND_PLURALS,
    LIST_WORDS,
    MINISTER_WORDS,
    OUT_OF_SCOPE_HINTS,
    PLATFORM_WORDS,
    REPORT_WORDS,
    SPOKESPERSON_WORDS,
    STOPWORDS,
    TYPE_WORDS,
    VERIFY_CUES,
    collapse_gaf,
    match_words,
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
    MINISTER = "minister_account"
    """The personal account of a body's minister: the official's, not the body's."""
    REPORT_FAKE = "report_fake"
    """Fake accounts in general: how to check one here and report it on each platform."""
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
    """The question speaks of an account, a platform or a kind of body, so it is about the
    registry even when no entity matches."""
    greeting: bool = False
    help: bool = False
    """Greeting or help words: the answer when no entity is named after all."""
    about_fakes: bool = False
    """Fake or impersonating accounts, or how to report one: the answer when no entity
    is named after all is the guide to reporting them."""

    @property
    def strong(self) -> tuple[str, ...]:
        return tuple(w for w in self.mention if w not in self.weak)


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


def understand(
    text: str,
    known_words: frozenset[str] = frozenset(),
    known_handles: frozenset[str] = frozenset(),
) -> Understanding:
    """`known_words` are the registry's name words and the platform words (so 'وللصحة'
    can lose its 'ول', 'بتويتر' its 'ب', and 'moi' stays a name); `known_handles` its
    handles, case-folded (so 'is HRSD_SA real?' is a check even without an @)."""
    text = text[:MAX_QUESTION_CHARS]
    lang = detect_language(text)
    words = [_without_clitic(w, known_words) for w in match_words(text, known_words)]
    platform, words = _take_platform(words)
    handles = [_on(ref, platform) for ref in extract_handles(text)]
    if not handles:
        handles = _bare_handles(text, words, platform, known_words, known_handles)
    if handles or has_link(text):  # a link that names no profile is still a check
        return Understanding(text, lang, Intent.VERIFY, platform, handles=handles)

    spokesperson = any(w in SPOKESPERSON_WORDS for w in words)
    listed = next((KIND_PLURALS[w] for w in words if w in KIND_PLURALS), None)
    asks_for_list = any(w in LIST_WORDS for w in words)
    kind = next((TYPE_WORDS[w] for w in words if w in TYPE_WORDS), None)
    greeting = any(w in GREETING_WORDS for w in words)
    minister = any(w in MINISTER_WORDS for w in words)
    helping = any(w in HELP_WORDS for w in words) or not words
    asks = any(w in ACCOUNT_WORDS for w in words) or kind is not None or platform is not None
    fakes = any(w in FAKE_WORDS for w in words) or (asks and any(w in REPORT_WORDS for w in words))

    mention = tuple(w for w in words if w not in _IGNORED or w in known_words)
    weak = frozenset(w for w in mention if w in _IGNORED)
    base = Understanding(
        text,
        lang,
        Intent.OFFICIAL_ACCOUNTS,
        platform,
        kind=kind,
        mention=mention,
        weak=weak,
        asks_for_account=asks,
        greeting=greeting,
        help=helping,
        about_fakes=fakes,
    )
    if listed is not None and (asks_for_list or all(w in GENERIC_WORDS for w in base.strong)):
        return replace(base, intent=Intent.LIST_KIND, kind=listed, mention=())
    if spokesperson:
        return replace(base, intent=Intent.SPOKESPERSON)
    if minister:
        return replace(base, intent=Intent.MINISTER)
    if not base.strong and not weak:
        if fakes:
            return replace(base, intent=Intent.REPORT_FAKE)
        if platform is not None:
            return replace(base, intent=Intent.PLATFORM_ACCOUNT)
        if greeting:
            return replace(base, intent=Intent.GREETING)
        return replace(base, intent=Intent.HELP if helping else Intent.OUT_OF_SCOPE)
    if kind is None and any(w in OUT_OF_SCOPE_HINTS for w in mention):
        return replace(base, intent=Intent.OUT_OF_SCOPE)
    if platform is not None:
        return replace(base, intent=Intent.PLATFORM_ACCOUNT)
    return base


_IGNORED = (
    FILLER
    | STOPWORDS
    | SPOKESPERSON_WORDS
    | GREETING_WORDS
    | HELP_WORDS
    | LIST_WORDS
    | FAKE_WORDS
    | REPORT_WORDS
    | MINISTER_WORDS
    | frozenset(KIND_PLURALS)
)
"""Words that never name an entity by themselves (unless the registry uses them)."""

_CLITIC_HOSTS = SPOKESPERSON_WORDS | MINISTER_WORDS
"""Intent words that take a clitic as names do ("ووزيرها", "لوزير", "ومتحدثها")."""
_CLITICS = frozenset("وفلب")


def _without_clitic(word: str, known_words: frozenset[str]) -> str:
    """A spokesperson or minister word with its one-letter conjunction or preposition
    dropped: `tokens` strips those only before registry words."""
    if word[:1] in _CLITICS and word not in known_words and word[1:] in _CLITIC_HOSTS:
        return word[1:]
    return word


_HANDLE_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{2,99}")


def _bare_handles(
    text: str,
    words: list[str],
    platform: Platform | None,
    known_words: frozenset[str],
    known_handles: frozenset[str],
) -> list[HandleRef]:
    """Handles written without @: a word that is a registry handle but not a name word
    ('AljawazatKSA'), or one shaped like a handle (with _ or digits) in a question that
    asks whether something is official."""
    cue = any(w in VERIFY_CUES for w in words)
    found: list[HandleRef] = []
    for word in _HANDLE_WORD.findall(without_links(text)):
        word = word.strip(".-")
        folded = word.casefold()
        on_record = folded in known_handles and folded not in known_words
        shaped = cue and ("_" in word or (any(c.isdigit() for c in word) and word.isascii()))
        if (on_record or shaped) and not word.isdigit():
            ref = parse_handle(word, platform)
            if ref is not None and ref not in found:
                found.append(ref)
    return found


def _on(ref: HandleRef, platform: Platform | None) -> HandleRef:
    """A bare @mention in a question that names a platform is on that platform."""
    if ref.platform is None and platform is not None:
        return replace(ref, platform=platform)
    return ref


def _take_platform(words: list[str]) -> tuple[Platform | None, list[str]]:
    """The first platform named, and the words without it."""
    collapsed = [collapse_gaf(w) for w in words]
    for start, word in enumerate(collapsed):
        for phrase, platform in _PHRASES_BY_FIRST_WORD.get(word, ()):
            if tuple(collapsed[start : start + len(phrase)]) == phrase:
                return platform, words[:start] + words[start + len(phrase) :]
    return None, words


def _by_first_word() -> dict[str, list[tuple[tuple[str, ...], Platform]]]:
    table: dict[str, list[tuple[tuple[str, ...], Platform]]] = {}
    for phrase, platform in PLATFORM_WORDS.items():  # longest first
        table.setdefault(phrase[0], []).append((phrase, platform))
    return table


_PHRASES_BY_FIRST_WORD = _by_first_word()


_CHOICE = re.compile(r"\s*[#(]?\s*(\d{1,2})\s*[).\-:]?\s*", re.ASCII)


def choice_number(text: str) -> int | None:
    """The number of a message that is only a number ("2", "٢", "(2)", "2."), as people
    answer a numbered list; None for anything else."""
    folded = "".join(str(d) if (d := unicodedata.decimal(c, None)) is not None else c for c in text)
    match = _CHOICE.fullmatch(folded)
    return int(match.group(1)) if match else None
