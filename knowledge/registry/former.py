"""The life of a handle across imports: a handle an entity gave up stays on record.

When a ministry moves from @SaudiMOH to @SaudiMOH_new, the old handle is released, and
anyone can register it. If the registry simply forgot it, a check of @SaudiMOH would say
"not in the registry" (or, worse, match another platform's account of the same name),
and the people who followed the alert about the change would have nothing to hold on
to. So an import keeps every handle an entity had and the new file no longer lists as a
former account: `status: former`, `until` the import's date, its numeric platform id and
its evidence kept. The file stays in charge: a handle it lists anywhere itself (as any
entity's account, former or active, or as a non-official record, for instance one
removed for cause) is taken as the file says, and an entity the file removes takes its
accounts with it.
"""

from __future__ import annotations

from knowledge.registry.handles import Platform
from knowledge.registry.schema import Account, AccountStatus, Entity, Registry


def keep_former_accounts(old: Registry, new: Registry, date: str) -> Registry:
    """`new`, with every account of `old` that `new` no longer mentions kept on its
    entity as a former account (an active one ends on `date`, an ISO date)."""
    mentioned = _handles(new)
    old_entities = {entity.id: entity for entity in old.entities}
    entities: list[Entity] = []
    changed = False
    for entity in new.entities:
        before = old_entities.get(entity.id)
        dropped = [] if before is None else [a for a in before.accounts if a.key not in mentioned]
        if dropped:
            changed = True
            kept = [_as_former(account, date) for account in dropped]
            entity = entity.model_copy(update={"accounts": [*entity.accounts, *kept]})
        entities.append(entity)
    return new.model_copy(update={"entities": entities}) if changed else new


def _handles(registry: Registry) -> set[tuple[Platform, str]]:
    """Every handle the registry lists, as an entity's account or as a non-official one."""
    keys = {account.key for entity in registry.entities for account in entity.accounts}
    keys.update(record.key for record in registry.non_official)
    return keys


def _as_former(account: Account, date: str) -> Account:
    if account.status is AccountStatus.FORMER:
        return account
    until = date if not account.since or account.since <= date else account.since
    return account.model_copy(update={"status": AccountStatus.FORMER, "until": until})
