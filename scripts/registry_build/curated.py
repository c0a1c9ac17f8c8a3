"""Step 2, saudi_entities.csv: the curated entities with their accounts and spokespeople.

Every row becomes an entity (``decisions/curated_entities.csv`` gives its id, French name,
parent and status). Its X handle and the items of ``other_handles`` become accounts, with
the role ``decisions/roles.csv`` reads in the item and the confidence its tag gives; "A OR
B" alternatives, conflicting candidates and suspect handles become non-official records.
Spokespeople are read with the help of ``decisions/spokespeople.csv``: every name written
there must appear in the row's cell, so a changed CSV fails loudly instead of drifting.
"""

from __future__ import annotations

import re

from knowledge.registry.handles import Platform
from knowledge.registry.schema import (
    AccountRef,
    AccountRole,
    AccountStatus,
    Confidence,
    LocalizedText,
    NonOfficialReason,
    Source,
    Spokesperson,
)

from .decisions import Decisions, SpokesSpec
from .evidence import evidence, row_confidence, tag_confidence
from .place import add_account, add_non_official
from .row_items import HandleItem, account_sources, parse_other_handles
from .seed import Seed
from .sources import SourceReader, reader_for, url_date
from .state import AccountDraft, EntityDraft, State, as_items
from .text import URL, parse_name, parse_website, sentence, split_sources

UNTOLD_SOURCES = "The row's sources do not say which of them name this account."


def _entity(decisions: Decisions, row: dict[str, str], seen: set[str]) -> EntityDraft:
    en = parse_name(row["name_en"])
    ar = parse_name(row["name_ar"])
    spec = decisions.curated.get(en.text)
    if spec is None:
        raise ValueError(f"no curated_entities.csv row for {en.text!r} (row {row['name_en']!r})")
    if en.text in seen:
        raise ValueError(f"two rows named {en.text!r}")
    seen.add(en.text)
    kind = decisions.curated_kinds.get(row["kind"])
    if kind is None:
        raise ValueError(f"unknown kind {row['kind']!r} for {en.text}")
    for alias in spec.aliases:
        if alias not in row["name_en"]:
            raise ValueError(f"alias {alias!r} of {spec.id} is not in its row")
    latin, arabic = decisions.arabic_short_names.get(spec.id, ("", ()))
    if latin not in row["name_en"]:
        raise ValueError(f"{latin!r}, the short name of {spec.id}, is not in its row")
    website, website_remark = parse_website(row["website"])
    remarks = [r for r in (*en.remarks, *ar.remarks) if r.casefold() != row["kind"].casefold()]
    notes = [sentence(r) for r in remarks]
    if website_remark:
        notes.append(sentence(f"Website: {website_remark}"))
    return EntityDraft(
        id=spec.id,
        name=LocalizedText(ar=ar.text or None, en=en.text, fr=spec.fr),
        kind=kind,
        sources=as_items(split_sources(row["source"])),
        confidence=row_confidence(row["confidence"]),
        aliases=[*en.aliases, *ar.aliases, *spec.aliases, *arabic],
        parent=spec.parent,
        website=website,
        status=spec.status,
        successors=list(spec.successors),
        status_date=spec.status_date,
        notes=notes,
        row=row,
    )


def _check_parents(curated: list[EntityDraft]) -> None:
    """A parent is written only where the row names it (by its abbreviation)."""
    by_id = {d.id: d for d in curated}
    for draft in curated:
        if draft.parent is None:
            continue
        parent = by_id[draft.parent]
        cells = draft.row["name_en"] + " " + draft.row["kind"]
        if not any(re.search(rf"\b{re.escape(a)}\b", cells) for a in parent.aliases):
            raise ValueError(f"{draft.id}: its row does not name the parent {parent.id}")


def _accounts(state: State, decisions: Decisions, row: dict[str, str], draft: EntityDraft) -> None:
    fragments = split_sources(row["source"])
    confidence = draft.confidence
    items, user_id, id_tag = parse_other_handles(row["other_handles"])
    main = row["x_handle"].removeprefix("@")
    row_handles = [main] if main else []
    row_handles += [h for item in items for h in item.handles]
    if user_id and not main:
        raise ValueError(f"{draft.id}: an X user id without an X handle")
    if main:
        sources, told = account_sources(Platform.X, main, fragments, row_handles, main=True)
        notes = [] if told else [UNTOLD_SOURCES]
        origin = f"x_handle @{main}"
        if user_id and id_tag:
            origin += f"; x user id {user_id}[{id_tag}]"
            extra = id_tag.replace("API-derived", "").strip(" ,;")
            detail = f" ({extra})" if extra else ""
            notes.append(sentence(f"X user id from API-derived data{detail}"))
        add_account(
            state,
            decisions,
            draft,
            AccountDraft(
                Platform.X,
                main,
                AccountRole.MAIN,
                AccountStatus.ACTIVE,
                as_items(sources),
                confidence,
                platform_id=user_id,
                evidence_notes=notes,
                origin=origin,
                told=told,
            ),
            f"main X account of {draft.id}",
        )
    for item in items:
        _item(state, decisions, draft, item, fragments, row_handles, confidence)


