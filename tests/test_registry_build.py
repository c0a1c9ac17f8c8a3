"""The build of the bundled registry: reproducible, one step per seed file, decisions with
their reasons."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from knowledge.registry import BUNDLED_REGISTRY

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from registry_build import suspects
from registry_build.decisions import DECISIONS, load_decisions
from registry_build.pipeline import DEFAULT_DATA, build, write
from registry_build.seed import read_seed
from registry_build.state import State

needs_seed = pytest.mark.skipif(
    not DEFAULT_DATA.exists(), reason=f"the seed data ({DEFAULT_DATA}) is not beside the checkout"
)


@needs_seed
def test_the_build_reproduces_the_bundled_registry_byte_for_byte(tmp_path: Path) -> None:
    registries, _ = build(DEFAULT_DATA)
    write(registries, tmp_path)
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == sorted(p.name for p in BUNDLED_REGISTRY.glob("*.yaml"))
    for name in built:
        assert (tmp_path / name).read_bytes() == (BUNDLED_REGISTRY / name).read_bytes(), name


@needs_seed
def test_a_step_returns_the_next_state_and_leaves_its_input_alone() -> None:
    seed, decisions = read_seed(DEFAULT_DATA), load_decisions()
    before = State()
    after = suspects.apply(before, seed, decisions)
    assert before.non_official == [] and before.suspect_keys == set()
    assert after.non_official and after.suspect_keys
    again = suspects.apply(before, seed, decisions)
    assert [n.key for n in again.non_official] == [n.key for n in after.non_official]


def test_a_decision_without_its_reason_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "decisions"
    shutil.copytree(DECISIONS, folder)
    skips = folder / "directory_skips.csv"
    skips.write_text(skips.read_text(encoding="utf-8") + "17219,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"directory_skips\.csv line \d+: a decision without"):
        load_decisions(folder)


def test_every_decision_file_is_read() -> None:
    """A file in decisions/ that no step reads would be a decision nobody applies."""
    decisions = load_decisions()
    assert decisions.curated and decisions.spokespeople and decisions.name_kinds
    read = {
        "curated_entities", "arabic_short_names", "curated_kinds", "roles", "shared_handles",
        "spokespeople", "aured_relations", "aured_new_entities", "suspect_statuses",
        "suspect_claims", "suspect_skips", "directory_categories", "directory_kind_fixes",
        "directory_skips", "directory_en_fixes", "directory_en_supplied",
        "directory_website_fixes", "name_kinds",
    }  # fmt: skip
    assert {p.stem for p in DECISIONS.glob("*.csv")} == read
