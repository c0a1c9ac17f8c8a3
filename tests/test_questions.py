"""The labeled question set (tests/data/questions.yaml): accuracy per category, and the
one error that must never happen, calling a handle official that is not on record."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.answer import Answer, Verdict
from knowledge.engine import Engine
from knowledge.index import RegistryIndex
from knowledge.links import HandleRef
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.handles import Platform
from knowledge.registry.validation import load_registry

QUESTIONS = Path(__file__).parent / "data" / "questions.yaml"
REQUIRED_ACCURACY = 0.95
ACCURACY_REPORT: dict[str, tuple[int, int]] = {}
"""Filled by the test, printed by conftest.py at the end of the run."""


@pytest.fixture(scope="module")
def engine() -> Engine:
    registry = load_registry(BUNDLED_REGISTRY)
    return Engine(RegistryIndex(registry.entities, registry.non_official))


def labeled() -> list[dict[str, Any]]:
    with QUESTIONS.open(encoding="utf-8") as file:
        items: list[dict[str, Any]] = yaml.safe_load(file)
    return items


def mistakes(item: dict[str, Any], answer: Answer) -> list[str]:
    """What the answer got wrong, compared with the label; empty when it is right."""
    wrong: list[str] = []
    if answer.intent.value != item["intent"]:
        wrong.append(f"intent {answer.intent.value} != {item['intent']}")
    if answer.lang != item["lang"]:
        wrong.append(f"lang {answer.lang} != {item['lang']}")
    if "verdict" in item:
        verdict = answer.verifications[0].verdict.value if answer.verifications else None
        if verdict != item["verdict"]:
            wrong.append(f"verdict {verdict} != {item['verdict']}")
        found = answer.verifications[0].entity if answer.verifications else None
        if "entity" in item and (found is None or found.id != item["entity"]):
            wrong.append(f"verified entity {found.id if found else None} != {item['entity']}")
    elif "entity" in item:
        top = answer.entities[0] if answer.entities else None
        if top is None or top.entity.id != item["entity"] or not top.confident:
            got = f"{top.entity.id} (confident={top.confident})" if top else None
            wrong.append(f"entity {got} != {item['entity']}")
    if "candidates" in item:
        offered = {m.entity.id for m in answer.entities if not m.confident}
        if not set(item["candidates"]) & offered:
            wrong.append(f"candidates {sorted(offered)} miss {item['candidates']}")
    if "platform" in item and answer.intent.value == "platform_account":
        got_platform = answer.platform.value if answer.platform else None
        if got_platform != item["platform"]:
            wrong.append(f"platform {got_platform} != {item['platform']}")
    if "kind" in item and answer.kind != item["kind"]:
        wrong.append(f"kind {answer.kind} != {item['kind']}")
    return wrong


def test_the_set_is_large_and_covers_every_category() -> None:
    items = labeled()
    categories = {item["category"] for item in items}
    assert len(items) >= 300
    assert len(categories) >= 20


def test_labeled_questions_are_answered_correctly(engine: Engine) -> None:
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures: list[str] = []
    for item in labeled():
        wrong = mistakes(item, engine.answer(item["q"]))
        per_category[item["category"]][1] += 1
        if wrong:
            failures.append(f"[{item['category']}] {item['q']!r}: {'; '.join(wrong)}")
        else:
            per_category[item["category"]][0] += 1
    ACCURACY_REPORT.clear()
    ACCURACY_REPORT.update({c: (right, total) for c, (right, total) in per_category.items()})
    right = sum(r for r, _ in ACCURACY_REPORT.values())
    total = sum(t for _, t in ACCURACY_REPORT.values())
    assert right / total >= REQUIRED_ACCURACY, "\n".join(failures)


def test_nothing_off_the_registry_is_ever_called_official(engine: Engine) -> None:
    for item in labeled():
        if item["intent"] == "verify" and item.get("verdict") != "official":
            answer = engine.answer(item["q"])
            verdicts = [v.verdict for v in answer.verifications]
            assert Verdict.OFFICIAL not in verdicts, item["q"]


@settings(max_examples=300, deadline=None)
@given(
    handle=st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True),
    platform=st.sampled_from([*Platform, None]),
)
def test_official_only_on_an_exact_match(
    engine: Engine, handle: str, platform: Platform | None
) -> None:
    verification = engine.verify(HandleRef(platform, handle, handle, False))
    on_record = any(
        engine.index.account(p, handle) is not None or engine.index.spokesperson_account(p, handle)
        for p in ([platform] if platform else list(Platform))
    )
    if verification.verdict is Verdict.OFFICIAL:
        assert on_record
