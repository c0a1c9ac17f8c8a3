"""What changed between two versions of the registry, as a list of precise changes.

Subscribers are alerted from this list, so it names changes the way people think of them:
"the ministry's handle changed from @a to @b", not "an account was removed and another added".
Every change keeps the old and the new record whole, so nothing the files said is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel

from knowledge.registry.schema import (
    Account,
    AccountStatus,
    Entity,
    NonOfficial,
    Registry,
    Spokesperson,
)


class ChangeKind(StrEnum):
    ENTITY_ADDED = "entity_added"
    ENTITY_REMOVED = "entity_removed"
    ENTITY_RENAMED = "entity_renamed"
    ENTITY_STATUS_CHANGED = "entity_status_changed"
    ENTITY_UPDATED = "entity_updated"
    ACCOUNT_ADDED = "account_added"
    ACCOUNT_REMOVED = "account_removed"
    ACCOUNT_RETIRED = "account_retired"
    ACCOUNT_REACTIVATED = "account_reactivated"
    HANDLE_CHANGED = "handle_changed"
    ACCOUNT_UPDATED = "account_updated"
    SPOKESPERSON_ADDED = "spokesperson_added"
    SPOKESPERSON_REMOVED = "spokesperson_removed"
    SPOKESPERSON_CHANGED = "spokesperson_changed"
    SPOKESPERSON_UPDATED = "spokesperson_updated"
    NON_OFFICIAL_ADDED = "non_official_added"
    NON_OFFICIAL_REMOVED = "non_official_removed"
    NON_OFFICIAL_UPDATED = "non_official_updated"


@dataclass(frozen=True)
class Change:
    """One change: `old` and `new` are JSON-ready values (None when there is no side)."""

    kind: ChangeKind
    entity_id: str | None
    subject: str | None = None
    """What inside the entity changed: 'x:SaudiMOH', a spokesperson's name, a field name."""
    field: str | None = None
    old: Any = None
    new: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "entity_id": self.entity_id,
            "subject": self.subject,
            "field": self.field,
            "old": self.old,
            "new": self.new,
        }


@dataclass(frozen=True)
class Removals:
    """What a change list takes away from the registry it applies to: the entities
    removed or no longer active, and the accounts removed or retired with no successor
    (a handle change keeps the old handle on record and names the new one: not counted).
    A truncated or emptied file shows up here first."""

    entities: int
    accounts: int
    entity_total: int
    """Entities in the registry before the changes."""
    account_total: int
    """Active accounts in the registry before the changes."""

    def exceed(self, share: float) -> bool:
        """More than `share` (0.05 for 5%) of the entities or of the active accounts."""
        return self.entities > share * self.entity_total or (
            self.accounts > share * self.account_total
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "entities": self.entities,
            "entity_total": self.entity_total,
            "accounts": self.accounts,
            "account_total": self.account_total,
        }


def removals(old: Registry, changes: Iterable[Change]) -> Removals:
    """The removals among `changes`, which turn `old` into another registry."""
    entities = accounts = 0
    for change in changes:
        if change.kind is ChangeKind.ENTITY_REMOVED:
            entities += 1
            accounts += sum(1 for a in change.old.get("accounts", []) if _was_active(a))
        elif change.kind is ChangeKind.ENTITY_STATUS_CHANGED:
            ended = change.old["status"] == "active" and change.new["status"] != "active"
            entities += ended
        elif change.kind is ChangeKind.ACCOUNT_RETIRED or (
            change.kind is ChangeKind.ACCOUNT_REMOVED and _was_active(change.old)
        ):
            accounts += 1
    active = sum(1 for e in old.entities for a in e.accounts if a.status is AccountStatus.ACTIVE)
    return Removals(entities, accounts, len(old.entities), active)


def _was_active(account: dict[str, Any]) -> bool:
    """An account as a change records it (defaults left out: no status means active)."""
    status: str = account.get("status", AccountStatus.ACTIVE.value)
    return status == AccountStatus.ACTIVE.value


_STATUS_FIELDS = ("status", "successors", "status_date")
_NESTED_FIELDS = ("accounts", "spokespeople")

