"""The editorial decisions of the build, read from ``decisions/*.csv``.

The seed data is free text; turning it into registry records takes judgement: ids, French
names, which role a phrase means, which directory row is misfiled. Each judgement is a row
of a CSV file in ``decisions/`` with the reason it was made (as congress-legislators keeps
its exclusions), so a maintainer changes a decision by editing a row, not the code. This
module reads them into typed tables; a row that does not parse fails the build loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.registry.handles import Platform, handle_key
from knowledge.registry.schema import AccountRole, AccountStatus, EntityKind, EntityStatus

from .text import read_csv

DECISIONS = Path(__file__).resolve().parent / "decisions"


@dataclass(frozen=True)
class Curated:
    """What the editors add to one curated row: its id and French name, and what the row
    says in prose (parent, status) in structured form."""

    id: str
    fr: str
    parent: str | None
    status: EntityStatus
    successors: tuple[str, ...]
    status_date: str | None
    aliases: tuple[str, ...]
    """Further names the row gives in prose (each must appear in the row)."""


@dataclass(frozen=True)
class Role:
    """What the role text of an other_handles item means."""

    role: AccountRole
    status: AccountStatus
    plain: bool
    """The role says nothing more than the role field: no note needed."""
    non_official: bool
    """A candidate of this role is written as non-official, never as an account."""


@dataclass(frozen=True)
class SpokesSpec:
    """One spokesperson as the free-text cell describes them, in three languages."""

    origin: str
    """The seed file the person comes from: saudi_entities or corrections."""
    name_en: str
    name_ar: str | None
    name_fr: str | None
    title_ar: str
    title_en: str
    title_fr: str
    since: str | None
    until: str | None
    as_of: str | None
    accounts: tuple[tuple[Platform, str], ...]
    """The person's own accounts, ``platform:handle`` in the file."""
    note: str | None


@dataclass(frozen=True)
class NewEntity:
    """An entity that only AuRED names: its id, kind and French name."""

    id: str
    kind: EntityKind
    fr: str
    note: str | None


@dataclass(frozen=True)
class Site:
    """How a news site is named in each language."""

    ar: str
    en: str
    fr: str


@dataclass(frozen=True)
class Correction:
    """What the build does with one row of corrections_2026-12.csv (a row may need
    several): matched by the row's platform and handle columns as written."""

    match: tuple[str, str]
    action: str
    """account, website, spokesperson, status or no_red_mark (see the corrections step)."""
    entity: str
    platform: str
    handle: str
    """The handle; for ``website`` the URL, for ``status`` the successors' ids."""
    role: str
    status: str
    confidence: str
    source_kind: str
    """The kind of the row's evidence; empty: the row adds no source to this record."""
    note: str


@dataclass(frozen=True)
class AccountPeriod:
    """When a handle was the entity's account, where the data says so."""

    since: str | None
    until: str | None


@dataclass(frozen=True)
class Decisions:
    """Every table of ``decisions/``, keyed the way the steps look them up."""

    curated: dict[str, Curated]
    """By the English name once its remarks are stripped."""
    arabic_short_names: dict[str, tuple[str, tuple[str, ...]]]
    """Entity id -> (the Latin short name its row gives, its Arabic spellings)."""
    curated_kinds: dict[str, EntityKind]
    roles: dict[str, Role]
    shared_handles: dict[tuple[Platform, str], tuple[str, str]]
    """A handle two rows list -> (the entity it is written on, the note saying why)."""
    spokespeople: dict[str, tuple[SpokesSpec, ...]]
    aured_relations: dict[str, tuple[AccountRole, AccountStatus]]
    aured_new_entities: dict[str, NewEntity]
    suspect_statuses: dict[str, str]
    """A word of suspect_handles.csv's status column -> the NonOfficialReason value."""
    claimed_for: dict[str, str | None]
    claimed_per_handle: dict[str, str | None]
    suspect_skips: dict[str, str]
    suspect_handle_skips: dict[tuple[Platform, str], str]
    """Handles of suspect rows that are left out of the registry, with why."""
    directory_categories: dict[str, EntityKind | None]
    directory_kind_fixes: dict[str, EntityKind]
    directory_skips: dict[str, str]
    directory_en_fixes: dict[str, str]
    directory_en_supplied: dict[str, str]
    directory_fr: dict[str, tuple[str, str]]
    """Agency id -> (the English name it translates, the French name)."""
    directory_ar_supplied: dict[str, str]
    directory_website_fixes: dict[str, tuple[str | None, str]]
    name_kinds: tuple[tuple[str, EntityKind], ...]
    sites: dict[str, Site]
    """A news site's host (without www.) -> its name in each language."""
    corrections: tuple[Correction, ...]
    account_periods: dict[tuple[str, Platform, str], AccountPeriod]
    """(entity id, platform, handle key) -> the period."""


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    rows = read_csv(folder / name)
    for number, row in enumerate(rows, start=2):
        if "reason" in row and not row["reason"]:
            raise ValueError(f"{name} line {number}: a decision without its reason")
    return rows


def _words(cell: str, separator: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in cell.split(separator) if p.strip())


def _yes(cell: str) -> bool:
    if cell not in {"yes", "no"}:
        raise ValueError(f"expected yes or no, not {cell!r}")
    return cell == "yes"


