"""The Telegram network boundary, faked: a request object that answers the Bot API
locally and records every call, and builders for the updates Telegram sends.

Everything above the HTTP request is real: PTB's Bot, Application, handlers and the
answers they send, which the tests read back from `RecordingRequest.calls`.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update
from telegram.request import BaseRequest, RequestData

BOT_ID = 7000001
BOT_USERNAME = "rasmi_test_bot"
TOKEN = f"{BOT_ID}:TEST-TOKEN"
ADMIN_ID = 777
"""A user in the bot's ADMIN_IDS in the tests' `bot` fixture."""


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}  # decoded by `do_request`
        return list(markup.get("inline_keyboard", []))


@dataclass
class RecordingRequest(BaseRequest):
    """Answers like Telegram and remembers what the bot asked."""

    calls: list[Call] = field(default_factory=list)
    fail: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    """Errors to answer instead, per method, in order: (HTTP status, error body)."""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.json_parameters) if request_data else {}
        params = {k: _maybe_json(v) for k, v in params.items()}
        self.calls.append(Call(name, params))
        queued = self.fail.get(name)
        if queued:
            status, body = queued.pop(0)
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Rasmi",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": True,
            }
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params.get("chat_id", 1))
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Rasmi"},
                "text": params.get("text", ""),
            }
        if method == "getUpdates":
            return []
        return True

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        self.calls.clear()


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Updates:
    """Builds the updates Telegram would send, numbered like Telegram numbers them."""

    def __init__(self, bot: Bot):
        self.bot = bot
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    def user(self, user_id: int = 42, language_code: str | None = "ar") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Sara"}
        if language_code:
            user["language_code"] = language_code
        return user

    def message(
        self,
        text: str | None = None,
        user: dict[str, Any] | None = None,
        chat: dict[str, Any] | None = None,
        **extra: Any,
    ) -> Update:
        user = user or self.user()
        data: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat or {"id": user["id"], "type": "private", "first_name": "Sara"},
            "from": user,
            **extra,
        }
        if text is not None:
            data["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._update(message=data)

    def edited(self, text: str, user: dict[str, Any] | None = None) -> Update:
        update = self.message(text, user)
        message = update.to_dict()["message"]
        message["edit_date"] = int(time.time())
        return self._update(edited_message=message)

    def press(self, data: str, user: dict[str, Any] | None = None) -> Update:
        user = user or self.user()
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user["id"], "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Rasmi"},
            "text": "…",
        }
        query = {
            "id": str(next(self._update_ids)),
            "from": user,
            "chat_instance": "1",
            "data": data,
            "message": message,
        }
        return self._update(callback_query=query)

    def inline(self, query: str, user: dict[str, Any] | None = None) -> Update:
        return self._update(
            inline_query={
                "id": str(next(self._update_ids)),
                "from": user or self.user(),
                "query": query,
                "offset": "",
            }
        )

    def _update(self, **payload: Any) -> Update:
        update = Update.de_json({"update_id": next(self._update_ids), **payload}, self.bot)
        assert update is not None
        return update
