"""The life of a handle across imports: what the registry learned stays on record.

When a ministry moves from @SaudiMOH to @SaudiMOH_new, the old handle is released, and
anyone can register it. If the registry simply forgot it, a check of @SaudiMOH would say
"not in the registry" (or, worse, match another platform's account of the same name),
and the people who followed the alert about the change would have nothing to hold on
to. So an import keeps every handle an entity had and the new file no longer lists as a
former account: `status: former`, `until` the import's date, its numeric platform id and
its evidence kept.

An impersonation an administrator accepted from citizens' reports lives only in the
database until a maintainer folds it into the files (`rasmi registry export` includes
it). Until then the maintainers' files do not list it, and an import that dropped it
would silently turn a reviewed impersonation back into "not in the registry": so an
import keeps it, but only while the database says the acceptance still stands (the
caller passes those handles: `db.repositories.reports`), never because of a note's
wording. The first import whose files decide the handle, listing it as a non-official
record or as a current account, folds the acceptance; from then on the files alone
decide, and deleting the record from them removes it. Files that list the handle only as
a former account do not decide it: that is the takeover, a handle the body released and
someone else now uses to imitate it, and both records stand side by side.

The file stays in charge: a handle it lists anywhere itself (as any entity's account,
former or active, or as a non-official record, for instance one removed for cause) is
taken as the file says, and an entity the file removes takes its accounts with it.
"""

from __future__ import annotations

from collections.abc import Collection

from knowledge.registry.handles import Platform
from knowledge.registry.schema import (
    Account,
    AccountStatus,
    Entity,
    Registry,
)


def reported_source_note(count: int, date: str) -> str:
    """The maintainers' note of the evidence an accepted citizen report writes: "reported
    by N people, reviewed on YYYY-MM-DD": provenance for people only. Whether an import
    keeps the record is the database's to say, not this text's (see the module)."""
    return f"reported by {count} people, reviewed on {date}"


def keep_dropped_records(
    old: Registry, new: Registry, date: str, reported: Collection[tuple[Platform, str]] = ()
) -> Registry:
    """`new`, with what `old` held and `new` no longer mentions kept: every account of an
    entity `new` still has, as a former account (an active one ends on `date`, an ISO
    date), and the non-official records of `reported`, the handles of standing
    acceptances of citizens' reports."""
    mentioned = listed_handles(new)
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
    decided = deciding_handles(new)
    accepted = [
        record
        for record in old.non_official
        if record.key not in decided and record.key in reported
    ]
    if not changed and not accepted:
        return new
    return new.model_copy(
        update={"entities": entities, "non_official": [*new.non_official, *accepted]}
    )


def listed_handles(registry: Registry) -> set[tuple[Platform, str]]:
    """Every handle the registry lists, as an entity's account or as a non-official one."""
    keys = {account.key for entity in registry.entities for account in entity.accounts}
    keys.update(record.key for record in registry.non_official)
    return keys


def deciding_handles(registry: Registry) -> set[tuple[Platform, str]]:
    """The handles on which the registry's files decide a standing acceptance of citizens'
    reports: every non-official record and every current account (an entity's or a
    spokesperson's). A former account does not decide: its handle was released, and an
    impersonation recorded on it since does not contradict it."""
    keys = {record.key for record in registry.non_official}
    for entity in registry.entities:
        keys.update(a.key for a in entity.accounts if a.status is AccountStatus.ACTIVE)
        keys.update(a.key for person in entity.spokespeople for a in person.accounts)
    return keys


def _as_former(account: Account, date: str) -> Account:
    if account.status is AccountStatus.FORMER:
        return account
    until = date if not account.since or account.since <= date else account.since
    return account.model_copy(update={"status": AccountStatus.FORMER, "until": until})
