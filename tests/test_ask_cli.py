"""`rasmi ask` and `rasmi chat` as people run them, over a real database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from bot.cli import main


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
    assert "Official accounts of Ministry of Health" in done.stdout
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