M = TypeVar("M", bound=BaseModel)


def diff_registries(old: Registry, new: Registry) -> list[Change]:
    """Every change that turns `old` into `new`, in the order of the new file."""
    changes: list[Change] = []
    old_entities = {e.id: e for e in old.entities}
    new_ids = {e.id for e in new.entities}
    for entity in new.entities:
        before = old_entities.get(entity.id)
        if before is None:
            changes.append(Change(ChangeKind.ENTITY_ADDED, entity.id, new=_json(entity)))
        elif before != entity:
            changes.extend(_entity_changes(before, entity))
    for entity in old.entities:
        if entity.id not in new_ids:
            changes.append(Change(ChangeKind.ENTITY_REMOVED, entity.id, old=_json(entity)))
    changes.extend(_non_official_changes(old.non_official, new.non_official))
    return changes


def _entity_changes(old: Entity, new: Entity) -> list[Change]:
    changes: list[Change] = []
    if old.name != new.name:
        changes.append(
            Change(
                ChangeKind.ENTITY_RENAMED,
                new.id,
                field="name",
                old=_json(old.name),
                new=_json(new.name),
            )
        )
    old_status = {f: _json(getattr(old, f)) for f in _STATUS_FIELDS}
    new_status = {f: _json(getattr(new, f)) for f in _STATUS_FIELDS}
    if old_status != new_status:
        changes.append(
            Change(ChangeKind.ENTITY_STATUS_CHANGED, new.id, old=old_status, new=new_status)
        )
    skipped = {"id", "name", *_STATUS_FIELDS, *_NESTED_FIELDS}
    for name in Entity.model_fields:
        if name not in skipped and getattr(old, name) != getattr(new, name):
            before, after = _json(getattr(old, name)), _json(getattr(new, name))
            changes.append(
                Change(ChangeKind.ENTITY_UPDATED, new.id, field=name, old=before, new=after)
            )
    changes.extend(_account_changes(new.id, old.accounts, new.accounts))
    changes.extend(_spokesperson_changes(new.id, old.spokespeople, new.spokespeople))
    return changes


def _account_changes(entity_id: str, old: list[Account], new: list[Account]) -> list[Change]:
    changes: list[Change] = []
    kept, removed, added = _match(old, new, key=lambda a: a.key)
    retired: list[tuple[Account, Account]] = []
    for before, after in kept:
        if before.status is AccountStatus.ACTIVE and after.status is AccountStatus.FORMER:
            retired.append((before, after))
        elif before.status is AccountStatus.FORMER and after.status is AccountStatus.ACTIVE:
            changes.append(
                _account_change(ChangeKind.ACCOUNT_REACTIVATED, entity_id, before, after)
            )
        else:
            changes.extend(_field_changes(ChangeKind.ACCOUNT_UPDATED, entity_id, before, after))

    # An account that disappeared and one that appeared in its place, on the same platform
    # and in the same role, is one handle that changed; so is an account retired in the
    # same import that a successor in its role was added.
    renamed_in_place, removed, added = _pair(removed, added, _same_slot)
    for before, after in renamed_in_place:
        changes.append(_account_change(ChangeKind.HANDLE_CHANGED, entity_id, before, after))
    replaced, retired_only, added = _pair(
        [b for b, _ in retired], added, lambda b, a: _same_slot(b, a) and _is_active(a)
    )
    retired_after = {id(b): a for b, a in retired}
    for before, after in replaced:
        # `old` is the account as it was; the files keep it on record as former.
        changes.append(_account_change(ChangeKind.HANDLE_CHANGED, entity_id, before, after))
    for before in retired_only:
        after = retired_after[id(before)]
        changes.append(_account_change(ChangeKind.ACCOUNT_RETIRED, entity_id, before, after))
    changes.extend(
        Change(ChangeKind.ACCOUNT_ADDED, entity_id, _subject(a), new=_json(a)) for a in added
    )
    changes.extend(
        Change(ChangeKind.ACCOUNT_REMOVED, entity_id, _subject(a), old=_json(a)) for a in removed
    )
    return changes


