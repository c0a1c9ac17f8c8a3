"""Updates handled per second through `Application.process_update`, on one core, and the
latency the Telegram layer adds over the answering engine.

Telegram is replaced by the tests' recording request object (no network): what is
measured is PTB's dispatch, the handlers, the engine, rendering, keyboards and the request
serialization, for a mix of questions, checks, button presses and inline queries.

    .venv/bin/python bench/bot_bench.py [--updates 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import telegram_fakes as fakes

from bot.app import build_application, prepare
from bot.settings import Settings
from handlers.context import SERVICES, Services

TARGET_PER_SECOND = 500
QUESTIONS = [
    "وش حساب وزارة الصحة الرسمي؟",
    "is @SaudiM0H official?",
    "compte officiel du ministère de la Santé",
    "who is the Education spokesperson?",
    "https://x.com/KSAMOFA/status/123?s=20",
    "حساب الجوازات في تويتر",
    "هيئة الزكاة",
    "@riyadh_food_guide",
    "Ministry of Labor and Social Development",
    "وش الجو بكرة؟",
]


def build_updates(updates: fakes.Updates, count: int, key: str) -> list[object]:
    """A mix: mostly questions (as in real use), some button presses and inline queries,
    spread over many users so flood control does not drop them."""
    built: list[object] = []
    for n in range(count):
        user = updates.user(10_000 + n, language_code=("ar", "en", "fr")[n % 3])
        kind = n % 10
        if kind == 8:
            built.append(updates.press(f"card:{key}", user))
        elif kind == 9:
            built.append(updates.inline(QUESTIONS[n % len(QUESTIONS)], user))
        else:
            built.append(updates.message(QUESTIONS[n % len(QUESTIONS)], user))
    return built


async def measure(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{folder}/bench.db",
            telegram_bot_token=SecretStr(fakes.TOKEN),
        )
        request = fakes.RecordingRequest()
        application = build_application(settings, request=request)
        async with application:
            await prepare(application)
            await application.start()
            services: Services = application.bot_data[SERVICES]
            engine = services.engine
            updates = build_updates(fakes.Updates(application.bot), count, engine.index.key("moh"))
            for update in updates[:200]:  # warm up caches and the database pool
                await application.process_update(update)
            request.clear()
            per_update: list[float] = []
            started = time.perf_counter()
            for update in updates:
                t0 = time.perf_counter()
                await application.process_update(update)
                per_update.append(time.perf_counter() - t0)
                if len(request.calls) > 10_000:
                    request.clear()
            elapsed = time.perf_counter() - started
            engine_only: list[float] = []
            for n in range(count):
                t0 = time.perf_counter()
                engine.answer(QUESTIONS[n % len(QUESTIONS)])
                engine_only.append(time.perf_counter() - t0)
            await application.stop()
    rate = count / elapsed
    bot_p50 = statistics.median(per_update) * 1000
    engine_p50 = statistics.median(engine_only) * 1000
    bot_p99 = statistics.quantiles(per_update, n=100)[98] * 1000
    engine_p99 = statistics.quantiles(engine_only, n=100)[98] * 1000
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| updates handled per second (one core) | {rate:,.0f} | >= {TARGET_PER_SECOND} |")
    print(f"| per update p50 / p99 ms | {bot_p50:.2f} / {bot_p99:.2f} | |")
    print(f"| engine alone p50 / p99 ms | {engine_p50:.2f} / {engine_p99:.2f} | |")
    print(f"| added by the Telegram layer, p50 ms | {bot_p50 - engine_p50:.2f} | |")
    print(f"\nupdates: {count}; target met: {'yes' if rate >= TARGET_PER_SECOND else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=3000)
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    asyncio.run(measure(args.updates))


if __name__ == "__main__":
    main()
