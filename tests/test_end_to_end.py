"""The real ``rasmi run`` process against the local Bot API server (tests/bot_api_server.py).

``test_handlers.py`` drives ``Application.process_update`` inside the test process; it cannot
see what only a deployment exercises: the settings read from the environment, PTB's own HTTP
client, its long-polling loop and webhook server, the start-up sequence (migrations, registry
import, command menus), signal handling on shutdown, and whether Telegram would accept what
the bot sends (HTML, keyboards, lengths). Here the bot is a separate process, started exactly
as a deployment starts it, and the only thing that differs from production is the URL it
believes is Telegram.

Every wait is on a condition (the server wakes waiters on each request), re-checked every
half second against the bot process so that a crash fails the test at once, with the bot's
log, instead of after a timeout.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from bot_api_server import MAX_MESSAGE_LENGTH, BotApiServer, JSONDict, parse_html, utf16_slice
from bot_process import start_bot, stop

_T = TypeVar("_T")

WAIT = 15.0
"""Generous: a 2-core CI machine starting Python, PTB and a database can be slow."""
START_WAIT = 45.0
"""Start-up migrates the database and imports the whole registry before anything else."""
STOP_WAIT = 20.0
LIVENESS_CHECK = 0.5
"""How often a wait looks up from the server to check that the bot is still running."""


SAUDI_MOI_CHANNEL = -1001234567890
"""A Telegram channel posing as the Ministry of Interior: @saudimoi is on the registry's
list of handles known not to be official."""


# ---------------------------------------------------------------------------------------
# The bot process
# ---------------------------------------------------------------------------------------


@dataclass
class RunningBot:
    """The ``rasmi run`` process, the server it talks to, and where its log goes."""

    server: BotApiServer
    process: subprocess.Popen[bytes]
    log_path: Path
    transcript: list[tuple[str, str]] = field(default_factory=list)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, condition: Callable[[], _T | None], what: str, timeout: float = WAIT) -> _T:
        """Blocks until ``condition()`` returns something other than None and returns it.

        The condition runs under the server's lock whenever the server's state changes; in
        between, the bot process is checked every ``LIVENESS_CHECK`` seconds, so a bot that
        died fails the test now rather than after ``timeout``.
        """
        found: list[_T] = []

        def check() -> bool:
            value = condition()
            if value is None:
                return False
            found.append(value)
            return True

        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                self.server.wait_until(check, timeout=max(0.01, min(LIVENESS_CHECK, remaining)))
                return found[0]
            except TimeoutError:
                code = self.process.poll()
                if code is not None:
                    pytest.fail(f"the bot exited with code {code} while waiting for {what}")
                if time.monotonic() >= deadline:
                    pytest.fail(f"no {what} within {timeout:.0f} s")

    def replies(self, chat_id: int, before: int, count: int = 1) -> list[JSONDict]:
        """The bot's messages in ``chat_id`` after the first ``before``, once there are
        ``count`` of them."""

        def new() -> list[JSONDict] | None:
            messages = self.server.sent(chat_id)[before:]
            return messages if len(messages) >= count else None

        return self.wait(new, f"a reply in chat {chat_id}")

    def ask(self, user: JSONDict, text: str) -> JSONDict:
        """The user sends ``text`` in their private chat; returns the bot's (first) reply."""
        before = len(self.server.sent(user["id"]))
        self.server.send_text(user, text)
        [reply, *_] = self.replies(user["id"], before)
        self.note(text, reply["text"])
        return reply

    def note(self, said: str, answered: str) -> None:
        """One line of the session transcript, printed by the tests that keep one."""
        self.transcript.append((said, answered))

    def calls_to(self, method: str, chat_id: int) -> list[JSONDict]:
        return [
            params
            for name, params in list(self.server.calls)
            if name == method and params.get("chat_id") == chat_id
        ]