def _spokesperson_changes(
    entity_id: str, old: list[Spokesperson], new: list[Spokesperson]
) -> list[Change]:
    changes: list[Change] = []
    kept, removed, added = _match(old, new, key=_person_key)
    for before, after in kept:
        if before != after:
            changes.append(
                Change(
                    ChangeKind.SPOKESPERSON_UPDATED,
                    entity_id,
                    _person_name(after),
                    old=_json(before),
                    new=_json(after),
                )
            )
    # One spokesperson gone and another arrived: the post changed hands.
    replaced, removed, added = _pair(removed, added, lambda b, a: b.current == a.current)
    for before, after in replaced:
        changes.append(
            Change(
                ChangeKind.SPOKESPERSON_CHANGED,
                entity_id,
                _person_name(after),
                old=_json(before),
                new=_json(after),
            )
        )
    changes.extend(
        Change(ChangeKind.SPOKESPERSON_ADDED, entity_id, _person_name(p), new=_json(p))
        for p in added
    )
    changes.extend(
        Change(ChangeKind.SPOKESPERSON_REMOVED, entity_id, _person_name(p), old=_json(p))
        for p in removed
    )
    return changes


def _non_official_changes(old: list[NonOfficial], new: list[NonOfficial]) -> list[Change]:
    kept, removed, added = _match(old, new, key=lambda n: n.key)
    changes = [
        Change(ChangeKind.NON_OFFICIAL_UPDATED, a.imitates, _subject(a), old=_json(b), new=_json(a))
        for b, a in kept
        if b != a
    ]
    changes.extend(
        Change(ChangeKind.NON_OFFICIAL_ADDED, n.imitates, _subject(n), new=_json(n)) for n in added
    )
    changes.extend(
        Change(ChangeKind.NON_OFFICIAL_REMOVED, n.imitates, _subject(n), old=_json(n))
        for n in removed
    )
    return changes


def _match(
    old: list[M], new: list[M], key: Callable[[M], Hashable]
) -> tuple[list[tuple[M, M]], list[M], list[M]]:
    """Records present on both sides (by key), only in old, only in new."""
    old_by_key = {key(item): item for item in old}
    new_keys = {key(item) for item in new}
    kept = [(old_by_key[key(item)], item) for item in new if key(item) in old_by_key]
    removed = [item for item in old if key(item) not in new_keys]
    added = [item for item in new if key(item) not in old_by_key]
    return kept, removed, added


def _pair(
    before: Iterable[M], after: Iterable[M], fits: Callable[[M, M], bool]
) -> tuple[list[tuple[M, M]], list[M], list[M]]:
    """Pairs each `before` with the first unpaired `after` that fits it."""
    remaining = list(after)
    pairs: list[tuple[M, M]] = []
    unpaired: list[M] = []
    for item in before:
        match = next((candidate for candidate in remaining if fits(item, candidate)), None)
        if match is None:
            unpaired.append(item)
        else:
            remaining.remove(match)
            pairs.append((item, match))
    return pairs, unpaired, remaining


def _same_slot(before: Account, after: Account) -> bool:
    if before.platform is not after.platform:
        return False
    if before.platform_id and after.platform_id:
        return before.platform_id == after.platform_id
    return before.role is after.role


def _is_active(account: Account) -> bool:
    return account.status is AccountStatus.ACTIVE


def _account_change(kind: ChangeKind, entity_id: str, before: Account, after: Account) -> Change:
    return Change(kind, entity_id, _subject(after), old=_json(before), new=_json(after))


def _field_changes(
    kind: ChangeKind, entity_id: str, before: Account, after: Account
) -> list[Change]:
    return [
        Change(
            kind,
            entity_id,
            _subject(after),
            field=name,
            old=_json(getattr(before, name)),
            new=_json(getattr(after, name)),
        )
        for name in Account.model_fields
        if getattr(before, name) != getattr(after, name)
    ]


def _subject(record: Account | NonOfficial) -> str:
    return f"{record.platform.value}:{record.handle}"


def _person_key(person: Spokesperson) -> str:
    return _person_name(person).casefold()


def _person_name(person: Spokesperson) -> str:
    return person.name.en or person.name.ar or person.name.fr or ""


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value
