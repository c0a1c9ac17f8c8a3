"""The local Bot API server, driven by python-telegram-bot's own ``telegram.Bot``.

If PTB accepts every answer here (and raises the right exception for every error), the real
``rasmi run`` process, which talks to Telegram through the same PTB code, cannot tell this
server from Telegram for these methods.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from bot_api_server import BOT_USERNAME, BotApiServer, busiest_second, parse_html
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MenuButtonCommands,
    MessageOriginChannel,
    MessageOriginHiddenUser,
    MessageOriginUser,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

TOKEN = "123456:TEST"
JSONDict = dict[str, Any]


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer(TOKEN) as running:
        yield running


def make_bot(server: BotApiServer, token: str = TOKEN) -> Bot:
    """PTB's Bot with PTB's own HTTPXRequest, as ``rasmi run`` builds it, except that httpx
    skips building a TLS context (plain HTTP to 127.0.0.1), which saves ~0.25 s per Bot."""
    return Bot(
        token,
        base_url=server.base_url,
        request=HTTPXRequest(httpx_kwargs={"verify": False}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": False}),
    )


@pytest.fixture
async def bot(server: BotApiServer) -> AsyncIterator[Bot]:
    async with make_bot(server) as ptb_bot:
        yield ptb_bot


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in pairs]
    )


def raw_post(url: str, body: bytes, content_type: str) -> tuple[int, JSONDict]:
    """A request without PTB, to see the exact JSON and status Telegram's clients get."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# -- getMe, getUpdates ----------------------------------------------------------------------


async def test_get_me_describes_a_bot_ptb_accepts(bot: Bot, server: BotApiServer) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == BOT_USERNAME == bot.username
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is True
    assert server.calls[0] == ("getMe", {})


async def test_get_updates_delivers_in_order_and_offset_confirms(
    bot: Bot, server: BotApiServer
) -> None:
    user = server.user(42, "Amal", username="amal", language_code="ar")
    first = server.send_text(user, "وزارة الصحة")
    second = server.send_command(user, "start", "ministry_health")
    assert second["update_id"] == first["update_id"] + 1
    assert second["message"]["message_id"] == first["message"]["message_id"] + 1

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first["update_id"], second["update_id"]]
    message = updates[0].message
    assert message is not None and message.from_user is not None
    assert message.text == "وزارة الصحة"
    assert message.from_user.language_code == "ar"
    assert message.chat.type == "private" and message.chat.id == 42
    assert abs(message.date.timestamp() - time.time()) < 5  # seconds, not milliseconds
    command = updates[1].message
    assert command is not None
    assert command.text == "/start ministry_health"
    assert [e.type for e in command.entities] == ["bot_command"]
    assert command.entities[0].offset == 0 and command.entities[0].length == len("/start")

    # Without an offset nothing is confirmed: the same updates come again.
    assert len(await bot.get_updates()) == 2
    assert await bot.get_updates(offset=second["update_id"] + 1) == ()
    assert server.pending_updates == []
    third = server.send_text(user, "and one more")
    assert [u.update_id for u in await bot.get_updates(limit=5)] == [third["update_id"]]


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, server: BotApiServer
) -> None:
    user = server.user(7)
    threading.Timer(0.3, server.send_text, (user, "hello")).start()
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert 0.2 < time.monotonic() - started < 3
    assert updates[0].message is not None and updates[0].message.text == "hello"


async def test_long_poll_times_out_empty(bot: Bot, server: BotApiServer) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3


async def test_a_second_poller_ends_the_first_with_conflict(server: BotApiServer) -> None:
    async with (
        make_bot(server) as first,
        make_bot(server) as second,
    ):
        polling = asyncio.create_task(first.get_updates(timeout=5))
        await asyncio.to_thread(server.wait_for_call, "getUpdates", 5)
        assert await second.get_updates() == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await polling