def load_decisions(folder: Path = DECISIONS) -> Decisions:
    """Read every table; a missing reason or an unknown value is an error."""
    claims = _rows(folder, "suspect_claims.csv")
    spokespeople: dict[str, list[SpokesSpec]] = {}
    for row in _rows(folder, "spokespeople.csv"):
        spokespeople.setdefault(row["entity_id"], []).append(
            SpokesSpec(
                origin=row["from"],
                name_en=row["name_en"],
                name_ar=row["name_ar"] or None,
                name_fr=row["name_fr"] or None,
                title_ar=row["title_ar"],
                title_en=row["title_en"],
                title_fr=row["title_fr"],
                since=row["since"] or None,
                until=row["until"] or None,
                as_of=row["as_of"] or None,
                accounts=tuple(
                    (Platform(item.partition(":")[0]), item.partition(":")[2])
                    for item in _words(row["accounts"], ";")
                ),
                note=row["note"] or None,
            )
        )
    return Decisions(
        curated={
            r["name_en"]: Curated(
                id=r["id"],
                fr=r["name_fr"],
                parent=r["parent"] or None,
                status=EntityStatus(r["status"]),
                successors=_words(r["successors"], " "),
                status_date=r["status_date"] or None,
                aliases=_words(r["aliases"], ";"),
            )
            for r in _rows(folder, "curated_entities.csv")
        },
        arabic_short_names={
            r["entity_id"]: (r["latin"], _words(r["arabic"], ";"))
            for r in _rows(folder, "arabic_short_names.csv")
        },
        curated_kinds={
            r["csv_kind"]: EntityKind(r["kind"]) for r in _rows(folder, "curated_kinds.csv")
        },
        roles={
            r["role_text"]: Role(
                AccountRole(r["role"]),
                AccountStatus(r["status"]),
                plain=_yes(r["plain"]),
                non_official=_yes(r["non_official"]),
            )
            for r in _rows(folder, "roles.csv")
        },
        shared_handles={
            handle_key(Platform(r["platform"]), r["handle"]): (r["entity_id"], r["note"])
            for r in _rows(folder, "shared_handles.csv")
        },
        spokespeople={k: tuple(v) for k, v in spokespeople.items()},
        aured_relations={
            r["relation"]: (AccountRole(r["role"]), AccountStatus(r["status"]))
            for r in _rows(folder, "aured_relations.csv")
        },
        aured_new_entities={
            r["name_en"]: NewEntity(r["id"], EntityKind(r["kind"]), r["name_fr"], r["note"] or None)
            for r in _rows(folder, "aured_new_entities.csv")
        },
        suspect_statuses={
            r["status_word"]: r["reason_code"] for r in _rows(folder, "suspect_statuses.csv")
        },
        claimed_for={r["claimed_for"]: r["entity_id"] or None for r in claims if r["claimed_for"]},
        claimed_per_handle={r["handle"]: r["entity_id"] or None for r in claims if r["handle"]},
        suspect_skips={r["item_prefix"]: r["reason"] for r in _rows(folder, "suspect_skips.csv")},
        suspect_handle_skips={
            handle_key(Platform(r["platform"]), r["handle"]): r["reason"]
            for r in _rows(folder, "suspect_handle_skips.csv")
        },
        directory_categories={
            r["category"]: EntityKind(r["kind"]) if r["kind"] else None
            for r in _rows(folder, "directory_categories.csv")
        },
        directory_kind_fixes={
            r["agency"]: EntityKind(r["kind"]) for r in _rows(folder, "directory_kind_fixes.csv")
        },
        directory_skips={r["agency"]: r["reason"] for r in _rows(folder, "directory_skips.csv")},
        directory_en_fixes={
            r["agency"]: r["name_en"] for r in _rows(folder, "directory_en_fixes.csv")
        },
        directory_en_supplied={
            r["agency"]: r["name_en"] for r in _rows(folder, "directory_en_supplied.csv")
        },
        directory_fr={
            r["agency"]: (r["name_en"], r["name_fr"]) for r in _rows(folder, "directory_fr.csv")
        },
        directory_ar_supplied={
            r["agency"]: r["name_ar"] for r in _rows(folder, "directory_ar_supplied.csv")
        },
        directory_website_fixes={
            r["agency"]: (r["website"] or None, r["reason"])
            for r in _rows(folder, "directory_website_fixes.csv")
        },
        name_kinds=tuple(
            (r["pattern"], EntityKind(r["kind"])) for r in _rows(folder, "name_kinds.csv")
        ),
        sites={
            r["host"]: Site(r["title_ar"], r["title_en"], r["title_fr"])
            for r in _rows(folder, "source_sites.csv")
        },
        corrections=tuple(
            Correction(
                match=(r["match_platform"], r["match_handle"]),
                action=r["action"],
                entity=r["entity"],
                platform=r["platform"],
                handle=r["handle"],
                role=r["role"],
                status=r["status"],
                confidence=r["confidence"],
                source_kind=r["source_kind"],
                note=r["note"],
            )
            for r in _rows(folder, "corrections.csv")
        ),
        account_periods={
            (r["entity"], *handle_key(Platform(r["platform"]), r["handle"])): AccountPeriod(
                r["since"] or None, r["until"] or None
            )
            for r in _rows(folder, "account_dates.csv")
        },
    )
