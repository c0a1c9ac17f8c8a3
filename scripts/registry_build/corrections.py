"""Step 5, corrections_2026-12.csv: an audit's findings, applied at the strength of their
evidence.

Each row of the file is matched by its platform and handle columns to one or more rows of
``decisions/corrections.csv``, which say what to do and why: ``account`` (write a handle
as an account of an entity, moving it from another entity or out of the non-official
list), ``website``, ``spokesperson``, ``status`` (a dissolved body and its successors) or
``no_red_mark`` (check that no handle of the row is called an impersonation). The row's
evidence becomes a typed source; ``weak`` rows give unconfirmed records, and a row the
seed's rule rates high is still unconfirmed when nothing it cites can be opened. A row
without a decision, or a decision without its row, fails the build.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.registry.handles import Platform, handle_key
from knowledge.registry.schema import (
    AccountRole,
    AccountStatus,
    Confidence,
    EntityStatus,
    LocalizedText,
    NonOfficialReason,
    Source,
    SourceKind,
)

from .curated import spokesperson
from .decisions import Correction, Decisions
from .seed import Seed
from .sources import SourceReader, reader_for
from .state import AccountDraft, State
from .text import split_top_level, squash

_RANGE = re.compile(r"(\d{4})-(\d{4})")
_WHOLE_URL = re.compile(r"https?://\S+")


def aligned(row: dict[str, str]) -> dict[str, str]:
    """Two rows of the file (Momah_SA, the EVENTME handles) have eight cells, not nine: their
    should_be cell also says what was seen, and the last cells slide one column left. Read
    such a row with its cells in their columns."""
    if row["strength"]:
        return row
    return {
        **row,
        "evidence": row["should_be"],
        "evidence_address": row["evidence"],
        "evidence_date": row["evidence_address"],
        "strength": row["evidence_date"],
    }


def _date(cell: str) -> str:
    """An evidence date; a span of years ("2019-2023") is dated by its end."""
    span = _RANGE.fullmatch(cell)
    return span.group(2) if span else cell


def row_sources(reader: SourceReader, kind: str, row: dict[str, str]) -> list[Source]:
    """The row's evidence as sources of the given kind: a whole URL where the address is
    one; a report whose address was not recorded is named by its site, without a URL."""
    address, seen, date = (
        row["evidence_address"],
        squash(row["evidence"]),
        _date(row["evidence_date"]),
    )
    if not kind:
        return []
    if SourceKind(kind) is SourceKind.DATASET:
        return [reader.dataset(f"{address}: {seen}", date=date)]
    if _WHOLE_URL.fullmatch(address):
        return [reader.web(address, date=date, note=seen, kind=kind)]
    sources = []
    for part in split_top_level(address, ";"):
        site = part.split()[0]
        sources.append(
            Source(
                kind=SourceKind(kind),
                title=LocalizedText(ar=site, en=site, fr=site),
                date=date,
                note=squash(f"{seen} ({part}; the report's address is not recorded)"),
            )
        )
    return sources


Action = Callable[[State, SourceReader, Decisions, Correction, dict[str, str]], None]


def _account(
    state: State, reader: SourceReader, _: Decisions, decision: Correction, row: dict[str, str]
) -> None:
    """Write the handle as an account of the entity, wherever it was before."""
    entity = state.entity(decision.entity)
    platform = Platform(decision.platform)
    key = handle_key(platform, decision.handle)
    carried: list[str | Source] = []
    listed = state.non_official_entry(key)
    if listed is not None:
        state.non_official.remove(listed)
        carried = list(listed.sources)
        state.report.remarks.append(
            f"{entity.id}: {platform.value} @{decision.handle} was non-official "
            f"({listed.reason.value}); now an account"
        )
    owner = state.owner_of(key)
    account = owner.account(platform, decision.handle) if owner else None
    if owner is not None and account is not None and owner is not entity:
        owner.accounts.remove(account)
        entity.accounts.append(account)
        state.report.remarks.append(
            f"{platform.value} @{decision.handle} moved from {owner.id} to {entity.id}"
        )
    if account is None:
        if not (decision.role and decision.status and decision.confidence):
            raise ValueError("corrections.csv: a new account needs role, status, confidence")
        account = AccountDraft(
            platform,
            decision.handle,
            AccountRole(decision.role),
            AccountStatus(decision.status),
            [],
            Confidence(decision.confidence),
        )
        entity.accounts.append(account)
    if decision.role:
        account.role = AccountRole(decision.role)
    if decision.status:
        account.status = AccountStatus(decision.status)
    if decision.confidence:
        account.confidence = Confidence(decision.confidence)
    added = row_sources(reader, decision.source_kind, row)
    if added:  # "One source (AuRED)." no longer holds
        account.evidence_notes = [n for n in account.evidence_notes if not n.startswith("One ")]
    for source in [*carried, *added]:
        if source not in account.sources:
            account.sources.append(source)
    if decision.note:
        account.notes.append(decision.note)


def _website(
    state: State, reader: SourceReader, _: Decisions, decision: Correction, row: dict[str, str]
) -> None:
    entity = state.entity(decision.entity)
    entity.website = decision.handle
    entity.notes = [n for n in entity.notes if not n.startswith("Website:")]
    entity.sources.extend(row_sources(reader, decision.source_kind, row))


def _spokesperson(
    state: State,
    reader: SourceReader,
    decisions: Decisions,
    decision: Correction,
    row: dict[str, str],
) -> None:
    entity = state.entity(decision.entity)
    for spec in decisions.spokespeople.get(entity.id, ()):
        if spec.origin != "corrections":
            continue
        if spec.name_en not in row["should_be"] or (spec.name_ar or "") not in row["should_be"]:
            raise ValueError(f"spokespeople.csv: {spec.name_en} is not the corrections' row")
        current = [p for p in entity.spokespeople if p.until is None and p.role == "spokesperson"]
        if current:
            raise ValueError(f"{entity.id}: a second current spokesperson")
        entity.spokespeople.append(
            spokesperson(spec, row_sources(reader, decision.source_kind, row))
        )


def _status(
    state: State, reader: SourceReader, _: Decisions, decision: Correction, row: dict[str, str]
) -> None:
    entity = state.entity(decision.entity)
    entity.status = EntityStatus(decision.status)
    entity.successors = [state.entity(s).id for s in decision.handle.split()]
    entity.status_date = _date(row["evidence_date"])
    entity.sources.extend(row_sources(reader, decision.source_kind, row))
    entity.notes.append(decision.note)
    for account in entity.accounts:
        account.status = AccountStatus.FORMER


def _no_red_mark(
    state: State, _: SourceReader, __: Decisions, decision: Correction, row: dict[str, str]
) -> None:
    for handle in re.split(r"\s*/\s*", row["handle"]):
        listed = state.non_official_entry(handle_key(Platform(row["platform"]), handle))
        if listed is not None and listed.reason is NonOfficialReason.IMPERSONATION:
            raise ValueError(f"@{handle} is called an impersonation without its evidence")


ACTIONS: dict[str, Action] = {
    "account": _account,
    "website": _website,
    "spokesperson": _spokesperson,
    "status": _status,
    "no_red_mark": _no_red_mark,
}


def apply(state: State, seed: Seed, decisions: Decisions) -> State:
    state = state.evolve()
    reader = reader_for(seed, decisions)
    applied: set[int] = set()
    for row in map(aligned, seed.corrections):
        match = (row["platform"], row["handle"])
        chosen = [(i, d) for i, d in enumerate(decisions.corrections) if d.match == match]
        if not chosen:
            raise ValueError(f"corrections_2026-12.csv {match}: no decision in corrections.csv")
        for index, decision in chosen:
            ACTIONS[decision.action](state, reader, decisions, decision, row)
            applied.add(index)
    unused = [d.match for i, d in enumerate(decisions.corrections) if i not in applied]
    if unused:
        raise ValueError(f"corrections.csv decisions that match no row: {unused}")
    return state