async def test_allowed_updates_filters_updates_created_afterwards(
    bot: Bot, server: BotApiServer
) -> None:
    user = server.user(8)
    await bot.get_updates(allowed_updates=["callback_query"])
    skipped = server.send_text(user, "not wanted")
    assert "update_id" not in skipped
    await bot.get_updates(allowed_updates=[])  # [] means Telegram's default set again
    assert "update_id" in server.send_text(user, "wanted")


# -- sendMessage and its errors -------------------------------------------------------------


async def test_send_message_returns_a_full_message(bot: Bot, server: BotApiServer) -> None:
    server.user(42, "Amal")
    sent = await bot.send_message(
        42,
        "  <b>حساب رسمي</b> &amp; /help https://moh.gov.sa 😀\n\n",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(("More", "more:1")),
    )
    assert sent.from_user is not None and sent.from_user.id == bot.id and sent.from_user.is_bot
    assert sent.chat.id == 42 and sent.chat.type == "private"
    assert sent.text == "حساب رسمي & /help https://moh.gov.sa 😀"  # tags gone, text trimmed
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 9),
        ("bot_command", 12, 5),
        ("url", 18, 18),
    ]
    assert sent.reply_markup == keyboard(("More", "more:1"))
    assert abs(sent.date.timestamp() - time.time()) < 5
    stored = server.sent(42)
    assert [m["message_id"] for m in stored] == [sent.message_id]
    assert stored[0]["text"] == sent.text

    # A reply keyboard is stored but, as on Telegram, not part of the returned Message.
    second = await bot.send_message(
        42, "pick", reply_markup=ReplyKeyboardMarkup([["A", "B"]]), reply_to_message_id=1
    )
    assert second.message_id == sent.message_id + 1
    assert second.reply_markup is None
    assert second.reply_to_message is not None and second.reply_to_message.message_id == 1
    assert server.markup(stored[0]) == keyboard(("More", "more:1")).to_dict()
    assert server.markup(server.sent(42)[1]) == {"keyboard": [[{"text": "A"}, {"text": "B"}]]}


async def test_send_message_limits_text_to_4096_characters_after_parsing(
    bot: Bot, server: BotApiServer
) -> None:
    server.user(42)
    await bot.send_message(42, "<b>" + "ب" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(42, "x" * 4097)
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(42, " \n<i></i>", parse_mode=ParseMode.HTML)


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<p>hi</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("وزارة <br>", 'Unsupported start tag "br" at byte offset 11'),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
    ],
)
async def test_send_message_refuses_html_telegram_refuses(
    bot: Bot, server: BotApiServer, html: str, error: str
) -> None:
    server.user(42)
    with pytest.raises(BadRequest) as raised:
        await bot.send_message(42, html, parse_mode=ParseMode.HTML)
    # PTB drops "Bad Request: " and capitalizes what is left (lowercasing the rest).
    assert raised.value.message == f"can't parse entities: {error}".capitalize()
    status, answer = raw_post(
        server.url + "/sendMessage",
        json.dumps({"chat_id": 42, "text": html, "parse_mode": "HTML"}).encode(),
        "application/json",
    )
    assert (status, answer["description"]) == (400, f"Bad Request: can't parse entities: {error}")
    assert server.sent() == []


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("a &lt;b&gt; &amp; &quot;c&quot; &#1608;&#x648;", 'a <b> & "c" وو', []),
        ("&nbsp;&copy; & stays", "&nbsp;&copy; & stays", []),  # unknown entities are text
        (
            '<a href="moh.gov.sa">MOH</a>',
            "MOH",
            [{"offset": 0, "length": 3, "type": "text_link", "url": "http://moh.gov.sa/"}],
        ),
        ('<a href="not a link">x</a>', "x", []),  # Telegram drops links it can't use
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [{"offset": 0, "length": 5, "type": "pre", "language": "python"}],
        ),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [
                {"offset": 0, "length": 1, "type": "spoiler"},
                {"offset": 1, "length": 1, "type": "spoiler"},
            ],
        ),
        (
            "<blockquote expandable>q</blockquote><B>😀x</B>",
            "q😀x",
            [
                {"offset": 0, "length": 1, "type": "expandable_blockquote"},
                {"offset": 1, "length": 3, "type": "bold"},  # UTF-16: the emoji counts 2
            ],
        ),
        (
            "<b>a<i>b</i></b><u></u>",
            "ab",
            [
                {"offset": 0, "length": 2, "type": "bold"},
                {"offset": 1, "length": 1, "type": "italic"},
            ],
        ),
    ],
)
def test_parse_html_matches_telegram(html: str, text: str, entities: list[JSONDict]) -> None:
    assert parse_html(html) == (text, entities)


