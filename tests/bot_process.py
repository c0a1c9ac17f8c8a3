"""The real `rasmi run` as a child process, for end-to-end tests and benchmarks that
point it at the local Bot API server instead of Telegram."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot_api_server import BotApiServer

from bot.settings import Settings
from db.engine import create_engine, session_factory
from db.repositories.alerts import AlertRepository

REPO = Path(__file__).resolve().parent.parent
SETTING_NAMES = frozenset(name.upper() for name in Settings.model_fields)


def bot_environment(server: BotApiServer, database_url: str, **extra: str) -> dict[str, str]:
    """The caller's environment minus anything Rasmi's settings or a proxy would read (a
    developer's WEBHOOK_URL must not turn a polling test into a webhook test, and
    127.0.0.1 must not go through a proxy), plus what a deployment sets."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key.upper() not in SETTING_NAMES and "PROXY" not in key.upper()
    }
    paths = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env.update(
        PYTHONPATH=os.pathsep.join(paths),  # this checkout's code, whatever is installed
        TELEGRAM_BOT_TOKEN=server.token,
        TELEGRAM_BASE_URL=server.base_url,
        DATABASE_URL=database_url,
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        NO_PROXY="127.0.0.1,localhost",
    )
    env.update(extra)
    return env


def start_bot(
    server: BotApiServer, database_url: str, log: Path, **extra: str
) -> subprocess.Popen[bytes]:
    """``python -m bot.cli run`` as a deployment starts it (see `bot_environment`), in the
    folder of ``log`` (a test's own, so no stray ``.env`` is read), stdout and stderr into
    ``log``."""
    return _launch([], server, database_url, log, extra)


def start_bot_on_core(
    server: BotApiServer, database_url: str, log: Path, cpu: int | None, **extra: str
) -> subprocess.Popen[bytes]:
    """`start_bot`, pinned to core ``cpu`` when given (benchmarks: one replica, one core)."""
    pin = ["taskset", "-c", str(cpu)] if cpu is not None else []
    return _launch(pin, server, database_url, log, extra)


def _launch(
    prefix: list[str], server: BotApiServer, database_url: str, log: Path, extra: dict[str, str]
) -> subprocess.Popen[bytes]:
    with log.open("wb") as log_file:
        return subprocess.Popen(
            [*prefix, sys.executable, "-m", "bot.cli", "run"],
            cwd=log.parent,
            env=bot_environment(server, database_url, **extra),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 20.0) -> int | None:
    """SIGTERM, as systemd and Docker stop the bot; SIGKILL if it hangs (then None)."""
    if process.poll() is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None


def outbox_status(database_url: str) -> dict[str, int]:
    """`AlertRepository.status()` of the bot's database, read from outside the bot."""

    async def read() -> dict[str, int]:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                return await AlertRepository(session).status()
        finally:
            await engine.dispose()

    return asyncio.run(read())
