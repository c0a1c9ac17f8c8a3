"""Find the handles in what people send: one argument of /verify, or a whole message.

Citizens paste links copied from every app (mobile hosts, mirrors, share links with
tracking parameters), type handles with fullwidth letters from an Arabic keyboard, and
carry invisible bidi marks in from right-to-left text. Everything is reduced to the
canonical spelling the registry stores, so that "official" can come from an exact match
and nothing else (see `knowledge.registry.handles`).

Decisions worth knowing:

- Only the first `MAX_SCAN` (4096) characters of any input are looked at: a handle or link
  sits in the first lines of a message, and this bounds the work on a pasted book.
- A bare `@mention` has no platform (the caller decides, usually X) and is not checked
  against a format, so that a homoglyph spelling (Cyrillic letters that look Latin) reaches
  the look-alike check instead of being cut short. A mention stops where Arabic letters begin
  ("@SaudiMOHللمزيد" is SaudiMOH), and one that starts with Arabic letters is no handle:
  no platform here allows Arabic handles, and "@وزارة الصحة" is a name, not an account.
- A link's platform is known, so its handle must fit that platform's format or the link
  is dropped. A link wins over `platform_hint`.
- Short links (vm.tiktok.com, tiktok.com/t/, youtu.be, lnkd.in, fb.me, wa.me/message/)
  cannot be resolved offline and give nothing; so do reserved paths (x.com/i/...,
  instagram.com/p/..., t.me/joinchat/..., facebook.com/groups/...).
- LinkedIn personal profiles (/in/NAME) give nothing: the registry lists company, showcase
  and school pages only, and a person's slug that happened to equal a company slug must
  never be answered as that company's official page.
- YouTube handles come back as the registry writes them: "NAME" for youtube.com/@NAME,
  "c/NAME", "user/NAME", "channel/UC..."; the legacy youtube.com/NAME is a custom URL, so
  "c/NAME". WhatsApp numbers come back as "+<digits>", the registry's international form.
- A handle on a known platform must also be ASCII: the FORMATS patterns use \\d, which
  alone would take Arabic-Indic digits, which a percent-encoded link can carry.
- `extract_handles` keeps the first of the references with one platform and case-folded
  handle; "@SaudiMOH" and "x.com/SaudiMOH" are both kept (one has no platform).
- Nothing here raises: a text that holds no handle gives None or an empty list, and an
  unexpected error is logged (without the text) and treated the same way.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from knowledge.registry.handles import FORMATS, Platform

_log = logging.getLogger(__name__)

MAX_SCAN = 4096
"""Characters of input looked at; the rest is ignored."""

MAX_MENTION = 64
"""A longer run after @ is not a handle on any platform."""

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
"""Zero-width, bidi and other invisible marks: they change nothing a reader sees."""

_ARABIC_LETTER = re.compile(
    "[\u0620-\u064a\u066e-\u06d3\u06d5\u06ee-\u06ff\u0750-\u077f\u08a0-\u08ff]"
)


def clean_text(text: str) -> str:
    """NFKC (fullwidth letters, at sign and slash become ASCII), invisible marks removed."""
    if text.isascii():  # NFKC leaves ASCII alone, and every invisible mark is beyond it
        return text
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def has_arabic_letter(text: str) -> bool:
    """Whether any Arabic-script letter is present (Arabic-Indic digits do not count)."""
    return _ARABIC_LETTER.search(text) is not None


@dataclass(frozen=True)
class HandleRef:
    """A handle found in user input, in the registry's canonical spelling."""

    platform: Platform | None
    """None for a bare @mention or bare handle: the caller decides (usually X)."""
    handle: str
    """As written, without @: NFKC, invisible marks removed, case preserved."""
    raw: str
    """The link or mention it came from, after NFKC and removal of invisible marks."""
    from_link: bool


# --- links -------------------------------------------------------------------------------

_Resolver = Callable[[list[str], dict[str, str], str], "str | None"]
"""(path segments, query parameters, fragment) -> handle, or None when not a profile."""


