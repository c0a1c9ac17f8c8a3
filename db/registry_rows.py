"""Registry records to table rows and back, losslessly.

An export must re-import with no change, so the two directions are written side by side
and tested as a round trip.
"""

from __future__ import annotations

from typing import Any

from knowledge.registry.schema import Account, Entity, NonOfficial, Policy, Spokesperson


def _evidence(record: Account | Entity | Spokesperson | NonOfficial) -> dict[str, Any]:
    return record.evidence.model_dump(mode="json", exclude_none=True)


def entity_row(entity: Entity, position: int) -> dict[str, Any]:
    return {
        "id": entity.id,
        "position": position,
        "name_ar": entity.name.ar,
        "name_en": entity.name.en,
        "name_fr": entity.name.fr,
        "aliases": list(entity.aliases),
        "kind": entity.kind.value,
        "parent_id": entity.parent,
        "website": entity.website,
        "status": entity.status.value,
        "successors": list(entity.successors),
        "status_date": entity.status_date,
        "evidence": _evidence(entity),
        "note": entity.note,
    }


def account_rows(entity: Entity) -> list[dict[str, Any]]:
    return [
        {
            "entity_id": entity.id,
            "position": position,
            "platform": account.platform.value,
            "handle": account.handle,
            "handle_key": account.key[1],
            "platform_id": account.platform_id,
            "role": account.role.value,
            "status": account.status.value,
            "since": account.since,
            "until": account.until,
            "evidence": _evidence(account),
            "note": account.note,
        }
        for position, account in enumerate(entity.accounts)
    ]


def spokesperson_rows(entity: Entity) -> list[dict[str, Any]]:
    return [
        {
            "entity_id": entity.id,
            "position": position,
            "role": person.role,
            "name": person.name.model_dump(mode="json", exclude_none=True),
            "title": person.title.model_dump(mode="json", exclude_none=True)
            if person.title
            else None,
            "since": person.since,
            "until": person.until,
            "as_of": person.as_of,
            "accounts": [a.model_dump(mode="json", exclude_none=True) for a in person.accounts],
            "contact": person.contact.model_dump(mode="json", exclude_none=True)
            if person.contact
            else None,
            "evidence": _evidence(person),
        }
        for position, person in enumerate(entity.spokespeople)
    ]


def non_official_row(record: NonOfficial, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "platform": record.platform.value,
        "handle": record.handle,
        "handle_key": record.key[1],
        "platform_id": record.platform_id,
        "imitates": record.imitates,
        "reason": record.reason.value,
        "note": record.note,
        "evidence": _evidence(record),
    }


def policy_row(policy: Policy, position: int) -> dict[str, Any]:
    return {"position": position, **policy.model_dump(mode="json", exclude_none=True)}


_ROW_ONLY = {"id", "entity_id", "position", "handle_key"}


def _record_fields(row: Any) -> dict[str, Any]:
    """A row's columns minus the ones the database adds, dropping empty optionals."""
    return {
        key: value
        for key, value in row._asdict().items()
        if key not in _ROW_ONLY and value is not None
    }


def entity_from_rows(row: Any, accounts: list[Any], spokespeople: list[Any]) -> Entity:
    """Rebuilds an Entity from its row and its children's rows (SQLAlchemy Row objects)."""
    fields = _record_fields(row)
    name = {lang: fields.pop(f"name_{lang}", None) for lang in ("ar", "en", "fr")}
    fields["name"] = {k: v for k, v in name.items() if v is not None}
    if "parent_id" in fields:
        fields["parent"] = fields.pop("parent_id")
    fields["id"] = row.id
    fields["accounts"] = [_record_fields(a) for a in accounts]
    fields["spokespeople"] = [_record_fields(s) for s in spokespeople]
    return Entity.model_validate(fields)


def non_official_from_row(row: Any) -> NonOfficial:
    return NonOfficial.model_validate(_record_fields(row))


def policy_from_row(row: Any) -> Policy:
    return Policy.model_validate({**_record_fields(row), "id": row.id})
