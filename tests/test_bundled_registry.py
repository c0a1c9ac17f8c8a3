"""The registry Rasmi ships: built from the seed data, valid, and complete."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.schema import AccountStatus, Confidence, EntityStatus, Registry
from knowledge.registry.validation import load_registry

SEED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def bundled() -> Registry:
    return load_registry(BUNDLED_REGISTRY)


def test_it_is_large_enough(bundled: Registry) -> None:
    assert len(bundled.entities) >= 350
    assert sum(len(e.accounts) for e in bundled.entities) >= 100


@pytest.mark.skipif(not SEED.exists(), reason="the seed data is not beside the checkout")
def test_every_curated_row_is_an_entity(bundled: Registry) -> None:
    arabic_names = {
        name for e in bundled.entities for name in (e.name.ar, *e.aliases) if name is not None
    }
    with (SEED / "saudi_entities.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            name = re.sub(r"\s*\(.*\)\s*$", "", row["name_ar"]).strip()
            assert name in arabic_names, row["name_ar"]


@pytest.mark.skipif(not SEED.exists(), reason="the seed data is not beside the checkout")
def test_every_main_x_handle_of_the_seed_data_is_on_record(bundled: Registry) -> None:
    """Either as an account or, where the seed data calls it suspect, as non-official."""
    on_record = {a.key[1] for e in bundled.entities for a in e.accounts}
    on_record |= {n.key[1] for n in bundled.non_official}
    with (SEED / "saudi_entities.csv").open(encoding="utf-8") as rows:
        handles = [r["x_handle"].lstrip("@").casefold() for r in csv.DictReader(rows)]
    assert [h for h in handles if h and h not in on_record] == []


def test_renamed_bodies_lead_to_their_successors(bundled: Registry) -> None:
    entities = {e.id: e for e in bundled.entities}
    renamed = [
        e for e in bundled.entities if e.status in (EntityStatus.RENAMED, EntityStatus.MERGED)
    ]
    assert len(renamed) >= 8
    labor = next(
        e for e in bundled.entities if e.name.en == "Ministry of Labor and Social Development"
    )
    [successor] = labor.successors
    assert entities[successor].name.en == "Ministry of Human Resources and Social Development"
    assert labor.status_date == "2020-02-25"


def test_every_record_carries_evidence_and_known_fakes_are_never_accounts(
    bundled: Registry,
) -> None:
    for entity in bundled.entities:
        assert entity.evidence.sources
        for account in entity.accounts:
            assert account.evidence.sources and account.evidence.checked
    accounts = {a.key for e in bundled.entities for a in e.accounts}
    assert not accounts & {n.key for n in bundled.non_official}


def test_defunct_bodies_have_no_active_account(bundled: Registry) -> None:
    for entity in bundled.entities:
        if entity.status is not EntityStatus.ACTIVE:
            assert all(a.status is AccountStatus.FORMER for a in entity.accounts), entity.id


def test_confidence_follows_the_seed_data(bundled: Registry) -> None:
    moh = next(e for e in bundled.entities if e.id == "moh")
    by_handle = {a.handle: a for a in moh.accounts}
    assert by_handle["SaudiMOH"].evidence.confidence is Confidence.CONFIRMED
    assert by_handle["saudimoh"].evidence.confidence is Confidence.UNCONFIRMED  # tagged 1src
