"""`rasmi ask` and `rasmi chat`: the answering engine in the terminal.

`ask` answers one question (or, with `-`, one question per line of standard input, one
JSON object per output line, so a journalist can check a whole list of handles at once);
`chat` is an interactive conversation over the same engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Iterable

from bot.registry_commands import ensure_imported
from bot.settings import Settings
from db.engine import open_database
from db.registry_index import IndexCache
from knowledge.engine import Engine
from knowledge.i18n import Messages
from knowledge.render import render
from knowledge.understand import MAX_QUESTION_CHARS, Lang

EXIT_OK = 0


async def load_engine(settings: Settings) -> Engine:
    """An engine over the stored registry, importing the registry on first use."""
    async with open_database(settings.database_url) as sessions:
        await ensure_imported(sessions, settings.registry_path)
        index = await IndexCache(sessions).current()
    return Engine(index, settings.default_language)


async def ask(settings: Settings, question: str, lang: Lang | None, as_json: bool) -> int:
    engine = await load_engine(settings)
    questions: Iterable[str] = sys.stdin if question == "-" else [question]
    for line in questions:
        text = line.strip()
        if not text:
            continue
        answer = engine.answer(text, lang)
        plain = render(answer)
        if as_json:
            print(json.dumps(answer.as_json(plain), ensure_ascii=False), flush=True)
        else:
            print(plain + ("\n" if question == "-" else ""), flush=True)
    return EXIT_OK


def chat(settings: Settings, lang: Lang | None) -> int:
    """Read a question, answer it, until the user types /quit or presses Ctrl-D.

    Only loading the engine is async; the conversation itself reads the terminal in the
    main thread, so Ctrl-C interrupts `input()` itself (the caller ends with one line),
    rather than a task waiting for a thread that still blocks on the terminal."""
    engine = asyncio.run(load_engine(settings))
    greeting_lang: Lang = lang or settings.default_language
    t = Messages(greeting_lang)
    print(t("Rasmi: ask about an official account, or send a handle to check it."))
    print(t("Type /quit or press Ctrl-D to leave.") + "\n")
    _enable_line_editing()
    while True:
        try:
            line = input("> ")
        except EOFError:
            print()
            return EXIT_OK
        text = line.strip()[:MAX_QUESTION_CHARS]
        if text in ("/quit", "/exit", "/q"):
            return EXIT_OK
        if text:
            print(render(engine.answer(text, lang)) + "\n")


def _enable_line_editing() -> None:
    """Arrow keys and history in the chat, where the platform has readline."""
    with contextlib.suppress(ImportError):  # Windows has no readline
        import readline  # noqa: F401  (importing it is what turns it on)
