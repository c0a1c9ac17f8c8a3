"""Step 3, aured_accounts.csv: accounts read from the AuRED dataset, a second source.

``same`` rows add AuRED as a second source of an account; ``new`` rows add an unconfirmed
account (ministers' own accounts get role ``minister``: personal accounts of officials, not
the ministry's); ``new entity`` rows become entities, or take over the directory's entity
when it has them (``decisions/aured_new_entities.csv``); the ``different`` row (@gsaksa)
is a former, unconfirmed account of the Ministry of Sport's predecessor. The relation
column's meaning is ``decisions/aured_relations.csv``.
"""

from __future__ import annotations

from knowledge.registry.handles import Platform
from knowledge.registry.schema import AccountRole, AccountStatus, Confidence, LocalizedText

from .decisions import Decisions
from .directory import directory_entity, directory_row_named
from .place import add_account
from .seed import Seed
from .sources import reader_for
from .state import AccountDraft, EntityDraft, State
from .text import norm_ar, norm_en, parse_name, sentence

AURED_SOURCE = (
    "AuRED dataset (repository AuRED2024/AuRED): timelines of Saudi authority accounts, "
    "tweets 2017-2023"
)
MINISTER_NOTE = "Personal account of the minister, not the ministry's."


def apply(state: State, seed: Seed, decisions: Decisions) -> State:
    state = state.evolve()
    for row in seed.aured:
        agreement = row["agrees_with_saudi_entities"]
        handle = row["x_handle"].removeprefix("@")
        if agreement == "new entity":
            draft = _new_entity(state, seed, decisions, row)
        else:
            draft = find_entity(state, row["entity_name_en"], row["entity_name_ar"])
        relation = decisions.aured_relations.get(row["relation"])
        if relation is None:
            raise ValueError(f"unknown AuRED relation {row['relation']!r}")
        if agreement == "same":
            _same(draft, handle, row["note"])
        elif agreement in {"new", "different"}:
            _new(state, decisions, draft, handle, relation, row["relation"], row["note"])
        elif agreement == "new entity":  # the note is about the entity: see _new_entity
            _new(state, decisions, draft, handle, relation, row["relation"], "")
        else:
            raise ValueError(f"unknown AuRED agreement {agreement!r}")
    return state


def find_entity(state: State, name_en: str, name_ar: str) -> EntityDraft:
    """The curated (or AuRED) entity a row names (English or Arabic, remarks aside)."""
    wanted_en, wanted_ar = norm_en(name_en), norm_ar(name_ar)
    found = [
        d
        for d in state.entities
        if (d.name.en and norm_en(d.name.en) == wanted_en)
        or (d.name.ar and norm_ar(d.name.ar) == wanted_ar)
    ]
    if len(found) != 1:
        raise ValueError(f"AuRED row {name_en!r} matches {[d.id for d in found]}")
    return found[0]


def _same(draft: EntityDraft, handle: str, note: str) -> None:
    account = draft.account(Platform.X, handle)
    if account is None:
        raise ValueError(f"AuRED says {draft.id} has @{handle}, the seed data does not")
    account.sources.append(AURED_SOURCE)
    account.confidence = Confidence.CONFIRMED
    account.evidence_notes.append(sentence("Two sources agree: saudi_entities.csv and AuRED"))
    if note:
        account.evidence_notes.append(sentence(f"AuRED: {note}"))


def _new(
    state: State,
    decisions: Decisions,
    draft: EntityDraft,
    handle: str,
    relation: tuple[AccountRole, AccountStatus],
    relation_text: str,
    note: str,
) -> None:
    role, status = relation
    account = AccountDraft(Platform.X, handle, role, status, [AURED_SOURCE], Confidence.UNCONFIRMED)
    account.evidence_notes.append(sentence("One source (AuRED)"))
    if role is AccountRole.MINISTER:
        account.notes.append(MINISTER_NOTE)
    elif note:
        account.notes.append(sentence(note))
    if relation_text == "regional":
        account.notes.append(sentence("AuRED lists it as a regional account"))
    if role is AccountRole.MAIN and status is AccountStatus.ACTIVE:
        clash = [
            a.handle
            for a in draft.accounts
            if a.platform is Platform.X
            and a.role is AccountRole.MAIN
            and a.status is AccountStatus.ACTIVE
        ]
        if clash:
            raise ValueError(f"AuRED adds a second main X account to {draft.id}: {clash}")
    add_account(state, decisions, draft, account, f"AuRED @{handle} ({draft.id})")


def _new_entity(state: State, seed: Seed, decisions: Decisions, row: dict[str, str]) -> EntityDraft:
    """A 'new entity' row: the directory's entity when it has it, else a new one."""
    name = parse_name(row["entity_name_en"])
    spec = decisions.aured_new_entities.get(name.text)
    if spec is None:
        raise ValueError(f"no aured_new_entities.csv row for {name.text!r}")
    match = directory_row_named(seed, name.text, row["entity_name_ar"])
    parent = None
    for remark in name.remarks:
        parent = find_entity(state, remark, "").id
    if match is not None:
        draft = directory_entity(reader_for(seed, decisions), decisions, match, spec.id)
        draft.name = LocalizedText(ar=draft.name.ar, en=draft.name.en, fr=spec.fr)
        draft.kind = spec.kind
        state.report.remarks.append(
            f"AuRED new entity '{name.text}' is directory entry {match['entity_id']}: "
            f"written in entities.yaml as {spec.id}, with its account"
        )
        state.taken_directory_ids.add(match["entity_id"])
    else:
        draft = EntityDraft(
            id=spec.id,
            name=LocalizedText(ar=row["entity_name_ar"] or None, en=name.text, fr=spec.fr),
            kind=spec.kind,
            sources=[AURED_SOURCE],
            confidence=Confidence.UNCONFIRMED,
            parent=parent,
            notes=[spec.note] if spec.note else [],
            evidence_notes=[sentence(f"AuRED: {row['note']}")] if row["note"] else [],
        )
    state.entities.append(draft)
    return draft
