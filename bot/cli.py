"""The `rasmi` command: one entry point for the bot, the terminal and the maintainers."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

from pydantic import ValidationError

from bot import ask_commands, maintainer_commands, notice_commands, registry_commands
from bot.settings import Settings, settings_problem
from db.importer import ImportOptions
from knowledge.registry.export import ExportFormat
from knowledge.registry.schema import EntityKind
from knowledge.understand import LANGUAGES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rasmi",
        description="Rasmi (رسمي): which government accounts are the official ones.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "start",
        help="start Rasmi (the default): the bot with a token, else the terminal chat",
    )

    ask = commands.add_parser("ask", help="answer one question (or '-': one per stdin line)")
    ask.add_argument("question", help="the question, a handle or a link; '-' reads stdin")
    ask.add_argument("--lang", choices=LANGUAGES, help="answer in this language")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")

    commands.add_parser("run", help="run the Telegram bot (long polling, or a webhook)")

    web = commands.add_parser("web", help="serve the directory on the web, with its JSON API")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on")
    web.add_argument("--port", type=int, default=8000, help="port to listen on")

    notice = commands.add_parser("notice", help="alerts: their status, and scheduled messages")
    notice_actions = notice.add_subparsers(dest="action", metavar="ACTION", required=True)
    notice_status = notice_actions.add_parser("status", help="queued, sent, failed alerts")
    notice_status.add_argument("--json", action="store_true")
    scheduled = notice_actions.add_parser("schedule", help="a message to subscribers at a time")
    scheduled.add_argument("--at", required=True, help="UTC time, 2026-12-01T09:00, or now")
    audience = scheduled.add_mutually_exclusive_group(required=True)
    audience.add_argument("--entity", help="the followers of this entity id")
    audience.add_argument("--all", action="store_true", help="every subscriber")
    scheduled.add_argument(
        "--text-file",
        action="append",
        required=True,
        help="the text; ar:PATH, en:PATH, fr:PATH for one language (repeatable)",
    )

    asked = commands.add_parser("questions", help="what people asked, and what went unanswered")
    asked.add_argument("--days", type=int, default=7)
    asked.add_argument("--json", action="store_true")

    chat = commands.add_parser("chat", help="an interactive chat in the terminal")
    chat.add_argument("--lang", choices=LANGUAGES, help="answer in this language")

    registry = commands.add_parser("registry", help="check, import, export the registry")
    actions = registry.add_subparsers(dest="action", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="validate a registry file or folder; write nothing")
    check.add_argument("path", type=Path)
    check.add_argument("--json", action="store_true", help="machine-readable output")

    imp = actions.add_parser("import", help="validate, then import in one transaction")
    imp.add_argument("path", type=Path, nargs="?", help="file or folder (default: bundled)")
    imp.add_argument("--json", action="store_true", help="machine-readable summary")
    imp.add_argument("--dry-run", action="store_true", help="print the changes; write nothing")
    imp.add_argument(
        "--allow-removals",
        action="store_true",
        help="import even if it removes or retires more than IMPORT_MAX_REMOVALS "
        "(default 5%%) of the entities or accounts",
    )

    exp = actions.add_parser("export", help="write the stored registry out")
    exp.add_argument("--format", choices=get_args(ExportFormat), default="yaml")
    exp.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")

    hist = actions.add_parser("history", help="the change log, newest first")
    hist.add_argument("entity", nargs="?", help="an entity id, e.g. moh")
    hist.add_argument("--limit", type=int, default=50)
    hist.add_argument("--json", action="store_true", help="one JSON object per line")

    lst = actions.add_parser("list", help="the entities and their active accounts")
    lst.add_argument("--kind", choices=[k.value for k in EntityKind])
    maintainer_commands.add_parsers(actions)
    return parser


EXIT_USAGE = 2
EXIT_BAD_SETTINGS = 78
"""sysexits' EX_CONFIG: a setting in the environment or .env is wrong."""
EXIT_INTERRUPTED = 130
"""128 + SIGINT, as a shell reports a command stopped with Ctrl-C."""
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, as a shell reports a command whose reader (`head`) went away."""


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; an operator's mistake or interruption ends with one line on
    stderr and a meaningful exit code, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader stopped reading (`rasmi registry list | head`): that is fine, and
        # Python must not complain either when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _dispatch(args: argparse.Namespace) -> int:
    try:
        settings = Settings()
    except ValidationError as exc:
        print(settings_problem(exc), file=sys.stderr)
        return EXIT_BAD_SETTINGS
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration check
    if args.command == "run" and settings.offline:
        print("TELEGRAM_BOT_TOKEN is not set: the bot cannot start. `rasmi chat` works offline.")
        return 1
    if args.command == "run" or (args.command in (None, "start") and not settings.offline):
        from bot.app import run  # imports Telegram only when the bot runs

        return run(settings)
    if args.command == "web":
        from bot.web_command import web  # imports the web stack only when it runs

        return web(settings, args.host, args.port)
    if args.command in (None, "start", "chat"):
        return ask_commands.chat(settings, getattr(args, "lang", None))
    if args.command == "ask":
        if not args.question.strip():
            print(
                "rasmi ask: give a question, a handle or a link, "
                "or '-' to read one per line from standard input.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        return asyncio.run(ask_commands.ask(settings, args.question, args.lang, args.json))
    if args.command == "notice" and args.action == "status":
        from bot.app import send_limits

        cap = send_limits(settings).alerts_cap
        return asyncio.run(notice_commands.status(settings.database_url, args.json, cap))
    if args.command == "notice":
        return asyncio.run(
            notice_commands.schedule(settings.database_url, args.at, args.entity, args.text_file)
        )
    if args.command == "questions":
        return asyncio.run(registry_commands.questions(settings.database_url, args.days, args.json))
    return asyncio.run(_registry(args, settings))


async def _registry(args: argparse.Namespace, settings: Settings) -> int:
    url = settings.database_url
    if args.action in maintainer_commands.ACTIONS:
        return await maintainer_commands.run(args, settings)
    if args.action == "check":
        return registry_commands.check(args.path, args.json)
    if args.action == "import":
        options = ImportOptions(
            allow_removals=args.allow_removals,
            max_removals=settings.import_max_removals,
            dry_run=args.dry_run,
            alone=True,
        )
        return await registry_commands.import_(url, args.path, args.json, options)
    if args.action == "export":
        return await registry_commands.export(url, args.format, args.output)
    if args.action == "history":
        return await registry_commands.history(url, args.entity, args.limit, args.json)
    return await registry_commands.listing(url, args.kind)


if __name__ == "__main__":
    sys.exit(main())
