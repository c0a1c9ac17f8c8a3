"""The registry under construction: drafts of records, and the state one step hands the next.

Drafts are mutable so a step can add a source to an account an earlier step wrote; a step
never changes the state it was given (``State.evolve`` gives it its own copy), so each step
is a function from one registry state to the next and can be run and tested on its own.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge.registry.handles import Platform, handle_key
from knowledge.registry.schema import (
    Account,
    AccountRole,
    AccountStatus,
    Confidence,
    Entity,
    EntityKind,
    EntityStatus,
    LocalizedText,
    NonOfficial,
    NonOfficialReason,
    Source,
    Spokesperson,
)

from .evidence import evidence
from .sources import SourceReader, is_directory_page
from .text import join_notes

SourceItem = str | Source
"""A fragment of a seed cell (read into sources at the end, by ``SourceReader``) or a
ready source."""


def as_items(fragments: Iterable[str]) -> list[SourceItem]:
    return list(fragments)


@dataclass
class AccountDraft:
    platform: Platform
    handle: str
    role: AccountRole
    status: AccountStatus
    sources: list[SourceItem]
    """Fragments of a seed cell (read into sources at the end) or ready sources."""
    confidence: Confidence
    platform_id: str | None = None
    since: str | None = None
    until: str | None = None
    evidence_notes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    origin: str = ""
    """Where the seed data lists it (for notes when it turns out to be non-official)."""
    told: bool = True
    """Whether its sources are the fragments that name it (see account_sources)."""

    @property
    def key(self) -> tuple[Platform, str]:
        return handle_key(self.platform, self.handle)

    def build(self, reader: SourceReader) -> Account:
        # The directory's page of a body names the body and its website, not its accounts.
        sources = [s for s in reader.read_all(self.sources) if not is_directory_page(s)]
        return Account(
            platform=self.platform,
            handle=self.handle,
            platform_id=self.platform_id,
            role=self.role,
            status=self.status,
            since=self.since,
            until=self.until,
            evidence=evidence(sources, self.confidence, join_notes(self.evidence_notes)),
            note=join_notes(self.notes),
        )


@dataclass
class EntityDraft:
    id: str
    name: LocalizedText
    kind: EntityKind
    sources: list[SourceItem]
    confidence: Confidence
    aliases: list[str] = field(default_factory=list)
    parent: str | None = None
    website: str | None = None
    status: EntityStatus = EntityStatus.ACTIVE
    successors: list[str] = field(default_factory=list)
    status_date: str | None = None
    accounts: list[AccountDraft] = field(default_factory=list)
    spokespeople: list[Spokesperson] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evidence_notes: list[str] = field(default_factory=list)
    row: dict[str, str] = field(default_factory=dict)
    """The saudi_entities.csv row of a curated entity (empty for the others)."""
    agency: str | None = None
    """The body's my.gov.sa agency id, for an entity read from the directory."""

    def account(self, platform: Platform, handle: str) -> AccountDraft | None:
        key = handle_key(platform, handle)
        return next((a for a in self.accounts if a.key == key), None)

    def build(self, reader: SourceReader) -> Entity:
        names = {n.casefold() for n in (self.name.ar, self.name.en, self.name.fr) if n}
        aliases = [a for a in dict.fromkeys(self.aliases) if a.casefold() not in names]
        sources = reader.read_all(self.sources)
        # The seed's confidence is about the X handle where a row gives one; the national
        # directory's page of the body confirms what the entity record says: name, website.
        listed = any(is_directory_page(s) for s in sources)
        return Entity(
            id=self.id,
            name=self.name,
            aliases=aliases,
            kind=self.kind,
            parent=self.parent,
            website=self.website,
            status=self.status,
            successors=self.successors,
            status_date=self.status_date,
            evidence=evidence(
                sources,
                Confidence.CONFIRMED if listed else self.confidence,
                join_notes(self.evidence_notes),
            ),
            accounts=[a.build(reader) for a in self.accounts],
            spokespeople=self.spokespeople,
            note=join_notes(self.notes),
        )


@dataclass
class NonOfficialDraft:
    platform: Platform
    handle: str
    imitates: str | None
    reason: NonOfficialReason
    sources: list[SourceItem]
    notes: list[str] = field(default_factory=list)
    platform_id: str | None = None

    @property
    def key(self) -> tuple[Platform, str]:
        return handle_key(self.platform, self.handle)

    def build(self, reader: SourceReader) -> NonOfficial:
        """Unconfirmed: what says a handle is not the body's is a listing nobody can open."""
        return NonOfficial(
            platform=self.platform,
            handle=self.handle,
            platform_id=self.platform_id,
            imitates=self.imitates,
            reason=self.reason,
            note=join_notes(self.notes),
            evidence=evidence(reader.read_all(self.sources), Confidence.UNCONFIRMED),
        )


@dataclass
class Report:
    """What the run did, printed at the end."""

    skipped: list[str] = field(default_factory=list)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    """How a directory row was found to be curated already -> 'row->entity id'."""
    remarks: list[str] = field(default_factory=list)

    def skip(self, what: str, why: str) -> None:
        self.skipped.append(f"{what}: {why}")


@dataclass
class State:
    """The registry after some steps: what each later step reads and extends."""

    entities: list[EntityDraft] = field(default_factory=list)
    """Written in entities.yaml: the curated rows and the entities AuRED adds."""
    directory: list[EntityDraft] = field(default_factory=list)
    """Written in directory.yaml: the directory's entities not curated already."""
    non_official: list[NonOfficialDraft] = field(default_factory=list)
    suspect_keys: set[tuple[Platform, str]] = field(default_factory=set)
    """The handles suspect_handles.csv lists: never written as accounts."""
    taken_directory_ids: set[str] = field(default_factory=set)
    """Directory rows an AuRED 'new entity' took over (written in entities.yaml)."""
    report: Report = field(default_factory=Report)

    def evolve(self) -> State:
        """A copy for the next step to change."""
        return copy.deepcopy(self)

    def entity(self, entity_id: str) -> EntityDraft:
        for draft in (*self.entities, *self.directory):
            if draft.id == entity_id:
                return draft
        raise KeyError(entity_id)

    def owner_of(self, key: tuple[Platform, str]) -> EntityDraft | None:
        for draft in (*self.entities, *self.directory):
            if any(a.key == key for a in draft.accounts):
                return draft
        return None

    def non_official_entry(self, key: tuple[Platform, str]) -> NonOfficialDraft | None:
        return next((n for n in self.non_official if n.key == key), None)
