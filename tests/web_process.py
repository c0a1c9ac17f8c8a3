"""`rasmi web` as its own process, for the browser tests and the web benchmark."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pinned(cpu: int | None, command: list[str]) -> list[str]:
    """`command` on one CPU (taskset), where the machine has taskset."""
    if cpu is None or not shutil.which("taskset"):
        return command
    return ["taskset", "-c", str(cpu), *command]


def start_web(
    settings: dict[str, str], cpu: int | None = None, startup: float = STARTUP_SECONDS
) -> tuple[subprocess.Popen[bytes], str]:
    """Starts `rasmi web` with these settings (DATABASE_URL...) on a free port and waits
    until it answers; returns the process and its base address."""
    port = free_port()
    command = [sys.executable, "-m", "bot.cli", "web", "--port", str(port)]
    process = subprocess.Popen(
        pinned(cpu, command),
        cwd=ROOT,
        env={**os.environ, **settings},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + startup
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rasmi web stopped at start (exit {process.returncode})")
        try:
            urllib.request.urlopen(base + "/ar/", timeout=1).read()
            return process, base
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"rasmi web did not answer within {startup:g} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn shuts down cleanly), SIGKILL if it is still busy 10 s later."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