async def test_unknown_chat_and_blocked_user(bot: Bot, server: BotApiServer) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(404, "hello")
    server.user(42)
    update = server.block(42)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(42, "hello")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(42, "typing")
    # Telegram tells the bot about the block with a my_chat_member update.
    (received,) = await bot.get_updates()
    assert update is not None and received.update_id == update["update_id"]
    assert received.my_chat_member is not None
    assert received.my_chat_member.new_chat_member.status == "kicked"
    server.unblock(42)
    await bot.send_message(42, "welcome back")


async def test_migrated_group_raises_chat_migrated(bot: Bot, server: BotApiServer) -> None:
    server.group(-4001, "Old group")
    admin = server.user(5, "Admin")
    server.migrate(-4001, -1001234567890, by=admin)
    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(-4001, "hello")
    assert raised.value.new_chat_id == -1001234567890
    sent = await bot.send_message(-1001234567890, "hello again")
    assert sent.chat.type == "supergroup"
    notices = [u.message for u in await bot.get_updates()]
    assert [(m.migrate_to_chat_id, m.migrate_from_chat_id) for m in notices if m] == [
        (-1001234567890, None),
        (None, -4001),
    ]


async def test_injected_429_raises_retry_after(
    bot: Bot, server: BotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # retry_after as a timedelta, no deprecation
    server.user(42)
    server.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(42, "hello")
    assert raised.value.retry_after == dtm.timedelta(seconds=3)
    assert server.too_many_requests == 1
    await bot.send_message(42, "hello")  # only the next call failed
    server.fail_next("getMe", status=500, times=2)
    for _ in range(2):
        with pytest.raises(Exception, match="Internal Server Error"):
            await bot.get_me()
    assert (await bot.get_me()).username == BOT_USERNAME


async def test_rate_limits_answer_429_beyond_the_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    with BotApiServer(TOKEN, global_rate=2, per_chat_rate=1) as limited:
        for user_id in (1, 2, 3):
            limited.user(user_id)
        async with make_bot(limited) as ptb_bot:
            await ptb_bot.send_message(1, "one")
            with pytest.raises(RetryAfter) as raised:
                await ptb_bot.send_message(1, "two")  # 1 message/s in one chat
            assert raised.value.retry_after == dtm.timedelta(seconds=1)
            await ptb_bot.send_message(2, "one")
            with pytest.raises(RetryAfter):
                await ptb_bot.send_message(3, "one")  # 2 messages/s over all chats
        assert limited.too_many_requests == 2
        assert [m["chat"]["id"] for m in limited.sent()] == [1, 2]
        # Every sendMessage request is noted with the answer it got, in order.
        assert [(a.chat_id, a.status) for a in limited.attempts] == [
            (1, 200),
            (1, 429),
            (2, 200),
            (3, 429),
        ]
        assert limited.answers(1) == [200, 429]
        assert [a.chat_id for a in limited.accepted] == [1, 2]
        assert limited.accepted[0].at <= limited.accepted[1].at


def test_busiest_second_counts_events_in_any_one_second_window() -> None:
    assert busiest_second([]) == 0
    assert busiest_second([2.5, 0.0, 0.5, 0.99, 1.0]) == 3  # 0.5, 0.99 and 1.0


# -- edits, callback queries, inline queries -------------------------------------------------


async def test_edit_message_text(bot: Bot, server: BotApiServer) -> None:
    server.user(42)
    sent = await bot.send_message(42, "old", reply_markup=keyboard(("Go", "go")))
    edited = await bot.edit_message_text(
        "<i>new</i>", chat_id=42, message_id=sent.message_id, parse_mode=ParseMode.HTML
    )
    assert not isinstance(edited, bool)
    assert edited.text == "new" and edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert server.sent(42)[0]["text"] == "new"
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_text(
            "<i>new</i>", chat_id=42, message_id=sent.message_id, parse_mode=ParseMode.HTML
        )
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", chat_id=42, message_id=999)


async def test_callback_query_round_trip(bot: Bot, server: BotApiServer) -> None:
    user = server.user(42, "Amal")
    sent = await bot.send_message(42, "Which one?", reply_markup=keyboard(("X", "acct:x")))
    with pytest.raises(ValueError, match="no button"):
        server.press(user, server.sent(42)[0], "acct:y")
    pressed = server.press(user, server.sent(42)[0], "acct:x")

    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and update.update_id == pressed["update_id"]
    assert query.data == "acct:x" and query.chat_instance
    assert query.from_user.id == 42
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Done") is True
    assert server.callback_answers[query.id]["text"] == "Done"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)
    # The same chat always has the same chat_instance.
    again = server.press(user, server.sent(42)[0], "acct:x")
    assert again["callback_query"]["chat_instance"] == query.chat_instance


