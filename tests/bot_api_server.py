"""A local HTTP server that speaks the Telegram Bot API: the project's stand-in for Telegram.

End-to-end tests and benchmarks start the real ``rasmi run`` process with
``TELEGRAM_BASE_URL=<server.base_url>`` and ``TELEGRAM_BOT_TOKEN=123456:TEST``; the bot must
not be able to tell this server from Telegram for the methods implemented here. That is why
the server follows Telegram rather than any particular bot:

* requests are accepted as JSON, form-encoded (what python-telegram-bot sends: every value a
  string, objects JSON-serialised) or multipart, by POST or GET, with case-insensitive method
  names;
* answers are ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": "...", "parameters": {...}}`` with the HTTP status equal to ``error_code``
  (python-telegram-bot reads the status, then ``parameters.migrate_to_chat_id`` and
  ``parameters.retry_after``);
* dates are Unix seconds, ``update_id`` grows by one per update, ``message_id`` grows per
  chat, callback queries carry ``chat_instance``;
* ``parse_mode=HTML`` is parsed by a port of TDLib's ``parse_html`` (the parser behind the
  Bot API server), so a message Telegram would refuse is refused here with the same words,
  and the stored text is what Telegram would store: tags removed, entities in UTF-16 units,
  ``' '`` and ``'\\n'`` trimmed at both ends, URLs, @mentions, #hashtags and /commands found;
* in groups the bot runs in privacy mode (``can_read_all_group_messages`` is false), so it
  only receives commands, replies to its messages and mentions of it.

The server is pure standard library (``ThreadingHTTPServer`` in a background thread), so sync
and async tests use it alike. The test side injects updates (``send_text``, ``press``,
``inline``...), shapes the world (``user``, ``group``, ``block``, ``migrate``, ``fail_next``,
rate limits) and inspects what the bot did (``calls``, ``sent``, ``wait_for``).

Known simplifications (the methods a bot of this project uses are covered; a method not
listed in ``_METHODS`` answers 404 like an unknown one): no file uploads or downloads,
``parse_mode`` Markdown/MarkdownV2 answer 500 instead of being guessed at, URLs are
recognised only with ``http(s)://``, ``www.`` or ``t.me/`` prefixes, message ids are per chat
also in private chats and basic groups (Telegram numbers those per bot), and webhooks are
accepted over plain HTTP so that tests can receive them.
"""

from __future__ import annotations

import contextlib
import copy
import email.parser
import email.policy
import hashlib
import json
import math
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import parse_qsl, urlsplit

JSONDict = dict[str, Any]
Call = tuple[str, JSONDict]
_T = TypeVar("_T")


def _words(text: str) -> frozenset[str]:
    """A set of names written as one whitespace-separated block, to keep long lists short."""
    return frozenset(text.split())


BOT_USERNAME = "rasmi_test_bot"
BOT_FIRST_NAME = "Rasmi Test"
MAX_MESSAGE_LENGTH = 4096  # characters of text after entity parsing
MAX_CALLBACK_DATA = 64  # bytes
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID = 64  # bytes
MAX_INLINE_OFFSET = 64  # bytes
MAX_LONG_POLL = 50  # seconds; Telegram caps getUpdates' timeout there as well

UPDATE_TYPES = _words(
    """
    message edited_message channel_post edited_channel_post business_connection
    business_message edited_business_message deleted_business_messages message_reaction
    message_reaction_count inline_query chosen_inline_result callback_query shipping_query
    pre_checkout_query purchased_paid_media poll poll_answer my_chat_member chat_member
    chat_join_request chat_boost removed_chat_boost
    """
)
# What Telegram sends when allowed_updates was never given or given as []: everything but
# these three, which a bot has to ask for by name.
DEFAULT_UPDATE_TYPES = UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

CHAT_ACTIONS = _words(
    """
    typing upload_photo record_video upload_video record_voice upload_voice upload_document
    choose_sticker find_location record_video_note upload_video_note
    """
)
COMMAND_SCOPES = _words(
    """
    default all_private_chats all_group_chats all_chat_administrators chat
    chat_administrators chat_member
    """
)
INLINE_RESULT_TYPES = _words(
    """
    article photo gif mpeg4_gif video audio voice document location venue contact game
    sticker
    """
)
INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

