"""`rasmi registry audit|sweep|resolve-ids`: the maintainers' tools that find what to fix.

Each reads the stored registry (the database) by default, or a registry file or folder
when given one. None of them writes to the registry: the audit prints, the sweep and
resolve-ids write a review file (the whole registry with their proposals applied, in the
registry's own format) that a maintainer reads, edits and imports with `rasmi registry
import`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys
from pathlib import Path

from bot.resolve_ids import Resolution, ResolveOptions, resolve_ids
from bot.resolve_ids import review_header as ids_header
from bot.resolve_ids import review_registry as ids_review
from bot.settings import Settings
from bot.sweep import SweepOptions, default_cache_dir, entities_to_sweep, sweep_registry
from db.engine import open_database
from db.registry_audit import audit_stored
from db.repositories.registry import RegistryRepository
from knowledge.registry.audit import (
    DEFAULT_MAX_AGE_DAYS,
    DESCRIPTIONS,
    AuditReport,
    Check,
    audit_registry,
)
from knowledge.registry.schema import Registry
from knowledge.registry.sweep import EntitySweep, review_header, review_registry
from knowledge.registry.validation import RegistryInvalid, load_registry, paused_gc
from knowledge.registry.yaml_io import dump_registry

ACTIONS = ("audit", "sweep", "resolve-ids")
EXIT_OK = 0
EXIT_FOUND = 1
"""--strict: the audit found something; or the registry given is invalid."""
EXIT_USAGE = 2
SHOWN_FINDINGS = 10
"""Findings listed per check in the text report; --json lists them all."""


def add_parsers(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The three subcommands, under `rasmi registry`."""
    audit = actions.add_parser("audit", help="what in the registry is stale, thin or in conflict")
    audit.add_argument(
        "path",
        type=Path,
        nargs="?",
        help="a registry file or folder (default: the stored registry)",
    )
    audit.add_argument("--json", action="store_true", help="every finding, as JSON")
    audit.add_argument(
        "--max-age",
        type=int,
        default=DEFAULT_MAX_AGE_DAYS,
        metavar="DAYS",
        help="evidence checked longer ago is stale (default %(default)s)",
    )
    audit.add_argument("--strict", action="store_true", help="exit 1 when anything is found")

    sweep = actions.add_parser(
        "sweep",
        help="check accounts against the links on the "
        "bodies' own websites; propose changes in a review file",
    )
    sweep.add_argument(
        "path",
        type=Path,
        nargs="?",
        help="a registry file or folder (default: the stored registry)",
    )
    sweep.add_argument(
        "--entity",
        action="append",
        default=[],
        metavar="ID",
        help="sweep this entity only (repeatable)",
    )
    sweep.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help="requests in flight at once (default %(default)s)",
    )
    sweep.add_argument(
        "--delay",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="pause between two requests to one host (default %(default)s)",
    )
    sweep.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS")
    sweep.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="the ETag/Last-Modified cache (default: in the user data folder)",
    )
    sweep.add_argument("--no-cache", action="store_true", help="ask for every page afresh")
    sweep.add_argument("--json", action="store_true", help="the report as JSON")
    sweep.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="REVIEW.yaml",
        help="write the review file of proposed changes here",
    )

    ids = actions.add_parser(
        "resolve-ids",
        help="propose numeric ids (Telegram getChat with "
        "the bot's token; X users/by with X_BEARER_TOKEN)",
    )
    ids.add_argument(
        "path",
        type=Path,
        nargs="?",
        help="a registry file or folder (default: the stored registry)",
    )
    ids.add_argument("--json", action="store_true")
    ids.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="REVIEW.yaml",
        help="write the review file of proposed ids here",
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    # httpx logs each request's URL at INFO: noise beside the report, and the Bot API's
    # URLs hold the bot's token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        registry = await _registry(args.path, settings.database_url, args.action == "audit")
    except RegistryInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{args.path}: {len(exc.problems)} problem(s); nothing was read.", file=sys.stderr)
        return EXIT_FOUND
    if args.action == "audit":
        return await audit(args, settings, registry)
    if args.action == "sweep":
        return await sweep(args, registry)
    return await resolve(args, settings, registry)


async def _registry(path: Path | None, database_url: str, streamed: bool) -> Registry | None:
    """The registry file, or the stored one (None for the audit, which streams it)."""
    if path is not None:
        return await asyncio.to_thread(load_registry, path)
    if streamed:
        return None
    async with open_database(database_url) as sessions, sessions() as session:
        return await RegistryRepository(session).load()


# --- audit ---------------------------------------------------------------------------------


async def audit(args: argparse.Namespace, settings: Settings, registry: Registry | None) -> int:
    today = dt.datetime.now(dt.UTC).date()
    if registry is None:
        async with open_database(settings.database_url) as sessions:
            report = await audit_stored(sessions, today, args.max_age, alone=True)
    else:
        with paused_gc():  # 300,000 findings kept alive: see `paused_gc`
            report = audit_registry(registry, today, args.max_age)
    if args.json:
        with paused_gc():  # 400,000 findings as dicts: see `paused_gc` (7 times faster)
            print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        print_audit(report, args.path or "the stored registry")
    return EXIT_FOUND if args.strict and not report.clean else EXIT_OK


