"""`rasmi ask` and `rasmi chat` as people run them, over a real database."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from registry_edits import without_entities

from bot.cli import main
from bot.settings import Settings
from db.engine import open_database
from db.repositories.questions import QuestionLogRepository
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.export import export_registry
from knowledge.registry.validation import load_registry

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


def test_ask_imports_the_registry_on_first_use_and_answers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", "وش حساب وزارة الصحة الرسمي؟"]) == 0
    out = capsys.readouterr().out
    assert "الحسابات الرسمية" in out and "@SaudiMOH" in out


def test_ask_in_a_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "وزارة الصحة", "--lang", "fr"]) == 0
    assert "Comptes officiels" in capsys.readouterr().out


def test_ask_json_reads_one_question_per_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = "@SaudiMOH\n\nis @SaudiM0H official?\n@riyadh_food_guide\nMinistère de la Santé\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert main(["ask", "--json", "-"]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["verification"]["verdict"] for a in answers[:3]] == [
        "official",
        "lookalike",
        "unknown",
    ]
    assert answers[3]["lang"] == "fr" and answers[3]["entities"][0]["id"] == "moh"
    assert all(a["text"] for a in answers)


def test_chat_answers_until_quit(database: str) -> None:
    env = {**os.environ, "DATABASE_URL": database}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--lang", "en"],
        input="Ministry of Health account\n@SaudiM0H\n/quit\nnever read\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert "Official accounts of the Ministry of Health" in done.stdout
    assert "looks like @SaudiMOH" in done.stdout
    assert "never read" not in done.stdout


def test_chat_ends_cleanly_at_end_of_input(database: str) -> None:
    env = {**os.environ, "DATABASE_URL": database}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input="",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0
    assert "Traceback" not in done.stderr


def rasmi(
    *args: str, database: str, stdout: Any = subprocess.PIPE, **env: str
) -> subprocess.Popen[str]:
    """`python -m bot.cli ARGS` as an operator runs it, in a pipeline."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        env={**os.environ, "DATABASE_URL": database, **env},
        stdin=subprocess.PIPE,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("registry", "list"),
        ("registry", "history", "--limit", "1000"),
        ("ask", "-"),
        ("chat", "--lang", "en"),
    ],
)
def test_a_reader_that_stops_early_is_no_error(
    database: str, args: tuple[str, ...], tmp_path: Path
) -> None:
    """`rasmi registry list | head -1`: the reader leaves after one line. The command
    stops quietly, with the shell's code for a closed pipe (128 + SIGPIPE). The pipe is
    made as small as Linux allows, so the command is still writing when the reader
    leaves, whatever the timing."""
    assert main(["registry", "import"]) == 0
    shrunk = tmp_path / "shrunk.yaml"
    cut = without_entities(load_registry(BUNDLED_REGISTRY), 0.5)
    shrunk.write_text(export_registry(cut, "yaml"), encoding="utf-8")
    assert main(["registry", "import", str(shrunk), "--allow-removals"]) == 0  # history
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    process = rasmi(*args, database=database, stdout=write_end)
    os.close(write_end)
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        process.stdin.write("".join(f"Ministry of Health {n}\n" for n in range(500)))
        process.stdin.close()
    with os.fdopen(read_end, encoding="utf-8") as reader:
        assert reader.readline()
    assert process.stderr is not None
    process.wait(timeout=180)
    err = process.stderr.read()
    assert err.strip() == "" or "Traceback" not in err, err
    assert "BrokenPipeError" not in err, err
    assert process.returncode == 141


def test_ctrl_c_in_the_chat_ends_it_with_one_line(database: str) -> None:
    assert main(["registry", "import"]) == 0
    process = rasmi("chat", "--lang", "en", database=database)
    assert process.stdout is not None
    assert "Rasmi" in process.stdout.readline()  # the greeting: the chat is reading
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert err == "Interrupted.\n"
    assert process.returncode == 130


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        (
            "DEFAULT_LANGUAGE",
            "de",
            "Bad setting: DEFAULT_LANGUAGE='de': Input should be 'ar', 'en' or 'fr'",
        ),
        (
            "DATABASE_URL",
            "mysql://rasmi@db/rasmi",
            "Bad setting: DATABASE_URL='mysql://rasmi@db/rasmi': mysql is not supported: "
            "use SQLite or PostgreSQL",
        ),
        (
            "ADMIN_IDS",
            "123,abc",
            "Bad setting: ADMIN_IDS='abc': Input should be a valid integer, unable to parse "
            "string as an integer",
        ),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_78(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    line: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["registry", "list"]) == 78
    assert capsys.readouterr().err == line + "\n"


def test_admin_ids_as_people_write_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for written in ("123,456", "123, 456", "[123, 456]"):
        monkeypatch.setenv("ADMIN_IDS", written)
        assert Settings().admin_ids == [123, 456]


def test_ask_with_nothing_to_ask_says_what_it_expects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for empty in ("", "   "):
        assert main(["ask", empty]) == 2
        err = capsys.readouterr().err
        assert err == (
            "rasmi ask: give a question, a handle or a link, "
            "or '-' to read one per line from standard input.\n"
        )


def test_a_missing_text_file_cannot_be_scheduled(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.txt"
    args = ["notice", "schedule", "--at", "now", "--all", "--text-file", f"en:{missing}"]
    assert main(args) == 1
    assert capsys.readouterr().out == (
        f"Cannot schedule: cannot read {missing}: No such file or directory.\n"
    )


def test_the_terminal_is_not_in_the_question_log(database: str) -> None:
    """The log is of what people ask the bot in Telegram (README, Privacy); a
    maintainer's `ask` and `chat` at a terminal are not among them."""
    assert main(["ask", "وزارة الصحة"]) == 0
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"],
        input="Ministry of Health\n",
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": database},
        timeout=120,
        check=True,
    )

    async def logged() -> int:
        async with open_database(database) as sessions, sessions() as session:
            since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
            return (await QuestionLogRepository(session).stats(since)).total

    assert asyncio.run(logged()) == 0
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "`rasmi ask` and `rasmi chat` in a terminal\n  are not logged" in readme


def test_the_docker_image_runs_as_the_readme_says() -> None:
    """The chat needs a terminal (`-it`), the bot its token, a webhook its port."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    runs = [line for line in readme.splitlines() if line.startswith("docker run")]
    assert runs and all(" -it " in line for line in runs)
    assert any("TELEGRAM_BOT_TOKEN=" in line and line.endswith(" run") for line in runs)
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert f"EXPOSE {Settings.model_fields['webhook_port'].default}" in dockerfile
