"""Reading the other_handles cell of saudi_entities.csv, and telling which fragments of a
row's source cell are about one account."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.registry.handles import Platform

from .text import mentions, split_top_level

_ALTERNATIVE_WORDS = {"OR", "or", "vs"}


@dataclass(frozen=True)
class HandleItem:
    """One item of an other_handles cell."""

    platform: Platform
    role: str
    handles: tuple[str, ...]
    tag: str
    alternatives: bool
    raw: str


def parse_other_handles(cell: str) -> tuple[list[HandleItem], str | None, str | None]:
    """The items of an other_handles cell, and the main X account's user id with its tag."""
    items: list[HandleItem] = []
    user_id: str | None = None
    id_tag: str | None = None
    for raw in split_top_level(cell, ";"):
        id_match = re.fullmatch(r"x user id (\d+)\[([^\]]*)\]", raw)
        if id_match:
            user_id, id_tag = id_match.group(1), id_match.group(2)
            continue
        match = re.fullmatch(r"([a-z]+)(?:\(([^)]*)\))?:(.+)", raw)
        if not match:
            raise ValueError(f"other_handles item not understood: {raw!r}")
        platform = Platform(match.group(1))
        role = match.group(2) or ""
        tokens = re.findall(r"@?[^\s\[\]]+(?:\s*\[[^\]]*\])?", match.group(3))
        alternatives = any(t in _ALTERNATIVE_WORDS for t in tokens)
        handles: list[str] = []
        tags: list[str] = []
        for token in tokens:
            if token in _ALTERNATIVE_WORDS or token == "and":
                continue
            part = re.fullmatch(r"@?([^\s\[\]]+)\s*(?:\[([^\]]*)\])?", token)
            if not part:
                raise ValueError(f"handle not understood in {raw!r}")
            handles.append(part.group(1))
            if part.group(2):
                tags.append(part.group(2))
        if alternatives:
            if not tags:
                raise ValueError(f"alternatives without a tag in {raw!r}")
            items.append(HandleItem(platform, role, tuple(handles), tags[-1], True, raw))
            continue
        if len(tags) != len(handles):
            raise ValueError(f"every handle needs its tag in {raw!r}")
        items.extend(
            HandleItem(platform, role, (handle,), tag, False, raw)
            for handle, tag in zip(handles, tags, strict=True)
        )
    return items, user_id, id_tag


# What marks a source fragment as being about accounts of one platform. Lists of X accounts
# (bots' TWITTER_ACCOUNTS, allowlists, API-derived arrays, EVENTME's registry) count for X.
_LABELS: dict[Platform, re.Pattern[str]] = {
    Platform.X: re.compile(
        r"^X[\s:]|TWITTER_ACCOUNTS|famous accounts|official-account allowlist|Twitter-API"
        r"|EVENTME|twitter\.com/|x\.com/"
    ),
    Platform.INSTAGRAM: re.compile(r"\bIG\b|Instagram"),
    Platform.YOUTUBE: re.compile(r"YouTube"),
    Platform.LINKEDIN: re.compile(r"LinkedIn"),
    Platform.FACEBOOK: re.compile(r"Facebook"),
}


def _labels_of(fragment: str) -> set[Platform]:
    return {p for p, pattern in _LABELS.items() if pattern.search(fragment)}


def account_sources(
    platform: Platform,
    handle: str,
    fragments: Sequence[str],
    row_handles: Iterable[str],
    tag: str | None = None,
    main: bool = False,
) -> tuple[list[str], bool]:
    """The fragments of a row's source cell that are about one account, and whether that
    could be told: those naming the handle (for a main account, with those about the
    platform's accounts in general), else those about the platform's accounts, else those
    the item's tag points to (told); else every fragment not about another account or
    platform, else the whole row (not told). A row with one fragment tells."""
    others = {h.casefold() for h in row_handles} - {handle.casefold()}

    def about_other(fragment: str) -> bool:
        return not mentions(fragment, handle) and any(mentions(fragment, o) for o in others)

    def direct(fragment: str) -> bool:
        if not mentions(fragment, handle):
            return False
        labels = _labels_of(fragment)
        if platform is Platform.X:
            return not labels or Platform.X in labels or f"@{handle}".lower() in fragment.lower()
        return platform in labels

    def labelled(fragment: str) -> bool:
        return platform in _labels_of(fragment) and not about_other(fragment)

    if len(fragments) == 1:
        return list(fragments), True
    lowered = (tag or "").lower()
    # A tag that names its evidence (an official page, a news report) points at it.
    if "khatauat" in lowered:
        pointed = [f for f in fragments if "Khatauat" in f and "official page" in f]
    elif lowered.startswith("news"):
        pointed = [f for f in fragments if f.startswith("news")]
    else:
        pointed = []
    chosen = [
        f
        for f in fragments
        if direct(f) or (main and labelled(f)) or (f in pointed and not about_other(f))
    ]
    if not chosen:
        chosen = [f for f in fragments if labelled(f)]
    if not chosen and "api-derived" in lowered:
        chosen = [f for f in fragments if "API-derived" in f and not about_other(f)]
    if chosen:
        return chosen, True
    chosen = [
        f
        for f in fragments
        if not f.startswith("my.gov.sa directory")
        and not about_other(f)
        and not (_labels_of(f) - {platform})
    ]
    return chosen or list(fragments), False


# --------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------