def print_audit(report: AuditReport, source: object) -> None:
    print(
        f"Audit of {source} on {report.today}: {report.entities} entities, "
        f"{report.accounts} accounts."
    )
    print(f"{'check':<26} {'count':>7}  what")
    for check in Check:
        description = DESCRIPTIONS[check].format(max_age=report.max_age_days)
        print(f"{check.value:<26} {report.counts[check]:>7}  {description}")
    if report.no_accounts_by_kind:
        kinds = ", ".join(f"{k} {n}" for k, n in report.no_accounts_by_kind.most_common())
        print(f"Without accounts, by kind: {kinds}")
    for check in Check:
        found = [f for f in report.findings if f.check is check]
        if not found:
            continue
        print(f"\n{check.value} (first {min(len(found), SHOWN_FINDINGS)} of {len(found)}):")
        for finding in found[:SHOWN_FINDINGS]:
            print(f"  {finding.entity_id or '-'}: {finding.subject}: {finding.detail}")
    if report.clean:
        print("Nothing found.")


# --- sweep ---------------------------------------------------------------------------------


async def sweep(args: argparse.Namespace, registry: Registry | None) -> int:
    assert registry is not None
    known = {e.id for e in registry.entities}
    unknown = [i for i in args.entity if i not in known]
    if unknown:
        print(f"rasmi registry sweep: no entity has the id {', '.join(unknown)}.", file=sys.stderr)
        return EXIT_USAGE
    if args.concurrency < 1:
        print("rasmi registry sweep: --concurrency is at least 1.", file=sys.stderr)
        return EXIT_USAGE
    entities = entities_to_sweep(registry, args.entity)
    swept = {e.id for e in entities}
    for entity_id in args.entity:
        if entity_id not in swept:
            print(f"{entity_id}: no website, or not active: not swept.", file=sys.stderr)
    options = SweepOptions(
        concurrency=args.concurrency,
        delay=args.delay,
        timeout=args.timeout,
        cache_dir=None if args.no_cache else (args.cache or default_cache_dir()),
    )
    sweeps = await sweep_registry(registry, entities, options)
    today = dt.datetime.now(dt.UTC).date()
    if args.output is not None:
        review = review_registry(registry, sweeps, today)
        text = review_header(sweeps, today) + dump_registry(review)
        await asyncio.to_thread(args.output.write_text, text, encoding="utf-8")
    if args.json:
        print(
            json.dumps(
                {"summary": _sweep_counts(sweeps), "entities": [s.as_dict() for s in sweeps]},
                ensure_ascii=False,
            )
        )
    else:
        print_sweep(sweeps, args.output)
    return EXIT_OK


def _sweep_counts(sweeps: list[EntitySweep]) -> dict[str, int]:
    return {
        "sites": len(sweeps),
        "reached": sum(1 for s in sweeps if s.unreachable is None),
        "unreachable": sum(1 for s in sweeps if s.unreachable is not None),
        **{
            name: sum(len(getattr(s, name)) for s in sweeps)
            for name in ("confirmed", "new", "missing", "mismatch")
        },
    }


def print_sweep(sweeps: list[EntitySweep], output: Path | None) -> None:
    for s in sweeps:
        print(f"{s.entity_id}  {s.website}")
        if s.unreachable is not None:
            print(f"  unreachable: {s.unreachable}")
        for name in ("confirmed", "new", "missing", "mismatch"):
            for finding in getattr(s, name):
                where = f"  ({finding.page})" if finding.page else ""
                print(f"  {name:<10} {finding.describe()}{where}")
        for note in s.notes:
            print(f"  note: {note}")
    counts = _sweep_counts(sweeps)
    print()
    print(
        f"{'sites':<12} {'reached':>8} {'unreach.':>8} {'confirmed':>9} {'new':>5} "
        f"{'missing':>7} {'mismatch':>8}"
    )
    print(
        f"{counts['sites']:<12} {counts['reached']:>8} {counts['unreachable']:>8} "
        f"{counts['confirmed']:>9} {counts['new']:>5} {counts['missing']:>7} "
        f"{counts['mismatch']:>8}"
    )
    if output is not None:
        print(f"Review file: {output} (check it with `rasmi registry import --dry-run {output}`).")


# --- resolve-ids ---------------------------------------------------------------------------


async def resolve(args: argparse.Namespace, settings: Settings, registry: Registry | None) -> int:
    assert registry is not None
    token = settings.telegram_bot_token
    x_token = settings.x_bearer_token
    options = ResolveOptions(
        telegram_url=f"{settings.telegram_base_url}{token.get_secret_value()}" if token else None,
        x_base_url=settings.x_api_base_url,
        x_bearer_token=x_token.get_secret_value() if x_token else None,
    )
    if options.telegram_url is None and options.x_bearer_token is None:
        print(
            "rasmi registry resolve-ids: set TELEGRAM_BOT_TOKEN (Telegram) or "
            "X_BEARER_TOKEN (X): there is nothing to ask without them.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    results = await resolve_ids(registry, options)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    if args.output is not None:
        text = ids_header(results, today) + dump_registry(ids_review(registry, results))
        await asyncio.to_thread(args.output.write_text, text, encoding="utf-8")
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False))
    else:
        print_resolutions(results, args.output)
    return EXIT_OK


def print_resolutions(results: list[Resolution], output: Path | None) -> None:
    for r in results:
        shown = f"{r.platform.value} @{r.handle}"
        print(
            f"{r.entity_id:<30} {shown:<32} {r.outcome:<10} {r.platform_id or '-':<20} "
            f"{r.detail}".rstrip()
        )
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    print(", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "No account.")
    if output is not None:
        print(f"Review file: {output} (check it with `rasmi registry import --dry-run {output}`).")