async def test_inline_query_round_trip(bot: Bot, server: BotApiServer) -> None:
    user = server.user(42)
    server.inline(user, "وزارة", offset="", chat_type="sender")
    (update,) = await bot.get_updates()
    inline_query = update.inline_query
    assert inline_query is not None and inline_query.query == "وزارة"

    def article(result_id: str) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(
            result_id, "Ministry", InputTextMessageContent("<b>وزارة</b>", ParseMode.HTML)
        )

    with pytest.raises(BadRequest, match="Results_too_much"):
        await bot.answer_inline_query(inline_query.id, [article(str(i)) for i in range(51)])
    with pytest.raises(BadRequest, match="Result_id_duplicate"):
        await bot.answer_inline_query(inline_query.id, [article("a"), article("a")])
    with pytest.raises(BadRequest, match="Result_id_invalid"):
        await bot.answer_inline_query(inline_query.id, [article("x" * 65)])
    bad_html = InlineQueryResultArticle("b", "Bad", InputTextMessageContent("<x>", "HTML"))
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.answer_inline_query(inline_query.id, [bad_html])
    results = [article(str(i)) for i in range(50)]
    assert await bot.answer_inline_query(inline_query.id, results, next_offset="50") is True
    answer = server.inline_answers[inline_query.id]
    assert len(answer["results"]) == 50 and answer["next_offset"] == "50"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(inline_query.id, results)


# -- commands, menu button, small methods ---------------------------------------------------


async def test_commands_are_kept_per_scope_and_language(bot: Bot, server: BotApiServer) -> None:
    scope = BotCommandScopeAllPrivateChats()
    arabic = [BotCommand("start", "ابدأ"), BotCommand("help", "مساعدة")]
    assert await bot.set_my_commands(arabic, scope=scope, language_code="ar") is True
    assert await bot.set_my_commands([BotCommand("start", "Start")]) is True
    assert await bot.get_my_commands(scope=scope, language_code="ar") == tuple(arabic)
    assert await bot.get_my_commands() == (BotCommand("start", "Start"),)
    assert await bot.get_my_commands(scope=scope) == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "capital letters are refused")])
    with pytest.raises(BadRequest, match="description must be non-empty"):
        await bot.set_my_commands([BotCommand("start", " ")])
    assert await bot.delete_my_commands(scope=scope, language_code="ar") is True
    assert await bot.get_my_commands(scope=scope, language_code="ar") == ()


