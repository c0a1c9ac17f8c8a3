"""Platforms, their handle formats and profile links.

One table serves validation (a registry file is rejected when a handle cannot exist on its
platform), comparison (the key under which two spellings of one handle are the same) and
answers (the link a citizen taps). Verification of user input builds on the same table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Platform(StrEnum):
    """The platforms a registry account can live on."""

    X = "x"
    INSTAGRAM = "instagram"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    SNAPCHAT = "snapchat"
    FACEBOOK = "facebook"
    LINKEDIN = "linkedin"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    THREADS = "threads"


@dataclass(frozen=True)
class HandleFormat:
    """What a handle looks like on one platform and where its profile lives."""

    pattern: re.Pattern[str]
    description: str
    profile_url: str  # with {handle}

    def is_valid(self, handle: str) -> bool:
        return self.pattern.fullmatch(handle) is not None


_INSTAGRAM_LIKE = re.compile(r"(?!.*\.\.)(?!\.)[A-Za-z0-9._]{1,30}(?<!\.)")

FORMATS: dict[Platform, HandleFormat] = {
    # X allows 15 characters today; accounts created before 2009 may have up to 20.
    Platform.X: HandleFormat(
        re.compile(r"[A-Za-z0-9_]{1,20}"),
        "letters, digits and _ (at most 15, or 20 for old accounts)",
        "https://x.com/{handle}",
    ),
    Platform.INSTAGRAM: HandleFormat(
        _INSTAGRAM_LIKE,
        "letters, digits, _ and . (at most 30, no leading, trailing or double dot)",
        "https://www.instagram.com/{handle}",
    ),
    Platform.THREADS: HandleFormat(
        _INSTAGRAM_LIKE,
        "the Instagram username (letters, digits, _ and ., at most 30)",
        "https://www.threads.net/@{handle}",
    ),
    # A YouTube channel is named by its @handle or, for older channels, by c/NAME,
    # user/NAME or channel/UC<22 characters>.
    Platform.YOUTUBE: HandleFormat(
        re.compile(
            r"(?:c|user)/[A-Za-z0-9._-]{1,100}|channel/UC[A-Za-z0-9_-]{22}|[A-Za-z0-9._-]{3,30}"
        ),
        "an @handle (3-30 letters, digits, _ - .) or c/NAME, user/NAME, channel/UC...",
        "https://www.youtube.com/{handle}",
    ),
    Platform.TIKTOK: HandleFormat(
        re.compile(r"[A-Za-z0-9._]{2,24}"),
        "letters, digits, _ and . (2-24)",
        "https://www.tiktok.com/@{handle}",
    ),
    Platform.SNAPCHAT: HandleFormat(
        re.compile(r"[A-Za-z][A-Za-z0-9._-]{2,14}"),
        "a letter, then letters, digits, _ - . (3-15)",
        "https://www.snapchat.com/add/{handle}",
    ),
    Platform.FACEBOOK: HandleFormat(
        re.compile(r"[A-Za-z0-9.\-]{5,50}|[0-9]{5,20}"),
        "letters, digits, . and - (5-50), or a numeric page id",
        "https://www.facebook.com/{handle}",
    ),
    Platform.LINKEDIN: HandleFormat(
        re.compile(r"[A-Za-z0-9_-]{2,100}"),
        "the company page slug: letters, digits, - and _",
        "https://www.linkedin.com/company/{handle}",
    ),
    Platform.TELEGRAM: HandleFormat(
        re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}"),
        "a letter, then letters, digits and _ (5-32)",
        "https://t.me/{handle}",
    ),
    # A WhatsApp business number in international form, or a channel's invite code.
    Platform.WHATSAPP: HandleFormat(
        re.compile(r"\+?[1-9][0-9]{7,14}|channel/[A-Za-z0-9]{20,30}"),
        "an international phone number (+9665...) or channel/CODE",
        "https://wa.me/{handle}",
    ),
}


def _youtube_url(handle: str) -> str:
    if "/" in handle:
        return f"https://www.youtube.com/{handle}"
    return f"https://www.youtube.com/@{handle}"


def _whatsapp_url(handle: str) -> str:
    if handle.startswith("channel/"):
        return f"https://whatsapp.com/{handle}"
    return f"https://wa.me/{handle.lstrip('+')}"


def profile_url(platform: Platform, handle: str) -> str:
    """The public address of a handle's profile."""
    if platform is Platform.YOUTUBE:
        return _youtube_url(handle)
    if platform is Platform.WHATSAPP:
        return _whatsapp_url(handle)
    return FORMATS[platform].profile_url.format(handle=handle)


_AT_SIGN_PLATFORMS = frozenset(
    {Platform.X, Platform.INSTAGRAM, Platform.TIKTOK, Platform.TELEGRAM, Platform.THREADS}
)


def display_handle(platform: Platform, handle: str) -> str:
    """How people write the handle: @name where the platform uses @, the bare name (a
    LinkedIn slug, a phone number, c/NAME) elsewhere; YouTube @handles get their @."""
    if platform in _AT_SIGN_PLATFORMS or (platform is Platform.YOUTUBE and "/" not in handle):
        return f"@{handle}"
    return handle


def handle_key(platform: Platform, handle: str) -> tuple[Platform, str]:
    """The identity of a handle: platforms treat handles case-insensitively, and a
    leading @ is never part of it."""
    key = handle.removeprefix("@").casefold()
    if platform is Platform.WHATSAPP:
        key = key.removeprefix("+")  # +966... and 966... are one number
    return platform, key


TELEGRAM_CHANNEL_OFFSET = 1_000_000_000_000
"""The Bot API writes a channel's or supergroup's id as -100<id> (-(10^12 + id))."""


def telegram_platform_id(chat_id: int) -> str:
    """The registry's platform id of a Bot API chat id: the id Telegram itself uses
    (t.me/c/<id>/...), digits only, as a platform id is. A channel's -1001234567890 is
    1234567890, a basic group's -12345 is 12345, a user's or bot's id stays as it is.
    The id resolver stores ids this way and a forwarded post is looked up this way, so
    both go through here."""
    if chat_id < -TELEGRAM_CHANNEL_OFFSET:
        return str(-chat_id - TELEGRAM_CHANNEL_OFFSET)
    return str(abs(chat_id))
