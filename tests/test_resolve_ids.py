"""resolve-ids against local fakes: Telegram's Bot API (tests/bot_api_server.py, getChat)
and a tiny X API v2 (users/by) on 127.0.0.1 with its batch limit, its token check and its
429s. The review file it writes imports into the registry."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from bot_api_server import BotApiServer

from bot.cli import main
from bot.resolve_ids import ResolveOptions, resolve_ids, review_registry
from knowledge.registry.handles import Platform
from knowledge.registry.validation import load_registry

X_TOKEN = "x-test-bearer"
KNOWN_X = {f"agency{n:03d}": str(9_000_000 + n) for n in range(240)}
KNOWN_X |= {"saudimoh": "490074932", "mewa_ksa": "777"}


class FakeX:
    """users/by: at most 100 names, a bearer token, and 429s on demand (with
    x-rate-limit-reset, or retry-after)."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.limited: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self.base = ""

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != "/2/users/by":
                    return self._send(404, {"title": "Not Found"})
                if self.headers.get("Authorization") != f"Bearer {X_TOKEN}":
                    return self._send(401, {"title": "Unauthorized"})
                names = parse_qs(parts.query)["usernames"][0].split(",")
                if len(names) > 100:
                    return self._send(400, {"title": "Invalid Request"})
                with fake._lock:
                    if fake.limited:
                        return self._send(429, {"title": "Too Many Requests"}, fake.limited.pop(0))
                    fake.batches.append(names)
                data = [
                    {"id": KNOWN_X[n.casefold()], "name": n, "username": n}
                    for n in names
                    if n.casefold() in KNOWN_X
                ]
                errors = [
                    {"value": n, "title": "Not Found Error", "resource_type": "user"}
                    for n in names
                    if n.casefold() not in KNOWN_X
                ]
                self._send(200, {"data": data, "errors": errors}, {"x-rate-limit-remaining": "50"})

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}/2"
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def x_api() -> Iterator[FakeX]:
    fake = FakeX()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def telegram() -> Iterator[BotApiServer]:
    with BotApiServer() as server:
        server.channel(-1001234567890, "وزارة الصحة", username="SaudiMOHchannel")
        server.channel(-1009999999999, "MEWA", username="mewa_channel")
        yield server


EVIDENCE = "{sources: [{kind: dataset, note: seed}], checked: 2026-01, confidence: unconfirmed}"


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    lines = ["entities:"]

    def entity(slug: str, accounts: list[str]) -> None:
        lines.extend(
            [
                f"  - id: {slug}",
                f"    name: {{en: {slug}}}",
                "    kind: agency",
                f"    evidence: {EVIDENCE}",
                "    accounts:",
                *[f"      - {{{a}, evidence: {EVIDENCE}}}" for a in accounts],
            ]
        )

    entity(
        "moh",
        [
            "platform: x, handle: SaudiMOH",
            "platform: telegram, handle: SaudiMOHchannel",
            "platform: x, handle: SaudiMOH_old, status: former, until: 2024",
        ],
    )
    entity(
        "mewa",
        [
            'platform: x, handle: MEWA_KSA, platform_id: "12345"',  # X says 777
            'platform: telegram, handle: mewa_channel, platform_id: "9999999999"',
        ],
    )
    entity("ghost", ["platform: x, handle: NoSuchAgency", "platform: telegram, handle: nochat1"])
    entity("old-timer", ["platform: x, handle: AVeryLongOldHandle20"])
    for n in range(240):
        entity(f"agency-{n:03d}", [f"platform: x, handle: agency{n:03d}"])
    path = tmp_path / "registry.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_both_platforms_are_resolved_batched_and_rate_limits_waited_out(
    registry_file: Path, telegram: BotApiServer, x_api: FakeX
) -> None:
    registry = load_registry(registry_file)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    telegram.fail_next("getChat", 429, retry_after=3)
    x_api.limited = [
        {"x-rate-limit-reset": str(int(time.time()) + 40)},
        {"retry-after": "7"},
    ]
    options = ResolveOptions(
        telegram_url=telegram.url, x_base_url=x_api.base, x_bearer_token=X_TOKEN
    )
    results = asyncio.run(resolve_ids(registry, options, sleep=sleep))
    by_handle = {(r.platform, r.handle): r for r in results}

    moh_channel = by_handle[(Platform.TELEGRAM, "SaudiMOHchannel")]
    assert (moh_channel.outcome, moh_channel.platform_id) == ("resolved", "1234567890")
    assert by_handle[(Platform.TELEGRAM, "mewa_channel")].outcome == "same"
    assert by_handle[(Platform.TELEGRAM, "nochat1")].outcome == "not_found"
    assert by_handle[(Platform.X, "SaudiMOH")].platform_id == "490074932"
    mewa = by_handle[(Platform.X, "MEWA_KSA")]
    assert (mewa.outcome, mewa.platform_id) == ("differs", "777")
    assert by_handle[(Platform.X, "NoSuchAgency")].outcome == "not_found"
    assert by_handle[(Platform.X, "AVeryLongOldHandle20")].outcome == "skipped"
    assert (Platform.X, "SaudiMOH_old") not in by_handle  # former accounts are not asked
    assert by_handle[(Platform.X, "agency239")].platform_id == "9000239"

    # 243 names of 15 characters or fewer: 100 + 100 + 43, never more than 100.
    assert [len(batch) for batch in x_api.batches] == [100, 100, 43]
    # Telegram's retry_after, then the pauses between getChat calls, X's reset time, X's
    # retry-after, and X's pauses between batches.
    assert 3.0 in waits
    assert any(39 <= w <= 42 for w in waits)
    assert 7.0 in waits
    assert waits.count(options.x_pause) == 2