def _item(
    state: State,
    decisions: Decisions,
    draft: EntityDraft,
    item: HandleItem,
    fragments: list[str],
    row_handles: list[str],
    confidence: Confidence,
) -> None:
    if item.role not in decisions.roles:
        raise ValueError(f"{draft.id}: unknown role {item.role!r} in {item.raw!r}")
    if item.alternatives:
        lowered = item.tag.lower()
        # "A OR B [AMBIGUOUS]": candidates that conflict with each other.
        reason = (
            NonOfficialReason.CONFLICTING
            if "ambiguous" in lowered or "conflicting" in lowered
            else NonOfficialReason.UNVERIFIED
        )
        for handle in item.handles:
            sources, told = account_sources(item.platform, handle, fragments, row_handles, item.tag)
            add_non_official(
                state,
                draft,
                item.platform,
                handle,
                sources if told else [],
                sentence(f"Listed in saudi_entities.csv among alternatives: {item.raw}"),
                reason,
            )
        return
    handle = item.handles[0]
    meaning = decisions.roles[item.role]
    role, status = meaning.role, meaning.status
    sources, told = account_sources(
        item.platform, handle, fragments, row_handles, item.tag, main=not item.role
    )
    account = AccountDraft(
        item.platform,
        handle,
        role,
        status,
        as_items(sources),
        tag_confidence(item.tag, confidence),
        evidence_notes=[sentence(f"Seed data tag: [{item.tag}]")],
        origin=item.raw,
        told=told,
    )
    if not told:
        account.evidence_notes.append(UNTOLD_SOURCES)
    user_id = re.search(r"X user id (\d+)", item.tag)
    if user_id and item.platform is Platform.X:
        account.platform_id = user_id.group(1)
    if not meaning.plain:
        account.notes.append(sentence(f"Role in the seed data: {item.role}"))
    if meaning.non_official:
        add_non_official(
            state,
            draft,
            item.platform,
            handle,
            sources if told else [],
            sentence(f"Listed in saudi_entities.csv as {item.role}: {item.raw}"),
            NonOfficialReason.CONFLICTING,
        )
        return
    add_account(state, decisions, draft, account, f"{item.raw} ({draft.id})")


def _spokespeople(
    reader: SourceReader, decisions: Decisions, row: dict[str, str], draft: EntityDraft
) -> None:
    cell = row["spokesperson"]
    specs = [s for s in decisions.spokespeople.get(draft.id, ()) if s.origin == "saudi_entities"]
    if bool(cell) != bool(specs):
        raise ValueError(f"{draft.id}: spokesperson cell and spokespeople.csv disagree")
    if not specs:
        return
    positions = []
    for spec in specs:
        if spec.name_en not in cell:
            raise ValueError(f"{draft.id}: spokesperson {spec.name_en!r} is not in the CSV")
        positions.append(cell.index(spec.name_en))
    if positions != sorted(positions):
        raise ValueError(f"{draft.id}: spokespeople.csv is not in the order of the cell")
    bounds = [*positions[1:], len(cell)]
    for spec, start, end in zip(specs, positions, bounds, strict=True):
        urls = [u.rstrip(".,;") for u in URL.findall(cell[start:end])]
        if not urls:
            raise ValueError(f"{draft.id}: no source URL for {spec.name_en}")
        # The data dates each person by the year they were reported: a report whose URL
        # carries no date is dated so.
        reported = spec.as_of or spec.until or spec.since
        sources = [reader.web(u, date=url_date(u) or reported) for u in urls]
        draft.spokespeople.append(spokesperson(spec, sources))


def spokesperson(spec: SpokesSpec, sources: list[Source]) -> Spokesperson:
    """A spokesperson with name and title in three languages; confirmed when two
    independent reports name them (the seed's rule) and one of them can be opened."""
    return Spokesperson(
        name=LocalizedText(ar=spec.name_ar, en=spec.name_en, fr=spec.name_fr),
        title=LocalizedText(ar=spec.title_ar, en=spec.title_en, fr=spec.title_fr),
        since=spec.since,
        until=spec.until,
        as_of=spec.as_of,
        accounts=[AccountRef(platform=p, handle=h) for p, h in spec.accounts],
        evidence=evidence(
            sources,
            Confidence.CONFIRMED if len({s.url for s in sources}) >= 2 else Confidence.UNCONFIRMED,
            spec.note,
        ),
    )


def apply(state: State, seed: Seed, decisions: Decisions) -> State:
    state = state.evolve()
    reader = reader_for(seed, decisions)
    seen_specs: set[str] = set()
    for row in seed.curated:
        draft = _entity(decisions, row, seen_specs)
        state.entities.append(draft)
    missing = set(decisions.curated) - seen_specs
    if missing:
        raise ValueError(f"curated_entities.csv names that match no row: {sorted(missing)}")
    # Accounts after all entities exist: a row may name a handle kept on another entity.
    curated = [d for d in state.entities if d.row]
    for draft in curated:
        _accounts(state, decisions, draft.row, draft)
        _spokespeople(reader, decisions, draft.row, draft)
    spoken = {d.id for d in curated if d.spokespeople}
    expected = {
        k for k, v in decisions.spokespeople.items() if any(s.origin == "saudi_entities" for s in v)
    }
    if spoken != expected:
        raise ValueError(f"spokespeople.csv and the CSV disagree: {spoken ^ expected}")
    _check_parents(curated)
    return state
