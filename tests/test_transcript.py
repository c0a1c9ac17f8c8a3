"""A Telegram transcript of a conversation that keeps its subject (issue 9, "Done means"):
the real ``rasmi run`` process against the local Bot API server, as test_end_to_end.py runs
it.

- In a group, a follow-up sent as a reply to the bot's card is about that card's body.
- In a private chat, a numbered "which one do you mean?" list is answered with "1", and a
  follow-up soon after a card is about it.
- A warning about a look-alike handle, in which the look-alike is neither a Telegram mention
  nor a link (Telegram's own entity parsing, as the server reproduces it, decides).

The transcript is printed, and written to ``$RASMI_TRANSCRIPT`` when that is set (otherwise
to the test's temporary folder), with the entities Telegram found on each handle.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_api_server import BOT_USERNAME, BotApiServer, JSONDict, utf16_slice
from test_end_to_end import RunningBot, links, running_bot, wait_until_polling

OPENABLE = frozenset({"mention", "url", "text_link", "text_mention"})
"""Entities a tap acts on: a Telegram profile, or a page."""


def covering(message: JSONDict, needle: str) -> list[str]:
    """The types of the entities that overlap `needle` in the message as Telegram shows it."""
    text: str = message["text"]
    start = text.find(needle)
    assert start >= 0, f"{needle!r} is not in the message"
    begin = len(text[:start].encode("utf-16-le")) // 2
    end = begin + len(needle.encode("utf-16-le")) // 2
    return [
        e["type"]
        for e in message.get("entities", [])
        if e["offset"] < end and begin < e["offset"] + e["length"]
    ]


def entity_summary(message: JSONDict) -> str:
    """Each entity as `type(text)`, so the transcript shows what a reader can tap."""
    text: str = message["text"]
    return ", ".join(
        f"{e['type']}({utf16_slice(text, e['offset'], e['length'])})"
        for e in message.get("entities", [])
        if e["type"] in OPENABLE | {"code", "pre"}
    )


@pytest.fixture
def talking_bot(database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    """``rasmi run`` in long-polling mode against a fresh Bot API server."""
    with BotApiServer() as api, running_bot(api, database_url, tmp_path) as bot:
        wait_until_polling(bot)
        yield bot


def save(bot: RunningBot, path: Path) -> None:
    lines = []
    for said, answered in bot.transcript:
        lines.append(f"> {said}")
        lines.extend(f"< {line}" for line in answered.splitlines() if line.strip())
        lines.append("")
    text = "\n".join(lines)
    path.write_text(text, encoding="utf-8")
    print(text)


def test_a_conversation_that_keeps_its_subject(talking_bot: RunningBot, tmp_path: Path) -> None:
    target = Path(os.environ.get("RASMI_TRANSCRIPT") or tmp_path / "transcript.txt")
    try:
        _conversation(talking_bot)
    finally:
        save(talking_bot, target)


def _conversation(bot: RunningBot) -> None:
    server = bot.server
    journalist = server.user(3001, "Huda", language_code="ar")
    newsroom = server.group(-1003001, "Newsroom")

    # In a group: the card, asked by mentioning the bot...
    before = len(server.sent(newsroom["id"]))
    server.send_text(journalist, f"@{BOT_USERNAME} وزارة الصحة", chat=newsroom)
    [card] = bot.replies(newsroom["id"], before)
    bot.note(f"[group] @{BOT_USERNAME} وزارة الصحة", card["text"])
    assert "وزارة الصحة" in card["text"]

    # ...then a follow-up as a reply to the card: about the same body, not "which body?".
    before = len(server.sent(newsroom["id"]))
    server.send_text(journalist, "والمتحدث الرسمي؟", chat=newsroom, reply_to_bot=True)
    [people] = bot.replies(newsroom["id"], before)
    bot.note("[group, a reply to the card] والمتحدث الرسمي؟", people["text"])
    assert "وزارة الصحة" in people["text"] and "أيّ جهة" not in people["text"]
    assert "متحدث" in people["text"]

    # In a private chat: a numbered list, answered with "1".
    citizen = server.user(3002, "Sara", language_code="ar")
    listing = bot.ask(citizen, "حساب الرياض الرسمي")
    numbered = re.findall(r"^1\. (.+)$", listing["text"], flags=re.MULTILINE)
    assert numbered, "a numbered list of candidates"
    first = bot.ask(citizen, "1")
    assert numbered[0] in first["text"] and "أيّ جهة" not in first["text"]

    # A follow-up soon after that card, with no reply: the same body.
    on_instagram = bot.ask(citizen, "وانستقرام؟")
    assert numbered[0] in on_instagram["text"]

    # A look-alike: warned about, and the look-alike is inert (no mention, no link); the
    # real account is the only thing to open.
    warning = bot.ask(citizen, "هل @SaudiM0H رسمي؟")
    bot.note("(entities Telegram found)", entity_summary(warning) or "none")
    assert "SaudiM0H" in warning["text"]
    assert not OPENABLE & set(covering(warning, "SaudiM0H")), entity_summary(warning)
    assert "https://x.com/SaudiM0H" not in links(warning)
    assert "https://x.com/SaudiMOH" in links(warning)

    assert "Traceback" not in bot.log()