async def test_menu_button_chat_action_close_and_log_out(bot: Bot, server: BotApiServer) -> None:
    server.user(42)
    assert await bot.set_chat_menu_button(42, MenuButtonCommands()) is True
    assert await bot.get_chat_menu_button(42) == MenuButtonCommands()
    assert await bot.send_chat_action(42, "typing") is True
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(42, "dancing")
    assert await bot.close() is True
    assert await bot.log_out() is True


# -- webhooks --------------------------------------------------------------------------------


async def test_get_updates_conflicts_with_an_active_webhook(bot: Bot, server: BotApiServer) -> None:
    assert await bot.set_webhook("https://example.com/hook", secret_token="s3cret") is True
    info = await bot.get_webhook_info()
    assert info.url == "https://example.com/hook" and info.pending_update_count == 0
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert server.webhook is not None and server.webhook["secret_token"] == "s3cret"
    assert await bot.delete_webhook() is True
    assert server.webhook is None
    assert await bot.get_updates() == ()
    with pytest.raises(BadRequest, match="Bad webhook"):
        await bot.set_webhook("ftp://example.com/hook")


class _Receiver(BaseHTTPRequestHandler):
    """A webhook endpoint that fails its first request with 500, then accepts."""

    received: list[tuple[str | None, JSONDict]]

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
        self.send_response(500 if len(self.received) == 1 else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


async def test_webhook_delivery_with_secret_and_retry(bot: Bot, server: BotApiServer) -> None:
    received: list[tuple[str | None, JSONDict]] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/telegram"
        await bot.set_webhook(url, secret_token="s3cret", allowed_updates=["message"])
        update = server.send_text(server.user(42), "via webhook")
        await asyncio.to_thread(server.wait_until, lambda: not server.pending_updates, 5)
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert [secret for secret, _ in received] == ["s3cret", "s3cret"]  # retried after the 500
    assert received[1][1] == update
    parsed = Update.de_json(received[1][1], bot)
    assert parsed.message is not None and parsed.message.text == "via webhook"
    assert server.webhook_deliveries == [(update["update_id"], 500), (update["update_id"], 200)]
    info = await bot.get_webhook_info()
    assert info.last_error_message is not None and "500" in info.last_error_message
    assert info.allowed_updates == ("message",)


# -- the HTTP surface ------------------------------------------------------------------------


async def test_unknown_method_and_wrong_token(bot: Bot, server: BotApiServer) -> None:
    assert raw_post(server.url + "/fooBar", b"", "application/json") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("foo_bar")
    assert raw_post(server.base_url + "654321:OTHER/getMe", b"", "application/json") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    with pytest.raises(InvalidToken):
        async with make_bot(server, "654321:OTHER"):
            pass


async def test_json_form_and_case_insensitive_methods_are_equal(
    bot: Bot, server: BotApiServer
) -> None:
    server.user(42)
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    status, answer = raw_post(
        server.url + "/SENDMESSAGE",
        json.dumps({"chat_id": 42, "text": "json", "reply_markup": markup}).encode(),
        "application/json",
    )
    assert status == 200 and answer["ok"] is True and answer["result"]["text"] == "json"
    await bot.send_message(42, "form", reply_markup=InlineKeyboardMarkup.de_json(markup, bot))
    sends = [params for method, params in server.calls if method == "sendMessage"]
    assert [p["chat_id"] for p in sends] == [42, 42]  # ints, whatever the encoding
    assert [p["reply_markup"] for p in sends] == [markup, markup]
    status, answer = raw_post(server.url + "/sendMessage", b"{not json", "application/json")
    assert status == 400 and answer["ok"] is False and answer["error_code"] == 400


async def test_wait_for_sees_messages_sent_from_elsewhere(bot: Bot, server: BotApiServer) -> None:
    server.user(42)
    waiting = asyncio.create_task(
        asyncio.to_thread(server.wait_for, lambda m: m["text"] == "later", 5)
    )
    await bot.send_message(42, "sooner")
    await bot.send_message(42, "later")
    found = await waiting
    assert found["text"] == "later" and found["chat"]["id"] == 42
    with pytest.raises(TimeoutError):
        server.wait_for(lambda m: m["text"] == "never", timeout=0.2)
    assert server.wait_for_call("sendMessage")[1]["text"] == "sooner"


# -- a whole bot -------------------------------------------------------------------------------


async def test_a_polling_application_runs_against_the_server(server: BotApiServer) -> None:
    """PTB's Application, polling as ``rasmi run`` does: command, reply, button, edit."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "<b>أهلا</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard(("Go", "go"))
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("ok")
        await update.callback_query.edit_message_text("pressed")

    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .request(HTTPXRequest(httpx_kwargs={"verify": False}))
        .get_updates_request(HTTPXRequest(httpx_kwargs={"verify": False}))
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    user = server.user(42, "Amal")
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        server.send_command(user, "start")
        reply = await asyncio.to_thread(server.wait_for, lambda m: m["text"] == "أهلا", 5)
        server.press(user, reply, "go")
        await asyncio.to_thread(server.wait_for, lambda m: m["text"] == "pressed", 5)
        await application.updater.stop()
        await application.stop()
    methods = [method for method, _ in server.calls]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    assert [answer["text"] for answer in server.callback_answers.values()] == ["ok"]
    assert server.pending_updates == []  # the updater confirmed everything on its way out
    assert server.errors == []


# -- the updates a test can inject -----------------------------------------------------------


async def test_group_privacy_mode_hides_plain_messages(bot: Bot, server: BotApiServer) -> None:
    user = server.user(42)
    group = server.group(-1001, "Citizens")
    assert "update_id" not in server.send_text(user, "just chatting", chat=group)
    command = server.send_command(user, "check", "@moh", chat=group)
    other_bot = server.send_text(user, "/check@other_bot", chat=group)
    mention = server.send_text(user, f"@{BOT_USERNAME} is this official?", chat=group)
    await bot.send_message(group["id"], "I answer here")
    reply = server.send_text(user, "thanks", chat=group, reply_to_bot=True)
    assert "update_id" not in other_bot
    delivered = [u.update_id for u in await bot.get_updates()]
    assert delivered == [command["update_id"], mention["update_id"], reply["update_id"]]


async def test_every_injected_update_parses_in_ptb(bot: Bot, server: BotApiServer) -> None:
    user = server.user(42, "Amal", username="amal")
    other = server.user(43, "Badr")
    channel = server.channel(-1002000, "MOH news", username="moh_news")
    text_update = server.send_text(user, "hello")
    server.edited(user, text_update["message"], "hello, edited")
    server.forward(user, "from a user", other)
    server.forward(user, "from a hidden user", "Someone")
    server.forward(user, "from a channel", channel)
    server.channel_post(channel, "#news today")
    server.sticker(user)
    server.photo(user, caption="a photo")

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == list(
        range(text_update["update_id"], text_update["update_id"] + 8)
    )
    edited = updates[1].edited_message
    assert edited is not None and edited.text == "hello, edited" and edited.edit_date
    origins = [u.message.forward_origin for u in updates[2:5] if u.message]
    assert isinstance(origins[0], MessageOriginUser) and origins[0].sender_user.id == 43
    assert isinstance(origins[1], MessageOriginHiddenUser)
    assert origins[1].sender_user_name == "Someone"
    assert isinstance(origins[2], MessageOriginChannel) and origins[2].chat.id == channel["id"]
    post = updates[5].channel_post
    assert post is not None and post.sender_chat is not None and post.from_user is None
    assert [e.type for e in post.entities] == ["hashtag"]
    assert updates[6].message is not None and updates[6].message.sticker is not None
    photo = updates[7].message
    assert photo is not None and len(photo.photo) == 3 and photo.caption == "a photo"
