"""Placing a candidate handle: as an account of an entity, or as a non-official record.

Shared by the steps that read accounts (curated entities, AuRED), so that one rule decides
where a handle goes: a suspect handle is never an account, a handle two rows list is
written once (``decisions/shared_handles.csv``), and no handle has two owners.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.registry.handles import Platform, handle_key
from knowledge.registry.schema import AccountStatus, Confidence, EntityStatus, NonOfficialReason

from .decisions import Decisions
from .state import AccountDraft, EntityDraft, NonOfficialDraft, SourceItem, State
from .text import sentence, valid_handle


def add_non_official(
    state: State,
    entity: EntityDraft,
    platform: Platform,
    handle: str,
    sources: Sequence[SourceItem],
    note: str,
    reason: NonOfficialReason,
) -> None:
    """A candidate of a curated row that must not be an account."""
    if not valid_handle(platform, handle):
        state.report.skip(f"{entity.id}: {platform.value} '{handle}'", "not a possible handle")
        return
    existing = state.non_official_entry(handle_key(platform, handle))
    if existing is None:
        existing = NonOfficialDraft(platform, handle, entity.id, reason, [], [])
        state.non_official.append(existing)
    if existing.imitates is None:
        existing.imitates = entity.id
    existing.sources.extend(s for s in sources if s not in existing.sources)
    existing.notes.append(note)


def add_account(
    state: State, decisions: Decisions, draft: EntityDraft, account: AccountDraft, what: str
) -> None:
    """Add an account, unless the handle is a suspect (then it is non-official), or is
    written on another entity (shared_handles.csv: then its sources are merged there)."""
    if not valid_handle(account.platform, account.handle):
        raise ValueError(f"{what}: '{account.handle}' is not a possible handle")
    if account.key in state.suspect_keys:
        add_non_official(
            state,
            draft,
            account.platform,
            account.handle,
            account.sources if account.told else [],
            sentence(f"Listed in saudi_entities.csv for this entity: {account.origin}"),
            NonOfficialReason.CONFLICTING,
        )
        state.report.remarks.append(
            f"{draft.id}: {account.platform.value} @{account.handle} is in "
            "suspect_handles.csv: written as non-official, not as an account"
        )
        return
    shared = decisions.shared_handles.get(account.key)
    if draft.status is not EntityStatus.ACTIVE:
        account.status = AccountStatus.FORMER
    if shared and shared[0] != draft.id:
        owner = state.entity(shared[0])
        account.notes = [
            n.replace("in the seed data", f"on the {draft.id} row") for n in account.notes
        ]
        account.evidence_notes = [
            n.replace("Seed data tag", f"Tag on the {draft.id} row") for n in account.evidence_notes
        ]
        kept = owner.account(account.platform, account.handle)
        if kept is None:  # the owner's row has not been read yet: keep it there now
            account.status = AccountStatus.FORMER
            owner.accounts.append(account)
            kept = account
        else:
            kept.sources.extend(s for s in account.sources if s not in kept.sources)
            kept.evidence_notes.extend(account.evidence_notes)
            kept.notes.extend(n for n in account.notes if n not in kept.notes)
        if shared[1] not in kept.notes:
            kept.notes.append(shared[1])
        state.report.remarks.append(
            f"{draft.id}: {account.platform.value} @{account.handle} kept once, on "
            f"{owner.id} (former account)"
        )
        return
    if shared:
        kept = draft.account(account.platform, account.handle)
        if kept is not None:
            kept.sources.extend(s for s in account.sources if s not in kept.sources)
            kept.platform_id = kept.platform_id or account.platform_id
            kept.evidence_notes.extend(account.evidence_notes)
            kept.notes.extend(n for n in account.notes if n not in kept.notes)
            if account.confidence is Confidence.CONFIRMED:
                kept.confidence = Confidence.CONFIRMED
            return
        account.notes.append(shared[1])
    other = state.owner_of(account.key)
    if other is not None:
        raise ValueError(
            f"{what}: handle already on {other.id}; add it to decisions/shared_handles.csv"
        )
    draft.accounts.append(account)
