"""A large file read by a child process (knowledge/registry/read_ahead.py): the records,
their order, the errors and the problems a load reports are those of the file read in
the validating process itself."""

from __future__ import annotations

import subprocess
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from knowledge.registry import read_ahead
from knowledge.registry.validation import Problem, RegistryInvalid, load_registry
from knowledge.registry.yaml_io import read_top_level, top_level

SCALARS = """\
  - id: e{n}
    name: {{ar: جهة {n}, en: "Body {n}"}}
    aliases: [E{n}, 'e {n}', yes, 12, 1.5, 2026-11-03, ~, !!str 7, {{a: [b]}}]
  - *first
"""
ENTITY = """\
  - id: e{n}
    name: {{ar: جهة {n}, en: "Body {n}"}}
    kind: ministry
    evidence:
      sources: [{{kind: news, url: "https://a.sa/{n}"}}]
      checked: "2026-11"
      confidence: confirmed
    accounts:
      - platform: x
        handle: "body_{n}"
        evidence:
          sources: [{{kind: official_website, url: "https://a.sa/{n}/m", title: {{en: Ours}}}}]
          checked: 2026
          confidence: confirmed
"""
RECORDS = 3 * read_ahead.BATCH + 5  # several batches, the last one partial


def scalars(records: int = RECORDS, tail: str = "") -> str:
    """Every kind of scalar, anchors and aliases (from one record to another)."""
    head = "policies: []\nnon_official:\n  - &first {platform: x, handle: a}\nentities:\n"
    return head + "".join(SCALARS.format(n=n) for n in range(records)) + tail


def entities(records: int = RECORDS) -> str:
    return "entities:\n" + "".join(ENTITY.format(n=n) for n in range(records))


def outcome(records: Any) -> tuple[str, str]:
    """What a reader gives: its records, then the error that stopped it (as text, with
    the error's attributes, so that two equal errors compare equal)."""
    read = []
    try:
        for record in records:
            read.append(record)
    except Exception as exc:
        return repr(read), f"{type(exc).__name__} {sorted(vars(exc).items())}"
    return repr(read), ""


def test_a_file_read_by_a_child_gives_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(scalars(), encoding="utf-8")
    here = outcome(read_top_level(path))
    assert outcome(read_ahead.read_in_child(path)) == here
    assert here[0].count("('entities'") == 2 * RECORDS and not here[1]


@pytest.mark.parametrize(
    "fault",
    [
        "  - id: open\n    name: {en: 'never closed}\n    kind: ministry\n",  # syntax
        "---\nentities: []\n",  # a second document
        "  - *nowhere\n",  # an undefined alias
    ],
)
def test_an_error_comes_after_the_same_records(tmp_path: Path, fault: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(scalars(tail=fault), encoding="utf-8")
    here = outcome(read_top_level(path))
    assert here[1]  # the fault is an error
    assert outcome(read_ahead.read_in_child(path)) == here


@pytest.mark.parametrize(
    "text", [b"- a list\n- not a mapping\n", b"entities:\n  - id: \xff\xfe\n", b""]
)
def test_a_file_that_is_not_a_registry_fails_the_same_way(tmp_path: Path, text: bytes) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(text)
    assert outcome(read_ahead.read_in_child(path)) == outcome(read_top_level(path))


def load(path: Path) -> tuple[str, list[Problem]]:
    try:
        return repr(load_registry(path)), []
    except RegistryInvalid as exc:
        return "", exc.problems


def test_a_load_read_ahead_reports_the_same_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    valid = tmp_path / "valid.yaml"
    valid.write_text(entities(), encoding="utf-8")
    invalid = tmp_path / "invalid.yaml"
    text = entities().replace("id: e7\n", "id: e3\n").replace("kind: ministry", "kind: x", 2)
    invalid.write_text(text, encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(entities() + "  - id: open\n    name: {en: 'never closed}\n", "utf-8")
    here = [load(path) for path in (valid, invalid, broken)]
    monkeypatch.setattr(read_ahead, "READ_AHEAD_BYTES", 0)
    monkeypatch.setattr(read_ahead, "_cores", lambda: 2)
    assert read_ahead.worth_it(valid)
    assert [load(path) for path in (valid, invalid, broken)] == here
    assert here[0][0] and not here[0][1]
    assert len(here[1][1]) == 3  # a duplicate id and two kinds, each at its line
    [syntax] = here[2][1]  # the file rejected whole
    assert "YAML syntax error" in syntax.message


def test_only_a_large_file_with_a_core_to_spare_is_read_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(entities(), encoding="utf-8")
    monkeypatch.setattr(read_ahead, "_cores", lambda: 2)
    assert not read_ahead.worth_it(path)  # small
    assert not read_ahead.worth_it(tmp_path / "missing.yaml")
    monkeypatch.setattr(read_ahead, "READ_AHEAD_BYTES", path.stat().st_size)
    assert read_ahead.worth_it(path)
    monkeypatch.setattr(read_ahead, "_cores", lambda: 1)
    assert not read_ahead.worth_it(path)


def test_a_reader_stopped_early_stops_its_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(entities(records=5_000), encoding="utf-8")  # more than a pipe holds
    children: list[subprocess.Popen[bytes]] = []

    class Recorded(subprocess.Popen[bytes]):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            children.append(self)

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    monkeypatch.setattr(read_ahead, "READ_AHEAD_BYTES", 0)
    monkeypatch.setattr(read_ahead, "_cores", lambda: 2)
    records = top_level(path)
    assert isinstance(records, Generator)
    assert next(records)[:2] == ("entities", 0)
    [child] = children
    assert child.poll() is None  # still reading
    records.close()
    assert child.returncode is not None


def test_when_no_process_can_be_started_the_file_is_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(scalars(), encoding="utf-8")

    def refused(*args: Any, **kwargs: Any) -> None:
        raise BlockingIOError("fork: resource temporarily unavailable")

    monkeypatch.setattr(subprocess, "Popen", refused)
    assert outcome(read_ahead.read_in_child(path)) == outcome(read_top_level(path))
