"""Text helpers of the build: the seed data is free text, cleaned here, never copied as junk."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from knowledge.normalize import normalize
from knowledge.registry.handles import FORMATS, Platform

_SPACES = re.compile(r"\s+")
URL = re.compile(r"https?://[^\s)]+")
_ABBREVIATION = re.compile(r"[A-Z\u0600-\u06ff][\w'\u0600-\u06ff-]*")
_EN_STOPWORDS = {"the", "of", "for", "and", "in", "at"}


def squash(text: str) -> str:
    """One space between words, none around."""
    return _SPACES.sub(" ", text).strip()


def sentence(text: str) -> str:
    """A remark as a sentence of a note."""
    text = squash(text)
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def join_notes(parts: Iterable[str | None]) -> str | None:
    kept = [p for p in parts if p]
    return " ".join(dict.fromkeys(kept)) if kept else None


def split_sources(cell: str) -> list[str]:
    """A source cell as a list: split on ' | ' and on stray comma runs; empty fragments and
    leftovers of removed repository names ('+  (') are dropped."""
    fragments: list[str] = []
    for part in re.split(r"\s\|\s|,{2,}", cell):
        part = re.sub(r"\s+\+\s+\(", " (", part)
        part = squash(part).strip(" ,;|")
        if part and part not in fragments:
            fragments.append(part)
    return fragments


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on a separator outside brackets and parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def norm_en(text: str) -> str:
    """An English name for comparison: lower-case words without small words or remarks."""
    text = re.sub(r"\([^)]*\)?", " ", text)
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(w for w in words if w not in _EN_STOPWORDS)


def norm_ar(text: str) -> str:
    """An Arabic name for comparison: remarks dropped, then the matching form of questions
    and registry names (`knowledge.normalize`), without spaces."""
    return normalize(re.sub(r"\([^)]*\)?", " ", text)).replace(" ", "")


def slugify(text: str, max_length: int = 60) -> str:
    """A lower-case slug of an English name, without a leading 'the' or parentheses."""
    text = re.sub(r"\([^)]*\)?", " ", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    if words and words[0] == "the":
        words = words[1:]
    slug = "-".join(words)
    if len(slug) > max_length:
        while len(slug) > max_length and "-" in slug:
            slug = slug.rsplit("-", 1)[0]
        while slug.rsplit("-", 1)[-1] in _EN_STOPWORDS and "-" in slug:
            slug = slug.rsplit("-", 1)[0]
    if not slug:
        raise ValueError(f"no slug can be made of {text!r}")
    return slug


@dataclass
class Name:
    """A name cell taken apart: the name itself, aliases and remarks."""

    text: str
    aliases: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)


def parse_name(cell: str) -> Name:
    """'Ministry of Foreign Affairs (MOFA)' -> name + alias MOFA; other parenthesised or
    bracketed text is a remark; '(اسم الحساب: X)' makes X an alias."""
    name = Name(text="")
    remainder = cell
    for bracketed in re.findall(r"\[[^\]]*\]", remainder):
        name.remarks.append(bracketed.strip("[]"))
        remainder = remainder.replace(bracketed, " ")
    for inner in re.findall(r"\(([^()]*)\)", remainder):
        remainder = remainder.replace(f"({inner})", " ")
        for part in (p.strip() for p in inner.split(";")):
            account_name = re.fullmatch(r"اسم الحساب:\s*(.+)", part)
            tokens = [t.strip() for t in part.split(" / ")]
            if account_name:
                name.aliases.append(account_name.group(1).strip())
            elif all(_ABBREVIATION.fullmatch(t) for t in tokens):
                name.aliases.extend(tokens)
            elif part:
                name.remarks.append(part)
    name.text = squash(remainder)
    return name


def clean_url(url: str) -> str:
    """A website: https:// when the scheme is missing, portal session state cut off."""
    url = url.strip()
    if not re.match(r"https?://", url):
        url = "https://" + url
    return re.sub(r"/(?:%21|!)ut/p/.*$", "", url)


def parse_website(cell: str) -> tuple[str | None, str | None]:
    """'https://x.gov.sa (legacy)' -> ('https://x.gov.sa', 'legacy')."""
    cell = squash(cell)
    if not cell:
        return None, None
    match = re.fullmatch(r"(\S+)(?:\s+\((.*)\))?", cell)
    if not match:
        raise ValueError(f"website cell not understood: {cell!r}")
    return clean_url(match.group(1)), match.group(2)


def host_key(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def valid_handle(platform: Platform, handle: str) -> bool:
    return FORMATS[platform].is_valid(handle)


def mentions(fragment: str, handle: str) -> bool:
    """Whether a source fragment names the handle (its last path segment for YouTube)."""
    word = handle.split("/")[-1]
    pattern = rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])"
    return re.search(pattern, fragment, flags=re.IGNORECASE) is not None


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file, every cell stripped."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]