@dataclass(frozen=True)
class _Site:
    platform: Platform
    resolve: _Resolver
    subdomains: frozenset[str]


def _words(text: str) -> frozenset[str]:
    """A set written as one string of words: easier to read and extend than a literal."""
    return frozenset(text.split())


def _first(segments: list[str], reserved: frozenset[str]) -> str | None:
    """The first path segment, unless it is one of the site's own pages."""
    if not segments or segments[0].casefold() in reserved:
        return None
    return segments[0]


_X_RESERVED = _words(
    "i intent hashtag search home explore settings share login logout signup messages "
    "notifications compose tos privacy about download account jobs rules status "
    "who_to_follow lists bookmarks"
)


def _x(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    if not segments and fragment.startswith("!/"):  # twitter.com/#!/NAME, the 2010 form
        segments = [s for s in fragment[2:].split("/") if s]
    if len(segments) >= 2 and segments[0].casefold() == "intent":
        if segments[1].casefold() in {"user", "follow"}:
            return query.get("screen_name")  # the "Follow" buttons on agency sites
        return None
    name = _first(segments, _X_RESERVED)
    return name.removeprefix("@") if name else None


_INSTAGRAM_RESERVED = _words(
    "p reel reels tv explore stories accounts direct about legal developer web i intent "
    "hashtag search home share login settings challenge emails highlights"
)


def _instagram(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    head = segments[0].casefold() if segments else ""
    if head in {"stories", "_u"} and len(segments) >= 2:
        segments = segments[1:]  # stories/USER/123 and _u/USER name their user next
    return _first(segments, _INSTAGRAM_RESERVED)


def _at_name(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    """The '@NAME' first segment of TikTok, Threads and Snapchat profile links (so
    tiktok.com/t/CODE, a short link that cannot be resolved offline, gives nothing)."""
    if segments and segments[0].startswith("@") and len(segments[0]) > 1:
        return segments[0][1:]
    return None


def _snapchat(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    if len(segments) >= 2 and segments[0].casefold() in {"add", "s"}:
        return segments[1]
    return _at_name(segments, query, fragment)


_YOUTUBE_RESERVED = _words(
    "watch shorts playlist results feed embed live premium gaming account redirect hashtag "
    "post t s about signin logout channel c user attribution_link v e music kids "
    "howyoutubeworks creators ads"
)


def _youtube(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    if not segments:
        return None
    head = segments[0]
    if head.startswith("@"):
        return head[1:] or None
    if head.casefold() in {"c", "user", "channel"} and len(segments) >= 2:
        return f"{head.casefold()}/{segments[1]}"
    name = _first(segments, _YOUTUBE_RESERVED)
    return f"c/{name}" if name else None  # youtube.com/NAME is the legacy custom URL


_FACEBOOK_RESERVED = _words(
    "groups events watch sharer sharer.php share share.php login login.php home.php "
    "story.php photo.php permalink.php l.php dialog plugins marketplace gaming reel reels "
    "help policies privacy hashtag search media photo photos video videos settings "
    "messages friends bookmarks fundraisers stories latest ads business legal notes "
    "profile.php pages pg people"
)


def _facebook(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    head = segments[0].casefold() if segments else ""
    if head == "profile.php":
        return query.get("id")
    if head in {"pages", "people"} and len(segments) >= 3:
        return segments[2]  # pages/NAME/ID and people/NAME/ID: the numeric id
    if head == "pg" and len(segments) >= 2:
        return segments[1]
    return _first(segments, _FACEBOOK_RESERVED)


def _linkedin(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    if len(segments) >= 2 and segments[0].casefold() in {"company", "showcase", "school"}:
        return segments[1]
    return None  # /in/NAME is a person, not an entity account


_TELEGRAM_RESERVED = _words(
    "joinchat addstickers addemoji share iv proxy socks setlanguage addtheme login c "
    "addlist boost invoice contact"
)


def _telegram(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    if segments and segments[0].casefold() == "s":
        segments = segments[1:]  # t.me/s/NAME is the channel's web preview
    name = _first(segments, _TELEGRAM_RESERVED)
    if name is None or name.startswith("+"):  # t.me/+CODE is a private invite
        return None
    return name


def _phone(number: str | None) -> str | None:
    digits = (number or "").strip().removeprefix("+")
    return f"+{digits}" if digits.isdigit() and digits.isascii() else None


def _wa_me(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    return _phone(segments[0]) if len(segments) == 1 else None  # wa.me/message/ is short


def _whatsapp(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    if len(segments) >= 2 and segments[0].casefold() == "channel":
        return f"channel/{segments[1]}"
    if segments and segments[0].casefold() == "send":
        return _phone(query.get("phone"))
    return None


def _unresolvable(segments: list[str], query: dict[str, str], fragment: str) -> str | None:
    return None


_WWW = frozenset({"", "www"})
_MOBILE = _WWW | {"m", "mobile"}
_LINKEDIN_SUBDOMAINS = _WWW | {
    "sa", "ae", "uk", "in", "eg", "jo", "kw", "qa", "bh", "om", "fr", "de", "ca", "au",
}  # fmt: skip

_SITES: dict[str, _Site] = {
    **{
        domain: _Site(Platform.X, _x, _MOBILE)
        for domain in (
            "x.com",
            "twitter.com",
            "fxtwitter.com",
            "vxtwitter.com",
            "fixupx.com",
            "fixvx.com",
            "nitter.net",
        )
    },
    "instagram.com": _Site(Platform.INSTAGRAM, _instagram, _MOBILE),
    "instagr.am": _Site(Platform.INSTAGRAM, _instagram, _WWW),
    "tiktok.com": _Site(Platform.TIKTOK, _at_name, _MOBILE),
    "snapchat.com": _Site(Platform.SNAPCHAT, _snapchat, _WWW | {"story"}),
    "youtube.com": _Site(Platform.YOUTUBE, _youtube, _MOBILE),
    "youtu.be": _Site(Platform.YOUTUBE, _unresolvable, _WWW),
    "facebook.com": _Site(Platform.FACEBOOK, _facebook, _MOBILE | {"web", "mbasic"}),
    "fb.com": _Site(Platform.FACEBOOK, _facebook, _MOBILE),
    "fb.me": _Site(Platform.FACEBOOK, _unresolvable, _WWW),
    "linkedin.com": _Site(Platform.LINKEDIN, _linkedin, _LINKEDIN_SUBDOMAINS),
    "lnkd.in": _Site(Platform.LINKEDIN, _unresolvable, _WWW),
    "t.me": _Site(Platform.TELEGRAM, _telegram, _WWW),
    "telegram.me": _Site(Platform.TELEGRAM, _telegram, _WWW),
    "telegram.dog": _Site(Platform.TELEGRAM, _telegram, _WWW),
    "wa.me": _Site(Platform.WHATSAPP, _wa_me, _WWW),
    "whatsapp.com": _Site(Platform.WHATSAPP, _whatsapp, _WWW | {"api"}),
    "threads.net": _Site(Platform.THREADS, _at_name, _WWW),
    "threads.com": _Site(Platform.THREADS, _at_name, _WWW),
}

_DOMAINS = "|".join(re.escape(d) for d in sorted(_SITES, key=len, reverse=True))
_URL_CHARS = r"A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%"
_PATH_CHAR = rf"(?:[{_URL_CHARS}]|[^\x00-\x7f\s])"
"""URL characters, and any character beyond ASCII: `_path_end` decides where it stops."""
_LINK = (
    r"(?<![A-Za-z0-9.@/\-])"  # not the tail of another host name or of an e-mail address
    r"(?P<link>(?i:https?://)?(?P<host>(?:[A-Za-z0-9\-]{1,63}\.){0,3}?(?i:" + _DOMAINS + r"))"
    r"(?![A-Za-z0-9\-])(?:[/?#]" + _PATH_CHAR + r"*)?)"
)
_PATH_CATEGORIES = ("L", "M", "N", "Pd", "Pc")
"""Beyond ASCII, a path goes on through letters, marks, digits, dashes and connectors."""
_MENTION = rf"(?<![\w@.])(?P<mention>@[\w.]{{1,{MAX_MENTION + 1}}})"
_SCANNER = re.compile(f"{_LINK}|{_MENTION}")
_ONE_LINK = re.compile(_LINK)

_TRAILING = ".,;:!?)]}'\""
"""Punctuation a link is written before in a sentence, never the end of a profile link."""


def _split_host(host: str) -> tuple[str, _Site] | None:
    """The subdomain and the site of a host named by the scanner."""
    host = host.lower()
    for domain, site in _SITES.items():
        if host == domain or host.endswith("." + domain):
            subdomain = host[: -len(domain)].rstrip(".")
            return subdomain, site
    return None


def _path_end(link: str) -> str:
    """The link without what follows its path: Arabic text glued to it, or punctuation
    beyond ASCII (« », quotes). Letters of other scripts and dashes stay part of it: an
    impostor's link may be x.com/SaudiMOHх (a Cyrillic х), and reading it as
    x.com/SaudiMOH would call it official."""
    for at, char in enumerate(link):
        if char.isascii():
            continue
        category = unicodedata.category(char)
        if _ARABIC_LETTER.match(char) or not category.startswith(_PATH_CATEGORIES):
            return link[:at]
    return link


def _link_ref(match: re.Match[str]) -> HandleRef | None:
    """The handle a matched link names, if it is a profile link and the handle is possible,
    or an imitation of a possible one (see `_imitation`)."""
    link = _path_end(match["link"]).rstrip(_TRAILING)
    found = _split_host(match["host"])
    if found is None:
        return None
    subdomain, site = found
    if subdomain not in site.subdomains:
        return None  # vm.tiktok.com short links, help.twitter.com pages, ...
    tail = link[match.end("host") - match.start("link") :]
    tail, _, fragment = tail.partition("#")
    path, _, query_text = tail.partition("?")
    segments = [unquote(s) for s in path.split("/") if s]
    query = dict(parse_qsl(query_text))
    handle = site.resolve(segments, query, fragment)
    if not handle or not (_possible(site.platform, handle) or _imitation(site.platform, handle)):
        return None
    return HandleRef(site.platform, handle, link, from_link=True)


# --- mentions and bare handles ------------------------------------------------------------


def _before_arabic(word: str) -> str:
    """The part of a word before its first Arabic letter (Arabic text glued to a handle)."""
    match = _ARABIC_LETTER.search(word)
    return word[: match.start()] if match else word


def _mention_ref(mention: str) -> HandleRef | None:
    handle = _before_arabic(mention[1:]).rstrip(".")
    if not handle or len(handle) > MAX_MENTION:
        return None
    return HandleRef(None, handle, "@" + handle, from_link=False)


def _scan(text: str) -> Iterator[HandleRef]:
    for match in _SCANNER.finditer(text):
        ref = _link_ref(match) if match["link"] is not None else _mention_ref(match["mention"])
        if ref is not None:
            yield ref


def has_link(text: str) -> bool:
    """Whether `text` holds a link to one of the known sites, profile or not."""
    return _ONE_LINK.search(clean_text(text[:MAX_SCAN])) is not None


def without_links(text: str) -> str:
    """`text` (cleaned) with every link to a known site blanked out: the words of a link
    are its path, never handles written without @ (x.com/SaudiMOH‐fake names no handle,
    and certainly not SaudiMOH)."""
    return _ONE_LINK.sub(" ", clean_text(text[:MAX_SCAN]))


def extract_handles(text: str) -> list[HandleRef]:
    """Every profile link and @mention in a free message, deduplicated, in order.

    Bare words are never taken for handles here: in a sentence they are words. Two
    references are the same when their platform and case-folded handle are.
    """
    try:
        found: dict[tuple[Platform | None, str], HandleRef] = {}
        for ref in _scan(clean_text(text[:MAX_SCAN])):
            key = (ref.platform, ref.handle.casefold())
            found.setdefault(key, ref)
        return list(found.values())
    except Exception:  # a scanner bug must not take the bot down with a citizen's message
        _log.exception("extract_handles failed on %d characters", len(text))
        return []


_BARE = re.compile(rf"@?[\w.\-]{{1,{MAX_MENTION}}}")
_DOMAIN_TLDS = _words("com net org sa me io gov edu co ly gl be am dog in info app")
_PHONE_AS_TYPED = re.compile(r"\+?[\d\s\-()]{8,30}")
_EDGE = " \t\r\n\"'`\u00ab\u00bb\u201c\u201d\u2018\u2019()[]{}<>\u060c\u061b\u061f.,;:!?"
"""Quotes, brackets and Arabic or Latin punctuation around a single handle."""


def _looks_like_domain(word: str) -> bool:
    """'moh.gov.sa' is a web site; a bare word like it is not a handle."""
    return "." in word and word.rsplit(".", 1)[1].casefold() in _DOMAIN_TLDS


def _possible(platform: Platform, handle: str) -> bool:
    """Whether `handle` can exist on `platform`. Every platform's handles are ASCII; the
    FORMATS patterns use \\d, which alone would also take Arabic-Indic digits."""
    return handle.isascii() and FORMATS[platform].is_valid(handle)


def _imitation(platform: Platform, handle: str) -> bool:
    """Whether `handle` is a possible one but for letters or digits beyond ASCII
    (x.com/SaudiМОН, with Cyrillic letters). Such a link is kept: no registry handle has
    those letters, so it is never official, and the look-alike check names what it
    imitates."""
    if handle.isascii() or not all(c.isascii() or c.isalnum() for c in handle):
        return False
    return FORMATS[platform].is_valid("".join(c if c.isascii() else "a" for c in handle))


def _bare_ref(word: str, platform_hint: Platform | None) -> HandleRef | None:
    """A single word that is a handle, with or without @."""
    if platform_hint is Platform.WHATSAPP and (number := _phone(word)):
        valid = _possible(platform_hint, number)
        return HandleRef(platform_hint, number, word, from_link=False) if valid else None
    handle = word.removeprefix("@")
    if platform_hint is not None:  # c/NAME on YouTube and channel/CODE on WhatsApp have a /
        if not _possible(platform_hint, handle):
            return None
        return HandleRef(platform_hint, handle, word, from_link=False)
    if _BARE.fullmatch(word) is None or has_arabic_letter(word):
        return None
    if not handle or (not word.startswith("@") and _looks_like_domain(handle)):
        return None
    return HandleRef(None, handle, word, from_link=False)


def parse_handle(text: str, platform_hint: Platform | None = None) -> HandleRef | None:
    """One handle or link, such as the argument of /verify.

    Accepts '@SaudiMOH', 'SaudiMOH', 'x.com/SaudiMOH',
    'https://twitter.com/SaudiMOH/status/123?s=20' and the other forms in the module
    docstring. With `platform_hint`, a bare handle is given that platform and must fit its
    format; a link names its own platform. When the text is more than one word, the first
    link or mention in it is taken ("تحقق من @SaudiMOH").
    """
    try:
        cleaned = clean_text(text[:MAX_SCAN]).strip(_EDGE)
        if platform_hint is Platform.WHATSAPP and _PHONE_AS_TYPED.fullmatch(cleaned):
            cleaned = re.sub(r"[\s\-()]", "", cleaned)  # "+966 92 003 3333"
        link = _ONE_LINK.fullmatch(cleaned)
        if link is not None:
            return _link_ref(link)
        if not any(c.isspace() for c in cleaned):
            ref = _bare_ref(cleaned, platform_hint)
            if ref is not None:
                return ref
        for ref in _scan(cleaned):
            if ref.platform is None and platform_hint is not None:
                return _bare_ref("@" + ref.handle, platform_hint)
            return ref
        return None
    except Exception:  # never raise on what a citizen typed
        _log.exception("parse_handle failed on %d characters", len(text))
        return None
