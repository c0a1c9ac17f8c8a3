"""Handles and links in what citizens send.

The tables pin every form a link is pasted in (copied from an app, a mirror, a share
button, typed on an Arabic keyboard) and the pages that look like profiles but are not.
The properties guard what verification relies on: nothing raises, no handle carries an
invisible or space character, a handle on a known platform is possible there, and every
profile link the bot itself prints reads back as the same handle.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from knowledge import links
from knowledge.links import MAX_SCAN, HandleRef, extract_handles, parse_handle
from knowledge.registry.handles import FORMATS, Platform, profile_url

X, IG, TT, SC, YT = (
    Platform.X,
    Platform.INSTAGRAM,
    Platform.TIKTOK,
    Platform.SNAPCHAT,
    Platform.YOUTUBE,
)
FB, LI, TG, WA, TH = (
    Platform.FACEBOOK,
    Platform.LINKEDIN,
    Platform.TELEGRAM,
    Platform.WHATSAPP,
    Platform.THREADS,
)
UC = "UC" + "a1B2c3D4e5F6g7H8i9J0kL"  # a channel id: UC and 22 characters

# (text, platform, handle) for texts that name a handle.
FOUND: list[tuple[str, Platform | None, str]] = [
    # bare handles and mentions: no platform
    ("@SaudiMOH", None, "SaudiMOH"),
    ("SaudiMOH", None, "SaudiMOH"),
    ("  @SaudiMOH  ", None, "SaudiMOH"),
    ("＠SaudiMOH", None, "SaudiMOH"),  # fullwidth at sign from an Arabic keyboard
    ("＠ＳａｕｄｉＭＯＨ", None, "SaudiMOH"),
    ("@Saudi\u200bMOH", None, "SaudiMOH"),
    ("\u200f@SaudiMOH\u200e", None, "SaudiMOH"),
    ("\u202b@SaudiMOH\u202c", None, "SaudiMOH"),
    ("\u2067@SaudiMOH\u2069", None, "SaudiMOH"),
    ("\ufeff@SaudiMOH\u061c", None, "SaudiMOH"),
    ("@SaudiMOH؟", None, "SaudiMOH"),
    ("@SaudiMOH،", None, "SaudiMOH"),
    ("@SaudiMOH.", None, "SaudiMOH"),
    ("(@SaudiMOH)", None, "SaudiMOH"),
    ("«@SaudiMOH»", None, "SaudiMOH"),
    ("@sdaia.saudi", None, "sdaia.saudi"),  # Instagram-style dots stay
    ("@Saudi_MOH", None, "Saudi_MOH"),  # underscores are significant
    ("هل @SaudiMOH رسمي؟", None, "SaudiMOH"),  # one handle inside a sentence
    ("@SaudiMOHللمزيد", None, "SaudiMOH"),  # Arabic glued to the handle
    ("@Saudi\u041c\u041e\u041d", None, "Saudi\u041c\u041e\u041d"),  # Cyrillic: kept for look-alikes
    # X and its mirrors
    ("x.com/SaudiMOH", X, "SaudiMOH"),
    ("https://x.com/SaudiMOH", X, "SaudiMOH"),
    ("http://www.x.com/SaudiMOH/", X, "SaudiMOH"),
    ("HTTPS://X.COM/SaudiMOH", X, "SaudiMOH"),
    ("https://twitter.com/SaudiMOH/status/123?s=20", X, "SaudiMOH"),
    ("https://twitter.com/SaudiMOH/status/1234567890?s=20&t=abcDEF", X, "SaudiMOH"),
    ("mobile.twitter.com/SaudiMOH/with_replies", X, "SaudiMOH"),
    ("https://mobile.x.com/SaudiMOH/media", X, "SaudiMOH"),
    ("m.twitter.com/SaudiMOH", X, "SaudiMOH"),
    ("fxtwitter.com/SaudiMOH/status/1", X, "SaudiMOH"),
    ("vxtwitter.com/SaudiMOH", X, "SaudiMOH"),
    ("fixupx.com/SaudiMOH/status/1", X, "SaudiMOH"),
    ("nitter.net/SaudiMOH", X, "SaudiMOH"),
    ("twitter.com/#!/SaudiMOH", X, "SaudiMOH"),
    ("https://twitter.com/intent/follow?screen_name=SaudiMOH", X, "SaudiMOH"),
    ("x.com/@SaudiMOH", X, "SaudiMOH"),
    ("ｘ.ｃｏｍ/ＳａｕｄｉＭＯＨ", X, "SaudiMOH"),  # fullwidth
    ("x.com/Saudi\u200bMOH", X, "SaudiMOH"),
    ("\u202ahttps://x.com/SaudiMOH\u202c", X, "SaudiMOH"),
    ("(x.com/SaudiMOH).", X, "SaudiMOH"),
    ("x.com/SaudiMOH؟", X, "SaudiMOH"),
    ("x.com/SaudiMOH،", X, "SaudiMOH"),
    ("x.com/SaudiMOHوزارة", X, "SaudiMOH"),
    ("x.com/AljawazatKSA", X, "AljawazatKSA"),
    # Instagram
    ("instagram.com/saudimoh", IG, "saudimoh"),
    ("https://www.instagram.com/saudimoh/?hl=ar", IG, "saudimoh"),
    ("m.instagram.com/saudimoh", IG, "saudimoh"),
    ("instagram.com/stories/saudimoh/3141592653", IG, "saudimoh"),
    ("instagram.com/_u/saudimoh", IG, "saudimoh"),
    ("instagram.com/saudimoh/reels/", IG, "saudimoh"),
    ("instagram.com/sdaia.saudi", IG, "sdaia.saudi"),
    # TikTok
    ("tiktok.com/@saudimoh", TT, "saudimoh"),
    ("https://www.tiktok.com/@saudimoh/video/7312345678901234567?lang=ar", TT, "saudimoh"),
    ("m.tiktok.com/@saudimoh", TT, "saudimoh"),
    ("tiktok.com/%40saudimoh", TT, "saudimoh"),  # some apps percent-encode the @
    # Snapchat
    ("snapchat.com/add/saudimoh", SC, "saudimoh"),
    ("https://www.snapchat.com/add/saudimoh?share_id=abc", SC, "saudimoh"),
    ("snapchat.com/@saudimoh", SC, "saudimoh"),
    ("story.snapchat.com/@saudimoh", SC, "saudimoh"),
    # YouTube, in the registry's spelling
    ("youtube.com/@SaudiMOH", YT, "SaudiMOH"),
    ("https://m.youtube.com/@SaudiMOH/videos", YT, "SaudiMOH"),
    ("youtube.com/c/Saudimoh", YT, "c/Saudimoh"),
    ("youtube.com/C/Saudimoh/featured", YT, "c/Saudimoh"),
    ("youtube.com/user/Saudimoh", YT, "user/Saudimoh"),
    (f"youtube.com/channel/{UC}", YT, f"channel/{UC}"),
    ("youtube.com/Saudimoh", YT, "c/Saudimoh"),  # the legacy custom URL
    # Facebook
    ("facebook.com/SaudiMOH", FB, "SaudiMOH"),
    ("https://www.facebook.com/SaudiMOH/posts/123", FB, "SaudiMOH"),
    ("fb.com/SaudiMOH", FB, "SaudiMOH"),
    ("m.facebook.com/SaudiMOH", FB, "SaudiMOH"),
    ("facebook.com/profile.php?id=100064123456789", FB, "100064123456789"),
    ("https://m.facebook.com/profile.php?id=100064123456789&ref=share", FB, "100064123456789"),
    ("facebook.com/pages/Ministry-of-Health/123456789", FB, "123456789"),
    # LinkedIn pages of bodies
    ("linkedin.com/company/ministry-of-health-saudi-arabia", LI, "ministry-of-health-saudi-arabia"),
    ("https://sa.linkedin.com/company/mojksa/about/", LI, "mojksa"),
    ("www.linkedin.com/showcase/saudi-tourism", LI, "saudi-tourism"),
    ("linkedin.com/school/king-saud-university", LI, "king-saud-university"),
    # Telegram
    ("t.me/SaudiMOH", TG, "SaudiMOH"),
    ("https://telegram.me/SaudiMOH", TG, "SaudiMOH"),
    ("t.me/s/SaudiMOH", TG, "SaudiMOH"),
    ("t.me/SaudiMOH/1234", TG, "SaudiMOH"),
    # WhatsApp, in the registry's international form
    ("wa.me/966920033333", WA, "+966920033333"),
    ("https://api.whatsapp.com/send?phone=966920033333", WA, "+966920033333"),
    ("whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12", WA, "channel/0029VaAbCdEfGhIjKlMnOp12"),
    # Threads
    ("threads.net/@saudimoh", TH, "saudimoh"),
    ("https://www.threads.com/@saudimoh/post/C1abc", TH, "saudimoh"),
]

# Texts that name no handle: pages of a site, short links, unknown hosts, Arabic names.
NOT_FOUND: list[str] = [
    "",
    "   ",
    "@",
    "؟",
    "hello world",
    "وزارة الصحة",
    "@وزارة_الصحة",  # no platform here allows Arabic handles: this is a name
    "moh.gov.sa",
    "https://www.moh.gov.sa/Pages/Default.aspx",
    "info@moh.gov.sa",
    "x.com",
    "https://x.com/",
    "x.com/i/status/123",
    "x.com/intent/tweet?text=hi",
    "x.com/hashtag/وزارة_الصحة",
    "x.com/search?q=moh",
    "x.com/home",
    "x.com/explore",
    "x.com/this_handle_is_far_too_long_for_x",
    "help.twitter.com/SaudiMOH",
    "notx.com/SaudiMOH",
    "x.com.evil.example/SaudiMOH",
    "instagram.com/p/C1AbCdEf",
    "instagram.com/reel/C1AbCdEf",
    "instagram.com/reels/C1AbCdEf",
    "instagram.com/explore/tags/saudi",
    "instagram.com/stories/",
    "instagram.com/stories/highlights/123",
    "instagram.com/accounts/login",
    "tiktok.com/saudimoh",
    "vm.tiktok.com/ZSabc123/",
    "vt.tiktok.com/ZSabc123/",
    "tiktok.com/t/ZSabc123/",
    "snapchat.com/",
    "snapchat.com/discover/abc",
    "youtube.com/watch?v=dQw4w9WgXcQ",
    "youtu.be/dQw4w9WgXcQ",
    "youtube.com/shorts/abc",
    "youtube.com/playlist?list=PL123",
    "youtube.com/channel/not-a-channel-id",
    "facebook.com/groups/123456",
    "facebook.com/events/123456",
    "facebook.com/watch?v=123",
    "facebook.com/sharer/sharer.php?u=x",
    "facebook.com/sharer.php?u=x",
    "facebook.com/profile.php",
    "fb.me/abc",
    "linkedin.com/in/someone",  # a person, not a body's page
    "linkedin.com/company/",
    "lnkd.in/abc",
    "t.me/joinchat/AbCdEf",
    "t.me/+AbCdEf123",
    "t.me/s/",
    "t.me/c/123456/7",
    "wa.me/message/ABCDEF",
    "chat.whatsapp.com/AbCdEf",
    "threads.net/saudimoh",
]


@pytest.mark.parametrize(("text", "platform", "handle"), FOUND)
def test_parse_handle_reads_every_form(text: str, platform: Platform | None, handle: str) -> None:
    ref = parse_handle(text)
    assert ref is not None, text
    assert (ref.platform, ref.handle) == (platform, handle)
    assert ref.from_link is (platform is not None)


@pytest.mark.parametrize("text", NOT_FOUND)
def test_parse_handle_names_nothing_for_pages_short_links_and_names(text: str) -> None:
    assert parse_handle(text) is None


def test_the_raw_text_is_the_link_or_mention_without_invisible_marks() -> None:
    assert parse_handle("\u200f@SaudiMOH؟") == HandleRef(None, "SaudiMOH", "@SaudiMOH", False)
    ref = parse_handle("انظر (https://x.com/SaudiMOH/status/1?s=20).")
    assert ref == HandleRef(X, "SaudiMOH", "https://x.com/SaudiMOH/status/1?s=20", True)


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("SaudiMOH", X, (X, "SaudiMOH")),
        ("@SaudiMOH", IG, (IG, "SaudiMOH")),
        ("sdaia.saudi", IG, (IG, "sdaia.saudi")),
        ("hrsd.sa", IG, (IG, "hrsd.sa")),  # a domain-like name is a handle when told so
        ("SaudiMOH", TG, (TG, "SaudiMOH")),
        ("c/Saudimoh", YT, (YT, "c/Saudimoh")),
        ("@SaudiMOH", YT, (YT, "SaudiMOH")),
        ("+966 92 003 3333", WA, (WA, "+966920033333")),
        ("966920033333", WA, (WA, "+966920033333")),
        ("x.com/SaudiMOH", IG, (X, "SaudiMOH")),  # a link names its own platform
        ("تحقق من @SaudiMOH", X, (X, "SaudiMOH")),
        ("sdaia.saudi", X, None),  # impossible on X
        ("MOH", TG, None),  # Telegram needs 5 characters
        ("@Saudi\u041c\u041e\u041d", X, None),  # Cyrillic: not an X handle
        ("+12", WA, None),
        ("وزارة", X, None),
    ],
)
def test_a_platform_hint_places_and_checks_a_bare_handle(
    text: str, hint: Platform, expected: tuple[Platform, str] | None
) -> None:
    ref = parse_handle(text, hint)
    assert (None if ref is None else (ref.platform, ref.handle)) == expected


def test_extract_handles_finds_links_and_mentions_in_order_without_repeats() -> None:
    message = (
        "تابعوا حساب وزارة الصحة @SaudiMOH، وأيضاً (x.com/SaudiMOH) و"
        "https://www.instagram.com/saudimoh/?hl=ar وراسلونا info@moh.gov.sa "
        "أو @saudimoh مرة ثانية، أو t.me/joinchat/abc؟ ثم wa.me/966920033333."
    )
    found = [(r.platform, r.handle, r.from_link) for r in extract_handles(message)]
    assert found == [
        (None, "SaudiMOH", False),
        (X, "SaudiMOH", True),
        (IG, "saudimoh", True),
        (WA, "+966920033333", True),
    ]


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        ("x.com/SaudiMOHх", "SaudiMOHх"),  # a Cyrillic х added
        ("https://mobile.twitter.com/SaudiМОН?s=20", "SaudiМОН"),  # Cyrillic М, О, Н
        ("«x.com/SaudiMOH»", "SaudiMOH"),
        ("x.com/SaudiMOH، هل هو رسمي", "SaudiMOH"),
        ("شوف x.com/SaudiMOHهل هو رسمي", "SaudiMOH"),
    ],
)
def test_a_link_is_read_to_the_end_of_its_path_whatever_its_letters(text: str, handle: str) -> None:
    """Reading x.com/SaudiMOHх as x.com/SaudiMOH would call an impostor official; Arabic
    text and punctuation glued to a link are not part of it."""
    [ref] = extract_handles(text)
    assert (ref.platform, ref.handle) == (Platform.X, handle)


def test_a_link_with_a_unicode_dash_in_its_path_names_no_handle() -> None:
    """x.com/SaudiMOH‐fake (U+2010) is no profile anyone can have, and never @SaudiMOH."""
    assert extract_handles("x.com/SaudiMOH‐fake") == []


def test_extract_handles_ignores_bare_words_and_emails() -> None:
    assert extract_handles("SaudiMOH is real? mail press@moh.gov.sa") == []


def test_only_the_first_max_scan_characters_are_read() -> None:
    assert extract_handles("a" * (MAX_SCAN - 20) + " @SaudiMOH") != []
    assert extract_handles("a" * MAX_SCAN + " @SaudiMOH") == []


@pytest.mark.parametrize(
    "text",
    [
        "a." * 100_000,
        "@" * 100_000,
        "x.com/" * 20_000,
        "x." * 50_000 + "com",
        "https://" + "a-" * 50_000,
        "\u200b" * 100_000 + "@SaudiMOH",
        "ﷺ" * 100_000,  # NFKC turns each into 18 characters
    ],
)
def test_huge_input_is_cheap(text: str) -> None:
    start = time.perf_counter()
    with no_error_logged():
        extract_handles(text)
        parse_handle(text)
    assert time.perf_counter() - start < 1.0


# --- properties ---------------------------------------------------------------------------

INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"}

FRAGMENTS = st.sampled_from(
    [
        "x.com/", "twitter.com/", "https://", "www.", "m.", "instagram.com/", "stories/",
        "t.me/", "s/", "youtube.com/", "c/", "@", "＠", "Saudi", "MOH", "_", ".", "/", "?s=20",
        "#!/", "%40", "profile.php?id=", "12345678", "wa.me/", "+", " ", "\u200f", "\u200b",
        "\u2066", "؟", "،", "وزارة", "ｘ", "Ｍ", "\u041c", "(", ")", "tiktok.com/",
        "linkedin.com/company/", "facebook.com/", "snapchat.com/add/", "threads.net/",
    ]
)  # fmt: skip
LINKISH = st.lists(FRAGMENTS, max_size=12).map("".join)
ANY_TEXT = st.text() | LINKISH


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def no_error_logged() -> Iterator[None]:
    """The public functions catch and log any exception, so that a bug never reaches a
    citizen; the tests must see it, not the safety net."""
    handler = _Recorder()
    logger = logging.getLogger(links.__name__)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not handler.records, handler.records[0].exc_info


def _assert_sound(ref: HandleRef) -> None:
    assert ref.handle
    assert not any(c.isspace() for c in ref.handle)
    assert not any(unicodedata.category(c) in INVISIBLE_CATEGORIES for c in ref.handle)
    assert not ref.handle.startswith("@")
    assert not links.has_arabic_letter(ref.handle)
    if ref.platform is not None and ref.handle.isascii():
        assert FORMATS[ref.platform].is_valid(ref.handle), ref
    elif ref.platform is not None:
        # Letters beyond ASCII in a link: an imitation (x.com/SaudiMOHх), kept so that it
        # is checked (never official: no registry handle has them). With each of those
        # letters read as an ASCII one, it is a possible handle.
        assert ref.from_link, ref
        assert all(c.isascii() or c.isalnum() for c in ref.handle), ref
        shape = "".join(c if c.isascii() else "a" for c in ref.handle)
        assert FORMATS[ref.platform].is_valid(shape), ref


@settings(max_examples=400)
@given(ANY_TEXT, st.none() | st.sampled_from(Platform))
def test_parse_handle_never_raises_and_returns_sound_handles(
    text: str, hint: Platform | None
) -> None:
    with no_error_logged():
        ref = parse_handle(text, hint)
    if ref is not None:
        _assert_sound(ref)


@settings(max_examples=400)
@given(ANY_TEXT)
def test_extract_handles_never_raises_and_returns_sound_handles(text: str) -> None:
    with no_error_logged():
        refs = extract_handles(text)
    for ref in refs:
        _assert_sound(ref)
    keys = [(r.platform, r.handle.casefold()) for r in refs]
    assert len(keys) == len(set(keys))


# Words a profile cannot be named because the site uses them for its own pages.
RESERVED = (
    links._X_RESERVED
    | links._INSTAGRAM_RESERVED
    | links._YOUTUBE_RESERVED
    | links._FACEBOOK_RESERVED
    | links._TELEGRAM_RESERVED
)


@st.composite
def registry_handles(draw: st.DrawFn) -> tuple[Platform, str]:
    platform = draw(st.sampled_from(Platform))
    handle = draw(st.from_regex(FORMATS[platform].pattern, fullmatch=True))
    # FORMATS' \d also takes Arabic-Indic digits, which no platform puts in a handle.
    assume(handle.isascii() and FORMATS[platform].is_valid(handle))
    return platform, handle


@settings(max_examples=500)
@given(registry_handles())
def test_every_profile_link_the_bot_prints_reads_back_as_its_handle(
    account: tuple[Platform, str],
) -> None:
    platform, handle = account
    name = handle.split("/")[-1]
    assume(name.casefold() not in RESERVED and name.casefold() not in {"s", "_u"})
    assume(not handle.endswith(tuple(links._TRAILING)))  # no site allows these; see _TRAILING
    ref = parse_handle(profile_url(platform, handle))
    assert ref is not None
    assert ref.platform is platform
    expected = "+" + handle.lstrip("+") if platform is WA and "/" not in handle else handle
    assert ref.handle == expected