def test_a_wait_longer_than_allowed_stops_with_the_reason(
    registry_file: Path, x_api: FakeX
) -> None:
    registry = load_registry(registry_file)
    x_api.limited = [{"x-rate-limit-reset": str(int(time.time()) + 3600)}]
    options = ResolveOptions(x_base_url=x_api.base, x_bearer_token=X_TOKEN, max_wait=60)

    async def sleep(seconds: float) -> None:
        raise AssertionError("no wait beyond max_wait")

    results = asyncio.run(resolve_ids(registry, options, sleep=sleep))
    errors = [r for r in results if r.outcome == "error"]
    assert len(errors) == 100 and "more than 60 s" in errors[0].detail
    assert x_api.batches == []


def test_the_review_file_fills_only_missing_ids(registry_file: Path, x_api: FakeX) -> None:
    registry = load_registry(registry_file)
    options = ResolveOptions(x_base_url=x_api.base, x_bearer_token=X_TOKEN, x_pause=0)
    results = asyncio.run(resolve_ids(registry, options))
    review = {e.id: e for e in review_registry(registry, results).entities}
    moh_x = [a for a in review["moh"].accounts if a.platform is Platform.X]
    assert [(a.handle, a.platform_id) for a in moh_x] == [
        ("SaudiMOH", "490074932"),
        ("SaudiMOH_old", None),
    ]
    assert review["mewa"].accounts[0].platform_id == "12345"  # differs: left to a maintainer


def test_cli_resolves_writes_the_review_file_and_it_imports(
    registry_file: Path,
    telegram: BotApiServer,
    x_api: FakeX,
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["registry", "resolve-ids", str(registry_file)]) == 2
    assert "X_BEARER_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram.token)
    monkeypatch.setenv("TELEGRAM_BASE_URL", telegram.base_url)
    monkeypatch.setenv("X_BEARER_TOKEN", X_TOKEN)
    monkeypatch.setenv("X_API_BASE_URL", x_api.base)
    assert main(["registry", "import", str(registry_file)]) == 0
    review = tmp_path / "ids.yaml"
    capsys.readouterr()
    assert main(["registry", "resolve-ids", "-o", str(review)]) == 0
    out = capsys.readouterr().out
    assert "1 differs, 2 not_found, 242 resolved, 1 same, 1 skipped" in out
    header = review.read_text(encoding="utf-8")
    assert "#   mewa: differs: x @MEWA_KSA 777 the registry has 12345" in header
    assert main(["registry", "import", "--json", str(review)]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert len(changes) == 242
    assert {c["kind"] for c in changes} == {"account_updated"}
    assert {c["field"] for c in changes} == {"platform_id"}