@contextlib.contextmanager
def running_bot(
    server: BotApiServer, database_url: str, workdir: Path, **extra_env: str
) -> Iterator[RunningBot]:
    """Starts ``python -m bot.cli run``, stops it with SIGTERM and asserts a clean exit.

    The working directory is a fresh one, so a ``.env`` in the repository cannot change the
    settings. The log (stdout and stderr) goes to a file and is printed at the end: pytest
    shows it only when the test failed.
    """
    log_path = workdir / "bot.log"
    bot = RunningBot(server, start_bot(server, database_url, log_path, **extra_env), log_path)
    try:
        yield bot
    finally:
        code = stop(bot.process, STOP_WAIT)
        for said, answered in bot.transcript:
            print(f"> {said}\n< {short(answered)}")
        print(f"--- rasmi run (exit code {code}) ---\n{bot.log()}")
    assert code == 0, f"the bot did not stop cleanly on SIGTERM (exit code {code})"
    assert server.errors == [], "the Bot API server itself failed"
    # Whatever else happened, Telegram never had to refuse a request as malformed: HTML it
    # cannot parse, a message over 4096 characters, a bad keyboard, a stale query id.
    assert "telegram.error.BadRequest" not in bot.log()


def wait_until_polling(bot: RunningBot) -> None:
    """Ready: the four command menus are set (post_init is done) and the first getUpdates
    has gone out, so updates injected from now on are picked up by the poll."""
    bot.wait(
        lambda: True if len(bot.server.my_commands) == 4 else None,
        "the command menus",
        timeout=START_WAIT,
    )
    bot.wait(lambda: any(m == "getUpdates" for m, _ in bot.server.calls) or None, "getUpdates")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def post(url: str, payload: JSONDict, headers: dict[str, str]) -> int:
    """A raw POST (no proxy), as someone who found the webhook address would send it."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", **headers},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def buttons(message: JSONDict) -> list[JSONDict]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def links(message: JSONDict) -> set[str]:
    """Every URL a reader can open from the message: text links, bare URLs, buttons."""
    text: str = message["text"]
    found = {b["url"] for b in buttons(message) if "url" in b}
    for entity in message.get("entities", []):
        if entity["type"] == "text_link":
            found.add(entity["url"])
        elif entity["type"] == "url":
            found.add(utf16_slice(text, entity["offset"], entity["length"]))
    return found


def short(text: str, limit: int = 150) -> str:
    flat = " ⏎ ".join(line for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer() as running:
        yield running


@pytest.fixture
def polling_bot(server: BotApiServer, database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    """``rasmi run`` in long-polling mode (no WEBHOOK_URL), ready for updates."""
    with running_bot(server, database_url, tmp_path) as bot:
        wait_until_polling(bot)
        yield bot


# ---------------------------------------------------------------------------------------
# Long polling: one user's session
# ---------------------------------------------------------------------------------------


def test_a_user_session_over_long_polling(polling_bot: RunningBot) -> None:
    """What a new user does in their first minute, in the order they do it.

    Seven updates from one user: under the flood gate's eight per ten seconds, as a real
    user's pace would be.
    """
    bot, server = polling_bot, polling_bot.server
    user = server.user(1001, "Sara", username="sara_q", language_code="en")
    chat = user["id"]

    # /start greets in the language of the user's Telegram app, with three examples.
    before = len(server.sent(chat))
    server.send_command(user, "start")
    [greeting] = bot.replies(chat, before)
    bot.note("/start", greeting["text"])
    assert "Hello!" in greeting["text"]
    examples = buttons(greeting)
    assert len(examples) == 3
    assert all(b["callback_data"].startswith("ask:") for b in examples)

    # A Gulf-dialect question: the card, in HTML that Telegram accepts.
    card = bot.ask(user, "وش حساب وزارة الصحة الرسمي؟")
    assert "الحسابات الرسمية" in card["text"]
    assert "@SaudiMOH" in card["text"]
    assert "https://x.com/SaudiMOH" in links(card)
    [card_call] = [p for p in bot.calls_to("sendMessage", chat) if "الحسابات" in p["text"]]
    assert card_call["parse_mode"] == "HTML"
    assert any(e["type"] != "url" for e in card.get("entities", [])), "no formatting survived"

    # A look-alike handle: a warning naming the real account.
    warning = bot.ask(user, "is @SaudiM0H official?")
    assert "is not in the registry, but it looks like" in warning["text"]
    assert "@SaudiMOH" in warning["text"]

    # A post forwarded from a channel posing as the Ministry of Interior.
    channel = server.channel(SAUDI_MOI_CHANNEL, "Saudi MOI", username="saudimoi")
    before = len(server.sent(chat))
    server.forward(user, "Register for the new service here", channel)
    [verdict] = bot.replies(chat, before)
    bot.note("[forwarded from the channel @saudimoi]", verdict["text"])
    assert "forwarded from Saudi MOI" in verdict["text"]
    # Listed as unverified, not as an impersonation: "not confirmed", never ⛔.
    assert "is not confirmed" in verdict["text"] and "⛔" not in verdict["text"]

    # A spokesperson.
    people = bot.ask(user, "who is the Education spokesperson?")
    assert "Mona Al-Ajmi" in people["text"]

    # Inline mode, typed in some other chat.
    query_id = server.inline(user, "وزارة الصحة")["inline_query"]["id"]
    answer = bot.wait(lambda: server.inline_answers.get(query_id), "answerInlineQuery")
    results = answer["results"]
    assert results and all(r["type"] == "article" for r in results)
    first = results[0]["input_message_content"]["message_text"]
    assert "@SaudiMOH" in first
    shown, _ = parse_html(first)  # what the chat it is shared in will show
    bot.note("[inline] @rasmi_test_bot وزارة الصحة", f"{len(results)} result(s): {shown}")

    # The spokesperson button under the card: the query is answered, a new message follows.
    [spokesperson] = [b for b in buttons(card) if b.get("callback_data", "").startswith("spk:")]
    before = len(server.sent(chat))
    press_id = server.press(user, card, spokesperson["callback_data"])["callback_query"]["id"]
    bot.wait(lambda: server.callback_answers.get(press_id), "answerCallbackQuery")
    [pressed] = bot.replies(chat, before)
    bot.note(f"[button: {spokesperson['text']}]", pressed["text"])
    assert "Mohammed Al-Abdulaali" in pressed["text"] or "محمد العبدالعالي" in pressed["text"]

    # The command menus, one per language and a default.
    menus = {lang: commands for (_scope, lang), commands in server.my_commands.items()}
    assert set(menus) == {"", "ar", "en", "fr"}
    assert menus[""] == menus["ar"]
    assert {"start", "verify", "spokesperson", "language", "help", "about"} <= {
        c["command"] for c in menus["en"]
    }
    assert menus["fr"] != menus["en"] != menus["ar"]

    assert "Traceback" not in bot.log()


# ---------------------------------------------------------------------------------------
# Long polling: Telegram's errors
# ---------------------------------------------------------------------------------------


def test_a_flood_wait_is_waited_out_and_the_answer_arrives(polling_bot: RunningBot) -> None:
    """Telegram's 429 carries retry_after: the bot must wait that long and send again,
    not drop the answer or hammer the API."""
    bot, server = polling_bot, polling_bot.server
    user = server.user(2001, "Badr", language_code="ar")
    server.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    answer = bot.ask(user, "وزارة الصحة")
    waited = time.monotonic() - started
    assert "@SaudiMOH" in answer["text"]
    assert server.too_many_requests == 1
    tries = bot.calls_to("sendMessage", user["id"])
    assert len(tries) == 2 and tries[0]["text"] == tries[1]["text"]
    assert waited >= 0.9, f"answered after {waited:.2f} s, before retry_after ran out"


def test_a_user_who_blocked_the_bot_does_not_stop_it(polling_bot: RunningBot) -> None:
    """403 Forbidden for one chat is that chat's problem: the bot logs it and goes on
    answering everyone else."""
    bot, server = polling_bot, polling_bot.server
    gone = server.user(3001, "Dana", language_code="en")
    other = server.user(3002, "Eyad", language_code="en")
    server.block(gone["id"])  # also tells the bot (my_chat_member: kicked)
    server.send_text(gone, "Ministry of Health")
    bot.wait(lambda: bot.calls_to("sendMessage", gone["id"]) or None, "a refused answer")
    assert server.sent(gone["id"]) == []
    answer = bot.ask(other, "Ministry of Health")
    assert "@SaudiMOH" in answer["text"]
    assert bot.process.poll() is None


def test_a_long_answer_is_split_into_messages_telegram_accepts(polling_bot: RunningBot) -> None:
    """A user pastes a list of accounts to check: the answer (over 12,000 characters) goes
    out in pieces of at most 4096 characters, each accepted as HTML, in order."""
    bot, server = polling_bot, polling_bot.server
    user = server.user(4001, "Fahd", language_code="en")
    handles = [f"@gov_acct{n:03d}" for n in range(76)]  # 987 characters: under the 1000 read
    question = " ".join(handles)
    server.send_text(user, question)

    def complete() -> list[JSONDict] | None:
        messages = server.sent(user["id"])
        text = "\n".join(m["text"] for m in messages)
        return messages if all(h in text for h in handles) else None

    pieces = bot.wait(complete, "every handle checked")
    assert len(pieces) >= 3
    assert all(len(p["text"]) <= MAX_MESSAGE_LENGTH for p in pieces)
    assert len(bot.calls_to("sendMessage", user["id"])) == len(pieces), "a piece was refused"
    text = "\n".join(p["text"] for p in pieces)
    assert [text.index(h) for h in handles] == sorted(text.index(h) for h in handles)
    bot.note(f"{question[:40]}… (76 handles)", f"{len(pieces)} messages, {len(text)} characters")


# ---------------------------------------------------------------------------------------
# Webhook mode
# ---------------------------------------------------------------------------------------


def test_webhook_mode_answers_and_refuses_forged_posts(
    server: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """With WEBHOOK_URL the bot registers its webhook with the secret and serves it; Telegram's
    POSTs (with the secret header) are answered, anyone else's are refused with 403."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/rasmi-hook"
    secret = "e2e-Secret_123"
    with running_bot(
        server,
        database_url,
        tmp_path,
        WEBHOOK_URL=url,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_PATH="rasmi-hook",
        WEBHOOK_SECRET=secret,
    ) as bot:
        bot.wait(
            lambda: server.webhook if len(server.my_commands) == 4 else None,
            "setWebhook",
            timeout=START_WAIT,
        )
        assert server.webhook is not None
        assert server.webhook["url"] == url
        assert server.webhook["secret_token"] == secret
        # PTB registers the webhook before its HTTP server listens: an update sent in
        # between would be retried by Telegram, but the test should not depend on that.
        deadline = time.monotonic() + WAIT
        while not accepts_connections(port):
            assert bot.process.poll() is None, "the bot exited before serving its webhook"
            assert time.monotonic() < deadline, "the webhook never accepted connections"
            time.sleep(0.05)

        # A forged update, to a known user's chat so that an answer could not go unnoticed.
        victim = server.user(5002, "Ghada", language_code="en")
        forged = {
            "update_id": 900_000,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": victim["id"], "type": "private", "first_name": "Ghada"},
                "from": victim,
                "text": "Ministry of Health",
            },
        }
        assert post(url, forged, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
        assert post(url, forged, {}) == 403

        user = server.user(5001, "Hind", language_code="en")
        update = server.send_text(user, "Ministry of Health")
        [answer] = bot.replies(user["id"], 0)
        assert "@SaudiMOH" in answer["text"]
        delivered = (update["update_id"], 200)
        bot.wait(lambda: delivered in server.webhook_deliveries or None, "the delivery status")
        assert server.webhook_deliveries == [delivered]
        # The real update was answered after the forged ones were refused: had the bot taken
        # a forged one, its answer would be among the calls by now.
        assert bot.calls_to("sendMessage", victim["id"]) == []