# Form-encoded requests carry every value as a string; Telegram decodes each parameter by its
# type. These tables do the same, so `calls` holds ints, bools and objects whatever the
# client sent.
_INT_PARAMS = _words(
    """
    offset limit timeout message_id message_thread_id reply_to_message_id cache_time
    max_connections user_id from_chat_id
    """
)
_BOOL_PARAMS = _words(
    """
    show_alert is_personal disable_notification protect_content drop_pending_updates
    disable_web_page_preview allow_sending_without_reply allow_paid_broadcast for_channels
    """
)
_JSON_PARAMS = _words(
    """
    reply_markup entities caption_entities reply_parameters link_preview_options
    allowed_updates commands scope results button menu_button rights
    """
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status = ``error_code``, as Telegram sends it."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


# ---------------------------------------------------------------------------------------
# Text: HTML parsing, entity detection, trimming. Offsets and lengths are UTF-16 code units.
# ---------------------------------------------------------------------------------------


def utf16_length(text: str) -> int:
    """Entity offsets count UTF-16 code units: characters outside the BMP count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` an entity covers."""
    units = text.encode("utf-16-le")
    return units[2 * offset : 2 * (offset + length)].decode("utf-16-le", errors="replace")


_HTML_TAGS = _words(
    """
    a b strong i em s strike del u ins tg-spoiler tg-emoji span pre code blockquote
    """
)
_SPACE_BYTES = frozenset(b" \t\r\n\0\x0b\x0c")
_HEX_BYTES = frozenset(b"0123456789abcdefABCDEF")
_DIGIT_BYTES = frozenset(b"0123456789")
_ALPHA_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ALNUM_BYTES = _ALPHA_BYTES | _DIGIT_BYTES
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SIMPLE_TAG_TYPES = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
# TDLib's sort order for entities that start and end together.
_TYPE_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
# Entities that formatting may overlap but detected entities (urls, mentions...) may not.
_SPLITTABLE_TYPES = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
_BLOCKQUOTE_TYPES = frozenset({"blockquote", "expandable_blockquote"})


def _decode_html_entity(data: bytes, pos: int) -> tuple[int, int]:
    """TDLib's ``decode_html_entity``: (code point or 0 when not an entity, next position).

    ``data`` ends with a NUL sentinel, as TDLib's C string does. Only &lt; &gt; &amp; &quot;
    and numeric references are entities; anything else (``&nbsp;``, a lone ``&``) stays text.
    """
    end = pos + 1
    code = 0
    if data[pos + 1] == ord("#"):
        end += 1
        if data[pos + 2] == ord("x"):
            end += 1
            while data[end] in _HEX_BYTES:
                code = code * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while data[end] in _DIGIT_BYTES:
                code = code * 10 + data[end] - ord("0")
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while data[end] in _ALPHA_BYTES:
            end += 1
        named = _NAMED_ENTITIES.get(data[pos + 1 : end])
        if named is None:
            return 0, pos
        code = ord(named)
    if data[end] == ord(";"):
        end += 1
    return code, end


def _html_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the output
    begin: int  # byte position in the output


def parse_html(text: str, users: dict[int, JSONDict] | None = None) -> tuple[str, list[JSONDict]]:
    """Telegram's HTML parse mode: a port of TDLib's ``parse_html`` (td/telegram/MessageEntity.cpp).

    Returns the text without tags and its entities, or raises the 400 "can't parse entities"
    error Telegram answers, byte offsets included. Working on UTF-8 bytes keeps those offsets
    identical to Telegram's.
    """
    data = text.encode("utf-8") + b"\0"
    size = len(data) - 1
    out = bytearray()
    utf16 = 0
    raw: list[list[Any]] = []  # [type, offset, length, argument]
    stack: list[_OpenTag] = []
    i = 0
    while i < size:
        c = data[i]
        if c == ord("&"):
            code, after = _decode_html_entity(data, i)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    raise _html_error(
                        "Text contains invalid Unicode characters after decoding HTML entities, "
                        "check for unmatched surrogate code units"
                    )
                out += chr(code).encode("utf-8")
                utf16 += 2 if code > 0xFFFF else 1
                i = after
                continue
        if c != ord("<"):
            if c & 0xC0 != 0x80:
                utf16 += 2 if c >= 0xF0 else 1
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if data[i] != ord("/"):
            # A start tag.
            while data[i] not in _SPACE_BYTES and data[i] != ord(">"):
                i += 1
            if data[i] == 0:
                raise _html_error(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].decode("utf-8", errors="replace").lower()
            if tag not in _HTML_TAGS:
                raise _html_error(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while data[i] != ord(">"):
                while data[i] != 0 and data[i] in _SPACE_BYTES:
                    i += 1
                if data[i] == ord(">"):
                    break
                name_begin = i
                while data[i] not in _SPACE_BYTES and data[i] not in b"=>/\"'":
                    i += 1
                attribute = data[name_begin:i].decode("utf-8", errors="replace")
                if not attribute:
                    raise _html_error(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while data[i] != 0 and data[i] in _SPACE_BYTES:
                    i += 1
                if data[i] != ord("="):
                    if data[i] == 0:
                        raise _html_error(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and attribute == "expandable":
                        argument = "1"
                    continue
                i += 1
                while data[i] != 0 and data[i] in _SPACE_BYTES:
                    i += 1
                if data[i] == 0:
                    raise _html_error(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if data[i] not in b"'\"":
                    token_begin = i
                    while data[i] in _ALNUM_BYTES or data[i] in b".-":
                        i += 1
                    value = data[token_begin:i].decode("ascii").lower()
                    if data[i] not in _SPACE_BYTES and data[i] != ord(">"):
                        raise _html_error(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = data[i]
                    i += 1
                    buffer = bytearray()
                    while data[i] != quote and data[i] != 0:
                        if data[i] == ord("&"):
                            code, after = _decode_html_entity(data, i)
                            if code:
                                buffer += chr(code).encode("utf-8", errors="surrogatepass")
                                i = after
                                continue
                        buffer.append(data[i])
                        i += 1
                    if data[i] == quote:
                        i += 1
                    value = buffer.decode("utf-8", errors="replace")
                if data[i] == 0:
                    raise _html_error(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attribute == "href":
                    argument = value
                elif tag == "code" and attribute == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attribute == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attribute == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise _html_error(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            stack.append(_OpenTag(tag, argument, utf16, len(out)))
            i += 1  # past '>'
            continue

        # An end tag.
        if not stack:
            raise _html_error(f"Unexpected end tag at byte offset {begin}")
        while data[i] not in _SPACE_BYTES and data[i] != ord(">"):
            i += 1
        end_tag = data[begin + 2 : i].decode("utf-8", errors="replace").lower()
        while data[i] in _SPACE_BYTES and data[i] != 0:
            i += 1
        if data[i] != ord(">"):
            raise _html_error(f"Unclosed end tag at byte offset {begin}")
        opened = stack[-1]
        if end_tag and end_tag != opened.name:
            raise _html_error(
                f'Unmatched end tag at byte offset {begin}, expected "</{opened.name}>", '
                f'found "</{end_tag}>"'
            )
        i += 1  # past '>'
        if utf16 > opened.offset:
            offset, length = opened.offset, utf16 - opened.offset
            name, argument = opened.name, opened.argument
            if name in _SIMPLE_TAG_TYPES:
                raw.append([_SIMPLE_TAG_TYPES[name], offset, length, ""])
            elif name == "tg-emoji":
                if not re.fullmatch(r"-?\d{1,19}", argument) or int(argument) == 0:
                    raise _html_error("Invalid custom emoji identifier specified")
                raw.append(["custom_emoji", offset, length, argument])
            elif name == "a":
                url = argument or out[opened.begin :].decode("utf-8", errors="replace")
                mention = re.fullmatch(r"(?i)tg://user\?id=(\d+)", url)
                if mention:
                    raw.append(["text_mention", offset, length, mention.group(1)])
                else:
                    checked = checked_link(url)
                    if checked is not None:  # Telegram silently drops links it can't use
                        raw.append(["text_link", offset, length, checked])
            elif name == "pre":
                last = raw[-1] if raw else None
                if last and last[:3] == ["code", offset, length] and last[3]:
                    last[0] = "pre"
                else:
                    raw.append(["pre", offset, length, ""])
            elif name == "code":
                last = raw[-1] if raw else None
                if last and last[:3] == ["pre", offset, length] and argument:
                    last[3] = argument
                else:
                    raw.append(["code", offset, length, argument])
            elif name == "blockquote":
                kind = "expandable_blockquote" if argument else "blockquote"
                raw.append([kind, offset, length, ""])
        stack.pop()
    if stack:
        raise _html_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')

    entities: list[JSONDict] = []
    for kind, offset, length, argument in raw:
        entity: JSONDict = {"offset": offset, "length": length, "type": kind}
        if kind == "text_link":
            entity["url"] = argument
        elif kind == "pre" and argument:
            entity["language"] = argument
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = argument
        elif kind == "text_mention":
            user_id = int(argument)
            known = (users or {}).get(user_id)
            entity["user"] = known or {"id": user_id, "is_bot": False, "first_name": ""}
        entities.append(entity)
    return out.decode("utf-8", errors="replace"), sort_entities(entities)


def checked_link(url: str) -> str | None:
    """TDLib's ``check_link`` in short: the URL Telegram stores for a link, or None if invalid.

    ``example.com`` becomes ``http://example.com/``; hosts are lowercased; a bare host gets
    a ``/`` path; ``tg://`` links are kept; other schemes and hosts without a dot are refused.
    """
    tg = re.fullmatch(r"(?i)tg:(?://)?([A-Za-z0-9_-]+)(.*)", url, re.DOTALL)
    if tg:
        return f"tg://{tg.group(1)}{tg.group(2)}"
    scheme = re.match(r"(?i)(https?)://", url)
    if scheme:
        protocol, rest = scheme.group(1).lower(), url[scheme.end() :]
    elif "://" in url or url.lower().startswith(("javascript:", "mailto:", "data:")):
        return None
    else:
        protocol, rest = "http", url
    cut = len(rest)
    for mark in "/?#":
        where = rest.find(mark)
        if where != -1:
            cut = min(cut, where)
    authority, tail = rest[:cut], rest[cut:]
    userinfo, _, hostport = authority.rpartition("@")
    host, _, port = hostport.partition(":")
    if not host or any(ch.isspace() for ch in url) or "." not in host:
        return None
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        return None
    if not tail.startswith("/"):
        tail = "/" + tail
    prefix = f"{userinfo}@" if userinfo else ""
    suffix = f":{port}" if port else ""
    return f"{protocol}://{prefix}{host.lower()}{suffix}{tail}"


def sort_entities(entities: list[JSONDict]) -> list[JSONDict]:
    """Telegram's order: by offset, longer first, then by type priority."""
    return sorted(
        entities,
        key=lambda e: (e["offset"], -e["length"], _TYPE_PRIORITY.get(e["type"], 50)),
    )


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


_COMMAND_RE = re.compile(r"/([A-Za-z0-9_]{1,64})(@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"@[A-Za-z0-9_]{4,32}")
_HASHTAG_RE = re.compile(r"#[\w\u200c\u00b7]{1,256}")
_URL_RE = re.compile(r"(?i)(?:https?://|www\.|t\.me/)[^\s<>\"]+")


def find_entities(text: str) -> list[JSONDict]:
    """The entities Telegram detects in plain text (TDLib's ``find_entities``, simplified).

    Bot commands, @mentions and #hashtags follow TDLib's boundary rules; URLs are found only
    with an explicit ``http(s)://``, ``www.`` or ``t.me/`` start, where TDLib also knows every
    top-level domain.
    """
    found: list[tuple[int, int, str]] = []  # (start, end) in str indices, type

    def boundary_before(start: int, extra: str = "") -> bool:
        return start == 0 or not (_is_word_char(text[start - 1]) or text[start - 1] in extra)

    def boundary_after(end: int, extra: str = "") -> bool:
        return end >= len(text) or not (_is_word_char(text[end]) or text[end] in extra)

    for match in _COMMAND_RE.finditer(text):
        if boundary_before(match.start(), "/<>") and boundary_after(match.end(), "/<>"):
            found.append((match.start(), match.end(), "bot_command"))
    for match in _MENTION_RE.finditer(text):
        if boundary_before(match.start()) and boundary_after(match.end()):
            found.append((match.start(), match.end(), "mention"))
    for match in _HASHTAG_RE.finditer(text):
        body = match.group()[1:]
        after = match.end()
        if (
            boundary_before(match.start())
            and any(ch.isalpha() for ch in body)
            and (after >= len(text) or text[after] != "#")
        ):
            found.append((match.start(), match.end(), "hashtag"))
    for match in _URL_RE.finditer(text):
        if not boundary_before(match.start(), "@./"):
            continue
        end = match.end()
        while end > match.start() and text[end - 1] in ".,:;!?'»«)]}":
            closing = text[end - 1]
            opening = {")": "(", "]": "[", "}": "{"}.get(closing)
            if opening and text[match.start() : end].count(opening) >= text[
                match.start() : end
            ].count(closing):
                break
            end -= 1
        found.append((match.start(), end, "url"))

    found.sort()
    entities: list[JSONDict] = []
    last_end = 0
    for start, end, kind in found:
        if start < last_end:  # detected entities never overlap one another
            continue
        last_end = end
        entities.append(
            {
                "offset": utf16_length(text[:start]),
                "length": utf16_length(text[start:end]),
                "type": kind,
            }
        )
    return entities


def _clean_input(text: str) -> str:
    """TDLib's ``clean_input_string``: '\\r' dropped, other control characters become spaces."""
    return "".join(
        "" if ch == "\r" else (" " if ord(ch) < 32 and ch not in "\n\t" else ch) for ch in text
    )


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """TDLib's trim: ' ' and '\\n' go at the end and, before the first entity, at the start."""
    end = len(text)
    while end > 0 and text[end - 1] in " \n":
        end -= 1
    text = text[:end]
    limit = utf16_length(text)
    kept: list[JSONDict] = []
    for entity in entities:
        if entity["offset"] >= limit or entity["length"] <= 0:
            continue
        entity = dict(entity)
        entity["length"] = min(entity["length"], limit - entity["offset"])
        kept.append(entity)
    first = min((e["offset"] for e in kept), default=len(text))
    start = 0
    while start < len(text) and start < first and text[start] in " \n":
        start += 1
    for entity in kept:
        entity["offset"] -= start
    return text[start:], sort_entities(kept)


def _merge_found(entities: list[JSONDict], found: Iterable[JSONDict]) -> list[JSONDict]:
    """Adds detected entities that don't cut into a link, code or another fixed entity."""
    blocking = [e for e in entities if e["type"] not in _SPLITTABLE_TYPES | _BLOCKQUOTE_TYPES]
    merged = list(entities)
    for new in found:
        start, end = new["offset"], new["offset"] + new["length"]
        if any(start < b["offset"] + b["length"] and b["offset"] < end for b in blocking):
            continue
        merged.append(new)
    return sort_entities(merged)


def _validate_entities(value: Any, text: str) -> list[JSONDict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise bad_request("can't parse entities JSON object")
    limit = utf16_length(text)
    entities: list[JSONDict] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request('can\'t parse MessageEntity: field "type" must be of type String')
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request('can\'t parse MessageEntity: field "offset" must be a Number')
        if offset < 0 or length < 0 or offset > 1_000_000 or length > 1_000_000:
            raise bad_request(
                f"can't parse entities: Receive an entity with incorrect offset {offset}"
            )
        if length and offset < limit:
            entities.append(dict(item, length=min(length, limit - offset)))
    return sort_entities(entities)


def format_text(
    text: Any,
    parse_mode: Any,
    entities: Any,
    *,
    users: dict[int, JSONDict] | None = None,
    allow_empty: bool = False,
    max_length: int = MAX_MESSAGE_LENGTH,
) -> tuple[str, list[JSONDict]]:
    """What Telegram does with a message text: parse, clean, trim, detect, check length.

    Raises the 400 answers Telegram gives: "message text is empty", "message is too long",
    "can't parse entities: ...".
    """
    text = "" if text is None else str(text)
    mode = str(parse_mode or "").lower()
    if mode and mode != "none" and text:
        if mode == "html":
            parsed, found = parse_html(_clean_input(text), users)
        elif mode in ("markdown", "markdownv2"):
            raise ApiError(
                500,
                f"Internal Server Error: parse_mode {parse_mode} is not implemented by the "
                "local Bot API test server (tests/bot_api_server.py)",
            )
        else:
            raise bad_request("unsupported parse_mode")
    else:
        parsed = text if entities else _clean_input(text)
        found = _validate_entities(entities, parsed)
    parsed, found = _trim(parsed, found)
    if not parsed.strip(" \n"):
        if allow_empty:
            return "", []
        raise bad_request("message text is empty")
    if len(parsed) > max_length:
        raise bad_request("message is too long")
    return parsed, _merge_found(found, find_entities(parsed))


# ---------------------------------------------------------------------------------------
# Rate limiting and injected faults
# ---------------------------------------------------------------------------------------


class _Bucket:
    """A token bucket: ``rate`` messages per second, a burst of ``capacity`` (one second's
    worth, at least one, unless given), and the flood wait Telegram imposed on it."""

    def __init__(self, rate: float, now: float, capacity: float | None = None) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = now
        self.flood_until = 0.0
        self.flood_length = 0

    def wait(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1

    def flood(self, now: float, retry_after: int) -> None:
        """A 429 was answered: sends stay refused for ``retry_after`` seconds."""
        self.flood_length = retry_after
        self.flood_until = now + retry_after


@dataclass
class _Fault:
    status: int
    retry_after: int
    description: str | None
    times: int

    def error(self) -> ApiError:
        if self.status == 429:
            error = too_many_requests(self.retry_after)
            if self.description:
                error.description = self.description
            return error
        default = {
            400: "Bad Request: injected failure",
            401: "Unauthorized",
            403: "Forbidden: bot was blocked by the user",
            404: "Not Found",
            409: "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }.get(self.status, "Injected failure")
        return ApiError(self.status, self.description or default)


@dataclass(frozen=True)
class Attempt:
    """One sendMessage request as the server answered it: when (monotonic and wall clock),
    for which chat, and the HTTP status of the answer (200, or Telegram's error code). A
    message's ``date`` is in whole seconds and a call keeps no answer, but a sender's pace
    is a matter of times and its retry policy one of answers."""

    at: float
    wall: float
    chat_id: Any  # as the request gave it: an int, or an "@username" string, or missing
    status: int


def busiest_second(times: Iterable[float]) -> int:
    """The most events in any one-second window [t, t + 1)."""
    ordered = sorted(times)
    best = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


# ---------------------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # a burst of bots' connections is not refused (the default is 5)

    def __init__(self, api: BotApiServer, port: int) -> None:
        self.api = api
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Hands each request to ``BotApiServer.handle``; keeps connections alive like Telegram."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.sockets_lock:
            self.server.open_sockets.add(self.connection)

    def finish(self) -> None:
        with self.server.sockets_lock:
            self.server.open_sockets.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: test output is no place for an access log."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, payload = self.server.api.handle(
            self.path, self.headers.get("Content-Type", ""), body
        )
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            # The client gave up (a bot shutting down mid long poll): as on Telegram, the
            # answer is lost and nothing else happens.
            self.close_connection = True


def _parse_body(content_type: str, body: bytes) -> JSONDict:
    """Parameters from a JSON, form-encoded or multipart body, as Telegram accepts all three."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}
    if kind == "application/json":
        try:
            value = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise bad_request("can't parse JSON object") from exc
        if not isinstance(value, dict):
            raise bad_request("JSON object expected")
        return value
    if kind == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        params: JSONDict = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            if part.get_filename() is not None:
                params[name] = {"filename": part.get_filename(), "content": content}
            else:
                params[name] = content.decode("utf-8", errors="replace")
        return params
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))


def _normalize(params: JSONDict) -> JSONDict:
    """Decodes string values by parameter type, the way Telegram reads form fields."""
    result: JSONDict = {}
    for key, value in params.items():
        if isinstance(value, str):
            if key == "chat_id" and re.fullmatch(r"-?\d+", value):
                value = int(value)
            elif key in _INT_PARAMS and re.fullmatch(r"-?\d+(\.\d*)?", value):
                value = int(float(value))
            elif key in _BOOL_PARAMS and value.lower() in ("true", "false", "1", "0"):
                value = value.lower() in ("true", "1")
            elif key in _JSON_PARAMS and value[:1] in ("{", "["):
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise bad_request(f"can't parse {key} JSON object") from exc
        result[key] = value
    return result


# ---------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------

MethodHandler = Callable[["BotApiServer", JSONDict], Any]
_Handler_T = TypeVar("_Handler_T", bound=MethodHandler)
_METHODS: dict[str, tuple[str, MethodHandler]] = {}


def _method(name: str) -> Callable[[_Handler_T], _Handler_T]:
    """Registers a Bot API method; Telegram matches method names case-insensitively."""

    def register(handler: _Handler_T) -> _Handler_T:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


def _public_user(user: JSONDict) -> JSONDict:
    """A User as it appears inside messages (getMe's capability fields left out)."""
    keys = ("id", "is_bot", "first_name", "last_name", "username", "language_code", "is_premium")
    return {key: user[key] for key in keys if key in user}


def _require(params: JSONDict, name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise bad_request(f"{name} is empty" if name != "text" else "message text is empty")
    return value


def _int_param(params: JSONDict, name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f'parameter "{name}" must be a Number')
    return int(value)


class BotApiServer:
    """Telegram's Bot API on 127.0.0.1 for one bot token; see the module docstring.

    Shape the world: ``user``, ``group``, ``channel``, ``block``/``unblock``, ``migrate``,
    ``fail_next``, and the flood limits: ``global_rate``, ``per_chat_rate``, ``group_rate``
    (per group chat), ``paid_rate`` (with ``allow_paid_broadcast``), ``flood_restart`` (a
    send inside a flood wait restarts it, as on Telegram).
    Act as users: ``send_text``, ``send_command``, ``forward``, ``press``, ``inline``,
    ``edited``, ``channel_post``, ``sticker``, ``photo`` (each returns the Update).
    See what the bot did: ``calls``, ``sent()``, ``markup()``, ``attempts`` (sendMessage
    requests, timed, with their answers), ``accepted``, ``answers()``, ``callback_answers``,
    ``inline_answers``, ``my_commands``, ``menu_buttons``, ``webhook``,
    ``webhook_deliveries``, ``pending_updates``, ``too_many_requests``, ``errors``; wait with
    ``wait_for`` (sent messages), ``wait_for_call`` (calls) or ``wait_until``.

    Everything is guarded by one condition variable, so tests may inspect and wait from any
    thread while the bot's requests are served on others.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        group_rate: float | None = None,
        paid_rate: float = 1000.0,
        flood_restart: bool = True,
        privacy_mode: bool = True,
        webhook_attempts: int = 4,
        webhook_backoff: float = 0.05,
        port: int = 0,
    ) -> None:
        self.token = token
        self.port = port  # 0: any free port; base_url tells which after start()
        prefix = token.split(":", 1)[0]
        self.bot: JSONDict = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": not privacy_mode,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.privacy_mode = privacy_mode
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.group_rate = group_rate
        self.paid_rate = paid_rate
        self.flood_restart = flood_restart
        self.webhook_attempts = webhook_attempts
        self.webhook_backoff = webhook_backoff

        self._cond = threading.Condition(threading.RLock())
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.base_url = ""

        # What the bot did.
        self.calls: list[Call] = []
        self.attempts: list[Attempt] = []
        self.too_many_requests = 0
        self.restarted_floods = 0  # 429s for a send inside a flood wait (which restarted it)
        self.paid_messages = 0  # accepted with allow_paid_broadcast: 0.1 Star each
        self.errors: list[Exception] = []  # exceptions inside the server: always a bug here
        self.callback_answers: dict[str, JSONDict] = {}
        self.inline_answers: dict[str, JSONDict] = {}
        self.my_commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.webhook: JSONDict | None = None
        self.webhook_deliveries: list[tuple[int, int | str]] = []  # (update_id, status/error)

        # The world.
        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._markups: dict[tuple[int, int], JSONDict] = {}
        self._bot_messages: list[tuple[int, int]] = []
        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._pending_callbacks: set[str] = set()
        self._pending_inline: set[str] = set()
        self._next_query_id = 4_000_000_000_000_000_001
        self._faults: dict[str, list[_Fault]] = {}
        self._global_bucket: _Bucket | None = None
        self._chat_buckets: dict[int, _Bucket] = {}
        self._group_buckets: dict[int, _Bucket] = {}
        self._paid_bucket: _Bucket | None = None
        self._webhook_error: tuple[int, str] | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Binds a free port on 127.0.0.1 and serves in background threads."""
        self._httpd = _HTTPServer(self, self.port)
        port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self._stopping = False
        self._threads = [
            threading.Thread(
                target=self._httpd.serve_forever, args=(0.05,), name="bot-api", daemon=True
            ),
            threading.Thread(target=self._webhook_loop, name="bot-api-webhook", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Ends long polls, closes client connections and the listening socket."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            with self._httpd.sockets_lock:
                for sock in list(self._httpd.open_sockets):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._httpd = None
        self._threads = []

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The full method URL prefix for this token (``base_url`` + token)."""
        return self.base_url + self.token

    # -- users and chats ------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> JSONDict:
        """A Telegram user who has started the bot: the bot may message their private chat."""
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        with self._cond:
            self._users[user_id] = user
            self._chats[user_id] = self._private_chat(user)
            self._cond.notify_all()
        return dict(user)

    def group(self, chat_id: int, title: str = "Group", *, type: str | None = None) -> JSONDict:
        """A group chat the bot is a member of: ids from -100... are supergroups, as on Telegram."""
        kind = type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        chat: JSONDict = {"id": chat_id, "type": kind, "title": title}
        with self._cond:
            self._chats[chat_id] = chat
        return dict(chat)

    def channel(
        self, chat_id: int, title: str = "Channel", username: str | None = None
    ) -> JSONDict:
        """A channel where the bot is an administrator (so it receives channel posts)."""
        chat: JSONDict = {"id": chat_id, "type": "channel", "title": title}
        if username is not None:
            chat["username"] = username
        with self._cond:
            self._chats[chat_id] = chat
        return dict(chat)

    def block(self, chat_id: int) -> dict[str, Any] | None:
        """The user blocks the bot (or removes it from the group): sending now answers 403.

        Like Telegram, a ``my_chat_member`` update tells the bot (status ``kicked``); it is
        returned, or None if the chat is unknown.
        """
        with self._cond:
            self._blocked.add(chat_id)
            chat = self._chats.get(chat_id)
            user = self._users.get(chat_id)
            if chat is None:
                return None
            sender = user or next(iter(self._users.values()), None)
            member_update = {
                "chat": copy.deepcopy(chat),
                "from": _public_user(sender) if sender else _public_user(self.bot),
                "date": int(time.time()),
                "old_chat_member": {"user": _public_user(self.bot), "status": "member"},
                "new_chat_member": {
                    "user": _public_user(self.bot),
                    "status": "kicked",
                    "until_date": 0,
                },
            }
            return self._deliver("my_chat_member", member_update)

    def unblock(self, chat_id: int) -> None:
        with self._cond:
            self._blocked.discard(chat_id)

    def migrate(self, chat_id: int, new_chat_id: int, *, by: JSONDict | None = None) -> JSONDict:
        """The group becomes a supergroup: sending to the old id answers 400 with
        ``parameters.migrate_to_chat_id``. With ``by`` (a user), the two service messages
        Telegram sends (``migrate_to_chat_id``, ``migrate_from_chat_id``) become updates.
        Returns the new supergroup chat.
        """
        with self._cond:
            old = self._chats.get(chat_id) or self.group(chat_id)
            new = self.group(new_chat_id, old.get("title", "Group"), type="supergroup")
            self._migrated[chat_id] = new_chat_id
            if by is not None:
                sender = self._register(by)
                notice = self._new_message(old, sender, migrate_to_chat_id=new_chat_id)
                self._deliver("message", notice)
                welcome = self._new_message(new, sender, migrate_from_chat_id=chat_id)
                self._deliver("message", welcome)
            return new

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        *,
        description: str | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` fail with ``status`` (429 with retry_after)."""
        with self._cond:
            fault = _Fault(status, max(1, retry_after), description, times)
            self._faults.setdefault(method.lower(), []).append(fault)

    # -- updates, as Telegram creates them ------------------------------------------------

    def send_text(
        self,
        user: JSONDict,
        text: str,
        chat: JSONDict | None = None,
        reply_to_bot: bool = False,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """The user sends ``text`` (to the private chat unless ``chat`` is given).

        Entities default to what a Telegram client marks (commands, mentions, links...).
        ``reply_to_bot`` replies to the bot's last message in that chat. Returns the Update;
        it has no ``update_id`` when Telegram would not have delivered it (privacy mode in a
        group, or a type left out of ``allowed_updates``).
        """
        with self._cond:
            sender = self._register(user)
            target = self._target_chat(sender, chat)
            found = find_entities(text) if entities is None else entities
            content: JSONDict = {"text": text}
            if found:
                content["entities"] = found
            message = self._new_message(target, sender, **content)
            if reply_to_bot:
                message["reply_to_message"] = self._last_bot_message(target["id"])
            return self._deliver("message", message, visible=self._reaches_bot(message))

    def send_command(
        self, user: JSONDict, command: str, args: str = "", chat: JSONDict | None = None
    ) -> JSONDict:
        """``/command args`` with its ``bot_command`` entity (``command`` with or without '/')."""
        name = command if command.startswith("/") else f"/{command}"
        text = f"{name} {args}" if args else name
        entities = [{"offset": 0, "length": utf16_length(name), "type": "bot_command"}]
        entities += [e for e in find_entities(text) if e["offset"] >= utf16_length(name)]
        return self.send_text(user, text, chat=chat, entities=entities)

    def forward(
        self,
        user: JSONDict,
        text: str,
        origin: JSONDict | str,
        chat: JSONDict | None = None,
    ) -> JSONDict:
        """The user forwards a message; ``forward_origin`` as in Bot API 7+.

        ``origin`` may be a MessageOrigin dict (``{"type": "channel", "chat": ..., ...}``), a
        user dict (-> ``user``), a channel chat (-> ``channel``), another chat (-> ``chat``)
        or a name string (-> ``hidden_user``, a sender who hides their account).
        """
        date = int(time.time()) - 60
        if isinstance(origin, str):
            forward_origin: JSONDict = {
                "type": "hidden_user",
                "date": date,
                "sender_user_name": origin,
            }
        elif "id" not in origin:
            forward_origin = dict(origin)
            forward_origin.setdefault("date", date)
        elif "is_bot" in origin:
            forward_origin = {"type": "user", "date": date, "sender_user": _public_user(origin)}
        elif origin.get("type") == "channel":
            forward_origin = {
                "type": "channel",
                "date": date,
                "chat": dict(origin),
                "message_id": 1,
            }
        else:
            forward_origin = {"type": "chat", "date": date, "sender_chat": dict(origin)}
        with self._cond:
            sender = self._register(user)
            target = self._target_chat(sender, chat)
            content: JSONDict = {"forward_origin": forward_origin, "text": text}
            found = find_entities(text)
            if found:
                content["entities"] = found
            message = self._new_message(target, sender, **content)
            return self._deliver("message", message, visible=self._reaches_bot(message))

    def press(self, user: JSONDict, message: JSONDict, data: str) -> JSONDict:
        """The user presses the inline button with ``callback_data == data`` under a message
        the bot sent. Refuses (ValueError) buttons that message doesn't have: a test that
        presses a button the bot never offered is a broken test.
        """
        with self._cond:
            key = (message["chat"]["id"], message["message_id"])
            current = self._messages.get(key)
            if current is None or current.get("from", {}).get("id") != self.bot["id"]:
                raise ValueError(f"message {key} was not sent by the bot")
            rows = current.get("reply_markup", {}).get("inline_keyboard", [])
            if not any(button.get("callback_data") == data for row in rows for button in row):
                raise ValueError(f"message {key} has no button with callback_data {data!r}")
            sender = self._register(user)
            query_id = self._new_query_id()
            self._pending_callbacks.add(query_id)
            query = {
                "id": query_id,
                "from": _public_user(sender),
                "message": copy.deepcopy(current),
                "chat_instance": self._chat_instance(key[0]),
                "data": data,
            }
            return self._deliver("callback_query", query)

    def inline(
        self, user: JSONDict, query: str, offset: str = "", *, chat_type: str | None = None
    ) -> JSONDict:
        """The user types ``@rasmi_test_bot query`` in any chat: an inline_query update."""
        with self._cond:
            sender = self._register(user)
            query_id = self._new_query_id()
            self._pending_inline.add(query_id)
            inline_query: JSONDict = {
                "id": query_id,
                "from": _public_user(sender),
                "query": query,
                "offset": offset,
            }
            if chat_type is not None:
                inline_query["chat_type"] = chat_type
            return self._deliver("inline_query", inline_query)

    def edited(self, user: JSONDict, message: JSONDict, new_text: str) -> JSONDict:
        """The user edits one of their messages: ``edited_message`` with ``edit_date``."""
        with self._cond:
            key = (message["chat"]["id"], message["message_id"])
            current = self._messages.get(key)
            if current is None or current.get("from", {}).get("id") != user["id"]:
                raise ValueError(f"message {key} was not sent by user {user['id']}")
            current["text"] = new_text
            current.pop("entities", None)
            found = find_entities(new_text)
            if found:
                current["entities"] = found
            current["edit_date"] = int(time.time())
            kind = (
                "edited_channel_post" if current["chat"]["type"] == "channel" else "edited_message"
            )
            return self._deliver(kind, copy.deepcopy(current), visible=self._reaches_bot(current))

    def channel_post(self, chat: JSONDict, text: str) -> JSONDict:
        """A post in a channel the bot administers: no ``from``, ``sender_chat`` = the channel."""
        with self._cond:
            if chat.get("type") != "channel":
                raise ValueError("channel_post needs a channel chat (see channel())")
            self._chats.setdefault(chat["id"], dict(chat))
            content: JSONDict = {"sender_chat": dict(chat), "text": text}
            found = find_entities(text)
            if found:
                content["entities"] = found
            message = self._new_message(self._chats[chat["id"]], None, **content)
            return self._deliver("channel_post", message)

    def sticker(self, user: JSONDict, chat: JSONDict | None = None) -> JSONDict:
        """The user sends a (static, regular) sticker."""
        with self._cond:
            sender = self._register(user)
            target = self._target_chat(sender, chat)
            file_id = self._file_id("CAACAgIAAxkBAAI")
            sticker = {
                "file_id": file_id,
                "file_unique_id": file_id[-16:],
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
                "set_name": "TestStickers",
                "file_size": 24_000,
            }
            message = self._new_message(target, sender, sticker=sticker)
            return self._deliver("message", message, visible=self._reaches_bot(message))

    def photo(
        self, user: JSONDict, caption: str | None = None, chat: JSONDict | None = None
    ) -> JSONDict:
        """The user sends a photo (three sizes, as Telegram lists them) with an optional caption."""
        with self._cond:
            sender = self._register(user)
            target = self._target_chat(sender, chat)
            base = self._file_id("AgACAgIAAxkBAAI")
            sizes = [
                {
                    "file_id": f"{base}{suffix}",
                    "file_unique_id": f"{base[-12:]}{suffix}",
                    "width": width,
                    "height": width * 3 // 4,
                    "file_size": width * 60,
                }
                for suffix, width in (("s", 90), ("m", 320), ("x", 800))
            ]
            content: JSONDict = {"photo": sizes}
            if caption is not None:
                content["caption"] = caption
                found = find_entities(caption)
                if found:
                    content["caption_entities"] = found
            message = self._new_message(target, sender, **content)
            return self._deliver("message", message, visible=self._reaches_bot(message))

    # -- what the bot did -----------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[JSONDict]:
        """Messages the bot sent, oldest first, as they are now (after any edits)."""
        with self._cond:
            return [
                copy.deepcopy(self._messages[key])
                for key in self._bot_messages
                if chat_id is None or key[0] == chat_id
            ]

    def markup(self, message: JSONDict) -> JSONDict | None:
        """The reply_markup the bot sent with a message, reply keyboards included (a Message
        only shows inline keyboards)."""
        with self._cond:
            found = self._markups.get((message["chat"]["id"], message["message_id"]))
            return copy.deepcopy(found) if found is not None else None

    @property
    def accepted(self) -> list[Attempt]:
        """The sendMessage requests Telegram accepted, in the order it answered them."""
        with self._cond:
            return [attempt for attempt in self.attempts if attempt.status == 200]

    def answers(self, chat_id: int) -> list[int]:
        """The status of every sendMessage request for a chat, in order."""
        with self._cond:
            return [attempt.status for attempt in self.attempts if attempt.chat_id == chat_id]

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot (getUpdates offset) or delivered (webhook)."""
        with self._cond:
            return copy.deepcopy(self._updates)

    def wait_for(
        self, predicate: Callable[[JSONDict], bool] | None = None, timeout: float = 10
    ) -> JSONDict:
        """Blocks until a message the bot sent matches ``predicate`` and returns it.

        Edits count: a predicate on the new text matches once the bot edits. Raises
        TimeoutError after ``timeout`` seconds.
        """
        test = predicate or (lambda _message: True)

        def find() -> JSONDict | None:
            # Scans the live messages (no copy per wake-up: benchmarks send thousands) and
            # copies only the match.
            for key in self._bot_messages:
                if test(self._messages[key]):
                    return copy.deepcopy(self._messages[key])
            return None

        return self._wait(find, timeout)

    def wait_for_call(
        self, predicate: str | Callable[[str, JSONDict], bool], timeout: float = 10
    ) -> Call:
        """Blocks until the bot made a matching call (a method name or a predicate on
        ``(method, params)``) and returns it; TimeoutError otherwise."""
        test: Callable[[str, JSONDict], bool]
        if isinstance(predicate, str):
            name = predicate.lower()

            def test(method: str, _params: JSONDict) -> bool:
                return method.lower() == name

        else:
            test = predicate

        def find() -> Call | None:
            return next(((m, p) for m, p in self.calls if test(m, p)), None)

        return self._wait(find, timeout)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10) -> None:
        """Blocks until ``condition()`` holds, re-checked whenever the server's state changes."""
        self._wait(lambda: True if condition() else None, timeout)

    def _wait(self, find: Callable[[], _T | None], timeout: float) -> _T:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = find()
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"nothing matched within {timeout} s")
                self._cond.wait(remaining)

    # -- request handling -----------------------------------------------------------------

    def handle(self, path: str, content_type: str, body: bytes) -> tuple[int, JSONDict]:
        """One HTTP request: (status, JSON answer). Public so it can be driven without HTTP."""
        split = urlsplit(path)
        match = re.fullmatch(r"/bot([^/]*)/([^/]*)", split.path)
        if match is None:
            return 404, ApiError(404, "Not Found").payload()
        token, name = match.groups()
        if token != self.token:
            return 401, ApiError(401, "Unauthorized").payload()
        try:
            params = dict(parse_qsl(split.query, keep_blank_values=True))
            params.update(_parse_body(content_type, body))
            params = _normalize(params)
        except ApiError as error:
            return error.status, error.payload()
        canonical, handler = _METHODS.get(name.lower(), (name, None))
        status, payload = self._call(canonical, handler, params)
        if canonical == "sendMessage":
            attempt = Attempt(time.monotonic(), time.time(), params.get("chat_id"), status)
            with self._cond:
                self.attempts.append(attempt)
                self._cond.notify_all()
        return status, payload

    def _call(
        self, method: str, handler: MethodHandler | None, params: JSONDict
    ) -> tuple[int, JSONDict]:
        """Records the call, then answers it: an injected fault, or the method's result."""
        with self._cond:
            self.calls.append((method, params))
            self._cond.notify_all()
            faults = self._faults.get(method.lower())
            if handler is not None and faults:
                fault = faults[0]
                fault.times -= 1
                if fault.times <= 0:
                    faults.pop(0)
                injected = fault.error()
                if injected.status == 429:
                    self.too_many_requests += 1
                return injected.status, injected.payload()
        if handler is None:
            return 404, ApiError(404, "Not Found").payload()
        try:
            with self._cond:
                result = handler(self, params)
                self._cond.notify_all()
        except ApiError as error:
            return error.status, error.payload()
        except Exception as exc:  # a bug here must fail the test, not hang the bot
            with self._cond:
                self.errors.append(exc)
            return 500, ApiError(500, f"Internal Server Error: {exc!r}").payload()
        if isinstance(result, _WithDescription):
            return 200, {"ok": True, "result": result.result, "description": result.description}
        return 200, {"ok": True, "result": result}

    # -- internals (called with the lock held) --------------------------------------------

    def _register(self, user: JSONDict) -> JSONDict:
        known = self._users.get(user["id"])
        if known is None:
            self.user(
                user["id"],
                user.get("first_name", "Test"),
                user.get("username"),
                user.get("language_code"),
                user.get("last_name"),
            )
            known = self._users[user["id"]]
        return known

    @staticmethod
    def _private_chat(user: JSONDict) -> JSONDict:
        chat: JSONDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    def _target_chat(self, sender: JSONDict, chat: JSONDict | None) -> JSONDict:
        if chat is None:
            return self._chats[sender["id"]]
        return self._chats.setdefault(chat["id"], dict(chat))

    def _new_message(self, chat: JSONDict, sender: JSONDict | None, **content: Any) -> JSONDict:
        chat_id = chat["id"]
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JSONDict = {"message_id": message_id}
        if sender is not None:
            message["from"] = _public_user(sender)
        message["chat"] = copy.deepcopy(chat)
        message["date"] = int(time.time())
        message.update(content)
        self._messages[(chat_id, message_id)] = message
        return message

    def _deliver(self, kind: str, payload: JSONDict, *, visible: bool = True) -> JSONDict:
        """Queues an update if Telegram would deliver it; returns the Update either way."""
        if not visible or kind not in self._allowed_updates:
            return {kind: copy.deepcopy(payload)}
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self._updates.append(update)
        self._cond.notify_all()
        return copy.deepcopy(update)

    def _reaches_bot(self, message: JSONDict) -> bool:
        """Privacy mode: in groups the bot sees commands, replies to it and mentions of it."""
        if not self.privacy_mode or message["chat"]["type"] in ("private", "channel"):
            return True
        reply = message.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot["id"]:
            return True
        text = message.get("text") or message.get("caption") or ""
        for entity in message.get("entities") or message.get("caption_entities") or []:
            piece = utf16_slice(text, entity["offset"], entity["length"])
            if entity["type"] == "bot_command":
                _, _, target = piece.partition("@")
                if not target or target.lower() == BOT_USERNAME:
                    return True
            elif entity["type"] == "mention":
                if piece[1:].lower() == BOT_USERNAME:
                    return True
            elif entity["type"] == "text_mention" and entity["user"]["id"] == self.bot["id"]:
                return True
        return False

    def _last_bot_message(self, chat_id: int) -> JSONDict:
        for key in reversed(self._bot_messages):
            if key[0] == chat_id:
                replied = copy.deepcopy(self._messages[key])
                replied.pop("reply_to_message", None)
                return replied
        raise ValueError(f"the bot has sent nothing to chat {chat_id} to reply to")

    def _chat_instance(self, chat_id: int) -> str:
        digest = hashlib.sha256(f"{self.bot['id']}:{chat_id}".encode()).digest()
        return str(int.from_bytes(digest[:8], "big", signed=True))

    def _new_query_id(self) -> str:
        self._next_query_id += 1
        return str(self._next_query_id)

    def _file_id(self, prefix: str) -> str:
        self._next_query_id += 1
        return f"{prefix}{self._next_query_id:x}"

    def _chat(self, params: JSONDict, name: str = "chat_id") -> JSONDict:
        chat_id = _require(params, name)
        if isinstance(chat_id, str):
            username = chat_id.lstrip("@").lower()
            for chat in self._chats.values():
                if chat.get("username", "").lower() == username and chat["type"] != "private":
                    return chat
            raise bad_request("chat not found")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise bad_request("chat not found")
        found = self._chats.get(chat_id)
        if found is None:
            raise bad_request("chat not found")
        return found

    def _check_reachable(self, chat: JSONDict) -> None:
        chat_id = chat["id"]
        if chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if chat_id in self._blocked:
            reason = {
                "private": "bot was blocked by the user",
                "group": "bot was kicked from the group chat",
                "supergroup": "bot was kicked from the supergroup chat",
                "channel": "bot is not a member of the channel chat",
            }[chat["type"]]
            raise ApiError(403, f"Forbidden: {reason}")

    def _rate_limit(self, chat_id: int, paid: bool = False) -> None:
        """Telegram's flood control for sends: 429 with retry_after when over the pace.

        A 429 starts a flood wait on the limit that was exceeded (the bot's, or the chat's):
        every send it covers is refused, and a send inside it starts it again from the
        beginning, so a client that does not wait ``retry_after`` never gets through.
        Groups (negative ids) have ``group_rate`` as well; a paid broadcast
        (``allow_paid_broadcast``) is held to ``paid_rate`` instead of ``global_rate``.
        """
        now = time.monotonic()
        buckets: list[_Bucket] = []
        overall = self._global_bucket_for(paid, now)
        if overall is not None:
            buckets.append(overall)
        if self.per_chat_rate:
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                bucket = self._chat_buckets[chat_id] = _Bucket(self.per_chat_rate, now)
            buckets.append(bucket)
        if self.group_rate and chat_id < 0:
            group = self._group_buckets.get(chat_id)
            if group is None:
                group = self._group_buckets[chat_id] = _Bucket(
                    self.group_rate, now, capacity=max(1.0, self.group_rate * 60)
                )
            buckets.append(group)
        flooded = [bucket for bucket in buckets if bucket.flood_until > now]
        if flooded and self.flood_restart:
            for bucket in flooded:
                bucket.flood(now, bucket.flood_length)
            self.too_many_requests += 1
            self.restarted_floods += 1
            raise too_many_requests(max(bucket.flood_length for bucket in flooded))
        waits = [(bucket.wait(now), bucket) for bucket in buckets]
        wait = max((seconds for seconds, _ in waits), default=0.0)
        if wait > 0:
            self.too_many_requests += 1
            retry_after = max(1, math.ceil(wait))
            for seconds, bucket in waits:
                if seconds > 0:
                    bucket.flood(now, retry_after)
            raise too_many_requests(retry_after)
        for bucket in buckets:
            bucket.take()
        if paid:
            self.paid_messages += 1

    def _global_bucket_for(self, paid: bool, now: float) -> _Bucket | None:
        """The bot's overall bucket: the free one, or the paid broadcast's."""
        if paid:
            if self._paid_bucket is None:
                self._paid_bucket = _Bucket(self.paid_rate, now)
            return self._paid_bucket
        if not self.global_rate:
            return None
        if self._global_bucket is None:
            self._global_bucket = _Bucket(self.global_rate, now)
        return self._global_bucket

    def _check_markup(self, markup: Any) -> JSONDict | None:
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise bad_request("object expected as reply markup")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise bad_request(
                            "can't parse inline keyboard button: "
                            'Field "text" must be of type String'
                        )
                    actions = [key for key in INLINE_BUTTON_ACTIONS if key in button]
                    if not actions:
                        raise bad_request(
                            "can't parse inline keyboard button: "
                            "Text buttons are unallowed in the inline keyboard"
                        )
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                        raise bad_request("BUTTON_DATA_INVALID")
                    url = button.get("url")
                    if url is not None and checked_link(str(url)) is None:
                        raise bad_request(
                            f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
                        )
        elif not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad_request("object expected as reply markup")
        return markup

    def _reply_target(self, chat: JSONDict, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {"message_id": params["reply_to_message_id"]}
        if reply is None:
            return None
        if not isinstance(reply, dict) or not isinstance(reply.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        chat_id = reply.get("chat_id", chat["id"])
        if not isinstance(chat_id, int):
            chat_id = self._chat(reply)["id"]
        target = self._messages.get((chat_id, reply["message_id"]))
        if target is None:
            if reply.get("allow_sending_without_reply") or params.get(
                "allow_sending_without_reply"
            ):
                return None
            raise bad_request("message to be replied not found")
        replied = copy.deepcopy(target)
        replied.pop("reply_to_message", None)
        return replied

    def _format(self, params: JSONDict, field: str = "text") -> tuple[str, list[JSONDict]]:
        return format_text(
            params.get(field),
            params.get("parse_mode"),
            params.get("entities"),
            users=self._users,
        )

    def _bot_message(self, params: JSONDict) -> JSONDict:
        """Finds the bot's message an edit refers to."""
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        self._check_reachable(chat)
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = self._messages.get((chat["id"], message_id))
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot["id"]:
            raise bad_request("message can't be edited")
        return message

    def _set_allowed_updates(self, value: Any) -> None:
        if value is None or value == "":
            return
        if not isinstance(value, list):
            raise bad_request("can't parse allowed updates JSON object")
        chosen = frozenset(str(kind) for kind in value) & UPDATE_TYPES
        self._allowed_updates = chosen or DEFAULT_UPDATE_TYPES

    # -- webhook delivery -----------------------------------------------------------------

    def _webhook_loop(self) -> None:
        """Delivers queued updates to the webhook, like Telegram: over up to
        ``max_connections`` (setWebhook's, 40 by default) connections at once, so an
        update is not held up by the one before it unless there is only one connection.

        A failed delivery (no answer, or a status other than 2xx) is retried with a growing
        pause; after ``webhook_attempts`` Telegram gives up on the update, and so does this.
        """
        workers: list[threading.Thread] = []
        in_flight: set[int] = set()
        while True:
            with self._cond:
                while not self._stopping and not (
                    self.webhook and len(workers) < self._webhook_connections()
                ):
                    self._cond.wait()
                if self._stopping:
                    break
            worker = threading.Thread(
                target=self._webhook_worker, args=(in_flight,), name="bot-api-hook", daemon=True
            )
            workers.append(worker)
            worker.start()
        for worker in workers:
            worker.join(timeout=5)

    def _webhook_connections(self) -> int:
        return int((self.webhook or {}).get("max_connections") or 40)

    def _webhook_worker(self, in_flight: set[int]) -> None:
        """One connection's loop: the oldest update no other connection is delivering."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            with self._cond:
                update: JSONDict | None = None
                while not self._stopping:
                    if self.webhook:
                        update = next(
                            (u for u in self._updates if u["update_id"] not in in_flight), None
                        )
                        if update is not None:
                            break
                    self._cond.wait()
                if self._stopping or update is None:
                    return
                in_flight.add(update["update_id"])
                hook = dict(self.webhook or {})
                update = copy.deepcopy(update)
            try:
                self._deliver_to_webhook(opener, hook, update)
            finally:
                with self._cond:
                    in_flight.discard(update["update_id"])
                    self._cond.notify_all()

    def _deliver_to_webhook(
        self, opener: urllib.request.OpenerDirector, hook: JSONDict, update: JSONDict
    ) -> None:
        update_id = update["update_id"]
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        body = json.dumps(update).encode("utf-8")
        for tries in range(1, self.webhook_attempts + 1):
            request = urllib.request.Request(hook["url"], data=body, headers=headers)
            outcome: int | str
            message = ""
            try:
                with opener.open(request, timeout=5) as response:
                    outcome = response.status
            except urllib.error.HTTPError as error:
                outcome = error.code
                message = f"Wrong response from the webhook: {error.code} {error.reason}"
            except OSError as error:
                outcome = type(error).__name__
                message = str(getattr(error, "reason", error)) or outcome
            with self._cond:
                self.webhook_deliveries.append((update_id, outcome))
                delivered = isinstance(outcome, int) and 200 <= outcome < 300
                if not delivered:
                    self._webhook_error = (int(time.time()), message)
                if delivered or tries >= self.webhook_attempts or self._stopping:
                    self._updates = [u for u in self._updates if u["update_id"] != update_id]
                    self._cond.notify_all()
                    return
                self._cond.wait(self.webhook_backoff * 2 ** (tries - 1))


@dataclass
class _WithDescription:
    """A successful answer that also carries a description, as setWebhook's does."""

    result: Any
    description: str


# ---------------------------------------------------------------------------------------
# Bot API methods (each runs with the server's lock held)
# ---------------------------------------------------------------------------------------


@_method("getMe")
def _get_me(server: BotApiServer, params: JSONDict) -> JSONDict:
    return dict(server.bot)


@_method("getChat")
def _get_chat(server: BotApiServer, params: JSONDict) -> JSONDict:
    """A chat by id, or a public one by @username as any bot may look it up (a channel
    made with ``channel(..., username=...)``); "chat not found" otherwise."""
    chat = copy.deepcopy(server._chat(params))
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11}


@_method("logOut")
def _log_out(server: BotApiServer, params: JSONDict) -> bool:
    return True


@_method("close")
def _close(server: BotApiServer, params: JSONDict) -> bool:
    return True


@_method("getUpdates")
def _get_updates(server: BotApiServer, params: JSONDict) -> list[JSONDict]:
    """Confirms updates below ``offset``, then long-polls up to ``timeout`` seconds.

    A newer getUpdates ends a waiting one with 409, which is how Telegram tells two running
    copies of a bot apart.
    """
    conflict = ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    )
    if server.webhook is not None:
        raise conflict
    offset = _int_param(params, "offset")
    limit = min(100, max(1, _int_param(params, "limit", 100) or 100))
    timeout = min(MAX_LONG_POLL, max(0, _int_param(params, "timeout", 0) or 0))
    server._set_allowed_updates(params.get("allowed_updates"))
    if offset is not None:
        if offset < 0:
            server._updates = server._updates[offset:]
        else:
            server._updates = [u for u in server._updates if u["update_id"] >= offset]
    server._poll_generation += 1
    generation = server._poll_generation
    deadline = time.monotonic() + timeout
    while True:
        if server._stopping:
            return []
        if generation != server._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        if server.webhook is not None:
            raise conflict
        if server._updates:
            return copy.deepcopy(server._updates[:limit])
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return []
        server._cond.wait(remaining)


@_method("setWebhook")
def _set_webhook(server: BotApiServer, params: JSONDict) -> _WithDescription:
    url = str(params.get("url") or "")
    if not url:
        return _delete_webhook(server, params)
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise bad_request("secret token contains unallowed characters")
    server._set_allowed_updates(params.get("allowed_updates"))
    if params.get("drop_pending_updates"):
        server._updates.clear()
    server.webhook = {
        "url": url,
        "secret_token": secret,
        "allowed_updates": params.get("allowed_updates"),
        "max_connections": _int_param(params, "max_connections", 40),
    }
    server._webhook_error = None
    return _WithDescription(True, "Webhook was set")


@_method("deleteWebhook")
def _delete_webhook(server: BotApiServer, params: JSONDict) -> _WithDescription:
    if params.get("drop_pending_updates"):
        server._updates.clear()
    if server.webhook is None:
        return _WithDescription(True, "Webhook is already deleted")
    server.webhook = None
    return _WithDescription(True, "Webhook was deleted")


@_method("getWebhookInfo")
def _get_webhook_info(server: BotApiServer, params: JSONDict) -> JSONDict:
    info: JSONDict = {
        "url": server.webhook["url"] if server.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(server._updates),
    }
    if server.webhook:
        info["ip_address"] = "127.0.0.1"
        info["max_connections"] = server.webhook["max_connections"]
        if server.webhook.get("allowed_updates"):
            info["allowed_updates"] = server.webhook["allowed_updates"]
        if server._webhook_error:
            info["last_error_date"], info["last_error_message"] = server._webhook_error
    return info


@_method("sendMessage")
def _send_message(server: BotApiServer, params: JSONDict) -> JSONDict:
    chat = server._chat(params)
    server._check_reachable(chat)
    text, entities = server._format(params)
    markup = server._check_markup(params.get("reply_markup"))
    replied = server._reply_target(chat, params)
    server._rate_limit(chat["id"], paid=bool(params.get("allow_paid_broadcast")))
    content: JSONDict = {"text": text}
    if entities:
        content["entities"] = entities
    if replied is not None:
        content["reply_to_message"] = replied
    if params.get("protect_content"):
        content["has_protected_content"] = True
    if markup is not None and "inline_keyboard" in markup:
        content["reply_markup"] = copy.deepcopy(markup)
    message = server._new_message(chat, server.bot, **content)
    key = (chat["id"], message["message_id"])
    server._bot_messages.append(key)
    if markup is not None:
        server._markups[key] = copy.deepcopy(markup)
    return copy.deepcopy(message)


@_method("editMessageText")
def _edit_message_text(server: BotApiServer, params: JSONDict) -> JSONDict:
    message = server._bot_message(params)
    text, entities = server._format(params)
    markup = server._check_markup(params.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    if (
        message.get("text") == text
        and message.get("entities", []) == entities
        and message.get("reply_markup") == markup
    ):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    message["text"] = text
    message.pop("entities", None)
    if entities:
        message["entities"] = entities
    _replace_markup(server, message, markup)
    message["edit_date"] = int(time.time())
    return copy.deepcopy(message)


@_method("editMessageReplyMarkup")
def _edit_message_reply_markup(server: BotApiServer, params: JSONDict) -> JSONDict:
    message = server._bot_message(params)
    markup = server._check_markup(params.get("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    if message.get("reply_markup") == markup:
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    _replace_markup(server, message, markup)
    message["edit_date"] = int(time.time())
    return copy.deepcopy(message)


def _replace_markup(server: BotApiServer, message: JSONDict, markup: JSONDict | None) -> None:
    """Editing without reply_markup removes the keyboard, as on Telegram."""
    key = (message["chat"]["id"], message["message_id"])
    message.pop("reply_markup", None)
    server._markups.pop(key, None)
    if markup is not None:
        message["reply_markup"] = copy.deepcopy(markup)
        server._markups[key] = copy.deepcopy(markup)


def _query_id(params: JSONDict, name: str, pending: set[str]) -> str:
    """The id of a query the bot may still answer (each is answered once)."""
    query_id = str(_require(params, name))
    if query_id not in pending:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    return query_id


@_method("answerCallbackQuery")
def _answer_callback_query(server: BotApiServer, params: JSONDict) -> bool:
    query_id = _query_id(params, "callback_query_id", server._pending_callbacks)
    text = params.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    server._pending_callbacks.discard(query_id)
    server.callback_answers[query_id] = dict(params)
    return True


@_method("answerInlineQuery")
def _answer_inline_query(server: BotApiServer, params: JSONDict) -> bool:
    query_id = _query_id(params, "inline_query_id", server._pending_inline)
    results = params.get("results")
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict):
            raise bad_request("can't parse InlineQueryResult: object expected")
        if result.get("type") not in INLINE_RESULT_TYPES:
            raise bad_request("can't parse InlineQueryResult: Unsupported inline query result type")
        result_id = str(result.get("id", ""))
        if not result_id or len(result_id.encode()) > MAX_INLINE_RESULT_ID:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result["type"] == "article" and not result.get("title"):
            raise bad_request(
                'can\'t parse InlineQueryResult: Field "title" must be of type String'
            )
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            format_text(
                content["message_text"],
                content.get("parse_mode"),
                content.get("entities"),
                users=server._users,
            )
        if "reply_markup" in result:
            server._check_markup(result["reply_markup"])
    next_offset = params.get("next_offset")
    if next_offset is not None and len(str(next_offset).encode()) > MAX_INLINE_OFFSET:
        raise bad_request("NEXT_OFFSET_INVALID")
    server._pending_inline.discard(query_id)
    server.inline_answers[query_id] = dict(params)
    return True


def _commands_key(server: BotApiServer, params: JSONDict) -> tuple[str, str]:
    """The (scope, language) slot Telegram keeps a command list in."""
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("can't parse BotCommandScope: unsupported scope type")
    if scope["type"] in ("chat", "chat_administrators", "chat_member"):
        server._chat(scope)
    language = str(params.get("language_code") or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


@_method("setMyCommands")
def _set_my_commands(server: BotApiServer, params: JSONDict) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked: list[JSONDict] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: object expected")
        command = str(item.get("command", "")).removeprefix("/")
        description = str(item.get("description", "")).strip()
        if not command:
            raise bad_request("command must be non-empty")
        if len(command) > 32:
            raise bad_request("command is too long")
        if not re.fullmatch(r"[a-z0-9_]+", command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not description:
            raise bad_request("command description must be non-empty")
        if len(description) > 256:
            raise bad_request("command description is too long")
        checked.append({"command": command, "description": description})
    key = _commands_key(server, params)
    if checked:
        server.my_commands[key] = checked
    else:
        server.my_commands.pop(key, None)
    return True


@_method("getMyCommands")
def _get_my_commands(server: BotApiServer, params: JSONDict) -> list[JSONDict]:
    return copy.deepcopy(server.my_commands.get(_commands_key(server, params), []))


@_method("deleteMyCommands")
def _delete_my_commands(server: BotApiServer, params: JSONDict) -> bool:
    server.my_commands.pop(_commands_key(server, params), None)
    return True


@_method("setChatMenuButton")
def _set_chat_menu_button(server: BotApiServer, params: JSONDict) -> bool:
    chat_id = server._chat(params)["id"] if params.get("chat_id") is not None else None
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")
    server.menu_buttons[chat_id] = button
    return True


@_method("getChatMenuButton")
def _get_chat_menu_button(server: BotApiServer, params: JSONDict) -> JSONDict:
    chat_id = server._chat(params)["id"] if params.get("chat_id") is not None else None
    button = server.menu_buttons.get(chat_id) or server.menu_buttons.get(None)
    return copy.deepcopy(button) if button else {"type": "commands"}


@_method("sendChatAction")
def _send_chat_action(server: BotApiServer, params: JSONDict) -> bool:
    chat = server._chat(params)
    server._check_reachable(chat)
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True
