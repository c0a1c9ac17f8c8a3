"""A Telegram transcript of citizens' reports (issue 10, "Done means"): the real
``rasmi run`` process against the local Bot API server, an administrator among its users.

- A look-alike: citizens report it with /report, the administrator lists /reports and
  presses Accept, and the next check is ⛔ with its evidence, "reported by N people,
  reviewed on DATE".
- The takeover: a maintainer imports a rename (@SaudiMOH becomes @SaudiMOH_new) while the
  bot runs; the old handle is then a former account, citizens report it from the answer's
  Report button, the administrator accepts, and the check is ⛔ with the handle's history.

The transcript is printed, and written to ``$RASMI_TRANSCRIPT_REPORTS`` when that is set
(otherwise to the test's temporary folder).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bot_api_server import BotApiServer, JSONDict
from bot_process import bot_environment
from registry_edits import edit
from test_end_to_end import RunningBot, buttons, running_bot, wait_until_polling
from test_transcript import save

from knowledge.registry import BUNDLED_REGISTRY

ADMIN = 3101
CHANGE_WAIT = 15.0
"""How long the bot may take to serve an import made by another process (it is told at
once on PostgreSQL and checks every second on SQLite)."""


@pytest.fixture
def reporting_bot(database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    """``rasmi run`` in long-polling mode, with user ADMIN as its administrator."""
    with (
        BotApiServer() as api,
        running_bot(api, database_url, tmp_path, ADMIN_IDS=str(ADMIN)) as bot,
    ):
        wait_until_polling(bot)
        yield bot


def test_reports_reviewed_and_accepted_in_the_bot(
    reporting_bot: RunningBot, database_url: str, tmp_path: Path
) -> None:
    target = Path(os.environ.get("RASMI_TRANSCRIPT_REPORTS") or tmp_path / "reports.txt")
    try:
        _look_alike(reporting_bot)
        _takeover(reporting_bot, database_url, tmp_path)
    finally:
        save(reporting_bot, target)


def _look_alike(bot: RunningBot) -> None:
    server = bot.server
    for user_id, name in ((3102, "Sara"), (3103, "Omar")):
        citizen = server.user(user_id, name, language_code="en")
        thanks = bot.ask(citizen, "/report @SaudiM0H it copies the Ministry of Health")
        assert "Your report about" in thanks["text"] and "is recorded" in thanks["text"]
    under_review = bot.ask(server.user(3104, "Lina", language_code="en"), "/verify @SaudiM0H")
    assert "⛔" not in under_review["text"]  # never before a review

    accepted = _accept(bot, "@SaudiM0H")
    assert "with 2 reports as its evidence" in accepted["text"]

    verdict = bot.ask(server.user(3104, "Lina", language_code="en"), "/verify @SaudiM0H")
    assert verdict["text"].startswith("⛔")
    assert "It imitates the Ministry of Health." in verdict["text"]
    assert "Reported by 2 people, reviewed on" in verdict["text"]
    arabic = bot.ask(server.user(3105, "Huda", language_code="ar"), "/verify @SaudiM0H")
    assert arabic["text"].startswith("⛔") and "أبلغ عنه شخصان" in arabic["text"]


def _takeover(bot: RunningBot, database_url: str, tmp_path: Path) -> None:
    server = bot.server
    files = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, files)
    edit(files / "entities.yaml", "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    imported = subprocess.run(
        [sys.executable, "-m", "bot.cli", "registry", "import", str(files)],
        cwd=tmp_path,
        env=bot_environment(server, database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    bot.note("$ rasmi registry import (X: @SaudiMOH → @SaudiMOH_new)", imported.stdout)

    citizens = [server.user(3110 + n, f"Citizen {n}", language_code="en") for n in range(3)]
    former = _ask_until(bot, citizens[0], "x.com/SaudiMOH", lambda t: "until" in t)
    assert former["text"].startswith("⚠️") and "SaudiMOH_new" in former["text"]
    for citizen in citizens:
        answer = former if citizen is citizens[0] else bot.ask(citizen, "x.com/SaudiMOH")
        [report] = [b for b in buttons(answer) if b.get("callback_data") == "rp:x:SaudiMOH"]
        thanks = _press(bot, citizen, answer, report["callback_data"])
        assert "is recorded" in thanks["text"]

    accepted = _accept(bot, "@SaudiMOH")
    assert "with 3 reports as its evidence" in accepted["text"]

    verdict = bot.ask(citizens[0], "x.com/SaudiMOH")
    text = verdict["text"]
    assert text.startswith("⛔ @SaudiMOH is NOT an official account.")
    assert "was the X (Twitter) account of the Ministry of Health until" in text
    assert "the handle was released, and someone else uses it now" in text
    assert "Reported by 3 people, reviewed on" in text
    assert not [b for b in buttons(verdict) if b.get("callback_data", "").startswith("rp:")]
    assert "Traceback" not in bot.log()


def _accept(bot: RunningBot, handle: str) -> JSONDict:
    """The administrator lists /reports and accepts the reports of `handle`."""
    admin = bot.server.user(ADMIN, "Admin", language_code="en")
    before = len(bot.server.sent(ADMIN))
    bot.server.send_text(admin, "/reports")
    [listing] = [m for m in bot.replies(ADMIN, before) if m["text"].startswith(handle + " on X")]
    bot.note("[admin] /reports", listing["text"])
    accept = next(b for b in buttons(listing) if b.get("callback_data", "").startswith("rpa:"))
    return _press(bot, admin, listing, accept["callback_data"])


def _press(bot: RunningBot, user: JSONDict, message: JSONDict, data: str) -> JSONDict:
    before = len(bot.server.sent(user["id"]))
    bot.server.press(user, message, data)
    [answer] = bot.replies(user["id"], before)
    bot.note(f"[{user['first_name']} presses {data}]", answer["text"])
    return answer


def _ask_until(bot: RunningBot, user: JSONDict, text: str, done: Callable[[str], bool]) -> JSONDict:
    """Asks again until the answer satisfies `done` (an import by another process reaches
    the running bot within about a second), at most CHANGE_WAIT seconds."""
    deadline = time.monotonic() + CHANGE_WAIT
    while True:
        answer = bot.ask(user, text)
        if done(answer["text"]) or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)
